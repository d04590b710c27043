package services

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Built-in value segments by monthly revenue (before any model): top = highest 10 %,
// middle = next 40 %, low = the rest. Ranks break ties by customer_id so the shares are exact.
const valueRank = `customer_id IN (SELECT customer_id FROM (SELECT customer_id,
 row_number() OVER (ORDER BY monthly_revenue DESC NULLS LAST, customer_id) AS rn, count(*) OVER () AS n
 FROM customers) WHERE %s)`

// BuiltInSegments are always listed: the whole base and the three value segments.
func BuiltInSegments() []Segment {
	return []Segment{
		{Name: "all customers", Filter: "true", Description: "the whole base", BuiltIn: true},
		{Name: "value: top", Filter: fmt.Sprintf(valueRank, "rn <= 0.1 * n"), Description: "highest 10 % by monthly revenue", BuiltIn: true},
		{Name: "value: middle", Filter: fmt.Sprintf(valueRank, "rn > 0.1 * n AND rn <= 0.5 * n"), Description: "next 40 % by monthly revenue", BuiltIn: true},
		{Name: "value: low", Filter: fmt.Sprintf(valueRank, "rn > 0.5 * n"), Description: "lowest 50 % by monthly revenue", BuiltIn: true},
	}
}

// Segments lists the built-in segments followed by the saved ones (by name).
func (w *Workspace) Segments(ctx context.Context) ([]Segment, error) {
	out := BuiltInSegments()
	rows, err := w.db().QueryContext(ctx, `SELECT name, filter_sql, coalesce(description, '') FROM acrm_segments ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("segments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s Segment
		if err := rows.Scan(&s.Name, &s.Filter, &s.Description); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ValidateSegment checks the name and that the filter is a valid boolean over the customer
// table, and returns how many customers it selects.
func (w *Workspace) ValidateSegment(ctx context.Context, seg Segment) (int64, error) {
	if strings.TrimSpace(seg.Name) == "" {
		return 0, errors.New("segment: name is empty")
	}
	if strings.TrimSpace(seg.Filter) == "" {
		return 0, fmt.Errorf("segment %q: filter is empty", seg.Name)
	}
	if strings.Contains(seg.Filter, ";") {
		return 0, fmt.Errorf("segment %q: filter must be one SQL expression (found ';')", seg.Name)
	}
	var n int64
	err := w.db().QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE (%s)", workspace.QuoteIdent(w.CustomerTable), seg.Filter)).Scan(&n)
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, fmt.Errorf("segment %q: invalid filter %q: %w", seg.Name, seg.Filter, err)
	}
	return n, nil
}

// SaveSegment validates and stores (or replaces) a segment.
func (w *Workspace) SaveSegment(ctx context.Context, seg Segment) error {
	for _, b := range BuiltInSegments() {
		if strings.EqualFold(b.Name, seg.Name) {
			return fmt.Errorf("segment %q: name is taken by a built-in segment", seg.Name)
		}
	}
	if _, err := w.ValidateSegment(ctx, seg); err != nil {
		return err
	}
	_, err := w.db().ExecContext(ctx, `INSERT OR REPLACE INTO acrm_segments VALUES (?, ?, ?, now()::TIMESTAMP)`,
		seg.Name, seg.Filter, seg.Description)
	if err != nil {
		return fmt.Errorf("segment %q: save: %w", seg.Name, err)
	}
	return nil
}

// DeleteSegment removes a saved segment.
func (w *Workspace) DeleteSegment(ctx context.Context, name string) error {
	res, err := w.db().ExecContext(ctx, `DELETE FROM acrm_segments WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("segment %q: delete: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("segment %q: not a saved segment", name)
	}
	return nil
}

// KPIs computes, for the base and each segment S (customers c ∈ S):
//
//	customers            |S|
//	share                |S| / |base|
//	avg revenue          mean of monthly_revenue over S
//	products/customer    open holdings (end_date NULL) of S / |S|
//	response rate        accepted / outbound contacts with an outcome, over S's contacts
//	contract-end share   share of S with contract_end_months ≤ 3
//	opt-out share        share of S with at least one opt-out
//
// The index against the base is 100 · KPI(S) / KPI(base).
func (w *Workspace) KPIs(ctx context.Context, segs []Segment) (KPIs, []KPIs, error) {
	base, err := w.kpis(ctx, Segment{Name: "all customers", Filter: "true"})
	if err != nil {
		return KPIs{}, nil, err
	}
	out := make([]KPIs, 0, len(segs))
	for _, s := range segs {
		if err := ctx.Err(); err != nil {
			return KPIs{}, nil, err
		}
		k, err := w.kpis(ctx, s)
		if err != nil {
			return KPIs{}, nil, err
		}
		if base.Customers > 0 {
			k.Share = float64(k.Customers) / float64(base.Customers)
		}
		out = append(out, k)
	}
	base.Share = 1
	return base, out, nil
}

func (w *Workspace) kpis(ctx context.Context, s Segment) (KPIs, error) {
	ct := workspace.QuoteIdent(w.CustomerTable)
	has := func(t string) bool { ok, _ := w.WS.HasTable(ctx, t); return ok }
	prod, resp, optout := "NULL", "NULL", "NULL"
	if has("holdings") {
		prod = `(SELECT count(*) FROM holdings h WHERE h.end_date IS NULL AND h.customer_id IN (SELECT customer_id FROM seg))::DOUBLE / nullif((SELECT count(*) FROM seg), 0)`
	}
	if has("contacts") {
		resp = `(SELECT avg(CASE WHEN outcome = 'accepted' THEN 1.0 ELSE 0.0 END) FROM contacts k
			WHERE k.direction = 'outbound' AND k.outcome IS NOT NULL AND k.customer_id IN (SELECT customer_id FROM seg))`
	}
	if has("optouts") {
		optout = `(SELECT count(DISTINCT o.customer_id) FROM optouts o WHERE o.customer_id IN (SELECT customer_id FROM seg))::DOUBLE / nullif((SELECT count(*) FROM seg), 0)`
	}
	q := fmt.Sprintf(`WITH seg AS (SELECT * FROM %s WHERE (%s))
		SELECT (SELECT count(*) FROM seg), (SELECT avg(monthly_revenue) FROM seg), %s, %s,
		       (SELECT avg(CASE WHEN contract_end_months <= 3 THEN 1.0 ELSE 0.0 END) FROM seg), %s`,
		ct, s.Filter, prod, resp, optout)
	var n int64
	var rev, ppc, rr, ce, oo sql.NullFloat64
	if err := w.db().QueryRowContext(ctx, q).Scan(&n, &rev, &ppc, &rr, &ce, &oo); err != nil {
		if ctx.Err() != nil {
			return KPIs{}, ctx.Err()
		}
		return KPIs{}, fmt.Errorf("segment %q: KPIs: %w", s.Name, err)
	}
	f := func(v sql.NullFloat64) float64 {
		if !v.Valid {
			return math.NaN()
		}
		return v.Float64
	}
	return KPIs{Segment: s.Name, Customers: n, AvgRevenue: f(rev), ProductsPerCustomer: f(ppc),
		ResponseRate: f(rr), ContractEndShare: f(ce), OptOutShare: f(oo)}, nil
}

// Crosstab counts customers matching filter by rowAttr × colAttr (NULL shown as "NULL").
func (w *Workspace) Crosstab(ctx context.Context, rowAttr, colAttr, filter string) (*Crosstab, error) {
	if filter == "" {
		filter = "true"
	}
	q := fmt.Sprintf(`SELECT coalesce(CAST(%s AS VARCHAR), 'NULL') AS r, coalesce(CAST(%s AS VARCHAR), 'NULL') AS c, count(*)
		FROM %s WHERE (%s) GROUP BY ALL ORDER BY r, c`,
		workspace.QuoteIdent(rowAttr), workspace.QuoteIdent(colAttr), workspace.QuoteIdent(w.CustomerTable), filter)
	rows, err := w.db().QueryContext(ctx, q)
	if err != nil {
		return nil, queryError(ctx, fmt.Errorf("crosstab %s × %s: %w", rowAttr, colAttr, err))
	}
	defer rows.Close()
	ct := &Crosstab{RowAttr: rowAttr, ColAttr: colAttr}
	ri, ci := map[string]int{}, map[string]int{}
	type cell struct {
		r, c string
		n    int64
	}
	var cells []cell
	for rows.Next() {
		var c cell
		if err := rows.Scan(&c.r, &c.c, &c.n); err != nil {
			return nil, err
		}
		if _, ok := ri[c.r]; !ok {
			ri[c.r] = len(ct.Rows)
			ct.Rows = append(ct.Rows, c.r)
		}
		if _, ok := ci[c.c]; !ok {
			ci[c.c] = -1
		}
		cells = append(cells, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, c := range cells {
		if ci[c.c] < 0 {
			ci[c.c] = len(ct.Cols)
			ct.Cols = append(ct.Cols, c.c)
		}
	}
	// Columns in sorted order for a stable layout.
	sortStrings(ct.Cols)
	for i, c := range ct.Cols {
		ci[c] = i
	}
	ct.Counts = make([][]int64, len(ct.Rows))
	for i := range ct.Counts {
		ct.Counts[i] = make([]int64, len(ct.Cols))
	}
	for _, c := range cells {
		ct.Counts[ri[c.r]][ci[c.c]] += c.n
	}
	return ct, nil
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// CustomerColumns lists the customer table's columns.
func (w *Workspace) CustomerColumns(ctx context.Context) ([]Column, error) {
	rows, err := w.db().QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position`, w.CustomerTable)
	if err != nil {
		return nil, fmt.Errorf("segments: columns: %w", err)
	}
	defer rows.Close()
	var out []Column
	for rows.Next() {
		var c Column
		if err := rows.Scan(&c.Name, &c.Type); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 && rows.Err() == nil {
		return nil, fmt.Errorf("segments: the workspace has no %s table (run acrm sample or acrm import)", w.CustomerTable)
	}
	return out, rows.Err()
}

// ColumnValues returns up to limit values of a customer column: the most frequent ones for
// text columns, evenly spaced quantiles for numeric ones.
func (w *Workspace) ColumnValues(ctx context.Context, column string, limit int) ([]string, error) {
	qc := workspace.QuoteIdent(column)
	ct := workspace.QuoteIdent(w.CustomerTable)
	var typ string
	if err := w.db().QueryRowContext(ctx, `SELECT data_type FROM information_schema.columns
		WHERE table_schema = 'main' AND table_name = ? AND column_name = ?`, w.CustomerTable, column).Scan(&typ); err != nil {
		return nil, fmt.Errorf("segments: column %s: %w", column, err)
	}
	var q string
	if isNumericType(typ) {
		q = fmt.Sprintf(`SELECT DISTINCT v FROM (SELECT unnest(quantile_disc(%s, [%s])) AS v FROM %s) ORDER BY v`,
			qc, quantileList(limit), ct)
	} else {
		q = fmt.Sprintf(`SELECT CAST(%s AS VARCHAR) AS v FROM %s WHERE %s IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, v LIMIT %d`,
			qc, ct, qc, limit)
	}
	rows, err := w.db().QueryContext(ctx, q)
	if err != nil {
		return nil, queryError(ctx, fmt.Errorf("segments: values of %s: %w", column, err))
	}
	_, _, out, _, err := scanStrings(ctx, rows, -1)
	if err != nil {
		return nil, err
	}
	vals := make([]string, 0, len(out))
	for _, r := range out {
		if r[0] != "NULL" {
			vals = append(vals, r[0])
		}
	}
	return vals, nil
}

func quantileList(n int) string {
	if n < 2 {
		n = 2
	}
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf("%.4f", float64(i)/float64(n-1))
	}
	return strings.Join(parts, ", ")
}
