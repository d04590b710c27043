package monitor

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/model"
	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

// predictFromModel registers campaign id's prediction the way a selection would: the model
// serving ref (a name: its serving version) scores the members as of the campaign's start,
// and the score is calibrated to conversion on the contacted members of the product's
// latest answered campaign (Platt on logit(score), as of that campaign's start).
func predictFromModel(t *testing.T, ctx context.Context, ws *workspace.Workspace, id, calibrateOn int, ref string) string {
	t.Helper()
	var start, calStart time.Time
	if err := ws.QueryRowContext(ctx, `SELECT start_date::TIMESTAMP FROM campaigns WHERE campaign_id = ?`, id).Scan(&start); err != nil {
		t.Fatal(err)
	}
	if err := ws.QueryRowContext(ctx, `SELECT start_date::TIMESTAMP FROM campaigns WHERE campaign_id = ?`, calibrateOn).Scan(&calStart); err != nil {
		t.Fatal(err)
	}
	cs0, err := campaignsToEvaluate(ctx, ws, calibrateOn)
	if err != nil {
		t.Fatal(err)
	}
	until := map[int]time.Time{calibrateOn: cs0[0].End.AddDate(0, 0, DefaultFollowDays+1)}
	members, err := readMembers(ctx, ws, evWindows(cs0, until, map[int]bool{}))
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	conv := map[int64]float64{}
	for _, m := range members[calibrateOn] {
		if m.contacted && !m.contactTS.IsZero() {
			ids = append(ids, m.customer)
			if m.converted() {
				conv[m.customer] = 1
			}
		}
	}
	cs, version, err := profiles.ScoreCustomersAt(ctx, ws, ref, calStart, ids)
	if err != nil {
		t.Fatal(err)
	}
	var p, y []float64
	for _, id := range ids {
		if s, ok := cs[id]; ok {
			p = append(p, s)
			y = append(y, conv[id])
		}
	}
	cal, err := model.FitCalibrator("platt", p, y)
	if err != nil {
		t.Fatal(err)
	}
	var all []int64
	cells := map[int64]string{}
	rows, err := ws.QueryContext(ctx, `SELECT customer_id, cell FROM campaign_members WHERE campaign_id = ?`, id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c int64
		var cell string
		if err := rows.Scan(&c, &cell); err != nil {
			t.Fatal(err)
		}
		all = append(all, c)
		cells[c] = cell
	}
	rows.Close()
	ms, _, err := profiles.ScoreCustomersAt(ctx, ws, ref, start, all)
	if err != nil {
		t.Fatal(err)
	}
	err = ws.Append(ctx, "acrm_campaign_offers", func(add workspace.AppendFunc) error {
		for _, c := range all {
			if s, ok := ms[c]; ok {
				if err := add(int32(id), c, int32(testProduct), "phone", cells[c], cal.Apply(s), 100.0, version); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return version
}

// The loop end to end with a model that is trained, not the truth: a response profile
// (logit, every past outbound offer of P16) predicts P16 phone campaigns to the customers who
// do not hold it, its score calibrated on the previous campaign's outcomes. After next-period
// --drift appeal-change the monitor flags digital_affinity (moved) and the serving model's
// ranking of the period's outcomes collapses; a challenger retrained on the newest outcomes
// (acrm train --target response --since <period start> --challenger) does not serve until
// promoted, ranks those outcomes better (DeLong) and is promoted; in the next period — out of
// sample — it ranks the new campaign's outcomes better than the old champion would have.
//
// The level is logged, not asserted: calibrated on the previous campaign of the same
// customers, the prediction runs above the actual every period (the converted leave, the
// others were offered P16 half a year before), by more than the interval in periods 6 and 8
// of this seed; the perfect-model loop (TestLoopThreePeriods) checks the intervals.
func TestLoopRetrainedChallenger(t *testing.T) {
	ctx := context.Background()
	ws := sampletest.Fresh(t, 6000, 11)
	if _, err := MeasureDrift(ctx, ws, DefaultPSIMoved, DefaultPSIShifted); err != nil {
		t.Fatal(err)
	}
	spec := profiles.Spec{ProductID: testProduct, Kind: profiles.Response, Algo: "logit", Seed: 1, Folds: 3}
	if _, err := profiles.TrainOneProduct(ctx, ws, spec, nil); err != nil {
		t.Fatal(err)
	}
	name := profiles.DefaultName(testProduct, profiles.Response)
	var driftStart time.Time
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	drifts := []string{sampledata.DriftNone, sampledata.DriftNone, sampledata.DriftAppealChange, sampledata.DriftNone}
	for i, drift := range drifts {
		id := 9401 + 10*i // next-period registers each period's global hold-out after the latest campaign id
		if err := sampletest.RegisterCampaign(ctx, ws, id, testProduct, "phone", start, 21, 1, 0, 4); err != nil {
			t.Fatal(err)
		}
		if drift != sampledata.DriftNone {
			driftStart = start
		}
		version := ""
		if i > 0 { // the first period's campaign is the first calibration
			version = predictFromModel(t, ctx, ws, id, id-10, name)
		}
		sum, err := sampledata.NextPeriod(ctx, ws, sampledata.NextOptions{Seed: uint64(30 + i), Drift: drift, Product: testProduct})
		if err != nil {
			t.Fatal(err)
		}
		start = sum.End.AddDate(0, 0, 2)
		if i == 0 {
			continue
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
		var flags []string
		for _, f := range rep.Flags {
			if f.Subject == fmt.Sprintf("campaign %d", id) {
				flags = append(flags, f.Text)
				flagged = flagged || f.Severity == Alert
			}
		}
		t.Logf("campaign %d flags: %q", id, flags)
		inside := c.Predicted.Contains(c.Treated.Rate.Est)
		t.Logf("period %d (%s): campaign %d by %s: actual %.4f (%d/%d), predicted %.4f (%.4f … %.4f), flagged %v; digital_affinity PSI %.3f %s",
			sum.Period, drift, id, version, c.Treated.Rate.Est, c.Treated.Converted, c.Treated.Members,
			c.Predicted.Est, c.Predicted.Lo, c.Predicted.Hi, flagged, dig.PSI, dig.Level)
		switch i {
		case 1:
			if dig.Level != "stable" {
				t.Errorf("period %d (no drift): digital_affinity %s", sum.Period, dig.Level)
			}
		case 2:
			// The drift: the monitor names the drifted feature among its flags. The campaign's
			// overall conversion is not flagged with this model (1.98 % in 1.96 … 3.05 %: the
			// appeal change moves who converts more than how many, among all non-holders); its
			// ranking collapses instead (the challenger below). The campaign flag on the drift is
			// asserted with a perfect model (TestLoopThreePeriods) and on the README's look-alike
			// selection (acrm monitor --campaign 60 exits 3 in the tour).
			digFlag := false
			for _, f := range rep.Flags {
				digFlag = digFlag || f.Subject == "digital_affinity"
			}
			if dig.Level == "stable" || !digFlag {
				t.Errorf("period %d (appeal change): digital_affinity %s (PSI %.3f), among the flags %v", sum.Period, dig.Level, dig.PSI, digFlag)
			}
			// Retrain on the newest data as a challenger; compare on the new outcomes; promote.
			ch := spec
			ch.Challenger, ch.Since = true, driftStart
			res, err := profiles.TrainOneProduct(ctx, ws, ch, nil)
			if err != nil {
				t.Fatal(err)
			}
			v2 := res.BestModel().ModelID
			if s, err := profiles.Load(ctx, ws, name); err != nil || s.ModelID == v2 {
				t.Fatalf("after training the challenger %s the name serves %v (%v)", v2, s, err)
			}
			cmp, err := ChallengeCampaign(ctx, ws, id, v2, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("challenge on campaign %d: champion %s AUC %.4f, challenger %s AUC %.4f, diff %+.4f (SE %.4f, z %.2f, p %.4f)",
				id, cmp.Champion.Model, cmp.Champion.AUC, cmp.Challenger.Model, cmp.Challenger.AUC, cmp.Diff, cmp.SE, cmp.Z, cmp.P)
			if cmp.Better() != "challenger" || cmp.Champion.Model != name+"@v1" {
				t.Errorf("the retrained challenger does not beat the champion: %+v", cmp)
			}
			// The Monitor screen's c key finds the same challenger.
			if auto, err := ChallengeNewest(ctx, ws, id, 0); err != nil || auto.Challenger.Model != v2 || auto.Diff != cmp.Diff {
				t.Errorf("ChallengeNewest: %+v, %v", auto, err)
			}
			if _, err := profiles.Promote(ctx, ws, v2); err != nil {
				t.Fatal(err)
			}
			log, err := profiles.ServingLog(ctx, ws, name)
			if err != nil || len(log) != 2 || log[1].ModelID != v2 || log[1].Via != "promote" || log[0].Until.IsZero() {
				t.Errorf("serving log %+v (%v)", log, err)
			}
		case 3:
			if version != name+"@v2" {
				t.Errorf("period %d after promoting the challenger: predicted by %s", sum.Period, version)
			}
			old, err := ChallengeCampaign(ctx, ws, id, name+"@v1", 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("out of sample on campaign %d: serving %s AUC %.4f, old champion %s AUC %.4f, diff %+.4f (p %.4f)",
				id, old.Champion.Model, old.Champion.AUC, old.Challenger.Model, old.Challenger.AUC, old.Diff, old.P)
			// Promoted, the retrained model brings the campaign back inside its predicted interval,
			// and it ranks the new outcomes better than the old champion (the direction: with
			// organic buyers who differ from the persuadable ones the difference is not
			// significant on this campaign, p 0.15).
			if !inside || flagged {
				t.Errorf("period %d after promoting the challenger: actual %.4f, predicted %+v, flagged %v", sum.Period, c.Treated.Rate.Est, c.Predicted, flagged)
			}
			if !(old.Diff < 0) || old.Champion.Model != name+"@v2" {
				t.Errorf("out of sample the promoted model does not rank better than the old champion: %+v", old)
			}
		}
		if math.IsNaN(c.Predicted.Est) {
			t.Fatalf("campaign %d has no prediction", id)
		}
	}
}
