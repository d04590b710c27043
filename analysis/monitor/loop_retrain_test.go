package monitor

import (
	"context"
	"flag"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/model"
	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

// loopSeed is the sample's seed of TestLoopRetrainedChallenger (go test -run
// TestLoopRetrainedChallenger ./analysis/monitor -args -loop-seed N checks another draw).
var (
	loopSeed      = flag.Uint64("loop-seed", 11, "sample seed of TestLoopRetrainedChallenger")
	loopCustomers = flag.Int("loop-customers", 12000, "sample size of TestLoopRetrainedChallenger")
)

// predictFromModel registers campaign id's prediction the way a selection would: the model
// serving ref (a name: its serving version) scores the members as of the campaign's start,
// and the score is calibrated to acceptance as acrm score --all calibrates it: Platt on
// logit(score) over the past outbound offers of the product through the campaign's channel
// with an outcome, each customer scored as of the campaign's start — the offers of the last
// year (every earlier one when those hold fewer than 10 acceptances), and none before since
// (the start of the serving model's training data: the market it knows).
func predictFromModel(t *testing.T, ctx context.Context, ws *workspace.Workspace, id int, ref string, since time.Time) string {
	t.Helper()
	var start time.Time
	if err := ws.QueryRowContext(ctx, `SELECT start_date::TIMESTAMP FROM campaigns WHERE campaign_id = ?`, id).Scan(&start); err != nil {
		t.Fatal(err)
	}
	type offer struct {
		customer int64
		accepted float64
	}
	from := later(start.AddDate(-1, 0, 0), since)
	var acc int
	if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM contacts WHERE direction = 'outbound' AND product_id = ? AND channel = 'phone'
		AND outcome = 'accepted' AND ts < ? AND ts >= ?`, testProduct, start, from).Scan(&acc); err != nil {
		t.Fatal(err)
	}
	if acc < 10 {
		from = since
	}
	var offers []offer
	rows, err := ws.QueryContext(ctx, `SELECT customer_id, outcome = 'accepted' FROM contacts WHERE direction = 'outbound'
		AND product_id = ? AND channel = 'phone' AND outcome IS NOT NULL AND ts < ? AND ts >= ?`, testProduct, start, from)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	var ids []int64
	for rows.Next() {
		var o offer
		var acc bool
		if err := rows.Scan(&o.customer, &acc); err != nil {
			t.Fatal(err)
		}
		if acc {
			o.accepted = 1
		}
		offers = append(offers, o)
		if !seen[o.customer] {
			seen[o.customer] = true
			ids = append(ids, o.customer)
		}
	}
	rows.Close()
	cs, _, err := profiles.ScoreCustomersAt(ctx, ws, ref, start, ids)
	if err != nil {
		t.Fatal(err)
	}
	var p, y []float64
	for _, o := range offers {
		if s, ok := cs[o.customer]; ok {
			p = append(p, s)
			y = append(y, o.accepted)
		}
	}
	cal, err := model.FitCalibrator("platt", p, y)
	if err != nil {
		t.Fatal(err)
	}
	var all []int64
	cells := map[int64]string{}
	rows, err = ws.QueryContext(ctx, `SELECT customer_id, cell FROM campaign_members WHERE campaign_id = ?`, id)
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
	ms, version, err := profiles.ScoreCustomersAt(ctx, ws, ref, start, all)
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
// do not hold it, its score calibrated to acceptance on the past year's phone offers of P16
// (predictFromModel). The monitor compares the share who accepted with that prediction.
// Period 6 (no drift, calibrated on period 5's campaign among others) runs a little below its
// prediction (the non-holders' best prospects have bought: 0.2 … 0.5 pp, inside the interval
// in some draws, not in this one). After next-period --drift appeal-change the campaign is
// flagged (acceptance below the interval, more than twice as many standard errors as period
// 6) with digital_affinity; a challenger retrained on the newest outcomes
// (acrm train --target response --since <period start> --challenger) does not serve until
// promoted, ranks those outcomes better (DeLong) and is promoted; in the next period it
// brings the campaign back inside its interval and — out of sample — ranks the new
// campaign's outcomes better than the old champion would have. Period 5 is logged only: its
// calibration rests on the history's offers (too few in the year before for some seeds).
// Other draws: go test -run TestLoopRetrainedChallenger ./analysis/monitor -args -loop-seed N
// -loop-customers 12000.
func TestLoopRetrainedChallenger(t *testing.T) {
	ctx := context.Background()
	ws := sampletest.Fresh(t, *loopCustomers, *loopSeed)
	if _, err := MeasureDrift(ctx, ws, DefaultPSIMoved, DefaultPSIShifted); err != nil {
		t.Fatal(err)
	}
	spec := profiles.Spec{ProductID: testProduct, Kind: profiles.Response, Algo: "logit", Seed: 1, Folds: 3}
	if _, err := profiles.TrainOneProduct(ctx, ws, spec, nil); err != nil {
		t.Fatal(err)
	}
	name := profiles.DefaultName(testProduct, profiles.Response)
	var driftStart, servingSince time.Time
	var z6 float64 // period 6's gap in standard errors
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
		version := predictFromModel(t, ctx, ws, id, name, servingSince)
		sum, err := sampledata.NextPeriod(ctx, ws, sampledata.NextOptions{Seed: uint64(30 + i), Drift: drift, Product: testProduct})
		if err != nil {
			t.Fatal(err)
		}
		start = sum.End.AddDate(0, 0, 2)
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
		inside := c.Predicted.Contains(c.Treated.AcceptRate.Est)
		t.Logf("period %d (%s): campaign %d by %s: accepted %.4f (%d/%d), predicted %.4f (%.4f … %.4f), gap %+.1f SE, flagged %v; digital_affinity PSI %.3f %s",
			sum.Period, drift, id, version, c.Treated.AcceptRate.Est, c.Treated.Accepted, c.Treated.Members,
			c.Predicted.Est, c.Predicted.Lo, c.Predicted.Hi, gapZ(c), flagged, dig.PSI, dig.Level)
		switch i {
		case 1:
			if dig.Level != "stable" {
				t.Errorf("period %d (no drift): digital_affinity %s", sum.Period, dig.Level)
			}
			z6 = gapZ(c)
		case 2:
			// The drift: the campaign leaves its interval, much further than the period before
			// (whose gap is the stale calibration's: the best prospects of the non-holders have
			// bought), and the monitor names the drifted feature among its flags.
			if z := gapZ(c); inside || !flagged || !strings.Contains(strings.ToLower(c.ProductName), "365") || !(z < 0 && -z > 2*math.Abs(z6)) {
				t.Errorf("period %d (appeal change): accepted %.4f, predicted %+v, flagged %v (%s); gap %.1f SE (period 6: %.1f)",
					sum.Period, c.Treated.AcceptRate.Est, c.Predicted, flagged, c.ProductName, z, z6)
			}
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
			servingSince = driftStart
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
				t.Errorf("period %d after promoting the challenger: accepted %.4f, predicted %+v, flagged %v", sum.Period, c.Treated.AcceptRate.Est, c.Predicted, flagged)
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

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// gapZ is a campaign's acceptance minus its predicted P(accept), in standard errors of the
// prediction.
func gapZ(c *Campaign) float64 {
	return (c.Treated.AcceptRate.Est - c.Predicted.Est) / ((c.Predicted.Hi - c.Predicted.Lo) / (2 * Z95))
}
