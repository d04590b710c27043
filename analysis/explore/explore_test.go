package explore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

// openFixture opens an in-memory workspace holding table t with n rows of known content:
//
//	id      BIGINT   0..n-1
//	grp     VARCHAR  'a' (i%10 < 5), 'b' (5..7), 'c' (8), NULL (9); row 3 is "it's"
//	x       DOUBLE   (i*37 % 101) / 4.0, NULL when i%7 = 0
//	k       INTEGER  i % 4
//	flag    BOOLEAN  i%3 = 0
//	d       DATE     2024-01-01 + (i % 30) days
//	dec     DECIMAL(10,2)  i / 8 (float division, rounded to cents)
//	tags    INTEGER[] [i, i+1]
func openFixture(t testing.TB, n int) *workspace.Workspace {
	t.Helper()
	ctx := context.Background()
	ws := sampletest.Memory(t)
	_, err := ws.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE t AS
		SELECT i AS id,
		       CASE WHEN i = 3 THEN 'it''s' WHEN i %% 10 < 5 THEN 'a' WHEN i %% 10 < 8 THEN 'b' WHEN i %% 10 = 8 THEN 'c' END AS grp,
		       CASE WHEN i %% 7 = 0 THEN NULL ELSE (i * 37 %% 101) / 4.0 END::DOUBLE AS x,
		       (i %% 4)::INTEGER AS k,
		       i %% 3 = 0 AS flag,
		       DATE '2024-01-01' + (i %% 30)::INTEGER AS d,
		       (i / 8)::DECIMAL(10,2) AS dec,
		       [i, i + 1]::INTEGER[] AS tags
		FROM range(%d) r(i)`, n))
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

type fixtureRow struct {
	id   int64
	grp  sql.NullString
	x    sql.NullFloat64
	k    int64
	flag bool
}

func loadFixture(t *testing.T, ws *workspace.Workspace) []fixtureRow {
	rows, err := ws.QueryContext(context.Background(), `SELECT id, grp, x, k, flag FROM t ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []fixtureRow
	for rows.Next() {
		var r fixtureRow
		if err := rows.Scan(&r.id, &r.grp, &r.x, &r.k, &r.flag); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

// quantileCont is the linear-interpolation quantile of sorted xs (DuckDB's quantile_cont,
// R type 7): h = (n−1)·p, x[⌊h⌋] + (h−⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]).
func quantileCont(xs []float64, p float64) float64 {
	h := float64(len(xs)-1) * p
	lo := math.Floor(h)
	if int(lo)+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[int(lo)] + (h-lo)*(xs[int(lo)+1]-xs[int(lo)])
}

func TestProfileMatchesIndependentComputation(t *testing.T) {
	const n = 1000
	ws := openFixture(t, n)
	var stages []string
	profs, err := Profile(context.Background(), ws, "T", func(p Progress) { stages = append(stages, p.Stage) })
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) != 3 {
		t.Errorf("progress stages = %v, want 3", stages)
	}
	by := map[string]ColumnProfile{}
	for _, p := range profs {
		by[p.Name] = p
	}
	if len(profs) != 8 || profs[0].Name != "id" || profs[7].Name != "tags" {
		t.Fatalf("columns = %v", profs)
	}
	data := loadFixture(t, ws)

	// x: numeric with nulls.
	var xs []float64
	grpCount := map[string]int64{}
	var grpNull int64
	for _, r := range data {
		if r.x.Valid {
			xs = append(xs, r.x.Float64)
		}
		if r.grp.Valid {
			grpCount[r.grp.String]++
		} else {
			grpNull++
		}
	}
	sort.Float64s(xs)
	var sum, ss float64
	for _, v := range xs {
		sum += v
	}
	mean := sum / float64(len(xs))
	for _, v := range xs {
		ss += (v - mean) * (v - mean)
	}
	std := math.Sqrt(ss / float64(len(xs)-1))
	distinct := map[float64]bool{}
	for _, v := range xs {
		distinct[v] = true
	}
	x := by["x"]
	if x.Kind != Numeric || x.Rows != n || x.Nulls != int64(n-len(xs)) {
		t.Errorf("x kind/rows/nulls = %s/%d/%d", x.Kind, x.Rows, x.Nulls)
	}
	if !near(x.NullPct, 100*float64(n-len(xs))/n, 1e-12) {
		t.Errorf("x NullPct = %v", x.NullPct)
	}
	if x.Distinct != int64(len(distinct)) || x.DistinctApprox {
		t.Errorf("x distinct = %d (approx %v), want %d", x.Distinct, x.DistinctApprox, len(distinct))
	}
	if x.Mean == nil || !near(*x.Mean, mean, 1e-12) || x.Std == nil || !near(*x.Std, std, 1e-9) {
		t.Errorf("x mean/std = %v/%v, want %v/%v", x.Mean, x.Std, mean, std)
	}
	if x.Min != FormatFloat(xs[0]) || x.Max != FormatFloat(xs[len(xs)-1]) {
		t.Errorf("x min/max = %s/%s", x.Min, x.Max)
	}
	if x.Quantiles == nil {
		t.Fatal("x quantiles nil")
	}
	for i, p := range QuantileLevels {
		if want := quantileCont(xs, p); !near(x.Quantiles[i], want, 1e-12) {
			t.Errorf("x q%v = %v, want %v", p, x.Quantiles[i], want)
		}
	}
	// histogram: 20 equal-width bins over [min, max], last closed.
	if len(x.Histogram) != HistogramBins || x.HistMin != xs[0] || x.HistMax != xs[len(xs)-1] {
		t.Fatalf("x histogram %v over [%v,%v]", x.Histogram, x.HistMin, x.HistMax)
	}
	want := make([]int64, HistogramBins)
	w := (x.HistMax - x.HistMin) / HistogramBins
	for _, v := range xs {
		b := int(math.Floor((v - x.HistMin) / w))
		if b >= HistogramBins {
			b = HistogramBins - 1
		}
		want[b]++
	}
	var total int64
	for i := range want {
		total += x.Histogram[i]
		if x.Histogram[i] != want[i] {
			t.Errorf("x histogram bin %d = %d, want %d", i, x.Histogram[i], want[i])
		}
	}
	if total != int64(len(xs)) {
		t.Errorf("histogram total %d, want %d", total, len(xs))
	}
	if x.TopValues != nil {
		// x has ~100 distinct values over 857 rows: not unique, so top values exist.
	} else {
		t.Errorf("x top values nil")
	}

	// grp: categorical with nulls and a quote.
	g := by["grp"]
	if g.Kind != Categorical || g.Nulls != grpNull || g.Distinct != int64(len(grpCount)) {
		t.Errorf("grp kind/nulls/distinct = %s/%d/%d", g.Kind, g.Nulls, g.Distinct)
	}
	if g.Mean != nil || g.Quantiles != nil || g.Histogram != nil {
		t.Errorf("grp has numeric stats")
	}
	type kv struct {
		v string
		n int64
	}
	var kvs []kv
	for v, c := range grpCount {
		kvs = append(kvs, kv{v, c})
	}
	sort.Slice(kvs, func(i, j int) bool {
		if kvs[i].n != kvs[j].n {
			return kvs[i].n > kvs[j].n
		}
		return kvs[i].v < kvs[j].v
	})
	if len(g.TopValues) != len(kvs) {
		t.Fatalf("grp top values %v, want %v", g.TopValues, kvs)
	}
	for i := range kvs {
		if g.TopValues[i].Value != kvs[i].v || g.TopValues[i].Count != kvs[i].n {
			t.Errorf("grp top %d = %v, want %v", i, g.TopValues[i], kvs[i])
		}
	}
	if g.Min != "a" || g.Max != "it's" {
		t.Errorf("grp min/max = %q/%q", g.Min, g.Max)
	}

	// id: unique → no top values; histogram uniform.
	id := by["id"]
	if id.TopValues != nil || id.Distinct != n {
		t.Errorf("id top values %v distinct %d", id.TopValues, id.Distinct)
	}
	for i, c := range id.Histogram {
		if c != n/HistogramBins {
			t.Errorf("id histogram bin %d = %d, want %d", i, c, n/HistogramBins)
		}
	}
	// k: 4 values, 250 each.
	k := by["k"]
	if len(k.TopValues) != 4 || k.TopValues[0].Count != n/4 || k.TopValues[0].Value != "0" {
		t.Errorf("k top values %v", k.TopValues)
	}
	// flag: boolean.
	f := by["flag"]
	if f.Kind != Boolean || f.Distinct != 2 || f.Histogram != nil || f.TopValues[0].Value != "false" || f.TopValues[0].Count != n-(n+2)/3 {
		t.Errorf("flag profile %+v", f)
	}
	// d: date min/max.
	d := by["d"]
	if d.Kind != Date || d.Min != "2024-01-01" || d.Max != "2024-01-30" || d.Distinct != 30 {
		t.Errorf("d profile %+v", d)
	}
	// dec: decimal is numeric.
	if dec := by["dec"]; dec.Kind != Numeric || dec.Mean == nil || dec.Max != "124.88" {
		t.Errorf("dec profile %+v", dec)
	}
	// tags: other kind, only nulls counted.
	if tg := by["tags"]; tg.Kind != Other || tg.Nulls != 0 || tg.TopValues != nil || tg.Min != "" {
		t.Errorf("tags profile %+v", tg)
	}
}

func TestProfileBigTablePath(t *testing.T) {
	ws := openFixture(t, 20000)
	exact, err := Profile(context.Background(), ws, "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func(e, q int64) { exactMaxRows, quantileSample = e, q }(exactMaxRows, quantileSample)
	exactMaxRows, quantileSample = 1000, 10000
	var stages int64
	approx, err := Profile(context.Background(), ws, "t", func(p Progress) { stages = p.Total })
	if err != nil {
		t.Fatal(err)
	}
	if stages != 4 {
		t.Errorf("big-table profile has %d stages, want 4", stages)
	}
	for i := range exact {
		e, a := exact[i], approx[i]
		if e.DistinctApprox || a.DistinctApprox || e.QuantilesApprox {
			t.Errorf("%s DistinctApprox %v/%v, QuantilesApprox on a small table %v", e.Name, e.DistinctApprox, a.DistinctApprox, e.QuantilesApprox)
		}
		if a.Distinct != e.Distinct {
			t.Errorf("%s approx distinct %d vs exact %d", e.Name, a.Distinct, e.Distinct)
		}
		if e.Quantiles == nil {
			continue
		}
		if !a.QuantilesApprox || a.Quantiles == nil {
			t.Fatalf("%s: sampled quantiles missing", e.Name)
		}
		// A sample quantile at p lies between the exact quantiles at p ± 0.02.
		for j, p := range QuantileLevels {
			var lo, hi float64
			q := fmt.Sprintf(`SELECT quantile_cont(%s, %v), quantile_cont(%s, %v) FROM t`, e.Name, p-0.02, e.Name, p+0.02)
			if err := ws.QueryRowContext(context.Background(), q).Scan(&lo, &hi); err != nil {
				t.Fatal(err)
			}
			if a.Quantiles[j] < lo || a.Quantiles[j] > hi {
				t.Errorf("%s q%v sampled %v outside exact [%v, %v]", e.Name, p, a.Quantiles[j], lo, hi)
			}
		}
		if *a.Mean != *e.Mean || !reflect.DeepEqual(a.Histogram, e.Histogram) {
			t.Errorf("%s: mean/histogram must stay exact", e.Name)
		}
	}
}

// TestHistogramLongTail: 1,000 values 1…1000 and five at 1,000,000. Equal-width bins over
// [1, 1e6] would hold 1,000 values in the first bin; the histogram covers [1, p99] instead
// and counts the rest as overflow.
func TestHistogramLongTail(t *testing.T) {
	ws := openFixture(t, 1)
	if _, err := ws.ExecContext(context.Background(), `CREATE TABLE tail AS SELECT i::DOUBLE AS v FROM range(1, 1001) r(i)
		UNION ALL SELECT 1e6 FROM range(5)`); err != nil {
		t.Fatal(err)
	}
	profs, err := Profile(context.Background(), ws, "tail", nil)
	if err != nil {
		t.Fatal(err)
	}
	p := profs[0]
	// p99 by R-7 interpolation over the 1,005 sorted values: h = 1004·0.99 = 993.96.
	p99 := 994 + 0.96
	if p.HistMin != 1 || math.Abs(p.HistMax-p99) > 1e-9 || p.Max != "1000000" {
		t.Fatalf("range [%v, %v], max %s; want [1, %v]", p.HistMin, p.HistMax, p.Max, p99)
	}
	// Values above p99: 995…1000 and the five outliers.
	if p.HistOverflow != 6+5 {
		t.Errorf("overflow %d, want 11", p.HistOverflow)
	}
	w := (p99 - 1) / HistogramBins
	want := make([]int64, HistogramBins)
	for v := 1.0; v <= p99; v++ {
		b := int(math.Floor((v - 1) / w))
		want[min(b, HistogramBins-1)]++
	}
	if !reflect.DeepEqual(p.Histogram, want) {
		t.Errorf("histogram %v, want %v", p.Histogram, want)
	}
	// Columns without a long tail keep [min, max]: see x in TestProfileMatchesIndependentComputation.
}

func TestProfileMissingTableAndEmptyTable(t *testing.T) {
	ws := openFixture(t, 10)
	_, err := Profile(context.Background(), ws, "nosuch", nil)
	if err == nil || !strings.Contains(err.Error(), `"nosuch"`) {
		t.Errorf("missing table error = %v", err)
	}
	if _, err := ws.ExecContext(context.Background(), `CREATE TABLE empty (a INTEGER, b VARCHAR)`); err != nil {
		t.Fatal(err)
	}
	profs, err := Profile(context.Background(), ws, "empty", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(profs) != 2 || profs[0].Rows != 0 || profs[0].NullPct != 0 || profs[0].Mean != nil || profs[0].Histogram != nil {
		t.Errorf("empty profile %+v", profs)
	}
}

func TestProfileCancelled(t *testing.T) {
	ws := openFixture(t, 10)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Profile(ctx, ws, "t", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("profile with cancelled context: %v, want context.Canceled", err)
	}
}

func TestKindOf(t *testing.T) {
	for typ, want := range map[string]Kind{
		"BIGINT": Numeric, "DECIMAL(18,3)": Numeric, "double": Numeric, "VARCHAR": Categorical,
		"ENUM('a', 'b')": Categorical, "BOOLEAN": Boolean, "DATE": Date, "TIMESTAMP WITH TIME ZONE": Date,
		"INTEGER[]": Other, "STRUCT(a INTEGER)": Other, "MAP(VARCHAR, INTEGER)": Other, "BLOB": Other,
	} {
		if got := KindOf(typ); got != want {
			t.Errorf("KindOf(%q) = %s, want %s", typ, got, want)
		}
	}
}

func TestFormatFloat(t *testing.T) {
	for x, want := range map[float64]string{
		0: "0", 1: "1", -2.5: "-2.5", 12.3456789: "12.3457", 1234567.891: "1234567.89",
		0.000123456: "0.000123456", 1e-7: "1e-07", 1e20: "1e+20", 99999.999: "100000", 0.1 + 0.2: "0.3",
		math.NaN(): "NaN",
	} {
		if got := FormatFloat(x); got != want {
			t.Errorf("FormatFloat(%v) = %q, want %q", x, got, want)
		}
	}
}

// TestExoticTypes profiles and previews a table of every awkward DuckDB type without
// errors, with values shown as text.
func TestExoticTypes(t *testing.T) {
	ws := openFixture(t, 1)
	ctx := context.Background()
	if _, err := ws.ExecContext(context.Background(), `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`); err != nil {
		t.Fatal(err)
	}
	_, err := ws.ExecContext(context.Background(), `CREATE TABLE "odd table" AS SELECT
		  i AS "select", (i * 1e20)::HUGEINT AS big, TIME '10:30:00' + INTERVAL (i) MINUTE AS t,
		  uuid() AS u, INTERVAL (i) DAY AS iv, ['sad', 'ok', 'happy'][1 + i % 3]::mood AS m,
		  '\xAA'::BLOB AS bl, TIMESTAMPTZ '2024-01-01 00:00:00+00' AS tz, {'a': i} AS st,
		  MAP {'k': i} AS mp, (i / 3)::DECIMAL(38, 4) AS d38, NULL::INTEGER AS nothing
		FROM range(50) r(i)`)
	if err != nil {
		t.Fatal(err)
	}
	profs, err := Profile(ctx, ws, "odd table", nil)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]Kind{}
	for _, p := range profs {
		kinds[p.Name] = p.Kind
		if p.Rows != 50 {
			t.Errorf("%s rows %d", p.Name, p.Rows)
		}
	}
	want := map[string]Kind{"select": Numeric, "big": Numeric, "t": Categorical, "u": Categorical, "iv": Other,
		"m": Categorical, "bl": Other, "tz": Date, "st": Other, "mp": Other, "d38": Numeric, "nothing": Numeric}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("kinds %v, want %v", kinds, want)
	}
	for _, p := range profs {
		if p.Name == "nothing" && (p.NullPct != 100 || p.Mean != nil || p.Histogram != nil || p.Min != "") {
			t.Errorf("all-NULL column profile %+v", p)
		}
		if p.Name == "m" && (p.Distinct != 3 || len(p.TopValues) != 3) {
			t.Errorf("enum profile %+v", p)
		}
	}
	page, err := Preview(ctx, ws, "odd table", PreviewOptions{Limit: 2, Offset: 1, Filter: "where m = 'ok'"})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 17 || len(page.Rows) != 2 {
		t.Fatalf("preview total %d rows %d", page.Total, len(page.Rows))
	}
	r := page.Rows[0]
	// m = 'ok' for i = 1, 4, 7 …; offset 1 → i = 4.
	if r[0] != "4" || r[1] != "400000000000000000000" || r[2] != "10:34:00" || r[4] != "4 days" || r[5] != "ok" ||
		r[8] != "{'a': 4}" || r[9] != "{k=4}" || r[10] != "1.3333" || r[11] != Null {
		t.Errorf("row %q", r)
	}
	if _, err := Preview(ctx, ws, "odd table", PreviewOptions{Filter: "happy", OrderBy: `"select" desc`}); err != nil {
		t.Errorf("text filter over exotic types: %v", err)
	}
}
