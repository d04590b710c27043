package segment

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// BaseName is the name of the KPI row for the whole customer base.
const BaseName = "all customers"

// KPIValues are the KPIs of one group of customers.
type KPIValues struct {
	// AvgRevenue is the mean monthly_revenue.
	AvgRevenue float64
	// ProductsPerCustomer is the mean products_held.
	ProductsPerCustomer float64
	// ResponseRate is Σ acceptances / Σ contacts_out over the group: accepted offers per
	// outbound contact in the whole contact history (0 when the group has no contacts).
	ResponseRate float64
	// ContractEndShare is the share of customers with contract_end (contract ends within
	// 3 months).
	ContractEndShare float64
	// OptOutShare is the share of customers with at least one opt-out.
	OptOutShare float64
}

// KPIRow is one row of the KPI table: a segment (or the base, first), its size and KPIs, and
// each KPI as an index against the base.
//
// Index.X = 100 · X(segment) / X(base), so 100 is the base average and 150 means half as much
// again. When the base value is 0 the index is 100 if the segment's value is 0 too (a subset
// of a base without, say, opt-outs has none either).
type KPIRow struct {
	Segment   string
	Filter    string // "" for the base
	Customers int64
	// Share is Customers / base customers (0..1).
	Share float64
	// Contacts is Σ contacts_out, the denominator of ResponseRate.
	Contacts int64
	KPIValues
	Index KPIValues
}

// KPIs computes the KPI table: the base (all of customer_view) first, then one row per
// segment in the order given, all in one scan of the view. Each filter is
// checked first; an invalid filter is an error naming the segment, and so is a segment that
// selects no customers (its averages would be undefined).
func KPIs(ctx context.Context, ws *workspace.Workspace, segs []Segment) (_ []KPIRow, err error) {
	defer func() { err = workspace.Cancelled(ctx, "segment", err) }()
	if err := EnsureCustomerView(ctx, ws); err != nil {
		return nil, err
	}
	for _, s := range segs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := checkFilter(ctx, ws, s.Filter); err != nil {
			return nil, fmt.Errorf("segment: KPIs of %q: %w", s.Name, err)
		}
	}
	groups := append([]Segment{{Name: BaseName, Filter: "true"}}, segs...)
	// Each customer is expanded to the indices of the groups it belongs to (unnest of a
	// list of CASE WHEN filter THEN i), and one GROUP BY computes every group's sums: ~30 %
	// less CPU than one FILTER clause per aggregate and group.
	ids := make([]string, len(groups))
	for i, g := range groups {
		ids[i] = fmt.Sprintf("CASE WHEN coalesce((\n%s\n), false) THEN %d END", strings.TrimSpace(g.Filter), i)
	}
	query := `SELECT g, count(*), coalesce(sum(contacts_out), 0)::BIGINT, coalesce(sum(acceptances), 0)::BIGINT,
		avg(monthly_revenue)::DOUBLE, avg(products_held)::DOUBLE, avg(contract_end::INTEGER)::DOUBLE, avg(opted_out::INTEGER)::DOUBLE
		FROM (SELECT unnest([` + strings.Join(ids, ",\n") + `]) AS g,
		             contacts_out, acceptances, monthly_revenue, products_held, contract_end, opted_out
		      FROM ` + View + `)
		WHERE g IS NOT NULL GROUP BY g`
	type raw struct {
		n, contacts, acc               int64
		rev, prod, contractEnd, optOut sql.NullFloat64
	}
	raws := make([]raw, len(groups))
	err = func() error {
		rows, err := ws.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var g int
			var r raw
			if err := rows.Scan(&g, &r.n, &r.contacts, &r.acc, &r.rev, &r.prod, &r.contractEnd, &r.optOut); err != nil {
				return err
			}
			if g < 0 || g >= len(raws) {
				return fmt.Errorf("unexpected group %d", g)
			}
			raws[g] = r
		}
		return rows.Err()
	}()
	if err != nil {
		if ctx.Err() == nil {
			// A filter that binds but fails on the data (a cast): name the segment.
			for _, s := range segs {
				if _, verr := Validate(ctx, ws, s.Filter); verr != nil {
					return nil, fmt.Errorf("segment: KPIs of %q: %w", s.Name, verr)
				}
			}
		}
		return nil, fmt.Errorf("segment: KPIs: %w", err)
	}
	if raws[0].n == 0 {
		return nil, fmt.Errorf("segment: KPIs: %s is empty (the workspace has no customers)", View)
	}
	rows := make([]KPIRow, len(groups))
	for i, g := range groups {
		r := raws[i]
		if r.n == 0 {
			return nil, fmt.Errorf("segment: KPIs: segment %q (%s) selects no customers", g.Name, g.Filter)
		}
		row := KPIRow{Segment: g.Name, Filter: g.Filter, Customers: r.n, Contacts: r.contacts}
		if i == 0 {
			row.Filter = ""
		}
		row.Share = float64(r.n) / float64(raws[0].n)
		row.AvgRevenue = r.rev.Float64
		row.ProductsPerCustomer = r.prod.Float64
		row.ContractEndShare = r.contractEnd.Float64
		row.OptOutShare = r.optOut.Float64
		if r.contacts > 0 {
			row.ResponseRate = float64(r.acc) / float64(r.contacts)
		}
		rows[i] = row
	}
	base := rows[0].KPIValues
	for i := range rows {
		v := rows[i].KPIValues
		rows[i].Index = KPIValues{
			AvgRevenue:          index(v.AvgRevenue, base.AvgRevenue),
			ProductsPerCustomer: index(v.ProductsPerCustomer, base.ProductsPerCustomer),
			ResponseRate:        index(v.ResponseRate, base.ResponseRate),
			ContractEndShare:    index(v.ContractEndShare, base.ContractEndShare),
			OptOutShare:         index(v.OptOutShare, base.OptOutShare),
		}
	}
	return rows, nil
}

// index is 100·v/base, or 100 when base is 0 (see KPIRow).
func index(v, base float64) float64 {
	if base == 0 {
		if v == 0 {
			return 100
		}
		// Not reachable for non-negative KPIs of a subset; keep it finite anyway.
		return 0
	}
	return 100 * v / base
}
