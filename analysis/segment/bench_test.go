package segment

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

const benchCustomers = 1_000_000

// openBenchWorkspace builds a datamart-shaped workspace of n customers with about 2
// holdings and 6 contacts per customer (so 6,000,000 contacts at n = 1,000,000) and 5 %
// opted out, all in SQL.
func openBenchWorkspace(b *testing.B, n int) *workspace.Workspace {
	b.Helper()
	ctx := context.Background()
	ws := sampletest.Memory(b)
	h := func(expr string, mod int) string {
		return fmt.Sprintf("((hash(%s) %% 1000003)::BIGINT %% %d)", expr, mod)
	}
	for _, s := range []string{
		fmt.Sprintf(`CREATE TABLE customers AS SELECT i::BIGINT AS customer_id, 'Customer ' || i AS name,
		   ['retail','hospitality','construction','healthcare','logistics','ict'][1 + %s] AS sector,
		   ['micro','small','medium','large'][1 + %s] AS size_class,
		   (1 + %s)::INTEGER AS employees, 'region ' || %s AS region,
		   %s::INTEGER AS tenure_months, (20 + %s / 10.0)::DOUBLE AS monthly_revenue,
		   %s::INTEGER AS mobile_subs, CASE WHEN i %% 5 = 0 THEN NULL ELSE %s END::INTEGER AS contract_end_months,
		   CASE WHEN i %% 3 = 0 THEN NULL ELSE %s - 100 END::INTEGER AS nps
		 FROM range(1, %d) r(i)`, h("i", 6), h("i*7", 4), h("i*3", 500), h("i*5", 12), h("i*11", 240), h("i*13", 100000),
			h("i*17", 60), h("i*31", 36), h("i*41", 201), n+1),
		fmt.Sprintf(`CREATE TABLE holdings AS SELECT (1 + %s)::BIGINT AS customer_id, (1 + %s)::INTEGER AS product_id,
		   DATE '2020-01-01' AS start_date, CASE WHEN j %% 4 = 0 THEN DATE '2025-01-01' END AS end_date
		 FROM range(%d) r(j)`, h("j", n), h("j*3", 32), 2*n),
		fmt.Sprintf(`CREATE TABLE contacts AS SELECT j::BIGINT AS contact_id, (1 + %s)::BIGINT AS customer_id,
		   TIMESTAMP '2024-11-01' + INTERVAL (%s) MINUTE AS ts, 'mail' AS channel,
		   CASE WHEN j %% 5 = 0 THEN 'inbound' ELSE 'outbound' END AS direction, 1 AS campaign_id,
		   CASE WHEN j %% 5 = 0 THEN NULL ELSE (1 + %s)::INTEGER END AS product_id,
		   CASE WHEN j %% 5 = 0 THEN NULL WHEN j %% 37 = 0 THEN 'accepted' WHEN j %% 3 = 0 THEN 'declined' ELSE 'no_response' END AS outcome,
		   CASE WHEN j %% 37 = 0 THEN 1000.0 ELSE 0.0 END AS revenue, NULL AS reason
		 FROM range(%d) r(j)`, h("j*7", n), h("j*11", 730*24*60), h("j*13", 32), 6*n),
		fmt.Sprintf(`CREATE TABLE optouts AS SELECT i::BIGINT AS customer_id, NULL::INTEGER AS product_id, 'mail' AS channel, DATE '2025-01-01' AS since
		 FROM range(1, %d, 20) r(i)`, n+1),
	} {
		if _, err := ws.ExecContext(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	if err := EnsureCustomerView(ctx, ws); err != nil {
		b.Fatal(err)
	}
	return ws
}

// BenchmarkKPIs1M computes the KPI table of the base and four segments (the three value
// segments and a sector × size filter) over 1,000,000 customers and 6,000,000 contacts.
func BenchmarkKPIs1M(b *testing.B) {
	ws := openBenchWorkspace(b, benchCustomers)
	ctx := context.Background()
	segs := append(ValueSegments(), Segment{Name: "retail large", Filter: "sector = 'retail' AND size_class = 'large'"})
	b.ResetTimer()
	cpu0 := sampletest.ProcessCPU()
	for b.Loop() {
		rows, err := KPIs(ctx, ws, segs)
		if err != nil {
			b.Fatal(err)
		}
		if rows[0].Customers != benchCustomers {
			b.Fatalf("base %d customers", rows[0].Customers)
		}
	}
	reportCPU(b, cpu0)
}

// reportCPU adds the process CPU time per op (DuckDB threads included) as cpu-ms/op.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(sampletest.ProcessCPU()-cpu0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// BenchmarkCrosstab1M crosses a categorical column with a banded numeric one over
// 1,000,000 customers.
func BenchmarkCrosstab1M(b *testing.B) {
	ws := openBenchWorkspace(b, benchCustomers)
	ctx := context.Background()
	b.ResetTimer()
	cpu0 := sampletest.ProcessCPU()
	for b.Loop() {
		x, err := Crosstab(ctx, ws, "sector", "monthly_revenue", "")
		if err != nil {
			b.Fatal(err)
		}
		if x.Total != benchCustomers {
			b.Fatalf("total %d", x.Total)
		}
	}
	reportCPU(b, cpu0)
}
