package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/acrm-dev/acrm/analysis/monitor"
)

// run executes the CLI with args and returns stdout and the error.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	resetFlags(rootCmd)
	var out, errb bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&errb)
	rootCmd.SetArgs(args)
	err := rootCmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestImportSQLExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ws.duckdb")
	src := filepath.Join(dir, "in.csv")
	os.WriteFile(src, []byte("klant;omzet\n1;10.5\n2;20\n3;30\n"), 0o644)

	out, err := run(t, "import", "--db", db, src, "--table", "customers", "--as", "customers", "--map", "klant=customer_id")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "imported 3 rows into customers") || !strings.Contains(out, "customer_id") {
		t.Fatalf("import output:\n%s", out)
	}
	out, err = run(t, "sql", "--db", db, "--format", "csv", "SELECT customer_id, omzet * 2 AS twice FROM customers ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	if out != "customer_id,twice\n1,21\n2,40\n3,60\n" {
		t.Fatalf("sql csv output %q", out)
	}
	out, err = run(t, "sql", "--db", db, "--format", "json", "SELECT customer_id FROM customers WHERE omzet > 15 ORDER BY 1")
	if err != nil || !strings.Contains(out, `"customer_id": 2`) || strings.Contains(out, `"customer_id": 1`) {
		t.Fatalf("sql json output %q, %v", out, err)
	}
	pq := filepath.Join(dir, "out.parquet")
	if _, err := run(t, "export", "--db", db, "customers", "-o", pq); err != nil {
		t.Fatal(err)
	}
	out, err = run(t, "sql", "--db", db, "--format", "csv", "SELECT count(*) AS n, sum(omzet) AS s FROM '"+pq+"'")
	if err != nil || out != "n,s\n3,60.5\n" {
		t.Fatalf("parquet read back: %q, %v", out, err)
	}
}

func TestCLIBadInput(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ws.duckdb")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"import", "--db", db, filepath.Join(dir, "missing.csv"), "--table", "x"}, "file not found"},
		{[]string{"import", "--db", db, "x.csv", "--table", "x", "--map", "nonsense"}, `--map "nonsense": expected src=dst`},
		{[]string{"sql", "--db", db, "--format", "xml", "SELECT 1"}, `--format "xml"`},
		{[]string{"sql", "--db", db, "SELEC 1"}, "syntax error"},
		{[]string{"export", "--db", db, "nosuch", "-o", filepath.Join(dir, "a.csv")}, `no table "nosuch"`},
	}
	for _, c := range cases {
		_, err := run(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want it to contain %q", c.args, err, c.want)
		}
	}
}

func TestThousands(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -2500: "-2,500"} {
		if got := thousands(in); got != want {
			t.Errorf("thousands(%d) = %q, want %q", in, got, want)
		}
	}
}

// resetFlags puts every flag of every command back to its default: cobra keeps flag values
// between Execute calls of the same command tree.
func resetFlags(c *cobra.Command) {
	reset := func(f *pflag.Flag) {
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			_ = sv.Replace(nil)
		} else {
			_ = f.Value.Set(f.DefValue)
		}
		f.Changed = false
	}
	c.Flags().VisitAll(reset)
	c.PersistentFlags().VisitAll(reset)
	for _, sub := range c.Commands() {
		resetFlags(sub)
	}
}

// TestOneRow (issue 11 bug 7): one row is "1 row", never "1 rows".
func TestOneRow(t *testing.T) {
	out, err := run(t, "sql", "--db", ":memory:", "SELECT 1 AS one")
	if err != nil || !strings.Contains(out, "(1 row, ") || strings.Contains(out, "1 rows") {
		t.Fatalf("one row: %q, %v", out, err)
	}
	out, err = run(t, "sql", "--db", ":memory:", "SELECT 1 AS n UNION ALL SELECT 2")
	if err != nil || !strings.Contains(out, "(2 rows, ") {
		t.Fatalf("two rows: %q, %v", out, err)
	}
	if got := count(1, "column") + "|" + count(1234, "row") + "|" + count(0, "row"); got != "1 column|1,234 rows|0 rows" {
		t.Fatalf("count: %q", got)
	}
	if got := outcomesSummary("r.csv", &monitor.ImportResult{Rows: 1, Accepted: 1}); got != "r.csv: 1 row read, 1 imported, 0 rejected" {
		t.Fatalf("outcomes import of one row: %q", got)
	}
}

// TestVersion: acrm --version prints one line naming acrm and the Go version.
func TestVersion(t *testing.T) {
	out, err := run(t, "--version")
	if err != nil || !strings.HasPrefix(out, "acrm ") || !strings.Contains(out, "go1.") || strings.Count(out, "\n") != 1 {
		t.Fatalf("--version: %q, %v", out, err)
	}
}

// TestErrorsNameWhatWasTyped (issue 11 bug 9): errors quote the flag and value the user typed,
// without internal package prefixes or DuckDB's query text.
func TestErrorsNameWhatWasTyped(t *testing.T) {
	_, err := run(t, "train", "--db", ":memory:", "--table", "custmers", "--id", "id", "--target", "x > 1", "--name", "x")
	if err == nil || !strings.HasPrefix(err.Error(), "--table custmers: no table or view") || strings.Contains(err.Error(), "DESCRIBE") {
		t.Fatalf("train on a mistyped table: %v", err)
	}
	db := sampleDB(t, 300)
	_, err = run(t, "chart", "segments", "--db", db, "--segments", "top,retail", "-o", filepath.Join(t.TempDir(), "s.png"))
	if err == nil || !strings.HasPrefix(err.Error(), `--segments top,retail: unknown segment "retail"`) || strings.Contains(err.Error(), "deck:") {
		t.Fatalf("chart segments with an unknown segment: %v", err)
	}
}

// A bad training target is said in the command's words, naming what the user typed, not in
// the package's ("profiles: …").
func TestTrainErrorNamesTheTarget(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ws.duckdb")
	src := filepath.Join(dir, "in.csv")
	os.WriteFile(src, []byte("id,x,y\n1,1,yes\n2,2,no\n3,3,yes\n4,4,no\n"), 0o644)
	if _, err := run(t, "import", "--db", db, src, "--table", "t"); err != nil {
		t.Fatal(err)
	}
	_, err := run(t, "train", "--db", db, "--table", "t", "--id", "id", "--target", "x > 0", "--name", "m")
	if err == nil || !strings.HasPrefix(err.Error(), `train: target "x > 0"`) || strings.Contains(err.Error(), "profiles:") {
		t.Fatalf("constant target: %v", err)
	}
}

func TestUserMessageDropsPackageNames(t *testing.T) {
	for in, want := range map[string]string{
		"sampledata: x.duckdb: datamart tables already exist": "x.duckdb: datamart tables already exist",
		"workspace: open x: workspace is locked":              "open x: workspace is locked",
		"train: target \"x\" is constant":                     "train: target \"x\" is constant",
	} {
		if got := userMessage(errors.New(in)); got != want {
			t.Errorf("userMessage(%q) = %q, want %q", in, got, want)
		}
	}
}
