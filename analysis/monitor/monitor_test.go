package monitor

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

const (
	testProduct  = 16 // ICT-M365, cross-sell
	testCampaign = 9001
)

// registerTrueCampaign registers an account-manager campaign of testProduct whose prediction
// is the truth times scale (sampletest.TrueCampaign) and draws its outcomes.
func registerTrueCampaign(t *testing.T, ws *workspace.Workspace, scale float64) {
	t.Helper()
	if err := sampletest.TrueCampaign(context.Background(), ws, testCampaign, testProduct, "account_manager", scale, respondSeed); err != nil {
		t.Fatal(err)
	}
}

func TestCampaignActualInsidePredicted(t *testing.T) {
	ws := sampletest.Fresh(t, 2500, 5)
	registerTrueCampaign(t, ws, 1)
	rep, err := Run(context.Background(), ws, Options{CampaignID: testCampaign, NoDrift: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Campaigns) != 1 {
		t.Fatalf("%d campaigns", len(rep.Campaigns))
	}
	c := rep.Campaigns[0]
	t.Logf("treated %d conv %d (%.4f), predicted %+v, control %d conv %d, uplift %+v, Qini %.4f",
		c.Treated.Members, c.Treated.Converted, c.Treated.Rate.Est, c.Predicted, c.Control.Members, c.Control.Converted, c.Uplift, c.QiniCoef)
	if !c.HasPrediction || c.Treated.Members < 1000 || c.Control.Members < 500 || c.Pending != 0 {
		t.Fatalf("campaign %+v", c)
	}
	if !c.Predicted.Contains(c.Treated.Rate.Est) {
		t.Errorf("actual %.4f outside the predicted %+v though the prediction is the truth", c.Treated.Rate.Est, c.Predicted)
	}
	if rep.Alerts() != 0 {
		t.Errorf("flags %+v", rep.Flags)
	}
	if len(c.Deciles) != 10 || !(c.Deciles[0].Actual.Est > c.Deciles[9].Actual.Est) || !(c.Deciles[0].Predicted.Est > c.Deciles[9].Predicted.Est) {
		t.Errorf("deciles %+v", c.Deciles)
	}
	// The contacted convert; the control cell has no contact and converts only if some
	// inbound offer converted in the window: the uplift interval holds the treated rate.
	if !(c.Uplift.Lo > 0) || !(c.Uplift.Est <= c.Treated.Rate.Est) {
		t.Errorf("uplift %+v", c.Uplift)
	}
	// Ranking by the true acceptance probability finds the incremental conversions first.
	if !(c.QiniCoef > 0) || len(c.Qini) < 10 {
		t.Errorf("Qini %v over %d points", c.QiniCoef, len(c.Qini))
	}
	last := c.OverTime[len(c.OverTime)-1]
	if last.Contacted != c.Treated.Members || last.Accepted != c.Treated.Accepted {
		t.Errorf("over time ends at %+v, want the treated cell", last)
	}
	var segN int
	for _, s := range c.Segments {
		segN += s.Members
	}
	if segN != c.Treated.Members {
		t.Errorf("segments hold %d members, want %d", segN, c.Treated.Members)
	}
}

func TestCampaignOverpredictedIsFlagged(t *testing.T) {
	ws := sampletest.Fresh(t, 2500, 5)
	registerTrueCampaign(t, ws, 2.5)
	rep, err := Run(context.Background(), ws, Options{CampaignID: testCampaign, NoDrift: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Alerts() != 1 || !strings.Contains(rep.Flags[0].Text, "below the predicted") {
		t.Fatalf("flags %+v", rep.Flags)
	}
}

func TestHistoryCampaigns(t *testing.T) {
	ws := sampletest.Sample(t)
	rep, err := Run(context.Background(), ws, Options{NoDrift: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Campaigns) != 48 {
		t.Errorf("%d product campaigns, want 4 periods × 12", len(rep.Campaigns))
	}
	var withControl int
	for _, c := range rep.Campaigns {
		var accepted int
		if err := ws.QueryRowContext(context.Background(), `SELECT count(*) FROM contacts WHERE campaign_id = ? AND outcome = 'accepted'`, c.ID).Scan(&accepted); err != nil {
			t.Fatal(err)
		}
		if c.Treated.Converted < accepted || c.HasPrediction || !math.IsNaN(c.QiniCoef) {
			t.Errorf("campaign %d: converted %d < accepted %d, or a prediction/Qini without scores", c.ID, c.Treated.Converted, accepted)
		}
		if c.Control.Members > 0 {
			withControl++
		}
		if c.Holdout.Members == 0 {
			t.Errorf("campaign %d (%s): no global hold-out", c.ID, c.Name)
		}
	}
	if withControl != len(rep.Campaigns) {
		t.Errorf("%d of %d campaigns have a control cell", withControl, len(rep.Campaigns))
	}
	if _, err := Run(context.Background(), ws, Options{CampaignID: 1, NoDrift: true}, nil); err == nil || !strings.Contains(err.Error(), "hold-out or frequency") {
		t.Errorf("campaign 1 (hold-out): %v", err)
	}
	if _, err := Run(context.Background(), ws, Options{CampaignID: 99999, NoDrift: true}, nil); err == nil || !strings.Contains(err.Error(), "99999") {
		t.Errorf("unknown campaign: %v", err)
	}
}

func TestDriftFlagsTheShiftedFeature(t *testing.T) {
	ws := sampletest.Fresh(t, 1500, 3)
	ctx := context.Background()
	// Two products' scores of a scoring run: P05 will move, P07 not.
	if _, err := ws.ExecContext(ctx, `INSERT INTO acrm_nbo_scores SELECT customer_id, p, (customer_id % 100) / 100.0
		FROM customers, (VALUES (5), (7)) v(p)`); err != nil {
		t.Fatal(err)
	}
	d, err := MeasureDrift(ctx, ws, DefaultPSIMoved, DefaultPSIShifted)
	if err != nil {
		t.Fatal(err)
	}
	if !d.NewBaseline || len(d.Rows) < 20 {
		t.Fatalf("first drift: new %v, %d rows", d.NewBaseline, len(d.Rows))
	}
	if d.Rows[0].PSI > 1e-9 {
		t.Fatalf("against itself: %s PSI %v", d.Rows[0].Subject, d.Rows[0].PSI)
	}
	if _, err := ws.ExecContext(ctx, `UPDATE customers SET digital_affinity = digital_affinity * 0.5 + 0.5,
		sector = CASE WHEN customer_id % 4 = 0 THEN 'ict' ELSE sector END`); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.ExecContext(ctx, `UPDATE acrm_nbo_scores SET score = score * score WHERE product_id = 5`); err != nil {
		t.Fatal(err)
	}
	d, err = MeasureDrift(ctx, ws, DefaultPSIMoved, DefaultPSIShifted)
	if err != nil {
		t.Fatal(err)
	}
	if d.NewBaseline || d.Rows[0].Subject != "digital_affinity" || d.Rows[0].Level != "shifted" {
		t.Fatalf("drift rows %s", top(d.Rows, 4))
	}
	var sector DriftRow
	for _, r := range d.Rows {
		if r.Subject == "sector" {
			sector = r
		}
	}
	if sector.Level == "stable" {
		t.Errorf("sector: %+v", sector)
	}
	// The stored bins are the baseline's: recomputing PSI from the shares gives the same.
	if got := PSI(sector.Base, sector.Now); math.Abs(got-sector.PSI) > 1e-12 {
		t.Errorf("PSI %v vs %v", got, sector.PSI)
	}
	scores := 0
	for _, r := range d.Rows {
		if r.Kind == "score" {
			scores++
		}
		if (r.Subject == "region" || r.Subject == "score:P07") && r.Level != "stable" {
			t.Errorf("%s untouched but %+v", r.Subject, r)
		}
		if r.Subject == "score:P05" && (r.Kind != "score" || r.Level != "shifted") {
			t.Errorf("score of P05 squared: %+v", r)
		}
	}
	if scores != 2 {
		t.Errorf("%d score rows, want P05 and P07", scores)
	}
}

func top(rows []DriftRow, n int) string {
	var b strings.Builder
	for i, r := range rows {
		if i == n {
			break
		}
		fmt.Fprintf(&b, "%s %.3f %s; ", r.Subject, r.PSI, r.Level)
	}
	return b.String()
}

// respondSeed draws the test campaign's outcomes. A 95 % interval misses one draw in twenty:
// with seed 11 the true prediction's campaign converts 32 of 1,287 against the interval's
// lower end 32.8 (seeds 12 and 13 land inside), so the test pins one seed.
var respondSeed uint64 = 13
