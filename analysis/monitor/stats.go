// Package monitor is step 3 of the aCRM loop: it evaluates registered campaigns (actual
// against predicted conversion overall, per decile and over time; uplift against the control
// cells and the global hold-out; the Qini curve and coefficient) and the drift of the base
// (population stability index of every feature and of each product's score) against a stored
// baseline, and flags what crossed a threshold. The CLI (acrm monitor) and the Monitor screen
// call the same Report.
package monitor

import (
	"math"
	"sort"
)

// Z95 is the two-sided 95 % normal quantile used by every interval of the package.
const Z95 = 1.959963984540054

// Interval is an estimate with its 95 % interval [Lo, Hi].
type Interval struct {
	Est, Lo, Hi float64
}

// Contains reports whether x lies inside the interval (bounds included).
func (iv Interval) Contains(x float64) bool { return x >= iv.Lo && x <= iv.Hi }

// Wilson is the Wilson score interval of a proportion k/n:
//
//	centre = (p̂ + z²/2n) / (1 + z²/n),  half = z·√(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n)
//
// with p̂ = k/n and z = 1.96. Est is p̂; n = 0 gives the whole [0, 1].
func Wilson(k, n int) Interval {
	if n <= 0 {
		return Interval{Est: math.NaN(), Lo: 0, Hi: 1}
	}
	p := float64(k) / float64(n)
	nf := float64(n)
	z2 := Z95 * Z95
	d := 1 + z2/nf
	c := (p + z2/(2*nf)) / d
	h := Z95 * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / d
	return Interval{Est: p, Lo: math.Max(0, c-h), Hi: math.Min(1, c+h)}
}

// Predicted is the rate a model predicts for a group whose members convert independently with
// probabilities ps, and the 95 % interval the observed rate should fall in if the model is
// right: the count of conversions has mean Σp and variance Σp(1−p) (Poisson-binomial), so
//
//	rate = Σp/n ± z·√(Σp(1−p))/n
//
// clipped to [0, 1] (normal approximation). An actual rate outside it is a deviation to
// investigate.
func Predicted(ps []float64) Interval {
	n := float64(len(ps))
	if n == 0 {
		return Interval{Est: math.NaN(), Lo: 0, Hi: 1}
	}
	var m, v float64
	for _, p := range ps {
		m += p
		v += p * (1 - p)
	}
	h := Z95 * math.Sqrt(v) / n
	return Interval{Est: m / n, Lo: math.Max(0, m/n-h), Hi: math.Min(1, m/n+h)}
}

// Diff is the difference of two proportions k1/n1 − k0/n0 with Newcombe's hybrid score
// interval (method 10 of Newcombe 1998), built from the Wilson intervals [l1,u1], [l0,u0]:
//
//	lo = d − √((p1−l1)² + (u0−p0)²),  hi = d + √((u1−p1)² + (p0−l0)²)
//
// It keeps its coverage when a rate is near 0, where the Wald interval collapses.
func Diff(k1, n1, k0, n0 int) Interval {
	if n1 <= 0 || n0 <= 0 {
		return Interval{Est: math.NaN(), Lo: -1, Hi: 1}
	}
	a, b := Wilson(k1, n1), Wilson(k0, n0)
	d := a.Est - b.Est
	return Interval{
		Est: d,
		Lo:  d - math.Sqrt((a.Est-a.Lo)*(a.Est-a.Lo)+(b.Hi-b.Est)*(b.Hi-b.Est)),
		Hi:  d + math.Sqrt((a.Hi-a.Est)*(a.Hi-a.Est)+(b.Est-b.Lo)*(b.Est-b.Lo)),
	}
}

// PSIFloor is the share an empty bin counts as in PSI, so that ln(a/e) stays finite.
const PSIFloor = 1e-4

// PSI is the population stability index of a current distribution against an expected
// (baseline) one over the same bins, given as counts or shares (each side is normalized):
//
//	PSI = Σ_i (a_i − e_i) · ln(a_i / e_i)
//
// with empty bins counted as PSIFloor. Below 0.1 the population is stable, 0.1–0.25 has moved,
// above 0.25 has shifted. It panics when the slices differ in length (a programming error).
func PSI(expected, actual []float64) float64 {
	if len(expected) != len(actual) {
		panic("monitor: PSI of bins of different length")
	}
	var se, sa float64
	for i := range expected {
		se += expected[i]
		sa += actual[i]
	}
	if se <= 0 || sa <= 0 {
		return 0
	}
	var psi float64
	for i := range expected {
		e := math.Max(expected[i]/se, PSIFloor)
		a := math.Max(actual[i]/sa, PSIFloor)
		psi += (a - e) * math.Log(a/e)
	}
	return psi
}

// Unit is one campaign member for the Qini curve: its score (the ranking), whether it was
// treated (contacted) or in the control cell, and whether it converted.
type Unit struct {
	Score     float64
	Treated   bool
	Converted bool
}

// QiniPoint is one point of the Qini curve: Depth is the share of members ranked (best
// first) and Gain the incremental conversions found there per treated member of the campaign,
// (R_t − R_c · N_t/N_c) / N_t,total, where R and N count conversions and members of the
// treated and control cells in the top Depth (R_c · N_t/N_c is 0 while N_c is 0).
type QiniPoint struct {
	Depth, Gain float64
}

// Qini ranks the units by score, highest first (tied scores enter together), and returns
// the Qini curve, starting at (0, 0) and ending at (1, uplift), and the Qini coefficient
//
//	Q = ∫₀¹ (Gain(x) − x · Gain(1)) dx
//
// (trapezoids between the points): the area between the curve and the line of random
// targeting, positive when the ranking finds the incremental conversions first. It returns
// nil, NaN without treated or control units.
func Qini(units []Unit) ([]QiniPoint, float64) {
	var nt, nc int
	for _, u := range units {
		if u.Treated {
			nt++
		} else {
			nc++
		}
	}
	if nt == 0 || nc == 0 {
		return nil, math.NaN()
	}
	us := append([]Unit(nil), units...)
	sort.SliceStable(us, func(i, j int) bool { return us[i].Score > us[j].Score })
	n := float64(len(us))
	curve := []QiniPoint{{0, 0}}
	var ct, cc, rt, rc float64
	for i := 0; i < len(us); {
		j := i
		for j < len(us) && us[j].Score == us[i].Score {
			if us[j].Treated {
				ct++
				if us[j].Converted {
					rt++
				}
			} else {
				cc++
				if us[j].Converted {
					rc++
				}
			}
			j++
		}
		g := rt
		if cc > 0 {
			g -= rc * ct / cc
		}
		curve = append(curve, QiniPoint{Depth: float64(j) / n, Gain: g / float64(nt)})
		i = j
	}
	end := curve[len(curve)-1].Gain
	var q float64
	for i := 1; i < len(curve); i++ {
		a, b := curve[i-1], curve[i]
		dx := b.Depth - a.Depth
		q += dx * ((a.Gain - a.Depth*end) + (b.Gain - b.Depth*end)) / 2
	}
	return curve, q
}
