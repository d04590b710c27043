package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// TestEveryNumericFlagHasARange: a numeric flag without a declared range would be refused
// at run time as a bug; this finds it first.
func TestEveryNumericFlagHasARange(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if numericFlag(f) {
				if _, ok := rangeOf(c, f.Name); !ok {
					t.Errorf("%s --%s has no range in flagRanges", c.CommandPath(), f.Name)
				}
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(rootCmd)
}

// TestFlagRangesCheckedBeforeWork runs the unbounded values: each is refused with the
// flag and its range named, before any workspace is opened (the --db file is never created).
func TestFlagRangesCheckedBeforeWork(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "never.duckdb")
	csv := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(csv, []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"simulate", "frequency", "--segment", "top", "--boot", "9000000000000000000"}, "--boot 9000000000000000000: out of range; expected 1 to 10,000"},
		{[]string{"simulate", "frequency", "--segment", "top", "--boot", "100000000"}, "--boot 100000000: out of range"},
		{[]string{"chart", "frequency", "-o", filepath.Join(dir, "f.png"), "--boot", "0"}, "--boot 0: out of range; expected 1 to 10,000"},
		{[]string{"chart", "scenarios", "-o", filepath.Join(dir, "s.png"), "--boot", "9000000000000000000"}, "--boot 9000000000000000000: out of range; expected 1 to 10,000"},
		{[]string{"chart", "deck", "-o", dir, "--boot", "9000000000000000000"}, "--boot 9000000000000000000: out of range; expected 1 to 10,000"},
		{[]string{"simulate", "save", "s", "frequency", "--segment", "top", "--boot", "9000000000000000000"}, "--boot 9000000000000000000: out of range; expected 1 to 10,000"},
		{[]string{"simulate", "save", "s", "frequency", "--segment", "top", "--boot", "100000000"}, "--boot 100000000: out of range"},
		{[]string{"chart", "deck", "-o", dir, "--products", "-5"}, "--products -5: out of range; expected 1 to 100"},
		{[]string{"train", "--product", "1", "--folds", "400"}, "--folds 400: out of range; expected 0 or 2 to 20"},
		{[]string{"train", "--product", "1", "--folds", "1000000"}, "--folds 1000000: out of range"},
		{[]string{"train", "--product", "1", "--folds", "-3"}, "--folds -3: out of range"},
		{[]string{"train", "--product", "1", "--folds", "1"}, "--folds 1: out of range"},
		{[]string{"train", "--all", "--parallel", "-5"}, "--parallel -5: out of range; expected 0 or 1 to 256"},
		{[]string{"sql", "--max-rows", "0", "SELECT 1"}, "--max-rows 0: out of range"},
		{[]string{"sql", "--max-rows", "-1", "SELECT 1"}, "--max-rows -1: out of range"},
		{[]string{"simulate", "profit", "--base", "1000", "--response", "0.1", "--profit", "10", "--step", "0"}, "--step 0: out of range; expected 0.001 to 1"},
		{[]string{"simulate", "profit", "--base", "1000", "--response", "0.1", "--profit", "10", "--step", "NaN"}, "--step NaN: not a number"},
		{[]string{"simulate", "roi", "--volume", "1e308", "--conversion", "0.1", "--profit", "1"}, "--volume 1e+308: out of range"},
		{[]string{"simulate", "save", "x", "roi", "--volume", "1e308", "--conversion", "0.1", "--profit", "1"}, "--volume 1e+308: out of range"},
		{[]string{"sample", "--customers", "-1"}, "--customers -1: out of range"},
		{[]string{"import", csv, "--table", "t", "--delim", "ab"}, `--delim "ab": expected one character`},
	} {
		args := append(append([]string{}, c.args...), "--db", db)
		_, err := run(t, args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("acrm %s: err = %v, want it to contain %q", strings.Join(c.args, " "), err, c.want)
		}
		if _, serr := os.Stat(db); serr == nil && c.args[0] != "import" {
			t.Fatalf("acrm %s created %s before refusing", strings.Join(c.args, " "), db)
		}
	}
}

// TestDBPathChecks: --db must be a DuckDB file or a new .duckdb/.db path; a command that
// only reads refuses a missing file and creates nothing.
func TestDBPathChecks(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "data.csv")
	if err := os.WriteFile(csv, []byte("id,x\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "typo.duckdb")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"import", csv, "--table", "t", "--db", csv}, "not a DuckDB workspace file"},
		{[]string{"import", csv, "--table", "t", "--db", filepath.Join(dir, "out.parquet")}, "must end in .duckdb or .db"},
		{[]string{"import", csv, "--table", "t", "--db", filepath.Join(dir, "out.json")}, "must end in .duckdb or .db"},
		{[]string{"sql", "SELECT 1", "--db", missing}, "no workspace at " + missing + " — `acrm sample --db " + missing + "` creates one"},
		{[]string{"segments", "list", "--db", missing}, "no workspace at"},
		{[]string{"models", "--db", missing}, "no workspace at"},
	} {
		_, err := run(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("acrm %s: err = %v, want it to contain %q", strings.Join(c.args, " "), err, c.want)
		}
	}
	for _, p := range []string{missing, filepath.Join(dir, "out.parquet"), filepath.Join(dir, "out.json")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was created", p)
		}
	}
	if b, _ := os.ReadFile(csv); string(b) != "id,x\n1,2\n" {
		t.Errorf("the CSV given as --db changed: %q", b)
	}
	// import creates a new .db workspace.
	db := filepath.Join(dir, "new.db")
	if _, err := run(t, "import", csv, "--table", "t", "--db", db); err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, "sql", "--db", db, "--format", "csv", "SELECT count(*) AS n FROM t"); err != nil || out != "n\n1\n" {
		t.Errorf("read back: %q, %v", out, err)
	}
}

// newEmptyWorkspace creates an empty workspace file at path (as acrm import would).
func newEmptyWorkspace(t *testing.T, path string) {
	t.Helper()
	ws, err := workspace.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ws.Close()
}

// TestMalformedMetricsRow (issue 17, item 6): one registry row with unreadable metrics no
// longer makes `acrm models` and `chart deck` fail: the row is listed with the reason, the
// others as before, and the deck names the model it left out.
func TestMalformedMetricsRow(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "ws.duckdb")
	ws, err := workspace.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ws.ExecContext(ctx, `INSERT INTO acrm_models (model_id, name, product_id, target, source, algo, version, features, metrics, is_best, created_at) VALUES
		('good@v1', 'good', 1, 'lookalike', 'customers', 'logit', 1, '["a","b"]', '{"auc":0.8123,"auc_sd":0.01,"folds":5,"positives":300}', true, now()),
		('bad@v1', 'bad', 2, 'lookalike', 'customers', 'logit', 1, '["a"]', '{"auc": 0.9, broken', true, now())`)
	ws.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "models", "--db", db)
	if err != nil {
		t.Fatalf("acrm models: %v", err)
	}
	for _, want := range []string{"good@v1", "0.8123", "bad@v1", "metrics unreadable", "model bad@v1: its metrics are not readable JSON", "acrm models --delete bad@v1"} {
		if !strings.Contains(out, want) {
			t.Errorf("acrm models does not show %q:\n%s", want, out)
		}
	}
	csvOut, err := run(t, "models", "--db", db, "--format", "csv")
	if err != nil || !strings.Contains(csvOut, "good@v1") || !strings.Contains(csvOut, "bad@v1") {
		t.Errorf("acrm models --format csv: %v\n%s", err, csvOut)
	}
	deckDir := filepath.Join(dir, "deck")
	out, err = run(t, "chart", "deck", "--db", db, "-o", deckDir, "--size", "640x360")
	if err != nil {
		t.Fatalf("acrm chart deck: %v", err)
	}
	index, _ := os.ReadFile(filepath.Join(deckDir, "index.md"))
	if !strings.Contains(string(index), "bad@v1: its metrics are not readable JSON") || !strings.Contains(out, "bad@v1") {
		t.Errorf("the deck does not name the model it left out:\n%s\n%s", out, index)
	}
}

// TestSQLJSONNonFinite (issue 17, item 6): NaN and infinities have no JSON number; they are
// written as strings and the rest of the output as before (it once printed only an error).
func TestSQLJSONNonFinite(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ws.duckdb")
	newEmptyWorkspace(t, db)
	out, err := run(t, "sql", "--db", db, "--format", "json",
		"SELECT 'nan'::DOUBLE AS x, 'inf'::DOUBLE AS y, '-inf'::DOUBLE AS z, 1.5 AS w, 10 AS n, NULL AS e")
	if err != nil {
		t.Fatalf("sql --format json: %v", err)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if len(rows) != 1 {
		t.Fatalf("rows = %v", rows)
	}
	r := rows[0]
	if r["x"] != "NaN" || r["y"] != "+Inf" || r["z"] != "-Inf" || r["w"] != 1.5 || r["n"] != 10.0 || r["e"] != nil {
		t.Errorf("row = %#v", r)
	}
}

// TestNewCommandFlagRanges: the numeric flags and the address, period, response-file and
// live-fact arguments of serve, select, plan, monitor, outcomes import and nbo are refused
// with the flag and its range named before the workspace is opened (the --db path does not
// exist: a command that got as far as opening it would say "no workspace" instead, and
// nothing is created).
func TestNewCommandFlagRanges(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "never.duckdb")
	resp := filepath.Join(dir, "responses.csv")
	if err := os.WriteFile(resp, []byte("customer,campaign,product,outcome,revenue,date\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sel := []string{"select", "--product", "best", "--channel", "mail", "-o", filepath.Join(dir, "s.csv")}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--addr", "127.0.0.1:99999"}, `--addr 127.0.0.1:99999: port "99999" out of range; expected 0 to 65,535`},
		{[]string{"serve", "--addr", "127.0.0.1:-1"}, `port "-1" out of range`},
		{[]string{"serve", "--addr", "127.0.0.1:http"}, `port "http" out of range`},
		{[]string{"serve", "--addr", "8080"}, `--addr "8080": want host:port`},
		{[]string{"serve", "--addr", "0.0.0.0:8080"}, "not a loopback address: refusing to start without --token"},
		{append(sel, "--size", "0"), "--size 0: out of range; expected 1 to 100,000,000"},
		{append(sel, "--size", "1000000000"), "--size 1000000000: out of range; expected 1 to 100,000,000"},
		{append(sel, "--budget", "-5"), "--budget -5: out of range; expected 0.01 to 1,000,000,000,000"},
		{append(sel, "--budget", "NaN"), "--budget NaN: not a number"},
		{append(sel, "--budget", "1e300"), "--budget 1e+300: out of range"},
		{append(sel, "--control", "0.9"), "--control 0.9: out of range; expected 0 to 0.5"},
		{append(sel, "--control", "-0.1"), "--control -0.1: out of range"},
		{append(sel, "--weeks", "0"), "--weeks 0: out of range; expected 1 to 520"},
		{append(sel, "--seed", "-1"), `invalid argument "-1" for "--seed"`},
		{[]string{"plan", "--budget", "0"}, "--budget 0: out of range; expected 0.01 to 1,000,000,000,000"},
		{[]string{"plan", "--budget", "Inf"}, "--budget +Inf: out of range"},
		{[]string{"plan", "--budget", "1000", "--period", "5y"}, `plan: --period: period "5y": want 3m, 6m or 12m`},
		{[]string{"plan", "--budget", "1000", "--control", "0.6"}, "--control 0.6: out of range; expected 0 to 0.5"},
		{[]string{"monitor", "--follow-days", "99999"}, "--follow-days 99999: out of range; expected 0 to 3,650"},
		{[]string{"monitor", "--follow-days", "-1"}, "--follow-days -1: out of range"},
		{[]string{"monitor", "--psi-moved", "0"}, "--psi-moved 0: out of range; expected 0.001 to 10"},
		{[]string{"monitor", "--psi-shifted", "NaN"}, "--psi-shifted NaN: not a number"},
		{[]string{"monitor", "--drift-rows", "-1"}, "--drift-rows -1: out of range; expected 0 or 1 to 100,000"},
		{[]string{"monitor", "--campaign", "-3"}, "--campaign -3: out of range; expected 0 or 1 to 2,147,483,647"},
		{[]string{"outcomes", "import", filepath.Join(dir, "missing.csv")}, "outcomes: stat " + filepath.Join(dir, "missing.csv") + ": no such file"},
		{[]string{"outcomes", "import", dir}, "outcomes: " + dir + " is not a file"},
		{[]string{"outcomes", "import", resp, "--rejects", resp}, "--rejects " + resp + " is the response file itself"},
		{[]string{"nbo", "--customer", "16", "--set", "locations"}, `nbo: --set: live fact "locations": want field=value`},
		{[]string{"nbo", "--customer", "16", "--set", "=3"}, `nbo: --set: live fact "=3": want field=value`},
		{[]string{"nbo", "--customer", "x16"}, `nbo: --customer "x16": want a customer_id`},
	} {
		args := append(append([]string{}, c.args...), "--db", db)
		_, err := run(t, args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("acrm %s: err = %v, want it to contain %q", strings.Join(c.args, " "), err, c.want)
		}
		if _, serr := os.Stat(db); serr == nil {
			t.Fatalf("acrm %s created %s before refusing", strings.Join(c.args, " "), db)
		}
	}
}

// TestStoredModelSourceCannotRunStatements (issue 17, item 1): a workspace from someone else
// may carry a model whose blob's source is SQL with extra statements. acrm score refuses it
// naming the source, and the file the extra statement would write never appears.
func TestStoredModelSourceCannotRunStatements(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "ws.duckdb")
	src := filepath.Join(dir, "in.csv")
	var b strings.Builder
	b.WriteString("id,x,y\n")
	for i := 1; i <= 200; i++ {
		fmt.Fprintf(&b, "%d,%d,%s\n", i, i%17, map[bool]string{true: "yes", false: "no"}[i%17 > 8])
	}
	if err := os.WriteFile(src, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "import", "--db", db, src, "--table", "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "train", "--db", db, "--table", "t", "--id", "id", "--target", "y = 'yes'", "--name", "m", "--algo", "logit"); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "score", "--db", db, "--model", "m"); err != nil {
		t.Fatalf("the untampered model does not score: %v", err)
	}
	written := filepath.Join(dir, "x.csv")
	for _, hostile := range []string{
		"SELECT * FROM t; COPY (SELECT 42 AS x) TO '" + written + "'",
		"$$'$$ = $$x$$ OR true); COPY (SELECT 42 AS x) TO $$" + written + "$$; DESCRIBE SELECT (true --",
		"(SELECT * FROM t) UNION ALL (SELECT * FROM read_csv('" + src + "'))",
	} {
		ws, err := workspace.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		var blob []byte
		if err := ws.QueryRowContext(ctx, `SELECT blob FROM acrm_models WHERE name = 'm'`).Scan(&blob); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(blob, &m); err != nil {
			t.Fatal(err)
		}
		m["source"] = hostile
		blob, _ = json.Marshal(m)
		if _, err := ws.ExecContext(ctx, `UPDATE acrm_models SET blob = ? WHERE name = 'm'`, blob); err != nil {
			t.Fatal(err)
		}
		ws.Close()
		_, err = run(t, "score", "--db", db, "--model", "m")
		if err == nil || !strings.Contains(err.Error(), "source") {
			t.Errorf("score with source %q: %v, want it refused naming the source", hostile, err)
		}
		if _, serr := os.Stat(written); serr == nil {
			t.Fatalf("score with source %q wrote %s", hostile, written)
		}
	}
}

// TestPanicBecomesOneLineAndAReport (issue 17, item 2): a panic that reaches main prints one
// line naming the crash report, exits with status 2, and the report holds the panic value,
// the command line and the stack.
func TestPanicBecomesOneLineAndAReport(t *testing.T) {
	tmp := t.TempDir()
	cmd := acrmCmd("version")
	cmd.Env = append(cmd.Env, "ACRM_TEST_PANIC=index out of range [7] with length 3\nsecond line", "TMPDIR="+tmp)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v, want status 2\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "acrm: internal error: index out of range [7] with length 3 — crash report: "+tmp) {
		t.Fatalf("stderr = %q, want one line naming the crash report in %s", stderr.String(), tmp)
	}
	report := strings.TrimPrefix(lines[0], "acrm: internal error: index out of range [7] with length 3 — crash report: ")
	body, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"panic: index out of range [7] with length 3\nsecond line", "command: ", "goroutine ", "crashGuard"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("crash report lacks %q:\n%s", want, body)
		}
	}
}

// TestStoredSegmentFilterCannotRunStatements (issue 17, item 1): a workspace from someone
// else may carry a saved segment whose filter hides a second statement in DuckDB's $$…$$
// strings. Every command that reads saved segments (segments list and kpis, chart segments,
// simulate frequency) leaves no file written and no table created, and those that evaluate
// the filter refuse it.
func TestStoredSegmentFilterCannotRunStatements(t *testing.T) {
	ctx := context.Background()
	db := sampleDB(t, 400)
	dir := t.TempDir()
	written := filepath.Join(dir, "x.csv")
	hostile := `$$'$$ = $$x$$ OR true); COPY (SELECT 42 AS x) TO $$` + written + `$$; CREATE TABLE injected AS SELECT 1 AS x; DESCRIBE SELECT (true --`
	ws, err := workspace.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ws.ExecContext(ctx, `INSERT INTO acrm_segments VALUES ('evil', ?, '', now()::TIMESTAMP)`, hostile)
	ws.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "segments", "--db", db, "list")
	for _, want := range []string{"evil", "refused", `segment "evil" refused: filter`, "not a single SQL expression", "acrm segments delete \"evil\"", "top"} {
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("segments list: %v\n%s\nwant %q: the other segments listed, this one refused with its reason", err, out, want)
		}
	}
	for _, args := range [][]string{
		{"segments", "--db", db, "kpis", "evil"},
		{"chart", "segments", "--db", db, "--segments", "evil", "-o", filepath.Join(dir, "s.png")},
		{"simulate", "frequency", "--db", db, "--segment", "evil", "--boot", "10"},
		{"chart", "frequency", "--db", db, "--segments", "evil", "--boot", "10", "-o", filepath.Join(dir, "f.png")},
	} {
		if out, err := run(t, args...); err == nil {
			t.Errorf("acrm %s evaluated the hostile filter:\n%s", strings.Join(args, " "), out)
		}
	}
	if _, err := os.Stat(written); err == nil {
		t.Fatalf("a stored segment filter wrote %s", written)
	}
	ws, err = workspace.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if ok, err := ws.HasTable(ctx, "injected"); err != nil || ok {
		t.Errorf("a stored segment filter created table injected (%v)", err)
	}
}

// TestStagingRemovedAndVacuum (issue 17, item 4): staging tables a killed run left are
// removed when the next command opens the workspace, which says so on stderr once; acrm
// vacuum then gives back the space of what was dropped and prints the sizes before and after.
func TestStagingRemovedAndVacuum(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "ws.duckdb")
	ws, err := workspace.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE TABLE keep AS SELECT range AS id FROM range(1000)",
		"CREATE TABLE " + workspace.StagePrefix + "sample_contacts AS SELECT range AS id, md5(range::VARCHAR) AS h FROM range(1500000)",
		"CREATE TABLE " + workspace.StagePrefix + "sample_customers AS SELECT range AS id FROM range(10)",
	} {
		if _, err := ws.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := ws.Close(); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	c := acrmCmd("sql", "--db", db, "--format", "csv", "SELECT count(*) AS n FROM keep")
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("acrm sql: %v\n%s", err, stderr.String())
	}
	want := "acrm: removed 2 staging table(s) left by an interrupted run: " + workspace.StagePrefix + "sample_contacts, " + workspace.StagePrefix + "sample_customers\n"
	if stderr.String() != want || stdout.String() != "n\n1000\n" {
		t.Errorf("acrm sql after a killed run: stdout %q stderr %q, want %q on stderr", stdout.String(), stderr.String(), want)
	}
	stderr.Reset()
	c = acrmCmd("sql", "--db", db, "--format", "csv", "SELECT 1 AS x")
	c.Stderr = &stderr
	if err := c.Run(); err != nil || stderr.Len() != 0 {
		t.Errorf("the second open: %v, stderr %q; want nothing more said", err, stderr.String())
	}
	st, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "vacuum", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	var before, after, reclaimed float64
	if _, err := fmt.Sscanf(out, db+": %f MB before, %f MB after (%f MB reclaimed)", &before, &after, &reclaimed); err != nil {
		t.Fatalf("acrm vacuum printed %q: %v", out, err)
	}
	st2, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(before*1e6-float64(st.Size())) > 0.05e6 || math.Abs(after*1e6-float64(st2.Size())) > 0.05e6 || st2.Size() >= st.Size()/2 {
		t.Errorf("vacuum: %q; file %d → %d bytes; want the file's size before and at least halved after", out, st.Size(), st2.Size())
	}
	if o, err := run(t, "sql", "--db", db, "--format", "csv", "SELECT count(*) AS n FROM keep"); err != nil || o != "n\n1000\n" {
		t.Errorf("keep after vacuum: %q, %v", o, err)
	}
}
