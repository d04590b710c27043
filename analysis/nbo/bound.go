package nbo

import (
	"math"
	"runtime"
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
// customers' options. The minimum is searched with golden sections (μ inside, each λ_c in
// turn outside); every point evaluated is a valid bound and the lowest is kept.
type boundInst struct {
	start []int32   // customer i's options are start[i] … start[i+1]−1
	val   []float64 // per option
	cost  []float64
	n     []float32 // per option × capacity channel: contacts
	caps  []float64
	chans []string // the capacity channels, in caps order
	muMax float64  // above it no option adds value
	lMax  float64  // above it no option using a capacity channel adds value
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
	for i := range custs {
		b.start = append(b.start, int32(len(b.val)))
		offers := custs[i].offers
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
			list = list[:0]
			for j, of := range offers {
				if c := chIdx(of.Channel); c >= 0 && drop[c] > 0 && j >= pos[c][len(pos[c])-drop[c]] {
					continue
				}
				list = append(list, of)
			}
			pc := planCustomer{seg: custs[i].seg, offers: list}
			opts := pc.options(rho, products)
			for k := 1; k < len(opts); k++ {
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
					if opts[k].cost > 0 {
						b.muMax = math.Max(b.muMax, opts[k].val/opts[k].cost)
					}
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
	}
	b.start = append(b.start, int32(len(b.val)))
	return b
}

// eval is B(mu, lambda).
func (b *boundInst) eval(mu float64, lambda []float64) float64 {
	C := len(b.caps)
	n := len(b.start) - 1
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	sums := make([]float64, workers)
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min(n, (w+1)*chunk)
		wg.Add(1)
		go func(w, lo, hi int) {
			defer wg.Done()
			total := 0.0
			for i := lo; i < hi; i++ {
				best := 0.0
				for o := b.start[i]; o < b.start[i+1]; o++ {
					v := b.val[o] - mu*b.cost[o]
					for c := 0; c < C; c++ {
						v -= lambda[c] * float64(b.n[int(o)*C+c])
					}
					best = math.Max(best, v)
				}
				total += best
			}
			sums[w] = total
		}(w, lo, hi)
	}
	wg.Wait()
	out := 0.0
	for _, s := range sums {
		out += s
	}
	return out
}

// golden returns the lowest f found on [lo, hi] by a golden-section search of steps steps
// (f convex), checking lo itself too.
func golden(f func(float64) float64, lo, hi float64, steps int) (float64, float64) {
	const g = 0.6180339887498949
	a, c := hi-g*(hi-lo), lo+g*(hi-lo)
	fa, fc := f(a), f(c)
	for s := 0; s < steps; s++ {
		if fa <= fc {
			hi, c, fc = c, a, fa
			a = hi - g*(hi-lo)
			fa = f(a)
		} else {
			lo, a, fa = a, c, fc
			c = lo + g*(hi-lo)
			fc = f(c)
		}
	}
	x, fx := a, fa
	if fc < fa {
		x, fx = c, fc
	}
	if f0 := f(0); f0 <= fx {
		x, fx = 0, f0
	}
	return x, fx
}

// minimize returns the lowest B found (see boundInst) under the budget, and the capacity
// multipliers λ_c where it was found (per channel: what one more contact of capacity is worth).
func (b *boundInst) minimize(budget float64, rounds, steps int) (float64, map[string]float64) {
	lambda := make([]float64, len(b.caps))
	// B at λ, minimised over μ.
	overMu := func() float64 {
		_, v := golden(func(mu float64) float64 {
			v := b.eval(mu, lambda) + mu*budget
			for c, cp := range b.caps {
				v += lambda[c] * cp
			}
			return v
		}, 0, b.muMax, steps)
		return v
	}
	best := overMu()
	for r := 0; r < rounds; r++ {
		for c := range lambda {
			keep := lambda[c]
			x, v := golden(func(l float64) float64 {
				lambda[c] = l
				return overMu()
			}, 0, b.lMax, steps)
			if v < best {
				best, lambda[c] = v, x
			} else {
				lambda[c] = keep
			}
		}
	}
	prices := map[string]float64{}
	for c, ch := range b.chans {
		prices[ch] = lambda[c]
	}
	return best, prices
}
