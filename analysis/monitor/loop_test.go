package monitor

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/sampledata"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

// Three periods of the loop on a small sample: select (a campaign of P16 by phone with a
// control cell, its P(accept) predicted by a perfect model of the market as it is at selection time),
// next-period, monitor. The first period's acceptance of the offer lies inside its predicted
// interval; after next-period --drift appeal-change the campaign of the product is flagged and
// digital_affinity drifts; a model of the changed market ("retrained") brings the third
// period's campaign back inside its interval.
func TestLoopThreePeriods(t *testing.T) {
	ctx := context.Background()
	ws := sampletest.Fresh(t, 4000, 11)
	// The baseline the drift is measured against: the base at the first selection.
	if _, err := MeasureDrift(ctx, ws, DefaultPSIMoved, DefaultPSIShifted); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	periods := []struct {
		drift   string
		version string
	}{{sampledata.DriftNone, "truth@p5"}, {sampledata.DriftAppealChange, "truth@p5"}, {sampledata.DriftNone, "truth@p7"}}
	for i, p := range periods {
		id := 9301 + 10*i // next-period registers each period's global hold-out after the latest campaign id
		if err := sampletest.RegisterCampaign(ctx, ws, id, testProduct, "phone", start, 21, 1, 0, 4); err != nil {
			t.Fatal(err)
		}
		// The model serving at selection time: the truth of the market as it was when the
		// version was made (periods 5 and 6: before the appeal change; 7: after).
		if err := sampletest.PredictTruth(ctx, ws, id, p.version); err != nil {
			t.Fatal(err)
		}
		sum, err := sampledata.NextPeriod(ctx, ws, sampledata.NextOptions{Seed: uint64(20 + i), Drift: p.drift, Product: testProduct})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Run(ctx, ws, Options{CampaignID: id}, nil)
		if err != nil {
			t.Fatal(err)
		}
		c := rep.Campaigns[0]
		var dig DriftRow
		for _, r := range rep.Drift.Rows {
			if r.Subject == "digital_affinity" {
				dig = r
			}
		}
		flagged := false
		for _, f := range rep.Flags {
			if f.Subject == fmt.Sprintf("campaign %d", id) && f.Severity == Alert {
				flagged = true
			}
		}
		t.Logf("period %d (%s): campaign %d P%02d actual %.4f (%d/%d), predicted %.4f (%.4f … %.4f), flagged %v; digital_affinity PSI %.3f %s",
			sum.Period, p.drift, id, c.ProductID, c.Treated.AcceptRate.Est, c.Treated.Accepted, c.Treated.Members,
			c.Predicted.Est, c.Predicted.Lo, c.Predicted.Hi, flagged, dig.PSI, dig.Level)
		inside := c.Predicted.Contains(c.Treated.AcceptRate.Est)
		switch i {
		case 0:
			if !inside || flagged || dig.Level != "stable" {
				t.Errorf("period 5: actual %.4f, predicted %+v, flagged %v, digital_affinity %s", c.Treated.AcceptRate.Est, c.Predicted, flagged, dig.Level)
			}
		case 1:
			if inside || !flagged || dig.Level == "stable" {
				t.Errorf("period 6 (appeal change): actual %.4f, predicted %+v, flagged %v, digital_affinity %s", c.Treated.AcceptRate.Est, c.Predicted, flagged, dig.Level)
			}
			if !strings.Contains(strings.ToLower(c.ProductName), "365") {
				t.Errorf("flagged campaign's product %q", c.ProductName)
			}
		case 2:
			if !inside || flagged {
				t.Errorf("period 7 (model of the changed market): actual %.4f, predicted %+v, flagged %v", c.Treated.AcceptRate.Est, c.Predicted, flagged)
			}
		}
		start = sum.End.AddDate(0, 0, 2)
	}
}
