package explore

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestPreviewPagesConcatenateToTable(t *testing.T) {
	const n = 237
	ws := openFixture(t, n)
	ctx := context.Background()
	var all [][]string
	for off := 0; ; off += 50 {
		p, err := Preview(ctx, ws, "t", PreviewOptions{Offset: off, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != n {
			t.Fatalf("total = %d, want %d", p.Total, n)
		}
		if len(p.Columns) != 8 || p.Columns[0] != "id" || p.Types[2] != "DOUBLE" {
			t.Fatalf("columns %v types %v", p.Columns, p.Types)
		}
		if len(p.Rows) == 0 {
			break
		}
		all = append(all, p.Rows...)
	}
	if len(all) != n {
		t.Fatalf("pages hold %d rows, want %d", len(all), n)
	}
	for i, r := range all {
		if r[0] != fmt.Sprint(i) {
			t.Fatalf("row %d has id %s: pages overlap or skip", i, r[0])
		}
		// x is NULL when id % 7 == 0 → shown as Null.
		if (i%7 == 0) != (r[2] == Null) {
			t.Errorf("row %d x = %q", i, r[2])
		}
	}
	// Formatting: a known row.
	r := all[10]
	want := []string{"10", "a", FormatFloat(float64(10*37%101) / 4), "2", "false", "2024-01-11", "1.25", "[10, 11]"}
	for j := range want {
		if r[j] != want[j] {
			t.Errorf("row 10 col %s = %q, want %q", all[0][j], r[j], want[j])
		}
	}
}

func TestPreviewFilters(t *testing.T) {
	const n = 300
	ws := openFixture(t, n)
	ctx := context.Background()
	count := func(where string) int64 {
		var c int64
		if err := ws.QueryRowContext(context.Background(), "SELECT count(*) FROM t WHERE "+where).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		filter string
		where  string // independent SQL for the same rows
	}{
		{"where k = 2 and flag", "k = 2 AND flag"},
		{"WHERE grp IS NULL", "grp IS NULL"},
		{"IT'S", "id::VARCHAR LIKE '%it''s%' OR grp = 'it''s'"},
		{"2024-01-3", "d >= DATE '2024-01-30' OR id::VARCHAR LIKE '%2024-01-3%'"},
		{"  where x > 20 -- a comment", "x > 20"},
	} {
		p, err := Preview(ctx, ws, "t", PreviewOptions{Filter: tc.filter, Limit: 1000})
		if err != nil {
			t.Fatalf("%q: %v", tc.filter, err)
		}
		want := count(tc.where)
		if p.Total != want || int64(len(p.Rows)) != want {
			t.Errorf("filter %q: total %d, %d rows, want %d", tc.filter, p.Total, len(p.Rows), want)
		}
	}
	// SkipCount: same rows, Total -1.
	p0, err := Preview(ctx, ws, "t", PreviewOptions{Filter: "where k = 2", Limit: 7, Offset: 3})
	if err != nil {
		t.Fatal(err)
	}
	p1, err := Preview(ctx, ws, "t", PreviewOptions{Filter: "where k = 2", Limit: 7, Offset: 3, SkipCount: true})
	if err != nil {
		t.Fatal(err)
	}
	if p1.Total != -1 || p0.Total != count("k = 2") || !reflect.DeepEqual(p0.Rows, p1.Rows) || len(p1.Rows) != 7 {
		t.Errorf("SkipCount: totals %d/%d, rows equal %v", p0.Total, p1.Total, reflect.DeepEqual(p0.Rows, p1.Rows))
	}
	// Plain text matching every column's text, case-insensitive: "TRUE" matches flag.
	p, err := Preview(ctx, ws, "t", PreviewOptions{Filter: "TRUE", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != count("flag") || len(p.Rows) != 1 {
		t.Errorf("text filter TRUE: total %d rows %d, want %d", p.Total, len(p.Rows), count("flag"))
	}
}

func TestPreviewOrderBy(t *testing.T) {
	ws := openFixture(t, 100)
	ctx := context.Background()
	p, err := Preview(ctx, ws, "t", PreviewOptions{OrderBy: "x desc", Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	var maxX float64
	if err := ws.QueryRowContext(context.Background(), "SELECT max(x) FROM t").Scan(&maxX); err != nil {
		t.Fatal(err)
	}
	if p.Rows[0][2] != FormatFloat(maxX) {
		t.Errorf("first row x = %s, want max %v", p.Rows[0][2], maxX)
	}
	p, err = Preview(ctx, ws, "t", PreviewOptions{OrderBy: "X", Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if p.Rows[len(p.Rows)-1][2] != Null {
		t.Errorf("NULLs not last: %v", p.Rows[len(p.Rows)-1])
	}
}

func TestPreviewErrors(t *testing.T) {
	ws := openFixture(t, 10)
	ctx := context.Background()
	for _, tc := range []struct {
		table string
		opt   PreviewOptions
		want  string
	}{
		{"nosuch", PreviewOptions{}, `"nosuch" does not exist`},
		{"t", PreviewOptions{Filter: "where nosuchcol = 1"}, `filter "where nosuchcol = 1"`},
		{"t", PreviewOptions{Filter: "where 1=1; DROP TABLE t"}, "it holds a statement that is not a SELECT"},
		{"t", PreviewOptions{Filter: "where (k = 1"}, "syntax error"},
		{"t", PreviewOptions{Filter: "where k = 1) OR (true"}, "syntax error"},
		{"t", PreviewOptions{OrderBy: "nosuch desc"}, `order by "nosuch desc": no such column`},
		{"t", PreviewOptions{Offset: -1}, "negative offset"},
	} {
		_, err := Preview(ctx, ws, tc.table, tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Preview(%s, %+v) error = %v, want it to contain %q", tc.table, tc.opt, err, tc.want)
		}
	}
	// Nothing changed.
	var n int
	if err := ws.QueryRowContext(context.Background(), "SELECT count(*) FROM t").Scan(&n); err != nil || n != 10 {
		t.Errorf("table t changed: %d rows, %v", n, err)
	}
}

func TestCheckExpression(t *testing.T) {
	ok := []string{"a = 'x;y'", `"we;ird" > 1`, "a = 'it''s'", "f(a, (b))", "a > 1 -- c;\n", "a /* ; */ > 1"}
	bad := []string{"a; b", "a = 'x", "(a", "a)", "a /* x", `"a`}
	for _, e := range ok {
		if err := CheckExpression(e); err != nil {
			t.Errorf("CheckExpression(%q) = %v, want nil", e, err)
		}
	}
	for _, e := range bad {
		if err := CheckExpression(e); err == nil {
			t.Errorf("CheckExpression(%q) = nil, want error", e)
		}
	}
}

// TestPreviewCancelInterruptsQuery cancels a text search over a 200,000,000-row view (many
// seconds of work) shortly after it starts: Preview must return the cancellation instead of
// finishing the scan.
func TestPreviewCancelInterruptsQuery(t *testing.T) {
	ws := openFixture(t, 1)
	if _, err := ws.ExecContext(context.Background(), `CREATE VIEW huge AS SELECT range AS id, 'row ' || range AS label FROM range(200000000)`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Preview(ctx, ws, "huge", PreviewOptions{Filter: "no such text"})
		done <- err
	}()
	time.Sleep(50 * time.Millisecond) // let the query start
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled preview returned %v, want context.Canceled", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("preview ignored cancellation")
	}
}
