package model

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestGBDTBeatsLogitOnNonlinearTruth(t *testing.T) {
	X, y, _ := synth(20000, 8, 11, nonlinearTruth)
	Xt, yt, pt := synth(20000, 8, 12, nonlinearTruth)
	bayes := AUC(pt, yt)
	auc := map[Algo]float64{}
	for _, a := range []Algo{Logit, Tree, GBDT} {
		c, err := Fit(context.Background(), X, y, nil, nil, DefaultOptions(a), nil)
		if err != nil {
			t.Fatal(err)
		}
		auc[a] = AUC(c.Predict(Xt), yt)
	}
	t.Logf("Bayes %.4f logit %.4f tree %.4f gbdt %.4f (gbdt/Bayes %.4f)", bayes, auc[Logit], auc[Tree], auc[GBDT], auc[GBDT]/bayes)
	if auc[GBDT] < 0.97*bayes {
		t.Errorf("gbdt AUC %.4f < 0.97 × Bayes %.4f", auc[GBDT], bayes)
	}
	if auc[GBDT] < auc[Logit]+0.03 {
		t.Errorf("gbdt AUC %.4f does not beat logit %.4f on a nonlinear truth", auc[GBDT], auc[Logit])
	}
}

func TestGBDTEarlyStopping(t *testing.T) {
	X, y, _ := synth(3000, 6, 21, nonlinearTruth)
	Xv, yv, _ := synth(2000, 6, 22, nonlinearTruth)
	opt := DefaultOptions(GBDT)
	opt.LearningRate = 0.3
	opt.EarlyStopping = 5
	c, err := Fit(context.Background(), X, y, Xv, yv, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := c.(*gbdtModel)
	if m.Rounds >= opt.Rounds {
		t.Fatalf("no early stop: %d rounds", m.Rounds)
	}
	best := 0
	for k, l := range m.ValLoss {
		if l < m.ValLoss[best]-1e-9 {
			best = k
		}
	}
	if m.BestRound != best+1 || len(m.Trees) != best+1 || m.Rounds != best+1+opt.EarlyStopping {
		t.Errorf("kept %d trees of %d rounds, best validation loss at round %d", len(m.Trees), m.Rounds, best+1)
	}
	// the kept model's validation loss is the recorded minimum
	p := c.Predict(Xv)
	ll := 0.0
	for i := range p {
		ll -= yv[i]*math.Log(p[i]) + (1-yv[i])*math.Log(1-p[i])
	}
	if got := ll / float64(len(p)); math.Abs(got-m.ValLoss[best]) > 1e-9 {
		t.Errorf("validation log-loss %.9f, recorded %.9f", got, m.ValLoss[best])
	}
}

func TestCancel(t *testing.T) {
	X, y, _ := synth(20000, 10, 31, nonlinearTruth)
	for _, a := range []Algo{GBDT, Logit} {
		ctx, cancel := context.WithCancel(context.Background())
		opt := DefaultOptions(a)
		opt.EarlyStopping = 0
		opt.Rounds = 100000
		calls := 0
		start := time.Now()
		_, err := Fit(ctx, X, y, nil, nil, opt, func(p Progress) {
			calls++
			if calls == 3 {
				cancel()
			}
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err = %v, want context.Canceled", a, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: cancel took %v", a, d)
		}
		cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Fit(ctx, X, y, nil, nil, DefaultOptions(Tree), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("tree: err = %v", err)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	X, y, _ := synth(3000, 6, 41, nonlinearTruth)
	Xt, _, _ := synth(500, 6, 42, nonlinearTruth)
	for i := 0; i < Xt.Rows; i += 7 {
		Xt.Set(i, i%6, math.NaN())
	}
	for _, a := range []Algo{Logit, Tree, GBDT} {
		c, err := Fit(context.Background(), X, y, nil, nil, DefaultOptions(a), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b[:80]), `"algo":"`+string(a)+`"`) {
			t.Errorf("%s: no algo tag in %.80s", a, b)
		}
		back, err := Unmarshal(b)
		if err != nil {
			t.Fatal(err)
		}
		if back.Algo() != a {
			t.Fatalf("algo %s → %s", a, back.Algo())
		}
		p1, p2 := c.Predict(Xt), back.Predict(Xt)
		for i := range p1 {
			if p1[i] != p2[i] && !(math.IsNaN(p1[i]) && math.IsNaN(p2[i])) {
				t.Fatalf("%s row %d: %v before, %v after", a, i, p1[i], p2[i])
			}
		}
		i1, i2 := c.Importance(), back.Importance()
		for j := range i1 {
			if i1[j] != i2[j] {
				t.Fatalf("%s importance differs", a)
			}
		}
	}
	bad := []string{`{"format":"acrm-model","version":1,"algo":"svm","model":{}}`, `{"format":"x"}`, `not json`,
		`{"format":"acrm-model","version":1,"algo":"tree","model":{"tree":{"nodes":[{"f":0,"l":5,"r":6}]}}}`,
		`{"format":"acrm-model","version":9,"algo":"tree","model":{}}`,
		`{"format":"acrm-model","version":1,"algo":"gbdt","model":{"gain":[1],"trees":[{"nodes":[{"f":3,"l":1,"r":2},{"f":-1},{"f":-1}]}]}}`}
	for _, s := range bad {
		if _, err := Unmarshal([]byte(s)); err == nil {
			t.Errorf("Unmarshal(%s) accepted", s)
		}
	}
}

func TestGBDTWorkersDeterministic(t *testing.T) {
	// Histograms are split by feature, so every bin is summed in row order by one
	// goroutine: the fit must not depend on the number of workers.
	X, y, _ := synth(12000, 7, 51, nonlinearTruth)
	var ref []float64
	for _, w := range []int{1, 2, 3} {
		opt := DefaultOptions(GBDT)
		opt.Workers, opt.Rounds = w, 60
		c, err := Fit(context.Background(), X, y, nil, nil, opt, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := c.Predict(X)
		if ref == nil {
			ref = p
			continue
		}
		for i := range p {
			if p[i] != ref[i] {
				t.Fatalf("workers=%d row %d: %v, workers=1: %v", w, i, p[i], ref[i])
			}
		}
	}
}
