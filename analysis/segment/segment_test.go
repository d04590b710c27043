package segment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/explore"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestCustomerViewColumns(t *testing.T) {
	ws := openHandFixture(t)
	ctx := context.Background()
	if err := EnsureCustomerView(ctx, ws); err != nil {
		t.Fatal(err)
	}
	type row struct {
		held, out, c12, resp, acc int64
		rate                      sql.NullFloat64
		rev, rev12                float64
		cend, opt                 bool
		vs                        string
	}
	want := map[int64]row{
		1:  {2, 5, 4, 2, 1, sql.NullFloat64{Float64: 0.2, Valid: true}, 50, 50, true, true, "low"},
		2:  {1, 2, 2, 2, 2, sql.NullFloat64{Float64: 1, Valid: true}, 50, 50, true, false, "low"},
		3:  {0, 0, 0, 0, 0, sql.NullFloat64{}, 0, 0, true, false, "low"},
		4:  {0, 0, 0, 0, 0, sql.NullFloat64{}, 0, 0, false, false, "low"},
		5:  {1, 0, 0, 0, 0, sql.NullFloat64{}, 0, 0, false, false, "low"},
		6:  {0, 4, 4, 1, 0, sql.NullFloat64{Float64: 0, Valid: true}, 0, 0, false, true, "middle"},
		7:  {0, 0, 0, 0, 0, sql.NullFloat64{}, 0, 0, false, false, "middle"},
		9:  {0, 0, 0, 0, 0, sql.NullFloat64{}, 0, 0, false, false, "middle"},
		10: {0, 0, 0, 0, 0, sql.NullFloat64{}, 0, 0, false, false, "top"},
	}
	rows, err := ws.QueryContext(context.Background(), `SELECT customer_id, products_held, contacts_out, contacts_12m, responses, acceptances,
		response_rate, contact_revenue, revenue_12m, contract_end, opted_out, value_segment FROM customer_view ORDER BY customer_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		var id int64
		var r row
		if err := rows.Scan(&id, &r.held, &r.out, &r.c12, &r.resp, &r.acc, &r.rate, &r.rev, &r.rev12, &r.cend, &r.opt, &r.vs); err != nil {
			t.Fatal(err)
		}
		if w, ok := want[id]; ok && r != w {
			t.Errorf("customer %d: got %+v, want %+v", id, r, w)
		}
	}
	if n != 10 {
		t.Errorf("view has %d rows, want 10 (one per customer)", n)
	}
}

func TestCustomerViewSnapshotFromMeta(t *testing.T) {
	ws := openHandFixture(t)
	ctx := context.Background()
	if err := ws.SetMeta(ctx, SnapshotMetaKey, "2025-03-01"); err != nil {
		t.Fatal(err)
	}
	if err := EnsureCustomerView(ctx, ws); err != nil {
		t.Fatal(err)
	}
	got := map[int64][2]float64{}
	rows, err := ws.QueryContext(context.Background(), `SELECT customer_id, contacts_12m, revenue_12m FROM customer_view WHERE contacts_out > 0`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, n int64
		var rev float64
		if err := rows.Scan(&id, &n, &rev); err != nil {
			t.Fatal(err)
		}
		got[id] = [2]float64{float64(n), rev}
	}
	want := map[int64][2]float64{1: {2, 50}, 2: {0, 0}, 6: {3, 0}} // the snapshot day counts; later contacts do not
	if !reflect.DeepEqual(got, want) {
		t.Errorf("contacts_12m, revenue_12m at snapshot 2025-03-01 = %v, want %v", got, want)
	}
}

func TestCustomerViewWithoutOptionalTables(t *testing.T) {
	ws := openHandFixture(t)
	ctx := context.Background()
	for _, s := range []string{"DROP TABLE contacts", "DROP TABLE holdings", "DROP TABLE optouts"} {
		if _, err := ws.ExecContext(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	if err := EnsureCustomerView(ctx, ws); err != nil {
		t.Fatal(err)
	}
	var held, out int64
	var opt bool
	if err := ws.QueryRowContext(context.Background(), `SELECT sum(products_held), sum(contacts_out), bool_or(opted_out) FROM customer_view`).Scan(&held, &out, &opt); err != nil {
		t.Fatal(err)
	}
	if held != 0 || out != 0 || opt {
		t.Errorf("without tables: held %d out %d opt %v", held, out, opt)
	}
	for _, q := range []string{"DROP VIEW customer_view", "DROP TABLE customers"} {
		if _, err := ws.ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	if err := EnsureCustomerView(ctx, ws); err == nil || !strings.Contains(err.Error(), "no customers table") {
		t.Errorf("no customers: %v", err)
	}
}

func TestSaveListGetDelete(t *testing.T) {
	ws := openHandFixture(t)
	ctx := context.Background()
	s := Segment{Name: "retail", Filter: "sector = 'retail'", Description: "shops"}
	if err := Save(ctx, ws, s); err != nil {
		t.Fatal(err)
	}
	if err := Save(ctx, ws, Segment{Name: "big", Filter: "employees >= 15"}); err != nil {
		t.Fatal(err)
	}
	// Replace keeps one row.
	s.Filter = "sector = 'retail' AND mobile_subs > 1"
	if err := Save(ctx, ws, s); err != nil {
		t.Fatal(err)
	}
	list, err := List(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "big" || list[1].Filter != s.Filter || list[1].Description != "shops" {
		t.Errorf("list = %+v", list)
	}
	got, err := Get(ctx, ws, "retail")
	if err != nil || got.Filter != s.Filter || got.CreatedAt.IsZero() {
		t.Errorf("get = %+v, %v", got, err)
	}
	if top, err := Get(ctx, ws, "top"); err != nil || !top.Builtin {
		t.Errorf("get top = %+v, %v", top, err)
	}
	if _, err := Get(ctx, ws, "nosuch"); !errors.Is(err, ErrNotFound) {
		t.Errorf("get nosuch = %v", err)
	}
	if err := Delete(ctx, ws, "retail"); err != nil {
		t.Fatal(err)
	}
	if err := Delete(ctx, ws, "retail"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete = %v", err)
	}
	if err := Delete(ctx, ws, "top"); err == nil {
		t.Error("deleting a built-in succeeded")
	}
	if err := Save(ctx, ws, Segment{Name: "Top", Filter: "true"}); err == nil {
		t.Error("saving over a built-in succeeded")
	}
	if err := Save(ctx, ws, Segment{Name: "  ", Filter: "true"}); err == nil {
		t.Error("saving without a name succeeded")
	}
}

func TestSaveRejectsInvalidFilter(t *testing.T) {
	ws := openHandFixture(t)
	ctx := context.Background()
	for _, tc := range []struct{ filter, want string }{
		{"nosuchcol = 1", `filter "nosuchcol = 1" is not valid`},
		{"monthly_revenue + 1", `filter "monthly_revenue + 1" is DOUBLE, not a boolean condition`},
		{"sector", `is VARCHAR, not a boolean`},
		{"sector = 'x'; DROP TABLE customers", "not a single SQL expression"},
		{"", "filter is empty"},
		{"sector = 'retail' AND (", "syntax error"},
		{"CAST(sector AS INTEGER) = 1", `is not valid`},
		// A segment of nobody (issue 17, item 5): refused, nothing saved.
		{"false", `filter "false" selects no customers`},
		{"mobile_subs > 1000", `selects no customers`},
		{"sector IS NULL", `selects no customers`},
	} {
		err := Save(ctx, ws, Segment{Name: "bad", Filter: tc.filter})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Save(filter %q) error = %v, want it to contain %q", tc.filter, err, tc.want)
		}
	}
	// DuckDB's own message is quoted (it names the missing column).
	err := Save(ctx, ws, Segment{Name: "bad", Filter: "nosuchcol = 1"})
	if err == nil || !strings.Contains(err.Error(), "nosuchcol") || !strings.Contains(strings.ToLower(err.Error()), "binder error") {
		t.Errorf("invalid filter error does not quote DuckDB: %v", err)
	}
	list, err := List(ctx, ws)
	if err != nil || len(list) != 0 {
		t.Errorf("invalid filters changed acrm_segments: %v %v", list, err)
	}
	var n int
	if err := ws.QueryRowContext(context.Background(), "SELECT count(*) FROM customers").Scan(&n); err != nil || n != 10 {
		t.Errorf("customers changed: %d %v", n, err)
	}
}

func TestValueSegmentsPartitionTheBase(t *testing.T) {
	ws := openHandFixture(t)
	ctx := context.Background()
	var total int64
	sizes := map[string]int64{}
	for _, s := range ValueSegments() {
		n, err := Validate(ctx, ws, s.Filter)
		if err != nil {
			t.Fatal(err)
		}
		sizes[s.Name] = n
		total += n
	}
	if total != 10 || sizes["top"] != 1 || sizes["middle"] != 4 || sizes["low"] != 5 {
		t.Errorf("value segment sizes %v", sizes)
	}
}

func TestValueSegmentsFollowBestScores(t *testing.T) {
	ws := openHandFixture(t)
	ctx := context.Background()
	if basis, err := ValueBasis(ctx, ws); err != nil || basis != "monthly_revenue" {
		t.Fatalf("basis before scores = %q, %v", basis, err)
	}
	// Two products; best models for both, plus a non-best model whose scores must be ignored.
	for _, s := range []string{
		`CREATE TABLE products (product_id INTEGER, code VARCHAR, margin DOUBLE)`,
		`INSERT INTO products VALUES (1, 'A', 1000), (2, 'B', 200)`,
		`INSERT INTO acrm_models (model_id, name, product_id, target, source, algo, version, is_best, created_at) VALUES
		   ('A@v1', 'A', 1, 'lookalike', 'customers', 'logit', 1, true, now()),
		   ('B@v1', 'B', 2, 'lookalike', 'customers', 'logit', 1, true, now()),
		   ('B@v2', 'B', 2, 'lookalike', 'customers', 'tree', 2, false, now())`,
		// EV: c1 = .5·1000 + .5·200 = 600; c2 = .9·200 = 180; c3 = .1·1000 = 100; c4 = 0.02·1000 = 20.
		`INSERT INTO acrm_scores VALUES ('A@v1', 1, 0.5, now()), ('B@v1', 1, 0.5, now()), ('B@v1', 2, 0.9, now()),
		   ('A@v1', 3, 0.1, now()), ('A@v1', 4, 0.02, now()), ('B@v2', 10, 0.99, now())`,
	} {
		if _, err := ws.ExecContext(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	if err := EnsureCustomerView(ctx, ws); err != nil {
		t.Fatal(err)
	}
	if basis, err := ValueBasis(ctx, ws); err != nil || basis != "expected_value" {
		t.Fatalf("basis after scores = %q, %v", basis, err)
	}
	got := map[int64]string{}
	evs := map[int64]float64{}
	rows, err := ws.QueryContext(context.Background(), `SELECT customer_id, value_segment, expected_value FROM customer_view`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var seg string
		var ev float64
		if err := rows.Scan(&id, &seg, &ev); err != nil {
			t.Fatal(err)
		}
		got[id], evs[id] = seg, ev
	}
	// n = 10: top = rank 1 (c1), middle = ranks 2..5 (c2, c3, c4, then c5: EV 0, lowest id).
	want := map[int64]string{1: "top", 2: "middle", 3: "middle", 4: "middle", 5: "middle", 6: "low", 10: "low"}
	for id, seg := range want {
		if got[id] != seg {
			t.Errorf("customer %d in %q, want %q (EV %v)", id, got[id], seg, evs[id])
		}
	}
	for id, ev := range map[int64]float64{1: 600, 2: 180, 3: 100, 4: 20, 10: 0} {
		if !near(evs[id], ev) {
			t.Errorf("customer %d expected value %v, want %v", id, evs[id], ev)
		}
	}
}

func TestKPIsHandFixture(t *testing.T) {
	ws := openHandFixture(t)
	ctx := context.Background()
	rows, err := KPIs(ctx, ws, []Segment{
		{Name: "retail", Filter: "sector = 'retail'"},
		{Name: "finance", Filter: "sector = 'finance'"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Segment != BaseName {
		t.Fatalf("rows = %+v", rows)
	}
	type exp struct {
		n                              int64
		share, rev, ppc, rr, cend, opt float64
		iRev, iPPC, iRR, iCend, iOpt   float64
		contacts                       int64
	}
	want := []exp{
		{10, 1, 550, 0.4, 3.0 / 11, 0.3, 0.2, 100, 100, 100, 100, 100, 11},
		{4, 0.4, 250, 0.75, 3.0 / 7, 0.75, 0.25, 100 * 250.0 / 550, 187.5, 100 * 11.0 / 7, 250, 125, 7},
		{3, 0.3, 600, 1.0 / 3, 0, 0, 1.0 / 3, 100 * 600.0 / 550, 100 * (1.0 / 3) / 0.4, 0, 0, 100 * (1.0 / 3) / 0.2, 4},
	}
	for i, w := range want {
		r := rows[i]
		got := []float64{r.Share, r.AvgRevenue, r.ProductsPerCustomer, r.ResponseRate, r.ContractEndShare, r.OptOutShare,
			r.Index.AvgRevenue, r.Index.ProductsPerCustomer, r.Index.ResponseRate, r.Index.ContractEndShare, r.Index.OptOutShare}
		exp := []float64{w.share, w.rev, w.ppc, w.rr, w.cend, w.opt, w.iRev, w.iPPC, w.iRR, w.iCend, w.iOpt}
		names := []string{"share", "rev", "ppc", "rr", "cend", "opt", "iRev", "iPPC", "iRR", "iCend", "iOpt"}
		if r.Customers != w.n || r.Contacts != w.contacts {
			t.Errorf("%s: customers %d contacts %d, want %d %d", r.Segment, r.Customers, r.Contacts, w.n, w.contacts)
		}
		for j := range got {
			if !near(got[j], exp[j]) {
				t.Errorf("%s %s = %v, want %v", r.Segment, names[j], got[j], exp[j])
			}
		}
	}
}

func TestKPIsErrors(t *testing.T) {
	ws := openHandFixture(t)
	ctx := context.Background()
	_, err := KPIs(ctx, ws, []Segment{{Name: "nobody", Filter: "monthly_revenue > 1e9"}})
	if err == nil || !strings.Contains(err.Error(), `"nobody"`) || !strings.Contains(err.Error(), "no customers") {
		t.Errorf("empty segment error = %v", err)
	}
	_, err = KPIs(ctx, ws, []Segment{{Name: "broken", Filter: "sector = "}})
	if err == nil || !strings.Contains(err.Error(), `"broken"`) {
		t.Errorf("broken segment error = %v", err)
	}
	// Base only.
	rows, err := KPIs(ctx, ws, nil)
	if err != nil || len(rows) != 1 || rows[0].Customers != 10 {
		t.Errorf("base only: %+v %v", rows, err)
	}
}

func TestNoNaNWhenBaseHasNoContactsOrOptOuts(t *testing.T) {
	ws := openHandFixture(t)
	ctx := context.Background()
	for _, q := range []string{"DELETE FROM contacts", "DELETE FROM optouts"} {
		if _, err := ws.ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := KPIs(ctx, ws, []Segment{{Name: "retail", Filter: "sector = 'retail'"}})
	if err != nil {
		t.Fatal(err)
	}
	r := rows[1]
	for _, v := range []float64{r.ResponseRate, r.OptOutShare, r.Index.ResponseRate, r.Index.OptOutShare} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("non-finite KPI in %+v", r)
		}
	}
	if r.Index.OptOutShare != 100 || r.ResponseRate != 0 {
		t.Errorf("zero-base KPIs: %+v", r)
	}
}

func TestColumnsValuesOperators(t *testing.T) {
	ws := openHandFixture(t)
	ctx := context.Background()
	cols, err := Columns(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]explore.Kind{}
	for _, c := range cols {
		kinds[c.Name] = c.Kind
	}
	for name, k := range map[string]explore.Kind{"sector": explore.Categorical, "monthly_revenue": explore.Numeric,
		"contract_end": explore.Boolean, "value_segment": explore.Categorical, "products_held": explore.Numeric} {
		if kinds[name] != k {
			t.Errorf("column %s kind %q, want %q", name, kinds[name], k)
		}
	}
	vals, err := Values(ctx, ws, "sector", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(vals) != 3 || vals[0] != (explore.ValueCount{Value: "retail", Count: 4}) ||
		vals[1] != (explore.ValueCount{Value: "finance", Count: 3}) || vals[2] != (explore.ValueCount{Value: "o'hare", Count: 3}) {
		t.Errorf("sector values %v", vals)
	}
	if vals, err := Values(ctx, ws, "nps", 2); err != nil || len(vals) != 2 || vals[0].Count != 1 {
		t.Errorf("nps values %v %v", vals, err)
	}
	if _, err := Values(ctx, ws, "nosuch", 2); err == nil || !strings.Contains(err.Error(), `"nosuch"`) {
		t.Errorf("unknown column: %v", err)
	}
	for _, k := range []explore.Kind{explore.Numeric, explore.Categorical, explore.Boolean, explore.Date} {
		if len(Operators(k)) == 0 {
			t.Errorf("no operators for %s", k)
		}
	}
}

func TestCancelledContext(t *testing.T) {
	ws := openHandFixture(t)
	if err := EnsureCustomerView(context.Background(), ws); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := KPIs(ctx, ws, ValueSegments()); !errors.Is(err, context.Canceled) {
		t.Errorf("KPIs with a cancelled context: %v", err)
	}
	if _, err := Crosstab(ctx, ws, "sector", "size_class", ""); !errors.Is(err, context.Canceled) {
		t.Errorf("Crosstab with a cancelled context: %v", err)
	}
	if err := Save(ctx, ws, Segment{Name: "x", Filter: "true"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Save with a cancelled context: %v", err)
	}
	if _, err := Validate(ctx, ws, "true"); !errors.Is(err, context.Canceled) {
		t.Errorf("Validate with a cancelled context: %v", err)
	}
	if list, err := List(context.Background(), ws); err != nil || len(list) != 0 {
		t.Errorf("cancelled Save left %v, %v", list, err)
	}
}

// TestEnsureCustomerViewConcurrent runs many first-time EnsureCustomerView calls at once, as
// screens do when a workspace opens: all succeed and the view works.
func TestEnsureCustomerViewConcurrent(t *testing.T) {
	ws := openHandFixture(t)
	ctx := context.Background()
	errs := make(chan error, 8)
	for range 8 {
		go func() { errs <- EnsureCustomerView(ctx, ws) }()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n, err := Validate(ctx, ws, "true"); err != nil || n != 10 {
		t.Errorf("view after concurrent creation: %d, %v", n, err)
	}
}

// TestScoringOneProductKeepsRevenueBasis: scores of one product's best model (of two) never
// re-rank the value segments; expected value ranks them once every product is scored or when
// the user asks for it, and an explicit monthly_revenue wins even over a complete scoring.
func TestScoringOneProductKeepsRevenueBasis(t *testing.T) {
	ws := openHandFixture(t)
	ctx := context.Background()
	if err := EnsureCustomerView(ctx, ws); err != nil {
		t.Fatal(err)
	}
	before := valueSegments(t, ws)
	for _, s := range []string{
		`CREATE TABLE products (product_id INTEGER, code VARCHAR, margin DOUBLE)`,
		`INSERT INTO products VALUES (1, 'A', 1000), (2, 'B', 200)`,
		`INSERT INTO acrm_models (model_id, name, product_id, target, source, algo, version, is_best, created_at) VALUES
		   ('A@v1', 'A', 1, 'lookalike', 'customers', 'logit', 1, true, now()),
		   ('B@v1', 'B', 2, 'lookalike', 'customers', 'logit', 1, true, now())`,
		// only product A scored: customer 10 (low by revenue) gets the highest expected value
		`INSERT INTO acrm_scores VALUES ('A@v1', 10, 0.9, now()), ('A@v1', 3, 0.1, now())`,
	} {
		if _, err := ws.ExecContext(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	if err := EnsureCustomerView(ctx, ws); err != nil {
		t.Fatal(err)
	}
	if basis, err := ValueBasis(ctx, ws); err != nil || basis != BasisRevenue {
		t.Fatalf("basis after scoring one of two products = %q, %v; want %s", basis, err, BasisRevenue)
	}
	if after := valueSegments(t, ws); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("scoring one product moved customers between value segments:\nbefore %v\nafter  %v", before, after)
	}
	var ev float64
	if err := ws.QueryRowContext(context.Background(), `SELECT expected_value FROM customer_view WHERE customer_id = 10`).Scan(&ev); err != nil || !near(ev, 900) {
		t.Fatalf("expected_value of customer 10 = %v, %v; want 900 (shown, not ranking)", ev, err)
	}
	// asked for: expected value ranks now, customer 10 on top
	if err := SetValueBasis(ctx, ws, BasisExpectedValue); err != nil {
		t.Fatal(err)
	}
	if basis, _ := ValueBasis(ctx, ws); basis != BasisExpectedValue {
		t.Fatalf("asked for expected value, basis %q", basis)
	}
	if seg := valueSegments(t, ws)[10]; seg != "top" {
		t.Fatalf("by expected value customer 10 is %q, want top", seg)
	}
	// complete scoring under auto: expected value
	if err := SetValueBasis(ctx, ws, BasisAuto); err != nil {
		t.Fatal(err)
	}
	if basis, _ := ValueBasis(ctx, ws); basis != BasisRevenue {
		t.Fatalf("auto with one product scored: basis %q", basis)
	}
	if _, err := ws.ExecContext(context.Background(), `INSERT INTO acrm_scores VALUES ('B@v1', 4, 0.5, now())`); err != nil {
		t.Fatal(err)
	}
	if basis, _ := ValueBasis(ctx, ws); basis != BasisExpectedValue {
		t.Fatalf("auto with every product scored: basis %q", basis)
	}
	// explicit revenue wins
	if err := SetValueBasis(ctx, ws, BasisRevenue); err != nil {
		t.Fatal(err)
	}
	if basis, _ := ValueBasis(ctx, ws); basis != BasisRevenue {
		t.Fatalf("asked for revenue: basis %q", basis)
	}
	if err := SetValueBasis(ctx, ws, "profit"); err == nil || !strings.Contains(err.Error(), `"profit"`) {
		t.Fatalf("unknown basis: %v", err)
	}
}

func valueSegments(t *testing.T, ws *workspace.Workspace) map[int64]string {
	t.Helper()
	// ValueBasis and the view agree
	var viewBasis string
	if err := ws.QueryRowContext(context.Background(), `SELECT any_value(value_basis) FROM customer_view`).Scan(&viewBasis); err != nil {
		t.Fatal(err)
	}
	if b, err := ValueBasis(context.Background(), ws); err != nil || b != viewBasis {
		t.Fatalf("ValueBasis %q (%v), customer_view.value_basis %q", b, err, viewBasis)
	}
	rows, err := ws.QueryContext(context.Background(), `SELECT customer_id, value_segment FROM customer_view`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[int64]string{}
	for rows.Next() {
		var id int64
		var s string
		if err := rows.Scan(&id, &s); err != nil {
			t.Fatal(err)
		}
		m[id] = s
	}
	return m
}
