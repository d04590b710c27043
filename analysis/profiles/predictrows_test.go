package profiles

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/acrm-dev/acrm/analysis/features"
)

// TestPredictRowsEqualsPredict: scoring row ranges with PredictRows (column by column for a
// logit model, encoded rows otherwise) gives Predict's probabilities for logit, gbdt and the
// blend.
func TestPredictRowsEqualsPredict(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	n := 1200
	x := &features.Column{Name: "x", Numeric: true}
	w := &features.Column{Name: "w", Numeric: true}
	seg := &features.Column{Name: "seg"}
	f := &features.Frame{IDName: "id", Rows: n, Cols: []*features.Column{x, w, seg}}
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		f.IDs = append(f.IDs, strconv.Itoa(i+1))
		xv, wv := r.NormFloat64(), r.Float64()*10
		if r.Float64() < 0.1 {
			wv = math.NaN()
		}
		s := []string{"a", "b", "c"}[r.IntN(3)]
		x.Num, w.Num = append(x.Num, xv), append(w.Num, wv)
		seg.Str, seg.Null = append(seg.Str, s), append(seg.Null, false)
		z := 1.2*xv - 0.5
		if s == "b" {
			z += 0.8
		}
		if r.Float64() < 1/(1+math.Exp(-z)) {
			y[i] = 1
		}
	}
	for _, algo := range []string{"logit", "gbdt", "blend"} {
		res, err := Fit(context.Background(), f, y, Spec{Name: "t", Source: "t", Target: "y", Algo: algo, Seed: 1, Folds: 2}, nil)
		if err != nil {
			t.Fatal(err)
		}
		best := res.BestModel()
		s := &Stored{ModelID: "t@v1", Classifier: best.Classifier, Encoder: best.Encoder, Calibrator: best.Calibrator}
		want, err := s.Predict(f)
		if err != nil {
			t.Fatal(err)
		}
		cache := features.NewLinearCache()
		for _, rg := range [][2]int{{0, n}, {0, 500}, {500, n}} {
			got, err := s.PredictRows(f, rg[0], rg[1], cache)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range got {
				if math.Abs(p-want[rg[0]+i]) > 1e-12 {
					t.Fatalf("%s rows %v: row %d: PredictRows %v, Predict %v", algo, rg, rg[0]+i, p, want[rg[0]+i])
				}
			}
		}
	}
}
