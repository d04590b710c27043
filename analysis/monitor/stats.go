// Package monitor is step 3 of the aCRM loop: it evaluates registered campaigns (actual
// against predicted conversion overall, per decile and over time; uplift against the control
// cells and the global hold-out; the Qini curve and coefficient) and the drift of the base
// (population stability index of every feature and of each product's score) against a stored
// baseline, and flags what crossed a threshold. The CLI (acrm monitor) and the Monitor screen
// call the same Report.
package monitor

import (
	"math"

	"github.com/acrm-dev/acrm/analysis/model"
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

// Unit is one campaign member for the Qini curve (model.QiniUnit): its score, whether it was
// treated (contacted) or in the control cell, and whether it converted.
type Unit = model.QiniUnit

// QiniPoint is one point of the Qini curve (model.QiniPoint).
type QiniPoint = model.QiniPoint

// Qini is model.Qini: the Qini curve and coefficient of the units ranked by score.
func Qini(units []Unit) ([]QiniPoint, float64) { return model.Qini(units) }
