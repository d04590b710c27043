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

// TestPlanUnderCapacitiesNearLP: with channel capacities that bind, the plan respects them
// and the budget and is within 0.5 % of its bound — the Lagrangian bound under the budget and
// the capacities, which is at least the linear relaxation's optimum, so the plan is within
// 0.5 % of the exact LP optimum too. On the 500-customer instances the bound is checked
// against gonum's simplex (it is the LP optimum), with one capacity and with two.
func TestPlanUnderCapacitiesNearLP(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		n, k   int
		budget float64
		phone  int
		am     int // account-manager capacity per week (0: none)
	}{{500, 10, 3000, 2, 0}, {500, 10, 3000, 2, 1}, {5000, 10, 10000, 4, 0}, {5000, 10, 10000, 4, 2}, {5000, 10, 60000, 20, 0}, {5000, 10, 60000, 20, 6}} {
		s, hist, rules := synthetic(tc.n, tc.k, uint64(tc.n)+uint64(tc.budget))
		rules.Channels = map[string]ChannelRule{"phone": {CapacityPerWeek: tc.phone}}
		if tc.am > 0 {
			rules.Channels["account_manager"] = ChannelRule{CapacityPerWeek: tc.am, CapPerPeriod: 1}
		}
		spec := PlanSpec{Budget: tc.budget, PeriodMonths: 6, Curves: truthCurves()}
		g, err := PlanScoring(ctx, s, hist, rules, spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		custs, rho := plannedCustomers(s, hist, rules, 6)
		rules.Channels = nil
		free, err := PlanScoring(ctx, s, hist, rules, spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		used := map[string]int{}
		for _, row := range g.ByChannel {
			used[row.Key] = row.Offers
		}
		ratio := g.Plan.Profit / g.LPBound
		t.Logf("%d customers × %d products, budget %.0f, capacity phone %d, account manager %d (used %d, %d): plan %.0f, bound %.0f (%.3f %%); budget-only bound %.0f",
			tc.n, tc.k, tc.budget, tc.phone*26, tc.am*26, used["phone"], used["account_manager"], g.Plan.Profit, g.LPBound, 100*ratio, free.LPBound)
		if !g.BoundWithCapacities {
			t.Errorf("%d×%d: no channel filled up (phone %d of %d)", tc.n, tc.k, used["phone"], tc.phone*26)
		}
		if used["phone"] > tc.phone*26 || (tc.am > 0 && used["account_manager"] > tc.am*26) || g.Plan.Cost > tc.budget+1e-9 {
			t.Errorf("%d×%d: capacity or budget broken: %v, cost %.2f", tc.n, tc.k, used, g.Plan.Cost)
		}
		if ratio < 0.995 || ratio > 1+1e-9 {
			t.Errorf("%d×%d: plan at %.3f %% of its bound", tc.n, tc.k, 100*ratio)
		}
		if tc.budget == 60000 && g.LPBound >= free.LPBound {
			t.Errorf("bound with capacities %.0f not below the budget-only one %.0f", g.LPBound, free.LPBound)
		}
		if tc.n == 500 {
			capacity := map[string]int{"phone": tc.phone * 26, "account_manager": tc.am * 26}
			if opt := lpOverOptions(t, newBoundInst(custs, rho, s.Products, capacity), tc.budget); math.Abs(g.LPBound-opt) > 1e-4*opt {
				t.Errorf("%d×%d: bound %.3f, simplex optimum %.3f", tc.n, tc.k, g.LPBound, opt)
			}
		}
	}
}

// TestCapacityPlanWithinHalfPercentOfSimplex: on random instances (customers, products,
// budget, phone and account-manager capacities), the plan under capacities is within 0.5 %
// of the LP optimum gonum's simplex finds over the same options.
func TestCapacityPlanWithinHalfPercentOfSimplex(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 3))
	worst := 1.0
	for trial := 0; trial < 8; trial++ {
		n, k := 300+r.IntN(250), 4+r.IntN(7)
		s, hist, rules := synthetic(n, k, uint64(1000+trial))
		capacity := map[string]int{"phone": 26 * (1 + r.IntN(3)), "account_manager": 26 * r.IntN(2)}
		budget := float64(n) * (3 + 5*r.Float64()) // a plan of some hundred offers at least
		custs, rho := plannedCustomers(s, hist, rules, 6)
		bi := newBoundInst(custs, rho, s.Products, capacity)
		_, prices := bi.minimize(budget, 8, 16)
		st := bi.capacityPlan(budget, prices)
		got, opt := bi.value(st), lpOverOptions(t, bi, budget)
		for c, cp := range bi.caps {
			if st.used[c] > cp {
				t.Fatalf("trial %d: %s used %.0f of %.0f", trial, bi.chans[c], st.used[c], cp)
			}
		}
		if st.spent > budget+1e-9 {
			t.Fatalf("trial %d: spent %.2f of %.2f", trial, st.spent, budget)
		}
		worst = math.Min(worst, got/opt)
		if got < 0.995*opt || got > opt+1e-6 {
			t.Errorf("trial %d (%d×%d, budget %.0f, capacities %v): plan %.2f, simplex optimum %.2f (%.3f %%)", trial, n, k, budget, capacity, got, opt, 100*got/opt)
		}
	}
	t.Logf("worst plan / simplex optimum: %.4f", worst)
}

// plannedCustomers are the customers with offers and their ranked lists, as PlanScoring
// builds them (every channel, the period's caps), and the frequency table of truthCurves.
func plannedCustomers(s *Scoring, hist []History, rules *Rules, months int) ([]planCustomer, rhoTable) {
	kmax := PolicyK
	for _, seg := range segNames {
		kmax = max(kmax, rules.Cap(seg))
	}
	var custs []planCustomer
	var buf []Candidate
	for i := range s.IDs {
		buf = s.Candidates(i, 0, nil, buf[:0])
		if d := rules.Decide(s.AsOf, &hist[i], buf, 0, false); len(d.Offers) > 0 {
			custs = append(custs, planCustomer{row: i, seg: segIndex(s.Segment[i]), offers: d.Offers})
		}
	}
	return custs, newRho(truthCurves(), months, kmax)
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
