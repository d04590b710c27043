package profiles

import (
	"context"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/model"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

func memWorkspace(t testing.TB) *workspace.Workspace {
	t.Helper()
	ws, err := workspace.Open(context.Background(), workspace.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

func exec(t testing.TB, ws *workspace.Workspace, q string) {
	t.Helper()
	if _, err := ws.ExecContext(context.Background(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// churnDir holds the public telecom churn files (R modeldata, MIT), kept in testdata/churn.
func churnDir(t testing.TB) string {
	d := os.Getenv("ACRM_CHURN_DIR")
	if d == "" {
		d = "../../testdata/churn"
	}
	if _, err := os.Stat(filepath.Join(d, "mlc_churn_train.csv")); err != nil {
		t.Fatalf("churn data not found in %s: %v", d, err)
	}
	return d
}

func loadChurn(t testing.TB, ws *workspace.Workspace) {
	d, _ := filepath.Abs(churnDir(t))
	for _, part := range []string{"train", "test"} {
		exec(t, ws, "CREATE TABLE churn_"+part+" AS SELECT row_number() OVER () AS id, * FROM read_csv("+
			workspace.QuoteString(filepath.Join(d, "mlc_churn_"+part+".csv"))+")")
	}
}

// TestChurnGenericPath trains on the churn training file with the target churn = 'yes',
// scores the test file with the registered model and measures the test AUC and the share of
// churners in the top 10 % of scores.
func TestChurnGenericPath(t *testing.T) {
	ctx := context.Background()
	ws := memWorkspace(t)
	loadChurn(t, ws)
	res, err := TrainTable(ctx, ws, Spec{Name: "churn", Source: "churn_train", ID: "id", Target: "churn = 'yes'", Algo: "auto", Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Models) != 4 || res.Folds != 5 {
		t.Fatalf("%d candidates, %d folds", len(res.Models), res.Folds)
	}
	best := res.BestModel()
	for _, m := range res.Models {
		if len(m.CVAUC) != 5 || (m.ModelID != "") != m.IsBest {
			t.Errorf("%s: %d fold AUCs, model id %q, kept %v", m.Algo, len(m.CVAUC), m.ModelID, m.IsBest)
		}
		if m.CVMean() > best.CVMean() {
			t.Errorf("%s has CV AUC %.4f above the kept %s's %.4f", m.Algo, m.CVMean(), best.Algo, best.CVMean())
		}
		t.Logf("%-5s CV AUC %s lift@10 %.2f cal.err %.4f (%s) %s", m.Algo, FormatCV(m.CVMean(), m.CVSD()),
			m.OOF.TopDecileLift, m.OOF.CalError, m.Calibration, m.Params)
	}
	if best.ModelID != "churn@v1" {
		t.Fatalf("kept model %q, want churn@v1", best.ModelID)
	}
	for _, n := range best.Encoder.Names {
		if strings.HasPrefix(n, "churn") {
			t.Fatalf("target column %s used as a feature", n)
		}
	}
	var stateTE bool
	for _, ft := range best.Encoder.Features {
		if ft.Column == "state" && ft.Kind == features.KindTarget {
			stateTE = true
		}
	}
	if !stateTE {
		t.Error("state (51 levels) should be target-encoded")
	}

	sc, err := ScoreTable(ctx, ws, "churn", "churn_test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if sc.ModelID != best.ModelID {
		t.Errorf("scored with %s, best is %s", sc.ModelID, best.ModelID)
	}
	label := map[string]float64{}
	rows, err := ws.QueryContext(ctx, `SELECT CAST(id AS VARCHAR), CAST(churn = 'yes' AS DOUBLE) FROM churn_test`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var y float64
		if err := rows.Scan(&id, &y); err != nil {
			t.Fatal(err)
		}
		label[id] = y
	}
	rows.Close()
	y := make([]float64, len(sc.IDs))
	var pos float64
	for i, id := range sc.IDs {
		y[i] = label[id]
		pos += y[i]
	}
	auc := model.AUC(sc.Score, y)
	order := sc.Sorted()
	top := int(math.Ceil(0.1 * float64(len(order))))
	var found float64
	for _, i := range order[:top] {
		found += y[i]
	}
	t.Logf("churn test file: %d rows, %.0f churners; test AUC %.4f (%s); top 10%% holds %.0f churners = %.1f %% of all",
		len(y), pos, auc, best.Algo, found, 100*found/pos)
	if auc < 0.85 {
		t.Errorf("test AUC %.4f < 0.85", auc)
	}
	// The printed number is honest: the CV AUC of the kept model is within 0.02 of the AUC
	// on the separate test file.
	if d := math.Abs(best.CVMean() - auc); d > 0.02 {
		t.Errorf("printed CV AUC %.4f vs test-file AUC %.4f: off by %.4f > 0.02", best.CVMean(), auc, d)
	}
	if found/pos < 0.5 {
		t.Errorf("top 10%% finds %.1f %% of churners, want ≥ 50 %%", 100*found/pos)
	}

	// CSV: id,score sorted descending, written through a temp file.
	out := filepath.Join(t.TempDir(), "scores.csv")
	if err := sc.WriteCSV(out); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, out)
	if strings.Join(recs[0], ",") != "id,score" || len(recs) != len(sc.IDs)+1 {
		t.Fatalf("csv header %v, %d rows", recs[0], len(recs))
	}
	prev := math.Inf(1)
	for _, r := range recs[1:] {
		v, _ := strconv.ParseFloat(r[1], 64)
		if v > prev {
			t.Fatalf("csv not sorted descending at %v", r)
		}
		prev = v
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("temp files left behind: %v", entries)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// synthetic is a small generic table with a learnable target.
func synthetic(t testing.TB, ws *workspace.Workspace, n int) {
	exec(t, ws, `CREATE TABLE t AS SELECT i AS id,
		(hash(i) % 1000) / 1000.0 AS x1,
		(hash(i * 7 + 1) % 1000) / 1000.0 AS x2,
		CASE hash(i * 3) % 3 WHEN 0 THEN 'a' WHEN 1 THEN 'b' ELSE 'c' END AS k,
		CAST(NULL AS DOUBLE) AS empty,
		42 AS same
		FROM range(`+strconv.Itoa(n)+`) r(i)`)
	exec(t, ws, `ALTER TABLE t ADD COLUMN y BOOLEAN`)
	exec(t, ws, `UPDATE t SET y = (x1 + 0.5 * x2 + CASE k WHEN 'a' THEN 0.3 ELSE 0 END + (hash(id * 11) % 1000) / 2000.0) > 1.1`)
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	ws := memWorkspace(t)
	synthetic(t, ws, 2000)
	base := Spec{Name: "m", Source: "t", ID: "id", Algo: "logit", Seed: 1}
	cases := []struct {
		target string
		is     error
		want   []string
	}{
		{"same = 42", ErrConstantTarget, []string{`"same = 42"`, "constant", "true for all 2000 rows"}},
		{"x1 > 5", ErrNoPositives, []string{`"x1 > 5"`, "no positives", "false for all 2000 rows"}},
		{"x1 + 1", nil, []string{`"x1 + 1"`, "not a boolean expression", "DOUBLE"}},
		{"k", nil, []string{`"k"`, "not a boolean expression", "VARCHAR"}},
		{"id < 5", ErrTooFew, []string{"5 positive", "at least 10"}},
	}
	for _, c := range cases {
		s := base
		s.Target = c.target
		_, err := TrainTable(ctx, ws, s, nil)
		if err == nil {
			t.Errorf("target %s: no error", c.target)
			continue
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("target %s: err %v is not %v", c.target, err, c.is)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("target %s: error %q lacks %q", c.target, err, w)
			}
		}
	}
	// A blank-only target column, a duplicated or NULL id: clear messages, nothing registered.
	exec(t, ws, `CREATE TABLE tblank AS SELECT *, CAST(NULL AS VARCHAR) AS churn FROM t`)
	exec(t, ws, `CREATE TABLE tdup AS SELECT id % 1500 AS cid, * EXCLUDE (id) FROM t`)
	exec(t, ws, `CREATE TABLE tnullid AS SELECT CASE WHEN id < 3 THEN NULL ELSE id END AS cid, * EXCLUDE (id) FROM t`)
	for _, c := range []struct {
		source, id, target string
		want               []string
	}{
		{"tblank", "id", "churn = 'yes'", []string{`"churn = 'yes'"`, "no rows to train on", "NULL on every row"}},
		{"tdup", "cid", "y", []string{`id column "cid" of tdup is not a unique id`, "500 id value(s) appear more than once", `(e.g. "`, "on 2 rows", "leave --id out"}},
		{"tnullid", "cid", "y", []string{`id column "cid" of tnullid`, "3 row(s) have a NULL id"}},
	} {
		s := base
		s.Source, s.ID, s.Target = c.source, c.id, c.target
		_, err := TrainTable(ctx, ws, s, nil)
		if err == nil {
			t.Errorf("%s: no error", c.source)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.source, err, w)
			}
		}
		var ie *features.IDError
		if c.id == "cid" && !errors.As(err, &ie) {
			t.Errorf("%s: %v is not an IDError", c.source, err)
		}
	}
	var n int
	_ = ws.QueryRowContext(ctx, `SELECT count(*) FROM acrm_models`).Scan(&n)
	if n != 0 {
		t.Fatalf("failed runs registered %d models", n)
	}

	// Without an id the rows are numbered in table order, and scoring numbers them alike
	// (rows whose target is NULL keep their number).
	exec(t, ws, `CREATE TABLE tnoid AS SELECT * EXCLUDE (id, y), CASE WHEN id = 0 THEN NULL ELSE y END AS y FROM t ORDER BY id`)
	s0 := base
	s0.Name, s0.Source, s0.ID, s0.Target = "noid", "tnoid", "", "y"
	r0, err := TrainTable(ctx, ws, s0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r0.IDs) != 1999 || r0.IDs[0] != "2" || r0.IDs[1998] != "2000" {
		t.Errorf("numbered training ids: %d, first %q", len(r0.IDs), r0.IDs[0])
	}
	sc, err := ScoreTable(ctx, ws, "noid", "tnoid", nil)
	if err != nil {
		t.Fatal(err)
	}
	if sc.IDName != features.RowNumber || len(sc.IDs) != 2000 || sc.IDs[0] != "1" || sc.IDs[1999] != "2000" {
		t.Errorf("numbered scores: %s, %d ids", sc.IDName, len(sc.IDs))
	}
	exec(t, ws, `DELETE FROM acrm_models`)

	// All-NULL and constant features are dropped with a warning naming them; training goes on.
	s := base
	s.Target = "y"
	res, err := TrainTable(ctx, ws, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := strings.Join(res.Warnings, "\n")
	if !strings.Contains(w, "empty: all values are NULL") || !strings.Contains(w, "same: constant") {
		t.Errorf("warnings = %q", w)
	}
	if res.BestModel().CVMean() < 0.8 {
		t.Errorf("synthetic CV AUC %.3f", res.BestModel().CVMean())
	}

	// Scoring a table that lacks columns names all of them and writes nothing.
	exec(t, ws, `CREATE TABLE t2 AS SELECT id, x2 FROM t`)
	_, err = ScoreTable(ctx, ws, "m", "t2", nil)
	var mc *features.MissingColumnsError
	if !errors.As(err, &mc) || !strings.Contains(err.Error(), "scoring table t2") || !strings.Contains(err.Error(), "x1, k") {
		t.Fatalf("err = %v", err)
	}
	// A scoring table with an unseen category is fine.
	exec(t, ws, `CREATE TABLE t3 AS SELECT id, x1, x2, 'zzz' AS k FROM t LIMIT 10`)
	if _, err := ScoreTable(ctx, ws, "m", "t3", nil); err != nil {
		t.Fatalf("unseen category: %v", err)
	}
	if _, err := ScoreTable(ctx, ws, "nosuch", "t3", nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown model: %v", err)
	}
}

func TestRegistryVersionsBestAndScores(t *testing.T) {
	ctx := context.Background()
	ws := memWorkspace(t)
	synthetic(t, ws, 3000)
	s := Spec{Name: "syn", Source: "t", ID: "id", Target: "y", Algo: "auto", Seed: 2}
	r1, err := TrainTable(ctx, ws, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Algo = "tree"
	r2, err := TrainTable(ctx, ws, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r1.BestModel().ModelID != "syn@v1" || r2.Models[0].ModelID != "syn@v2" || r2.Fingerprint != r1.Fingerprint {
		t.Fatalf("runs: %s then %s, fingerprint %s vs %s", r1.BestModel().ModelID, r2.Models[0].ModelID, r2.Fingerprint, r1.Fingerprint)
	}
	list, err := List(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("%d entries, want the kept model of each run", len(list))
	}
	// The registry keeps every candidate's CV mean and spread beside the kept model's.
	if c := list[0].Metrics.Candidates; len(c) != 4 || list[0].Metrics.SelectedBy != "cv_auc" || list[0].Metrics.Folds != 5 {
		t.Fatalf("candidates %+v selected by %q folds %d", c, list[0].Metrics.SelectedBy, list[0].Metrics.Folds)
	} else {
		for _, x := range c {
			if len(x.CVAUC) != 5 || x.AUCSD <= 0 || x.AUC <= 0.5 || (x.Kept && x.AUC != list[0].Metrics.AUC) {
				t.Errorf("candidate %+v", x)
			}
		}
	}
	bests := 0
	for _, e := range list {
		if e.IsBest {
			bests++
			if e.ModelID != "syn@v2" {
				t.Errorf("best is %s, want the latest run's syn@v2", e.ModelID)
			}
		}
		if e.Metrics.AUC <= 0.5 || len(e.Metrics.Deciles) != 10 || len(e.Metrics.Gains) == 0 || e.Features == 0 {
			t.Errorf("%s metrics incomplete: %+v", e.ModelID, e.Metrics)
		}
	}
	if bests != 1 {
		t.Errorf("%d best rows", bests)
	}
	// Loading v1 by id and scoring reproduces the run's own predictions.
	m1 := r1.BestModel()
	st, err := Load(ctx, ws, m1.ModelID)
	if err != nil {
		t.Fatal(err)
	}
	f, err := features.Load(ctx, ws, features.LoadSpec{Query: "t", ID: "id"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.Predict(f)
	if err != nil {
		t.Fatal(err)
	}
	X, err := m1.Encoder.Transform(f)
	if err != nil {
		t.Fatal(err)
	}
	q := m1.Calibrator.ApplyAll(m1.Classifier.Predict(X))
	for i := range p {
		if math.Abs(p[i]-q[i]) > 1e-12 {
			t.Fatalf("row %d: stored model %v, in-memory %v", i, p[i], q[i])
		}
	}
	// Scores into acrm_scores replace the previous ones, in one transaction.
	sc, err := ScoreBase(ctx, ws, "syn", nil)
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 2; k++ {
		if err := sc.Save(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	var mx float64
	if err := ws.QueryRowContext(ctx, `SELECT count(*), max(score) FROM acrm_scores WHERE model_id = 'syn@v2'`).Scan(&n, &mx); err != nil {
		t.Fatal(err)
	}
	sorted := append([]float64(nil), sc.Score...)
	sort.Float64s(sorted)
	if n != 3000 || mx != sorted[len(sorted)-1] {
		t.Errorf("acrm_scores: %d rows max %v, want 3000 rows max %v", n, mx, sorted[len(sorted)-1])
	}
	if _, err := Delete(ctx, ws, "syn"); err != nil {
		t.Fatal(err)
	}
	_ = ws.QueryRowContext(ctx, `SELECT count(*) FROM acrm_scores`).Scan(&n)
	if n != 0 {
		t.Errorf("delete left %d scores", n)
	}
}

func TestFitCancelled(t *testing.T) {
	ws := memWorkspace(t)
	synthetic(t, ws, 2000)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := TrainTable(ctx, ws, Spec{Name: "c", Source: "t", ID: "id", Target: "y", Algo: "gbdt"}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}
