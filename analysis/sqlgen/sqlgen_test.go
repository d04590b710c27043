package sqlgen

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"

	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/model"
	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

// trainAll registers one product model per algorithm (look-alike of products 3 and 7, the
// response model of product 3) and a table model with one-hot, target-encoded and
// missing-indicator features; it returns the model ids.
func trainAll(t testing.TB, ws *workspace.Workspace) []string {
	t.Helper()
	ctx := context.Background()
	b, err := profiles.LoadBase(ctx, ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range []struct {
		product int
		kind    string
		algo    string
	}{{3, profiles.Lookalike, "logit"}, {3, profiles.Lookalike, "tree"}, {7, profiles.Lookalike, "gbdt"}, {7, profiles.Lookalike, "blend"}, {3, profiles.Response, "gbdt"}} {
		res, err := profiles.TrainProduct(ctx, ws, b, profiles.Spec{ProductID: c.product, Kind: c.kind, Algo: c.algo, Seed: 1, Folds: 3,
			Name: "P" + strconv.Itoa(c.product) + "-" + c.kind + "-" + c.algo}, nil, nil)
		if err != nil {
			t.Fatalf("train %v: %v", c, err)
		}
		ids = append(ids, res.BestModel().ModelID)
	}
	ids = append(ids, upliftModel(t, ws, b))
	if _, err := ws.ExecContext(ctx, `CREATE TABLE acct AS SELECT customer_id, sector, region,
		'c' || CAST(customer_id % 40 AS VARCHAR) AS code40,
		CASE WHEN customer_id % 7 = 0 THEN NULL ELSE tenure_months END AS tenure,
		monthly_revenue, nps, mobile_subs FROM customers`); err != nil {
		t.Fatal(err)
	}
	for _, algo := range []string{"logit", "gbdt"} {
		res, err := profiles.TrainTable(ctx, ws, profiles.Spec{Name: "acct-" + algo, Source: "acct", ID: "customer_id",
			Target: "mobile_subs >= 5", Algo: algo, Seed: 1, Folds: 3}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.BestModel().ModelID)
	}
	return ids
}

// upliftModel registers an uplift model of product 16 (the kept one of FitUplift's
// candidates: two-model or class transformation, logit or gbdt parts) and returns its id. The
// history's control cells convert too rarely at a test's size, so the treatment is assigned
// here: every third customer is the control, and the "conversion" is holding product 16.
func upliftModel(t testing.TB, ws *workspace.Workspace, b *profiles.Base) string {
	t.Helper()
	ctx := context.Background()
	f, err := b.View.ForProduct(ctx, ws, b.Frame, 16)
	if err != nil {
		t.Fatal(err)
	}
	holds := map[string]bool{}
	rows, err := ws.QueryContext(ctx, "SELECT DISTINCT CAST(customer_id AS VARCHAR) FROM holdings WHERE product_id = 16")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		holds[id] = true
	}
	rows.Close()
	r := &profiles.UpliftRows{Frame: f, Campaigns: []int{0}}
	for _, id := range f.IDs {
		n, err := strconv.Atoi(id)
		if err != nil {
			t.Fatal(err)
		}
		r.Treated = append(r.Treated, float64(min(n%3, 1)))
		y := 0.0
		if holds[id] {
			y = 1
		}
		r.Converted = append(r.Converted, y)
	}
	res, err := profiles.FitUplift(ctx, r, profiles.Spec{ProductID: 16, Kind: profiles.Uplift, Seed: 1, Folds: 3, Name: "P16-uplift"}, nil)
	if err != nil {
		t.Fatalf("fit uplift: %v", err)
	}
	t.Logf("uplift model of P16: %s (%d control, %d treated)", res.BestModel().Params, len(r.Treated)-int(floats.Sum(r.Treated)), int(floats.Sum(r.Treated)))
	res.Source = "test fixture"
	if err := profiles.Register(ctx, ws, res); err != nil {
		t.Fatal(err)
	}
	return res.BestModel().ModelID
}

// inProcess scores every row of the model's source with the registered model in Go.
func inProcess(t testing.TB, ws *workspace.Workspace, ref string) map[string]float64 {
	t.Helper()
	ctx := context.Background()
	m, err := profiles.Load(ctx, ws, ref)
	if err != nil {
		t.Fatal(err)
	}
	var f *features.Frame
	if m.ProductID > 0 {
		b, err := profiles.LoadBase(ctx, ws, nil)
		if err != nil {
			t.Fatal(err)
		}
		if f, err = b.View.ForProduct(ctx, ws, b.Frame, m.ProductID); err != nil {
			t.Fatal(err)
		}
	} else if f, err = features.Load(ctx, ws, features.LoadSpec{Query: m.Source, ID: m.ID}, nil); err != nil {
		t.Fatal(err)
	}
	p, err := m.Predict(f)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]float64, len(p))
	for i, id := range f.IDs {
		out[id] = p[i]
	}
	return out
}

func runDuck(t testing.TB, ws *workspace.Workspace, q string) map[string]float64 {
	t.Helper()
	rows, err := ws.QueryContext(context.Background(), "SELECT CAST(id AS VARCHAR), score FROM ("+q+")")
	if err != nil {
		t.Fatalf("run compiled SQL: %v", err)
	}
	defer rows.Close()
	out := map[string]float64{}
	for rows.Next() {
		var id string
		var s float64
		if err := rows.Scan(&id, &s); err != nil {
			t.Fatal(err)
		}
		out[id] = s
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// compare requires the same ids and scores within tol; it returns the largest difference.
func compare(t testing.TB, what string, want, got map[string]float64, tol float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, in-process %d", what, len(got), len(want))
	}
	worst := 0.0
	for id, w := range want {
		g, ok := got[id]
		if !ok {
			t.Fatalf("%s: id %s missing", what, id)
		}
		d := math.Abs(g - w)
		if !(d <= tol) {
			t.Fatalf("%s: id %s: SQL %.17g, in-process %.17g (|Δ| %.3g > %g)", what, id, g, w, d, tol)
		}
		worst = math.Max(worst, d)
	}
	return worst
}

// TestDuckDBParity: every algorithm's model compiled to DuckDB SQL, run on the workspace,
// gives the in-process scores within 1e-9, and the emitted feature view equals
// features.CustomerView column by column.
func TestDuckDBParity(t *testing.T) {
	if testing.Short() {
		t.Skip("trains models")
	}
	ctx := context.Background()
	ws := sampletest.Fresh(t, 2000, 5)
	ids := trainAll(t, ws)
	d, _ := Lookup("duckdb")
	algos := map[string]bool{}
	for _, id := range ids {
		q, m, err := ModelQuery(ctx, ws, id, d)
		if err != nil {
			t.Fatal(err)
		}
		algos[m.Algo] = true
		worst := compare(t, id, inProcess(t, ws, id), runDuck(t, ws, q), 1e-9)
		t.Logf("%s (%s): max |Δ| %.2g over %d customers, %d bytes of SQL", id, m.Algo, worst, 2000, len(q))
	}
	for _, a := range []string{"logit", "tree", "gbdt", "blend", "uplift"} {
		if !algos[a] {
			t.Errorf("no %s model compiled", a)
		}
	}
}

// TestViewMatchesCustomerView: the emitted DuckDB view returns exactly the rows and values
// of features.CustomerView.
func TestViewMatchesCustomerView(t *testing.T) {
	ctx := context.Background()
	ws := sampletest.Shared(t, 1000, 2)
	vs, err := LoadViewSpec(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := Lookup("duckdb")
	var n int
	q := "SELECT count(*) FROM ((" + vs.View.SQL + ") EXCEPT ALL (SELECT * FROM (" + vs.SQL(d, 0) + ") ORDER BY customer_id))"
	if err := ws.QueryRowContext(ctx, q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d rows of the customer view differ from the emitted view", n)
	}
	cols := vs.Columns(0)
	got, err := Describe(ctx, ws, vs.SQL(d, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(cols) {
		t.Fatalf("emitted view has %d columns, Columns says %d", len(got), len(cols))
	}
}

// TestBadInput: an unknown dialect, an uncompilable model kind, a feature the engine lacks —
// each a clear error, and no file written.
func TestBadInput(t *testing.T) {
	if _, err := Lookup("oracle"); err == nil || !strings.Contains(err.Error(), `unknown dialect "oracle"`) || !strings.Contains(err.Error(), "clickhouse, duckdb, postgres") {
		t.Fatalf("unknown dialect: %v", err)
	}
	if _, err := model.Describe(fakeModel{}); err == nil || !strings.Contains(err.Error(), `"knn"`) {
		t.Fatalf("unknown kind: %v", err)
	}
	d, _ := Lookup("postgres")
	c := &compiler{d: d}
	if _, err := c.number(`"x"`, "INTEGER[]", "x"); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "INTEGER[]") {
		t.Fatalf("list column: %v", err)
	}
	ch, _ := Lookup("clickhouse")
	c = &compiler{d: ch}
	if _, err := c.number(`"x"`, "HUGEINT", "x"); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "clickhouse lacks") {
		t.Fatalf("hugeint on clickhouse: %v", err)
	}
	if _, _, err := c.calibrate(&model.Calibrator{Method: "beta"}, "p", "lp"); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), `"beta"`) {
		t.Fatalf("calibration: %v", err)
	}
	// no file for an unknown dialect or an unknown model
	ws := sampletest.Shared(t, 1000, 2)
	dir := t.TempDir()
	path := filepath.Join(dir, "m.sql")
	if _, err := ExportModel(context.Background(), ws, "nope", "duckdb", path); err == nil {
		t.Fatal("unknown model exported")
	}
	if _, err := ExportModel(context.Background(), ws, "nope", "sparksql", path); err == nil || !strings.Contains(err.Error(), "unknown dialect") {
		t.Fatalf("unknown dialect: %v", err)
	}
	// A model over a column type ClickHouse lacks (HUGEINT), and one over a DuckDB query,
	// which PostgreSQL cannot run: refused by name, no file.
	ctx := context.Background()
	ws = sampletest.Fresh(t, 500, 2)
	if _, err := ws.ExecContext(ctx, `CREATE TABLE wide AS SELECT customer_id AS id, CAST(tenure_months AS HUGEINT) AS big,
		monthly_revenue, nps FROM customers`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ source, dialect, want string }{
		{"wide", "clickhouse", "HUGEINT, which clickhouse lacks"},
		{"SELECT * FROM wide", "postgres", "which postgres cannot run"},
	} {
		res, err := profiles.TrainTable(ctx, ws, profiles.Spec{Name: "wide", Source: c.source, ID: "id", Target: "nps >= 8", Algo: "logit", Seed: 1, Folds: 2}, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ExportModel(ctx, ws, res.BestModel().ModelID, c.dialect, path)
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%s on %s: %v", c.source, c.dialect, err)
		}
		if _, err := ExportModel(ctx, ws, res.BestModel().ModelID, "duckdb", filepath.Join(t.TempDir(), "ok.sql")); err != nil {
			t.Fatalf("%s on duckdb: %v", c.source, err)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("files left behind: %v", ents)
	}
}

type fakeModel struct{}

func (fakeModel) Algo() model.Algo                { return "knn" }
func (fakeModel) Predict(*model.Matrix) []float64 { return nil }
func (fakeModel) Importance() []float64           { return nil }

// TestIdentityCalibration: a model whose scores are not probabilities (an uplift profile)
// carries the identity calibrator, which compiles to the score itself in every dialect.
func TestIdentityCalibration(t *testing.T) {
	for _, name := range []string{"duckdb", "postgres", "clickhouse"} {
		d, _ := Lookup(name)
		c := &compiler{d: d}
		pre, post, err := c.calibrate(model.Identity(), "p", "lp")
		if err != nil || pre != "p" || post != "p" {
			t.Fatalf("%s: identity calibration compiles to %q, %q, %v", name, pre, post, err)
		}
	}
}
