package workspace

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func openMem(t *testing.T) *Workspace {
	t.Helper()
	w, err := Open(context.Background(), Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func TestOpenMigratesAndReopens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.duckdb")
	w, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := w.Meta(ctx, "schema_version")
	if want := strconv.Itoa(SchemaVersion()); err != nil || v != want {
		t.Fatalf("schema_version = %q, %v; want %s", v, err, want)
	}
	for _, table := range []string{"acrm_models", "acrm_segments", "acrm_scenarios", "acrm_query_history", "acrm_scores"} {
		ok, err := w.HasTable(ctx, table)
		if err != nil || !ok {
			t.Fatalf("table %s missing after migration (%v)", table, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.SizeBytes() != 0 {
		// closed workspaces still report the file size; just make sure it is sane
		t.Log("size", w.SizeBytes())
	}
	w2, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer w2.Close()
	if w2.SizeBytes() <= 0 {
		t.Fatalf("size of %s = %d, want > 0", path, w2.SizeBytes())
	}
}

func TestOpenNewerSchemaIsRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.duckdb")
	w, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.SetMeta(ctx, "schema_version", "999"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	_, err = Open(ctx, path)
	if !errors.Is(err, ErrTooNew) {
		t.Fatalf("err = %v, want ErrTooNew", err)
	}
	if !strings.Contains(err.Error(), "999") {
		t.Fatalf("message should name the version: %v", err)
	}
}

func TestOpenForeignFileIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.duckdb")
	if err := os.WriteFile(path, []byte("this is a text file, not a database at all\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path)
	if !errors.Is(err, ErrNotDuckDB) {
		t.Fatalf("err = %v, want ErrNotDuckDB", err)
	}
	b, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(b), "this is a text file") {
		t.Fatal("opening a foreign file changed it")
	}
}

// TestHelperHoldWorkspace is run as a child process by TestOpenLockedWorkspace.
func TestHelperHoldWorkspace(t *testing.T) {
	path := os.Getenv("ACRM_HOLD_WS")
	if path == "" {
		t.Skip("helper process only")
	}
	w, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path+".ready", []byte("1"), 0o644)
	time.Sleep(20 * time.Second)
	w.Close()
}

func TestOpenLockedWorkspace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ws.duckdb")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldWorkspace$")
	cmd.Env = append(os.Environ(), "ACRM_HOLD_WS="+path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, err := os.Stat(path + ".ready"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("helper process did not open the workspace")
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, err := Open(context.Background(), path)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
}

func TestAppendIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	w := openMem(t)
	if _, err := w.db.ExecContext(ctx, "CREATE TABLE t (id BIGINT, name VARCHAR)"); err != nil {
		t.Fatal(err)
	}
	err := w.Append(ctx, "t", func(add AppendFunc) error {
		for i := 0; i < 1000; i++ {
			if err := add(int64(i), "x"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err = w.Append(ctx, "t", func(add AppendFunc) error {
		for i := 0; i < 500; i++ {
			if err := add(int64(i), "y"); err != nil {
				return err
			}
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	var n int
	w.db.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n)
	if n != 1000 {
		t.Fatalf("rows = %d after a failed append, want 1000", n)
	}
}

func TestQueryCapAndHistory(t *testing.T) {
	ctx := context.Background()
	w := openMem(t)
	res, err := w.Query(ctx, "SELECT range AS i, range * 1.5 AS f, NULL AS n FROM range(50)", 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 20 || !res.Truncated {
		t.Fatalf("rows=%d truncated=%v, want 20 and true", len(res.Rows), res.Truncated)
	}
	if got := strings.Join(res.Rows[3], "|"); got != "3|4.5|NULL" {
		t.Fatalf("row 3 = %q", got)
	}
	if _, err := w.Query(ctx, "SELEC 1", 0); err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Fatalf("want syntax error, got %v", err)
	}
	if err := w.RecordQuery(ctx, "SELECT 1", time.Millisecond, 1, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.RecordQuery(ctx, "SELEC 2", time.Millisecond, 0, errors.New("bad")); err != nil {
		t.Fatal(err)
	}
	h, err := w.History(ctx, 10)
	if err != nil || len(h) != 2 || h[0].Query != "SELEC 2" || h[0].Error != "bad" {
		t.Fatalf("history = %+v, %v", h, err)
	}
}

func TestQueryCancel(t *testing.T) {
	w := openMem(t)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	start := time.Now()
	_, err := w.Query(ctx, "SELECT count(*) FROM range(10000000000) a", 10)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("cancel took %v", d)
	}
}

// TestOpenCapsMemory: a workspace file opens with DuckDB's memory capped at
// DefaultMemoryLimit, ACRM_MEMORY_LIMIT overrides it, and a value DuckDB cannot read is
// refused naming the variable.
func TestOpenCapsMemory(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cap.duckdb")
	limit := func() string {
		ws, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		var v string
		if err := ws.QueryRowContext(ctx, `SELECT current_setting('memory_limit')`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	t.Setenv(MemoryLimitEnv, "")
	if got := limit(); got != "3.7 GiB" { // 4GB in DuckDB's binary units
		t.Fatalf("default memory limit %q, want 3.7 GiB (%s)", got, DefaultMemoryLimit)
	}
	t.Setenv(MemoryLimitEnv, "600MB")
	if got := limit(); got != "572.2 MiB" {
		t.Fatalf("%s=600MB gives %q", MemoryLimitEnv, got)
	}
	t.Setenv(MemoryLimitEnv, "lots")
	if _, err := Open(ctx, path); err == nil || !strings.Contains(err.Error(), MemoryLimitEnv) {
		t.Fatalf("a bad %s: %v", MemoryLimitEnv, err)
	}
}
