package nbo

import (
	"context"
	"math"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

// TestPlanPropertyRulesHold plans 100,000 randomized customers (opt-outs, histories, caps with
// a higher cap for the top segment, an account-manager cap of one): no planned offer breaks a
// rule, the budget holds, and a customer's planned offers are the first of its ranked list
// (tiers hold).
func TestPlanPropertyRulesHold(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	s, hist, rules := synthetic(n, 8, 5)
	budget := 40_000.0
	res, err := PlanScoring(context.Background(), s, hist, rules, PlanSpec{Budget: budget, PeriodMonths: 6, Curves: truthCurves()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Plan.Offers < 1000 {
		t.Fatalf("only %d offers planned", res.Plan.Offers)
	}
	if res.Plan.Cost > budget+1e-6 {
		t.Errorf("plan costs %.2f over the budget %.0f", res.Plan.Cost, budget)
	}
	byCust := map[int64][]PlanOffer{}
	for _, o := range res.Offers {
		byCust[o.CustomerID] = append(byCust[o.CustomerID], o)
	}
	var buf []Candidate
	for id, offers := range byCust {
		i := s.Row(id)
		h := &hist[i]
		d := rules.Decide(s.AsOf, h, s.Candidates(i, 0, nil, buf[:0]), 0, false)
		if len(offers) > len(d.Offers) {
			t.Fatalf("customer %d: %d planned, %d allowed", id, len(offers), len(d.Offers))
		}
		for j, o := range offers {
			if o.Product != d.Offers[j].Product || o.Channel != d.Offers[j].Channel {
				t.Fatalf("customer %d: planned offer %d is P%d %s, ranked list has P%d %s (tiers/ranking broken)", id, j, o.Product, o.Channel, d.Offers[j].Product, d.Offers[j].Channel)
			}
		}
		planned := Decision{}
		for j := range offers {
			planned.Offers = append(planned.Offers, d.Offers[j])
		}
		if bad := violations(rules, s.AsOf, h, planned, 0); len(bad) > 0 {
			t.Fatalf("customer %d: %v", id, bad)
		}
	}
}

// TestPlanGreedyMatchesLP checks the LP bound of the greedy against gonum's simplex on small
// instances, and the greedy plan's profit against the LP optimum up to 5,000 customers × 10
// products (within 0.5 %).
func TestPlanGreedyMatchesLP(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		n, k   int
		budget float64
	}{{60, 5, 300}, {120, 10, 2000}} {
		s, hist, rules := synthetic(tc.n, tc.k, uint64(tc.n))
		rules.Channels = nil // no capacities: the LP has the budget as its only coupling row
		g, err := PlanScoring(ctx, s, hist, rules, PlanSpec{Budget: tc.budget, PeriodMonths: 6, Curves: truthCurves()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		x, err := PlanScoring(ctx, s, hist, rules, PlanSpec{Budget: tc.budget, PeriodMonths: 6, Curves: truthCurves(), Exact: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(g.LPBound-x.LPBound) > 1e-6*math.Max(1, x.LPBound) {
			t.Errorf("%d×%d: greedy's LP bound %.6f, simplex optimum %.6f", tc.n, tc.k, g.LPBound, x.LPBound)
		}
	}
	for _, tc := range []struct {
		n, k   int
		budget float64
	}{{500, 10, 3000}, {5000, 10, 10000}, {5000, 10, 60000}} {
		s, hist, rules := synthetic(tc.n, tc.k, uint64(tc.n)+uint64(tc.budget))
		rules.Channels = nil
		g, err := PlanScoring(ctx, s, hist, rules, PlanSpec{Budget: tc.budget, PeriodMonths: 6, Curves: truthCurves()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ratio := g.Plan.Profit / g.LPBound
		t.Logf("%d customers × %d products, budget %.0f: plan %.0f, LP optimum %.0f (%.3f %%)", tc.n, tc.k, tc.budget, g.Plan.Profit, g.LPBound, 100*ratio)
		if ratio < 0.995 || ratio > 1+1e-9 {
			t.Errorf("%d×%d: plan at %.3f %% of the LP optimum", tc.n, tc.k, 100*ratio)
		}
	}
}

// TestPlanBeatsPolicyWhenTopToleratesMore: with the generator's curves (top peak 10 a year)
// and a cap of 5 for the top, the plan gives the top more than 3 offers and beats 3 per half
// year for everyone on expected profit at the same budget.
func TestPlanBeatsPolicyWhenTopToleratesMore(t *testing.T) {
	s, hist, rules := synthetic(20000, 10, 11)
	res, err := PlanScoring(context.Background(), s, hist, rules, PlanSpec{Budget: 50000, PeriodMonths: 6, Curves: truthCurves()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Plan.Profit <= res.Policy.Profit {
		t.Errorf("plan profit %.0f ≤ policy %.0f", res.Plan.Profit, res.Policy.Profit)
	}
	more := 0
	for k := 4; k < len(res.PerK["top"]); k++ {
		more += res.PerK["top"][k]
	}
	if more == 0 {
		t.Errorf("no top customer gets more than 3 offers: %v", res.PerK["top"])
	}
}

// BenchmarkPlan1Mx32 plans a budget over ACRM_BENCH_CUSTOMERS synthetic customers × 32
// products (default 1,000,000, the size); s/plan is wall time, cpu-s/plan the
// process CPU time (the machine may be shared).
func BenchmarkPlan1Mx32(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("ACRM_BENCH_CUSTOMERS")); err == nil && v > 0 {
		n = v
	}
	s, hist, rules := synthetic(n, 32, 1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0, c0 := time.Now(), sampletest.ProcessCPU()
		res, err := PlanScoring(context.Background(), s, hist, rules, PlanSpec{Budget: 2 * float64(n), PeriodMonths: 6, Curves: truthCurves()}, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(t0).Seconds(), "s/plan")
		b.ReportMetric((sampletest.ProcessCPU() - c0).Seconds(), "cpu-s/plan")
		b.ReportMetric(float64(res.Plan.Offers), "offers")
	}
}
