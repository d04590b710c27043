package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata"
)

func sampleDB(t *testing.T, customers int) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "ws.duckdb")
	ctx := context.Background()
	ws, err := workspace.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sampledata.Generate(ctx, ws, sampledata.Options{Customers: customers, Seed: 7}, nil); err != nil {
		t.Fatal(err)
	}
	if err := ws.Close(); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestSegmentsCLI(t *testing.T) {
	db := sampleDB(t, 2000)
	// customer_view is available to plain SQL.
	out, err := run(t, "sql", "--db", db, "--format", "csv", "SELECT count(*) AS n, count(*) FILTER (WHERE value_segment = 'top') AS top FROM customer_view")
	if err != nil || out != "n,top\n2000,200\n" {
		t.Fatalf("customer_view: %q, %v", out, err)
	}
	out, err = run(t, "segments", "--db", db, "save", "retail", "sector = 'retail'")
	if err != nil || !strings.Contains(out, `saved segment "retail"`) {
		t.Fatalf("save: %q, %v", out, err)
	}
	want, _ := run(t, "sql", "--db", db, "--format", "csv", "SELECT count(*) FROM customers WHERE sector = 'retail'")
	n := strings.TrimSpace(strings.Split(want, "\n")[1])
	if !strings.Contains(out, n+" customers") {
		t.Fatalf("save said %q, want %s customers", out, n)
	}
	out, err = run(t, "segments", "--db", db, "kpis", "top", "retail")
	if err != nil || !strings.Contains(out, "all customers") || !strings.Contains(out, "retail") || !strings.Contains(out, "2,000") {
		t.Fatalf("kpis: %q, %v", out, err)
	}
	_, err = run(t, "segments", "--db", db, "save", "bad", "sectr = 'retail'")
	if err == nil || !strings.Contains(err.Error(), "sectr") {
		t.Fatalf("bad filter: %v", err)
	}
	out, _ = run(t, "segments", "--db", db, "list")
	if strings.Contains(out, "bad") {
		t.Fatalf("an invalid segment was saved:\n%s", out)
	}
}

// TestScoreOneModelKeepsValueSegments: issue 11 bug 1. Scoring one product's model leaves the
// value segments (and their KPIs) as they were, ranked by monthly revenue, and says so;
// expected value ranks them only when asked (acrm segments basis expected_value).
func TestScoreOneModelKeepsValueSegments(t *testing.T) {
	db := sampleDB(t, 2000)
	before, err := run(t, "segments", "--db", db, "kpis")
	if err != nil || !strings.Contains(before, "value segments ranked by monthly revenue") {
		t.Fatalf("kpis before: %q, %v", before, err)
	}
	if out, err := run(t, "train", "--db", db, "--product", "24", "--algo", "logit"); err != nil {
		t.Fatalf("train: %q, %v", out, err)
	}
	if out, err := run(t, "score", "--db", db, "--model", "P24-lookalike"); err != nil || !strings.Contains(out, "scored into acrm_scores") {
		t.Fatalf("score: %q, %v", out, err)
	}
	after, err := run(t, "segments", "--db", db, "kpis")
	if err != nil || after != before {
		t.Fatalf("kpis changed after scoring one product (%v):\nbefore\n%s\nafter\n%s", err, before, after)
	}
	out, err := run(t, "segments", "--db", db, "basis", "expected_value")
	if err != nil || !strings.Contains(out, "ranked by expected value") || !strings.Contains(out, "setting: expected_value") {
		t.Fatalf("basis expected_value: %q, %v", out, err)
	}
	asked, err := run(t, "segments", "--db", db, "kpis")
	if err != nil || asked == before || !strings.Contains(asked, "value segments ranked by expected value") {
		t.Fatalf("kpis by expected value (%v):\n%s", err, asked)
	}
	if _, err := run(t, "segments", "--db", db, "basis", "profit"); err == nil || !strings.Contains(err.Error(), `"profit"`) {
		t.Fatalf("unknown basis: %v", err)
	}
}
