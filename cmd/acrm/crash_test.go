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
		if msg := os.Getenv("ACRM_TEST_PANIC"); msg != "" {
			// A panic that reaches main, as a bug would (TestPanicBecomesOneLineAndAReport).
			defer crashGuard()
			panic(msg)
		}
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
	// rerun is the command run after the kill (default args): it must succeed. after checks
	// the workspace once the rerun finished (optional).
	rerun func(t *testing.T, db string) []string
	after func(t *testing.T, ws *workspace.Workspace)
}

// TestCrashKillAtRandomMoments SIGKILLs acrm at random moments during sample, import,
// train, score --all and outcomes import, then opens the workspace: every table is complete
// or absent, the model registry is consistent, the last good scores (acrm_scores and the
// total model's acrm_nbo_*) are intact, and a rerun succeeds. The small sample workspace is
// prepared once; every kill works on a copy of it.
func TestCrashKillAtRandomMoments(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: skipped with -short")
	}
	dir := t.TempDir()
	base := filepath.Join(dir, "base.duckdb")
	runAcrm(t, "sample", "--db", base, "--customers", strconv.Itoa(crashCustomers), "--seed", "7")
	runAcrm(t, "train", "--db", base, "--product", "1")
	runAcrm(t, "score", "--db", base, "--model", "P01-lookalike")
	runAcrm(t, "train", "--db", base, "--product", "3")
	runAcrm(t, "score", "--db", base, "--all")
	goodScores := scoreFingerprint(t, base)
	goodNBO := withWS(t, base, nboFingerprint)
	var baseRuns int
	fmt.Sscanf(goodNBO, "%d runs", &baseRuns)
	csv := filepath.Join(dir, "big.csv")
	writeBigCSV(t, csv, 300_000)
	responses := filepath.Join(dir, "responses.csv")
	contactsBefore := withWS(t, base, func(t *testing.T, ws *workspace.Workspace) string { return writeResponses(t, ws, responses) })
	// What an uninterrupted run leaves, measured on the timing copy of each operation.
	var newNBO, contactsAfter string
	var rejects []byte
	// landed counts, per operation, the kills that left the old state and those that left
	// the new one complete (a kill after the commit).
	landed := map[string]*[2]int{}
	land := func(op string, after bool) {
		if landed[op] == nil {
			landed[op] = &[2]int{}
		}
		if after {
			landed[op][1]++
		} else {
			landed[op][0]++
		}
	}

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
		{
			name: "score --all",
			args: func(db string) []string { return []string{"score", "--db", db, "--all"} },
			check: func(t *testing.T, ws *workspace.Workspace) {
				// The previous total-model scoring, or the new one complete: never a mix.
				got := nboFingerprint(t, ws)
				land("score --all", got == newNBO)
				if got != goodNBO && got != newNBO {
					t.Errorf("total-model scoring after a killed score --all:\n %s\nwant the last good one\n %s\nor the new one\n %s", got, goodNBO, newNBO)
				}
				if got := scoreFingerprintWS(t, ws); got != goodScores {
					t.Errorf("scores of P01 changed after a killed score --all: %s, want %s", got, goodScores)
				}
			},
			after: func(t *testing.T, ws *workspace.Workspace) {
				// The new scoring, one run later than the base's or two (a kill after the commit).
				got := nboFingerprint(t, ws)
				if nboTables(got) != nboTables(newNBO) || !strings.HasPrefix(got, fmt.Sprintf("%d runs", baseRuns+1)) && !strings.HasPrefix(got, fmt.Sprintf("%d runs", baseRuns+2)) {
					t.Errorf("rerun of score --all:\n %s\nwant the tables of\n %s\nwith %d or %d runs", got, newNBO, baseRuns+1, baseRuns+2)
				}
			},
		},
		{
			name: "outcomes import",
			args: func(db string) []string {
				return []string{"outcomes", "import", "--db", db, responses, "--rejects", db + ".rejects.csv"}
			},
			check: func(t *testing.T, ws *workspace.Workspace) {
				// All accepted rows or none; the rejects file absent or complete.
				got := contactsFingerprint(t, ws)
				land("outcomes import", got == contactsAfter)
				if got != contactsBefore && got != contactsAfter {
					t.Errorf("contacts after a killed outcomes import: %s, want %s (none imported) or %s (all)", got, contactsBefore, contactsAfter)
				}
				if got := scoreFingerprintWS(t, ws); got != goodScores {
					t.Errorf("scores of P01 changed after a killed outcomes import: %s, want %s", got, goodScores)
				}
				if got := nboFingerprint(t, ws); got != goodNBO {
					t.Errorf("total-model scoring changed after a killed outcomes import: %s, want %s", got, goodNBO)
				}
				if b, err := os.ReadFile(ws.Path() + ".rejects.csv"); err == nil && string(b) != string(rejects) {
					t.Errorf("rejects file after a killed outcomes import: %d bytes, want %d or no file", len(b), len(rejects))
				}
			},
			after: func(t *testing.T, ws *workspace.Workspace) {
				// The rerun imports what the killed run did not, and nothing twice.
				if got := contactsFingerprint(t, ws); got != contactsAfter {
					t.Errorf("contacts after the rerun: %s, want %s", got, contactsAfter)
				}
			},
		},
	}
	// After the kill, import --table big reruns as such when the table is absent and
	// with --replace when the killed run committed it (it then refuses without --replace).
	ops[1].rerun = func(t *testing.T, db string) []string {
		args := ops[1].args(db)
		var exists bool
		withWS(t, db, func(t *testing.T, ws *workspace.Workspace) string {
			ok, err := ws.HasTable(context.Background(), "big")
			if err != nil {
				t.Fatal(err)
			}
			exists = ok
			land("import", ok)
			return ""
		})
		if !exists {
			return args
		}
		out, err := acrmCmd(args...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), `table "big" already exists (use --replace`) {
			t.Errorf("import over a committed table: %v\n%s\nwant it refused, naming --replace", err, out)
		}
		return append(args, "--replace")
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
			switch op.name {
			case "score --all":
				newNBO = withWS(t, db, nboFingerprint)
			case "outcomes import":
				contactsAfter = withWS(t, db, contactsFingerprint)
				if contactsAfter == contactsBefore {
					t.Fatal("the response file imports nothing: the crash test would prove nothing")
				}
				rejects, _ = os.ReadFile(db + ".rejects.csv")
				if len(rejects) == 0 {
					t.Fatal("the response file has no rejected rows")
				}
			}
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
				args := op.args(db)
				if op.rerun != nil {
					args = op.rerun(t, db)
				}
				runAcrm(t, args...)
				if op.after != nil {
					withWS(t, db, func(t *testing.T, ws *workspace.Workspace) string { op.after(t, ws); return "" })
				}
				_ = os.Remove(db)
				_ = os.Remove(db + ".wal")
				_ = os.Remove(db + ".rejects.csv")
			}
			t.Logf("%s: %d of %d kills survived (uninterrupted run %s)", op.name, survived, kills(), full.Round(time.Millisecond))
			if l := landed[op.name]; l != nil {
				t.Logf("%s: %d kills left the previous state, %d the new one complete", op.name, l[0], l[1])
			}
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

// withWS opens db, returns fn's answer and closes it again.
func withWS(t *testing.T, db string, fn func(t *testing.T, ws *workspace.Workspace) string) string {
	t.Helper()
	ws, err := workspace.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	return fn(t, ws)
}

// nboFingerprint sums the total model's current scoring: its run and every table of it. A
// scoring that is not complete (rows of another run, counts that disagree with the run's
// row) shows as a mismatch.
func nboFingerprint(t *testing.T, ws *workspace.Workspace) string {
	t.Helper()
	ctx := context.Background()
	var runs, runID, runCustomers, runOffers, scores, offers, customers, cal int64
	var sumScore, sumP, sumEV float64
	q := `SELECT (SELECT count(*) FROM acrm_nbo_runs), (SELECT max(run_id) FROM acrm_nbo_runs),
		(SELECT customers FROM acrm_nbo_runs ORDER BY run_id DESC LIMIT 1), (SELECT offers FROM acrm_nbo_runs ORDER BY run_id DESC LIMIT 1),
		(SELECT count(*) FROM acrm_nbo_scores), (SELECT coalesce(sum(score), 0) FROM acrm_nbo_scores),
		(SELECT count(*) FROM acrm_nbo_offers), (SELECT coalesce(sum(p_accept), 0) FROM acrm_nbo_offers),
		(SELECT count(*) FROM acrm_nbo_customers), (SELECT coalesce(sum(expected_value), 0) FROM acrm_nbo_customers),
		(SELECT count(*) FROM acrm_nbo_calibration)`
	if err := ws.QueryRowContext(ctx, q).Scan(&runs, &runID, &runCustomers, &runOffers, &scores, &sumScore, &offers, &sumP, &customers, &sumEV, &cal); err != nil {
		t.Fatal(err)
	}
	if runOffers != offers || runCustomers != customers {
		t.Errorf("run %d says %d customers and %d offers; the tables hold %d and %d", runID, runCustomers, runOffers, customers, offers)
	}
	return fmt.Sprintf("%d runs (last %d); %d scores sum %.9g; %d offers sum p %.9g; %d customers sum ev %.9g; %d calibrations",
		runs, runID, scores, sumScore, offers, sumP, customers, sumEV, cal)
}

// contactsFingerprint counts and sums the contacts table.
func contactsFingerprint(t *testing.T, ws *workspace.Workspace) string {
	t.Helper()
	var n, maxID int64
	var rev float64
	if err := ws.QueryRowContext(context.Background(), `SELECT count(*), max(contact_id), coalesce(sum(revenue), 0) FROM contacts`).Scan(&n, &maxID, &rev); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d contacts (last id %d), revenue %.2f", n, maxID, rev)
}

// writeResponses writes a response file for the outcomes-import crash test: every customer's
// answer to one product campaign on each of its first 8 days, and a few rows that are
// rejected (so that the rejects file is written too). It returns the contacts fingerprint
// before the import.
func writeResponses(t *testing.T, ws *workspace.Workspace, path string) string {
	t.Helper()
	ctx := context.Background()
	var campaign, product int
	var start time.Time
	if err := ws.QueryRowContext(ctx, `SELECT campaign_id, product_id, start_date FROM campaigns
		WHERE product_id IS NOT NULL AND start_date IS NOT NULL AND start_date <= current_date - INTERVAL 10 DAY
		ORDER BY start_date DESC, campaign_id LIMIT 1`).Scan(&campaign, &product, &start); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("customer;campaign;product;outcome;revenue;date\n")
	outcomes := []string{"accepted", "declined", "no_response"}
	for c := 1; c <= crashCustomers; c++ {
		for d := 0; d < 8; d++ {
			o := outcomes[(c+d)%3]
			rev := ""
			if o == "accepted" {
				rev = strconv.Itoa(100 + c%50)
			}
			fmt.Fprintf(&b, "%d;%d;%d;%s;%s;%s\n", c, campaign, product, o, rev, start.AddDate(0, 0, d).Format(time.DateOnly))
		}
	}
	fmt.Fprintf(&b, "%d;%d;%d;maybe;;%s\n", 1, campaign, product, start.Format(time.DateOnly))
	fmt.Fprintf(&b, "%d;%d;%d;accepted;1;%s\n", crashCustomers+10, campaign, product, start.Format(time.DateOnly))
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return contactsFingerprint(t, ws)
}

// nboTables is the part of an nboFingerprint about the scoring's tables (not its run count).
func nboTables(fp string) string {
	_, rest, _ := strings.Cut(fp, "; ")
	return rest
}
