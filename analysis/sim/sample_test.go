package sim

import (
	"context"
	"flag"
	"math"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

// sampleCustomers sizes the sample the frequency tests run on: large enough for the top
// segment's curve to be pinned down (its frequency test holds 30 % of the top 10 %), small
// enough to stay well under a minute.
var (
	sampleCustomers = flag.Int("sim.customers", 100000, "customers in the generated sample for the frequency tests")
	sampleSeed      = flag.Uint64("sim.seed", 42, "seed of the generated sample for the frequency tests")
)

// sampleWorkspace is the sample of -sim.customers and -sim.seed, generated once per test
// binary (sampletest.Shared).
func sampleWorkspace(t testing.TB) *workspace.Workspace {
	t.Helper()
	return sampletest.Shared(t, *sampleCustomers, *sampleSeed)
}

func truthMeta(t testing.TB, ws *workspace.Workspace, key string) float64 {
	t.Helper()
	var v float64
	if err := ws.QueryRowContext(context.Background(), `SELECT value FROM sample_truth_meta WHERE key = ? AND product_id IS NULL`, key).Scan(&v); err != nil {
		t.Fatalf("truth %s: %v", key, err)
	}
	return v
}

// TestSampleOptimum checks the estimated peak of the response curve against the generator's
// true peak (sample_truth_meta curve_peak_top / curve_peak_base), within ±1 contact. Only the
// test reads the truth; the estimator never does.
func TestSampleOptimum(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a sample")
	}
	ws := sampleWorkspace(t)
	ctx := context.Background()
	for _, c := range []struct{ segment, key string }{{"top", "curve_peak_top"}, {"low", "curve_peak_base"}} {
		start := time.Now()
		f, err := LoadFrequency(ctx, ws, FrequencyOptions{Segment: c.segment, Boot: 100, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		truth := truthMeta(t, ws, c.key)
		t.Logf("%s: peak %.2f (95%% CI %.2f … %.2f), truth %.2f; curve %+v; %s offers, randomized %v, %v",
			c.segment, f.Peak.Estimate, f.Peak.Lo, f.Peak.Hi, truth, f.Curve, FormatCount(f.Contacts), f.Randomized, time.Since(start))
		if !f.Randomized {
			t.Errorf("%s: the sample has frequency cells but the estimate is observational", c.segment)
		}
		if math.Abs(f.Peak.Estimate-truth) > 1 {
			t.Errorf("%s: estimated optimum %.2f is more than 1 contact from the true peak %.2f", c.segment, f.Peak.Estimate, truth)
		}
	}
}

// TestSampleWhatIfTop checks that the 3→4 what-if for the top segment recovers the true
// steady-state revenue effect (sample_truth_meta top_effect_3to4) inside its 95 % CI.
func TestSampleWhatIfTop(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a sample")
	}
	ws := sampleWorkspace(t)
	ctx := context.Background()
	f, err := LoadFrequency(ctx, ws, FrequencyOptions{Segment: "top", Boot: 100, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	w, err := f.WhatIf(3, 4)
	if err != nil {
		t.Fatal(err)
	}
	truth := truthMeta(t, ws, "top_effect_3to4")
	if w.RevenueEffect == nil {
		t.Fatalf("top 3→4: no revenue growth (now revenue %+v)", w.NowRevenue)
	}
	t.Logf("top 3→4: revenue effect %.3f (95%% CI %.3f … %.3f), truth %.3f; extra contracts %.0f (%.0f … %.0f); extra opt-outs %.1f (%.1f … %.1f)",
		w.RevenueEffect.Estimate, w.RevenueEffect.Lo, w.RevenueEffect.Hi, truth,
		w.ExtraContracts.Estimate, w.ExtraContracts.Lo, w.ExtraContracts.Hi, w.ExtraOptOuts.Estimate, w.ExtraOptOuts.Lo, w.ExtraOptOuts.Hi)
	t.Log("\n" + w.Text())
	if !w.RevenueEffect.Contains(truth) {
		t.Errorf("true effect %.3f outside the CI %.3f … %.3f", truth, w.RevenueEffect.Lo, w.RevenueEffect.Hi)
	}
	if w.ExtraContracts.Lo <= 0 {
		t.Errorf("3→4 for the top segment should add contracts: %+v", w.ExtraContracts)
	}
	// 4 → 5 adds about as much again (relative to 4).
	w45, err := f.WhatIf(4, 5)
	if err != nil {
		t.Fatal(err)
	}
	truth45 := truthMeta(t, ws, "top_effect_4to5")
	if w45.RevenueEffect == nil {
		t.Fatalf("top 4→5: no revenue growth (now revenue %+v)", w45.NowRevenue)
	}
	t.Logf("top 4→5: revenue effect %.3f (95%% CI %.3f … %.3f), truth %.3f", w45.RevenueEffect.Estimate, w45.RevenueEffect.Lo, w45.RevenueEffect.Hi, truth45)
	if !w45.RevenueEffect.Contains(truth45) {
		t.Errorf("true 4→5 effect %.3f outside the CI %.3f … %.3f", truth45, w45.RevenueEffect.Lo, w45.RevenueEffect.Hi)
	}
	// The base curve: the middle segment's 3→4 effect against base_effect_3to4.
	m, err := LoadFrequency(ctx, ws, FrequencyOptions{Segment: "middle", Boot: 100, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	wm, err := m.WhatIf(3, 4)
	if err != nil {
		t.Fatal(err)
	}
	truthBase := truthMeta(t, ws, "base_effect_3to4")
	if wm.RevenueEffect == nil {
		t.Fatalf("middle 3→4: no revenue growth (now revenue %+v)", wm.NowRevenue)
	}
	t.Logf("middle 3→4: revenue effect %.3f (95%% CI %.3f … %.3f), truth (base) %.3f", wm.RevenueEffect.Estimate, wm.RevenueEffect.Lo, wm.RevenueEffect.Hi, truthBase)
	if !wm.RevenueEffect.Contains(truthBase) {
		t.Errorf("true base 3→4 effect %.3f outside the middle segment's CI %.3f … %.3f", truthBase, wm.RevenueEffect.Lo, wm.RevenueEffect.Hi)
	}
}
