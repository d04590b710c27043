package segment

import (
	"context"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/explore"
)

func checkRowPct(t *testing.T, x CrossTable) {
	t.Helper()
	var total int64
	for i, row := range x.RowPct {
		var s float64
		var n int64
		for j, p := range row {
			s += p
			n += x.Counts[i][j]
		}
		if math.Abs(s-100) > 1e-9 {
			t.Errorf("row %s %% sums to %v", x.RowLabels[i], s)
		}
		if n != x.RowTotals[i] {
			t.Errorf("row %s counts sum to %d, total says %d", x.RowLabels[i], n, x.RowTotals[i])
		}
		total += n
	}
	var ct int64
	for _, n := range x.ColTotals {
		ct += n
	}
	if total != x.Total || ct != x.Total {
		t.Errorf("totals: rows %d cols %d total %d", total, ct, x.Total)
	}
}

func TestCrosstabCategorical(t *testing.T) {
	ws := openHandFixture(t)
	x, err := Crosstab(context.Background(), ws, "sector", "size_class", "")
	if err != nil {
		t.Fatal(err)
	}
	checkRowPct(t, x)
	if !reflect.DeepEqual(x.RowLabels, []string{"retail", "finance", "o'hare"}) || !reflect.DeepEqual(x.ColLabels, []string{"large", "small"}) {
		t.Fatalf("labels %v × %v", x.RowLabels, x.ColLabels)
	}
	want := [][]int64{{0, 4}, {2, 1}, {3, 0}}
	if !reflect.DeepEqual(x.Counts, want) || x.Total != 10 {
		t.Errorf("counts %v, want %v", x.Counts, want)
	}
	if math.Abs(x.RowPct[1][0]-200.0/3) > 1e-9 {
		t.Errorf("finance large %% = %v", x.RowPct[1][0])
	}

	// Filter, boolean and NULL labels.
	x, err = Crosstab(context.Background(), ws, "contract_end_months", "opted_out", "sector = 'retail'")
	if err != nil {
		t.Fatal(err)
	}
	checkRowPct(t, x)
	if !reflect.DeepEqual(x.RowLabels, []string{"2", "3", explore.Null}) || !reflect.DeepEqual(x.ColLabels, []string{"false", "true"}) {
		t.Fatalf("labels %v × %v", x.RowLabels, x.ColLabels)
	}
	if want := [][]int64{{1, 1}, {1, 0}, {1, 0}}; !reflect.DeepEqual(x.Counts, want) {
		t.Errorf("counts %v, want %v", x.Counts, want)
	}
}

func TestCrosstabNumericBandsAndOther(t *testing.T) {
	ws := openHandFixture(t)
	ctx := context.Background()
	// 90 more customers: 100 distinct revenues and 20 sectors.
	_, err := ws.ExecContext(context.Background(), `INSERT INTO customers (customer_id, name, sector, size_class, monthly_revenue, mobile_subs)
		SELECT i, 'c' || i, 's' || lpad((i % 20)::VARCHAR, 2, '0'), 'micro', 100.0 * i, i % 3 FROM range(11, 101) r(i)`)
	if err != nil {
		t.Fatal(err)
	}
	x, err := Crosstab(ctx, ws, "monthly_revenue", "sector", "")
	if err != nil {
		t.Fatal(err)
	}
	checkRowPct(t, x)
	if x.Total != 100 || len(x.RowLabels) != QuantileBands {
		t.Fatalf("bands %v total %d", x.RowLabels, x.Total)
	}
	if !strings.HasPrefix(x.RowLabels[0], "≤ ") || !strings.HasPrefix(x.RowLabels[3], "> ") || !strings.Contains(x.RowLabels[1], "–") {
		t.Errorf("band labels %v", x.RowLabels)
	}
	// Each band holds the customers between its cuts, counted independently.
	var cuts []any
	var raw any
	if err := ws.QueryRowContext(context.Background(), `SELECT quantile_disc(monthly_revenue, [0.25, 0.5, 0.75]) FROM customer_view`).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	cuts = raw.([]any)
	bounds := []float64{math.Inf(-1), cuts[0].(float64), cuts[1].(float64), cuts[2].(float64), math.Inf(1)}
	for b := 0; b < 4; b++ {
		var n int64
		if err := ws.QueryRowContext(context.Background(), `SELECT count(*) FROM customer_view WHERE monthly_revenue > ? AND monthly_revenue <= ?`,
			math.Max(bounds[b], -1e300), math.Min(bounds[b+1], 1e300)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if x.RowTotals[b] != n {
			t.Errorf("band %s holds %d, want %d", x.RowLabels[b], x.RowTotals[b], n)
		}
	}
	// 23 sectors: 11 most frequent + other.
	if len(x.ColLabels) != MaxCategories || x.ColLabels[MaxCategories-1] != OtherLabel {
		t.Errorf("sector labels %v", x.ColLabels)
	}
	// Small-cardinality numeric stays as values, ascending.
	x, err = Crosstab(ctx, ws, "mobile_subs", "value_segment", "customer_id > 10")
	if err != nil {
		t.Fatal(err)
	}
	checkRowPct(t, x)
	if !reflect.DeepEqual(x.RowLabels, []string{"0", "1", "2"}) || x.Total != 90 {
		t.Errorf("mobile_subs labels %v total %d", x.RowLabels, x.Total)
	}
}

func TestCrosstabErrors(t *testing.T) {
	ws := openHandFixture(t)
	ctx := context.Background()
	for _, tc := range []struct{ r, c, f, want string }{
		{"nosuch", "sector", "", `no column "nosuch"`},
		{"sector", "nosuch2", "", `no column "nosuch2"`},
		{"sector", "size_class", "monthly_revenue < 0", "selects no customers"},
		{"sector", "size_class", "sector = ", "syntax error"},
	} {
		_, err := Crosstab(ctx, ws, tc.r, tc.c, tc.f)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Crosstab(%s, %s, %q) = %v, want %q", tc.r, tc.c, tc.f, err, tc.want)
		}
	}
}
