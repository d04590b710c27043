package sim

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/optimize"
)

// ResponseCurve is the rise–saturation–fatigue curve of the chance that one outbound offer
// converts, as a function of n, the customer's outbound offer contacts in the last 12 months
// (including this one):
//
//	r(n) = A · n^C · exp(−n/B)
//
// For C > 0 it rises, peaks at n* = B·C and then falls (fatigue). The generator's truth
// (n/m)^γ·exp(γ(1 − n/m)) is this family with C = γ and B = m/γ.
type ResponseCurve struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
	C float64 `json:"c"`
}

// At is r(n).
func (c ResponseCurve) At(n float64) float64 {
	if n <= 0 {
		return 0
	}
	return c.A * math.Pow(n, c.C) * math.Exp(-n/c.B)
}

// Peak is the contacts per 12 months at which one contact converts best, n* = B·C; 0 when the
// curve only falls (C ≤ 0).
func (c ResponseCurve) Peak() float64 {
	if c.C <= 0 {
		return 0
	}
	return c.B * c.C
}

// PeriodYield is the expected conversions per customer per period of the given length when
// the customer steadily gets k offers every period: n = k·12/months contacts a year at every
// contact, so
//
//	y(k) = k · r(k·12/months)
func (c ResponseCurve) PeriodYield(k float64, months int) float64 {
	return k * c.At(k*12/float64(months))
}

// BestPerPeriod is the k that maximizes PeriodYield: d/dk [k·r(kλ)] = 0 with λ = 12/months
// gives k* = B·(1 + C)/λ; 0 when C ≤ −1 (the yield only falls).
func (c ResponseCurve) BestPerPeriod(months int) float64 {
	if c.C <= -1 {
		return 0
	}
	return c.B * (1 + c.C) * float64(months) / 12
}

// OptOutCurve is the chance that one outbound offer makes the customer opt out, rising with
// n contacts in the last 12 months: q(n) = Q · n^D.
type OptOutCurve struct {
	Q float64 `json:"q"`
	D float64 `json:"d"`
}

// At is q(n).
func (c OptOutCurve) At(n float64) float64 {
	if n <= 0 {
		return 0
	}
	return math.Min(1, c.Q*math.Pow(n, c.D))
}

// PeriodOptOuts is the expected opt-outs per customer per period at k steady offers a period:
// k · q(k·12/months).
func (c OptOutCurve) PeriodOptOuts(k float64, months int) float64 {
	return k * c.At(k*12/float64(months))
}

// CurveBin is the count of outbound offers made at one value of n and what they gave.
type CurveBin struct {
	N        int     `json:"n"`
	Contacts float64 `json:"contacts"`
	Accepts  float64 `json:"accepts"`
	OptOuts  float64 `json:"opt_outs"`
	Revenue  float64 `json:"revenue"`
}

// errNoCurve is returned when the bins cannot identify a curve.
var errNoCurve = errors.New("too little contact history to fit a response curve")

// binomialNLL is −Σ [y·log p + (N − y)·log(1 − p)] with p = min(exp(η), 0.999) clamped
// away from 0, the negative binomial log-likelihood of the bins under rates p(n).
func binomialNLL(bins []CurveBin, y func(CurveBin) float64, logp func(n float64) float64) float64 {
	var s float64
	for _, b := range bins {
		if b.Contacts == 0 {
			continue
		}
		lp := logp(float64(b.N))
		if math.IsNaN(lp) {
			return math.Inf(1)
		}
		lp = math.Min(math.Max(lp, -40), math.Log(0.999))
		yy := y(b)
		s -= yy*lp + (b.Contacts-yy)*math.Log1p(-math.Exp(lp))
	}
	return s
}

// FitResponseCurve fits r(n) = A·n^C·exp(−n/B) to the bins by maximum binomial likelihood
// (each offer converts or not), with Nelder–Mead over (log A, C, log B) from several starts.
// start, when non-nil, is tried first (a bootstrap replicate starts from the point estimate).
func FitResponseCurve(bins []CurveBin, start *ResponseCurve) (ResponseCurve, error) {
	var contacts, accepts, sumN float64
	levels := 0
	for _, b := range bins {
		if b.Contacts > 0 {
			levels++
		}
		contacts += b.Contacts
		accepts += b.Accepts
		sumN += b.Contacts * float64(b.N)
	}
	if levels < 3 || accepts == 0 || contacts == 0 {
		return ResponseCurve{}, fmt.Errorf("%w: %d distinct contact counts, %.0f offers, %.0f accepted (need 3 counts and an acceptance)",
			errNoCurve, levels, contacts, accepts)
	}
	meanN := sumN / contacts
	yAcc := func(b CurveBin) float64 { return b.Accepts }
	f := func(x []float64) float64 {
		la, c, lb := x[0], x[1], x[2]
		if math.Abs(c) > 30 || math.Abs(lb) > 12 {
			return math.Inf(1)
		}
		b := math.Exp(lb)
		return binomialNLL(bins, yAcc, func(n float64) float64 { return la + c*math.Log(n) - n/b })
	}
	// scale A so the fitted total equals the observed acceptances for given C, B.
	initA := func(c, b float64) float64 {
		var s float64
		for _, bin := range bins {
			s += bin.Contacts * math.Pow(float64(bin.N), c) * math.Exp(-float64(bin.N)/b)
		}
		return math.Log(accepts / s)
	}
	var starts [][]float64
	if start != nil && start.A > 0 && start.B > 0 {
		starts = append(starts, []float64{math.Log(start.A), start.C, math.Log(start.B)})
	} else {
		for _, c := range []float64{0.5, 1, 2, 3} {
			for _, peak := range []float64{meanN, 2 * meanN, 4} {
				b := peak / c
				starts = append(starts, []float64{initA(c, b), c, math.Log(b)})
			}
		}
	}
	best := math.Inf(1)
	var bx []float64
	for _, x0 := range starts {
		res, err := optimize.Minimize(optimize.Problem{Func: f}, x0, &optimize.Settings{FuncEvaluations: 3000}, &optimize.NelderMead{})
		if res == nil {
			if err != nil {
				continue
			}
		}
		if res != nil && res.F < best && !math.IsNaN(res.F) {
			best, bx = res.F, append([]float64(nil), res.X...)
		}
	}
	if bx == nil || math.IsInf(best, 0) {
		return ResponseCurve{}, fmt.Errorf("%w: the likelihood did not converge", errNoCurve)
	}
	return ResponseCurve{A: math.Exp(bx[0]), C: bx[1], B: math.Exp(bx[2])}, nil
}

// FitOptOutCurve fits q(n) = Q·n^D to the bins by maximum binomial likelihood over
// (log Q, D). With no opt-out at all it returns Q = 0 (no opt-outs predicted).
func FitOptOutCurve(bins []CurveBin, start *OptOutCurve) (OptOutCurve, error) {
	var contacts, opt float64
	for _, b := range bins {
		contacts += b.Contacts
		opt += b.OptOuts
	}
	if contacts == 0 {
		return OptOutCurve{}, fmt.Errorf("%w: no offers", errNoCurve)
	}
	if opt == 0 {
		return OptOutCurve{Q: 0, D: 0}, nil
	}
	yOpt := func(b CurveBin) float64 { return b.OptOuts }
	f := func(x []float64) float64 {
		if math.Abs(x[1]) > 20 {
			return math.Inf(1)
		}
		return binomialNLL(bins, yOpt, func(n float64) float64 { return x[0] + x[1]*math.Log(n) })
	}
	x0 := []float64{math.Log(opt / contacts), 1}
	if start != nil && start.Q > 0 {
		x0 = []float64{math.Log(start.Q), start.D}
	}
	res, err := optimize.Minimize(optimize.Problem{Func: f}, x0, &optimize.Settings{FuncEvaluations: 2000}, &optimize.NelderMead{})
	if res == nil {
		return OptOutCurve{}, fmt.Errorf("opt-out curve: %w", err)
	}
	return OptOutCurve{Q: math.Exp(res.X[0]), D: res.X[1]}, nil
}
