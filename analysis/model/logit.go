package model

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"
)

// logitModel is a fitted logistic regression on the original feature scale:
//
//	P(y=1|x) = σ(Intercept + Σ_j Coef[j]·x_j),  σ(z) = 1/(1+e^{−z}).
type logitModel struct {
	Intercept float64   `json:"intercept"`
	Coef      []float64 `json:"coef"`
	Mean      []float64 `json:"mean"` // training mean of each feature
	SD        []float64 `json:"sd"`   // training standard deviation (1 for constant features)
	Names     []string  `json:"names,omitempty"`
	Iter      int       `json:"iterations"`
	workers   int
}

func (m *logitModel) Algo() Algo { return Logit }

// Predict returns σ(b₀ + x·β) per row. NaN inputs give NaN.
func (m *logitModel) Predict(X *Matrix) []float64 {
	checkCols(X, len(m.Coef))
	out := make([]float64, X.Rows)
	parallelRows(X.Rows, workersOr(m.workers), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i] = sigmoid(m.Intercept + floats.Dot(m.Coef, X.Row(i)))
		}
	})
	return out
}

// Importance returns |β_j|·sd_j normalized to sum 1: the change in log-odds per
// standard deviation of the feature.
func (m *logitModel) Importance() []float64 {
	imp := make([]float64, len(m.Coef))
	for j, c := range m.Coef {
		imp[j] = math.Abs(c) * m.SD[j]
	}
	return normalize(imp)
}

// Coefficients returns the intercept and the coefficients on the original scale.
func (m *logitModel) Coefficients() (float64, []float64) { return m.Intercept, slices.Clone(m.Coef) }

// fitLogit minimizes, over the standardized features x̃_j = (x_j − μ_j)/s_j,
//
//	f(b₀, β̃) = (1/n) Σ_i [log(1+e^{z_i}) − y_i z_i] + (L2/2) Σ_j β̃_j² + L1 Σ_j √(β̃_j² + ε)
//
// with z_i = b₀ + Σ_j β̃_j x̃_ij, ε = 1e-8 (a smooth approximation of |β̃_j|), and the
// intercept unpenalized, using LBFGS from gonum/optimize. The gradient is
//
//	∂f/∂β̃_j = (1/n) Σ_i (σ(z_i) − y_i) x̃_ij + L2 β̃_j + L1 β̃_j/√(β̃_j² + ε).
//
// The coefficients are mapped back to the original scale: β_j = β̃_j/s_j and
// b = b₀ − Σ_j β_j μ_j. Standardizing makes the penalty scale-free (as with
// scikit-learn after StandardScaler) and conditions the problem.
func fitLogit(ctx context.Context, X *Matrix, y []float64, opt Options, report func(Progress)) (Classifier, error) {
	m, _, err := fitLogitFrom(ctx, X, y, opt, nil, report)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// FitLogitPath fits one logistic regression per L2 penalty in l2s (each with the other
// options of opt) on the same rows. Each fit starts from starts[k] when given (e.g. the
// solution for the same penalty on other cross-validation folds), else from the solution of
// the previous penalty (a warm start: order l2s from strongest to weakest so each solution
// is near the next), which makes a regularisation path cost little more than its slowest
// fit. It also returns each fit's solution (intercept then standardized coefficients) to
// start other paths from.
func FitLogitPath(ctx context.Context, X *Matrix, y []float64, l2s []float64, opt Options, starts [][]float64) ([]Classifier, [][]float64, error) {
	if err := checkXY(X, y, "training"); err != nil {
		return nil, nil, err
	}
	if err := checkFinite(X, "training"); err != nil {
		return nil, nil, err
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	out := make([]Classifier, 0, len(l2s))
	sols := make([][]float64, 0, len(l2s))
	var x0 []float64
	for k, l2 := range l2s {
		o := opt
		o.Algo, o.L2 = Logit, l2
		if k < len(starts) && starts[k] != nil {
			x0 = starts[k]
		}
		m, x, err := fitLogitFrom(ctx, X, y, o, x0, func(Progress) {})
		if err != nil {
			return nil, nil, err
		}
		out = append(out, m)
		sols = append(sols, x)
		x0 = x
	}
	return out, sols, nil
}

// FitLogitFrom is Fit for a logit started at x0 (a solution FitLogitPath returned for
// similar rows; nil = the usual start).
func FitLogitFrom(ctx context.Context, X *Matrix, y []float64, opt Options, x0 []float64) (Classifier, error) {
	if err := checkXY(X, y, "training"); err != nil {
		return nil, err
	}
	if err := checkFinite(X, "training"); err != nil {
		return nil, err
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	opt.Algo = Logit
	m, _, err := fitLogitFrom(ctx, X, y, opt, x0, func(Progress) {})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// fitLogitFrom is fitLogit started at x0 (intercept then standardized coefficients; nil =
// the base rate's log-odds and zeros). It also returns the standardized solution.
func fitLogitFrom(ctx context.Context, X *Matrix, y []float64, opt Options, x0 []float64, report func(Progress)) (*logitModel, []float64, error) {
	n, p := X.Rows, X.Cols
	mean := make([]float64, p)
	sd := make([]float64, p)
	for i := 0; i < n; i++ {
		for j, v := range X.Row(i) {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for i := 0; i < n; i++ {
		for j, v := range X.Row(i) {
			d := v - mean[j]
			sd[j] += d * d
		}
	}
	for j := range sd {
		sd[j] = math.Sqrt(sd[j] / float64(n))
		if sd[j] < 1e-12 {
			sd[j] = 1
		}
	}
	// One-hot heavy matrices are mostly zeros: the loss and gradient then run over the
	// non-zero values only (CSR), which is exact since the raw-scale coefficients absorb
	// the standardization.
	var (
		sptr []int
		scol []int32
		sval []float64
	)
	if nz := countNonZero(X); float64(nz) < sparseLogitDensity*float64(n*p) {
		sptr = make([]int, n+1)
		scol = make([]int32, 0, nz)
		sval = make([]float64, 0, nz)
		for i := 0; i < n; i++ {
			for j, v := range X.Row(i) {
				if v != 0 {
					scol = append(scol, int32(j))
					sval = append(sval, v)
				}
			}
			sptr[i+1] = len(sval)
		}
	}
	workers := opt.Workers
	nchunk := workers
	if n < 4096 {
		nchunk = 1
	}
	type part struct {
		loss, rsum float64
		grad       []float64
	}
	parts := make([]part, nchunk)
	for k := range parts {
		parts[k].grad = make([]float64, p)
	}
	raw := make([]float64, p) // coefficients on the raw scale for the current point
	const eps = 1e-8

	var lastX []float64
	var lastF float64
	lastG := make([]float64, p+1)
	eval := func(x []float64) {
		if lastX != nil && slices.Equal(lastX, x) {
			return
		}
		b0 := x[0]
		for j := 0; j < p; j++ {
			raw[j] = x[j+1] / sd[j]
			b0 -= raw[j] * mean[j]
		}
		chunk := (n + nchunk - 1) / nchunk
		done := make(chan struct{}, nchunk)
		for k := 0; k < nchunk; k++ {
			go func(k int) {
				pt := &parts[k]
				pt.loss, pt.rsum = 0, 0
				clear(pt.grad)
				g := pt.grad
				lo, hi := k*chunk, min((k+1)*chunk, n)
				for i := lo; i < hi; i++ {
					if sptr != nil {
						cs, vs := scol[sptr[i]:sptr[i+1]], sval[sptr[i]:sptr[i+1]]
						z := b0
						for k, j := range cs {
							z += raw[j] * vs[k]
						}
						sp, q := softplusSigmoid(z)
						pt.loss += sp - y[i]*z
						r := q - y[i]
						pt.rsum += r
						for k, j := range cs {
							g[j] += r * vs[k]
						}
						continue
					}
					row := X.Data[i*p : (i+1)*p]
					z := b0 + floats.Dot(raw, row)
					// softplus(z) − y z, computed stably.
					sp, q := softplusSigmoid(z)
					pt.loss += sp - y[i]*z
					r := q - y[i]
					pt.rsum += r
					floats.AddScaled(g, r, row)
				}
				done <- struct{}{}
			}(k)
		}
		for range nchunk {
			<-done
		}
		loss, rsum := 0.0, 0.0
		clear(lastG)
		for k := range parts {
			loss += parts[k].loss
			rsum += parts[k].rsum
			for j, v := range parts[k].grad {
				lastG[j+1] += v
			}
		}
		inv := 1 / float64(n)
		f := loss * inv
		lastG[0] = rsum * inv
		for j := 0; j < p; j++ {
			// Σ r x̃_j = (Σ r x_j − μ_j Σ r)/s_j
			lastG[j+1] = (lastG[j+1]*inv - mean[j]*rsum*inv) / sd[j]
			b := x[j+1]
			f += 0.5 * opt.L2 * b * b
			lastG[j+1] += opt.L2 * b
			if opt.L1 > 0 {
				s := math.Sqrt(b*b + eps)
				f += opt.L1 * s
				lastG[j+1] += opt.L1 * b / s
			}
		}
		lastF = f
		lastX = append(lastX[:0], x...)
	}
	maxIter := opt.MaxIter
	if maxIter <= 0 {
		maxIter = 500
	}
	gradTol := opt.Tol
	if gradTol <= 0 {
		gradTol = 1e-6
	}
	iter := 0
	problem := optimize.Problem{
		Func: func(x []float64) float64 { eval(x); return lastF },
		Grad: func(grad, x []float64) { eval(x); copy(grad, lastG) },
		Status: func() (optimize.Status, error) {
			if err := ctx.Err(); err != nil {
				return optimize.Failure, err
			}
			return optimize.NotTerminated, nil
		},
	}
	if len(x0) != p+1 {
		x0 = make([]float64, p+1)
		pos := 0.0
		for _, v := range y {
			pos += v
		}
		x0[0] = logitOf(pos / float64(n))
	} else {
		x0 = slices.Clone(x0)
	}
	settings := &optimize.Settings{
		GradientThreshold: gradTol,
		MajorIterations:   maxIter,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-12, Relative: 1e-10, Iterations: 10},
		Recorder: recorderFunc(func(op optimize.Operation) {
			if op == optimize.MajorIteration {
				iter++
				report(Progress{Done: int64(iter), Total: int64(maxIter), Stage: "logit"})
			}
		}),
	}
	res, err := optimize.Minimize(problem, x0, settings, &optimize.LBFGS{})
	if cerr := ctx.Err(); cerr != nil {
		return nil, nil, cerr
	}
	if err != nil && res == nil {
		return nil, nil, fmt.Errorf("model: logit: %w", err)
	}
	// A line-search failure near the optimum still leaves a usable point.
	x := res.X
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, fmt.Errorf("model: logit did not converge (%v); try a larger L2", res.Status)
		}
	}
	m := &logitModel{Coef: make([]float64, p), Mean: mean, SD: sd, Names: X.Names, Iter: iter, workers: opt.Workers}
	m.Intercept = x[0]
	for j := 0; j < p; j++ {
		m.Coef[j] = x[j+1] / sd[j]
		m.Intercept -= m.Coef[j] * mean[j]
	}
	report(Progress{Done: int64(maxIter), Total: int64(maxIter), Stage: "logit"})
	return m, x, nil
}

// sparseLogitDensity is the share of non-zero values under which the logit reads X as CSR.
const sparseLogitDensity = 0.35

func countNonZero(X *Matrix) int {
	nz := 0
	for _, v := range X.Data {
		if v != 0 {
			nz++
		}
	}
	return nz
}

// recorderFunc adapts a function to optimize.Recorder.
type recorderFunc func(optimize.Operation)

func (r recorderFunc) Init() error { return nil }
func (r recorderFunc) Record(_ *optimize.Location, op optimize.Operation, _ *optimize.Stats) error {
	r(op)
	return nil
}

// workersOr returns w, or GOMAXPROCS when w is not positive (e.g. after Unmarshal).
func workersOr(w int) int {
	if w <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}
