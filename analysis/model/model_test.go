package model

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestFitAllAlgos(t *testing.T) {
	X, y, pt := synth(4000, 6, 1, linearTruth)
	Xt, yt, ptt := synth(4000, 6, 2, linearTruth)
	bayes := AUC(ptt, yt)
	_ = pt
	for _, a := range []Algo{Logit, Tree, GBDT} {
		t.Run(string(a), func(t *testing.T) {
			c, err := Fit(context.Background(), X, y, nil, nil, DefaultOptions(a), nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.Algo() != a {
				t.Fatalf("Algo() = %s", c.Algo())
			}
			auc := AUC(c.Predict(Xt), yt)
			t.Logf("%s AUC %.4f (Bayes %.4f)", a, auc, bayes)
			if auc < 0.8*bayes {
				t.Errorf("%s AUC %.4f too far below Bayes %.4f", a, auc, bayes)
			}
			imp := c.Importance()
			s := 0.0
			for _, v := range imp {
				if v < 0 {
					t.Fatalf("negative importance %v", imp)
				}
				s += v
			}
			if math.Abs(s-1) > 1e-9 {
				t.Fatalf("importance sums to %v", s)
			}
			// x1 has the largest effect in the truth
			for j, v := range imp {
				if j != 1 && v > imp[1] {
					t.Errorf("importance of x%d (%.3f) > x1 (%.3f)", j, v, imp[1])
				}
			}
		})
	}
}

func TestFitErrors(t *testing.T) {
	ctx := context.Background()
	X := NewMatrix(4, 2, []string{"a", "b"})
	nanX := NewMatrix(4, 2, []string{"a", "b"})
	nanX.Set(2, 1, math.NaN())
	infX := NewMatrix(4, 2, []string{"a", "b"})
	infX.Set(1, 0, math.Inf(1))
	cases := []struct {
		name string
		X    *Matrix
		y    []float64
		algo Algo
		want error
		msg  string
	}{
		{"empty", NewMatrix(0, 3, nil), nil, Logit, ErrEmpty, "0×3"},
		{"nil", nil, nil, GBDT, ErrEmpty, "0×0"},
		{"length", X, []float64{0, 1, 0}, Tree, ErrLength, "4 rows but y has 3"},
		{"no positives", X, []float64{0, 0, 0, 0}, GBDT, ErrConstantTarget, "no positives"},
		{"no negatives", X, []float64{1, 1, 1, 1}, Logit, ErrConstantTarget, "no negatives"},
		{"bad label", X, []float64{0, 1, 2, 0}, Logit, ErrBadTarget, "label 2 is 2"},
		{"nan logit", nanX, []float64{0, 1, 1, 0}, Logit, ErrNaN, `row 2 column "b"`},
		{"inf gbdt", infX, []float64{0, 1, 1, 0}, GBDT, ErrNaN, `row 1 column "a" is +Inf`},
		{"algo", X, []float64{0, 1, 1, 0}, Algo("svm"), ErrAlgo, `"svm"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Fit(ctx, c.X, c.y, nil, nil, DefaultOptions(c.algo), nil)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if !contains(err.Error(), c.msg) {
				t.Fatalf("err %q does not mention %q", err, c.msg)
			}
		})
	}
	// NaN is fine for the trees
	for _, a := range []Algo{Tree, GBDT} {
		if _, err := Fit(ctx, nanX, []float64{0, 1, 1, 0}, nil, nil, DefaultOptions(a), nil); err != nil && !errors.Is(err, ErrConstantTarget) {
			t.Errorf("%s with NaN: %v", a, err)
		}
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestFitEdgeCases(t *testing.T) {
	// tiny data, a constant column and an all-NaN column: no panic, usable predictions
	X := NewMatrix(12, 3, []string{"x", "const", "allnan"})
	y := make([]float64, 12)
	for i := 0; i < 12; i++ {
		X.Set(i, 0, float64(i))
		X.Set(i, 1, 5)
		X.Set(i, 2, math.NaN())
		if i >= 6 {
			y[i] = 1
		}
	}
	for _, a := range []Algo{Tree, GBDT} {
		opt := DefaultOptions(a)
		opt.MinLeaf, opt.MinSupport, opt.MinChildWeight, opt.PruneChi2 = 1, 0, 0, 0
		c, err := Fit(context.Background(), X, y, nil, nil, opt, nil)
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		p := c.Predict(X)
		if auc := AUC(p, y); auc != 1 {
			t.Errorf("%s: AUC %v on a separable column", a, auc)
		}
		if imp := c.Importance(); imp[0] != 1 || imp[1] != 0 || imp[2] != 0 {
			t.Errorf("%s: importance %v, want all on x", a, imp)
		}
	}
}

func TestOptionalInterfaces(t *testing.T) {
	X, y, _ := synth(2000, 3, 61, linearTruth)
	c, err := Fit(context.Background(), X, y, nil, nil, DefaultOptions(Logit), nil)
	if err != nil {
		t.Fatal(err)
	}
	lin, ok := c.(Linear)
	if !ok {
		t.Fatal("logit does not implement Linear")
	}
	if b0, coef := lin.Coefficients(); len(coef) != 3 || math.Abs(b0+1) > 0.3 || math.Abs(coef[1]+2) > 0.4 {
		t.Errorf("coefficients %v %v", b0, coef)
	}
	g, err := Fit(context.Background(), X, y, nil, nil, DefaultOptions(GBDT), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, ok := g.(Boosted)
	if !ok {
		t.Fatal("gbdt does not implement Boosted")
	}
	if b.NumTrees() < 1 || len(b.ValidationLoss()) < b.NumTrees() {
		t.Errorf("%d trees, %d losses", b.NumTrees(), len(b.ValidationLoss()))
	}
}

func TestProgress(t *testing.T) {
	X, y, _ := synth(3000, 6, 71, nonlinearTruth)
	for _, a := range []Algo{Logit, Tree, GBDT} {
		var got []Progress
		if _, err := Fit(context.Background(), X, y, nil, nil, DefaultOptions(a), func(p Progress) { got = append(got, p) }); err != nil {
			t.Fatal(err)
		}
		if len(got) < 2 {
			t.Fatalf("%s: %d progress reports", a, len(got))
		}
		for k := 1; k < len(got); k++ {
			if got[k].Done < got[k-1].Done || got[k].Done > got[k].Total {
				t.Fatalf("%s: progress %+v after %+v", a, got[k], got[k-1])
			}
		}
		if last := got[len(got)-1]; last.Done != last.Total || !strings.HasPrefix(last.Stage, string(a)) {
			t.Errorf("%s: last progress %+v", a, last)
		}
	}
}
