package model

import (
	"context"
	"errors"
	"math"
	"testing"
)

// The contributions of every row sum to the model's raw score: exactly for logit (up to the
// order of the float additions), within 1e-9 for a tree and gbdt.
func TestContributionsSumToRawScore(t *testing.T) {
	X, y, _ := synth(3000, 6, 11, nonlinearTruth)
	for i := 0; i < X.Rows; i += 97 {
		X.Set(i, 2, math.NaN()) // missing values take the learned direction
	}
	for _, a := range []Algo{Logit, Tree, GBDT} {
		Xa := X
		if a == Logit {
			Xa = &Matrix{Rows: X.Rows, Cols: X.Cols, Data: append([]float64(nil), X.Data...), Names: X.Names}
			for i := range Xa.Data {
				if Xa.Data[i] != Xa.Data[i] {
					Xa.Data[i] = 0
				}
			}
		}
		c, err := Fit(context.Background(), Xa, y, nil, nil, DefaultOptions(a), nil)
		if err != nil {
			t.Fatal(a, err)
		}
		p := c.Predict(Xa)
		tol := 1e-9
		if a == Logit {
			tol = 1e-12
		}
		nonzero := 0
		for i := 0; i < Xa.Rows; i++ {
			bias, con, err := Contributions(c, Xa.Row(i))
			if err != nil {
				t.Fatal(a, err)
			}
			raw, _ := Raw(c, Xa.Row(i))
			sum := bias
			for _, v := range con {
				sum += v
				if v != 0 {
					nonzero++
				}
			}
			if math.Abs(sum-raw) > tol*math.Max(1, math.Abs(raw)) {
				t.Fatalf("%s row %d: bias + Σ contributions = %.15g, raw score %.15g", a, i, sum, raw)
			}
			// The raw score is the prediction (tree) or its log-odds (logit, gbdt).
			want := raw
			if a != Tree {
				want = sigmoid(raw)
			}
			if math.Abs(want-p[i]) > 1e-12 {
				t.Fatalf("%s row %d: raw score %.15g does not give Predict %.15g", a, i, raw, p[i])
			}
		}
		if nonzero == 0 {
			t.Errorf("%s: every contribution is zero", a)
		}
	}
}

func TestContributionsRejectsWrongLengthAndBlend(t *testing.T) {
	X, y, _ := synth(500, 3, 3, linearTruth)
	c, err := Fit(context.Background(), X, y, nil, nil, DefaultOptions(Logit), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Contributions(c, []float64{1, 2}); !errors.Is(err, ErrLength) {
		t.Errorf("2 values for 3 features: err %v, want ErrLength", err)
	}
	b, err := NewBlend([]Classifier{c, c}, nil, []float64{0.5, 0.5})
	if err == nil {
		if _, _, err := Contributions(b, X.Row(0)); !errors.Is(err, ErrNoContributions) {
			t.Errorf("blend: err %v, want ErrNoContributions", err)
		}
	}
}
