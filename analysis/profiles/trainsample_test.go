package profiles

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/model"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// stageTables lists the staging tables of a training left in ws.
func stageTables(t *testing.T, ws *workspace.Workspace) []string {
	t.Helper()
	tables, err := ws.Tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tb := range tables {
		if strings.HasPrefix(tb.Name, workspace.StagePrefix+"train_") {
			out = append(out, tb.Name)
		}
	}
	return out
}

// TestTrainOnSample trains a look-alike on a stratified sample of a quarter of the view and
// checks the sample (its size, positives kept up to half, the weights), that nothing is left
// staged, that the same seed draws the same rows, and that the registered calibration is the
// population's: over every customer the mean registered probability is the product's base
// rate, where the sample's own calibration (undoing the correction) is far off it. Its AUC
// on every customer stays close to a model trained on all rows.
func TestTrainOnSample(t *testing.T) {
	ctx := context.Background()
	ws := sampleWorkspace(t)
	const pid, limit = 5, 4000
	spec := Spec{ProductID: pid, Kind: Lookalike, Algo: "logit", Seed: 3, Name: "S05-sampled", SampleRows: limit}
	res, err := TrainOneProduct(ctx, ws, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Sample
	if s == nil {
		t.Fatal("no sample recorded for a view of 20,000 customers and --sample-rows 4000")
	}
	t.Logf("%s", s)
	if s.Population != sampleSize || res.Rows != int(s.Rows) {
		t.Fatalf("population %d (want %d), rows trained %d vs sample %d", s.Population, sampleSize, res.Rows, s.Rows)
	}
	if math.Abs(float64(s.Rows)-limit) > 0.08*limit {
		t.Fatalf("sample of %d rows, want about %d", s.Rows, limit)
	}
	wantPos := min(s.Positives, limit/2)
	if math.Abs(float64(s.SampledPositives-wantPos)) > 0.1*float64(wantPos) || res.Positives != int(s.SampledPositives) {
		t.Fatalf("%d positives sampled (fit saw %d), want about %d of %d", s.SampledPositives, res.Positives, wantPos, s.Positives)
	}
	if w := float64(s.Positives) / float64(s.SampledPositives); math.Abs(w-s.WeightPositive) > 1e-12 {
		t.Fatalf("positive weight %v, want %v", s.WeightPositive, w)
	}
	if w := float64(s.Population-s.Positives) / float64(s.Rows-s.SampledPositives); math.Abs(w-s.WeightNegative) > 1e-12 {
		t.Fatalf("negative weight %v, want %v", s.WeightNegative, w)
	}
	if left := stageTables(t, ws); len(left) > 0 {
		t.Fatalf("staging tables left: %v", left)
	}
	st, err := Load(ctx, ws, res.BestModel().ModelID)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := List(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		if e.ModelID == st.ModelID {
			found = e.Metrics.Sample != nil && e.Metrics.Sample.Rows == s.Rows
		}
	}
	if !found {
		t.Fatalf("the registry's metrics of %s do not record the sample", st.ModelID)
	}

	// every customer, as the model sees them
	b, err := LoadBase(ctx, ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, y, err := b.ProductData(ctx, ws, pid, Lookalike)
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.Predict(f)
	if err != nil {
		t.Fatal(err)
	}
	raw := st.Calibrator.ShiftLogOdds(-s.LogOddsShift())
	X, err := st.Encoder.Transform(f)
	if err != nil {
		t.Fatal(err)
	}
	pSample := raw.ApplyAll(st.Classifier.Predict(X))
	base := mean(y)
	t.Logf("base rate %.4f, mean registered probability %.4f, mean probability with the sample's calibration %.4f", base, mean(p), mean(pSample))
	if math.Abs(mean(p)-base) > 0.02 {
		t.Fatalf("mean registered probability %.4f, want the base rate %.4f within 0.02", mean(p), base)
	}
	if math.Abs(mean(pSample)-base) < 3*math.Abs(mean(p)-base) {
		t.Fatalf("the correction did not matter: sample calibration %.4f, corrected %.4f, base rate %.4f", mean(pSample), mean(p), base)
	}

	// a model of every row ranks the whole base barely better
	full, err := TrainOneProduct(ctx, ws, Spec{ProductID: pid, Kind: Lookalike, Algo: "logit", Seed: 3, Name: "S05-full", SampleRows: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if full.Sample != nil {
		t.Fatalf("SampleRows -1 sampled: %s", full.Sample)
	}
	fs, err := Load(ctx, ws, full.BestModel().ModelID)
	if err != nil {
		t.Fatal(err)
	}
	pf, err := fs.Predict(f)
	if err != nil {
		t.Fatal(err)
	}
	aucS, aucF := model.AUC(p, y), model.AUC(pf, y)
	t.Logf("AUC on every customer: sample-trained %.4f, all rows %.4f", aucS, aucF)
	if aucF-aucS > 0.01 {
		t.Fatalf("sample-trained AUC %.4f is more than 0.01 below the all-rows model's %.4f", aucS, aucF)
	}

	// the same seed draws the same sample
	again, err := TrainOneProduct(ctx, ws, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Fingerprint != res.Fingerprint || *again.Sample != *s {
		t.Fatalf("same seed, another sample: %s vs %s", again.Sample, s)
	}
}

// TestTrainOnParquetSample trains a table model on a Parquet file of the customer view too
// big for --sample-rows: the model records the file as its source and the sample, and a
// small limit that is above the file's rows reads it whole (no sample recorded).
func TestTrainOnParquetSample(t *testing.T) {
	ctx := context.Background()
	ws := sampleWorkspace(t)
	v, err := features.CustomerView(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "view.parquet")
	if _, err := ws.ExecContext(ctx, "COPY ("+v.SQL+") TO "+workspace.QuoteString(file)+" (FORMAT parquet)"); err != nil {
		t.Fatal(err)
	}
	spec := Spec{Name: "parquet-P07", Files: filepath.Join(filepath.Dir(file), "*.parquet"), ID: "customer_id", Target: "own_p7 > 0",
		Exclude: []string{"acc_p7", "dec_p7"}, Algo: "logit", Seed: 1, SampleRows: 3000}
	res, err := TrainTable(ctx, ws, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sample == nil || res.Sample.Population != sampleSize || res.Source != spec.Files {
		t.Fatalf("sample %v, source %q", res.Sample, res.Source)
	}
	t.Logf("%s", res.Sample)
	if left := stageTables(t, ws); len(left) > 0 {
		t.Fatalf("staging tables left: %v", left)
	}
	spec.SampleRows = sampleSize
	whole, err := TrainTable(ctx, ws, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if whole.Sample != nil || whole.Rows != sampleSize {
		t.Fatalf("a file of %d rows under a limit of %d: sample %v, %d rows", sampleSize, sampleSize, whole.Sample, whole.Rows)
	}
	// bad input: no file matches, a file that is not Parquet/CSV
	for _, files := range []string{filepath.Join(t.TempDir(), "none-*.parquet"), file + ".json"} {
		bad := spec
		bad.Files = files
		if _, err := TrainTable(ctx, ws, bad, nil); err == nil {
			t.Fatalf("files %s: no error", files)
		} else {
			t.Logf("%s: %v", files, err)
		}
	}
}
