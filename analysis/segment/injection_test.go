package segment

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// hostileFilter is the stored filter of issue 17: DuckDB's $$…$$ strings hide the `;` from a
// hand-written tokenizer, and the driver's QueryContext runs every statement it is given.
// Wrapped as WHERE (\n…\n) it closes the parenthesis, writes a file, creates a table and
// reopens a harmless DESCRIBE.
func hostileFilter(file string) string {
	return `$$'$$ = $$x$$ OR true); COPY (SELECT 42 AS x) TO $$` + file + `$$; CREATE TABLE injected AS SELECT 1 AS x; DESCRIBE SELECT (true --`
}

// TestStoredFilterCannotRunStatements plants the hostile filter in acrm_segments, as a
// colleague's workspace file would carry it, and runs every path that reads saved segments:
// none may write the file or create the table, and each refuses with a clear error.
func TestStoredFilterCannotRunStatements(t *testing.T) {
	ws := openHandFixture(t)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "x.csv")
	if _, err := ws.ExecContext(ctx, `INSERT INTO acrm_segments VALUES ('evil', ?, '', now()::TIMESTAMP)`, hostileFilter(file)); err != nil {
		t.Fatal(err)
	}
	segs, err := List(ctx, ws)
	if err != nil || len(segs) != 1 {
		t.Fatalf("list = %v, %v", segs, err)
	}
	if _, err := Validate(ctx, ws, segs[0].Filter); err == nil || !strings.Contains(err.Error(), "not a single SQL expression") {
		t.Errorf("Validate = %v, want a refusal", err)
	}
	if _, err := KPIs(ctx, ws, segs); err == nil {
		t.Error("KPIs of the hostile segment succeeded")
	}
	if _, err := Crosstab(ctx, ws, "sector", "size_class", segs[0].Filter); err == nil {
		t.Error("Crosstab with the hostile filter succeeded")
	}
	// The raw query path cannot run it either, even without the checker.
	if _, err := ws.QueryContext(ctx, "SELECT count(*) FROM "+View+" WHERE (\n"+segs[0].Filter+"\n)"); err == nil {
		t.Error("the workspace ran a multi-statement string")
	}
	assertNoInjection(t, ws, file)
}

// TestFailedSaveWritesNothing: saving the hostile filter fails and leaves no trace.
func TestFailedSaveWritesNothing(t *testing.T) {
	ws := openHandFixture(t)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "x.csv")
	err := Save(ctx, ws, Segment{Name: "evil", Filter: hostileFilter(file)})
	if err == nil || !strings.Contains(err.Error(), "not a single SQL expression") {
		t.Fatalf("Save = %v, want a refusal", err)
	}
	if list, err := List(ctx, ws); err != nil || len(list) != 0 {
		t.Errorf("acrm_segments after a failed save: %v %v", list, err)
	}
	assertNoInjection(t, ws, file)
}

func TestFilterReachingOutsideIsRefused(t *testing.T) {
	ws := openHandFixture(t)
	ctx := context.Background()
	for _, f := range []string{
		"customer_id IN (SELECT 1 FROM read_csv('/etc/passwd'))",
		"(SELECT count(*) FROM '/etc/passwd.csv') > 0",
		"nextval('s') > 0",
		"sector = 'retail' UNION SELECT true",
	} {
		if _, err := Validate(ctx, ws, f); err == nil {
			t.Errorf("Validate(%q) succeeded", f)
		}
	}
	// A subquery over the workspace's own tables stays allowed.
	n, err := Validate(ctx, ws, "customer_id IN (SELECT customer_id FROM holdings WHERE product_id = 1)")
	if err != nil || n != 3 {
		t.Errorf("subquery filter: %d customers, %v; want 3", n, err)
	}
}

func assertNoInjection(t *testing.T, ws *workspace.Workspace, file string) {
	t.Helper()
	if _, err := os.Stat(file); err == nil {
		t.Errorf("the filter wrote %s", file)
	}
	if ok, err := ws.HasTable(context.Background(), "injected"); err != nil || ok {
		t.Errorf("the filter created table injected (%v)", err)
	}
}
