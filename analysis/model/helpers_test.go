package model

import (
	"math"
	"math/rand/v2"
)

// synth draws n rows of p standard-normal features and labels y ~ Bernoulli(σ(f(x))).
// It returns X, y and the true probabilities (the Bayes-optimal scores).
func synth(n, p int, seed uint64, f func(x []float64) float64) (*Matrix, []float64, []float64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	names := make([]string, p)
	for j := range names {
		names[j] = "x" + string(rune('0'+j%10))
		if j >= 10 {
			names[j] = "x" + string(rune('0'+j/10)) + string(rune('0'+j%10))
		}
	}
	X := NewMatrix(n, p, names)
	y := make([]float64, n)
	pt := make([]float64, n)
	for i := 0; i < n; i++ {
		row := X.Row(i)
		for j := range row {
			row[j] = rng.NormFloat64()
		}
		pt[i] = sigmoid(f(row))
		if rng.Float64() < pt[i] {
			y[i] = 1
		}
	}
	return X, y, pt
}

// linearTruth has log-odds −1 + x0 − 2·x1 + 0.5·x2.
func linearTruth(x []float64) float64 { return -1 + x[0] - 2*x[1] + 0.5*x[2] }

// nonlinearTruth has thresholds, an interaction and a sine: logit cannot represent it.
func nonlinearTruth(x []float64) float64 {
	z := -1.5
	if x[0] > 0.5 && x[1] > 0 {
		z += 2.5
	}
	z += 1.5 * math.Sin(2*x[2])
	z += x[3] * x[4]
	z += 0.5 * x[5]
	return z
}
