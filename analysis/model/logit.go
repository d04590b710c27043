package model

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
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
func (m *logitModel) Predict(X *Matrix) []float64 { return m.predictRows(X, nil) }

func (m *logitModel) predictRows(X *Matrix, rows []int) []float64 {
	checkCols(X, len(m.Coef))
	out := make([]float64, numRows(X, rows))
	parallelRows(len(out), workersOr(m.workers), func(lo, hi int) {
		for k := lo; k < hi; k++ {
			out[k] = sigmoid(m.Intercept + floats.Dot(m.Coef, X.Row(rowAt(rows, k))))
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
	m, _, err := fitLogitFrom(ctx, X, y, nil, opt, nil, report)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// FitLogitPath fits one logistic regression per L2 penalty in l2s (each with the other
// options of opt) on the same rows of X: rows (nil = all; y holds the labels of all of X's
// rows), read in place. Each fit starts from starts[k] when given (e.g. the
// solution for the same penalty on other cross-validation folds), else from the solution of
// the previous penalty (a warm start: order l2s from strongest to weakest so each solution
// is near the next), which makes a regularisation path cost little more than its slowest
// fit. It also returns each fit's solution (intercept then standardized coefficients) to
// start other paths from.
func FitLogitPath(ctx context.Context, X *Matrix, y []float64, rows []int, l2s []float64, opt Options, starts [][]float64) ([]Classifier, [][]float64, error) {
	if err := checkXY(X, y, "training"); err != nil && rows == nil {
		return nil, nil, err
	}
	if rows != nil {
		if len(y) != X.Rows {
			return nil, nil, fmt.Errorf("model: training matrix has %d rows but y has %d labels: %w", X.Rows, len(y), ErrLength)
		}
		if err := checkLabels(subsetFloats(y, rows), "training"); err != nil {
			return nil, nil, err
		}
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
	d := prepLogit(X, y, rows)
	for k, l2 := range l2s {
		o := opt
		o.Algo, o.L2 = Logit, l2
		if k < len(starts) && starts[k] != nil {
			x0 = starts[k]
		}
		m, x, err := fitLogitData(ctx, X, d, o, x0, func(Progress) {})
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
	m, _, err := fitLogitFrom(ctx, X, y, nil, opt, x0, func(Progress) {})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// fitLogitFrom is fitLogit on the rows of X (nil = all; y holds the labels of all of X's
// rows) started at x0 (intercept then standardized coefficients; nil = the base rate's
// log-odds and zeros). It also returns the standardized solution.
func fitLogitFrom(ctx context.Context, X *Matrix, y []float64, rows []int, opt Options, x0 []float64, report func(Progress)) (*logitModel, []float64, error) {
	return fitLogitData(ctx, X, prepLogit(X, y, rows), opt, x0, report)
}

// logitData is what logit fits on one set of rows share: the rows' labels, the features'
// means and standard deviations, and the rows as CSR when they are mostly zeros.
type logitData struct {
	n, p     int
	y        []float64 // labels of the fit's rows, in order
	row      func(k int) []float64
	mean, sd []float64
	// One-hot heavy matrices are mostly zeros: the loss and gradient then run over the
	// non-zero values only (CSR), which is exact since the raw-scale coefficients absorb
	// the standardization. nil when dense.
	sptr []int
	scol []int32
	sval []float64
}

// prepLogit reads the rows of X (nil = all) once for every fit on them: means and the CSR
// in one pass, standard deviations in a second.
func prepLogit(X *Matrix, y []float64, rows []int) *logitData {
	p := X.Cols
	n := X.Rows
	if rows != nil {
		n = len(rows)
		y = subsetFloats(y, rows) // labels of the fit's rows, in order
	}
	d := &logitData{n: n, p: p, y: y, mean: make([]float64, p), sd: make([]float64, p)}
	// row returns the k-th row of the fit.
	d.row = func(k int) []float64 {
		if rows != nil {
			k = rows[k]
		}
		return X.Data[k*p : (k+1)*p]
	}
	mean, sd := d.mean, d.sd
	// the CSR is kept while the non-zero values stay under sparseLogitDensity of all
	dense := float64(n*p) == 0
	limit := sparseLogitDensity * float64(n*p)
	sptr := make([]int, n+1)
	var scol []int32
	var sval []float64
	for k := 0; k < n; k++ {
		r := d.row(k)
		for j, v := range r {
			mean[j] += v
		}
		if dense {
			continue
		}
		for j, v := range r {
			if v != 0 {
				scol = append(scol, int32(j))
				sval = append(sval, v)
			}
		}
		sptr[k+1] = len(sval)
		if float64(len(sval)) >= limit {
			dense = true
			sptr, scol, sval = nil, nil, nil
		}
	}
	if !dense {
		d.sptr, d.scol, d.sval = sptr, scol, sval
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for k := 0; k < n; k++ {
		for j, v := range d.row(k) {
			dv := v - mean[j]
			sd[j] += dv * dv
		}
	}
	for j := range sd {
		sd[j] = math.Sqrt(sd[j] / float64(n))
		if sd[j] < 1e-12 {
			sd[j] = 1
		}
	}
	return d
}

// fitLogitData is fitLogitFrom on prepared rows.
func fitLogitData(ctx context.Context, X *Matrix, d *logitData, opt Options, x0 []float64, report func(Progress)) (*logitModel, []float64, error) {
	n, p, y, row := d.n, d.p, d.y, d.row
	mean, sd := d.mean, d.sd
	sptr, scol, sval := d.sptr, d.scol, d.sval
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
					row := row(i)
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
	// Newton's method when the Hessian is cheap to form (a smooth, strictly convex problem:
	// L2 > 0, no L1; few columns or sparse rows): a handful of steps reach the optimum where
	// LBFGS needs hundreds on the weakly penalized, collinear one-hot designs. LBFGS takes
	// over from wherever Newton stops if a step fails.
	var x []float64
	status := optimize.Success
	if newtonLogitOn && opt.L1 == 0 && opt.L2 > 0 && p <= maxNewtonCols {
		cost := 0.0
		if sptr != nil {
			for i := 0; i < n; i++ {
				k := float64(sptr[i+1] - sptr[i] + 1)
				cost += k * k / 2
			}
		} else {
			cost = float64(n) * float64(p+1) * float64(p+1) / 2
		}
		if cost <= maxNewtonWork {
			hess := func(x []float64, A []float64) {
				logitHessian(x, A, n, p, row, sptr, scol, sval, mean, sd, nchunk)
			}
			var ok bool
			x, iter, ok = newtonLogit(ctx, x0, p, opt.L2, gradTol, maxIter, func(x []float64) (float64, []float64) {
				eval(x)
				return lastF, lastG
			}, hess, report)
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
			if !ok {
				x0, x = x, nil
			}
		}
	}
	if x == nil {
		res, err := optimize.Minimize(problem, x0, settings, &optimize.LBFGS{})
		if cerr := ctx.Err(); cerr != nil {
			return nil, nil, cerr
		}
		if err != nil && res == nil {
			return nil, nil, fmt.Errorf("model: logit: %w", err)
		}
		// A line-search failure near the optimum still leaves a usable point.
		x, status = res.X, res.Status
	}
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, fmt.Errorf("model: logit did not converge (%v); try a larger L2", status)
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

// maxNewtonCols and maxNewtonWork bound the problems solved by Newton's method: columns
// (the Hessian is (p+1)² and factored in O(p³)) and multiply-adds to form it per step.
const (
	maxNewtonCols = 600
	maxNewtonWork = 2e8
)

// newtonLogitOn lets tests compare Newton's solutions with LBFGS's.
var newtonLogitOn = true

// newtonLogit minimizes the logit objective from x0 by Newton steps H d = −g with a
// backtracking (Armijo) line search, until the gradient's largest component is below tol.
// fg returns the objective and its gradient at x (the gradient is only read before the
// next call); hess fills A with the (p+1)² Hessian of the log-loss term (the L2 term is
// added here, the intercept unpenalized). It reports false, with the last point, when a
// Hessian is not positive definite or a step does not decrease the objective.
func newtonLogit(ctx context.Context, x0 []float64, p int, l2, tol float64, maxIter int, fg func([]float64) (float64, []float64), hess func(x, A []float64), report func(Progress)) ([]float64, int, bool) {
	m := p + 1
	x := slices.Clone(x0)
	g := make([]float64, m)
	d := make([]float64, m)
	xt := make([]float64, m)
	A := make([]float64, m*m)
	H := mat.NewSymDense(m, nil)
	var ch mat.Cholesky
	f, g0 := fg(x)
	copy(g, g0)
	for it := 0; it < min(maxIter, 100); it++ {
		if ctx.Err() != nil {
			return x, it, false
		}
		if floats.Norm(g, math.Inf(1)) < tol {
			return x, it, true
		}
		hess(x, A)
		for a := 0; a < m; a++ {
			for b := a; b < m; b++ {
				v := A[a*m+b]
				if a == b && a > 0 {
					v += l2
				}
				H.SetSym(a, b, v)
			}
		}
		if !ch.Factorize(H) {
			return x, it, false
		}
		gv := mat.NewVecDense(m, g)
		dv := mat.NewVecDense(m, d)
		if err := ch.SolveVecTo(dv, gv); err != nil {
			return x, it, false
		}
		floats.Scale(-1, d)
		slope := floats.Dot(g, d)
		if slope >= 0 {
			return x, it, false
		}
		t, accepted := 1.0, false
		for ls := 0; ls < 40; ls++ {
			floats.AddScaledTo(xt, x, t, d)
			ft, gt := fg(xt)
			if ft <= f+1e-4*t*slope {
				copy(x, xt)
				f = ft
				copy(g, gt)
				accepted = true
				break
			}
			t /= 2
		}
		report(Progress{Done: int64(it + 1), Total: int64(maxIter), Stage: "logit"})
		if !accepted {
			// no decrease left at machine precision: converged if the gradient is small
			return x, it, floats.Norm(g, math.Inf(1)) < 100*tol
		}
	}
	return x, maxIter, floats.Norm(g, math.Inf(1)) < tol
}

// logitHessian fills A ((p+1)², row-major, symmetric) with the Hessian of the mean
// log-loss at x over the standardized features: (1/n) Tᵀ(Σ_i w_i z_i z_iᵀ)T with
// z_i = (1, x_i) raw, w_i = σ(η_i)(1 − σ(η_i)) and T the map from standardized to raw
// coefficients (β_j = β̃_j/s_j, b = b̃ − Σ_j μ_j β̃_j/s_j). Rows are read as CSR when sptr
// is not nil, else densely (rowOf(i) is the fit's i-th row).
func logitHessian(x, A []float64, n, p int, rowOf func(int) []float64, sptr []int, scol []int32, sval []float64, mean, sd []float64, nchunk int) {
	m := p + 1
	raw := make([]float64, p)
	b0 := x[0]
	for j := 0; j < p; j++ {
		raw[j] = x[j+1] / sd[j]
		b0 -= raw[j] * mean[j]
	}
	parts := make([][]float64, nchunk)
	chunk := (n + nchunk - 1) / nchunk
	var wg sync.WaitGroup
	for k := range parts {
		parts[k] = make([]float64, m*m)
		wg.Add(1)
		go func(P []float64, lo, hi int) {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				var z float64
				var cs []int32
				var vs []float64
				var row []float64
				if sptr != nil {
					cs, vs = scol[sptr[i]:sptr[i+1]], sval[sptr[i]:sptr[i+1]]
					z = b0
					for k, j := range cs {
						z += raw[j] * vs[k]
					}
				} else {
					row = rowOf(i)
					z = b0 + floats.Dot(raw, row)
				}
				_, q := softplusSigmoid(z)
				w := q * (1 - q)
				if w == 0 {
					continue
				}
				P[0] += w
				if sptr != nil {
					for k, a := range cs {
						wa := w * vs[k]
						P[int(a)+1] += wa // row 0 (intercept), column a+1
						ra := P[(int(a)+1)*m:]
						for k2 := k; k2 < len(cs); k2++ {
							ra[int(cs[k2])+1] += wa * vs[k2]
						}
					}
					continue
				}
				for a, va := range row {
					if va == 0 {
						continue
					}
					wa := w * va
					P[a+1] += wa
					ra := P[(a+1)*m+1 : (a+2)*m]
					floats.AddScaled(ra[a:], wa, row[a:])
				}
			}
		}(parts[k], k*chunk, min((k+1)*chunk, n))
	}
	wg.Wait()
	// upper triangle of the raw Gram matrix G (the CSR columns of a row are ascending)
	clear(A)
	for _, P := range parts {
		floats.Add(A, P)
	}
	for a := 0; a < m; a++ {
		for b := 0; b < a; b++ {
			A[a*m+b] = A[b*m+a]
		}
	}
	// H = Tᵀ G T / n: T[0][0] = 1, T[0][c] = −μ_c/s_c, T[c][c] = 1/s_c (c ≥ 1, features 0-based c−1)
	t0 := make([]float64, m)
	t0[0] = 1
	for c := 1; c < m; c++ {
		t0[c] = -mean[c-1] / sd[c-1]
	}
	// B = G T (in place, column by column: column c of B = G[:,0]·t0[c] + G[:,c]/s_c)
	for a := 0; a < m; a++ {
		ra := A[a*m : (a+1)*m]
		g0 := ra[0]
		for c := 1; c < m; c++ {
			ra[c] = g0*t0[c] + ra[c]/sd[c-1]
		}
	}
	// H = Tᵀ B: row c of H = t0[c]·B[0,:] + B[c,:]/s_c
	r0 := slices.Clone(A[:m])
	inv := 1 / float64(n)
	for c := 1; c < m; c++ {
		rc := A[c*m : (c+1)*m]
		for d := range rc {
			rc[d] = (t0[c]*r0[d] + rc[d]/sd[c-1]) * inv
		}
	}
	floats.Scale(inv, A[:m])
}

// sparseLogitDensity is the share of non-zero values under which the logit reads X as CSR.
const sparseLogitDensity = 0.35

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
