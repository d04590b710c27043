package nbo

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata"
)

// BenchmarkScoreAll scores the whole base with the total model (every product's logit
// look-alike model, calibration, rules, ranked offers written back) on a sample of
// ACRM_BENCH_CUSTOMERS customers (default 100,000; the size is 1,000,000). Generation
// and training are outside the timing; s/score is the wall time of one acrm score --all.
func BenchmarkScoreAll(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("ACRM_BENCH_CUSTOMERS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	ws, err := workspace.Open(ctx, workspace.Memory)
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	if _, err := sampledata.Generate(ctx, ws, sampledata.Options{Customers: n, Seed: 42}, nil); err != nil {
		b.Fatal(err)
	}
	if _, err := profiles.TrainAll(ctx, ws, profiles.AllSpec{Algo: "logit", Seed: 1}, nil); err != nil {
		b.Logf("training: %v", err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		res, err := ScoreAll(ctx, ws, ScoreOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(t0).Seconds(), "s/score")
		b.ReportMetric(float64(res.Customers), "customers")
		b.ReportMetric(float64(len(res.Models)), "products")
	}
}
