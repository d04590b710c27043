package model

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// plantedRule draws customers with mobile_subs 0..19, a one-hot sector and a noise
// column; the response rate is 0.6 when mobile_subs ≥ 8 and sector = transport,
// otherwise 0.05.
func plantedRule(n int, seed uint64) (*Matrix, []float64) {
	rng := rand.New(rand.NewPCG(seed, 3))
	X := NewMatrix(n, 5, []string{"mobile_subs", "sector=transport", "sector=retail", "sector=other", "noise"})
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		subs := float64(rng.IntN(20))
		X.Set(i, 0, subs)
		sec := rng.IntN(3)
		X.Set(i, 1+sec, 1)
		X.Set(i, 4, rng.NormFloat64())
		rate := 0.05
		if subs >= 8 && sec == 0 {
			rate = 0.6
		}
		if rng.Float64() < rate {
			y[i] = 1
		}
	}
	return X, y
}

func TestTreeRulesPlanted(t *testing.T) {
	X, y := plantedRule(20000, 5)
	opt := DefaultOptions(Tree)
	opt.MaxDepth, opt.MaxLeaves = 3, 6
	c, err := Fit(context.Background(), X, y, nil, nil, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	rules := Rules(c, X, y, 5)
	if len(rules) == 0 {
		t.Fatal("no rules")
	}
	for _, r := range rules {
		t.Logf("%-50s n=%5d cov=%.3f rate=%.3f lift=%.2f", r.Text, r.N, r.Coverage, r.Rate, r.Lift)
	}
	top := rules[0]
	got := slices.Clone(top.Conditions)
	slices.Sort(got)
	if want := []string{"mobile_subs ≥ 8", "sector = transport"}; !slices.Equal(got, want) {
		t.Fatalf("top rule %q, want conditions %q", top.Text, want)
	}
	// brute-force the segment's statistics
	n, pos, all := 0, 0, 0.0
	for i := 0; i < X.Rows; i++ {
		all += y[i]
		if X.At(i, 0) >= 8 && X.At(i, 1) == 1 {
			n++
			pos += int(y[i])
		}
	}
	base := all / float64(X.Rows)
	if top.N != n || top.Positives != pos {
		t.Errorf("top rule N=%d Positives=%d, brute force %d, %d", top.N, top.Positives, n, pos)
	}
	if math.Abs(top.Coverage-float64(n)/float64(X.Rows)) > 1e-12 ||
		math.Abs(top.Rate-float64(pos)/float64(n)) > 1e-12 ||
		math.Abs(top.Lift-float64(pos)/float64(n)/base) > 1e-12 {
		t.Errorf("top rule coverage/rate/lift %.4f/%.4f/%.4f disagree with brute force", top.Coverage, top.Rate, top.Lift)
	}
	if top.Rate < 0.5 || top.Lift < 3 {
		t.Errorf("planted segment rate %.3f lift %.2f, want ≈0.6 and > 3", top.Rate, top.Lift)
	}
	for k := 1; k < len(rules); k++ {
		if rules[k].Lift > rules[k-1].Lift || rules[k].Lift <= 1 {
			t.Errorf("rules not ordered by lift > 1: %v", rules)
		}
	}
	if !strings.Contains(top.Text, " and ") {
		t.Errorf("text %q does not join conditions with and", top.Text)
	}
}

func TestRulesSurrogate(t *testing.T) {
	X, y := plantedRule(10000, 6)
	for _, a := range []Algo{Logit, GBDT} {
		c, err := Fit(context.Background(), X, y, nil, nil, DefaultOptions(a), nil)
		if err != nil {
			t.Fatal(err)
		}
		rules := Rules(c, X, y, 3)
		if len(rules) == 0 || len(rules) > 3 {
			t.Fatalf("%s: %d rules", a, len(rules))
		}
		top := rules[0]
		t.Logf("%s: %s lift %.2f coverage %.3f", a, top.Text, top.Lift, top.Coverage)
		if top.Coverage < surrogateMinSupport-1e-9 {
			t.Errorf("%s: coverage %.3f below the surrogate minimum", a, top.Coverage)
		}
		if !strings.Contains(top.Text, "sector = transport") || top.Lift < 2 {
			t.Errorf("%s: top rule %q lift %.2f does not find the planted segment", a, top.Text, top.Lift)
		}
	}
}

func TestTreeMissingValues(t *testing.T) {
	// x0 missing means "high rate": the tree must route NaN and say so in the rule.
	rng := rand.New(rand.NewPCG(9, 9))
	n := 6000
	X := NewMatrix(n, 2, []string{"nps", "noise"})
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		rate := 0.1
		if rng.Float64() < 0.3 {
			X.Set(i, 0, math.NaN())
			rate = 0.5
		} else {
			X.Set(i, 0, float64(rng.IntN(11)))
		}
		X.Set(i, 1, rng.NormFloat64())
		if rng.Float64() < rate {
			y[i] = 1
		}
	}
	opt := DefaultOptions(Tree)
	opt.MaxDepth, opt.MaxLeaves = 1, 2
	c, err := Fit(context.Background(), X, y, nil, nil, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	rules := Rules(c, X, y, 1)
	if len(rules) != 1 || !strings.Contains(rules[0].Text, "nps missing") {
		t.Fatalf("rules %+v, want one naming missing nps", rules)
	}
	p := c.Predict(X)
	for i := 0; i < n; i++ {
		if math.IsNaN(X.At(i, 0)) && p[i] < 0.4 {
			t.Fatalf("row %d with missing nps predicted %.3f", i, p[i])
		}
	}
}
