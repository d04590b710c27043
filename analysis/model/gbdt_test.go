package model

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
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

func TestSparseHistogramsMatchDense(t *testing.T) {
	X, y, _ := crmLike(6000, 3, true)
	bn := newBinner(X, nil, 255, 1, 2)
	bins := bn.transform(X, 2)
	dense := newGrower(bins, X.Rows, bn, 2)
	sparse := newGrower(bins, X.Rows, bn, 3)
	sparse.useSparse(1)
	if sparse.groups == nil || len(sparse.groups) != 3 {
		t.Fatalf("sparse layout not built: %d groups", len(sparse.groups))
	}
	for _, gr := range []*grower{dense, sparse} {
		for i := range gr.gh {
			gr.gh[i] = gpair{0.3 - y[i], 0.2 + 0.01*float64(i%7)}
		}
		// a node: rows with num0 > 0 (NaN excluded), as a split would leave them
		k := 0
		for i := 0; i < X.Rows; i++ {
			if X.At(i, 0) > 0 {
				gr.idx[k] = int32(i)
				k++
			}
		}
	}
	// two nodes inside the filtered rows, then the root (end 0 = all rows in order)
	for _, node := range []struct{ start, end int }{{0, 1500}, {200, 2000}, {0, 0}} {
		if node.end == 0 {
			// root
			for i := range dense.idx {
				dense.idx[i], sparse.idx[i] = int32(i), int32(i)
			}
			node.end = X.Rows
		}
		G, H := 0.0, 0.0
		for _, r := range dense.idx[node.start:node.end] {
			G += dense.gh[r].g
			H += dense.gh[r].h
		}
		hd, hs := dense.getHist(), sparse.getHist()
		dense.buildHist(hd, node.start, node.end, G, H)
		sparse.buildHist(hs, node.start, node.end, G, H)
		for j := 0; j < X.Cols; j++ {
			for b := 0; b < dense.nb[j]; b++ {
				d, s := hd[dense.off[j]+b], hs[sparse.off[j]+b]
				if math.Abs(d.G-s.G) > 1e-9 || math.Abs(d.H-s.H) > 1e-9 {
					t.Fatalf("node %v feature %d bin %d: dense %+v sparse %+v", node, j, b, d, s)
				}
			}
		}
	}
}

// oneHotData has 4 categoricals one-hot encoded into 10 columns each and 5 normal
// columns: 20 % of the values lie outside their column's most frequent bin.
func oneHotData(n int, seed uint64) (*Matrix, []float64, []float64) {
	rng := rand.New(rand.NewPCG(seed, 13))
	X := NewMatrix(n, 45, nil)
	y := make([]float64, n)
	pt := make([]float64, n)
	for i := 0; i < n; i++ {
		var cat [4]int
		for c := range cat {
			cat[c] = rng.IntN(10)
			X.Set(i, c*10+cat[c], 1)
		}
		for j := 40; j < 45; j++ {
			X.Set(i, j, rng.NormFloat64())
		}
		z := -1.5 + 0.3*float64(cat[0]%4) - 0.8*float64(boolF(cat[1] == 3)) + math.Sin(2*X.At(i, 40)) + 0.7*X.At(i, 41)
		if cat[2] < 3 && X.At(i, 42) > 0 {
			z += 1.5
		}
		pt[i] = sigmoid(z)
		if rng.Float64() < pt[i] {
			y[i] = 1
		}
	}
	return X, y, pt
}

func boolF(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func TestGBDTSparseLayout(t *testing.T) {
	X, y, _ := oneHotData(20000, 1)
	Xt, yt, pt := oneHotData(20000, 2)
	bn := newBinner(X, nil, 255, 1, 2)
	gr := newGrower(bn.transform(X, 2), X.Rows, bn, 2)
	gr.useSparse(maxSparseDensity)
	if gr.groups == nil {
		t.Fatal("one-hot data did not get the sparse layout")
	}
	c, err := Fit(context.Background(), X, y, nil, nil, DefaultOptions(GBDT), nil)
	if err != nil {
		t.Fatal(err)
	}
	auc, bayes := AUC(c.Predict(Xt), yt), AUC(pt, yt)
	t.Logf("sparse layout: gbdt AUC %.4f, Bayes %.4f (%.4f)", auc, bayes, auc/bayes)
	if auc < 0.97*bayes {
		t.Errorf("gbdt AUC %.4f < 0.97 × Bayes %.4f on the sparse layout", auc, bayes)
	}
}
