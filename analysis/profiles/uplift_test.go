package profiles

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/model"
)

// upliftWorld draws n members of a campaign where buying anyway and being persuaded are
// different customers: the conversion without an offer rises with x1 (sure things), the
// offer's effect with x2 (persuadables), x3 is noise; 60 % are contacted.
func upliftWorld(n int, seed uint64) (*UpliftRows, []float64) {
	r := rand.New(rand.NewPCG(seed, 7))
	f := &features.Frame{IDName: "customer_id", Rows: n}
	cols := make([]*features.Column, 3)
	for j := range cols {
		cols[j] = &features.Column{Name: "x" + strconv.Itoa(j+1), Type: "DOUBLE", Numeric: true, Num: make([]float64, n)}
	}
	f.Cols = cols
	rows := &UpliftRows{Frame: f, Converted: make([]float64, n), Treated: make([]float64, n), Campaigns: []int{1}}
	tau := make([]float64, n)
	for i := range n {
		f.IDs = append(f.IDs, strconv.Itoa(i+1))
		x1, x2, x3 := r.Float64(), r.Float64(), r.Float64()
		cols[0].Num[i], cols[1].Num[i], cols[2].Num[i] = x1, x2, x3
		p0 := 0.03 + 0.30*x1*x1
		tau[i] = 0.20 * x2 * x2
		p := p0
		if r.Float64() < 0.6 {
			rows.Treated[i] = 1
			p += tau[i]
		}
		if r.Float64() < p {
			rows.Converted[i] = 1
		}
	}
	return rows, tau
}

// The uplift profile ranks for incremental conversions better than a propensity model of
// the contacted members' conversion when those who buy anyway are not those an offer
// persuades: on fresh members of the same world its Qini coefficient is higher, its score
// tracks the true effect, and it survives the registry's serialization.
func TestUpliftBeatsPropensityWhereSureThingsDiffer(t *testing.T) {
	ctx := context.Background()
	train, _ := upliftWorld(8000, 1)
	res, err := FitUplift(ctx, train, Spec{ProductID: 16, Kind: Uplift, Seed: 1, Folds: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Models) != len(upliftCandidates) || !res.Models[res.Best].IsBest {
		t.Fatalf("candidates %d, best %d", len(res.Models), res.Best)
	}
	for _, m := range res.Models {
		if len(m.CVAUC) != res.Folds || math.IsNaN(m.CVMean()) || m.CVMean() > res.Models[res.Best].CVMean() {
			t.Errorf("%s: fold Qinis %v (kept %s %.4f)", m.Params, m.CVAUC, res.Models[res.Best].Params, res.Models[res.Best].CVMean())
		}
	}
	best := res.BestModel()
	// The propensity: a logit of conversion on the contacted members, the same features.
	enc, X, err := features.Fit(train.Frame, train.Converted, features.EncoderOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var tr []int
	for i, v := range train.Treated {
		if v == 1 {
			tr = append(tr, i)
		}
	}
	prop, err := model.Fit(ctx, X.Subset(tr), pick(train.Converted, tr), nil, nil, model.DefaultOptions(model.Logit), nil)
	if err != nil {
		t.Fatal(err)
	}
	test, tau := upliftWorld(8000, 2)
	Xt, err := enc.Transform(test.Frame)
	if err != nil {
		t.Fatal(err)
	}
	// Through the registry's form: marshal and read back.
	b, err := model.Marshal(best.Classifier)
	if err != nil {
		t.Fatal(err)
	}
	back, err := model.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	Xu, err := best.Encoder.Transform(test.Frame)
	if err != nil {
		t.Fatal(err)
	}
	u := best.Calibrator.ApplyAll(back.Predict(Xu))
	for i, v := range best.Classifier.Predict(Xu) {
		if v != u[i] || v < -1 || v > 1 {
			t.Fatalf("row %d: uplift %v, after the round trip %v", i, v, u[i])
		}
	}
	qu := QiniOf(u, test.Converted, test.Treated)
	qp := QiniOf(prop.Predict(Xt), test.Converted, test.Treated)
	qt := QiniOf(tau, test.Converted, test.Treated)
	t.Logf("kept %s (CV Qini %.4f ± %.4f); fresh members: Qini uplift %.4f, propensity %.4f, true effect %.4f",
		best.Params, best.CVMean(), best.CVSD(), qu, qp, qt)
	if !(qu > qp+0.003) {
		t.Errorf("uplift profile Qini %.4f does not beat the propensity model's %.4f", qu, qp)
	}
	if c := corr(u, tau); !(c > 0.6) {
		t.Errorf("estimated uplift correlates %.2f with the true effect", c)
	}
}

func corr(a, b []float64) float64 {
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var sab, saa, sbb float64
	for i := range a {
		sab += (a[i] - ma) * (b[i] - mb)
		saa += (a[i] - ma) * (a[i] - ma)
		sbb += (b[i] - mb) * (b[i] - mb)
	}
	return sab / math.Sqrt(saa*sbb)
}

// Too few conversions in the control cell is an error naming the cell and the campaigns.
func TestUpliftTooFewControlConversions(t *testing.T) {
	rows, _ := upliftWorld(600, 3)
	for i := range rows.Converted {
		if rows.Treated[i] == 0 && i%10 != 0 {
			rows.Converted[i] = 0
		}
	}
	_, err := FitUplift(context.Background(), rows, Spec{ProductID: 16, Kind: Uplift, Seed: 1, Folds: 3}, nil)
	if err == nil {
		t.Fatal("no error")
	}
	t.Log(err)
}
