package sampledata

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// benchGenerate generates n customers with all tables into a fresh workspace file and reports
// rows/s, the file size and the peak RSS of the process.
func benchGenerate(b *testing.B, n int) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "bench.duckdb")
		ws, err := workspace.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		var ru0 syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
		b.StartTimer()
		start := time.Now()
		sum, err := Generate(ctx, ws, Options{Customers: n, Seed: 42}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := ws.Close(); err != nil {
			b.Fatal(err)
		}
		el := time.Since(start)
		b.StopTimer()
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		cpu := time.Duration(ru.Utime.Nano()+ru.Stime.Nano()-ru0.Utime.Nano()-ru0.Stime.Nano()) * time.Nanosecond
		var rows int64
		for _, v := range sum.Rows {
			rows += v
		}
		st, _ := os.Stat(path)
		b.ReportMetric(el.Seconds(), "wall_s")
		b.ReportMetric(cpu.Seconds(), "cpu_s")
		b.ReportMetric(float64(rows)/el.Seconds(), "rows/s")
		b.ReportMetric(float64(st.Size())/1e6, "file_MB")
		b.ReportMetric(float64(ru.Maxrss)/1024, "peakRSS_MB") // Linux: KiB
		b.Logf("%d customers: %d rows in %s (cpu %s), file %.1f MB, peak RSS %.0f MB; rows %v",
			n, rows, el.Round(time.Millisecond), cpu.Round(time.Millisecond), float64(st.Size())/1e6, float64(ru.Maxrss)/1024, sum.Rows)
		b.StartTimer()
	}
}

// BenchmarkGenerate1M is the target: 1,000,000 customers with all tables, ≤ 60 s on 2 cores.
func BenchmarkGenerate1M(b *testing.B) { benchGenerate(b, 1_000_000) }

// BenchmarkGenerate100k is the default sample size.
func BenchmarkGenerate100k(b *testing.B) { benchGenerate(b, 100_000) }

// BenchmarkSimulate measures the market simulator on 100,000 planned offers.
func BenchmarkSimulate(b *testing.B) {
	profiles := map[int64]*Profile{}
	for id := int64(1); id <= 10_000; id++ {
		pr := &Profile{Owned: make([]bool, NumProducts+1)}
		genAttributes(newPCGRand(9, uint64(id)), id, &pr.Customer)
		profiles[id] = pr
	}
	start := time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC)
	plans := make([]PlannedContact, 0, 100_000)
	for i := 0; i < 100_000; i++ {
		plans = append(plans, PlannedContact{CustomerID: int64(1 + i%10_000), ProductID: 2 + i%30, Channel: ChannelMail,
			TS: start.Add(time.Duration(i/10_000) * 20 * 24 * time.Hour)})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Simulate(context.Background(), plans, profiles, nil, uint64(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(plans))*float64(b.N)/b.Elapsed().Seconds(), "contacts/s")
}
