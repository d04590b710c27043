package sqlgen

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// TestEngineScale runs the batch job of a scored workspace (ACRM_ENGINES_SCALE_MODELS: its
// kept models, calibration and rules, as score --all --emit-sql writes them) over the
// canonical tables of another, larger workspace (ACRM_ENGINES_SCALE_DB; the DuckDB job
// writes acrm_nbo_offers into it, so give it a copy), on the engines named in
// ACRM_ENGINES_SCALE_ENGINES (duckdb, clickhouse; default both). It reports the load into
// ClickHouse, each file's wall time, the DuckDB process's peak RSS (run duckdb alone to read
// it) and a checksum of the offers, which must agree between the engines; when both name the
// same workspace, DuckDB's offers must be the ones score --all wrote there. Not part of CI:
//
//	ACRM_ENGINES_SCALE_MODELS=scored.duckdb ACRM_ENGINES_SCALE_DB=big.duckdb \
//	  ACRM_ENGINES_TESTS=TestEngineScale make test-engines
func TestEngineScale(t *testing.T) {
	models, big := os.Getenv("ACRM_ENGINES_SCALE_MODELS"), os.Getenv("ACRM_ENGINES_SCALE_DB")
	if models == "" || big == "" {
		t.Skip("set ACRM_ENGINES_SCALE_MODELS and ACRM_ENGINES_SCALE_DB to run the job at scale")
	}
	engines := strings.Split(os.Getenv("ACRM_ENGINES_SCALE_ENGINES"), ",")
	if engines[0] == "" {
		engines = []string{"duckdb", "clickhouse"}
	}
	ctx := context.Background()
	dir := t.TempDir()
	src, err := workspace.Open(ctx, models)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range engines {
		if _, err := EmitJob(ctx, src, e, filepath.Join(dir, e)); err != nil {
			t.Fatalf("emit the %s job from %s: %v", e, models, err)
		}
	}
	src.Close()
	ws, err := workspace.Open(ctx, big)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var n int
	if err := ws.QueryRowContext(ctx, "SELECT count(*) FROM customers").Scan(&n); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d customers; the job of %s", big, n, models)
	const sum = "SELECT count(*), count(DISTINCT customer_id), sum(rank * product_id / 2), round(sum(p_accept), 6), round(sum(expected_value), 3) FROM acrm_nbo_offers"
	sums := map[string]string{}
	for _, e := range engines {
		job := filepath.Join(dir, e)
		switch e {
		case "duckdb":
			// The job over its own workspace: the offers must be score --all's.
			var want []offerRow
			if models == big {
				want = readOffers(t, ws, OffersTable)
			}
			var total time.Duration
			for _, f := range JobFiles {
				t0 := time.Now()
				runJobDuck(t, ws, job, f)
				total += time.Since(t0)
				t.Logf("duckdb: %s ran in %s", f, time.Since(t0).Round(time.Millisecond))
			}
			var ru syscall.Rusage
			if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
				t.Fatal(err)
			}
			t.Logf("duckdb: the job in %s, this process's peak RSS %.2f GB", total.Round(time.Millisecond), float64(ru.Maxrss)/1e6)
			var c [5]string
			if err := ws.QueryRowContext(ctx, sum).Scan(&c[0], &c[1], &c[2], &c[3], &c[4]); err != nil {
				t.Fatal(err)
			}
			sums[e] = strings.Join(c[:], " ")
			if want != nil {
				worst := sameOffers(t, "duckdb job", want, readOffers(t, ws, OffersTable), 1e-9)
				t.Logf("duckdb: %d ranked offers identical to score --all, max |Δ| %.2g", len(want), worst)
			}
		case "clickhouse":
			if chPorts() == nil {
				t.Fatal("ClickHouse is not running (run through make test-engines)")
			}
			t0 := time.Now()
			loadClickHouse(t, ws, dir, []string{"customers", "holdings", "contacts", "optouts", "events", "campaigns", "campaign_members"})
			t.Logf("clickhouse: loaded the canonical tables in %s", time.Since(t0).Round(time.Millisecond))
			var total time.Duration
			for _, f := range JobFiles {
				b, err := os.ReadFile(filepath.Join(job, f))
				if err != nil {
					t.Fatal(err)
				}
				t0 := time.Now()
				clickhouse(t, chPorts()[0], string(b))
				total += time.Since(t0)
				t.Logf("clickhouse: %s ran in %s", f, time.Since(t0).Round(time.Millisecond))
			}
			t.Logf("clickhouse: the job in %s", total.Round(time.Millisecond))
			out := clickhouse(t, chPorts()[0], sum+";\n", "--format", "TabSeparated")
			sums[e] = strings.Join(strings.Fields(out), " ")
		default:
			t.Fatalf("ACRM_ENGINES_SCALE_ENGINES: unknown engine %q (duckdb, clickhouse)", e)
		}
		t.Logf("%s: offers (rows, customers, Σ rank·product/2, Σ P, Σ value): %s", e, sums[e])
	}
	if len(sums) == 2 {
		a, b := strings.Fields(sums["duckdb"]), strings.Fields(sums["clickhouse"])
		for k := range a {
			x, _ := strconv.ParseFloat(a[k], 64)
			y, _ := strconv.ParseFloat(b[k], 64)
			if d := x - y; d > 1e-6*max(1, x) || -d > 1e-6*max(1, x) {
				t.Errorf("the offers differ between duckdb (%s) and clickhouse (%s)", sums["duckdb"], sums["clickhouse"])
				break
			}
		}
	}
}
