package model

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// miscalibrated draws n true probabilities, labels from them and a distorted score.
func miscalibrated(n int, seed uint64, distort func(float64) float64) (s, y []float64) {
	rng := rand.New(rand.NewPCG(seed, 5))
	s = make([]float64, n)
	y = make([]float64, n)
	for i := range s {
		p := sigmoid(rng.NormFloat64()*1.5 - 1.5)
		s[i] = distort(p)
		if rng.Float64() < p {
			y[i] = 1
		}
	}
	return s, y
}

func TestCalibration(t *testing.T) {
	cases := []struct {
		name    string
		method  string
		distort func(float64) float64
	}{
		{"platt on overconfident", "platt", func(p float64) float64 { return sigmoid(2*logitOf(p) + 1) }},
		{"isotonic on squared", "isotonic", func(p float64) float64 { return math.Sqrt(p) }},
		{"isotonic on overconfident", "isotonic", func(p float64) float64 { return sigmoid(2*logitOf(p) + 1) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, y := miscalibrated(50000, 1, c.distort)
			st, yt := miscalibrated(50000, 2, c.distort)
			before := Evaluate(st, yt).CalError
			cal, err := FitCalibrator(c.method, s, y)
			if err != nil {
				t.Fatal(err)
			}
			q := cal.ApplyAll(st)
			after := Evaluate(q, yt)
			t.Logf("CalError %.4f → %.4f (AUC %.4f → %.4f)", before, after.CalError, AUC(st, yt), after.AUC)
			if before < 0.05 {
				t.Fatalf("test data not miscalibrated: %.4f", before)
			}
			if after.CalError >= 0.01 {
				t.Errorf("CalError after %s = %.4f, want < 0.01", c.method, after.CalError)
			}
			if AUC(st, yt)-after.AUC > 0.002 {
				t.Errorf("calibration lost ranking: AUC %.4f → %.4f", AUC(st, yt), after.AUC)
			}
			// monotone
			for k := 1; k < 100; k++ {
				if cal.Apply(float64(k)/100) < cal.Apply(float64(k-1)/100)-1e-12 {
					t.Fatalf("calibration map decreases at %.2f", float64(k)/100)
				}
			}
			// JSON round trip
			b, err := json.Marshal(cal)
			if err != nil {
				t.Fatal(err)
			}
			var back Calibrator
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			for _, v := range []float64{0.001, 0.1, 0.37, 0.9} {
				if back.Apply(v) != cal.Apply(v) {
					t.Fatalf("round trip changes Apply(%v): %v vs %v", v, back.Apply(v), cal.Apply(v))
				}
			}
		})
	}
}

func TestIsotonicPAV(t *testing.T) {
	// scores 1..6 with labels 1,0,1,0,0,1: PAV pools (1,0,1,0,0)?
	// blocks: [1]=1, then 0 violates → pool {1,2}=0.5, 1 ok, 0 violates → pool {3,4}=0.5,
	// 0.5 ≥ 0.5 violates non-strictly → pool {1..4}=0.5, 0 → pool {1..5}=0.4, then 1.
	p := []float64{1, 2, 3, 4, 5, 6}
	y := []float64{1, 0, 1, 0, 0, 1}
	c, err := FitCalibrator("isotonic", p, y)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.X) != 2 || c.X[0] != 3 || c.Y[0] != 0.4 || c.X[1] != 6 || c.Y[1] != 1 {
		t.Fatalf("knots %v → %v", c.X, c.Y)
	}
	if got := c.Apply(4.5); math.Abs(got-0.7) > 1e-12 {
		t.Errorf("interpolated %v, want 0.7", got)
	}
	if c.Apply(0) != 0.4 || c.Apply(10) != 1 {
		t.Error("not flat beyond the ends")
	}
}

func TestCalibratorErrors(t *testing.T) {
	if _, err := FitCalibrator("platt", []float64{0.1}, []float64{1, 0}); !errors.Is(err, ErrLength) {
		t.Errorf("length: %v", err)
	}
	if _, err := FitCalibrator("platt", []float64{0.1, 0.2}, []float64{1, 1}); !errors.Is(err, ErrConstantTarget) {
		t.Errorf("constant: %v", err)
	}
	if _, err := FitCalibrator("beta", []float64{0.1, 0.2}, []float64{1, 0}); err == nil {
		t.Error("unknown method accepted")
	}
	var c Calibrator
	if err := json.Unmarshal([]byte(`{"method":"isotonic","x":[1],"y":[]}`), &c); err == nil {
		t.Error("broken isotonic JSON accepted")
	}
}

// TestShiftLogOdds: a shifted calibrator's probability is the original's with its log-odds
// moved by d — exactly for Platt at any score, and at every knot for isotonic — and the
// original is left as it was.
func TestShiftLogOdds(t *testing.T) {
	p := []float64{0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9, 0.95, 0.15, 0.35, 0.55, 0.75}
	y := []float64{0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1}
	const d = -1.7
	shift := func(q float64) float64 {
		if q <= 0 || q >= 1 {
			return q
		}
		return sigmoid(logitOf(q) + d)
	}
	for _, m := range []string{"platt", "isotonic"} {
		c, err := FitCalibrator(m, p, y)
		if err != nil {
			t.Fatal(err)
		}
		before := c.ApplyAll(p)
		s := c.ShiftLogOdds(d)
		at := p
		if m == "isotonic" {
			at = c.X
		}
		for _, v := range at {
			if got, want := s.Apply(v), shift(c.Apply(v)); math.Abs(got-want) > 1e-12 {
				t.Fatalf("%s: shifted Apply(%v) = %v, want %v", m, v, got, want)
			}
		}
		for i, v := range c.ApplyAll(p) {
			if v != before[i] {
				t.Fatalf("%s: the original calibrator changed", m)
			}
		}
	}
}
