package segment

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/acrm-dev/acrm/analysis/explore"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// MaxCategories is the largest number of labels a crosstab axis gets from a categorical
// column: its MaxCategories−1 most frequent values and "other", when it has more.
const MaxCategories = 12

// QuantileBands is the number of bands (quartiles) a numeric column with more than
// MaxCategories distinct values is cut into on a crosstab axis.
const QuantileBands = 4

// OtherLabel labels the values of a categorical axis beyond its most frequent ones.
const OtherLabel = "other"

// CrossTable counts customers of customer_view by two attributes.
//
// RowPct[i][j] = 100 · Counts[i][j] / RowTotals[i], so every row sums to 100. Labels: values
// as text for booleans, categoricals (most frequent first) and numerics with few distinct
// values (ascending); years for dates; for other numerics, quantile bands of the filtered
// customers labelled "≤ a", "a–b" (meaning a < x ≤ b) and "> c"; NULL is explore.Null (∅),
// last. Rows and columns without customers are left out.
type CrossTable struct {
	RowCol, ColCol       string
	Filter               string
	RowLabels, ColLabels []string
	Counts               [][]int64
	RowPct               [][]float64
	RowTotals, ColTotals []int64
	Total                int64
}

// Crosstab counts the customers of customer_view matching filter ("" for all) by rowCol
// and colCol; see CrossTable for the labels. The view is evaluated once: the two columns of
// the matching customers are copied into a temporary table on one connection, which the
// label and count queries then read. Unknown columns, an invalid filter or a filter that
// selects nobody are errors naming them.
func Crosstab(ctx context.Context, ws *workspace.Workspace, rowCol, colCol, filter string) (_ CrossTable, err error) {
	defer func() { err = workspace.Cancelled(ctx, "segment", err) }()
	rc, err := lookupColumn(ctx, ws, rowCol)
	if err != nil {
		return CrossTable{}, fmt.Errorf("segment: crosstab rows: %w", err)
	}
	cc, err := lookupColumn(ctx, ws, colCol)
	if err != nil {
		return CrossTable{}, fmt.Errorf("segment: crosstab columns: %w", err)
	}
	where := ""
	if strings.TrimSpace(filter) != "" {
		if err := checkFilter(ctx, ws, filter); err != nil {
			return CrossTable{}, err
		}
		where = " WHERE (\n" + strings.TrimSpace(filter) + "\n)"
	}
	conn, err := ws.Conn(ctx)
	if err != nil {
		return CrossTable{}, fmt.Errorf("segment: crosstab: %w", err)
	}
	defer conn.Close()
	tmp := fmt.Sprintf("acrm_crosstab_%d", crosstabSeq.Add(1))
	_, err = conn.ExecContext(ctx, fmt.Sprintf("CREATE TEMP TABLE %s AS SELECT %s AS r, %s AS c FROM %s%s",
		tmp, workspace.QuoteIdent(rc.Name), workspace.QuoteIdent(cc.Name), View, where))
	if err != nil {
		if where != "" {
			return CrossTable{}, fmt.Errorf("segment: filter %q is not valid: %w", filter, err)
		}
		return CrossTable{}, fmt.Errorf("segment: crosstab %s × %s: %w", rc.Name, cc.Name, err)
	}
	defer conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS temp."+tmp) // best effort: the table is temporary anyway
	var n int64
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM temp."+tmp).Scan(&n); err != nil {
		return CrossTable{}, fmt.Errorf("segment: crosstab: %w", err)
	}
	if n == 0 {
		if where != "" {
			return CrossTable{}, fmt.Errorf("segment: crosstab: filter %q selects no customers", filter)
		}
		return CrossTable{}, fmt.Errorf("segment: crosstab: %s is empty", View)
	}
	src := axisSource{q: conn, table: "temp." + tmp}
	rb, err := axis(ctx, src, rc, "r")
	if err != nil {
		return CrossTable{}, err
	}
	cb, err := axis(ctx, src, cc, "c")
	if err != nil {
		return CrossTable{}, err
	}
	counts := make([][]int64, len(rb.labels))
	for i := range counts {
		counts[i] = make([]int64, len(cb.labels))
	}
	rows, err := conn.QueryContext(ctx, fmt.Sprintf("SELECT %s AS rk, %s AS ck, count(*) FROM %s GROUP BY ALL", rb.expr, cb.expr, src.table))
	if err != nil {
		return CrossTable{}, fmt.Errorf("segment: crosstab %s × %s: %w", rc.Name, cc.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r, c int
		var k int64
		if err := rows.Scan(&r, &c, &k); err != nil {
			return CrossTable{}, fmt.Errorf("segment: crosstab %s × %s: %w", rc.Name, cc.Name, err)
		}
		if r < 0 {
			r = len(rb.labels) - 1
		}
		if c < 0 {
			c = len(cb.labels) - 1
		}
		counts[r][c] += k
	}
	if err := rows.Err(); err != nil {
		return CrossTable{}, fmt.Errorf("segment: crosstab %s × %s: %w", rc.Name, cc.Name, err)
	}
	return buildCrossTable(rc.Name, cc.Name, filter, rb.labels, cb.labels, counts), nil
}

var crosstabSeq atomic.Int64

// querier is what the axis queries need of a *sql.Conn.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// axisSource is the table an axis is computed over.
type axisSource struct {
	q     querier
	table string
}

// buildCrossTable drops empty rows and columns and computes totals and row percentages.
func buildCrossTable(rowCol, colCol, filter string, rowLabels, colLabels []string, counts [][]int64) CrossTable {
	rt := make([]int64, len(rowLabels))
	ct := make([]int64, len(colLabels))
	for i := range counts {
		for j, n := range counts[i] {
			rt[i] += n
			ct[j] += n
		}
	}
	x := CrossTable{RowCol: rowCol, ColCol: colCol, Filter: filter}
	var keepCols []int
	for j, n := range ct {
		if n > 0 {
			keepCols = append(keepCols, j)
			x.ColLabels = append(x.ColLabels, colLabels[j])
			x.ColTotals = append(x.ColTotals, n)
		}
	}
	for i, n := range rt {
		if n == 0 {
			continue
		}
		x.RowLabels = append(x.RowLabels, rowLabels[i])
		x.RowTotals = append(x.RowTotals, n)
		cr := make([]int64, len(keepCols))
		pr := make([]float64, len(keepCols))
		for k, j := range keepCols {
			cr[k] = counts[i][j]
			pr[k] = 100 * float64(counts[i][j]) / float64(n)
		}
		x.Counts = append(x.Counts, cr)
		x.RowPct = append(x.RowPct, pr)
		x.Total += n
	}
	return x
}

// bucket is one crosstab axis: a SQL expression giving each row a label index (−1 for
// NULL) and the labels, the last being explore.Null.
type bucket struct {
	expr   string
	labels []string
}

// axis builds the bucket of column id of src, whose values are those of col.
func axis(ctx context.Context, src axisSource, col ColumnInfo, id string) (bucket, error) {
	fail := func(err error) (bucket, error) {
		return bucket{}, fmt.Errorf("segment: crosstab axis %s: %w", col.Name, err)
	}
	switch col.Kind {
	case explore.Boolean:
		return bucket{
			expr:   "CASE WHEN " + id + " IS NULL THEN -1 WHEN " + id + " THEN 1 ELSE 0 END",
			labels: []string{"false", "true", explore.Null},
		}, nil
	case explore.Date:
		var lo, hi *int64
		if err := src.q.QueryRowContext(ctx, "SELECT min(year("+id+")), max(year("+id+")) FROM "+src.table).Scan(&lo, &hi); err != nil {
			return fail(err)
		}
		b := bucket{expr: "coalesce(year(" + id + ") - " + strconv.FormatInt(deref(lo), 10) + ", -1)"}
		if lo != nil {
			for y := *lo; y <= *hi; y++ {
				b.labels = append(b.labels, strconv.FormatInt(y, 10))
			}
		}
		b.labels = append(b.labels, explore.Null)
		return b, nil
	case explore.Numeric:
		var distinct int64
		if err := src.q.QueryRowContext(ctx, "SELECT count(DISTINCT "+id+") FROM "+src.table).Scan(&distinct); err != nil {
			return fail(err)
		}
		if distinct > MaxCategories {
			return numericBands(ctx, src, col, id)
		}
		vals, err := axisValues(ctx, src, id, "v")
		if err != nil {
			return fail(err)
		}
		return caseBucket(id, vals, false), nil
	}
	vals, err := axisValues(ctx, src, id, "n DESC, v")
	if err != nil {
		return fail(err)
	}
	other := false
	if len(vals) > MaxCategories {
		vals, other = vals[:MaxCategories-1], true
	}
	return caseBucket(id, vals, other), nil
}

// axisValues lists the distinct non-null values of a column as SQL literals and labels, in
// the given order (at most MaxCategories+1 of them).
func axisValues(ctx context.Context, src axisSource, id, order string) ([][2]string, error) {
	rows, err := src.q.QueryContext(ctx, fmt.Sprintf("SELECT %s AS v, count(*) AS n FROM %s WHERE %s IS NOT NULL GROUP BY 1 ORDER BY %s LIMIT %d",
		id, src.table, id, order, MaxCategories+1))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var v any
		var n int64
		if err := rows.Scan(&v, &n); err != nil {
			return nil, err
		}
		var lit string
		switch x := v.(type) {
		case string:
			lit = workspace.QuoteString(x)
		case float64:
			lit = strconv.FormatFloat(x, 'g', -1, 64)
		case float32:
			lit = strconv.FormatFloat(float64(x), 'g', -1, 32)
		default:
			lit = workspace.QuoteString(explore.FormatValue(v))
			if _, isNum := toNumber(v); isNum {
				lit = explore.FormatValue(v)
			}
		}
		out = append(out, [2]string{lit, explore.FormatValue(v)})
	}
	return out, rows.Err()
}

func toNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case int16:
		return float64(x), true
	case int8:
		return float64(x), true
	case uint64:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint8:
		return float64(x), true
	}
	return 0, false
}

func caseBucket(id string, vals [][2]string, other bool) bucket {
	var b strings.Builder
	b.WriteString("CASE WHEN " + id + " IS NULL THEN -1")
	labels := make([]string, 0, len(vals)+2)
	for i, v := range vals {
		fmt.Fprintf(&b, " WHEN %s = %s THEN %d", id, v[0], i)
		labels = append(labels, v[1])
	}
	if other {
		labels = append(labels, OtherLabel)
	}
	fmt.Fprintf(&b, " ELSE %d END", len(labels)-1)
	if !other {
		// every non-null value is listed; ELSE is unreachable but must be a valid index.
		if len(labels) == 0 {
			b.Reset()
			b.WriteString("-1")
		}
	}
	labels = append(labels, explore.Null)
	return bucket{expr: b.String(), labels: labels}
}

// numericBands cuts a numeric column at its quartiles (quantile_disc, so breakpoints are
// data values) over the filtered customers: band k holds b[k−1] < x ≤ b[k].
func numericBands(ctx context.Context, src axisSource, col ColumnInfo, id string) (bucket, error) {
	levels := make([]string, QuantileBands-1)
	for i := range levels {
		levels[i] = strconv.FormatFloat(float64(i+1)/QuantileBands, 'g', -1, 64)
	}
	var raw any
	if err := src.q.QueryRowContext(ctx, "SELECT quantile_disc("+id+"::DOUBLE, ["+strings.Join(levels, ", ")+"]) FROM "+src.table).Scan(&raw); err != nil {
		return bucket{}, fmt.Errorf("segment: crosstab axis %s: %w", col.Name, err)
	}
	list, _ := raw.([]any)
	var cuts []float64
	for _, v := range list {
		f, ok := v.(float64)
		if !ok {
			continue
		}
		if len(cuts) == 0 || f > cuts[len(cuts)-1] {
			cuts = append(cuts, f)
		}
	}
	sort.Float64s(cuts)
	var b strings.Builder
	b.WriteString("CASE WHEN " + id + " IS NULL THEN -1")
	var labels []string
	for i, c := range cuts {
		lit := strconv.FormatFloat(c, 'g', -1, 64)
		fmt.Fprintf(&b, " WHEN %s <= %s THEN %d", id, lit, i)
		if i == 0 {
			labels = append(labels, "≤ "+explore.FormatFloat(c))
		} else {
			labels = append(labels, explore.FormatFloat(cuts[i-1])+"–"+explore.FormatFloat(c))
		}
	}
	fmt.Fprintf(&b, " ELSE %d END", len(cuts))
	if len(cuts) > 0 {
		labels = append(labels, "> "+explore.FormatFloat(cuts[len(cuts)-1]))
	} else {
		labels = append(labels, "all")
	}
	labels = append(labels, explore.Null)
	return bucket{expr: b.String(), labels: labels}, nil
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
