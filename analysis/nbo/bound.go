package nbo

import (
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
)

// boundInst bounds the expected profit of any plan the greedy can make under the budget and
// the channel capacities. The greedy gives a customer a prefix of its ranked offers, and
// when a channel fills up it drops the customer's remaining offers on that channel: every
// plan of a customer is a prefix of its list with, for each capacity channel, the last r of
// its offers on that channel removed. Those are the customer's options (value, cost and
// contacts per capacity channel, each offer converting at P × ρ(k) for k offers). For
// multipliers μ ≥ 0 on the budget and λ_c ≥ 0 on the capacity of channel c,
//
//	B(μ, λ) = μ·budget + Σ_c λ_c·cap_c + Σ_i max(0, max_o value_o − μ·cost_o − Σ_c λ_c·contacts_oc)
//
// is at least the profit of every plan that respects the budget and the capacities (weak
// duality), and its minimum over μ, λ is the optimum of the linear relaxation over the
// customers' options. The minimum is searched by minimize; every point evaluated is a valid
// bound and the lowest is kept.
type boundInst struct {
	start  []int32   // customer i's options are start[i] … start[i+1]−1
	val    []float64 // per option
	cost   []float64
	mask   []uint64  // per option: which of the customer's ranked offers it makes (bit j: offer j)
	n      []float32 // per option × capacity channel: contacts
	caps   []float64
	chans  []string // the capacity channels, in caps order
	lMax   float64  // above it no option using a capacity channel adds value
	rounds int      // rounds minimize took
}

func newBoundInst(custs []planCustomer, rho rhoTable, products *Products, capacity map[string]int) *boundInst {
	var chans []string
	for ch, c := range capacity {
		if c > 0 {
			chans = append(chans, ch)
		}
	}
	sort.Strings(chans)
	C := len(chans)
	b := &boundInst{start: make([]int32, 0, len(custs)+1), chans: chans}
	for _, ch := range chans {
		b.caps = append(b.caps, float64(capacity[ch]))
	}
	chIdx := func(ch string) int {
		for i, c := range chans {
			if c == ch {
				return i
			}
		}
		return -1
	}
	var pos [][]int // per capacity channel, the positions of the customer's offers on it
	var list []Offer
	drop := make([]int, C)
	var seen []uint64 // the customer's option masks so far (a prefix can arise from several drops)
	var kept []int    // positions in offers of list's offers
	for i := range custs {
		b.start = append(b.start, int32(len(b.val)))
		offers := custs[i].offers
		if len(offers) > 64 {
			offers = offers[:64] // masks hold 64 offers; no period allows that many
		}
		seen = seen[:0]
		pos = pos[:0]
		for c := 0; c < C; c++ {
			pos = append(pos, nil)
		}
		for j, of := range offers {
			if c := chIdx(of.Channel); c >= 0 {
				pos[c] = append(pos[c], j)
			}
		}
		for c := range drop {
			drop[c] = 0
		}
		for {
			// The list without the last drop[c] offers on each capacity channel c.
			list, kept = list[:0], kept[:0]
			for j, of := range offers {
				if c := chIdx(of.Channel); c >= 0 && drop[c] > 0 && j >= pos[c][len(pos[c])-drop[c]] {
					continue
				}
				list, kept = append(list, of), append(kept, j)
			}
			pc := planCustomer{seg: custs[i].seg, offers: list}
			opts := pc.options(rho, products)
			var m uint64
			for k := 1; k < len(opts); k++ {
				m |= 1 << kept[k-1]
				if slices.Contains(seen, m) {
					continue
				}
				seen = append(seen, m)
				b.mask = append(b.mask, m)
				b.val = append(b.val, opts[k].val)
				b.cost = append(b.cost, opts[k].cost)
				for c := 0; c < C; c++ {
					b.n = append(b.n, 0)
				}
				base := len(b.n) - C
				for _, of := range list[:k] {
					if c := chIdx(of.Channel); c >= 0 {
						b.n[base+c]++
					}
				}
				if opts[k].val > 0 {
					b.lMax = math.Max(b.lMax, opts[k].val)
				}
			}
			// Next combination of drops (an odometer over the channels).
			c := 0
			for ; c < C; c++ {
				if drop[c] < len(pos[c]) {
					drop[c]++
					break
				}
				drop[c] = 0
			}
			if c == C {
				break
			}
		}
		b.sortByCost(int(b.start[len(b.start)-1]), len(b.val))
	}
	b.start = append(b.start, int32(len(b.val)))
	return b
}

// sortByCost orders options lo … hi−1 (one customer's) by cost, then value (highest first).
func (b *boundInst) sortByCost(lo, hi int) {
	C := len(b.caps)
	type opt struct {
		val, cost float64
		mask      uint64
		n         []float32
	}
	os := make([]opt, hi-lo)
	for j := range os {
		o := lo + j
		os[j] = opt{b.val[o], b.cost[o], b.mask[o], append([]float32(nil), b.n[o*C:(o+1)*C]...)}
	}
	sort.SliceStable(os, func(x, y int) bool {
		if os[x].cost != os[y].cost {
			return os[x].cost < os[y].cost
		}
		return os[x].val > os[y].val
	})
	for j, x := range os {
		o := lo + j
		b.val[o], b.cost[o], b.mask[o] = x.val, x.cost, x.mask
		copy(b.n[o*C:(o+1)*C], x.n)
	}
}

// dualAt is the bound at the capacity prices lambda, minimised exactly over the budget's
// multiplier μ: each customer's upper hull of (cost, value − Σ_c λ_c·contacts_c) from
// nothing, and μ the value per € of the hull step where the budget runs out (the steps of
// higher value per € cost at most the budget). It returns the bound and, at that μ, the
// contacts per capacity channel of the steps above μ (lo) and of those at μ as well (hi):
// the bound's slope in λ_c lies between cap_c − hi_c and cap_c − lo_c.
func (b *boundInst) dualAt(lambda []float64, budget float64) (bound float64, lo, hi []float64) {
	C := len(b.caps)
	n := len(b.start) - 1
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	parts := make([][]dualStep, workers)
	frees := make([]float64, workers) // the value of options that cost nothing
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w, from, to int) {
			defer wg.Done()
			var out []dualStep
			var hull []int32
			free := 0.0
			wOf := func(o int32) float64 {
				v := b.val[o]
				for c := 0; c < C; c++ {
					v -= lambda[c] * float64(b.n[int(o)*C+c])
				}
				return v
			}
			for i := from; i < to; i++ {
				hull = hull[:0]
				// The hull starts at nothing, or at the best option that costs nothing.
				lastW, start := 0.0, int32(-1)
				for o := b.start[i]; o < b.start[i+1] && !(b.cost[o] > 0); o++ {
					if wo := wOf(o); wo > lastW {
						lastW, start = wo, o
					}
				}
				free += lastW
				for o := b.start[i]; o < b.start[i+1]; o++ {
					wo := wOf(o)
					if wo <= lastW || !(b.cost[o] > 0) {
						continue
					}
					for len(hull) >= 1 {
						// Drop the last vertex when it lies on or below the segment from the one
						// before it (or from nothing) to o.
						xa, wa := 0.0, 0.0
						if start >= 0 {
							wa = wOf(start)
						}
						if len(hull) >= 2 {
							xa, wa = b.cost[hull[len(hull)-2]], wOf(hull[len(hull)-2])
						}
						xb, wb := b.cost[hull[len(hull)-1]], wOf(hull[len(hull)-1])
						if (wb-wa)*(b.cost[o]-xa) <= (wo-wa)*(xb-xa) {
							hull = hull[:len(hull)-1]
							continue
						}
						break
					}
					hull = append(hull, o)
					lastW = wo
				}
				pc, pw, prev := 0.0, 0.0, start
				if start >= 0 {
					pw = wOf(start)
				}
				for _, o := range hull {
					s := dualStep{dCost: b.cost[o] - pc, dW: wOf(o) - pw, from: prev, to: o}
					s.slope = s.dW / s.dCost
					out = append(out, s)
					pc, pw, prev = b.cost[o], wOf(o), o
				}
			}
			parts[w], frees[w] = out, free
		}(w, min(n, w*chunk), min(n, (w+1)*chunk))
	}
	wg.Wait()
	var steps []dualStep
	for _, p := range parts {
		steps = append(steps, p...)
	}
	mu := budgetPrice(steps, budget)
	bound = mu * budget
	for _, f := range frees {
		bound += f
	}
	for c, cp := range b.caps {
		bound += lambda[c] * cp
	}
	lo, hi = make([]float64, C), make([]float64, C)
	for _, s := range steps {
		if s.slope < mu {
			continue
		}
		if s.slope > mu {
			bound += s.dW - mu*s.dCost
		}
		for c := 0; c < C; c++ {
			d := b.contactsOf(s.to, c) - b.contactsOf(s.from, c)
			hi[c] += d
			if s.slope > mu {
				lo[c] += d
			}
		}
	}
	return bound, lo, hi
}

func (b *boundInst) contactsOf(o int32, c int) float64 {
	if o < 0 {
		return 0
	}
	return float64(b.n[int(o)*len(b.caps)+c])
}

// dualStep is one step of a customer's hull: from option from (−1: nothing) to option to.
type dualStep struct {
	slope, dCost, dW float64
	from, to         int32
}

// budgetPrice is the value per € μ ≥ 0 at which the steps run through the budget: the steps
// steeper than μ cost at most the budget, and with those at μ at least the budget (0 when
// every step fits). A weighted quickselect: linear time on average.
func budgetPrice(steps []dualStep, budget float64) float64 {
	s := append([]dualStep(nil), steps...)
	seed := uint64(len(s))*0x9E3779B97F4A7C15 + 1
	for len(s) > 0 {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		p := s[seed%uint64(len(s))].slope
		// Partition: above p first, then equal, then below.
		i, j, k := 0, 0, len(s)
		var above, at float64
		for j < k {
			switch {
			case s[j].slope > p:
				above += s[j].dCost
				s[i], s[j] = s[j], s[i]
				i++
				j++
			case s[j].slope < p:
				k--
				s[j], s[k] = s[k], s[j]
			default:
				at += s[j].dCost
				j++
			}
		}
		switch {
		case above > budget:
			s = s[:i]
		case above+at >= budget:
			return math.Max(p, 0)
		default:
			budget -= above + at
			s = s[k:]
		}
	}
	return 0
}

// minimize returns the lowest bound found (see boundInst) under the budget, and the capacity
// prices λ_c where it was found (per channel: what one more contact of capacity is worth).
// μ is exact at every λ (dualAt); each λ_c is found in turn by bisection on the sign of the
// bound's slope in it, for rounds rounds of steps halvings each.
func (b *boundInst) minimize(budget float64, rounds, steps int) (float64, map[string]float64) {
	C := len(b.caps)
	lambda := make([]float64, C)
	best, _, _ := b.dualAt(lambda, budget)
	bestL := append([]float64(nil), lambda...)
	for r := 0; r < rounds && C > 0; r++ {
		before := best
		for c := 0; c < C; c++ {
			lo, hi := 0.0, b.lMax
			if r > 0 {
				// Later rounds look near the price found.
				lo, hi = lambda[c]/2, min(b.lMax, 2*lambda[c]+b.lMax/1024)
			}
			for s := 0; s < steps; s++ {
				lambda[c] = (lo + hi) / 2
				v, ulo, uhi := b.dualAt(lambda, budget)
				if v < best {
					best = v
					copy(bestL, lambda)
				}
				switch {
				case ulo[c] > b.caps[c]: // the capacity is overused at this price: raise it
					lo = lambda[c]
				case uhi[c] < b.caps[c]: // underused: lower it
					hi = lambda[c]
				default:
					lo, hi = lambda[c], lambda[c]
				}
			}
			// The end of the bracket itself (λ_c = 0 when the capacity does not bind).
			lambda[c] = lo
			if v, _, _ := b.dualAt(lambda, budget); v < best {
				best = v
				copy(bestL, lambda)
			} else {
				lambda[c] = bestL[c]
			}
		}
		b.rounds = r + 1
		if C == 1 || before-best <= 1e-7*math.Abs(best) {
			break // one channel needs one round; several stop when a round gains nothing
		}
	}
	prices := map[string]float64{}
	for c, ch := range b.chans {
		prices[ch] = bestL[c]
	}
	return best, prices
}
