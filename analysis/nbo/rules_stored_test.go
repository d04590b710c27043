package nbo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStoredHostileEligibilityRunsNothing (issue 17, item 1): acrm rules import refuses an
// eligibility that is not one expression, but a workspace from elsewhere may carry such rules
// in acrm_rules already. Every path that evaluates them — the total-model scoring, the live
// lookup and its index — refuses the expression naming it; no file is written, no table
// created and the last scoring stays as it was.
func TestStoredHostileEligibilityRunsNothing(t *testing.T) {
	ws := scoredWorkspace(t)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "x.csv")
	hostile := `$$'$$ = $$x$$ OR true); COPY (SELECT 42 AS x) TO $$` + file + `$$; CREATE TABLE injected AS SELECT 1 AS x; DESCRIBE SELECT (true --`
	src := "version = 1\neligibility = '''" + hostile + "'''\n"
	if r, err := ParseRules([]byte(src), "stored"); err != nil || r.Eligibility != hostile {
		t.Fatalf("the planted rules do not parse to the hostile expression: %v", err)
	}
	var runsBefore int64
	if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM acrm_nbo_runs`).Scan(&runsBefore); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.ExecContext(ctx, `INSERT INTO acrm_rules VALUES ((SELECT coalesce(max(version), 0) + 1 FROM acrm_rules), ?, ?)`, src, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = ws.ExecContext(ctx, `DELETE FROM acrm_rules`) })
	if _, err := ScoreAll(ctx, ws, ScoreOptions{}); err == nil || !strings.Contains(err.Error(), "eligibility") {
		t.Errorf("ScoreAll with the stored hostile eligibility: %v, want it refused naming the eligibility", err)
	}
	if l, err := NewLive(ctx, ws); err == nil {
		var id int64
		if err := ws.QueryRowContext(ctx, `SELECT min(customer_id) FROM customers`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Lookup(ctx, id); err == nil {
			t.Error("the live lookup evaluated the stored hostile eligibility")
		}
	} else if !strings.Contains(err.Error(), "eligibility") {
		t.Errorf("NewLive: %v, want a refusal naming the eligibility", err)
	}
	if _, err := os.Stat(file); err == nil {
		t.Fatalf("the stored eligibility wrote %s", file)
	}
	if ok, err := ws.HasTable(ctx, "injected"); err != nil || ok {
		t.Fatalf("the stored eligibility created table injected (%v)", err)
	}
	var runsAfter int64
	if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM acrm_nbo_runs`).Scan(&runsAfter); err != nil || runsAfter != runsBefore {
		t.Errorf("acrm_nbo_runs: %d rows after the refused scoring, %v; want %d", runsAfter, err, runsBefore)
	}
}
