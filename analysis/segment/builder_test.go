package segment

import (
	"context"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/explore"
)

func TestBuildFilterText(t *testing.T) {
	num := ColumnInfo{Name: "mobile_subs", Type: "INTEGER", Kind: explore.Numeric}
	txt := ColumnInfo{Name: "sector", Type: "VARCHAR", Kind: explore.Categorical}
	odd := ColumnInfo{Name: `we"ird col`, Type: "VARCHAR", Kind: explore.Categorical}
	day := ColumnInfo{Name: "since", Type: "DATE", Kind: explore.Date}
	flag := ColumnInfo{Name: "opted_out", Type: "BOOLEAN", Kind: explore.Boolean}
	for _, tc := range []struct {
		col  ColumnInfo
		op   string
		vals []string
		want string
	}{
		{num, OpGe, []string{" 5 "}, `"mobile_subs" >= 5`},
		{num, OpLt, []string{"2.50"}, `"mobile_subs" < 2.5`},
		{num, OpBetween, []string{"1", "1e3"}, `"mobile_subs" BETWEEN 1 AND 1000`},
		{num, OpIsNull, nil, `"mobile_subs" IS NULL`},
		{txt, OpEq, []string{"o'hare"}, `"sector" = 'o''hare'`},
		{txt, OpIn, []string{"a", "b'); DROP TABLE customers; --"}, `"sector" IN ('a', 'b''); DROP TABLE customers; --')`},
		{txt, OpNotIn, []string{"x"}, `"sector" NOT IN ('x')`},
		{txt, OpContains, []string{"%_"}, `contains("sector", '%_')`},
		{txt, OpStartsWith, []string{"re"}, `starts_with("sector", 're')`},
		{odd, OpNe, []string{"v"}, `"we""ird col" != 'v'`},
		{day, OpGe, []string{"2024-02-01"}, `"since" >= DATE '2024-02-01'`},
		{day, OpLt, []string{"2024-02-01 13:45:00"}, `"since" < TIMESTAMP '2024-02-01 13:45:00'`},
		{day, OpGt, []string{"2024-02-01 13:45:00.25"}, `"since" > TIMESTAMP '2024-02-01 13:45:00.25'`},
		{flag, OpIsTrue, nil, `"opted_out" IS TRUE`},
		{flag, OpIsNotNull, nil, `"opted_out" IS NOT NULL`},
	} {
		got, err := BuildFilter(tc.col, tc.op, tc.vals...)
		if err != nil {
			t.Errorf("BuildFilter(%s %s %q): %v", tc.col.Name, tc.op, tc.vals, err)
			continue
		}
		if got != tc.want {
			t.Errorf("BuildFilter(%s %s %q) = %s, want %s", tc.col.Name, tc.op, tc.vals, got, tc.want)
		}
		if err := explore.CheckExpression(got); err != nil {
			t.Errorf("built filter %s fails CheckExpression: %v", got, err)
		}
	}
	for _, tc := range []struct {
		col  ColumnInfo
		op   string
		vals []string
		want string
	}{
		{num, OpEq, []string{"5; DROP TABLE customers"}, "is not a number"},
		{num, OpEq, []string{"NaN"}, "is not a number"},
		{num, OpContains, []string{"5"}, `operator "contains" does not apply`},
		{num, OpBetween, []string{"1"}, "takes 2 value(s), got 1"},
		{txt, OpIn, nil, "at least one value"},
		{txt, OpEq, []string{"a", "b"}, "takes 1 value(s), got 2"},
		{day, OpEq, []string{"yesterday"}, "is not YYYY-MM-DD"},
		{flag, OpEq, []string{"true"}, `operator "=" does not apply`},
		{ColumnInfo{Kind: explore.Numeric}, OpEq, []string{"1"}, "no column chosen"},
	} {
		_, err := BuildFilter(tc.col, tc.op, tc.vals...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("BuildFilter(%s %s %q) error = %v, want %q", tc.col.Name, tc.op, tc.vals, err, tc.want)
		}
	}
}

// TestBuildFilterRuns runs built filters on the hand fixture and checks the customers they
// select, including hostile values that must stay values.
func TestBuildFilterRuns(t *testing.T) {
	ws := openHandFixture(t)
	ctx := context.Background()
	cols, err := Columns(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) ColumnInfo {
		for _, c := range cols {
			if c.Name == name {
				return c
			}
		}
		t.Fatalf("no column %s", name)
		return ColumnInfo{}
	}
	for _, tc := range []struct {
		col  string
		op   string
		vals []string
		want int64
	}{
		{"sector", OpEq, []string{"o'hare"}, 3},
		{"sector", OpIn, []string{"retail", "o'hare"}, 7},
		{"sector", OpIn, []string{"retail') OR ('1'='1"}, 0},
		{"sector", OpStartsWith, []string{"o'"}, 3},
		{"monthly_revenue", OpBetween, []string{"200", "400"}, 3},
		{"contract_end_months", OpIsNull, nil, 1},
		{"contract_end", OpIsTrue, nil, 3},
		{"opted_out", OpIsFalse, nil, 8},
		{"value_segment", OpNe, []string{"low"}, 5},
		{"nps", OpGe, []string{"5"}, 3},
	} {
		f, err := BuildFilter(col(tc.col), tc.op, tc.vals...)
		if err != nil {
			t.Fatal(err)
		}
		n, err := Validate(ctx, ws, f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if n != tc.want {
			t.Errorf("%s selects %d customers, want %d", f, n, tc.want)
		}
	}
	var n int
	if err := ws.QueryRowContext(context.Background(), "SELECT count(*) FROM customers").Scan(&n); err != nil || n != 10 {
		t.Errorf("customers changed: %d %v", n, err)
	}
}
