package nbo

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// TestCapacityBoundIsAnUpperBound: on small random instances the Lagrangian bound is at least
// the best plan found by enumerating, under the budget and the channel capacities, every
// choice of offers the greedy can give a customer (reachable).
func TestCapacityBoundIsAnUpperBound(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 13))
	prods := &Products{List: []Product{
		{ID: 1, Margin: 120, Objective: ObjCrossSell}, {ID: 2, Margin: 60, Objective: ObjCrossSell},
		{ID: 3, Margin: 200, Objective: ObjRetention, ChurnRisk: 0.4}}, byID: map[int]int{1: 0, 2: 1, 3: 2}}
	chans := []string{"mail", "phone", "email"}
	costs := map[string]float64{"mail": 2, "phone": 9, "email": 0.3}
	for trial := 0; trial < 40; trial++ {
		n := 3 + r.IntN(3)
		custs := make([]planCustomer, n)
		for i := range custs {
			custs[i].seg = r.IntN(3)
			for _, pi := range r.Perm(3)[:1+r.IntN(3)] {
				ch := chans[r.IntN(3)]
				custs[i].offers = append(custs[i].offers, Offer{Candidate: Candidate{Product: pi + 1, Channel: ch, P: r.Float64() * 0.3, Cost: costs[ch]}})
			}
		}
		var rho rhoTable
		for s := range rho {
			rho[s] = []float64{0, 1, 0.8 + 0.3*r.Float64(), 0.5 + 0.3*r.Float64(), 0.4}
		}
		capacity := map[string]int{"phone": r.IntN(3), "email": r.IntN(2)}
		budget := 2 + r.Float64()*25
		bi := newBoundInst(custs, rho, prods, capacity)
		bound, _ := bi.minimize(budget, 3, 30)
		if opt := lpOverOptions(t, bi, budget); bound < opt-1e-6 || bound > opt*1.002+1e-6 {
			t.Errorf("trial %d: bound %.6f, LP optimum over the options %.6f", trial, bound, opt)
		}
		// Enumerate every subset of every customer's offers.
		best := math.Inf(-1)
		var rec func(i int, cost, val float64, used map[string]int)
		rec = func(i int, cost, val float64, used map[string]int) {
			if cost > budget {
				return
			}
			for ch, c := range capacity {
				if c > 0 && used[ch] > c {
					return
				}
			}
			if i == n {
				best = math.Max(best, val)
				return
			}
			offers := custs[i].offers
			for mask := 0; mask < 1<<len(offers); mask++ {
				if !reachable(offers, mask, capacity) {
					continue
				}
				var sub []Offer
				u := map[string]int{}
				for ch, v := range used {
					u[ch] = v
				}
				for j, o := range offers {
					if mask&(1<<j) != 0 {
						sub = append(sub, o)
						u[o.Channel]++
					}
				}
				c := planCustomer{seg: custs[i].seg, offers: sub}
				o := c.options(rho, prods)[len(sub)]
				rec(i+1, cost+o.cost, val+o.val, u)
			}
		}
		rec(0, 0, 0, map[string]int{})
		if bound < best-1e-9 {
			t.Fatalf("trial %d: bound %.6f below the best plan %.6f", trial, bound, best)
		}
	}
}

// reachable reports whether the offers in mask are a plan the greedy can give a customer: a
// prefix of the ranked list from which only offers on capacity channels are missing, and
// once an offer on such a channel is missing no later offer on that channel is in the plan.
func reachable(offers []Offer, mask int, capacity map[string]int) bool {
	last := -1
	for j := range offers {
		if mask&(1<<j) != 0 {
			last = j
		}
	}
	for j := 0; j < last; j++ {
		if mask&(1<<j) != 0 {
			continue
		}
		ch := offers[j].Channel
		if capacity[ch] <= 0 {
			return false
		}
		for l := j + 1; l <= last; l++ {
			if mask&(1<<l) != 0 && offers[l].Channel == ch {
				return false
			}
		}
	}
	return true
}

// TestPlanUnderCapacitiesBelowBound: with a phone capacity that binds, the plan's bound is the
// one under the budget and the capacities, the plan is never above it, and the bound is below
// the budget-only bound of the same instance when the capacity cuts deep. The plan's share of
// the bound is logged (the greedy is not within 0.5 % of it when capacities bind: see the
// closing note of issue 13).
func TestPlanUnderCapacitiesBelowBound(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		n, k   int
		budget float64
		phone  int
	}{{500, 10, 3000, 2}, {5000, 10, 10000, 4}, {5000, 10, 60000, 20}} {
		s, hist, rules := synthetic(tc.n, tc.k, uint64(tc.n)+uint64(tc.budget))
		rules.Channels = map[string]ChannelRule{"phone": {CapacityPerWeek: tc.phone}}
		g, err := PlanScoring(ctx, s, hist, rules, PlanSpec{Budget: tc.budget, PeriodMonths: 6, Curves: truthCurves()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		rules.Channels = nil
		free, err := PlanScoring(ctx, s, hist, rules, PlanSpec{Budget: tc.budget, PeriodMonths: 6, Curves: truthCurves()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		phone := 0
		for _, row := range g.ByChannel {
			if row.Key == "phone" {
				phone = row.Offers
			}
		}
		ratio := g.Plan.Profit / g.LPBound
		t.Logf("%d customers × %d products, budget %.0f, phone capacity %d (used %d): plan %.0f, bound %.0f (%.3f %%); budget-only bound %.0f",
			tc.n, tc.k, tc.budget, tc.phone*26, phone, g.Plan.Profit, g.LPBound, 100*ratio, free.LPBound)
		if !g.BoundWithCapacities || phone != tc.phone*26 {
			t.Errorf("%d×%d: the phone capacity did not bind (%d of %d used)", tc.n, tc.k, phone, tc.phone*26)
		}
		if ratio > 1+1e-9 {
			t.Errorf("%d×%d: plan at %.3f %% of its bound", tc.n, tc.k, 100*ratio)
		}
		if tc.budget == 60000 && g.LPBound >= free.LPBound {
			t.Errorf("bound with capacities %.0f not below the budget-only one %.0f", g.LPBound, free.LPBound)
		}
	}
}

// lpOverOptions solves max Σ value·x over the bound's options exactly (gonum simplex): one
// option share per customer at most, the budget and the capacities.
func lpOverOptions(t *testing.T, b *boundInst, budget float64) float64 {
	t.Helper()
	C := len(b.caps)
	n := len(b.start) - 1
	nv := len(b.val)
	cols := nv + n + 1 + C
	rows := n + 1 + C
	A := mat.NewDense(rows, cols, nil)
	c := make([]float64, cols)
	rhs := make([]float64, rows)
	for i := 0; i < n; i++ {
		for o := b.start[i]; o < b.start[i+1]; o++ {
			c[o] = -b.val[o]
			A.Set(i, int(o), 1)
			A.Set(n, int(o), b.cost[o])
			for ch := 0; ch < C; ch++ {
				A.Set(n+1+ch, int(o), float64(b.n[int(o)*C+ch]))
			}
		}
		A.Set(i, nv+i, 1)
		rhs[i] = 1
	}
	A.Set(n, nv+n, 1)
	rhs[n] = budget
	for ch := 0; ch < C; ch++ {
		A.Set(n+1+ch, nv+n+1+ch, 1)
		rhs[n+1+ch] = b.caps[ch]
	}
	basic := make([]int, rows)
	for i := range basic {
		basic[i] = nv + i
	}
	f, _, err := lp.Simplex(c, A, rhs, 1e-10, basic)
	if err != nil {
		t.Fatal(err)
	}
	return -f
}
