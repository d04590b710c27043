package nbo

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"

	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// PlanSpec says what budget to allocate.
type PlanSpec struct {
	Budget       float64  // contact budget for the period (€)
	PeriodMonths int      // the plan's period: 3, 6 (default) or 12 months
	Channels     []string // outbound channels the plan may use (nil = every scored channel)
	// Curves are the response curves per value segment (top, middle, low); nil = measured
	// from the workspace's contact-frequency history (sim.LoadFrequency).
	Curves map[string]sim.ResponseCurve
	// OptOut curves per value segment, for the expected opt-outs (nil = measured with Curves).
	OptOut map[string]sim.OptOutCurve
	// Exact solves the linear program with gonum's simplex (small instances only).
	Exact bool
	// Control is the share of the planned customers held out as a control cell when the plan
	// is registered (0 … 0.5); Seed makes the draw.
	Control float64
	Seed    uint64
}

// PolicyK is the current contact policy the plan is compared with: 3 offers per customer per
// half year.
const PolicyK = 3

// Totals are the expected outcome of a set of offers.
type Totals struct {
	Customers int
	Offers    int
	Cost      float64
	Contracts float64
	Profit    float64 // expected margin of the contracts − contact cost
	OptOuts   float64
}

// PlanRow is the plan's totals for one product, channel or value segment.
type PlanRow struct {
	Key string
	Totals
}

// PlanOffer is one planned offer.
type PlanOffer struct {
	CustomerID int64
	Segment    string
	Product    int
	Channel    string
	P          float64 // P(accept) at the customer's planned contact intensity
	Value      float64
	Cost       float64 // contact cost
	Model      string  // model version(s) behind P
	K          int     // offers the customer gets in the period
}

// PlanResult is a budget allocation.
type PlanResult struct {
	Spec    PlanSpec
	RunID   int64
	Method  string
	Plan    Totals
	Policy  Totals  // 3 per half year for the customers the budget reaches, best customers first
	LPBound float64 // the LP optimum of the relaxation (an upper bound on any plan's profit)
	// BoundWithCapacities: a channel capacity bound the plan, and LPBound is the Lagrangian
	// bound under the budget and the capacities (capacityBound) instead of the budget-only LP.
	BoundWithCapacities bool
	ByProduct           []PlanRow
	ByChannel           []PlanRow
	BySegment           []PlanRow
	PerK                map[string][]int // customers per value segment by offers in the period (index k)
	Curves              map[string]sim.ResponseCurve
	CurveNote           string
	Offers              []PlanOffer
	Elapsed             time.Duration
	// Start and End are the plan's period (from the scoring's as-of date).
	Start, End time.Time
	// Set by Register: the campaigns written, and the customers contacted and held out.
	Campaigns           []int
	Contacted, Controls int
}

// planCustomer is one customer's options: the ranked offers the rules allow (kmax of them).
type planCustomer struct {
	row    int
	seg    int // 0 top, 1 middle, 2 low
	offers []Offer
}

// option is giving a customer its first k ranked offers.
type option struct {
	k         int
	cost, val float64
	contracts float64
	byChannel map[string]int
}

var segNames = []string{"top", "middle", "low"}

func segIndex(s string) int {
	for i, n := range segNames {
		if n == s {
			return i
		}
	}
	return 2
}

// rhoTable holds ρ_seg(k) = r_seg(k·12/months) / r_seg(2·PolicyK·6/months… ) — the conversion
// of one offer when the customer gets k offers per period, relative to the intensity of the
// current policy (3 per half year, n = 6 offers a year) at which the calibrated P(accept) was
// measured. A flat table (all 1) treats offers as independent.
type rhoTable [3][]float64

func newRho(curves map[string]sim.ResponseCurve, months, kmax int) rhoTable {
	var t rhoTable
	for s, name := range segNames {
		t[s] = make([]float64, kmax+1)
		c, ok := curves[name]
		ref := 0.0
		if ok {
			ref = c.At(float64(2 * PolicyK))
		}
		for k := 1; k <= kmax; k++ {
			if !ok || !(ref > 0) {
				t[s][k] = 1
				continue
			}
			t[s][k] = c.At(float64(k)*12/float64(months)) / ref
		}
	}
	return t
}

// options returns the customer's options k = 0 … len(offers): the first k ranked offers,
// each converting at P × ρ(k).
func (c *planCustomer) options(rho rhoTable, products *Products) []option {
	out := make([]option, len(c.offers)+1)
	out[0] = option{}
	for k := 1; k <= len(c.offers); k++ {
		o := option{k: k}
		r := rho[c.seg][k]
		for _, of := range c.offers[:k] {
			p := products.List[products.Index(of.Product)]
			m := p.Margin
			if p.Objective == ObjRetention {
				m *= p.ChurnRisk
			}
			pa := math.Min(1, of.P*r)
			o.cost += of.Cost
			o.contracts += pa
			o.val += pa*m - of.Cost
		}
		out[k] = o
	}
	return out
}

// step is one increment along a customer's upper convex hull of (cost, value).
type step struct {
	cust        int
	from, to    int // option indices
	dCost, dVal float64
}

// hull returns the increments of the upper concave hull of the options' (cost, value) points
// that add value, in order (slopes decreasing).
func hull(cust int, opts []option) []step { return hullFrom(cust, opts, 0) }

// hullFrom is hull starting at option start (the customer's current choice).
func hullFrom(cust int, opts []option, start int) []step {
	// Points sorted by cost; keep the upper hull from option start.
	idx := []int{start}
	for k := start + 1; k < len(opts); k++ {
		if opts[k].val <= opts[idx[len(idx)-1]].val {
			continue // costs more (costs rise with k) for no more value
		}
		for len(idx) >= 2 {
			a, b := opts[idx[len(idx)-2]], opts[idx[len(idx)-1]]
			// b lies on or below the segment a→k: drop it.
			if (b.val-a.val)*(opts[k].cost-a.cost) <= (opts[k].val-a.val)*(b.cost-a.cost) {
				idx = idx[:len(idx)-1]
				continue
			}
			break
		}
		idx = append(idx, k)
	}
	var out []step
	for j := 1; j < len(idx); j++ {
		a, b := opts[idx[j-1]], opts[idx[j]]
		out = append(out, step{cust: cust, from: idx[j-1], to: idx[j], dCost: b.cost - a.cost, dVal: b.val - a.val})
	}
	return out
}

// setChannels counts the contacts per channel of each option (the first k offers).
func setChannels(opts []option, offers []Offer) {
	for k := 1; k < len(opts); k++ {
		m := map[string]int{}
		for _, o := range offers[:k] {
			m[o.Channel]++
		}
		opts[k].byChannel = m
	}
}

func slope(s step) float64 {
	if s.dCost <= 0 {
		return math.Inf(1)
	}
	return s.dVal / s.dCost
}

// solveGreedy allocates the budget over the hull increments by decreasing value per € (a
// customer's increments are taken in order). It returns the chosen option per customer and
// the LP optimum of the relaxation without channel capacities: the same greedy with the last
// increment taken fractionally (for the multiple-choice knapsack, the LP relaxation's optimum
// is exactly this). Channel capacities (contacts per channel, 0 = none) are respected: an
// increment that would exceed one is not taken, and when reopt is given the customer's
// options are rebuilt without the full channels (keeping what is already chosen) and their
// increments rejoin the queue, so a customer whose best channel is full gets the next one
// instead of nothing.
func solveGreedy(opts [][]option, budget float64, capacity map[string]int, reopt func(cust, from int, full map[string]bool) []option) ([]int, float64) {
	var steps []step
	for i, o := range opts {
		steps = append(steps, hull(i, o)...)
	}
	sort.SliceStable(steps, func(a, b int) bool { return slope(steps[a]) > slope(steps[b]) })
	lp, lpSpent := 0.0, 0.0
	for _, s := range steps {
		if lpSpent+s.dCost <= budget {
			lpSpent += s.dCost
			lp += s.dVal
			continue
		}
		lp += s.dVal * (budget - lpSpent) / s.dCost
		break
	}
	q := &stepQueue{}
	for _, s := range steps {
		q.items = append(q.items, queued{step: s})
	}
	heap.Init(q) // already in order; Init keeps the ties as the stable sort had them
	choice := make([]int, len(opts))
	closed := make([]bool, len(opts))
	version := make([]int, len(opts))
	used := map[string]int{}
	spent := 0.0
	for q.Len() > 0 {
		it := heap.Pop(q).(queued)
		s := it.step
		if it.ver != version[s.cust] || closed[s.cust] || choice[s.cust] != s.from {
			continue
		}
		if spent+s.dCost > budget {
			closed[s.cust] = true
			continue
		}
		if len(capacity) > 0 {
			from, to := opts[s.cust][s.from], opts[s.cust][s.to]
			var full map[string]bool
			for ch, n := range to.byChannel {
				if c := capacity[ch]; c > 0 && used[ch]+n-from.byChannel[ch] > c {
					if full == nil {
						full = map[string]bool{}
					}
					full[ch] = true
				}
			}
			if full != nil {
				if reopt == nil {
					closed[s.cust] = true
					continue
				}
				opts[s.cust] = reopt(s.cust, s.from, full)
				version[s.cust]++
				for _, ns := range hullFrom(s.cust, opts[s.cust], s.from) {
					heap.Push(q, queued{step: ns, ver: version[s.cust]})
				}
				continue
			}
			for ch, n := range to.byChannel {
				used[ch] += n - from.byChannel[ch]
			}
		}
		spent += s.dCost
		choice[s.cust] = s.to
	}
	return choice, lp
}

// queued is a hull increment in the greedy's queue; ver is the customer's options version it
// was made from (a rebuilt customer's older increments are stale).
type queued struct {
	step
	ver int
}

// stepQueue orders increments by value per € (highest first), ties by customer and option,
// the order a stable sort of the customers' hulls gives.
type stepQueue struct{ items []queued }

func (q *stepQueue) Len() int { return len(q.items) }
func (q *stepQueue) Less(a, b int) bool {
	x, y := q.items[a], q.items[b]
	if sx, sy := slope(x.step), slope(y.step); sx != sy {
		return sx > sy
	}
	if x.cust != y.cust {
		return x.cust < y.cust
	}
	return x.from < y.from
}
func (q *stepQueue) Swap(a, b int) { q.items[a], q.items[b] = q.items[b], q.items[a] }
func (q *stepQueue) Push(x any)    { q.items = append(q.items, x.(queued)) }
func (q *stepQueue) Pop() any {
	it := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return it
}

// solveLP solves the relaxation exactly with gonum's simplex: x_ik ∈ [0,1] the share of
// customer i getting option k ≥ 1, Σ_k x_ik ≤ 1, Σ cost·x ≤ budget, maximise Σ value·x. It
// returns the rounded-down choice (a customer gets the option with the largest share ≥ 0.5)
// and the optimum. For small instances only (dense matrices).
//
// Channel capacities (contacts per channel, 0 = none) add one row each: Σ contacts·x ≤ capacity.
func solveLP(opts [][]option, budget float64, capacity map[string]int) ([]int, float64, error) {
	var capCh []string
	for ch, c := range capacity {
		if c > 0 {
			capCh = append(capCh, ch)
		}
	}
	sort.Strings(capCh)
	type v struct{ i, k int }
	var vars []v
	for i, o := range opts {
		for k := 1; k < len(o); k++ {
			vars = append(vars, v{i, k})
		}
	}
	n := len(opts)
	if len(vars) == 0 {
		return make([]int, n), 0, nil
	}
	cols := len(vars) + n + 1 + len(capCh) // options, a slack per customer, the budget slack, a slack per capacity
	rows := n + 1 + len(capCh)
	if cols*rows > 4_000_000 {
		return nil, 0, fmt.Errorf("nbo: plan: %d customers × %d options is too large for the exact simplex (use the greedy plan)", n, len(vars))
	}
	A := mat.NewDense(rows, cols, nil)
	c := make([]float64, cols)
	b := make([]float64, rows)
	for j, x := range vars {
		o := opts[x.i][x.k]
		c[j] = -o.val
		A.Set(x.i, j, 1)
		A.Set(n, j, o.cost)
		for r, ch := range capCh {
			A.Set(n+1+r, j, float64(o.byChannel[ch]))
		}
	}
	for i := 0; i < n; i++ {
		A.Set(i, len(vars)+i, 1)
		b[i] = 1
	}
	A.Set(n, len(vars)+n, 1)
	b[n] = budget
	for r, ch := range capCh {
		A.Set(n+1+r, len(vars)+n+1+r, 1)
		b[n+1+r] = float64(capacity[ch])
	}
	// The slacks are a feasible basis (x = 0).
	basic := make([]int, rows)
	for i := range basic {
		basic[i] = len(vars) + i
	}
	f, x, err := lp.Simplex(c, A, b, 1e-10, basic)
	if err != nil {
		return nil, 0, fmt.Errorf("nbo: plan: simplex: %w", err)
	}
	choice := make([]int, n)
	share := make([]float64, n)
	for j, xv := range x[:len(vars)] {
		if xv >= 0.5 && xv > share[vars[j].i] {
			share[vars[j].i] = xv
			choice[vars[j].i] = vars[j].k
		}
	}
	return choice, -f, nil
}

// Plan allocates a contact budget across customers, products and channels from the current
// complete scoring: every customer's rule-abiding ranked offers (tiers, caps, opt-outs,
// cool-down, eligibility) are its options — the first k of them for k = 0 … its remaining
// cap — and each offer converts at P(accept) × ρ_seg(k), the measured contact-frequency
// response of the customer's value segment at k offers per period relative to the current
// policy's intensity (the k-th offer in a period earns less past the curve's peak). The
// budget goes to the options with the most expected profit per € (convex hulls per customer,
// greedy; exact simplex for small instances with Exact). It reports the plan per product,
// channel and value segment and against the current policy (3 per half year).
func Plan(ctx context.Context, ws *workspace.Workspace, spec PlanSpec, report func(Progress)) (*PlanResult, error) {
	if report == nil {
		report = func(Progress) {}
	}
	if spec.PeriodMonths == 0 {
		spec.PeriodMonths = 6
	}
	if !(spec.Budget > 0) || math.IsInf(spec.Budget, 0) {
		return nil, fmt.Errorf("nbo: plan: --budget %v: want a positive amount", spec.Budget)
	}
	if !(spec.Control >= 0 && spec.Control <= 0.5) {
		return nil, fmt.Errorf("nbo: plan: --control %v: want a share between 0 and 0.5", spec.Control)
	}
	switch spec.PeriodMonths {
	case 3, 6, 12:
	default:
		return nil, fmt.Errorf("nbo: plan: --period %d months: want 3m, 6m or 12m", spec.PeriodMonths)
	}
	rules, _, err := LoadRules(ctx, ws)
	if err != nil {
		return nil, err
	}
	report(Progress{Stage: "reading the scoring"})
	s, err := LoadScoring(ctx, ws, rules)
	if err != nil {
		return nil, err
	}
	for _, ch := range spec.Channels {
		ok := false
		for _, c := range s.Channels {
			ok = ok || c == ch
		}
		if !ok {
			return nil, fmt.Errorf("nbo: plan: channel %q: want one of the scored channels %s", ch, strings.Join(s.Channels, ", "))
		}
	}
	note := ""
	if spec.Curves == nil {
		report(Progress{Stage: "measuring the contact-frequency response"})
		spec.Curves, spec.OptOut, note = measuredCurves(ctx, ws, spec.PeriodMonths)
	}
	report(Progress{Stage: "reading contact history"})
	hist, err := LoadHistories(ctx, ws, rules, s, s.AsOf)
	if err != nil {
		return nil, err
	}
	res, err := PlanScoring(ctx, s, hist, rules, spec, report)
	if err != nil {
		return nil, err
	}
	res.CurveNote = note
	return res, nil
}

// measuredCurves fits the response and opt-out curves of each value segment; a segment whose
// curve cannot be measured gets none (its offers are treated as independent), said in note.
func measuredCurves(ctx context.Context, ws *workspace.Workspace, months int) (map[string]sim.ResponseCurve, map[string]sim.OptOutCurve, string) {
	rc := map[string]sim.ResponseCurve{}
	oc := map[string]sim.OptOutCurve{}
	var missing []string
	for _, seg := range segNames {
		f, err := sim.LoadFrequency(ctx, ws, sim.FrequencyOptions{Segment: seg, PeriodMonths: months, Boot: 20, Seed: 1})
		if err != nil || f.Curve.A <= 0 {
			missing = append(missing, seg)
			continue
		}
		rc[seg], oc[seg] = f.Curve, f.OptOut
	}
	if len(missing) > 0 {
		return rc, oc, "no measured contact-frequency response for " + strings.Join(missing, ", ") + ": offers there are treated as independent"
	}
	return rc, oc, "conversion per offer follows each value segment's measured contact-frequency curve"
}

// PlanScoring is Plan on a loaded scoring and histories (the part benchmarked at scale).
func PlanScoring(ctx context.Context, s *Scoring, hist []History, rules *Rules, spec PlanSpec, report func(Progress)) (*PlanResult, error) {
	start := time.Now()
	if report == nil {
		report = func(Progress) {}
	}
	months := spec.PeriodMonths
	scale := float64(months) / float64(rules.PeriodMonths)
	if scale != 1 {
		// The caps scale with the plan's period.
		pr := *rules
		pr.PeriodMonths = months
		pr.CapPerPeriod = int(math.Round(float64(rules.CapPerPeriod) * scale))
		pr.CapBySegment = map[string]int{}
		for k, v := range rules.CapBySegment {
			pr.CapBySegment[k] = int(math.Round(float64(v) * scale))
		}
		rules, scale = &pr, 1
	}
	kmax := 0
	for _, seg := range segNames {
		kmax = max(kmax, int(math.Ceil(float64(rules.Cap(seg))*scale)))
	}
	kmax = max(kmax, PolicyK)
	rho := newRho(spec.Curves, months, kmax)
	channels := spec.Channels // nil: every scored channel (Candidates' per-product tables)
	// The rules per customer, in parallel chunks (Decide is pure).
	workers := max(1, runtime.GOMAXPROCS(0))
	parts := make([][]planCustomer, workers)
	chunk := (len(s.IDs) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min(len(s.IDs), (w+1)*chunk)
		wg.Add(1)
		go func(w, lo, hi int) {
			defer wg.Done()
			var buf []Candidate
			var work []Offer
			removed := map[string]int{} // the plan reports no removal counts
			for i := lo; i < hi; i++ {
				if i%16384 == 0 {
					if ctx.Err() != nil {
						return
					}
					if w == 0 {
						report(Progress{Done: int64(i - lo), Total: int64(hi - lo), Stage: "applying rules"})
					}
				}
				if h := &hist[i]; !h.Eligible {
					continue // every offer fails eligibility
				} else if u := rules.Usage(s.AsOf, h); u.Total >= u.Cap {
					continue // every offer fails the cap
				}
				buf = s.Candidates(i, 0, channels, buf[:0])
				d := rules.decide(s.AsOf, &hist[i], buf, 0, false, &work, removed)
				if len(d.Offers) == 0 {
					continue
				}
				parts[w] = append(parts[w], planCustomer{row: i, seg: segIndex(s.Segment[i]), offers: d.Offers})
			}
		}(w, lo, hi)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var custs []planCustomer
	for _, p := range parts {
		custs = append(custs, p...)
	}
	report(Progress{Stage: "allocating the budget"})
	opts := make([][]option, len(custs))
	for j := range custs {
		opts[j] = custs[j].options(rho, s.Products)
		setChannels(opts[j], custs[j].offers)
	}
	capacity := map[string]int{}
	weeks := int(math.Round(float64(months) * 52 / 12))
	for ch, c := range rules.Channels {
		if c.CapacityPerWeek > 0 {
			capacity[ch] = c.CapacityPerWeek * weeks
		}
	}
	// The current policy is valued on the customers' full ranked lists (the greedy below may
	// rebuild a customer's list around full channels).
	policyCusts, policyOpts := slices.Clone(custs), slices.Clone(opts)
	res := &PlanResult{Spec: spec, RunID: s.RunID, Curves: spec.Curves, PerK: map[string][]int{},
		Start: s.AsOf, End: s.AsOf.AddDate(0, months, -1)}
	var choice []int
	var err error
	if spec.Exact {
		res.Method = "exact linear program (gonum simplex), rounded"
		choice, res.LPBound, err = solveLP(opts, spec.Budget, capacity)
		if err != nil {
			return nil, err
		}
	} else {
		res.Method = "greedy on each customer's convex hull of offers (value per €)"
		// A customer whose next increment meets a full channel keeps what it has and is
		// offered the rest of its ranked list without the full channels.
		reopted := false
		reopt := func(j, from int, full map[string]bool) []option {
			reopted = true
			c := &custs[j]
			kept := slices.Clone(c.offers[:from])
			for _, o := range c.offers[from:] {
				if !full[o.Channel] {
					kept = append(kept, o)
				}
			}
			c.offers = kept
			o := c.options(rho, s.Products)
			setChannels(o, c.offers)
			return o
		}
		choice, res.LPBound = solveGreedy(opts, spec.Budget, capacity, reopt)
		if reopted {
			// A channel filled up: the budget-only bound ignores the capacities (and the
			// greedy went beyond the customers' ranked prefixes), so bound the plan with
			// the budget and the capacities together, and plan again with the capacities
			// priced at the bound's multipliers (capacityPlan); the better plan is kept.
			report(Progress{Stage: "planning under the channel capacities"})
			bi := newBoundInst(policyCusts, rho, s.Products, capacity)
			var prices map[string]float64
			res.LPBound, prices = bi.minimize(spec.Budget, 8, 16)
			res.BoundWithCapacities = true
			st := bi.capacityPlan(spec.Budget, prices)
			greedy := 0.0
			for j, k := range choice {
				greedy += opts[j][k].val
			}
			if bi.value(st) > greedy {
				res.Method = "greedy on each customer's convex hull of offers (value per €), channel capacities priced at the bound's multipliers"
				for j, o := range st.choice {
					choice[j] = 0
					if o < 0 {
						continue
					}
					var kept []Offer
					for x, of := range policyCusts[j].offers {
						if bi.mask[o]&(1<<x) != 0 {
							kept = append(kept, of)
						}
					}
					custs[j].offers, choice[j] = kept, len(kept)
				}
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Totals, rows and the offers.
	byP, byC, byS := map[string]*Totals{}, map[string]*Totals{}, map[string]*Totals{}
	add := func(m map[string]*Totals, key string, cost, contracts, profit float64, newCustomer bool) {
		t := m[key]
		if t == nil {
			t = &Totals{}
			m[key] = t
		}
		t.Offers++
		t.Cost += cost
		t.Contracts += contracts
		t.Profit += profit
		if newCustomer {
			t.Customers++
		}
	}
	for _, seg := range segNames {
		res.PerK[seg] = make([]int, kmax+1)
	}
	for j, k := range choice {
		c := &custs[j]
		seg := segNames[c.seg]
		res.PerK[seg][k]++
		if k == 0 {
			continue
		}
		res.Plan.Customers++
		r := rho[c.seg][k]
		seenP := map[string]bool{}
		seenC := map[string]bool{}
		for n, of := range c.offers[:k] {
			p := s.Products.List[s.Products.Index(of.Product)]
			m := p.Margin
			if p.Objective == ObjRetention {
				m *= p.ChurnRisk
			}
			pa := math.Min(1, of.P*r)
			v := pa*m - of.Cost
			res.Plan.Offers++
			res.Plan.Cost += of.Cost
			res.Plan.Contracts += pa
			res.Plan.Profit += v
			pk := fmt.Sprintf("P%02d %s", p.ID, p.Name)
			add(byP, pk, of.Cost, pa, v, !seenP[pk])
			add(byC, of.Channel, of.Cost, pa, v, !seenC[of.Channel])
			add(byS, seg, of.Cost, pa, v, n == 0)
			seenP[pk], seenC[of.Channel] = true, true
			res.Offers = append(res.Offers, PlanOffer{CustomerID: s.IDs[c.row], Segment: seg, Product: of.Product, Channel: of.Channel, P: pa, Value: v, Cost: of.Cost, Model: of.Model, K: k})
		}
		if oc, ok := spec.OptOut[seg]; ok {
			res.Plan.OptOuts += float64(k) * oc.At(float64(k)*12/float64(months))
		}
	}
	res.ByProduct, res.ByChannel, res.BySegment = rowsOf(byP), rowsOf(byC), rowsOf(byS)
	res.Policy = policyTotals(policyCusts, policyOpts, rho, s.Products, capacity, spec, months)
	res.Elapsed = time.Since(start)
	return res, nil
}

// policyTotals is the current policy under the same budget: customers ranked by the value of
// their first PolicyK·months/6 offers, each getting them (fewer when the rules allow fewer),
// until the budget is spent.
func policyTotals(custs []planCustomer, opts [][]option, rho rhoTable, products *Products, capacity map[string]int, spec PlanSpec, months int) Totals {
	k0 := int(math.Round(float64(PolicyK) * float64(months) / 6))
	ord := make([]int, len(custs))
	for i := range ord {
		ord[i] = i
	}
	pick := func(j int) option { return opts[j][min(k0, len(opts[j])-1)] }
	sort.SliceStable(ord, func(a, b int) bool { return pick(ord[a]).val > pick(ord[b]).val })
	var t Totals
	used := map[string]int{}
	for _, j := range ord {
		// The customer's first k0 ranked offers on channels with room left (capacities bind
		// the current policy as they bind the plan).
		var offers []Offer
		for _, of := range custs[j].offers {
			if len(offers) == k0 {
				break
			}
			if c := capacity[of.Channel]; c > 0 && used[of.Channel] >= c {
				continue
			}
			offers = append(offers, of)
		}
		if len(offers) == 0 {
			continue
		}
		c := planCustomer{seg: custs[j].seg, offers: offers}
		o := c.options(rho, products)[len(offers)]
		if t.Cost+o.cost > spec.Budget {
			continue
		}
		for _, of := range offers {
			used[of.Channel]++
		}
		t.Customers++
		t.Offers += o.k
		t.Cost += o.cost
		t.Contracts += o.contracts
		t.Profit += o.val
		if oc, ok := spec.OptOut[segNames[custs[j].seg]]; ok {
			t.OptOuts += float64(o.k) * oc.At(float64(o.k)*12/float64(months))
		}
	}
	return t
}

func rowsOf(m map[string]*Totals) []PlanRow {
	out := make([]PlanRow, 0, len(m))
	for k, t := range m {
		out = append(out, PlanRow{Key: k, Totals: *t})
	}
	// By profit; equal profits by key (the map's order is random).
	sort.Slice(out, func(a, b int) bool {
		if out[a].Profit != out[b].Profit {
			return out[a].Profit > out[b].Profit
		}
		return out[a].Key < out[b].Key
	})
	return out
}

// Register writes the plan as campaigns, one per product × channel it offers, over the plan's
// period (see registerCampaigns): a random share spec.Control of the planned customers is the
// control cell — registered in every campaign the plan gave them, none of them contacted — so
// the plan's effect can be measured against them; acrm sample respond --campaign ID answers
// each campaign.
func (r *PlanResult) Register(ctx context.Context, ws *workspace.Workspace) error {
	if len(r.Offers) == 0 {
		return errors.New("nbo: plan: the plan offers nothing; nothing to register")
	}
	members := make([]regMember, len(r.Offers))
	ctl := map[int64]bool{}
	for i, o := range r.Offers {
		c := controlDraw(r.Spec.Seed, o.CustomerID, r.Spec.Control)
		ctl[o.CustomerID] = c
		members[i] = regMember{CustomerID: o.CustomerID, Control: c,
			Offer: Candidate{Product: o.Product, Channel: o.Channel, P: o.P, Value: o.Value, Cost: o.Cost, Model: o.Model}}
	}
	camps, err := registerCampaigns(ctx, ws, "plan", r.Start, r.End, members)
	if err != nil {
		return fmt.Errorf("nbo: plan: %w", err)
	}
	r.Campaigns = r.Campaigns[:0]
	for _, c := range camps {
		r.Campaigns = append(r.Campaigns, c.ID)
	}
	r.Contacted, r.Controls = 0, 0
	for _, c := range ctl {
		if c {
			r.Controls++
		} else {
			r.Contacted++
		}
	}
	return nil
}
