package features

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// ProductTotals holds the contact and opt-out totals of every customer of a loaded view split
// by product, read in two grouped queries, so that the totals without any one product (the
// rows of ProductTotalsSQL(id), what ForProduct loads with one query per product) are
// computed in memory: counts are the customer's totals minus the product's, the contact
// revenue is the sum over the customer's other products in product order, and the days since
// the last (outbound) contact the minimum over the other products. Scoring every product of a
// large base reads the contacts once instead of once per product.
type ProductTotals struct {
	view  *View
	frame *Frame
	names []string // the totals columns, in ProductTotalsSQL order
	types []string
	// Contact groups (customer, product; product -1 = contacts without a product) in
	// customer order: start[i] … start[i+1] are row i's groups.
	start []int32
	prod  []int32
	cnt   [][]float64 // per count column (channels, ct12_in, ct12_out, n_accepted, n_declined, n_no_response)
	rev   []float64
	days  [2][]float64 // days since the last contact, the last outbound one (NaN = none)
	// Opt-out groups, the same layout.
	ostart []int32
	oprod  []int32
	oall   []float64
	on     []float64
}

// countCols are the count columns of the totals after the per-channel ones.
var countCols = []string{"ct12_in", "ct12_out", "n_accepted", "n_declined", "n_no_response"}

// ProductTotals reads the per-product contact and opt-out totals of the customers of f (the
// loaded view, customer ids integers).
func (v *View) ProductTotals(ctx context.Context, ws *workspace.Workspace, f *Frame) (*ProductTotals, error) {
	row := make(map[int64]int32, f.Rows)
	for i, s := range f.IDs {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("features: product totals: customer id %q is not an integer", s)
		}
		row[id] = int32(i)
	}
	t := &ProductTotals{view: v, frame: f}
	for _, ch := range v.Channels {
		t.names = append(t.names, "ct12_"+Ident(ch))
	}
	t.names = append(t.names, countCols...)
	t.names = append(t.names, "contact_revenue", "days_since_contact", "days_since_outbound", "optout_all", "optout_n")
	for _, n := range t.names {
		typ := "DOUBLE"
		if c := f.Col(n); c != nil {
			typ = c.Type
		}
		t.types = append(t.types, typ)
	}
	snap := v.snapSQL()
	lit := workspace.QuoteString
	var sel []string
	for _, ch := range v.Channels {
		sel = append(sel, fmt.Sprintf("count(*) FILTER (WHERE channel = %s AND ts > %s - INTERVAL 365 DAY)", lit(ch), snap))
	}
	sel = append(sel,
		"count(*) FILTER (WHERE direction = 'inbound' AND ts > "+snap+" - INTERVAL 365 DAY)",
		"count(*) FILTER (WHERE direction = 'outbound' AND ts > "+snap+" - INTERVAL 365 DAY)",
		"count(*) FILTER (WHERE outcome = 'accepted')",
		"count(*) FILTER (WHERE outcome = 'declined')",
		"count(*) FILTER (WHERE outcome = 'no_response')",
		"sum(revenue)",
		"date_diff('day', max(ts), "+snap+")",
		"date_diff('day', max(ts) FILTER (WHERE direction = 'outbound'), "+snap+")")
	q := "SELECT customer_id, coalesce(product_id, -1), " + strings.Join(sel, ", ") +
		"\nFROM contacts WHERE ts <= " + snap + v.idWhere(" AND ") + " GROUP BY customer_id, coalesce(product_id, -1) ORDER BY customer_id, 2"
	rows, err := ws.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("features: product totals: %w", err)
	}
	nc := len(v.Channels) + len(countCols)
	t.cnt = make([][]float64, nc)
	vals := make([]sql.NullFloat64, nc+3)
	var cid int64
	var pid int32
	// Scanned into any (the driver's int64, float64 or nil) and converted here: database/sql
	// converts an int64 into a float64 destination through its decimal text.
	raw := make([]any, nc+3)
	dest := []any{&cid, &pid}
	for i := range raw {
		dest = append(dest, &raw[i])
	}
	var custRow []int32
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return nil, fmt.Errorf("features: product totals: %w", err)
		}
		for i, x := range raw {
			if vals[i], err = numberOf(x); err != nil {
				rows.Close()
				return nil, fmt.Errorf("features: product totals: %w", err)
			}
		}
		r, ok := row[cid]
		if !ok {
			continue // a contact of a customer not in the frame
		}
		if len(custRow)%65536 == 0 && ctx.Err() != nil {
			rows.Close()
			return nil, ctx.Err()
		}
		custRow = append(custRow, r)
		t.prod = append(t.prod, pid)
		for j := 0; j < nc; j++ {
			t.cnt[j] = append(t.cnt[j], vals[j].Float64)
		}
		t.rev = append(t.rev, vals[nc].Float64) // NULL revenue adds nothing
		for d := 0; d < 2; d++ {
			x := math.NaN()
			if vals[nc+1+d].Valid {
				x = vals[nc+1+d].Float64
			}
			t.days[d] = append(t.days[d], x)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("features: product totals: %w", err)
	}
	var err2 error
	if t.start, err2 = groupStarts(custRow, f.Rows); err2 != nil {
		return nil, fmt.Errorf("features: product totals: %w", err2)
	}
	rows, err = ws.QueryContext(ctx, `SELECT customer_id, coalesce(product_id, -1), max(CASE WHEN product_id IS NULL AND channel IS NULL THEN 1 ELSE 0 END), count(*)
		FROM optouts`+v.idWhere(" WHERE ")+` GROUP BY customer_id, coalesce(product_id, -1) ORDER BY customer_id, 2`)
	if err != nil {
		return nil, fmt.Errorf("features: product totals: opt-outs: %w", err)
	}
	custRow = custRow[:0]
	for rows.Next() {
		var all, n float64
		if err := rows.Scan(&cid, &pid, &all, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("features: product totals: opt-outs: %w", err)
		}
		r, ok := row[cid]
		if !ok {
			continue
		}
		custRow = append(custRow, r)
		t.oprod = append(t.oprod, pid)
		t.oall = append(t.oall, all)
		t.on = append(t.on, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("features: product totals: opt-outs: %w", err)
	}
	if t.ostart, err2 = groupStarts(custRow, f.Rows); err2 != nil {
		return nil, fmt.Errorf("features: product totals: opt-outs: %w", err2)
	}
	return t, nil
}

// numberOf is a scanned number (int64, float64 or nil for NULL) as a float.
func numberOf(v any) (sql.NullFloat64, error) {
	switch x := v.(type) {
	case int64:
		return sql.NullFloat64{Float64: float64(x), Valid: true}, nil
	case float64:
		return sql.NullFloat64{Float64: x, Valid: true}, nil
	case nil:
		return sql.NullFloat64{}, nil
	}
	var out sql.NullFloat64
	err := out.Scan(v)
	return out, err
}

// groupStarts turns the frame row of each group (non-decreasing: the groups come in customer
// order and the frame is in customer order) into start offsets per row.
func groupStarts(custRow []int32, n int) ([]int32, error) {
	start := make([]int32, n+1)
	g := 0
	for i := 0; i < n; i++ {
		start[i] = int32(g)
		for g < len(custRow) && int(custRow[g]) == i {
			g++
		}
		if g < len(custRow) && int(custRow[g]) < i {
			return nil, fmt.Errorf("groups out of customer order at row %d", i)
		}
	}
	start[n] = int32(g)
	if g != len(custRow) {
		return nil, fmt.Errorf("groups out of customer order")
	}
	return start, nil
}

// Without returns the totals without product id's contacts and opt-outs, a frame with the
// rows of the view in its order and the columns of ProductTotalsSQL(id) (for ForProductWith).
func (t *ProductTotals) Without(id int) *Frame {
	n := t.frame.Rows
	out := &Frame{IDName: t.frame.IDName, IDs: t.frame.IDs, Rows: n}
	cols := make([]*Column, len(t.names))
	for j, name := range t.names {
		cols[j] = &Column{Name: name, Type: t.types[j], Numeric: true, Num: make([]float64, n)}
	}
	nc := len(t.cnt)
	p := int32(id)
	for i := 0; i < n; i++ {
		rev, d0, d1 := 0.0, math.NaN(), math.NaN()
		for g := t.start[i]; g < t.start[i+1]; g++ {
			if t.prod[g] == p {
				continue
			}
			for j := 0; j < nc; j++ {
				cols[j].Num[i] += t.cnt[j][g]
			}
			rev += t.rev[g]
			d0 = minDays(d0, t.days[0][g])
			d1 = minDays(d1, t.days[1][g])
		}
		cols[nc].Num[i], cols[nc+1].Num[i], cols[nc+2].Num[i] = rev, d0, d1
		all, on := 0.0, 0.0
		for g := t.ostart[i]; g < t.ostart[i+1]; g++ {
			if t.oprod[g] == p {
				continue
			}
			all = math.Max(all, t.oall[g])
			on += t.on[g]
		}
		cols[nc+3].Num[i], cols[nc+4].Num[i] = all, on
	}
	out.Cols = cols
	return out
}

// minDays is the smaller of two day counts, NaN meaning none.
func minDays(a, b float64) float64 {
	switch {
	case math.IsNaN(a):
		return b
	case math.IsNaN(b):
		return a
	}
	return math.Min(a, b)
}
