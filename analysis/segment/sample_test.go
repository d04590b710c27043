package segment

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/explore"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

func TestSampleCustomerView(t *testing.T) {
	ws := sampletest.Sample(t)
	ctx := context.Background()
	if err := EnsureCustomerView(ctx, ws); err != nil {
		t.Fatal(err)
	}
	q := func(query string) float64 {
		t.Helper()
		var v float64
		if err := ws.QueryRowContext(ctx, query).Scan(&v); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return v
	}
	// One row per customer.
	if n, d := q(`SELECT count(*) FROM customer_view`), q(`SELECT count(DISTINCT customer_id) FROM customer_view`); n != 3000 || d != 3000 {
		t.Fatalf("customer_view rows %v distinct %v, want 3000", n, d)
	}
	// Aggregates agree with direct SQL on the datamart tables (docs/DATAMART.md semantics).
	for _, c := range []struct{ view, direct string }{
		{`SELECT sum(products_held) FROM customer_view`, `SELECT count(*) FROM (SELECT DISTINCT customer_id, product_id FROM holdings WHERE end_date IS NULL)`},
		{`SELECT sum(contacts_out) FROM customer_view`, `SELECT count(*) FROM contacts WHERE direction = 'outbound' AND product_id IS NOT NULL`},
		{`SELECT sum(acceptances) FROM customer_view`, `SELECT count(*) FROM contacts WHERE direction = 'outbound' AND product_id IS NOT NULL AND outcome = 'accepted'`},
		{`SELECT sum(contacts_12m) FROM customer_view`, `SELECT count(*) FROM contacts WHERE direction = 'outbound' AND product_id IS NOT NULL AND ts >= TIMESTAMP '2025-11-01' AND ts < TIMESTAMP '2026-11-01'`},
		{`SELECT sum(contact_revenue) FROM customer_view`, `SELECT sum(revenue) FROM contacts`},
		{`SELECT count(*) FILTER (WHERE opted_out) FROM customer_view`, `SELECT count(DISTINCT customer_id) FROM optouts`},
		{`SELECT count(*) FILTER (WHERE contract_end) FROM customer_view`, `SELECT count(*) FROM customers WHERE contract_end_months <= 3`},
	} {
		if v, d := q(c.view), q(c.direct); math.Abs(v-d) > 1e-6*math.Max(1, math.Abs(d)) {
			t.Errorf("%s = %v, direct %s = %v", c.view, v, c.direct, d)
		}
	}
	if q(`SELECT sum(contacts_out) FROM customer_view`) == 0 {
		t.Fatal("sample has no outbound offer contacts")
	}
	// Value segments: exactly 10 % / 40 % / 50 %, top by revenue.
	for seg, want := range map[string]float64{"top": 300, "middle": 1200, "low": 1500} {
		if n := q(`SELECT count(*) FROM customer_view WHERE value_segment = '` + seg + `'`); n != want {
			t.Errorf("value segment %s has %v customers, want %v", seg, n, want)
		}
	}
	if minTop, maxMid := q(`SELECT min(monthly_revenue) FROM customer_view WHERE value_segment = 'top'`),
		q(`SELECT max(monthly_revenue) FROM customer_view WHERE value_segment = 'middle'`); minTop < maxMid {
		t.Errorf("top segment min revenue %v below middle max %v", minTop, maxMid)
	}
	// The generator's tolerant top segment (revenue ≥ its threshold, evaluation data) should
	// be nearly the built-in top 10 %.
	agree := q(`SELECT avg(((v.value_segment = 'top') = (v.monthly_revenue >= m.value))::INTEGER)
		FROM customer_view v, sample_truth_meta m WHERE m.key = 'top_revenue_threshold'`)
	if agree < 0.97 {
		t.Errorf("built-in top segment agrees with the generator's top segment for %.1f%% of customers", 100*agree)
	}
	t.Logf("built-in top vs generator top: %.2f%% agreement", 100*agree)
}

func TestSampleKPIsAndCrosstab(t *testing.T) {
	ws := sampletest.Sample(t)
	ctx := context.Background()
	rows, err := KPIs(ctx, ws, ValueSegments())
	if err != nil {
		t.Fatal(err)
	}
	var avgRev, ppc float64
	if err := ws.QueryRowContext(context.Background(), `SELECT avg(monthly_revenue) FROM customers`).Scan(&avgRev); err != nil {
		t.Fatal(err)
	}
	if err := ws.QueryRowContext(context.Background(), `SELECT count(*) / 3000 FROM (SELECT DISTINCT customer_id, product_id FROM holdings WHERE end_date IS NULL)`).Scan(&ppc); err != nil {
		t.Fatal(err)
	}
	base := rows[0]
	if base.Customers != 3000 || !near(base.AvgRevenue, avgRev) || !near(base.ProductsPerCustomer, ppc) {
		t.Errorf("base KPIs %+v, want revenue %v products %v", base, avgRev, ppc)
	}
	// Value segments partition the base: shares add to 1 and the customer-weighted mean of
	// each segment's average is the base average (for every per-customer KPI).
	var share, rev, prod, cend, opt float64
	var contacts int64
	for _, r := range rows[1:] {
		share += r.Share
		rev += r.Share * r.AvgRevenue
		prod += r.Share * r.ProductsPerCustomer
		cend += r.Share * r.ContractEndShare
		opt += r.Share * r.OptOutShare
		contacts += r.Contacts
	}
	if !near(share, 1) || !near(rev, base.AvgRevenue) || !near(prod, base.ProductsPerCustomer) ||
		!near(cend, base.ContractEndShare) || !near(opt, base.OptOutShare) || contacts != base.Contacts {
		t.Errorf("value segments do not add up to the base: share %v rev %v/%v prod %v/%v", share, rev, base.AvgRevenue, prod, base.ProductsPerCustomer)
	}
	top := rows[1]
	if top.Index.AvgRevenue <= 100 || rows[3].Index.AvgRevenue >= 100 {
		t.Errorf("revenue index top %v low %v", top.Index.AvgRevenue, rows[3].Index.AvgRevenue)
	}
	t.Logf("top: revenue idx %.0f, products idx %.0f, response idx %.0f, contacts %d", top.Index.AvgRevenue,
		top.Index.ProductsPerCustomer, top.Index.ResponseRate, top.Contacts)

	x, err := Crosstab(ctx, ws, "size_class", "value_segment", "")
	if err != nil {
		t.Fatal(err)
	}
	checkRowPct(t, x)
	if x.Total != 3000 || len(x.RowLabels) != 4 || len(x.ColLabels) != 3 {
		t.Errorf("crosstab size_class × value_segment: %v × %v, total %d", x.RowLabels, x.ColLabels, x.Total)
	}
	x, err = Crosstab(ctx, ws, "sector", "employees", "region IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	checkRowPct(t, x)
	if x.Total != 3000 || len(x.ColLabels) < 2 || len(x.ColLabels) > QuantileBands+1 {
		t.Errorf("crosstab sector × employees: %v × %v, total %d", x.RowLabels, x.ColLabels, x.Total)
	}
}

// TestSampleValuesRoundTrip picks, for every column of customer_view, its most frequent
// values with Values, builds "column = value" with BuildFilter and checks the filter selects
// exactly the count Values reported.
func TestSampleValuesRoundTrip(t *testing.T) {
	ws := sampletest.Sample(t)
	ctx := context.Background()
	cols, err := Columns(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	var filters []string
	var want []int64
	for _, c := range cols {
		vals, err := Values(ctx, ws, c.Name, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			op, args := OpEq, []string{v.Value}
			if c.Kind == explore.Boolean {
				op, args = OpIsFalse, nil
				if v.Value == "true" {
					op = OpIsTrue
				}
			}
			f, err := BuildFilter(c, op, args...)
			if err != nil {
				t.Fatalf("%s %s %q: %v", c.Name, op, v.Value, err)
			}
			if err := checkFilter(ctx, ws, f); err != nil {
				t.Fatal(err)
			}
			filters = append(filters, f)
			want = append(want, v.Count)
		}
	}
	// All filters counted in one scan of the view.
	sel := make([]string, len(filters))
	got := make([]int64, len(filters))
	ptrs := make([]any, len(filters))
	for i, f := range filters {
		sel[i] = "count(*) FILTER (WHERE " + f + ")"
		ptrs[i] = &got[i]
	}
	if err := ws.QueryRowContext(ctx, "SELECT "+strings.Join(sel, ", ")+" FROM "+View).Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	if len(filters) < 60 {
		t.Errorf("only %d filters built", len(filters))
	}
	for i, f := range filters {
		if got[i] != want[i] {
			t.Errorf("%s selects %d customers, Values said %d", f, got[i], want[i])
		}
	}
}
