package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// bruteAUC counts pairs: P(score_pos > score_neg) + ½ P(tie).
func bruteAUC(p, y []float64) float64 {
	var num, den float64
	for i := range p {
		if y[i] != 1 {
			continue
		}
		for j := range p {
			if y[j] != 0 {
				continue
			}
			den++
			switch {
			case p[i] > p[j]:
				num++
			case p[i] == p[j]:
				num += 0.5
			}
		}
	}
	return num / den
}

func TestAUCBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name   string
		n      int
		levels int // number of distinct scores (ties when small)
	}{
		{"continuous", 500, 0},
		{"ties", 400, 7},
		{"binary scores", 300, 2},
		{"small", 5, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := make([]float64, c.n)
			y := make([]float64, c.n)
			for i := range p {
				if c.levels > 0 {
					p[i] = float64(rng.IntN(c.levels))
				} else {
					p[i] = rng.Float64()
				}
				if rng.Float64() < 0.2+0.5*p[i]/math.Max(1, float64(c.levels)) {
					y[i] = 1
				}
			}
			y[0], y[1] = 0, 1
			got, want := AUC(p, y), bruteAUC(p, y)
			if math.Abs(got-want) > 1e-12 {
				t.Fatalf("AUC %.12f, brute force %.12f", got, want)
			}
		})
	}
	if !math.IsNaN(AUC([]float64{0.1, 0.2}, []float64{1, 1})) {
		t.Error("AUC without negatives should be NaN")
	}
}

func TestEvaluate(t *testing.T) {
	// 100 rows, scores 0.99..0.00, positives are the 20 highest: perfect ranking.
	n := 100
	p := make([]float64, n)
	y := make([]float64, n)
	for i := range p {
		p[i] = float64(n-1-i) / 100
		if i < 20 {
			y[i] = 1
		}
	}
	m := Evaluate(p, y)
	if m.N != 100 || m.Positives != 20 || m.BaseRate != 0.2 {
		t.Fatalf("N %d Positives %d BaseRate %v", m.N, m.Positives, m.BaseRate)
	}
	if m.AUC != 1 || m.Gini != 1 {
		t.Errorf("AUC %v Gini %v, want 1", m.AUC, m.Gini)
	}
	if len(m.Deciles) != 10 || m.Deciles[0].Rate != 1 || m.Deciles[0].Lift != 5 || m.TopDecileLift != 5 {
		t.Errorf("top decile %+v", m.Deciles[0])
	}
	if d := m.Deciles[1]; d.CumGain != 1 || d.CumLift != 5 || d.MinScore != 0.8 {
		t.Errorf("second decile %+v", d)
	}
	if d := m.Deciles[9]; d.CumGain != 1 || math.Abs(d.CumLift-1) > 1e-12 || d.Positives != 0 {
		t.Errorf("last decile %+v", d)
	}
	total := 0
	for _, d := range m.Deciles {
		total += d.N
	}
	if total != n {
		t.Errorf("deciles hold %d rows", total)
	}
	if g := m.Gains[10]; g.Share != 0.1 || g.Gain != 0.5 {
		t.Errorf("gain at 10%%: %+v", g)
	}
	if g := m.Gains[100]; g.Gain != 1 {
		t.Errorf("gain at 100%%: %+v", g)
	}
	// Brier by hand
	b := 0.0
	for i := range p {
		b += (p[i] - y[i]) * (p[i] - y[i])
	}
	if math.Abs(m.Brier-b/100) > 1e-12 {
		t.Errorf("Brier %v want %v", m.Brier, b/100)
	}
	// CalError by hand: bins of 10 by ascending score
	ece := 0.0
	for k := 0; k < 10; k++ {
		sp, sy := 0.0, 0.0
		for i := 90 - 10*k; i < 100-10*k; i++ {
			sp += p[i]
			sy += y[i]
		}
		ece += 0.1 * math.Abs(sp/10-sy/10)
	}
	if math.Abs(m.CalError-ece) > 1e-12 {
		t.Errorf("CalError %v want %v", m.CalError, ece)
	}
	if r := m.ROC[len(m.ROC)-1]; r.FPR != 1 || r.TPR != 1 {
		t.Errorf("ROC ends at %+v", r)
	}
	if r := m.ROC[20]; r.FPR != 0 || r.TPR != 1 {
		t.Errorf("ROC after 20 rows at %+v", r)
	}
}

func TestStratifiedSplit(t *testing.T) {
	y := make([]float64, 1003)
	for i := range y {
		if i%7 == 0 {
			y[i] = 1
		}
	}
	tr, te := StratifiedSplit(y, 0.25, 42)
	if len(tr)+len(te) != len(y) {
		t.Fatalf("split sizes %d + %d", len(tr), len(te))
	}
	all := append(slices.Clone(tr), te...)
	slices.Sort(all)
	for i, v := range all {
		if v != i {
			t.Fatalf("split is not a partition at %d", i)
		}
	}
	rate := func(rows []int) float64 {
		s := 0.0
		for _, i := range rows {
			s += y[i]
		}
		return s / float64(len(rows))
	}
	if math.Abs(rate(tr)-rate(te)) > 0.01 {
		t.Errorf("rates %.4f vs %.4f", rate(tr), rate(te))
	}
	tr2, te2 := StratifiedSplit(y, 0.25, 42)
	if !slices.Equal(te, te2) || !slices.Equal(tr, tr2) {
		t.Error("same seed gives a different split")
	}
	if _, te3 := StratifiedSplit(y, 0.25, 43); slices.Equal(te, te3) {
		t.Error("another seed gives the same split")
	}

	folds := StratifiedKFold(y, 5, 1)
	seen := make([]int, len(y))
	for _, f := range folds {
		if len(f) < 200 || len(f) > 201 {
			t.Errorf("fold size %d", len(f))
		}
		if math.Abs(rate(f)-1.0/7) > 0.01 {
			t.Errorf("fold rate %.4f", rate(f))
		}
		for _, i := range f {
			seen[i]++
		}
	}
	for i, c := range seen {
		if c != 1 {
			t.Fatalf("row %d in %d folds", i, c)
		}
	}
}
