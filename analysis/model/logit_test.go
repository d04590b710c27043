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

// TestLogitNewtonMatchesLBFGS fits a weakly penalized logit on a design with a one-hot
// block (collinear with the intercept, read as CSR) and on a dense one, by Newton's method
// and by LBFGS run to a tight gradient: the two optima must agree, and Newton must get
// there in few steps.
func TestLogitNewtonMatchesLBFGS(t *testing.T) {
	X, y, _ := synth(6000, 12, 11, linearTruth)
	dense := X
	sparse := NewMatrix(X.Rows, 12, X.Names)
	for i := 0; i < X.Rows; i++ {
		r := sparse.Row(i)
		r[0], r[1] = X.At(i, 0), 3*X.At(i, 1)+5 // numeric, one shifted and scaled
		level := int(math.Abs(X.At(i, 2))*4) % 10
		r[2+level] = 1 // one-hot of 10 levels: they sum to 1, like the intercept
	}
	for _, c := range []struct {
		name string
		X    *Matrix
	}{{"dense", dense}, {"one-hot", sparse}} {
		for _, l2 := range []float64{1e-2, 1e-5} {
			opt := DefaultOptions(Logit)
			opt.L2, opt.Workers = l2, 2
			newtonLogitOn = true
			mn, xn, err := fitLogitFrom(context.Background(), c.X, y, nil, opt, nil, func(Progress) {})
			if err != nil {
				t.Fatal(err)
			}
			newtonLogitOn = false
			opt.Tol, opt.MaxIter = 1e-9, 5000
			ml, xl, err := fitLogitFrom(context.Background(), c.X, y, nil, opt, nil, func(Progress) {})
			newtonLogitOn = true
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s L2 %g: Newton %d steps, LBFGS %d iterations", c.name, l2, mn.Iter, ml.Iter)
			if mn.Iter > 25 {
				t.Errorf("%s L2 %g: Newton took %d steps", c.name, l2, mn.Iter)
			}
			for j := range xn {
				if math.Abs(xn[j]-xl[j]) > 1e-3*(1+math.Abs(xl[j])) {
					t.Errorf("%s L2 %g: standardized coefficient %d: Newton %.6f, LBFGS %.6f", c.name, l2, j, xn[j], xl[j])
				}
			}
			pn, pl := mn.Predict(c.X), ml.Predict(c.X)
			for i := range pn {
				if math.Abs(pn[i]-pl[i]) > 1e-4 {
					t.Fatalf("%s L2 %g: row %d: Newton %.6f, LBFGS %.6f", c.name, l2, i, pn[i], pl[i])
				}
			}
		}
	}
}
