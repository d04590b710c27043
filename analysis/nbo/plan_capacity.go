package nbo

import (
	"container/heap"
	"math"
	"sort"
)

// Planning under channel capacities. The options are the bound's (boundInst): every prefix
// of a customer's ranked list with the last offers on capacity channels left out. For prices
// λ_c on the capacity channels, the greedy on each customer's convex hull of (cost, value −
// Σ_c λ_c·contacts_c) by value per € solves the budget part exactly (up to one customer):
// at the prices that minimise the bound it is the linear relaxation's solution, capacities
// and all. The capacities are then enforced as the greedy goes (a customer whose next step
// overfills a channel is offered the rest of its options that fit), and what the prices
// left of the budget and the capacities is filled at the true values.

// capStep is one step along a customer's hull: from option from (−1: nothing) to option to.
type capStep struct {
	cust, from, to int32
	dCost, dW      float64
	ver            int32
}

func (s capStep) slope() float64 { return s.dW / s.dCost }

type capQueue []capStep

func (q capQueue) Len() int { return len(q) }
func (q capQueue) Less(a, b int) bool {
	if sa, sb := q[a].slope(), q[b].slope(); sa != sb {
		return sa > sb
	}
	if q[a].cust != q[b].cust {
		return q[a].cust < q[b].cust
	}
	return q[a].to < q[b].to
}
func (q capQueue) Swap(a, b int) { q[a], q[b] = q[b], q[a] }
func (q *capQueue) Push(x any)   { *q = append(*q, x.(capStep)) }
func (q *capQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

// capState is a plan over the bound's options: the option of each customer (−1 = none), the
// budget spent and the contacts used per capacity channel.
type capState struct {
	choice []int32
	spent  float64
	used   []float64
}

func (b *boundInst) newState() *capState {
	st := &capState{choice: make([]int32, len(b.start)-1), used: make([]float64, len(b.caps))}
	for i := range st.choice {
		st.choice[i] = -1
	}
	return st
}

// value is the plan's expected profit.
func (b *boundInst) value(st *capState) float64 {
	v := 0.0
	for _, o := range st.choice {
		if o >= 0 {
			v += b.val[o]
		}
	}
	return v
}

// w is option o's value at the prices lambda.
func (b *boundInst) w(o int32, lambda []float64) float64 {
	if o < 0 {
		return 0
	}
	C := len(b.caps)
	v := b.val[o]
	for c, l := range lambda {
		v -= l * float64(b.n[int(o)*C+c])
	}
	return v
}

func (b *boundInst) costOf(o int32) float64 {
	if o < 0 {
		return 0
	}
	return b.cost[o]
}

func (b *boundInst) contacts(o int32, c int) float64 {
	if o < 0 {
		return 0
	}
	return float64(b.n[int(o)*len(b.caps)+c])
}

// hullSteps appends customer i's hull steps from its current option: the upper concave hull
// of (cost, w) over the options costing more that fit the budget and capacities left
// (fits == nil: every option).
func (b *boundInst) hullSteps(i int32, st *capState, lambda []float64, fits func(o int32) bool, ver int32, out []capStep, pts []int32) ([]capStep, []int32) {
	cur := st.choice[i]
	c0, w0 := b.costOf(cur), b.w(cur, lambda)
	pts = pts[:0]
	for o := b.start[i]; o < b.start[i+1]; o++ {
		if b.cost[o] > c0 && b.w(o, lambda) > w0 && (fits == nil || fits(o)) {
			pts = append(pts, o)
		}
	}
	if len(pts) == 0 {
		return out, pts
	}
	sort.Slice(pts, func(a, c int) bool {
		if b.cost[pts[a]] != b.cost[pts[c]] {
			return b.cost[pts[a]] < b.cost[pts[c]]
		}
		return b.w(pts[a], lambda) > b.w(pts[c], lambda)
	})
	hull := []int32{cur}
	x := func(o int32) (float64, float64) { return b.costOf(o), b.w(o, lambda) }
	for _, o := range pts {
		xo, wo := x(o)
		if _, wl := x(hull[len(hull)-1]); wo <= wl {
			continue // costs at least as much for no more
		}
		for len(hull) >= 2 {
			xa, wa := x(hull[len(hull)-2])
			xb, wb := x(hull[len(hull)-1])
			if (wb-wa)*(xo-xa) <= (wo-wa)*(xb-xa) {
				hull = hull[:len(hull)-1]
				continue
			}
			break
		}
		hull = append(hull, o)
	}
	for j := 1; j < len(hull); j++ {
		xa, wa := x(hull[j-1])
		xb, wb := x(hull[j])
		out = append(out, capStep{cust: i, from: hull[j-1], to: hull[j], dCost: xb - xa, dW: wb - wa, ver: ver})
	}
	return out, pts
}

// greedy extends st with the hull steps at prices lambda by value per € while they add
// value, under the budget and the capacities: a customer whose next step does not fit gets
// its hull again over the options that still fit.
func (b *boundInst) greedy(st *capState, budget float64, lambda []float64) {
	n := int32(len(st.choice))
	ver := make([]int32, n)
	var q capQueue
	var pts []int32
	for i := int32(0); i < n; i++ {
		q, pts = b.hullSteps(i, st, lambda, nil, 0, q, pts)
	}
	heap.Init(&q)
	C := len(b.caps)
	for q.Len() > 0 {
		s := heap.Pop(&q).(capStep)
		if s.ver != ver[s.cust] || st.choice[s.cust] != s.from {
			continue
		}
		ok := st.spent+s.dCost <= budget
		for c := 0; c < C && ok; c++ {
			ok = st.used[c]+b.contacts(s.to, c)-b.contacts(s.from, c) <= b.caps[c]
		}
		if !ok {
			cur := s.from
			fits := func(o int32) bool {
				if st.spent+b.cost[o]-b.costOf(cur) > budget {
					return false
				}
				for c := 0; c < C; c++ {
					if st.used[c]+b.contacts(o, c)-b.contacts(cur, c) > b.caps[c] {
						return false
					}
				}
				return true
			}
			ver[s.cust]++
			var more []capStep
			more, pts = b.hullSteps(s.cust, st, lambda, fits, ver[s.cust], nil, pts)
			for _, m := range more {
				heap.Push(&q, m)
			}
			continue
		}
		st.spent += s.dCost
		for c := 0; c < C; c++ {
			st.used[c] += b.contacts(s.to, c) - b.contacts(s.from, c)
		}
		st.choice[s.cust] = s.to
	}
}

// capacityPlan returns the plan of most expected profit found over the options under the
// budget and the capacities, from the bound's prices lambda scaled by 0.9, 1 and 1.1, each
// priced plan filled at the true values. (The prices scaled from 0 to 1.5 in eight steps
// found no better plan on the test instances.)
func (b *boundInst) capacityPlan(budget float64, lambda map[string]float64) *capState {
	var best *capState
	bestV := math.Inf(-1)
	for _, f := range []float64{1, 0.9, 1.1} {
		l := make([]float64, len(b.chans))
		for c, ch := range b.chans {
			l[c] = f * lambda[ch]
		}
		st := b.newState()
		b.greedy(st, budget, l)
		b.greedy(st, budget, make([]float64, len(l)))
		if v := b.value(st); v > bestV {
			best, bestV = st, v
		}
	}
	return best
}
