package model

import (
	"context"
	"errors"
	"math"
	"testing"
)

// The contributions of every row sum to the model's raw score: exactly for logit (up to the
// order of the float additions), within 1e-9 for a tree and gbdt.
func TestContributionsSumToRawScore(t *testing.T) {
	X, y, _ := synth(3000, 6, 11, nonlinearTruth)
	for i := 0; i < X.Rows; i += 97 {
		X.Set(i, 2, math.NaN()) // missing values take the learned direction
	}
	for _, a := range []Algo{Logit, Tree, GBDT} {
		Xa := X
		if a == Logit {
			Xa = &Matrix{Rows: X.Rows, Cols: X.Cols, Data: append([]float64(nil), X.Data...), Names: X.Names}
			for i := range Xa.Data {
				if Xa.Data[i] != Xa.Data[i] {
					Xa.Data[i] = 0
				}
			}
		}
		c, err := Fit(context.Background(), Xa, y, nil, nil, DefaultOptions(a), nil)
		if err != nil {
			t.Fatal(a, err)
		}
		p := c.Predict(Xa)
		tol := 1e-9
		if a == Logit {
			tol = 1e-12
		}
		nonzero := 0
		for i := 0; i < Xa.Rows; i++ {
			bias, con, err := Contributions(c, Xa.Row(i))
			if err != nil {
				t.Fatal(a, err)
			}
			raw, _ := Raw(c, Xa.Row(i))
			sum := bias
			for _, v := range con {
				sum += v
				if v != 0 {
					nonzero++
				}
			}
			if math.Abs(sum-raw) > tol*math.Max(1, math.Abs(raw)) {
				t.Fatalf("%s row %d: bias + Σ contributions = %.15g, raw score %.15g", a, i, sum, raw)
			}
			// The raw score is the prediction (tree) or its log-odds (logit, gbdt).
			want := raw
			if a != Tree {
				want = sigmoid(raw)
			}
			if math.Abs(want-p[i]) > 1e-12 {
				t.Fatalf("%s row %d: raw score %.15g does not give Predict %.15g", a, i, raw, p[i])
			}
		}
		if nonzero == 0 {
			t.Errorf("%s: every contribution is zero", a)
		}
	}
}

func TestContributionsRejectsWrongLength(t *testing.T) {
	X, y, _ := synth(500, 3, 3, linearTruth)
	c, err := Fit(context.Background(), X, y, nil, nil, DefaultOptions(Logit), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Contributions(c, []float64{1, 2}); !errors.Is(err, ErrLength) {
		t.Errorf("2 values for 3 features: err %v, want ErrLength", err)
	}
}

// blendOf fits a logit and a gbdt on X, calibrates each on its own predictions (isotonic
// and platt, so that both calibrator kinds are in the blend) and blends them 0.4/0.6.
func blendOf(t *testing.T, X *Matrix, y []float64) Classifier {
	t.Helper()
	var parts []Classifier
	var cals []*Calibrator
	for i, a := range []Algo{Logit, GBDT} {
		c, err := Fit(context.Background(), X, y, nil, nil, DefaultOptions(a), nil)
		if err != nil {
			t.Fatal(a, err)
		}
		cal, err := FitCalibrator([]string{"isotonic", "platt"}[i], c.Predict(X), y)
		if err != nil {
			t.Fatal(err)
		}
		parts, cals = append(parts, c), append(cals, cal)
	}
	b, err := NewBlend(parts, cals, []float64{0.4, 0.6})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A blend's contributions sum to the log-odds of its probability within 1e-9, move with
// their parts (a feature pushing both parts up pushes the blend up) and are not all zero.
func TestBlendContributionsSumToScore(t *testing.T) {
	X, y, _ := synth(3000, 6, 12, nonlinearTruth)
	b := blendOf(t, X, y)
	p := b.Predict(X)
	nonzero, agree, both := 0, 0, 0
	for i := 0; i < X.Rows; i += 7 {
		row := X.Row(i)
		bias, con, err := Contributions(b, row)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := Raw(b, row)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(raw-logitOf(p[i])) > 1e-12 {
			t.Fatalf("row %d: raw %.15g, logit of Predict %.15g", i, raw, logitOf(p[i]))
		}
		sum := bias
		for _, v := range con {
			sum += v
			if v != 0 {
				nonzero++
			}
		}
		if math.Abs(sum-raw) > 1e-9*math.Max(1, math.Abs(raw)) {
			t.Fatalf("row %d: bias + Σ contributions = %.15g, raw score %.15g", i, sum, raw)
		}
		parts, _, _ := b.(*blendModel).Parts()
		_, c0, _ := Contributions(parts[0], row)
		_, c1, _ := Contributions(parts[1], row)
		for j := range con {
			if c0[j] > 1e-9 && c1[j] > 1e-9 || c0[j] < -1e-9 && c1[j] < -1e-9 {
				both++
				if (con[j] > 0) == (c0[j] > 0) {
					agree++
				}
			}
		}
	}
	if nonzero == 0 {
		t.Fatal("every blend contribution is zero")
	}
	if both == 0 || agree < both*9/10 {
		t.Fatalf("a feature both parts push the same way moves the blend that way in only %d of %d cases", agree, both)
	}
}

// PredictOne is Predict's row, bit for bit, for every kind of model.
func TestPredictOneEqualsPredict(t *testing.T) {
	X, y, _ := synth(1500, 6, 13, nonlinearTruth)
	var cs []Classifier
	for _, a := range []Algo{Logit, Tree, GBDT} {
		c, err := Fit(context.Background(), X, y, nil, nil, DefaultOptions(a), nil)
		if err != nil {
			t.Fatal(a, err)
		}
		cs = append(cs, c)
	}
	cs = append(cs, blendOf(t, X, y))
	for _, c := range cs {
		p := c.Predict(X)
		for i := 0; i < X.Rows; i++ {
			if got := PredictOne(c, X.Row(i)); got != p[i] {
				t.Fatalf("%s row %d: PredictOne %v, Predict %v", c.Algo(), i, got, p[i])
			}
		}
		if n := testing.AllocsPerRun(100, func() { PredictOne(c, X.Row(3)) }); n != 0 {
			t.Errorf("%s: PredictOne allocates %v times", c.Algo(), n)
		}
	}
}

// The packed trees route every row to the leaf the fitted trees route it to (NaN both
// ways, values on thresholds): tree by tree, the same leaf value.
func TestPackedTreesRouteAsTrees(t *testing.T) {
	X, y, _ := crmLike(4000, 3, true)
	opt := DefaultOptions(GBDT)
	opt.Rounds, opt.EarlyStopping = 40, 0
	c, err := Fit(context.Background(), X, y, nil, nil, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := c.(*gbdtModel)
	packed := m.compact()
	// Rows sitting exactly on the thresholds as well as the sample's own.
	var rows [][]float64
	for i := 0; i < X.Rows; i++ {
		rows = append(rows, X.Row(i))
	}
	for k := range m.Trees {
		for _, nd := range m.Trees[k].Nodes {
			if nd.Feature >= 0 {
				row := append([]float64(nil), X.Row(k%X.Rows)...)
				row[nd.Feature] = nd.Threshold
				rows = append(rows, row)
			}
		}
	}
	leaves := 0
	for k := range m.Trees {
		if len(packed[k]) != len(m.Trees[k].Nodes) {
			t.Fatalf("tree %d: %d packed nodes, %d nodes", k, len(packed[k]), len(m.Trees[k].Nodes))
		}
		for _, row := range rows {
			want := m.Trees[k].Nodes[m.Trees[k].leaf(row)].Value
			if got := packed[k].value(row); got != want {
				t.Fatalf("tree %d: packed leaf value %v, tree's %v", k, got, want)
			}
		}
		leaves += (len(packed[k]) + 1) / 2
	}
	if leaves < 2*len(m.Trees) {
		t.Fatalf("only %d leaves in %d trees: nothing routed", leaves, len(m.Trees))
	}
}
