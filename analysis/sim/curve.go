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

// FitResponseCurve fits the shape of r(n) = A·n^C·exp(−n/B) to offers grouped in strata.
// Each stratum s has its own scale a_s (customers reached at different prior contact levels
// differ in propensity, for instance because a targeting model chose them), while the shape
// n^C·exp(−n/B) is shared, so the shape is identified from variation in n within strata only.
// With acceptances rare, counts are Poisson: y ~ Poisson(N·a_s·g(n)), g(n) = n^C·exp(−n/B).
// For given (C, B) the maximum-likelihood scale is a_s = Y_s / Σ N·g(n) over the stratum, and
// the profile log-likelihood
//
//	ℓ(C, B) = Σ_s Y_s·log a_s + Σ y·log g(n)   (+ constants)
//
// is maximized with Nelder–Mead over (C, log B) from several starts. A is the contact-weighted
// mean of a_s, so r(n) is the curve of the average offer. Pass one stratum for a plain fit.
// start, when non-nil, is tried alone (a bootstrap replicate starts from the point estimate).
func FitResponseCurve(strata [][]CurveBin, start *ResponseCurve) (ResponseCurve, error) {
	var contacts, accepts, sumN float64
	levels := map[int]bool{}
	for _, st := range strata {
		for _, b := range st {
			if b.Contacts > 0 {
				levels[b.N] = true
			}
			contacts += b.Contacts
			accepts += b.Accepts
			sumN += b.Contacts * float64(b.N)
		}
	}
	if len(levels) < 3 || accepts == 0 || contacts == 0 {
		return ResponseCurve{}, fmt.Errorf("%w: %d distinct contact counts, %.0f offers, %.0f accepted (need 3 counts and an acceptance)",
			errNoCurve, len(levels), contacts, accepts)
	}
	meanN := sumN / contacts
	// Precompute per stratum Y_s and N by n, and the data terms Σ y·log n and Σ y·n, so
	// that one likelihood evaluation costs one exp per distinct n:
	//   Σ y·log g(n) = C·Σ y·log n − Σ y·n / B.
	nMax := 0
	for _, st := range strata {
		for _, bin := range st {
			nMax = max(nMax, bin.N)
		}
	}
	logN := make([]float64, nMax+1)
	for n := 1; n <= nMax; n++ {
		logN[n] = math.Log(float64(n))
	}
	ys := make([]float64, len(strata))
	ns := make([][]float64, len(strata)) // contacts by n
	var yLogN, yN float64
	for i, st := range strata {
		ns[i] = make([]float64, nMax+1)
		for _, bin := range st {
			if bin.N < 1 {
				continue
			}
			ys[i] += bin.Accepts
			ns[i][bin.N] += bin.Contacts
			yLogN += bin.Accepts * logN[bin.N]
			yN += bin.Accepts * float64(bin.N)
		}
	}
	g := make([]float64, nMax+1)
	// scales returns a_s and the profile negative log-likelihood for (C, B).
	scales := func(c, b float64) ([]float64, float64) {
		for n := 1; n <= nMax; n++ {
			g[n] = math.Exp(c*logN[n] - float64(n)/b)
		}
		as := make([]float64, len(strata))
		nll := -(c*yLogN - yN/b)
		for i := range strata {
			var e float64
			for n, cnt := range ns[i] {
				e += cnt * g[n]
			}
			if ys[i] > 0 && e > 0 {
				as[i] = ys[i] / e
				nll -= ys[i] * math.Log(as[i])
			}
		}
		return as, nll
	}
	f := func(x []float64) float64 {
		c, lb := x[0], x[1]
		if math.Abs(c) > 30 || math.Abs(lb) > 12 {
			return math.Inf(1)
		}
		_, nll := scales(c, math.Exp(lb))
		if math.IsNaN(nll) {
			return math.Inf(1)
		}
		return nll
	}
	var starts [][]float64
	if start != nil && start.B > 0 {
		starts = append(starts, []float64{start.C, math.Log(start.B)})
	} else {
		for _, c := range []float64{0.5, 1, 2, 3} {
			for _, peak := range []float64{meanN, 2 * meanN, 4} {
				starts = append(starts, []float64{c, math.Log(peak / c)})
			}
		}
	}
	best := math.Inf(1)
	var bx []float64
	for _, x0 := range starts {
		res, _ := optimize.Minimize(optimize.Problem{Func: f}, x0, fitSettings(), &optimize.NelderMead{})
		if res != nil && res.F < best && !math.IsNaN(res.F) {
			best, bx = res.F, append([]float64(nil), res.X...)
		}
	}
	if bx == nil || math.IsInf(best, 0) {
		return ResponseCurve{}, fmt.Errorf("%w: the likelihood did not converge", errNoCurve)
	}
	c, b := bx[0], math.Exp(bx[1])
	as, _ := scales(c, b)
	var a, w float64
	for i, st := range strata {
		for _, bin := range st {
			a += as[i] * bin.Contacts
			w += bin.Contacts
		}
	}
	return ResponseCurve{A: a / w, C: c, B: b}, nil
}

// fitSettings stop Nelder–Mead when the negative log-likelihood has improved by less than
// 1e-7 over 50 iterations (far below what moves a curve visibly), or after 2,000 evaluations.
func fitSettings() *optimize.Settings {
	return &optimize.Settings{
		FuncEvaluations: 2000,
		Converger:       &optimize.FunctionConverge{Absolute: 1e-7, Iterations: 50},
	}
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
	res, err := optimize.Minimize(optimize.Problem{Func: f}, x0, fitSettings(), &optimize.NelderMead{})
	if res == nil {
		return OptOutCurve{}, fmt.Errorf("opt-out curve: %w", err)
	}
	return OptOutCurve{Q: math.Exp(res.X[0]), D: res.X[1]}, nil
}
