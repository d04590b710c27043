package monitor

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/sampledata"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

// acrm train --product P --target uplift on the loop: trained on a period's campaign (treated
// and control members, features as of its start), registered like any profile (P16-uplift,
// chosen by CV Qini), and it ranks the next period's campaign members (CampaignQini).
func TestUpliftProfileOnTheLoop(t *testing.T) {
	ctx := context.Background()
	ws := sampletest.Fresh(t, 4000, 9)
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	if err := sampletest.RegisterCampaign(ctx, ws, 9201, 16, "phone", start, 21, 1, 0, 3); err != nil {
		t.Fatal(err)
	}
	sum, err := sampledata.NextPeriod(ctx, ws, sampledata.NextOptions{Seed: 4, Organic: 4})
	if err != nil {
		t.Fatal(err)
	}
	res, err := profiles.TrainUplift(ctx, ws, profiles.Spec{ProductID: 16, Seed: 1, Folds: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	best := res.BestModel()
	if best.ModelID != "P16-uplift@v1" || !strings.HasSuffix(res.Source, ",9201") {
		t.Errorf("registered %q from %q", best.ModelID, res.Source)
	}
	es, err := profiles.List(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range es {
		if e.ModelID == best.ModelID {
			found = true
			if e.Target != profiles.Uplift || e.Metrics.SelectedBy != profiles.SelectedByQini || e.Metrics.Method != best.Params ||
				e.Metrics.Qini != best.CVMean() || len(e.Metrics.Candidates) != len(res.Models) || !e.IsBest {
				t.Errorf("registry row %+v", e)
			}
		}
	}
	if !found {
		t.Fatal("uplift profile not in the registry")
	}
	// The next period's campaign, ranked by the profile as of its start.
	if err := sampletest.RegisterCampaign(ctx, ws, 9211, 16, "phone", sum.End.AddDate(0, 0, 2), 21, 1, 0, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := sampledata.NextPeriod(ctx, ws, sampledata.NextOptions{Seed: 5}); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ctx, ws, Options{CampaignID: 9211, NoDrift: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Campaigns[0]
	qs, err := CampaignQini(ctx, ws, 9211, []string{"P16-uplift"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	q := qs[0]
	t.Logf("campaign 9211: treated %d/%d, control %d/%d; %s Qini %.4f over %d members",
		c.Treated.Converted, c.Treated.Members, c.Control.Converted, c.Control.Members, q.Model, q.Qini, q.Members)
	if q.Model != "P16-uplift@v1" || q.Members != c.Treated.Members+c.Control.Members || math.IsNaN(q.Qini) || len(q.Curve) < 10 {
		t.Errorf("Qini of the profile: %+v", q)
	}
	// The sample knows each contacted member's true uplift: the share of the true incremental
	// conversions the profile's top 30 % holds is measured (and at most the truth's own).
	if !(q.TrueTop30 > -1 && q.TrueTop30 <= 1+1e-12) {
		t.Errorf("true top-30 %% share of the profile: %v", q.TrueTop30)
	}
	t.Logf("%s: true incremental conversions in its top 30 %%: %.3f of the true uplift's", q.Model, q.TrueTop30)
	if _, err := CampaignQini(ctx, ws, 9211, []string{"P99-nothing"}, 0); err == nil {
		t.Error("an unknown model: no error")
	}
}
