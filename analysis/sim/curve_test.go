package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// truthCurve is the generator's form (n/m)^γ·exp(γ(1 − n/m)) scaled by base.
func truthCurve(base, m, gamma float64) func(float64) float64 {
	return func(n float64) float64 { return base * math.Pow(n/m, gamma) * math.Exp(gamma*(1-n/m)) }
}

func syntheticBins(seed uint64, contactsPerN float64, maxN int, r func(float64) float64, q func(float64) float64) []CurveBin {
	src := rand.New(rand.NewPCG(seed, 1))
	var bins []CurveBin
	for n := 1; n <= maxN; n++ {
		acc := distuv.Binomial{N: contactsPerN, P: r(float64(n)), Src: src}.Rand()
		opt := 0.0
		if q != nil {
			opt = distuv.Binomial{N: contactsPerN, P: q(float64(n)), Src: src}.Rand()
		}
		bins = append(bins, CurveBin{N: n, Contacts: contactsPerN, Accepts: acc, OptOuts: opt, Revenue: 1000 * acc})
	}
	return bins
}

func TestFitResponseCurve(t *testing.T) {
	cases := []struct {
		name        string
		m, gamma    float64
		maxN        int
		contactsPer float64
	}{
		{"top", 10, 2.08, 16, 20000},
		{"base", 6.5, 1.6, 14, 20000},
	}
	for _, c := range cases {
		truth := truthCurve(0.04, c.m, c.gamma)
		bins := syntheticBins(7, c.contactsPer, c.maxN, truth, func(n float64) float64 { return 0.002 * (n / c.m) * (n / c.m) })
		fit, err := FitResponseCurve([][]CurveBin{bins}, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if math.Abs(fit.Peak()-c.m) > 0.5 {
			t.Errorf("%s: peak %.2f, true %.2f (fit %+v)", c.name, fit.Peak(), c.m, fit)
		}
		if math.Abs(fit.C-c.gamma) > 0.3 {
			t.Errorf("%s: C %.2f, true γ %.2f", c.name, fit.C, c.gamma)
		}
		for _, n := range []float64{2, 6, 10} {
			if got, want := fit.At(n), truth(n); math.Abs(got-want) > 0.15*want {
				t.Errorf("%s: r(%v) = %.4f, true %.4f", c.name, n, got, want)
			}
		}
		// The relative 3→4 steady-state effect 4·r(8)/(3·r(6)) − 1.
		got := fit.PeriodYield(4, 6)/fit.PeriodYield(3, 6) - 1
		want := 4*truth(8)/(3*truth(6)) - 1
		if math.Abs(got-want) > 0.08 {
			t.Errorf("%s: 3→4 effect %.3f, true %.3f", c.name, got, want)
		}
		oc, err := FitOptOutCurve(bins, nil)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(oc.D-2) > 0.4 {
			t.Errorf("%s: opt-out exponent %.2f, true 2", c.name, oc.D)
		}
	}
}

func TestFitResponseCurveTooLittle(t *testing.T) {
	if _, err := FitResponseCurve([][]CurveBin{{{N: 1, Contacts: 10, Accepts: 1}, {N: 2, Contacts: 10}}}, nil); err == nil {
		t.Error("two levels accepted")
	}
	if _, err := FitResponseCurve([][]CurveBin{{{N: 1, Contacts: 10}, {N: 2, Contacts: 10}, {N: 3, Contacts: 5}}}, nil); err == nil {
		t.Error("no acceptances accepted")
	}
	c := ResponseCurve{A: 0.01, B: 4, C: -2}
	if c.Peak() != 0 || c.BestPerPeriod(6) != 0 {
		t.Errorf("falling curve has a peak %v / %v", c.Peak(), c.BestPerPeriod(6))
	}
	if c.At(0) != 0 || math.IsNaN(c.At(0)) {
		t.Error("r(0) not 0")
	}
}

// TestFitResponseCurveStrata plants confounding: customers with more prior contacts (stratum
// s) have a lower propensity, as when a targeting model leaves high-propensity owners alone.
// Pooling all offers biases the peak; the stratified fit recovers it.
func TestFitResponseCurveStrata(t *testing.T) {
	truth := truthCurve(1, 10, 2.08)
	src := rand.New(rand.NewPCG(11, 2))
	var strata [][]CurveBin
	var pooled = map[int]*CurveBin{}
	for s := 0; s <= 6; s++ {
		scale := 0.10 / (1 + 0.5*float64(s))
		var st []CurveBin
		for j := 1; j <= 8; j++ {
			n := s + j
			N := 6000.0
			acc := distuv.Binomial{N: N, P: scale * truth(float64(n)), Src: src}.Rand()
			st = append(st, CurveBin{N: n, Contacts: N, Accepts: acc})
			if pooled[n] == nil {
				pooled[n] = &CurveBin{N: n}
			}
			pooled[n].Contacts += N
			pooled[n].Accepts += acc
		}
		strata = append(strata, st)
	}
	var pool []CurveBin
	for n := 1; n <= 14; n++ {
		pool = append(pool, *pooled[n])
	}
	fs, err := FitResponseCurve(strata, nil)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := FitResponseCurve([][]CurveBin{pool}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stratified peak %.2f, pooled peak %.2f, truth 10", fs.Peak(), fp.Peak())
	if math.Abs(fs.Peak()-10) > 0.6 {
		t.Errorf("stratified peak %.2f, truth 10", fs.Peak())
	}
	if math.Abs(fp.Peak()-10) < 2*math.Abs(fs.Peak()-10) {
		t.Errorf("the planted confounding did not bias the pooled fit (%.2f) more than the stratified one (%.2f)", fp.Peak(), fs.Peak())
	}
}

func ExampleFitResponseCurve() {
	// Expected acceptances of 10,000 offers at each n under a curve peaking at 10 a year.
	truth := truthCurve(0.05, 10, 2)
	var bins []CurveBin
	for n := 1; n <= 16; n++ {
		bins = append(bins, CurveBin{N: n, Contacts: 10000, Accepts: 10000 * truth(float64(n))})
	}
	c, err := FitResponseCurve([][]CurveBin{bins}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("peak %.1f offers a year; 3→4 per half year: %+.0f %%\n", c.Peak(), 100*(c.PeriodYield(4, 6)/c.PeriodYield(3, 6)-1))
	// Output: peak 10.0 offers a year; 3→4 per half year: +59 %
}
