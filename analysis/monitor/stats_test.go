package monitor

import (
	"math"
	"testing"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol || math.IsNaN(got) {
		t.Errorf("%s = %.6f, want %.6f (±%g)", what, got, want, tol)
	}
}

func TestWilsonByHand(t *testing.T) {
	// 1 of 10: p = .1, z² = 3.8415; centre (.1 + .19207)/1.38415 = .21101,
	// half 1.96·√(.009 + .0096037)/1.38415 = .19314.
	iv := Wilson(1, 10)
	near(t, "est", iv.Est, 0.1, 1e-12)
	near(t, "lo", iv.Lo, 0.01787, 1e-4)
	near(t, "hi", iv.Hi, 0.40415, 1e-4)
	// 0 of 20: [0, z²/(n+z²)] = [0, 3.8415/23.8415].
	iv = Wilson(0, 20)
	near(t, "lo0", iv.Lo, 0, 1e-12)
	near(t, "hi0", iv.Hi, 3.8415/23.8415, 1e-4)
	if iv := Wilson(0, 0); iv.Lo != 0 || iv.Hi != 1 || !math.IsNaN(iv.Est) {
		t.Errorf("Wilson(0,0) = %+v", iv)
	}
}

func TestPredictedByHand(t *testing.T) {
	// Σp = 1, Σp(1−p) = .09+.16+.21+.24 = .70: .25 ± 1.96·√.7/4 = .25 ± .40996.
	iv := Predicted([]float64{.1, .2, .3, .4})
	near(t, "est", iv.Est, 0.25, 1e-12)
	near(t, "lo", iv.Lo, 0, 1e-12) // clipped
	near(t, "hi", iv.Hi, 0.25+Z95*math.Sqrt(0.7)/4, 1e-12)
	near(t, "hi by hand", iv.Hi, 0.65996, 1e-4)
}

func TestDiffNewcombeExample(t *testing.T) {
	// Newcombe (1998), Statistics in Medicine 17, table II example (a): 56/70 − 48/80 =
	// .2000 with the method-10 interval .0524 … .3339.
	iv := Diff(56, 70, 48, 80)
	near(t, "est", iv.Est, 0.2, 1e-12)
	near(t, "lo", iv.Lo, 0.0524, 1e-4)
	near(t, "hi", iv.Hi, 0.3339, 1e-4)
	// A control rate of zero keeps a positive-width upper arm for the control side.
	iv = Diff(5, 100, 0, 20)
	if !(iv.Lo < 0 && iv.Hi > 0.05) {
		t.Errorf("Diff(5/100, 0/20) = %+v, want an interval around .05 crossing 0", iv)
	}
}

func TestPSIByHand(t *testing.T) {
	// (.4−.5)·ln(.8) + (.6−.5)·ln(1.2) = .022314 + .018232.
	near(t, "psi", PSI([]float64{50, 50}, []float64{40, 60}), 0.040546, 1e-6)
	near(t, "shares and counts agree", PSI([]float64{.5, .5}, []float64{4, 6}), 0.040546, 1e-6)
	near(t, "identical", PSI([]float64{1, 2, 3}, []float64{2, 4, 6}), 0, 1e-12)
	// An empty baseline bin counts as 1e-4: (.5−1)·ln(.5) + (.5−1e-4)·ln(.5/1e-4) = .34657 + 4.25775.
	near(t, "empty bin", PSI([]float64{1, 0}, []float64{.5, .5}), 4.60432, 1e-4)
	// Ten deciles, the current population shifted by one decile: 0.1 → 0 at the bottom
	// (floored), 0.2 at the top.
	e := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	a := []float64{0, 1, 1, 1, 1, 1, 1, 1, 1, 2}
	want := (1e-4-0.1)*math.Log(1e-4/0.1) + (0.2-0.1)*math.Log(2)
	near(t, "shift", PSI(e, a), want, 1e-9)
}

func TestQiniByHand(t *testing.T) {
	// Ranked: T✓ (.9), C✗ (.8), T✗ (.7), C✓ (.6). N_t = N_c = 2.
	// After 1: R_t=1, N_c=0 → gain 1/2. After 2: 1 − 0·1/1 → 1/2. After 3: 1 − 0 → 1/2.
	// After 4: 1 − 1·2/2 = 0. Uplift 0, so Q = area under the curve:
	// .25·(0+.5)/2 + .25·.5 + .25·.5 + .25·(.5+0)/2 = .375.
	units := []Unit{{Score: .6, Converted: true}, {Score: .9, Treated: true, Converted: true}, {Score: .7, Treated: true}, {Score: .8}}
	curve, q := Qini(units)
	want := []QiniPoint{{Depth: 0, Gain: 0}, {Depth: .25, Gain: .5}, {Depth: .5, Gain: .5}, {Depth: .75, Gain: .5}, {Depth: 1, Gain: 0}}
	if len(curve) != len(want) {
		t.Fatalf("curve %v", curve)
	}
	for i := range want {
		near(t, "depth", curve[i].Depth, want[i].Depth, 1e-12)
		near(t, "gain", curve[i].Gain, want[i].Gain, 1e-12)
	}
	near(t, "Q", q, 0.375, 1e-12)
	// The reverse ranking finds the control converter first: gains 0, 0 − 1·0/1… → negative Q.
	for i := range units {
		units[i].Score = -units[i].Score
	}
	_, qr := Qini(units)
	if !(qr < 0) {
		t.Errorf("reversed ranking Q = %v, want negative", qr)
	}
	// Ties enter together: one score for all → a straight line, Q = 0.
	for i := range units {
		units[i].Score = 1
	}
	curve, q = Qini(units)
	if len(curve) != 2 || q != 0 {
		t.Errorf("all tied: curve %v, Q %v", curve, q)
	}
	if c, q := Qini([]Unit{{Score: 1, Treated: true, Converted: true}}); c != nil || !math.IsNaN(q) {
		t.Errorf("no control: %v %v", c, q)
	}
}

func TestQiniUpliftEndpoint(t *testing.T) {
	// 3 of 4 treated convert, 1 of 4 controls: the curve ends at the uplift .75 − .25 = .5.
	var us []Unit
	for i := 0; i < 4; i++ {
		us = append(us, Unit{Score: float64(10 - i), Treated: true, Converted: i < 3}, Unit{Score: float64(5 - i), Treated: false, Converted: i == 0})
	}
	curve, _ := Qini(us)
	near(t, "end", curve[len(curve)-1].Gain, 0.5, 1e-12)
	near(t, "end depth", curve[len(curve)-1].Depth, 1, 1e-12)
}

// TopShare by hand: ten contacted members, the top 30 % is three. By the true uplift the
// three largest effects sum to 0.5 + 0.4 + 0.3 = 1.2; a score that ranks members 1, 2, 3 first
// finds 0.1 + 0.3 + 0 = 0.4, a third of it.
func TestTopShareByHand(t *testing.T) {
	tau := []float64{0.5, 0.1, 0.3, 0, 0.2, 0.4, 0, 0.1, 0, 0.05}
	score := []float64{0, 9, 8, 7, 6, 5, 4, 3, 2, 1}
	if got := TopShare(score, tau); math.Abs(got-0.4/1.2) > 1e-12 {
		t.Errorf("TopShare %v, want %v", got, 0.4/1.2)
	}
	if got := TopShare(tau, tau); got != 1 {
		t.Errorf("TopShare of the truth itself %v, want 1", got)
	}
	if got := TopShare([]float64{1, 2}, []float64{-0.1, -0.2}); !math.IsNaN(got) {
		t.Errorf("no member in the top: %v, want NaN", got)
	}
	if got := TopShare(score, []float64{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}); !math.IsNaN(got) {
		t.Errorf("no positive effect: %v, want NaN", got)
	}
}
