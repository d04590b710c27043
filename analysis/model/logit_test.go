package model

import (
	"context"
	"math"
	"testing"
)

func TestLogitRecoversCoefficients(t *testing.T) {
	// truth: −1 + x0 − 2·x1 + 0.5·x2, x3 and x4 are noise; x2 is rescaled ×10 to
	// check the mapping back from standardized coefficients.
	X, y, _ := synth(30000, 5, 3, linearTruth)
	for i := 0; i < X.Rows; i++ {
		X.Set(i, 2, 10*X.At(i, 2))
	}
	want := []float64{1, -2, 0.05, 0, 0}
	cases := []struct {
		name   string
		l2, l1 float64
		tol    float64
	}{
		{"l2", 1e-4, 0, 0.08},
		{"l1", 0, 1e-4, 0.08},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opt := DefaultOptions(Logit)
			opt.L2, opt.L1 = c.l2, c.l1
			m, err := Fit(context.Background(), X, y, nil, nil, opt, nil)
			if err != nil {
				t.Fatal(err)
			}
			b0, coef := m.(*logitModel).Coefficients()
			t.Logf("intercept %.3f coef %.3f iterations %d", b0, coef, m.(*logitModel).Iter)
			if math.Abs(b0+1) > c.tol {
				t.Errorf("intercept %.3f, want −1", b0)
			}
			for j, w := range want {
				tol := c.tol
				if j == 2 {
					tol /= 10
				}
				if math.Abs(coef[j]-w) > tol {
					t.Errorf("coef[%d] = %.3f, want %.3f ± %.3f", j, coef[j], w, tol)
				}
			}
		})
	}
}

func TestLogitL1Shrinks(t *testing.T) {
	X, y, _ := synth(5000, 8, 4, linearTruth)
	opt := DefaultOptions(Logit)
	opt.L2, opt.L1 = 0, 0.05
	m, err := Fit(context.Background(), X, y, nil, nil, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, coef := m.(*logitModel).Coefficients()
	_, free := mustLogit(t, X, y, DefaultOptions(Logit))
	// strong L1 drives noise coefficients (x3..x7) to ≈0 and shrinks the signal
	for j := 3; j < 8; j++ {
		if math.Abs(coef[j]) > 0.01 {
			t.Errorf("L1 noise coef[%d] = %.4f, want ≈0", j, coef[j])
		}
	}
	if math.Abs(coef[1]) >= math.Abs(free[1]) {
		t.Errorf("L1 did not shrink coef[1]: %.3f vs %.3f", coef[1], free[1])
	}
}

func mustLogit(t *testing.T, X *Matrix, y []float64, opt Options) (float64, []float64) {
	t.Helper()
	m, err := Fit(context.Background(), X, y, nil, nil, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*logitModel).Coefficients()
}
