package model

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// crmLike draws n rows of 60 features shaped like an encoded CRM feature view: 30
// continuous (5 % missing in the first 5), 15 one-hot flags and 15 small counts, with
// a nonlinear truth over a dozen of them.
func crmLike(n int, seed uint64, withNaN bool) (*Matrix, []float64, []float64) {
	const p = 60
	rng := rand.New(rand.NewPCG(seed, 11))
	names := make([]string, p)
	for j := range names {
		switch {
		case j < 30:
			names[j] = "num" + itoa(j)
		case j < 45:
			names[j] = "cat=" + itoa(j-30)
		default:
			names[j] = "cnt" + itoa(j-45)
		}
	}
	X := NewMatrix(n, p, names)
	y := make([]float64, n)
	pt := make([]float64, n)
	for i := 0; i < n; i++ {
		row := X.Row(i)
		for j := 0; j < 30; j++ {
			row[j] = rng.NormFloat64()
		}
		hot := 30 + rng.IntN(15)
		row[hot] = 1
		for j := 45; j < 60; j++ {
			row[j] = float64(rng.IntN(1 + j - 44))
		}
		z := -2.0 + 0.8*row[0] - 0.6*row[1] + 0.9*math.Tanh(2*row[2]) + 0.7*row[3]*row[4]
		if row[5] > 1 {
			z += 1.2
		}
		if row[32] == 1 || row[37] == 1 {
			z += 0.8
		}
		z += 0.15*row[47] - 0.05*row[55]
		if row[50] >= 3 && row[6] > 0 {
			z += 0.7
		}
		pt[i] = sigmoid(z)
		if rng.Float64() < pt[i] {
			y[i] = 1
		}
		if withNaN {
			for j := 0; j < 5; j++ {
				if rng.Float64() < 0.05 {
					row[j] = math.NaN()
				}
			}
		}
	}
	return X, y, pt
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// BenchmarkGBDT100k fits gbdt with default options on 100,000×60 (early stopping on
// an internal 10 % split) and reports the holdout AUC next to the Bayes AUC.
func BenchmarkGBDT100k(b *testing.B) {
	X, y, _ := crmLike(100_000, 1, true)
	Xt, yt, pt := crmLike(20_000, 2, true)
	opt := DefaultOptions(GBDT)
	b.ResetTimer()
	var c Classifier
	for i := 0; i < b.N; i++ {
		var err error
		if c, err = Fit(context.Background(), X, y, nil, nil, opt, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(AUC(c.Predict(Xt), yt), "auc")
	b.ReportMetric(AUC(pt, yt), "bayes_auc")
	b.ReportMetric(float64(c.(*gbdtModel).BestRound), "rounds")
}

// BenchmarkLogit100k fits L2 logistic regression on 100,000×60 (NaN-free).
func BenchmarkLogit100k(b *testing.B) {
	X, y, _ := crmLike(100_000, 1, false)
	Xt, yt, _ := crmLike(20_000, 2, false)
	opt := DefaultOptions(Logit)
	b.ResetTimer()
	var c Classifier
	for i := 0; i < b.N; i++ {
		var err error
		if c, err = Fit(context.Background(), X, y, nil, nil, opt, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(AUC(c.Predict(Xt), yt), "auc")
	b.ReportMetric(float64(c.(*logitModel).Iter), "iterations")
}

// BenchmarkBuildHist measures the histogram hot loop alone on the dense and the
// sparse layout: the root (all 100,000 rows) and a node holding every third row,
// 60 features.
func BenchmarkBuildHist(b *testing.B) {
	X, y, _ := crmLike(100_000, 1, true)
	bn := newBinner(X, nil, 255, 1, 2)
	bins := bn.transform(X, 2)
	for _, layout := range []string{"dense", "sparse"} {
		b.Run(layout, func(b *testing.B) {
			gr := newGrower(bins, X.Rows, bn, 2)
			if layout == "sparse" {
				gr.useSparse(1)
			}
			G, H := 0.0, 0.0
			for i := range gr.gh {
				gr.gh[i] = gpair{0.5 - y[i], 0.25}
				G += 0.5 - y[i]
				H += 0.25
			}
			sub := make([]int32, 0, X.Rows/3+1)
			Gs, Hs := 0.0, 0.0
			for i := 0; i < X.Rows; i += 3 {
				sub = append(sub, int32(i))
				Gs += gr.gh[i].g
				Hs += gr.gh[i].h
			}
			hist := gr.getHist()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				copy(gr.idx, sub)
				gr.buildHist(hist, 0, len(sub), Gs, Hs)
				for k := range gr.idx {
					gr.idx[k] = int32(k)
				}
				gr.buildHist(hist, 0, X.Rows, G, H)
			}
		})
	}
}

// BenchmarkGBDTPredict predicts 100,000×60 rows with a 300-tree gbdt (31 leaves, depth 6):
// "packed" is Predict (16-byte nodes, 64-row blocks walking each tree), "nodes" the fitted
// trees walked row by row, all trees per row — the ratio of the two is the layout's gain.
func BenchmarkGBDTPredict(b *testing.B) {
	X, y, _ := crmLike(100_000, 1, true)
	opt := DefaultOptions(GBDT)
	opt.Rounds, opt.EarlyStopping, opt.MaxLeaves, opt.MaxDepth = 300, 0, 31, 6
	c, err := Fit(context.Background(), X, y, nil, nil, opt, nil)
	if err != nil {
		b.Fatal(err)
	}
	m := c.(*gbdtModel)
	m.compact()
	b.Run("packed", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			m.Predict(X)
		}
	})
	b.Run("nodes", func(b *testing.B) {
		out := make([]float64, X.Rows)
		for i := 0; i < b.N; i++ {
			parallelRows(X.Rows, workersOr(m.workers), func(lo, hi int) {
				for r := lo; r < hi; r++ {
					row := X.Row(r)
					z := m.Base
					for k := range m.Trees {
						z += m.Trees[k].Nodes[m.Trees[k].leaf(row)].Value
					}
					out[r] = sigmoid(z)
				}
			})
		}
	})
}

// BenchmarkGBDTRounds grows 100 rounds (no early stopping) on 100,000×60 rows, with and
// without gradient-based one-side sampling, and reports the AUC on fresh rows.
func BenchmarkGBDTRounds(b *testing.B) {
	X, y, _ := crmLike(100_000, 1, true)
	Xt, yt, _ := crmLike(20_000, 2, true)
	for _, name := range []string{"all-rows", "goss"} {
		b.Run(name, func(b *testing.B) {
			opt := DefaultOptions(GBDT)
			opt.Rounds, opt.EarlyStopping = 100, 0
			if name == "all-rows" {
				opt.GOSSTop, opt.GOSSOther = 0, 0
			}
			var c Classifier
			for i := 0; i < b.N; i++ {
				var err error
				if c, err = Fit(context.Background(), X, y, nil, nil, opt, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(AUC(c.Predict(Xt), yt), "auc")
		})
	}
}
