package model

import (
	"context"
	"math"
	"slices"
	"testing"
)

// TestGOSS fits with gradient-based one-side sampling on one-hot (sparse layout) and
// on dense data: the first 1/LearningRate trees are those of the fit on every row,
// later ones differ (they are grown on samples), each node counts every training row
// that reaches it, and the AUC on fresh rows stays within 0.01 of the fit on every row.
func TestGOSS(t *testing.T) {
	type dataset struct {
		name string
		gen  func(n int, seed uint64) (*Matrix, []float64, []float64)
	}
	for _, d := range []dataset{
		{"one-hot", oneHotData},
		{"dense", func(n int, seed uint64) (*Matrix, []float64, []float64) { return synth(n, 8, seed, nonlinearTruth) }},
	} {
		t.Run(d.name, func(t *testing.T) {
			X, y, _ := d.gen(20000, 31)
			Xt, yt, _ := d.gen(20000, 32)
			all := DefaultOptions(GBDT)
			all.Rounds, all.EarlyStopping = 60, 0
			all.GOSSTop, all.GOSSOther = 0, 0
			sampled := all
			sampled.GOSSTop, sampled.GOSSOther, sampled.GOSSMinRows = 0.2, 0.1, 1000
			fit := func(o Options) *gbdtModel {
				c, err := Fit(context.Background(), X, y, nil, nil, o, nil)
				if err != nil {
					t.Fatal(err)
				}
				return c.(*gbdtModel)
			}
			a, s := fit(all), fit(sampled)
			warm := int(math.Ceil(1 / all.LearningRate))
			for k := 0; k < warm; k++ {
				if !slices.Equal(a.Trees[k].Nodes, s.Trees[k].Nodes) {
					t.Fatalf("tree %d of the warm-up differs", k+1)
				}
			}
			differ := 0
			for k := warm; k < len(s.Trees); k++ {
				if !slices.Equal(a.Trees[k].Nodes, s.Trees[k].Nodes) {
					differ++
				}
				nodes := s.Trees[k].Nodes
				if nodes[0].N != X.Rows {
					t.Fatalf("tree %d: root counts %d rows of %d", k+1, nodes[0].N, X.Rows)
				}
				for j, nd := range nodes {
					if nd.Feature >= 0 && nodes[nd.Left].N+nodes[nd.Right].N != nd.N {
						t.Fatalf("tree %d node %d: children count %d+%d rows, the node %d", k+1, j, nodes[nd.Left].N, nodes[nd.Right].N, nd.N)
					}
				}
			}
			if differ == 0 {
				t.Fatal("no tree after the warm-up was grown on a sample")
			}
			// the leaves' counts are the rows routed there
			last := s.Trees[len(s.Trees)-1]
			cnt := make([]int, len(last.Nodes))
			for i := 0; i < X.Rows; i++ {
				cnt[last.leaf(X.Row(i))]++
			}
			for j, nd := range last.Nodes {
				if nd.Feature < 0 && nd.N != cnt[j] {
					t.Fatalf("last tree leaf %d counts %d rows, %d reach it", j, nd.N, cnt[j])
				}
			}
			aa, sa := AUC(a.Predict(Xt), yt), AUC(s.Predict(Xt), yt)
			t.Logf("%s: AUC on every row %.4f, with GOSS %.4f", d.name, aa, sa)
			if sa < aa-0.01 {
				t.Errorf("GOSS AUC %.4f is more than 0.01 below %.4f", sa, aa)
			}
		})
	}
}

// TestGOSSOnlyOnBigFits: below GOSSMinRows rows the fit is the fit on every row.
func TestGOSSOnlyOnBigFits(t *testing.T) {
	X, y, _ := synth(3000, 6, 41, nonlinearTruth)
	o := DefaultOptions(GBDT)
	o.Rounds, o.EarlyStopping = 30, 0
	off := o
	off.GOSSTop, off.GOSSOther = 0, 0
	a, err := Fit(context.Background(), X, y, nil, nil, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Fit(context.Background(), X, y, nil, nil, off, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k := range a.(*gbdtModel).Trees {
		if !slices.Equal(a.(*gbdtModel).Trees[k].Nodes, b.(*gbdtModel).Trees[k].Nodes) {
			t.Fatalf("a fit on %d rows (< %d) sampled its tree %d", X.Rows, o.GOSSMinRows, k+1)
		}
	}
}

// TestNewBinnersMatchNewBinner: the cut points found for several bin counts at once are
// those found for each alone.
func TestNewBinnersMatchNewBinner(t *testing.T) {
	X, _, _ := crmLike(5000, 3, true)
	counts := []int{64, 255, 8, 2}
	bs := newBinners(X, nil, counts, 5, 2)
	for k, m := range counts {
		one := newBinner(X, nil, m, 5, 2)
		for j := range one.Cuts {
			if !slices.Equal(one.Cuts[j], bs[k].Cuts[j]) {
				t.Fatalf("%d bins, feature %d: %v together, %v alone", m, j, bs[k].Cuts[j], one.Cuts[j])
			}
		}
	}
}

// TestGBDTPredictByBins: a gbdt predicts the matrix it was grown on through its bins; the
// result is the thresholds' exactly.
func TestGBDTPredictByBins(t *testing.T) {
	X, y, _ := crmLike(5000, 4, true)
	o := DefaultOptions(GBDT)
	o.Rounds = 40
	c, err := Fit(context.Background(), X, y, nil, nil, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.(*gbdtModel).ly == nil || c.(*gbdtModel).ly.src != X {
		t.Fatal("the fit keeps no layout of X")
	}
	byBins := c.Predict(X)
	every := make([]int, X.Rows)
	for i := range every {
		every[i] = i
	}
	byThresholds := c.Predict(X.Subset(every)) // another matrix: routed by thresholds
	if !slices.Equal(byBins, byThresholds) {
		t.Fatal("predictions by bins differ from those by thresholds")
	}
	rows := []int{4999, 3, 17, 2500}
	want := make([]float64, len(rows))
	for k, i := range rows {
		want[k] = byThresholds[i]
	}
	if got := PredictRows(c, X, rows); !slices.Equal(got, want) {
		t.Fatalf("PredictRows by bins %v, by thresholds %v", got, want)
	}
}
