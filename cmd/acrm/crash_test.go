package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// TestMain lets the crash tests run this test binary as the acrm command: with
// ACRM_TEST_MAIN=1 it is acrm, its arguments after the binary's name.
func TestMain(m *testing.M) {
	if os.Getenv("ACRM_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// acrmCmd is the acrm command (this test binary in acrm mode) with args.
func acrmCmd(args ...string) *exec.Cmd {
	c := exec.Command(os.Args[0], args...)
	c.Env = append(os.Environ(), "ACRM_TEST_MAIN=1")
	return c
}

func runAcrm(t *testing.T, args ...string) string {
	t.Helper()
	out, err := acrmCmd(args...).CombinedOutput()
	if err != nil {
		t.Fatalf("acrm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// kills is the number of SIGKILLs per operation: 3 in the ordinary suite, ACRM_SOAK_KILLS
// (make soak: 20) when set.
func kills() int {
	if n, err := strconv.Atoi(os.Getenv("ACRM_SOAK_KILLS")); err == nil && n > 0 {
		return n
	}
	return 3
}

const crashCustomers = 4000

// crashOp is one operation the crash test interrupts.
type crashOp struct {
	name  string
	args  func(db string) []string
	check func(t *testing.T, ws *workspace.Workspace) // every table complete or absent
}

// TestCrashKillAtRandomMoments SIGKILLs acrm at random moments during sample, import and
// train, then opens the workspace: every table is complete or absent, the model registry
// is consistent, the last good scores are intact, and a rerun succeeds.
func TestCrashKillAtRandomMoments(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: skipped with -short")
	}
	dir := t.TempDir()
	base := filepath.Join(dir, "base.duckdb")
	runAcrm(t, "sample", "--db", base, "--customers", strconv.Itoa(crashCustomers), "--seed", "7")
	runAcrm(t, "train", "--db", base, "--product", "1")
	runAcrm(t, "score", "--db", base, "--model", "P01-lookalike")
	goodScores := scoreFingerprint(t, base)
	csv := filepath.Join(dir, "big.csv")
	writeBigCSV(t, csv, 300_000)

	ops := []crashOp{
		{
			name: "sample",
			args: func(db string) []string {
				return []string{"sample", "--db", db, "--customers", strconv.Itoa(crashCustomers), "--seed", "8", "--replace"}
			},
			check: func(t *testing.T, ws *workspace.Workspace) {
				// All datamart tables are from one run: the old one (seed 7) or the new one.
				var n int64
				if err := ws.QueryRowContext(context.Background(), "SELECT count(*) FROM customers").Scan(&n); err != nil || n != crashCustomers {
					t.Errorf("customers: %d rows, %v; want %d", n, err, crashCustomers)
				}
				for _, tb := range []string{"products", "holdings", "contacts", "campaigns"} {
					if ok, err := ws.HasTable(context.Background(), tb); err != nil || !ok {
						t.Errorf("table %s missing after a killed sample (%v)", tb, err)
					}
				}
			},
		},
		{
			name: "import",
			args: func(db string) []string {
				return []string{"import", csv, "--db", db, "--table", "big"}
			},
			check: func(t *testing.T, ws *workspace.Workspace) {
				ok, err := ws.HasTable(context.Background(), "big")
				if err != nil {
					t.Fatal(err)
				}
				if ok {
					var n int64
					if err := ws.QueryRowContext(context.Background(), "SELECT count(*) FROM big").Scan(&n); err != nil || n != 300_000 {
						t.Errorf("big: %d rows, %v; want 300,000 or no table", n, err)
					}
				}
			},
		},
		{
			name: "train",
			args: func(db string) []string { return []string{"train", "--db", db, "--product", "2"} },
			check: func(t *testing.T, ws *workspace.Workspace) {
				if got := scoreFingerprintWS(t, ws); got != goodScores {
					t.Errorf("scores of P01 changed after a killed train: %s, want %s", got, goodScores)
				}
			},
		},
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 17))
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			// How long an uninterrupted run takes bounds the kill moments.
			db := filepath.Join(dir, op.name+"-timing.duckdb")
			copyFile(t, base, db)
			start := time.Now()
			runAcrm(t, op.args(db)...)
			full := time.Since(start)
			survived := 0
			for i := 0; i < kills(); i++ {
				db := filepath.Join(dir, fmt.Sprintf("%s-%d.duckdb", op.name, i))
				copyFile(t, base, db)
				at := time.Duration(rng.Int64N(int64(full)))
				cmd := acrmCmd(op.args(db)...)
				cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(at)
				_ = cmd.Process.Signal(syscall.SIGKILL)
				_ = cmd.Wait()
				if verifyAfterKill(t, op, db, goodScores) {
					survived++
				}
				// A rerun succeeds on the same file.
				runAcrm(t, op.args(db)...)
				_ = os.Remove(db)
				_ = os.Remove(db + ".wal")
			}
			t.Logf("%s: %d of %d kills survived (uninterrupted run %s)", op.name, survived, kills(), full.Round(time.Millisecond))
			if survived != kills() {
				t.Errorf("%s: %d of %d kills survived", op.name, survived, kills())
			}
		})
	}
}

// verifyAfterKill opens db after a kill and checks the operation's tables and the registry.
func verifyAfterKill(t *testing.T, op crashOp, db, goodScores string) bool {
	t.Helper()
	failed := t.Failed()
	ws, err := workspace.Open(context.Background(), db)
	if err != nil {
		t.Errorf("%s: the workspace does not open after a kill: %v", op.name, err)
		return false
	}
	defer ws.Close()
	for _, tb := range ws.Removed() {
		if !strings.HasPrefix(tb, workspace.StagePrefix) {
			t.Errorf("removed a non-staging table %s", tb)
		}
	}
	if rest, err := ws.Tables(context.Background()); err != nil {
		t.Errorf("%s: list tables: %v", op.name, err)
	} else {
		for _, tb := range rest {
			if strings.HasPrefix(tb.Name, workspace.StagePrefix) {
				t.Errorf("%s: staging table %s is still there", op.name, tb.Name)
			}
		}
	}
	op.check(t, ws)
	checkRegistry(t, ws)
	return !t.Failed() || failed
}

// checkRegistry: every model row is complete, one best version per name, and every score
// belongs to a registered model.
func checkRegistry(t *testing.T, ws *workspace.Workspace) {
	t.Helper()
	ctx := context.Background()
	var incomplete, multiBest, orphan int64
	if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM acrm_models WHERE blob IS NULL OR metrics IS NULL`).Scan(&incomplete); err != nil {
		t.Fatal(err)
	}
	if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT name FROM acrm_models WHERE is_best GROUP BY name HAVING count(*) > 1)`).Scan(&multiBest); err != nil {
		t.Fatal(err)
	}
	if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM acrm_scores s WHERE NOT EXISTS (SELECT 1 FROM acrm_models m WHERE m.model_id = s.model_id)`).Scan(&orphan); err != nil {
		t.Fatal(err)
	}
	if incomplete+multiBest+orphan > 0 {
		t.Errorf("registry: %d incomplete models, %d names with several best versions, %d orphan scores", incomplete, multiBest, orphan)
	}
}

func scoreFingerprint(t *testing.T, db string) string {
	ws, err := workspace.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	return scoreFingerprintWS(t, ws)
}

func scoreFingerprintWS(t *testing.T, ws *workspace.Workspace) string {
	var n int64
	var sum float64
	if err := ws.QueryRowContext(context.Background(), `SELECT count(*), coalesce(sum(score), 0) FROM acrm_scores WHERE model_id LIKE 'P01-lookalike@%'`).Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d scores, sum %.9g", n, sum)
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.Remove(dst + ".wal")
	if w, err := os.ReadFile(src + ".wal"); err == nil {
		_ = os.WriteFile(dst+".wal", w, 0o644)
	}
}

func writeBigCSV(t *testing.T, path string, rows int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,name,amount,day\n")
	for i := 1; i <= rows; i++ {
		fmt.Fprintf(&b, "%d,name %d,%d.%02d,2024-%02d-%02d\n", i, i, i%9973, i%100, 1+i%12, 1+i%28)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
