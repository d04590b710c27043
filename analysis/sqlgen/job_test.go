package sqlgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/nbo"
	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

// jobRules exercise every rule the job compiles: an eligibility expression, channel caps,
// a cool-down, a minimum propensity, a product's margin and churn-risk override, a channel
// cost override, a tier order other than the default.
const jobRules = `version = 1
period_months = 6
cap_per_period = 4
cool_down_days = 120
min_propensity = 0.004
max_offers_per_contact = 2
eligibility = "tenure_months >= 3 OR sector <> 'retail'"
[[tier]]
name = "retention"
objectives = ["retention"]
[[tier]]
name = "growth"
objectives = ["cross-sell", "upsell"]
[channel.phone]
cap_per_period = 1
capacity_per_week = 500
[channel.email]
cap_per_period = 2
cost = 0.4
[[product]]
id = 1
churn_risk = 0.3
[[product]]
id = 5
margin = 900
`

// jobWorkspace is a sample scored by acrm score --all: logit look-alikes for several
// products (retention and cross-sell), a gbdt and a tree, under jobRules with registered
// campaigns planned but not yet contacted.
// With allProducts, every product of the catalogue has a model (see below).
func jobWorkspace(t testing.TB, n int, allProducts bool) (*workspace.Workspace, *nbo.ScoreResult) {
	t.Helper()
	ctx := context.Background()
	ws := sampletest.Fresh(t, n, 11)
	if _, err := nbo.ImportRules(ctx, ws, []byte(jobRules), "rules.toml"); err != nil {
		t.Fatal(err)
	}
	type trainSpec struct {
		algo     string
		products []int
	}
	specs := []trainSpec{{"logit", []int{1, 2, 5, 7, 20, 24}}, {"gbdt", []int{3}}, {"tree", []int{12}}}
	if allProducts {
		// Every product of the catalogue: a gbdt (P03), a tree (P12), a blend (P07), logit for the rest.
		var logit []int
		for k := 1; k <= sampledata.NumProducts; k++ {
			if k != 3 && k != 7 && k != 12 {
				logit = append(logit, k)
			}
		}
		specs = []trainSpec{{"logit", logit}, {"gbdt", []int{3}}, {"tree", []int{12}}, {"blend", []int{7}}}
	}
	for _, c := range specs {
		if c.algo == "blend" {
			// TrainAll takes the single algorithms; a blend is one product's own training.
			b, err := profiles.LoadBase(ctx, ws, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range c.products {
				if _, err := profiles.TrainProduct(ctx, ws, b, profiles.Spec{ProductID: k, Kind: profiles.Lookalike, Algo: c.algo, Seed: 1, Folds: 2}, nil, nil); err != nil {
					t.Fatalf("train P%d %s: %v", k, c.algo, err)
				}
			}
			continue
		}
		res, err := profiles.TrainAll(ctx, ws, profiles.AllSpec{Algo: c.algo, Products: c.products, Seed: 1, Folds: 2}, nil)
		if len(res) == 0 || allProducts && len(res) != len(c.products) {
			t.Fatalf("train %s: %d of %d products: %v", c.algo, len(res), len(c.products), err)
		}
	}
	if _, err := nbo.ScoreAll(ctx, ws, nbo.ScoreOptions{}); err != nil {
		t.Fatal(err)
	}
	// A registered campaign not yet contacted: its offers are pending and count against the caps.
	for _, c := range []nbo.SelectSpec{{Product: 2, Channel: "email", Size: 300}, {Product: 0, Channel: "mail", Size: 1500}} {
		sel, err := nbo.Select(ctx, ws, c, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := sel.Register(ctx, ws, fmt.Sprintf("pending P%d %s", c.Product, c.Channel)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := nbo.ScoreAll(ctx, ws, nbo.ScoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ws, res
}

// offerRow is one row of acrm_nbo_offers.
type offerRow struct {
	customer      int64
	rank, product int
	channel       string
	p, value      float64
	model, reason string
}

func readOffers(t testing.TB, ws *workspace.Workspace, table string) []offerRow {
	t.Helper()
	rows, err := ws.QueryContext(context.Background(), "SELECT customer_id, rank, product_id, channel, p_accept, expected_value, model_version, reason FROM "+
		table+" ORDER BY customer_id, rank")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []offerRow
	for rows.Next() {
		var o offerRow
		if err := rows.Scan(&o.customer, &o.rank, &o.product, &o.channel, &o.p, &o.value, &o.model, &o.reason); err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameOffers requires the same customers, ranks, products, channels, models and reasons, and
// P and value within tol; it returns the largest difference.
func sameOffers(t testing.TB, what string, want, got []offerRow, tol float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		n := min(len(got), len(want))
		for i := 0; i < n; i++ {
			if got[i].customer != want[i].customer || got[i].product != want[i].product {
				t.Fatalf("%s: %d offers, score --all %d; first difference at row %d: %+v, score --all %+v", what, len(got), len(want), i, got[i], want[i])
			}
		}
		t.Fatalf("%s: %d offers, score --all %d", what, len(got), len(want))
	}
	worst := 0.0
	for i := range want {
		w, g := want[i], got[i]
		if w.customer != g.customer || w.rank != g.rank || w.product != g.product || w.channel != g.channel || w.model != g.model || w.reason != g.reason {
			t.Fatalf("%s: row %d: %+v, score --all %+v", what, i, g, w)
		}
		d := math.Max(math.Abs(w.p-g.p), math.Abs(w.value-g.value)/math.Max(1, math.Abs(w.value)))
		if !(d <= tol) {
			t.Fatalf("%s: row %d: P %.17g value %.17g, score --all %.17g %.17g", what, i, g.p, g.value, w.p, w.value)
		}
		worst = math.Max(worst, d)
	}
	return worst
}

// runJobDuck runs the job's files in order on ws (only the files named, when any are).
func runJobDuck(t testing.TB, ws *workspace.Workspace, dir string, only ...string) {
	t.Helper()
	files := JobFiles
	if len(only) > 0 {
		files = only
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range statements(string(b)) {
			if _, err := ws.ExecContext(context.Background(), st); err != nil {
				t.Fatalf("%s: %v\n%.600s", f, err, st)
			}
		}
	}
}

// TestJobDuckDBParity: acrm score --all --emit-sql DIR --dialect duckdb, run on the scored
// workspace, rewrites acrm_nbo_offers with the same rows as score --all: the same customers,
// ranks, products, channels, models and reasons, P and value within 1e-9.
func TestJobDuckDBParity(t *testing.T) {
	if testing.Short() {
		t.Skip("trains models")
	}
	ctx := context.Background()
	ws, scored := jobWorkspace(t, 3000, false)
	// Every rule the job compiles removes offers in this fixture (but the 5 offers kept per
	// customer: the cap of 4 per period cuts the ranked lists first, in the same statement).
	for _, r := range []string{nbo.RuleOptOut, nbo.RuleEligibility, nbo.RuleCoolDown, nbo.RulePending, nbo.RuleCap, nbo.RuleChannelCap,
		nbo.RuleMinPropensity, nbo.RuleNoValue} {
		if scored.Removed[r] == 0 {
			t.Errorf("no offer removed by %q in the fixture (removed: %v)", r, scored.Removed)
		}
	}
	if _, err := ws.ExecContext(ctx, "CREATE TABLE want_offers AS SELECT * FROM "+OffersTable); err != nil {
		t.Fatal(err)
	}
	want := readOffers(t, ws, "want_offers")
	dir := filepath.Join(t.TempDir(), "job")
	res, err := EmitJob(ctx, ws, "duckdb", dir)
	if err != nil {
		t.Fatal(err)
	}
	if res.Products != 8 {
		t.Errorf("%d products in the job, want 8", res.Products)
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range append(append([]string(nil), JobFiles...), OffersTable, "campaign_members", "tenure_months >= 3") {
		if !strings.Contains(string(readme), s) {
			t.Errorf("README.md does not mention %q", s)
		}
	}
	// The job must not read score --all's output.
	if _, err := ws.ExecContext(ctx, "DROP TABLE "+OffersTable); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.ExecContext(ctx, "DELETE FROM acrm_nbo_scores"); err != nil {
		t.Fatal(err)
	}
	runJobDuck(t, ws, dir)
	got := readOffers(t, ws, OffersTable)
	worst := sameOffers(t, "duckdb job", want, got, 1e-9)
	ranks := map[int]int{}
	for _, o := range want {
		ranks[o.rank]++
	}
	t.Logf("%d offers identical (ranks %v), max |Δ| %.2g", len(got), ranks, worst)
	if ranks[2] == 0 || len(want) < 1000 {
		t.Errorf("the fixture is too thin to compare: %d offers, ranks %v", len(want), ranks)
	}
	var left int
	if err := ws.QueryRowContext(ctx, "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'acrm_job_%'").Scan(&left); err != nil || left != 0 {
		t.Errorf("%d acrm_job_ tables left (%v)", left, err)
	}
}

// TestJobBadInput: an unknown dialect, no scoring yet, a directory that is not empty —
// a clear error and nothing written.
func TestJobBadInput(t *testing.T) {
	ctx := context.Background()
	ws := sampletest.Fresh(t, 1000, 3)
	base := t.TempDir()
	dir := filepath.Join(base, "job")
	if _, err := EmitJob(ctx, ws, "oracle", dir); err == nil || !strings.Contains(err.Error(), `unknown dialect "oracle"`) {
		t.Fatalf("unknown dialect: %v", err)
	}
	if _, err := EmitJob(ctx, ws, "duckdb", dir); err == nil || !strings.Contains(err.Error(), "train first") {
		t.Fatalf("no models: %v", err)
	}
	if res, err := profiles.TrainAll(ctx, ws, profiles.AllSpec{Algo: "logit", Products: []int{2}, Seed: 1, Folds: 2}, nil); len(res) == 0 {
		t.Fatal(err)
	}
	if _, err := EmitJob(ctx, ws, "postgres", dir); !errors.Is(err, nbo.ErrNoScoring) || !strings.Contains(err.Error(), "calibration") {
		t.Fatalf("no scoring: %v", err)
	}
	if ents, _ := os.ReadDir(base); len(ents) != 0 {
		t.Fatalf("files left behind: %v", ents)
	}
	if _, err := nbo.ScoreAll(ctx, ws, nbo.ScoreOptions{}); err != nil {
		t.Fatal(err)
	}
	if res, err := profiles.TrainAll(ctx, ws, profiles.AllSpec{Algo: "logit", Products: []int{2}, Seed: 2, Folds: 2}, nil); len(res) == 0 {
		t.Fatal(err)
	}
	if _, err := EmitJob(ctx, ws, "duckdb", dir); !errors.Is(err, nbo.ErrStaleScoring) {
		t.Fatalf("a model newer than the scoring: %v", err)
	}
	if _, err := nbo.ScoreAll(ctx, ws, nbo.ScoreOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := EmitJob(ctx, ws, "duckdb", dir); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("non-empty directory: %v", err)
	}
	os.Remove(filepath.Join(dir, "x"))
	if _, err := nbo.ImportRules(ctx, ws, []byte("version = 1\n[cap_by_segment]\ntop = 5\n"), "seg.toml"); err != nil {
		t.Fatal(err)
	}
	if _, err := EmitJob(ctx, ws, "clickhouse", dir); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "cap_by_segment") {
		t.Fatalf("cap by segment: %v", err)
	}
	if ents, _ := os.ReadDir(base); len(ents) != 1 {
		t.Fatalf("files left behind: %v", ents)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("files written: %v", ents)
	}
}

// statements splits a job file into its statements (each ends with ";" at the end of a line;
// comment lines are left out).
func statements(script string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.SplitAfter(script, "\n") {
		if strings.HasPrefix(line, "--") && cur.Len() == 0 {
			continue
		}
		cur.WriteString(line)
		if strings.HasSuffix(strings.TrimRight(line, "\n"), ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}
