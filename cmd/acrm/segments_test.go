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
