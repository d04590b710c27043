package sim

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// This file reads the contact history of one segment into freqRows: two aggregations in
// SQL (offers by contacts in the last 12 months, and offers per period with the randomized
// cell each customer was in), scanned and merged into per-customer arrays. The bootstrap,
// the curve fits and the what-if work on freqRows only.

// cellMonths is the period the randomized cells are assigned for (docs/DATAMART.md: a half
// year); only at this period length are they joined as randomized levels.
const cellMonths = 6

type rowsMeta struct {
	randomized bool
	maxCell    int
	periods    int
}

// historyShape is what the two aggregations need to know of the contact history.
type historyShape struct {
	first, last int64 // first and last month of contacts, as year*12 + month
	months      int   // the period length
	has         map[string]bool
	meta        rowsMeta
}

// periodOf is the SQL expression of the period (0 = the latest) a timestamp column falls in.
func (h historyShape) periodOf(col string) string {
	return fmt.Sprintf("((%d - (year(%s)*12 + month(%s))) // %d)", h.last, col, col, h.months)
}

// cellsJoined reports whether the randomized cells are joined as levels: only for the
// half-year period they were assigned for (LoadFrequency sets Frequency.PeriodNote otherwise).
func (h historyShape) cellsJoined() bool {
	return h.has["campaigns"] && h.has["campaign_members"] && h.months == cellMonths
}

type binRow struct {
	id         int64
	s, n       int
	c, a, r, o float64
}

type perRow struct {
	id      int64
	k, kind int
	a, r, o float64
}

func loadRows(ctx context.Context, ws *workspace.Workspace, segSQL string, info SegmentInfo, months int) (*freqRows, rowsMeta, error) {
	// One connection for the whole aggregation, so the segment's customer ids are computed
	// once into a temporary table (connection-local, never written to the workspace file).
	db, err := ws.Conn(ctx)
	if err != nil {
		return nil, rowsMeta{}, fmt.Errorf("sim: %w", err)
	}
	defer db.Close()
	const segTable = "acrm_sim_segment"
	if _, err := db.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE "+segTable+" AS "+segSQL); err != nil {
		return nil, rowsMeta{}, fmt.Errorf("sim: segment %q: %w", info.Name, err)
	}
	defer db.ExecContext(context.Background(), "DROP TABLE IF EXISTS temp."+segTable)
	segSQL = "SELECT customer_id FROM temp." + segTable

	h, err := readHistoryShape(ctx, ws, db, segSQL, months)
	if err != nil {
		return nil, h.meta, err
	}
	bins, err := scanBins(ctx, db, binQuery(h, segSQL))
	if err != nil {
		return nil, h.meta, err
	}
	if len(bins) == 0 {
		what := "outbound offers"
		if h.meta.randomized {
			what = "offers from the frequency test"
		}
		return nil, h.meta, fmt.Errorf("sim: segment %q (%d customers) has no %s in the history", info.Name, info.Customers, what)
	}
	pers, err := scanPeriods(ctx, db, periodQuery(h, segSQL), months)
	if err != nil {
		return nil, h.meta, err
	}
	return mergeRows(bins, pers), h.meta, nil
}

// readHistoryShape reads the span of the contact history, which optional tables exist, and
// whether the segment has customers in the randomized frequency cells.
func readHistoryShape(ctx context.Context, ws *workspace.Workspace, db *sql.Conn, segSQL string, months int) (historyShape, error) {
	h := historyShape{months: months, has: map[string]bool{}}
	for _, t := range []string{"campaigns", "campaign_members", "optouts"} {
		ok, err := ws.HasTable(ctx, t)
		if err != nil {
			return h, fmt.Errorf("sim: %w", err)
		}
		h.has[t] = ok
	}
	var offers int64
	err := db.QueryRowContext(ctx, `SELECT coalesce(min(year(ts)*12 + month(ts)), 0), coalesce(max(year(ts)*12 + month(ts)), 0),
		count(*) FILTER (WHERE direction = 'outbound' AND product_id IS NOT NULL) FROM contacts`).Scan(&h.first, &h.last, &offers)
	if err != nil {
		return h, fmt.Errorf("sim: read contact history: %w", err)
	}
	if offers == 0 {
		return h, fmt.Errorf("sim: the contact history has no outbound offers (contacts with direction 'outbound' and a product): nothing to measure frequency on")
	}
	h.meta.periods = int((h.last - h.first + 1) / int64(months))
	if h.meta.periods == 0 {
		return h, fmt.Errorf("sim: the contact history spans %d months, shorter than one %s period", h.last-h.first+1, PeriodName(months))
	}
	if h.has["campaigns"] && h.has["campaign_members"] {
		var nCells int64
		err := db.QueryRowContext(ctx, `SELECT count(*), coalesce(max(TRY_CAST(substr(m.cell, 6) AS INTEGER)), 0)
			FROM campaign_members m JOIN campaigns c USING (campaign_id)
			WHERE c.selection = 'frequency' AND m.cell LIKE 'freq-%' AND m.customer_id IN (`+segSQL+`)`).Scan(&nCells, &h.meta.maxCell)
		if err != nil {
			return h, fmt.Errorf("sim: read frequency cells: %w", err)
		}
		h.meta.randomized = nCells > 0
	}
	return h, nil
}

// binQuery aggregates offers by customer, prior contact level s and contacts in 12 months n.
// In randomized cells, s = offers in the 12-month window that are not from the cell itself
// (n − j, j the offer's rank within its cell): the prior contact level, which a targeting
// model may have chosen; the cell's own offers are assigned at random.
func binQuery(h historyShape, segSQL string) string {
	rndFilter, stratum := "true", "0"
	if h.meta.randomized {
		rndFilter = "c.campaign_id IN (SELECT campaign_id FROM campaigns WHERE selection = 'frequency')"
		stratum = fmt.Sprintf("least(greatest(o.n - o.j, 0), %d)", sMax)
	}
	optJoin, optCol := "", "0"
	if h.has["optouts"] {
		optJoin = `LEFT JOIN (SELECT customer_id, since, count(*) AS k FROM optouts GROUP BY ALL) oo
			ON oo.customer_id = o.customer_id AND oo.since = CAST(o.ts AS DATE)`
		optCol = "CASE WHEN oo.k > 0 THEN 1 ELSE 0 END"
	}
	return fmt.Sprintf(`WITH seg AS (%s),
		off AS (
			SELECT c.customer_id, c.ts, (c.outcome = 'accepted')::INTEGER AS acc, coalesce(c.revenue, 0) AS revenue, %s AS rnd,
			       count(*) OVER (PARTITION BY c.customer_id ORDER BY c.ts
			                      RANGE BETWEEN INTERVAL '364 days 23:59:59.999999' PRECEDING AND CURRENT ROW) AS n,
			       row_number() OVER (PARTITION BY c.customer_id, c.campaign_id ORDER BY c.ts) AS j
			FROM contacts c SEMI JOIN seg ON seg.customer_id = c.customer_id
			WHERE c.direction = 'outbound' AND c.product_id IS NOT NULL)
		SELECT o.customer_id, %s AS s, least(o.n, %d) AS n, count(*), sum(o.acc), sum(o.revenue), sum(%s)
		FROM off o %s
		WHERE o.rnd
		GROUP BY ALL ORDER BY 1, 2, 3`, segSQL, rndFilter, stratum, maxN, optCol, optJoin)
}

// periodQuery aggregates offers per customer and period, with the randomized cell or
// hold-out the customer was in that period. The cells are half-year cells: a freq-k customer
// gets k offers over six months, which is no assigned level per quarter (the split over the
// two quarters follows the spacing) nor per year (the other half year is another draw, or
// business as usual), so they are joined only for half-year periods.
func periodQuery(h historyShape, segSQL string) string {
	cellCol, holdCol, cellsCTE, cellsJoin, cellKeys := "NULL::INTEGER", "false", "", "", ""
	if h.cellsJoined() {
		cellsCTE = fmt.Sprintf(`, cells AS (
			SELECT m.customer_id, %s AS p,
			       max(CASE WHEN cp.selection = 'frequency' THEN TRY_CAST(substr(m.cell, 6) AS INTEGER) END) AS kcell,
			       bool_or(cp.selection = 'control') AS holdout
			FROM campaign_members m JOIN campaigns cp USING (campaign_id) SEMI JOIN seg ON seg.customer_id = m.customer_id
			WHERE cp.selection IN ('frequency', 'control')
			GROUP BY ALL)`, h.periodOf("cp.start_date"))
		cellsJoin = "LEFT JOIN cells USING (customer_id, p)"
		cellCol, holdCol = "cells.kcell", "coalesce(cells.holdout, false)"
		cellKeys = " UNION SELECT customer_id, p FROM cells"
	}
	optCTE, optJoin, optCol, optKeys := "", "", "0", ""
	if h.has["optouts"] {
		optCTE = fmt.Sprintf(`, opt AS (
			SELECT o.customer_id, %s AS p, count(*) AS n FROM optouts o SEMI JOIN seg ON seg.customer_id = o.customer_id GROUP BY ALL)`, h.periodOf("o.since"))
		optJoin = "LEFT JOIN opt USING (customer_id, p)"
		optCol = "coalesce(opt.n, 0)"
		optKeys = " UNION SELECT customer_id, p FROM opt"
	}
	return fmt.Sprintf(`WITH seg AS (%s),
		pc AS (
			SELECT c.customer_id, %s AS p, count(*) AS k, sum((c.outcome = 'accepted')::INTEGER) AS acc, sum(coalesce(c.revenue, 0)) AS rev
			FROM contacts c SEMI JOIN seg ON seg.customer_id = c.customer_id
			WHERE c.direction = 'outbound' AND c.product_id IS NOT NULL
			GROUP BY ALL)%s%s,
		keys AS (SELECT customer_id, p FROM pc%s%s)
		SELECT keys.customer_id, coalesce(pc.k, 0), %s, %s, coalesce(pc.acc, 0), coalesce(pc.rev, 0), %s
		FROM keys LEFT JOIN pc USING (customer_id, p) %s %s
		WHERE keys.p >= 0 AND keys.p < %d
		ORDER BY 1`, segSQL, h.periodOf("c.ts"), cellsCTE, optCTE, cellKeys, optKeys, cellCol, holdCol, optCol, cellsJoin, optJoin, h.meta.periods)
}

// scanRows reads every row of query with scan, checking ctx every 65,536 rows.
func scanRows[T any](ctx context.Context, db *sql.Conn, query, what string, scan func(*sql.Rows) (T, error)) ([]T, error) {
	rs, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("sim: %s: %w", what, err)
	}
	defer rs.Close()
	var out []T
	for rs.Next() {
		v, err := scan(rs)
		if err != nil {
			return nil, fmt.Errorf("sim: %s: %w", what, err)
		}
		out = append(out, v)
		if len(out)%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("sim: %s: %w", what, err)
	}
	return out, nil
}

func scanBins(ctx context.Context, db *sql.Conn, query string) ([]binRow, error) {
	return scanRows(ctx, db, query, "aggregate offers by contacts in 12 months", func(rs *sql.Rows) (binRow, error) {
		var b binRow
		err := rs.Scan(&b.id, &b.s, &b.n, &b.c, &b.a, &b.r, &b.o)
		return b, err
	})
}

func scanPeriods(ctx context.Context, db *sql.Conn, query string, months int) ([]perRow, error) {
	return scanRows(ctx, db, query, "aggregate offers per "+PeriodName(months), func(rs *sql.Rows) (perRow, error) {
		var p perRow
		var cell *int64
		var hold bool
		if err := rs.Scan(&p.id, &p.k, &cell, &hold, &p.a, &p.r, &p.o); err != nil {
			return p, err
		}
		switch {
		case cell != nil:
			p.kind, p.k = kindCell, int(*cell)
		case hold:
			p.kind, p.k = kindHoldout, 0
		}
		p.k = min(max(p.k, 0), kMax)
		return p, nil
	})
}

// mergeRows merges both customer-ordered lists into CSR arrays over the union of customers.
func mergeRows(bins []binRow, pers []perRow) *freqRows {
	d := &freqRows{cOff: []int32{0}, pOff: []int32{0}}
	i, j := 0, 0
	for i < len(bins) || j < len(pers) {
		var id int64
		switch {
		case i >= len(bins):
			id = pers[j].id
		case j >= len(pers):
			id = bins[i].id
		default:
			id = min(bins[i].id, pers[j].id)
		}
		for ; i < len(bins) && bins[i].id == id; i++ {
			b := bins[i]
			d.bS = append(d.bS, uint8(b.s))
			d.bN = append(d.bN, uint8(b.n))
			d.bContacts = append(d.bContacts, b.c)
			d.bAccepts = append(d.bAccepts, b.a)
			d.bRevenue = append(d.bRevenue, b.r)
			d.bOptouts = append(d.bOptouts, b.o)
		}
		for ; j < len(pers) && pers[j].id == id; j++ {
			p := pers[j]
			d.pK = append(d.pK, uint8(p.k))
			d.pKind = append(d.pKind, uint8(p.kind))
			d.pAccepts = append(d.pAccepts, p.a)
			d.pRevenue = append(d.pRevenue, p.r)
			d.pOptouts = append(d.pOptouts, p.o)
		}
		d.cOff = append(d.cOff, int32(len(d.bN)))
		d.pOff = append(d.pOff, int32(len(d.pK)))
		d.customers++
	}
	return d
}
