package monitor

import (
	"math"
	"testing"
)

// DeLong by hand on five units (positives 0 and 1):
//
//	score 1: 0.9 0.4 | 0.5 0.2 0.1  → V10 = [1, 2/3], V01 = [1/2, 1, 1], AUC 5/6
//	score 2: 0.6 0.8 | 0.7 0.3 0.6  → V10 = [1/2, 1], V01 = [1/2, 1, 3/4], AUC 3/4
//	S10 (n−1 = 1): var1 1/18, var2 1/8, cov −1/12 → (1/18 + 1/8 + 1/6)/2 = 0.1736111
//	S01 (n−1 = 2): var1 1/12, var2 1/16, cov 1/16 → (1/12 + 1/16 − 1/8)/3 = 0.0069444
//	SE = √0.1805556 = 0.4249183, z = (3/4 − 5/6)/SE = −0.1961161, p = erfc(|z|/√2) = 0.8445.
func TestDeLongByHand(t *testing.T) {
	y := []bool{true, true, false, false, false}
	r := DeLong([]float64{0.9, 0.4, 0.5, 0.2, 0.1}, []float64{0.6, 0.8, 0.7, 0.3, 0.6}, y)
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"AUC1", r.AUC1, 5.0 / 6}, {"AUC2", r.AUC2, 0.75}, {"SE", r.SE, 0.4249183}, {"Z", r.Z, -0.1961161}, {"P", r.P, 0.8445}} {
		if math.Abs(c.got-c.want) > 1e-4 {
			t.Errorf("%s = %.7f, want %.7f", c.name, c.got, c.want)
		}
	}
	// Identical rankings: no variance, no test.
	if s := DeLong([]float64{3, 2, 1}, []float64{30, 20, 10}, []bool{true, false, false}); s.SE != 0 || !math.IsNaN(s.P) || s.AUC1 != 1 || s.AUC2 != 1 {
		t.Errorf("identical rankings: %+v", s)
	}
	// One class only: undefined.
	if s := DeLong([]float64{1, 2}, []float64{2, 1}, []bool{true, true}); !math.IsNaN(s.AUC1) {
		t.Errorf("one class: %+v", s)
	}
}

func TestOnOutcomes(t *testing.T) {
	// Ten members, three converted; the top 30 % (3) by score holds two of them.
	s := []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}
	y := []bool{true, false, true, false, false, true, false, false, false, false}
	m := onOutcomes("m", s, y, 0.7, 100, 5)
	if math.Abs(m.Captured-2.0/3) > 1e-12 || math.Abs(m.TopRate-2.0/3) > 1e-12 || m.AUC != 0.7 {
		t.Errorf("%+v", m)
	}
	// Profit of the top 3: 2 conversions × 100 − 3 contacts × 5 = 185.
	if m.Profit != 185 {
		t.Errorf("profit %v, want 185", m.Profit)
	}
	// Scores as probabilities p = s/10: mean .55; ten bins of one member each, so the
	// calibration error is the mean |p − y| over p = 1.0, .9, …, .1 and y = 1,0,1,0,0,1,0,0,0,0.
	p := make([]float64, len(s))
	for i, v := range s {
		p[i] = v / 10
	}
	c := onOutcomes("p", p, y, 0.7, 100, 5)
	want := (0 + .9 + .2 + .7 + .6 + .5 + .4 + .3 + .2 + .1) / 10.0
	if math.Abs(c.MeanScore-.55) > 1e-12 || math.Abs(c.CalError-want) > 1e-12 {
		t.Errorf("mean %v, cal.err %v (want %v)", c.MeanScore, c.CalError, want)
	}
}
