package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
)

// Calibrator maps uncalibrated scores to calibrated probabilities so probabilities of
// different products are comparable. It marshals to JSON.
type Calibrator struct {
	// Method is "platt", "isotonic" or "identity" (scores that are not probabilities, such
	// as an uplift model's, pass unchanged).
	Method string `json:"method"`
	// Platt: q = σ(A·logit(p) + B).
	A float64 `json:"a,omitempty"`
	B float64 `json:"b,omitempty"`
	// Isotonic: knots (X ascending, Y non-decreasing); Apply interpolates linearly
	// between knots and is constant beyond the ends.
	X []float64 `json:"x,omitempty"`
	Y []float64 `json:"y,omitempty"`
}

// FitCalibrator fits a calibration map from scores p to labels y in {0,1}.
//
// "platt" minimizes the mean log-loss of q_i = σ(A·logit(p_i) + B) over A, B by
// Newton's method (scores clipped to [1e−12, 1−1e−12]); fitting on logit(p) makes the identity
// map (A=1, B=0) part of the family.
//
// "isotonic" fits the non-decreasing step function of p that minimizes Σ (q_i − y_i)²
// by pool-adjacent-violators; tied scores are pooled first. Each block becomes a knot
// at its mean score with its mean label, and Apply interpolates between knots.
func FitCalibrator(method string, p, y []float64) (*Calibrator, error) {
	if len(p) != len(y) {
		return nil, fmt.Errorf("model: calibrator: %d scores but %d labels: %w", len(p), len(y), ErrLength)
	}
	if len(p) == 0 {
		return nil, fmt.Errorf("model: calibrator: no scores: %w", ErrEmpty)
	}
	pos := 0
	for i, v := range y {
		if v != 0 && v != 1 {
			return nil, fmt.Errorf("model: calibrator: label %d is %v, want 0 or 1: %w", i, v, ErrBadTarget)
		}
		if math.IsNaN(p[i]) {
			return nil, fmt.Errorf("model: calibrator: score %d is NaN: %w", i, ErrNaN)
		}
		pos += int(v)
	}
	if pos == 0 || pos == len(y) {
		return nil, fmt.Errorf("model: calibrator: labels are all %v: %w", y[0], ErrConstantTarget)
	}
	switch method {
	case "platt":
		return fitPlatt(p, y)
	case "isotonic":
		return fitIsotonic(p, y), nil
	}
	return nil, fmt.Errorf("model: calibrator method %q (want platt or isotonic)", method)
}

func fitPlatt(p, y []float64) (*Calibrator, error) {
	n := float64(len(p))
	z := make([]float64, len(p))
	for i, v := range p {
		z[i] = logitOf(v)
	}
	// Newton's method on the two parameters (the loss is convex and smooth), halving the
	// step until the loss does not rise; a tiny ridge keeps the Hessian invertible when
	// every score is the same.
	loss := func(a, b float64) float64 {
		f := 0.0
		for i, zi := range z {
			sp, _ := softplusSigmoid(a*zi + b)
			f += sp - y[i]*(a*zi+b)
		}
		return f / n
	}
	a, b := 1.0, 0.0
	f := loss(a, b)
	for iter := 0; iter < 50; iter++ {
		var ga, gb, haa, hab, hbb float64
		for i, zi := range z {
			_, q := softplusSigmoid(a*zi + b)
			r, w := q-y[i], q*(1-q)
			ga += r * zi
			gb += r
			haa += w * zi * zi
			hab += w * zi
			hbb += w
		}
		ga, gb, haa, hab, hbb = ga/n, gb/n, haa/n+1e-12, hab/n, hbb/n+1e-12
		det := haa*hbb - hab*hab
		if !(det > 0) {
			return nil, errors.New("model: platt calibration: singular Hessian")
		}
		da, db := (hbb*ga-hab*gb)/det, (haa*gb-hab*ga)/det
		// Newton decrement gᵀH⁻¹g: half of it is the loss still to gain.
		dec := ga*da + gb*db
		if dec < 1e-14 {
			break
		}
		step, moved := 1.0, false
		for k := 0; k < 30; k++ {
			na, nb := a-step*da, b-step*db
			if nf := loss(na, nb); nf <= f-1e-4*step*dec {
				a, b, f, moved = na, nb, nf, true
				break
			}
			step /= 2
		}
		if !moved {
			break
		}
	}
	if math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return nil, errors.New("model: platt calibration did not converge")
	}
	return &Calibrator{Method: "platt", A: a, B: b}, nil
}

func fitIsotonic(p, y []float64) *Calibrator {
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
	type block struct{ sx, sy, w float64 }
	var st []block
	for k := 0; k < len(idx); {
		// pool ties
		b := block{}
		t := p[idx[k]]
		for k < len(idx) && p[idx[k]] == t {
			b.sx += p[idx[k]]
			b.sy += y[idx[k]]
			b.w++
			k++
		}
		st = append(st, b)
		for len(st) > 1 {
			a, c := st[len(st)-2], st[len(st)-1]
			if a.sy/a.w < c.sy/c.w {
				break
			}
			st = st[:len(st)-1]
			st[len(st)-1] = block{a.sx + c.sx, a.sy + c.sy, a.w + c.w}
		}
	}
	c := &Calibrator{Method: "isotonic"}
	for _, b := range st {
		c.X = append(c.X, b.sx/b.w)
		c.Y = append(c.Y, b.sy/b.w)
	}
	return c
}

// Apply maps one score to a calibrated probability.
func (c *Calibrator) Apply(p float64) float64 {
	switch c.Method {
	case "platt":
		return sigmoid(c.A*logitOf(p) + c.B)
	case "isotonic":
		n := len(c.X)
		if n == 0 || math.IsNaN(p) {
			return p
		}
		if p <= c.X[0] {
			return c.Y[0]
		}
		if p >= c.X[n-1] {
			return c.Y[n-1]
		}
		k := sort.SearchFloat64s(c.X, p) // c.X[k-1] < p ≤ c.X[k]
		x0, x1 := c.X[k-1], c.X[k]
		w := (p - x0) / (x1 - x0)
		return c.Y[k-1] + w*(c.Y[k]-c.Y[k-1])
	}
	return p
}

// Identity is the calibrator that leaves scores unchanged (Method "identity").
func Identity() *Calibrator { return &Calibrator{Method: "identity"} }

// ShiftLogOdds returns a copy of c whose probabilities have their log-odds moved by d:
// the prior correction of a model trained on a sample that kept positives and negatives at
// different rates (d = log(w₁/w₀), the classes' weights, each the inverse of its kept share).
// Platt's intercept B moves by d, so the map stays Platt and exact; isotonic knots keep their
// scores and move their probabilities (0 and 1 stay), so the map stays non-decreasing and
// exact at every knot, interpolating linearly between them as before.
func (c *Calibrator) ShiftLogOdds(d float64) *Calibrator {
	out := *c
	out.X = append([]float64(nil), c.X...)
	out.Y = append([]float64(nil), c.Y...)
	switch c.Method {
	case "platt":
		out.B += d
	case "isotonic":
		for i, q := range out.Y {
			if q > 0 && q < 1 {
				out.Y[i] = sigmoid(math.Log(q/(1-q)) + d)
			}
		}
	}
	return &out
}

// ApplyAll maps every score; it returns a new slice.
func (c *Calibrator) ApplyAll(p []float64) []float64 {
	out := make([]float64, len(p))
	for i, v := range p {
		out[i] = c.Apply(v)
	}
	return out
}

// MarshalJSON encodes the calibrator.
func (c *Calibrator) MarshalJSON() ([]byte, error) {
	type plain Calibrator
	return json.Marshal((*plain)(c))
}

// UnmarshalJSON decodes a calibrator and checks it.
func (c *Calibrator) UnmarshalJSON(b []byte) error {
	type plain Calibrator
	var v plain
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("model: calibrator: %w", err)
	}
	switch v.Method {
	case "platt":
	case "identity":
	case "isotonic":
		if len(v.X) != len(v.Y) || len(v.X) == 0 {
			return fmt.Errorf("model: isotonic calibrator with %d x and %d y knots", len(v.X), len(v.Y))
		}
	default:
		return fmt.Errorf("model: calibrator method %q (want platt, isotonic or identity)", v.Method)
	}
	*c = Calibrator(v)
	return nil
}
