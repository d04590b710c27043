package workspace

import (
	"context"
	"path/filepath"
	"testing"
)

// TestOpenRemovesStagingTables: a killed run leaves acrm_stage_* tables; the next open
// drops them, says which, and leaves every other table alone.
func TestOpenRemovesStagingTables(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.duckdb")
	ws, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE TABLE customers AS SELECT range AS customer_id FROM range(10)",
		"CREATE TABLE acrm_stage_sample_customers AS SELECT range AS customer_id FROM range(1000)",
		"CREATE TABLE acrm_stage_scores AS SELECT 1 AS x",
	} {
		if _, err := ws.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	ws.Close()
	ws, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	got := ws.Removed()
	if len(got) != 2 || got[0] != "acrm_stage_sample_customers" || got[1] != "acrm_stage_scores" {
		t.Errorf("Removed() = %v", got)
	}
	for name, want := range map[string]bool{"customers": true, "acrm_stage_sample_customers": false, "acrm_stage_scores": false} {
		if ok, err := ws.HasTable(ctx, name); err != nil || ok != want {
			t.Errorf("table %s exists = %v (%v), want %v", name, ok, err, want)
		}
	}
}

// TestCompactShrinksTheFile: after a big table is dropped, Compact makes the file smaller
// and keeps every remaining row.
func TestCompactShrinksTheFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.duckdb")
	ws, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	for _, q := range []string{
		"CREATE TABLE keep AS SELECT range AS id, 'row ' || range AS label FROM range(1000)",
		"CREATE TABLE big AS SELECT range AS id, md5(range::VARCHAR) AS h FROM range(2000000)",
		"CHECKPOINT",
		"DROP TABLE big",
		"CHECKPOINT",
	} {
		if _, err := ws.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	res, err := ws.Compact(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Before <= 0 || res.After <= 0 || res.After*2 > res.Before {
		t.Errorf("compact: %d → %d bytes; want at least halved", res.Before, res.After)
	}
	var n int
	if err := ws.db.QueryRowContext(ctx, "SELECT count(*) FROM keep").Scan(&n); err != nil || n != 1000 {
		t.Errorf("keep after compact: %d rows, %v", n, err)
	}
	if v, err := ws.Meta(ctx, "schema_version"); err != nil || v == "" {
		t.Errorf("schema_version after compact: %q, %v", v, err)
	}
}
