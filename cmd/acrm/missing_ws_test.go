package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryReaderRefusesAMissingWorkspace (issue 11 bug 10): a mistyped --db never becomes a
// new empty workspace. Every command that reads one — the workbench itself included — refuses
// a missing file with "no workspace at X" and creates nothing; only acrm sample and acrm
// import create a workspace (the only callers of createWorkspace).
func TestEveryReaderRefusesAMissingWorkspace(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "typo.duckdb")
	out := func(name string) string { return filepath.Join(dir, name) }
	for _, args := range [][]string{
		{}, // the workbench
		{"train", "--table", "t", "--target", "x > 1", "--name", "m"},
		{"train", "--all"},
		{"score", "--model", "m"},
		{"score", "--all"},
		{"models"},
		{"segments", "kpis", "top"},
		{"segments", "basis", "monthly_revenue"},
		{"profile", "customers"},
		{"simulate", "frequency", "--segment", "top"},
		{"simulate", "list"},
		{"chart", "deck", "-o", out("deck")},
		{"chart", "segments", "-o", out("s.png")},
		{"export", "customers", "-o", out("c.csv")},
		{"plan", "--budget", "1000", "--period", "6m"},
		{"select", "--product", "best", "--channel", "mail", "--size", "10", "-o", out("sel.csv")},
		{"nbo", "--customer", "1"},
		{"monitor"},
		{"rules", "export", "-o", out("r.toml")},
		{"vacuum"},
		{"sample", "respond", "--campaign", "100"},
		{"sample", "next-period"},
	} {
		_, err := run(t, append(args, "--db", missing)...)
		if err == nil || !strings.Contains(err.Error(), "no workspace at "+missing) {
			t.Errorf("acrm %s --db (missing): err = %v, want \"no workspace at %s\"", strings.Join(args, " "), err, missing)
		}
		if _, err := os.Stat(missing); err == nil {
			t.Fatalf("acrm %s created %s", strings.Join(args, " "), missing)
		}
	}

	callers := regexp.MustCompile(`\bcreateWorkspace\(`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "main.go" || f == "import.go" || f == "sample.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if callers.Match(b) {
			t.Errorf("%s calls createWorkspace: only acrm sample and acrm import may create a workspace", f)
		}
	}
}
