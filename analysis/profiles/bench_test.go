package profiles

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata"
)

// BenchmarkTrainProduct100k trains the look-alike models (auto: logit, tree, gbdt) of one
// product on the default 100,000-customer sample and reports the best model's test AUC, its
// share of the oracle AUC, the calibration error and the customer-view load time. The whole
// leaderboard is `acrm train --all` on the same sample.
func BenchmarkTrainProduct100k(b *testing.B) {
	ctx := context.Background()
	ws, err := workspace.Open(ctx, workspace.Memory)
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	if _, err := sampledata.Generate(ctx, ws, sampledata.Options{Customers: 100000, Seed: 42}, nil); err != nil {
		b.Fatal(err)
	}
	oracle, err := OracleAUC(ctx, ws)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		base, err := LoadBase(ctx, ws, nil)
		if err != nil {
			b.Fatal(err)
		}
		load := time.Since(t0)
		res, err := TrainProduct(ctx, ws, base, Spec{ProductID: 2, Algo: "auto", Seed: 1}, oracle, nil)
		if err != nil {
			b.Fatal(err)
		}
		best := res.BestModel()
		b.ReportMetric(load.Seconds(), "load-s")
		b.ReportMetric(best.CVMean(), "AUC")
		b.ReportMetric(best.CVMean()/res.Oracle, "AUC/oracle")
		b.ReportMetric(best.OOF.CalError, "cal-err")
	}
}

// BenchmarkTrainAll is `acrm train --all` (every product, auto, 5 folds) on the workspace
// named by ACRM_TRAIN_BENCH_DB, or on a generated 20,000-customer sample, and reports the
// mean CV AUC of the kept models.
func BenchmarkTrainAll(b *testing.B) {
	ctx := context.Background()
	path := os.Getenv("ACRM_TRAIN_BENCH_DB")
	if path == "" {
		path = workspace.Memory
	}
	ws, err := workspace.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	if path == workspace.Memory {
		if _, err := sampledata.Generate(ctx, ws, sampledata.Options{Customers: 20000, Seed: 42}, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := TrainAll(ctx, ws, AllSpec{Seed: 1, Products: benchProducts(b)}, nil)
		if err != nil {
			b.Fatal(err)
		}
		var s float64
		for _, r := range res {
			s += r.BestModel().CVMean()
		}
		b.ReportMetric(s/float64(len(res)), "mean-AUC")
	}
}

// benchProducts reads ACRM_TRAIN_BENCH_PRODUCTS (comma-separated ids; empty = every product).
func benchProducts(b *testing.B) []int {
	var out []int
	for _, f := range strings.FieldsFunc(os.Getenv("ACRM_TRAIN_BENCH_PRODUCTS"), func(r rune) bool { return r == ',' }) {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			b.Fatalf("ACRM_TRAIN_BENCH_PRODUCTS: %v", err)
		}
		out = append(out, v)
	}
	return out
}
