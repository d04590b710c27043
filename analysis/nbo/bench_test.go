package nbo

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

// benchWorkspace is the workspace the scoring and plan benchmarks run on: a copy of
// ACRM_BENCH_DB (a prepared workspace file with trained models: acrm sample, acrm train --all
// --algo logit; the file itself is never written), else an in-memory sample of
// ACRM_BENCH_CUSTOMERS customers (default 100,000) with logit look-alike models trained on it
// outside the timing.
func benchWorkspace(b *testing.B) *workspace.Workspace {
	b.Helper()
	ctx := context.Background()
	if src := os.Getenv("ACRM_BENCH_DB"); src != "" {
		dst := filepath.Join(b.TempDir(), "bench.duckdb")
		if err := copyFile(src, dst); err != nil {
			b.Fatal(err)
		}
		ws, err := workspace.Open(ctx, dst)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = ws.Close() })
		return ws
	}
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("ACRM_BENCH_CUSTOMERS")); err == nil && v > 0 {
		n = v
	}
	ws, err := workspace.Open(ctx, workspace.Memory)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ws.Close() })
	if _, err := sampledata.Generate(ctx, ws, sampledata.Options{Customers: n, Seed: 42}, nil); err != nil {
		b.Fatal(err)
	}
	if _, err := profiles.TrainAll(ctx, ws, profiles.AllSpec{Algo: "logit", Seed: 1}, nil); err != nil {
		b.Logf("training: %v", err)
	}
	return ws
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// BenchmarkScoreAll scores the whole base with the total model (every product's kept model,
// calibration, rules, ranked offers written back) — see benchWorkspace for the data (the
// issue's size is 1,000,000 customers × 32 products with logistic models). s/score is the
// wall time of one acrm score --all, cpu-s/score the process CPU seconds it took, GB-peak the
// process's peak resident memory so far (setup included). ACRM_BENCH_CHUNK sets the customers
// scored at once (default DefaultScoreChunk).
func BenchmarkScoreAll(b *testing.B) {
	ctx := context.Background()
	ws := benchWorkspace(b)
	chunk, _ := strconv.Atoi(os.Getenv("ACRM_BENCH_CHUNK"))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0, c0 := time.Now(), sampletest.ProcessCPU()
		res, err := ScoreAll(ctx, ws, ScoreOptions{Chunk: chunk})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(t0).Seconds(), "s/score")
		b.ReportMetric((sampletest.ProcessCPU() - c0).Seconds(), "cpu-s/score")
		b.ReportMetric(float64(res.Customers), "customers")
		b.ReportMetric(float64(len(res.Models)), "products")
		var ru syscall.Rusage
		if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
			b.ReportMetric(float64(ru.Maxrss)/(1<<20), "GB-peak")
		}
	}
}

// BenchmarkPlan allocates a budget (ACRM_BENCH_BUDGET, default 2 € per customer) over the
// half year with the workspace's rules and measured curves, as acrm plan --dry-run does —
// see benchWorkspace for the data; a workspace without a complete scoring is scored first,
// outside the timing. s/plan is the wall time, cpu-s/plan the process CPU seconds.
func BenchmarkPlan(b *testing.B) {
	ctx := context.Background()
	ws := benchWorkspace(b)
	rules, _, err := LoadRules(ctx, ws)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := LoadScoring(ctx, ws, rules); err != nil {
		if _, err := ScoreAll(ctx, ws, ScoreOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	var customers int
	if err := ws.QueryRowContext(ctx, "SELECT count(*) FROM customers").Scan(&customers); err != nil {
		b.Fatal(err)
	}
	budget := 2 * float64(customers)
	if v, err := strconv.ParseFloat(os.Getenv("ACRM_BENCH_BUDGET"), 64); err == nil && v > 0 {
		budget = v
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0, c0 := time.Now(), sampletest.ProcessCPU()
		res, err := Plan(ctx, ws, PlanSpec{Budget: budget, PeriodMonths: 6}, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(t0).Seconds(), "s/plan")
		b.ReportMetric((sampletest.ProcessCPU() - c0).Seconds(), "cpu-s/plan")
		b.ReportMetric(float64(res.Plan.Offers), "offers")
		b.ReportMetric(100*res.Plan.Profit/res.LPBound, "%bound")
	}
}
