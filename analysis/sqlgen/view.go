package sqlgen

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Column is a source column with its DuckDB type (as DESCRIBE gives it).
type Column struct {
	Name, Type string
}

// ViewSpec is what the feature view is built from: the workspace's products, families,
// channels and event kinds, the snapshot, and the customers table's columns.
type ViewSpec struct {
	View      *features.View
	Customers []Column // every column of customers except name
}

// LoadViewSpec reads the view's shape from the workspace (features.CustomerView and the
// customers table's columns).
func LoadViewSpec(ctx context.Context, ws *workspace.Workspace) (*ViewSpec, error) {
	v, err := features.CustomerView(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("sqlgen: %w", err)
	}
	cols, err := Describe(ctx, ws, "customers")
	if err != nil {
		return nil, err
	}
	s := &ViewSpec{View: v}
	for _, c := range cols {
		if !strings.EqualFold(c.Name, "name") {
			s.Customers = append(s.Customers, c)
		}
	}
	return s, nil
}

// Describe returns the columns of a table or SELECT of the workspace.
func Describe(ctx context.Context, ws *workspace.Workspace, source string) ([]Column, error) {
	from := workspace.QuoteIdent(source)
	if strings.ContainsAny(strings.TrimSpace(source), " \t\n(") {
		if err := workspace.CheckQuery(source); err != nil {
			return nil, fmt.Errorf("sqlgen: source %s: %w", source, err)
		}
		from = "(" + source + ")"
	}
	rows, err := ws.QueryContext(ctx, "DESCRIBE SELECT * FROM "+from+" AS src")
	if err != nil {
		return nil, fmt.Errorf("sqlgen: describe %s: %w", source, err)
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []Column
	for rows.Next() {
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, Column{Name: fmt.Sprint(vals[0]), Type: strings.ToUpper(fmt.Sprint(vals[1]))})
	}
	return out, rows.Err()
}

// Columns returns the view's columns with their types: the customers' own, then the counts
// and recencies (all numbers), without product exclude's own columns when exclude > 0.
func (s *ViewSpec) Columns(exclude int) []Column {
	out := append([]Column(nil), s.Customers...)
	num := func(n string) { out = append(out, Column{Name: n, Type: "DOUBLE"}) }
	v := s.View
	for _, p := range v.Products {
		if p.ID != exclude {
			num(features.OwnCol(p.ID))
		}
	}
	for _, f := range v.Families {
		num(features.FamilyCol(f))
	}
	num("n_products")
	for _, ch := range v.Channels {
		num("ct12_" + features.Ident(ch))
	}
	for _, n := range []string{"ct12_in", "ct12_out", "n_accepted", "n_declined", "n_no_response"} {
		num(n)
	}
	for _, p := range v.Products {
		if p.ID != exclude {
			num(features.AcceptedCol(p.ID))
			num(features.DeclinedCol(p.ID))
		}
	}
	for _, n := range []string{"contact_revenue", "days_since_contact", "days_since_outbound", "optout_all", "optout_n"} {
		num(n)
	}
	for _, k := range v.EventKinds {
		num("ev_" + features.Ident(k) + "_n")
		num("ev_" + features.Ident(k) + "_days")
	}
	return out
}

// SQL returns the per-customer feature view in dialect d: the SELECT of
// features.CustomerView (one row per customer, id customer_id), or with exclude > 0 the frame
// a model of product exclude sees (features.View.ForProduct): the product's own columns
// left out, its holding out of its family count and n_products, and the contact and opt-out
// totals without its contacts and opt-outs.
func (s *ViewSpec) SQL(d *Dialect, exclude int) string {
	v := s.View
	q := d.Ident
	snap := d.Timestamp(v.Snapshot)
	year := d.Timestamp(v.Snapshot.Add(-365 * 24 * time.Hour))
	var cols []string
	for _, c := range s.Customers {
		cols = append(cols, "c."+q(c.Name))
	}
	if d.Name == "clickhouse" {
		cols = cols[:0]
		for _, c := range s.Customers {
			cols = append(cols, q(c.Name))
		}
	}
	z := func(n string) string { return "coalesce(" + q(n) + ", 0) AS " + q(n) }
	notP := ""
	if exclude > 0 {
		notP = fmt.Sprintf(" AND (product_id IS NULL OR product_id <> %d)", exclude)
	}
	// holdings at the snapshot
	hold := []string{q("customer_id")}
	if exclude > 0 {
		hold = append(hold, d.CountDistinctIf("product_id", fmt.Sprintf("product_id <> %d", exclude))+" AS n_products")
	} else {
		hold = append(hold, "count(DISTINCT product_id) AS n_products")
	}
	for _, p := range v.Products {
		if p.ID == exclude {
			continue
		}
		hold = append(hold, fmt.Sprintf("max(CASE WHEN product_id = %d THEN 1 ELSE 0 END) AS %s", p.ID, features.OwnCol(p.ID)))
		cols = append(cols, z(features.OwnCol(p.ID)))
	}
	for _, f := range v.Families {
		var ids []string
		for _, p := range v.Products {
			if p.Family == f && p.ID != exclude {
				ids = append(ids, "coalesce("+features.OwnCol(p.ID)+", 0)")
			}
		}
		if len(ids) == 0 {
			ids = []string{"0"}
		}
		cols = append(cols, "("+strings.Join(ids, " + ")+") AS "+q(features.FamilyCol(f)))
	}
	cols = append(cols, z("n_products"))
	subs := []string{"SELECT " + strings.Join(hold, ", ") + " FROM " + q("holdings") +
		" WHERE start_date <= " + snap + " AND (end_date IS NULL OR end_date > " + snap + ") GROUP BY customer_id"}
	// contacts up to the snapshot (without the product's)
	cont := []string{q("customer_id"),
		d.CountIf("direction = 'inbound' AND ts > "+year) + " AS ct12_in",
		d.CountIf("direction = 'outbound' AND ts > "+year) + " AS ct12_out",
		d.CountIf("outcome = 'accepted'") + " AS n_accepted",
		d.CountIf("outcome = 'declined'") + " AS n_declined",
		d.CountIf("outcome = 'no_response'") + " AS n_no_response",
		"sum(revenue) AS contact_revenue",
		d.Nullable(d.DayDiff("max(ts)", snap)) + " AS days_since_contact",
		d.DayDiff(d.MaxIf("ts", "direction = 'outbound'"), snap) + " AS days_since_outbound"}
	for _, ch := range v.Channels {
		n := q("ct12_" + features.Ident(ch))
		cont = append(cont, d.CountIf("channel = "+d.String(ch)+" AND ts > "+year)+" AS "+n)
		cols = append(cols, "coalesce("+n+", 0) AS "+n)
	}
	for _, c := range []string{"ct12_in", "ct12_out", "n_accepted", "n_declined", "n_no_response"} {
		cols = append(cols, z(c))
	}
	for _, p := range v.Products {
		if p.ID == exclude {
			continue
		}
		cont = append(cont,
			d.CountIf(fmt.Sprintf("product_id = %d AND outcome = 'accepted'", p.ID))+" AS "+features.AcceptedCol(p.ID),
			d.CountIf(fmt.Sprintf("product_id = %d AND outcome = 'declined'", p.ID))+" AS "+features.DeclinedCol(p.ID))
		cols = append(cols, z(features.AcceptedCol(p.ID)), z(features.DeclinedCol(p.ID)))
	}
	cols = append(cols, z("contact_revenue"), q("days_since_contact"), q("days_since_outbound"), z("optout_all"), z("optout_n"))
	subs = append(subs, "SELECT "+strings.Join(cont, ",\n  ")+"\n  FROM "+q("contacts")+" WHERE ts <= "+snap+notP+" GROUP BY customer_id")
	owhere := ""
	if exclude > 0 {
		owhere = fmt.Sprintf(" WHERE product_id IS NULL OR product_id <> %d", exclude)
	}
	subs = append(subs, "SELECT "+q("customer_id")+", max(CASE WHEN product_id IS NULL AND channel IS NULL THEN 1 ELSE 0 END) AS optout_all, count(*) AS optout_n FROM "+
		q("optouts")+owhere+" GROUP BY customer_id")
	if len(v.EventKinds) > 0 {
		ev := []string{q("customer_id")}
		for _, k := range v.EventKinds {
			n, dn := q("ev_"+features.Ident(k)+"_n"), q("ev_"+features.Ident(k)+"_days")
			ev = append(ev, d.CountIf("kind = "+d.String(k))+" AS "+n,
				d.DayDiff(d.MaxIf("ts", "kind = "+d.String(k)), snap)+" AS "+dn)
			cols = append(cols, "coalesce("+n+", 0) AS "+n, dn)
		}
		subs = append(subs, "SELECT "+strings.Join(ev, ", ")+" FROM "+q("events")+" WHERE ts <= "+snap+" GROUP BY customer_id")
	}
	return d.Join(q("customers"), subs, "customer_id", cols)
}
