package workspace

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeBenchCSV writes an n-row CRM-like CSV (ints, floats, strings, dates, a quoted field).
func writeBenchCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	sectors := []string{"retail", "horeca", "transport", "construction", "health", "ict", "finance", "public"}
	fmt.Fprintln(w, "customer_id,name,sector,employees,monthly_revenue,mobile_subs,start_date,nps")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(w, "%d,\"Company %d, BV\",%s,%d,%.2f,%d,2020-%02d-%02d,%d\n", i, i,
			sectors[rng.IntN(len(sectors))], 1+rng.IntN(500), rng.Float64()*5000, rng.IntN(60),
			1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(11))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// TestHelperImportChild runs one import in a child process so the benchmark can measure its
// wall time and peak RSS on their own. ACRM_BENCH_MODE = acrm | duckdb.
func TestHelperImportChild(t *testing.T) {
	mode := os.Getenv("ACRM_BENCH_MODE")
	if mode == "" {
		t.Skip("helper process only")
	}
	ctx := context.Background()
	w, err := Open(ctx, os.Getenv("ACRM_BENCH_DB"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	csvPath := os.Getenv("ACRM_BENCH_CSV")
	start := time.Now()
	switch mode {
	case "acrm":
		_, err = w.Import(ctx, ImportOptions{Path: csvPath, Table: "t"})
	case "duckdb":
		_, err = w.db.ExecContext(ctx, "CREATE TABLE t AS SELECT * FROM read_csv("+QuoteString(csvPath)+")")
	}
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("ELAPSED_NS %d\n", time.Since(start).Nanoseconds())
}

// BenchmarkImport1M compares acrm import with DuckDB's own read_csv on the same 1,000,000-row
// file in the same run, each in a fresh child process (peak RSS per process from rusage).
// Reports the median of 3 runs each and the speed ratio (≥ 0.9 is the goal).
func BenchmarkImport1M(b *testing.B) {
	dir := b.TempDir()
	csvPath := filepath.Join(dir, "customers.csv")
	if err := writeBenchCSV(csvPath, 1_000_000); err != nil {
		b.Fatal(err)
	}
	run := func(mode string, i int) (time.Duration, int64) {
		db := filepath.Join(dir, fmt.Sprintf("%s%d.duckdb", mode, i))
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperImportChild$", "-test.v")
		cmd.Env = append(os.Environ(), "ACRM_BENCH_MODE="+mode, "ACRM_BENCH_DB="+db, "ACRM_BENCH_CSV="+csvPath)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("%s: %v\n%s", mode, err, out)
		}
		var ns int64
		for _, line := range strings.Split(string(out), "\n") {
			if v, ok := strings.CutPrefix(line, "ELAPSED_NS "); ok {
				ns, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			}
		}
		rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
		return time.Duration(ns), rss
	}
	for n := 0; n < b.N; n++ {
		var ta, td []time.Duration
		var ra, rd int64
		for i := 0; i < 3; i++ {
			d, r := run("duckdb", i)
			td, rd = append(td, d), max(rd, r)
			d, r = run("acrm", i)
			ta, ra = append(ta, d), max(ra, r)
		}
		med := func(x []time.Duration) time.Duration {
			sort.Slice(x, func(i, j int) bool { return x[i] < x[j] })
			return x[len(x)/2]
		}
		a, d := med(ta), med(td)
		b.ReportMetric(float64(a.Milliseconds()), "acrm-ms")
		b.ReportMetric(float64(d.Milliseconds()), "read_csv-ms")
		b.ReportMetric(float64(d)/float64(a), "speed-ratio")
		b.ReportMetric(float64(ra)/1024, "acrm-peakRSS-MiB")
		b.ReportMetric(float64(rd)/1024, "read_csv-peakRSS-MiB")
	}
}
