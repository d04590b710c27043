package nbo

import (
	"math"
)

// logistic fits P(y=1) = σ(offset + X·β) by Newton–Raphson with a small ridge penalty
// (λ·|β|², no penalty on column 0 when it is the intercept), on rows of X (row-major, p
// columns). It stops when the step is below 1e-8 or after 50 iterations.
func logistic(X []float64, p int, y, offset []float64, ridge float64) []float64 {
	n := len(y)
	beta := make([]float64, p)
	H := make([]float64, p*p)
	g := make([]float64, p)
	for it := 0; it < 50; it++ {
		for j := range g {
			g[j] = 0
		}
		for j := range H {
			H[j] = 0
		}
		for i := 0; i < n; i++ {
			row := X[i*p : (i+1)*p]
			z := 0.0
			if offset != nil {
				z = offset[i]
			}
			for j, x := range row {
				z += x * beta[j]
			}
			mu := sigmoid(z)
			w := mu * (1 - mu)
			r := y[i] - mu
			for j, xj := range row {
				if xj == 0 {
					continue
				}
				g[j] += xj * r
				for l, xl := range row {
					H[j*p+l] += w * xj * xl
				}
			}
		}
		for j := 1; j < p; j++ {
			g[j] -= 2 * ridge * beta[j]
			H[j*p+j] += 2 * ridge
		}
		H[0] += 1e-9
		step := solve(H, g, p)
		if step == nil {
			break
		}
		max := 0.0
		for j := range beta {
			beta[j] += step[j]
			max = math.Max(max, math.Abs(step[j]))
		}
		if max < 1e-8 {
			break
		}
	}
	return beta
}

// solve solves A·x = b (A p×p, copied) by Gaussian elimination with partial pivoting; nil
// when A is singular.
func solve(A, b []float64, p int) []float64 {
	a := append([]float64(nil), A...)
	x := append([]float64(nil), b...)
	for c := 0; c < p; c++ {
		piv := c
		for r := c + 1; r < p; r++ {
			if math.Abs(a[r*p+c]) > math.Abs(a[piv*p+c]) {
				piv = r
			}
		}
		if math.Abs(a[piv*p+c]) < 1e-12 {
			return nil
		}
		if piv != c {
			for k := 0; k < p; k++ {
				a[c*p+k], a[piv*p+k] = a[piv*p+k], a[c*p+k]
			}
			x[c], x[piv] = x[piv], x[c]
		}
		for r := c + 1; r < p; r++ {
			f := a[r*p+c] / a[c*p+c]
			if f == 0 {
				continue
			}
			for k := c; k < p; k++ {
				a[r*p+k] -= f * a[c*p+k]
			}
			x[r] -= f * x[c]
		}
	}
	for c := p - 1; c >= 0; c-- {
		s := x[c]
		for k := c + 1; k < p; k++ {
			s -= a[c*p+k] * x[k]
		}
		x[c] = s / a[c*p+c]
	}
	return x
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// logit is log(p/(1−p)) with p clamped to [1e-6, 1−1e-6].
func logit(p float64) float64 {
	p = math.Min(math.Max(p, 1e-6), 1-1e-6)
	return math.Log(p / (1 - p))
}
