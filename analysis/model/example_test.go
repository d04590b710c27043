package model_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/acrm-dev/acrm/analysis/model"
)

// customers draws a small synthetic base: the response rate is 0.5 for customers with
// at least 8 mobile subscriptions in transport, 0.05 otherwise.
func customers(n int, seed uint64) (*model.Matrix, []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	X := model.NewMatrix(n, 3, []string{"mobile_subs", "sector=transport", "tenure_months"})
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		subs := float64(rng.IntN(16))
		transport := float64(rng.IntN(2))
		X.Set(i, 0, subs)
		X.Set(i, 1, transport)
		X.Set(i, 2, float64(rng.IntN(120)))
		rate := 0.05
		if subs >= 8 && transport == 1 {
			rate = 0.5
		}
		if rng.Float64() < rate {
			y[i] = 1
		}
	}
	return X, y
}

func ExampleFit() {
	X, y := customers(5000, 1)
	train, test := model.StratifiedSplit(y, 0.3, 7)
	opt := model.DefaultOptions(model.GBDT)
	c, err := model.Fit(context.Background(), X.Subset(train), pick(y, train), nil, nil, opt, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	auc := model.AUC(c.Predict(X.Subset(test)), pick(y, test))
	fmt.Printf("%s holdout AUC %.2f\n", c.Algo(), auc)
	// Output: gbdt holdout AUC 0.78
}

func ExampleRules() {
	X, y := customers(5000, 2)
	c, _ := model.Fit(context.Background(), X, y, nil, nil, model.DefaultOptions(model.Tree), nil)
	for _, r := range model.Rules(c, X, y, 1) {
		fmt.Printf("%s: coverage %.0f%%, lift %.1f\n", r.Text, 100*r.Coverage, r.Lift)
	}
	// Output: sector = transport and mobile_subs ≥ 8: coverage 25%, lift 3.1
}

func ExampleAUC() {
	p := []float64{0.9, 0.8, 0.7, 0.7, 0.2}
	y := []float64{1, 0, 1, 0, 0}
	// positives beat negatives in 4.5 of 6 pairs (one tie)
	fmt.Println(model.AUC(p, y))
	// Output: 0.75
}

func ExampleEvaluate() {
	p := []float64{0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05}
	y := []float64{1, 1, 0, 1, 0, 0, 0, 0, 0, 0}
	m := model.Evaluate(p, y)
	fmt.Printf("base rate %.1f, AUC %.3f, top-decile lift %.2f, Brier %.3f\n", m.BaseRate, m.AUC, m.TopDecileLift, m.Brier)
	// Output: base rate 0.3, AUC 0.952, top-decile lift 3.33, Brier 0.125
}

func ExampleFitCalibrator() {
	// scores that are too extreme: the true rate at score 0.9 is 0.6
	var p, y []float64
	for i := 0; i < 1000; i++ {
		p = append(p, 0.9, 0.1)
		y = append(y, float64(boolToInt(i%5 < 3)), float64(boolToInt(i%5 == 0)))
	}
	c, _ := model.FitCalibrator("isotonic", p, y)
	fmt.Printf("0.9 → %.2f, 0.1 → %.2f\n", c.Apply(0.9), c.Apply(0.1))
	// Output: 0.9 → 0.60, 0.1 → 0.20
}

func ExampleStratifiedSplit() {
	y := []float64{1, 0, 0, 0, 1, 0, 0, 0, 1, 0}
	train, test := model.StratifiedSplit(y, 0.3, 1)
	pos := 0
	for _, i := range test {
		pos += int(y[i])
	}
	fmt.Println(len(train), len(test), pos)
	// Output: 7 3 1
}

func ExampleMarshal() {
	X, y := customers(1000, 3)
	c, _ := model.Fit(context.Background(), X, y, nil, nil, model.DefaultOptions(model.Logit), nil)
	b, _ := model.Marshal(c)
	back, _ := model.Unmarshal(b)
	fmt.Println(back.Algo(), back.Predict(X)[0] == c.Predict(X)[0])
	// Output: logit true
}

func pick(v []float64, rows []int) []float64 {
	out := make([]float64, len(rows))
	for k, i := range rows {
		out[k] = v[i]
	}
	return out
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
