package features

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/acrm-dev/acrm/analysis/datamart"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Product is a row of the products table, as the feature view needs it.
// Product is a product the view has columns for (the datamart's typed row).
type Product = datamart.Product

// View describes the per-customer feature view: which products, families, channels and
// event kinds it has columns for, and the snapshot date the recency features count from.
type View struct {
	Products   []Product
	Families   []string
	Channels   []string
	EventKinds []string
	Snapshot   time.Time
	SQL        string
	// idLo … idHi (inclusive) restrict every table the view reads to those customers when
	// ranged (Between): the filter sits below the view's aggregates.
	ranged     bool
	idLo, idHi int64
}

// Per-product column names of the view.

// OwnCol is the 0/1 column "currently holds product id".
func OwnCol(id int) string { return fmt.Sprintf("own_p%d", id) }

// AcceptedCol counts the customer's accepted offers of product id.
func AcceptedCol(id int) string { return fmt.Sprintf("acc_p%d", id) }

// DeclinedCol counts the customer's declined offers of product id.
func DeclinedCol(id int) string { return fmt.Sprintf("dec_p%d", id) }

// FamilyCol counts the products of a family the customer holds.
func FamilyCol(family string) string { return "fam_" + Ident(family) }

// Ident turns a label into a lower-case SQL-friendly identifier part ("cloud/ICT" → "cloud_ict").
func Ident(s string) string {
	var b strings.Builder
	us := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) && r < 128 || unicode.IsDigit(r) {
			b.WriteRune(r)
			us = false
		} else if !us && b.Len() > 0 {
			b.WriteByte('_')
			us = true
		}
	}
	return strings.TrimRight(b.String(), "_")
}

// CustomerView builds the SQL of the per-customer feature view over the datamart tables
// customers, products, holdings, contacts, events and optouts (sample_truth* is never read).
// One row per customer, id column customer_id:
//
//   - every column of customers except name;
//   - own_p<id>: 1 when the customer holds product id at the snapshot (start_date ≤ snapshot
//     and end_date NULL or after it), fam_<family>: products held per family, n_products;
//   - contacts in the 12 months before the snapshot, per channel (ct12_<channel>), inbound and
//     outbound (ct12_in, ct12_out), days since the last contact and the last outbound one;
//   - campaign responses over the whole history: accepted, declined and no_response counts,
//     acc_p<id> and dec_p<id> per product, and the revenue booked on contacts;
//   - events per kind: count (ev_<kind>_n) and days since the last one (ev_<kind>_days, NULL
//     when never);
//   - opt-outs: optout_all (opted out of everything), optout_n (opt-out rows).
//
// The snapshot is the latest contact timestamp (the end of the sample's history).
func CustomerView(ctx context.Context, ws *workspace.Workspace) (*View, error) {
	v := &View{}
	for _, t := range []string{"customers", "products", "holdings", "contacts", "events", "optouts"} {
		var n int
		if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema='main' AND table_name = ?`, t).Scan(&n); err != nil {
			return nil, fmt.Errorf("features: customer view: %w", err)
		}
		if n == 0 {
			return nil, fmt.Errorf("features: customer view needs the datamart table %q (run acrm sample or acrm import --as %s)", t, t)
		}
	}
	var err error
	v.Products, err = datamart.Products(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("features: read products: %w", err)
	}
	fams := map[string]bool{}
	for _, p := range v.Products {
		if !fams[p.Family] {
			fams[p.Family] = true
			v.Families = append(v.Families, p.Family)
		}
	}
	if len(v.Products) == 0 {
		return nil, fmt.Errorf("features: the products table is empty")
	}
	if v.Channels, err = datamart.Distinct(ctx, ws, "contacts", "channel"); err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	if v.EventKinds, err = datamart.Distinct(ctx, ws, "events", "kind"); err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	snap, ok, err := datamart.Snapshot(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	v.Snapshot = time.Now().UTC().Truncate(24 * time.Hour)
	if ok {
		v.Snapshot = snap
	}
	v.SQL = v.build()
	return v, nil
}

// At is the view as of an earlier snapshot: holdings held, contacts and events up to at (the
// customers' attributes and opt-outs as they are now), for scoring customers as a past
// campaign saw them.
func (v *View) At(at time.Time) *View {
	w := *v
	w.Snapshot = at.UTC()
	w.SQL = w.build()
	return &w
}

// Between is the view of the customers with idLo ≤ customer_id ≤ idHi only: the range is
// applied to customers, holdings, contacts, events and opt-outs before they are grouped,
// so DuckDB reads and aggregates that slice of each table alone. Its rows are those of the
// whole view in that range, column for column (ProductTotals and ProductTotalsSQL too).
func (v *View) Between(idLo, idHi int64) *View {
	w := *v
	w.ranged, w.idLo, w.idHi = true, idLo, idHi
	w.SQL = w.build()
	return &w
}

// idWhere is the view's customer range as a condition on customer_id ("" when whole), with
// the given prefix (" WHERE ", " AND ").
func (v *View) idWhere(prefix string) string {
	if !v.ranged {
		return ""
	}
	return fmt.Sprintf("%scustomer_id BETWEEN %d AND %d", prefix, v.idLo, v.idHi)
}

// customers is the customers table, or its rows in the view's range.
func (v *View) customers() string {
	if !v.ranged {
		return "customers"
	}
	return "(SELECT * FROM customers" + v.idWhere(" WHERE ") + ")"
}

func (v *View) snapSQL() string {
	return "TIMESTAMP '" + v.Snapshot.Format("2006-01-02 15:04:05") + "'"
}

// totalsJoin returns the select list (over aliases k and o) and the joins of the contact and
// opt-out totals; exclude > 0 leaves that product's contacts and opt-outs out.
func (v *View) totalsJoin(exclude int, perProduct bool) (sel []string, joins string) {
	snap := v.snapSQL()
	q := workspace.QuoteIdent
	lit := workspace.QuoteString
	var cont []string
	for _, ch := range v.Channels {
		cont = append(cont, fmt.Sprintf("count(*) FILTER (WHERE channel = %s AND ts > %s - INTERVAL 365 DAY) AS %s", lit(ch), snap, q("ct12_"+Ident(ch))))
	}
	if perProduct {
		for _, p := range v.Products {
			cont = append(cont,
				fmt.Sprintf("count(*) FILTER (WHERE product_id = %d AND outcome = 'accepted') AS %s", p.ID, AcceptedCol(p.ID)),
				fmt.Sprintf("count(*) FILTER (WHERE product_id = %d AND outcome = 'declined') AS %s", p.ID, DeclinedCol(p.ID)))
		}
	}
	cwhere, owhere := "ts <= "+snap+v.idWhere(" AND "), v.idWhere(" WHERE ")
	if exclude > 0 {
		cwhere += fmt.Sprintf(" AND product_id IS DISTINCT FROM %d", exclude)
		if owhere == "" {
			owhere = " WHERE "
		} else {
			owhere += " AND "
		}
		owhere += fmt.Sprintf("product_id IS DISTINCT FROM %d", exclude)
	}
	for _, ch := range v.Channels {
		n := q("ct12_" + Ident(ch))
		sel = append(sel, "coalesce(k."+n+", 0) AS "+n)
	}
	for _, col := range []string{"ct12_in", "ct12_out", "n_accepted", "n_declined", "n_no_response"} {
		sel = append(sel, "coalesce(k."+col+", 0) AS "+col)
	}
	if perProduct {
		for _, p := range v.Products {
			sel = append(sel, fmt.Sprintf("coalesce(k.%s, 0) AS %s", AcceptedCol(p.ID), AcceptedCol(p.ID)),
				fmt.Sprintf("coalesce(k.%s, 0) AS %s", DeclinedCol(p.ID), DeclinedCol(p.ID)))
		}
	}
	sel = append(sel, "coalesce(k.contact_revenue, 0) AS contact_revenue", "k.days_since_contact", "k.days_since_outbound",
		"coalesce(o.optout_all, 0) AS optout_all", "coalesce(o.optout_n, 0) AS optout_n")
	joins = `
LEFT JOIN (SELECT customer_id,
  count(*) FILTER (WHERE direction = 'inbound' AND ts > ` + snap + ` - INTERVAL 365 DAY) AS ct12_in,
  count(*) FILTER (WHERE direction = 'outbound' AND ts > ` + snap + ` - INTERVAL 365 DAY) AS ct12_out,
  count(*) FILTER (WHERE outcome = 'accepted') AS n_accepted,
  count(*) FILTER (WHERE outcome = 'declined') AS n_declined,
  count(*) FILTER (WHERE outcome = 'no_response') AS n_no_response,
  sum(revenue) AS contact_revenue,
  date_diff('day', max(ts), ` + snap + `) AS days_since_contact,
  date_diff('day', max(ts) FILTER (WHERE direction = 'outbound'), ` + snap + `) AS days_since_outbound,
  ` + strings.Join(cont, ",\n  ") + `
  FROM contacts WHERE ` + cwhere + ` GROUP BY customer_id) k USING (customer_id)
LEFT JOIN (SELECT customer_id, max(CASE WHEN product_id IS NULL AND channel IS NULL THEN 1 ELSE 0 END) AS optout_all,
  count(*) AS optout_n FROM optouts` + owhere + ` GROUP BY customer_id) o USING (customer_id)`
	return sel, joins
}

func (v *View) build() string {
	snap := v.snapSQL()
	q := workspace.QuoteIdent
	lit := workspace.QuoteString
	var hold, famSel, ev []string
	for _, p := range v.Products {
		hold = append(hold, fmt.Sprintf("max(CASE WHEN product_id = %d THEN 1 ELSE 0 END) AS %s", p.ID, OwnCol(p.ID)))
	}
	for _, f := range v.Families {
		var ids []string
		for _, p := range v.Products {
			if p.Family == f {
				ids = append(ids, "coalesce(h."+OwnCol(p.ID)+", 0)")
			}
		}
		famSel = append(famSel, "("+strings.Join(ids, " + ")+") AS "+q(FamilyCol(f)))
	}
	for _, k := range v.EventKinds {
		ev = append(ev,
			fmt.Sprintf("count(*) FILTER (WHERE kind = %s) AS %s", lit(k), q("ev_"+Ident(k)+"_n")),
			fmt.Sprintf("date_diff('day', max(ts) FILTER (WHERE kind = %s), %s) AS %s", lit(k), snap, q("ev_"+Ident(k)+"_days")))
	}
	var out []string
	out = append(out, "c.* EXCLUDE (name)")
	for _, p := range v.Products {
		out = append(out, fmt.Sprintf("coalesce(h.%s, 0) AS %s", OwnCol(p.ID), OwnCol(p.ID)))
	}
	out = append(out, famSel...)
	out = append(out, "coalesce(h.n_products, 0) AS n_products")
	tsel, tjoins := v.totalsJoin(0, true)
	out = append(out, tsel...)
	for _, k := range v.EventKinds {
		n := q("ev_" + Ident(k) + "_n")
		out = append(out, "coalesce(e."+n+", 0) AS "+n, "e."+q("ev_"+Ident(k)+"_days"))
	}
	evSel := ""
	if len(ev) > 0 {
		evSel = ", " + strings.Join(ev, ", ")
	}
	return "SELECT " + strings.Join(out, ",\n  ") + `
FROM ` + v.customers() + ` c
LEFT JOIN (SELECT customer_id, count(DISTINCT product_id) AS n_products, ` + strings.Join(hold, ", ") + `
  FROM holdings WHERE start_date <= ` + snap + ` AND (end_date IS NULL OR end_date > ` + snap + `)` + v.idWhere(" AND ") + `
  GROUP BY customer_id) h USING (customer_id)` + tjoins + `
LEFT JOIN (SELECT customer_id` + evSel + ` FROM events WHERE ts <= ` + snap + v.idWhere(" AND ") + ` GROUP BY customer_id) e USING (customer_id)
ORDER BY customer_id`
}

// ProductTotalsSQL is the SQL of the contact and opt-out totals of every customer without
// product id's contacts and opt-outs (same rows and order as the view).
func (v *View) ProductTotalsSQL(id int) string {
	sel, joins := v.totalsJoin(id, false)
	return "SELECT c.customer_id, " + strings.Join(sel, ", ") + "\nFROM " + v.customers() + " c" + joins + "\nORDER BY customer_id"
}

// Product returns the product with id, or false.
func (v *View) Product(id int) (Product, bool) {
	for _, p := range v.Products {
		if p.ID == id {
			return p, true
		}
	}
	return Product{}, false
}

// ForProduct returns the frame a model for product id sees, so a look-alike or response
// model cannot read the answer from its inputs: the product's own columns (own_p, acc_p,
// dec_p) removed, its holding taken out of its family count and n_products, and the contact
// and opt-out totals (channels, in/out, responses, revenue, recency, opt-outs) recomputed
// without the product's contacts and opt-outs — campaign eligibility (retention offers go to
// owners, cross-sell offers to non-owners) would otherwise betray ownership. f must be the
// loaded view; it is not modified.
func (v *View) ForProduct(ctx context.Context, ws *workspace.Workspace, f *Frame, id int) (*Frame, error) {
	if _, ok := v.Product(id); !ok {
		return nil, fmt.Errorf("features: no product %d in the products table", id)
	}
	totals, err := Load(ctx, ws, LoadSpec{Query: v.ProductTotalsSQL(id), ID: "customer_id"}, nil)
	if err != nil {
		return nil, fmt.Errorf("features: totals without product %d: %w", id, err)
	}
	return v.ForProductWith(f, id, totals)
}

// ForProductWith is ForProduct with the totals without product id already loaded (the rows
// of ProductTotalsSQL(id) for the rows of f, in the same order): a live lookup of one
// customer loads them for that customer alone.
func (v *View) ForProductWith(f *Frame, id int, totals *Frame) (*Frame, error) {
	p, ok := v.Product(id)
	if !ok {
		return nil, fmt.Errorf("features: no product %d in the products table", id)
	}
	own := f.Col(OwnCol(id))
	if own == nil || f.Col(AcceptedCol(id)) == nil {
		return nil, fmt.Errorf("features: the frame is not the customer view (no %s)", OwnCol(id))
	}
	if totals.Rows != f.Rows {
		return nil, fmt.Errorf("features: totals without product %d have %d rows, the view %d", id, totals.Rows, f.Rows)
	}
	for i := range f.IDs {
		if f.IDs[i] != totals.IDs[i] {
			return nil, fmt.Errorf("features: totals without product %d: row %d is customer %s, the view has %s", id, i+1, totals.IDs[i], f.IDs[i])
		}
	}
	out := f.Without(OwnCol(id), AcceptedCol(id), DeclinedCol(id))
	out.Cols = append([]*Column(nil), out.Cols...)
	for i, c := range out.Cols {
		switch {
		case strings.EqualFold(c.Name, FamilyCol(p.Family)) || c.Name == "n_products":
			nc := &Column{Name: c.Name, Type: c.Type, Numeric: true, Num: make([]float64, len(c.Num))}
			for r := range c.Num {
				nc.Num[r] = c.Num[r] - own.Num[r]
			}
			out.Cols[i] = nc
		default:
			if t := totals.Col(c.Name); t != nil {
				out.Cols[i] = t
			}
		}
	}
	return out, nil
}
