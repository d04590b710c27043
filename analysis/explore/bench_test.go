package explore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

// benchRows is the size of the benchmark table: the 1,000,000-customer target of issue 3.
const benchRows = 1_000_000

// openBenchTable builds a customers-shaped table (16 columns of the datamart's types, with
// NULLs) of n rows in an in-memory workspace.
func openBenchTable(b *testing.B, n int) *workspace.Workspace {
	b.Helper()
	ctx := context.Background()
	ws := sampletest.Memory(b)
	_, err := ws.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE customers AS
		SELECT i::BIGINT AS customer_id,
		       'Customer ' || i AS name,
		       ['retail','hospitality','construction','healthcare','logistics','ict'][1 + (hash(i) %% 1000003)::BIGINT %% 6] AS sector,
		       ['micro','small','medium','large'][1 + (hash(i * 7) %% 1000003)::BIGINT %% 4] AS size_class,
		       (1 + (hash(i * 3) %% 1000003)::BIGINT %% 500)::INTEGER AS employees,
		       'region ' || ((hash(i * 5) %% 1000003)::BIGINT %% 12) AS region,
		       ((hash(i * 11) %% 1000003)::BIGINT %% 240)::INTEGER AS tenure_months,
		       (20 + ((hash(i * 13) %% 1000003)::BIGINT %% 100000) / 10.0)::DOUBLE AS monthly_revenue,
		       ((hash(i * 17) %% 1000003)::BIGINT %% 60)::INTEGER AS mobile_subs,
		       (((hash(i * 19) %% 1000003)::BIGINT %% 100000) / 1000.0)::DOUBLE AS data_gb_month,
		       ((hash(i * 23) %% 1000003)::BIGINT %% 20)::INTEGER AS fixed_lines,
		       (1 + (hash(i * 29) %% 1000003)::BIGINT %% 8)::INTEGER AS locations,
		       CASE WHEN i %% 5 = 0 THEN NULL ELSE ((hash(i * 31) %% 1000003)::BIGINT %% 36)::INTEGER END AS contract_end_months,
		       ((hash(i * 37) %% 1000003)::BIGINT %% 90)::INTEGER AS payment_delay_days,
		       CASE WHEN i %% 3 = 0 THEN NULL ELSE ((hash(i * 41) %% 1000003)::BIGINT %% 201)::INTEGER - 100 END AS nps,
		       (((hash(i * 43) %% 1000003)::BIGINT %% 1000) / 1000.0)::DOUBLE AS digital_affinity
		FROM range(%d) r(i)`, n))
	if err != nil {
		b.Fatal(err)
	}
	return ws
}

// BenchmarkProfile1M profiles all 16 columns of a 1,000,000-row table.
func BenchmarkProfile1M(b *testing.B) {
	ws := openBenchTable(b, benchRows)
	ctx := context.Background()
	b.ResetTimer()
	cpu0 := sampletest.ProcessCPU()
	for b.Loop() {
		p, err := Profile(ctx, ws, "customers", nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(p) != 16 || p[0].Rows != benchRows {
			b.Fatalf("profile %d columns, %d rows", len(p), p[0].Rows)
		}
	}
	reportCPU(b, cpu0)
}

// reportCPU adds the process CPU time per op (DuckDB threads included) as cpu-ms/op.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(sampletest.ProcessCPU()-cpu0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// BenchmarkPreview1M fetches one 100-row page of a 1,000,000-row table (count + page):
// first, deep (offset 500,000), last, with a plain-text filter (letters: only text columns
// are searched; digits: every column), a SQL filter, and sorted.
func BenchmarkPreview1M(b *testing.B) {
	ws := openBenchTable(b, benchRows)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		opt  PreviewOptions
	}{
		{"first", PreviewOptions{Offset: 0, Limit: 100}},
		{"deep", PreviewOptions{Offset: benchRows / 2, Limit: 100}},
		{"last", PreviewOptions{Offset: benchRows - 100, Limit: 100}},
		{"text", PreviewOptions{Filter: "Customer 4242", Limit: 100}},
		{"numtext", PreviewOptions{Filter: "4242", Limit: 100}},
		{"where", PreviewOptions{Filter: "where sector = 'retail' and mobile_subs > 30", Offset: 5000, Limit: 100}},
		{"sorted", PreviewOptions{OrderBy: "monthly_revenue desc", Offset: 1000, Limit: 100}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cpu0 := sampletest.ProcessCPU()
			for b.Loop() {
				p, err := Preview(ctx, ws, "customers", bc.opt)
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Rows) == 0 {
					b.Fatalf("%+v: empty page", bc.opt)
				}
			}
			reportCPU(b, cpu0)
		})
	}
}
