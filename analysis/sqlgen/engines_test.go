package sqlgen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

// The engines of make test-engines (scripts/test-engines.sh starts them and sets these).
func pgPort() string { return os.Getenv("ACRM_PG_PORT") }
func chPorts() []string {
	if s := os.Getenv("ACRM_CH_PORTS"); s != "" {
		return strings.Split(s, ",")
	}
	return nil
}

// engineTables are the tables the compiled models read, with the columns they carry.
var engineTables = []string{"customers", "holdings", "contacts", "optouts", "events", "acct"}

// exportTSV writes a table of the workspace as tab-separated text with \N for NULL
// (timestamps to the second), the format both engines load; name is left out of customers.
func exportTSV(t testing.TB, ws *workspace.Workspace, table, path string) []Column {
	t.Helper()
	cols, err := Describe(context.Background(), ws, table)
	if err != nil {
		t.Fatal(err)
	}
	var keep []Column
	var sel []string
	for _, c := range cols {
		if table == "customers" && c.Name == "name" {
			continue
		}
		keep = append(keep, c)
		e := workspace.QuoteIdent(c.Name)
		if strings.HasPrefix(c.Type, "TIMESTAMP") {
			e = "strftime(" + e + ", '%Y-%m-%d %H:%M:%S')"
		}
		if c.Type == "BOOLEAN" {
			e = "CAST(" + e + " AS INTEGER)" // 1/0, which both engines read
		}
		sel = append(sel, e)
	}
	q := "COPY (SELECT " + strings.Join(sel, ", ") + " FROM " + workspace.QuoteIdent(table) + ") TO " + workspace.QuoteString(path) +
		" (FORMAT csv, HEADER false, DELIMITER '\t', NULLSTR '\\N')"
	if _, err := ws.ExecContext(context.Background(), q); err != nil {
		t.Fatalf("export %s: %v", table, err)
	}
	return keep
}

func ddl(d *Dialect, table string, cols []Column, nullable bool) string {
	var defs []string
	for _, c := range cols {
		typ := d.Types(c.Type)
		if nullable && c.Name != "customer_id" {
			typ = "Nullable(" + typ + ")"
		}
		defs = append(defs, d.Ident(c.Name)+" "+typ)
	}
	return "CREATE TABLE " + d.Ident(table) + " (" + strings.Join(defs, ", ") + ")"
}

func runCmd(t testing.TB, stdin []byte, name string, args ...string) string {
	t.Helper()
	var r io.Reader
	if stdin != nil {
		r = bytes.NewReader(stdin)
	}
	return runCmdFrom(t, r, name, args...)
}

// runCmdFrom is runCmd with stdin read from r (a file streamed, not held in memory).
func runCmdFrom(t testing.TB, stdin io.Reader, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := errb.String() + out.String()
		if len(msg) > 3000 {
			msg = msg[:1500] + " … " + msg[len(msg)-1500:]
		}
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args[:min(len(args), 6)], " "), err, msg)
	}
	return out.String()
}

func psql(t testing.TB, file string) string {
	return runCmd(t, nil, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-F", "\t", "-h", "127.0.0.1", "-p", pgPort(),
		"-U", os.Getenv("ACRM_PG_USER"), "-d", "postgres", "-f", file)
}

func clickhouse(t testing.TB, port string, script string, args ...string) string {
	return runCmd(t, []byte(script), "clickhouse-client", append([]string{"--port", port, "--multiquery"}, args...)...)
}

// parseScores reads "id<TAB>score" lines.
func parseScores(t testing.TB, out string) map[string]float64 {
	t.Helper()
	res := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		id, s, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("unexpected output line %q", line)
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("score %q: %v", s, err)
		}
		res[id] = v
	}
	return res
}

// loadPostgres creates the tables in PostgreSQL and loads them.
func loadPostgres(t testing.TB, ws *workspace.Workspace, dir string, tables []string) {
	d, _ := Lookup("postgres")
	var b strings.Builder
	for _, tb := range tables {
		b.WriteString("DROP TABLE IF EXISTS " + d.Ident(tb) + ";\n")
		path := filepath.Join(dir, tb+".tsv")
		cols := exportTSV(t, ws, tb, path)
		b.WriteString(ddl(d, tb, cols, false) + ";\n")
		b.WriteString(`\copy "` + tb + `" FROM '` + path + `' WITH (FORMAT text)` + "\n")
		b.WriteString("ANALYZE " + d.Ident(tb) + ";\n")
	}
	f := filepath.Join(dir, "load-pg.sql")
	if err := os.WriteFile(f, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	psql(t, f)
}

// loadClickHouse creates each table as a MergeTree table <t>_local on both shards and a
// Distributed table <t> over them (sharded by customer_id) on the first, and inserts through
// the Distributed table; it checks that both shards hold rows.
func loadClickHouse(t testing.TB, ws *workspace.Workspace, dir string, tables []string) {
	d, _ := Lookup("clickhouse")
	ports := chPorts()
	for _, tb := range tables {
		path := filepath.Join(dir, tb+"-ch.tsv")
		cols := exportTSV(t, ws, tb, path)
		if cols[0].Name != "customer_id" {
			// Not a customer table (campaigns): one MergeTree table on the first server.
			local := ddl(d, tb, cols, true) + " ENGINE = MergeTree() ORDER BY " + d.Ident(cols[0].Name)
			clickhouse(t, ports[0], "DROP TABLE IF EXISTS "+d.Ident(tb)+";\n"+strings.Replace(local, "Nullable("+d.Types(cols[0].Type)+")", d.Types(cols[0].Type), 1)+";\n")
			insertFile(t, path, ports[0], "INSERT INTO "+d.Ident(tb)+" FORMAT TabSeparated")
			continue
		}
		local := ddl(d, tb+"_local", cols, true) + " ENGINE = MergeTree() ORDER BY customer_id"
		for _, p := range ports {
			clickhouse(t, p, "DROP TABLE IF EXISTS "+d.Ident(tb)+";\nDROP TABLE IF EXISTS "+d.Ident(tb+"_local")+";\n"+local+";\n")
		}
		clickhouse(t, ports[0], "CREATE TABLE "+d.Ident(tb)+" AS "+d.Ident(tb+"_local")+
			" ENGINE = Distributed(acrm, default, "+tb+"_local, customer_id);\n")
		insertFile(t, path, ports[0], "INSERT INTO "+d.Ident(tb)+" FORMAT TabSeparated", "--insert_distributed_sync=1")
		for _, p := range ports {
			n := strings.TrimSpace(clickhouse(t, p, "SELECT count() FROM "+d.Ident(tb+"_local")+";\n"))
			if tb == "customers" && (n == "0" || n == "") {
				t.Fatalf("shard on port %s holds no customers: the table is not distributed", p)
			}
			t.Logf("clickhouse shard :%s holds %s rows of %s", p, n, tb)
		}
	}
}

// insertFile streams a tab-separated file into clickhouse-client's INSERT on port, and
// removes the file.
func insertFile(t testing.TB, path, port, insert string, args ...string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	runCmdFrom(t, f, "clickhouse-client", append([]string{"--port", port, "-q", insert}, args...)...)
	os.Remove(path)
}

// TestEngineParity: every algorithm's model compiled to PostgreSQL and to ClickHouse SQL,
// run by a real PostgreSQL 15 and a two-shard ClickHouse cluster over the same canonical
// tables, gives the in-process scores within 1e-9 (both engines compute in 64-bit floats).
// make test-engines starts the engines; without them the test says so and skips. The sample
// is ACRM_ENGINES_CUSTOMERS customers (default 2,000, the size CI runs).
func TestEngineParity(t *testing.T) {
	if pgPort() == "" && chPorts() == nil {
		t.Skip("ENGINES NOT RUNNING: no ACRM_PG_PORT / ACRM_CH_PORTS — run make test-engines (this test did not run)")
	}
	n := engineCustomers(t, "ACRM_ENGINES_CUSTOMERS", 2000)
	ctx := context.Background()
	ws := sampletest.Fresh(t, n, 5)
	t0 := time.Now()
	ids := trainAll(t, ws)
	t.Logf("%d customers: trained %d models in %s", n, len(ids), time.Since(t0).Round(time.Second))
	dir := t.TempDir()
	want := map[string]map[string]float64{}
	for _, id := range ids {
		want[id] = inProcess(t, ws, id)
	}
	engines := []struct {
		name string
		up   bool
		load func(testing.TB, *workspace.Workspace, string, []string)
		run  func(t testing.TB, file, script string) string
	}{
		{"postgres", pgPort() != "", loadPostgres, func(t testing.TB, file, script string) string {
			if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
				t.Fatal(err)
			}
			return psql(t, file)
		}},
		{"clickhouse", chPorts() != nil, loadClickHouse, func(t testing.TB, _, script string) string {
			return clickhouse(t, chPorts()[0], script, "--format", "TabSeparated")
		}},
		{"duckdb", true, func(testing.TB, *workspace.Workspace, string, []string) {}, nil},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			if !e.up {
				t.Skipf("ENGINE SKIPPED: %s is not running (see make test-engines' banner)", e.name)
			}
			t0 := time.Now()
			e.load(t, ws, dir, engineTables)
			t.Logf("%s: loaded the canonical tables in %s", e.name, time.Since(t0).Round(time.Millisecond))
			d, _ := Lookup(e.name)
			for _, id := range ids {
				q, m, err := ModelQuery(ctx, ws, id, d)
				if err != nil {
					t.Fatal(err)
				}
				t0 := time.Now()
				var got map[string]float64
				if e.run == nil { // duckdb: the query on the workspace itself
					got = runDuck(t, ws, q)
				} else {
					got = parseScores(t, e.run(t, filepath.Join(dir, fmt.Sprintf("%s-%s.sql", e.name, m.Name)), Script(d, nil, q)))
				}
				worst := compare(t, e.name+" "+id, want[id], got, 1e-9)
				t.Logf("%s %s (%s): %d customers, max |Δ| %.2g, %s", e.name, id, m.Algo, len(want[id]), worst, time.Since(t0).Round(time.Millisecond))
			}
		})
	}
}

// engineCustomers is a sample size of make test-engines: the variable env when set, else def
// (the size CI runs).
func engineCustomers(t testing.TB, env string, def int) int {
	t.Helper()
	if s := os.Getenv(env); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v <= 0 {
			t.Fatalf("%s %q: want a number of customers", env, s)
		}
		return v
	}
	return def
}

// parseOffers reads acrm_nbo_offers rows printed tab-separated.
func parseOffers(t testing.TB, out string) []offerRow {
	t.Helper()
	var res []offerRow
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 8 {
			t.Fatalf("unexpected offers line %q", line)
		}
		var o offerRow
		var err error
		num := func(s string) float64 {
			v, e := strconv.ParseFloat(s, 64)
			if e != nil {
				err = e
			}
			return v
		}
		o.customer = int64(num(f[0]))
		o.rank, o.product = int(num(f[1])), int(num(f[2]))
		o.channel, o.p, o.value, o.model, o.reason = f[3], num(f[4]), num(f[5]), f[6], f[7]
		if err != nil {
			t.Fatalf("offers line %q: %v", line, err)
		}
		res = append(res, o)
	}
	return res
}

// TestEngineJobParity: acrm score --all --emit-sql for PostgreSQL and for ClickHouse, the
// three files run in order by a real PostgreSQL 15 and on a two-shard ClickHouse cluster
// (the canonical customer tables Distributed over both shards), write the same ranked offers
// as score --all: the same customers, ranks, products and channels, P and value within 1e-9.
// The sample is ACRM_ENGINES_JOB_CUSTOMERS customers (default 1,000, the size CI runs).
func TestEngineJobParity(t *testing.T) {
	if pgPort() == "" && chPorts() == nil {
		t.Skip("ENGINES NOT RUNNING: no ACRM_PG_PORT / ACRM_CH_PORTS — run make test-engines (this test did not run)")
	}
	n := engineCustomers(t, "ACRM_ENGINES_JOB_CUSTOMERS", 1000)
	all := false
	switch v := os.Getenv("ACRM_ENGINES_JOB_PRODUCTS"); v {
	case "":
	case "all":
		all = true
	default:
		t.Fatalf("ACRM_ENGINES_JOB_PRODUCTS %q: want all or nothing", v)
	}
	ctx := context.Background()
	t0 := time.Now()
	ws, _ := jobWorkspace(t, n, all)
	want := readOffers(t, ws, OffersTable)
	t.Logf("%d customers: trained and scored in %s, %d offers", n, time.Since(t0).Round(time.Second), len(want))
	tables := []string{"customers", "holdings", "contacts", "optouts", "events", "campaigns", "campaign_members"}
	const sel = "SELECT customer_id, rank, product_id, channel, p_accept, expected_value, model_version, reason FROM acrm_nbo_offers ORDER BY customer_id, rank"
	engines := []struct {
		name string
		up   bool
		load func(testing.TB, *workspace.Workspace, string, []string)
		run  func(t testing.TB, file string) string
	}{
		{"postgres", pgPort() != "", loadPostgres, func(t testing.TB, file string) string { return psql(t, file) }},
		{"clickhouse", chPorts() != nil, loadClickHouse, func(t testing.TB, file string) string {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			return clickhouse(t, chPorts()[0], string(b), "--format", "TabSeparated")
		}},
		// Last: the DuckDB job rewrites the workspace's own acrm_nbo_offers.
		{"duckdb", true, func(testing.TB, *workspace.Workspace, string, []string) {}, func(t testing.TB, file string) string {
			if filepath.Base(file) == "offers.sql" {
				var b strings.Builder
				for _, o := range readOffers(t, ws, OffersTable) {
					fmt.Fprintf(&b, "%d\t%d\t%d\t%s\t%.17g\t%.17g\t%s\t%s\n", o.customer, o.rank, o.product, o.channel, o.p, o.value, o.model, o.reason)
				}
				return b.String()
			}
			runJobDuck(t, ws, filepath.Dir(file), filepath.Base(file))
			return ""
		}},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			if !e.up {
				t.Skipf("ENGINE SKIPPED: %s is not running (see make test-engines' banner)", e.name)
			}
			dir := t.TempDir()
			t0 := time.Now()
			e.load(t, ws, dir, tables)
			t.Logf("%s: loaded the canonical tables in %s", e.name, time.Since(t0).Round(time.Millisecond))
			job := filepath.Join(dir, "job")
			res, err := EmitJob(ctx, ws, e.name, job)
			if err != nil {
				t.Fatal(err)
			}
			if all && res.Products != sampledata.NumProducts {
				t.Fatalf("%d products in the job, want every one of the %d", res.Products, sampledata.NumProducts)
			}
			for _, f := range JobFiles {
				t0 := time.Now()
				e.run(t, filepath.Join(job, f))
				t.Logf("%s: %s ran in %s", e.name, f, time.Since(t0).Round(time.Millisecond))
			}
			q := filepath.Join(dir, "offers.sql")
			if err := os.WriteFile(q, []byte(sel+";\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			got := parseOffers(t, e.run(t, q))
			worst := sameOffers(t, e.name+" job", want, got, 1e-9)
			t.Logf("%s: %d ranked offers identical to score --all, max |Δ| %.2g", e.name, len(got), worst)
		})
	}
}
