// Package segment holds the Segments screen's analysis: the one-row-per-customer view that
// segment filters run over, saved segments (a name and a SQL boolean filter, kept in
// acrm_segments), a guided filter builder, KPIs per segment with indices against the whole
// base, crosstabs of two attributes, and the built-in value segments top / middle / low.
//
// All computation runs in DuckDB through the workspace's *sql.DB with QueryContext.
package segment

import (
	"context"
	"fmt"
	"strings"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// View is the name of the one-row-per-customer view segment filters are written against.
const View = "customer_view"

// EnsureCustomerView creates or replaces the view customer_view: every column of customers
// plus, per customer,
//
//	products_held       products held at the snapshot (holdings with end_date NULL)
//	contacts_out        outbound contacts in the whole history
//	contacts_12m        outbound contacts in the 12 months up to the snapshot
//	responses           outbound contacts answered (outcome accepted or declined)
//	acceptances         outbound contacts with outcome accepted
//	response_rate       acceptances / contacts_out (NULL without outbound contacts)
//	contact_revenue     sum of contacts.revenue in the whole history
//	contract_end        contract_end_months ≤ 3 (false when unknown)
//	opted_out           any opt-out row for the customer (any product or channel)
//	value_segment       'top' (first ⌈10 %·n⌉ by monthly_revenue desc, ties by customer_id),
//	                    'middle' (next, up to ⌈50 %·n⌉), 'low' (the rest)
//
// The snapshot is the latest contact timestamp (the datamart's "now"), or today when there
// are no contacts. Tables other than customers may be missing (an imported workspace): their
// columns are then 0 / false. A workspace without customers is an error.
func EnsureCustomerView(ctx context.Context, ws *workspace.Workspace) error {
	ok, err := ws.HasTable(ctx, "customers")
	if err != nil {
		return fmt.Errorf("segment: customer view: %w", err)
	}
	if !ok {
		return fmt.Errorf("segment: customer view: the workspace has no customers table (run acrm sample or import one)")
	}
	has := func(t string) (bool, error) { return ws.HasTable(ctx, t) }
	hasHoldings, err := has("holdings")
	if err != nil {
		return fmt.Errorf("segment: customer view: %w", err)
	}
	hasContacts, err := has("contacts")
	if err != nil {
		return fmt.Errorf("segment: customer view: %w", err)
	}
	hasOptouts, err := has("optouts")
	if err != nil {
		return fmt.Errorf("segment: customer view: %w", err)
	}
	_, err = ws.DB().ExecContext(ctx, customerViewSQL(hasHoldings, hasContacts, hasOptouts))
	if err != nil {
		return fmt.Errorf("segment: create %s: %w", View, err)
	}
	return nil
}

func customerViewSQL(hasHoldings, hasContacts, hasOptouts bool) string {
	var b strings.Builder
	b.WriteString("CREATE OR REPLACE VIEW " + View + " AS\nWITH ")
	if hasContacts {
		b.WriteString(`snap AS (SELECT coalesce(max(ts), current_date::TIMESTAMP) AS now FROM contacts),
cont AS (
  SELECT customer_id,
         count(*) FILTER (WHERE direction = 'outbound') AS contacts_out,
         count(*) FILTER (WHERE direction = 'outbound' AND ts > (SELECT now FROM snap) - INTERVAL 12 MONTH) AS contacts_12m,
         count(*) FILTER (WHERE direction = 'outbound' AND outcome IN ('accepted', 'declined')) AS responses,
         count(*) FILTER (WHERE direction = 'outbound' AND outcome = 'accepted') AS acceptances,
         coalesce(sum(revenue), 0) AS contact_revenue
  FROM contacts GROUP BY customer_id),
`)
	} else {
		b.WriteString(`cont AS (SELECT NULL::BIGINT AS customer_id, 0::BIGINT AS contacts_out, 0::BIGINT AS contacts_12m,
  0::BIGINT AS responses, 0::BIGINT AS acceptances, 0::DOUBLE AS contact_revenue WHERE false),
`)
	}
	if hasHoldings {
		b.WriteString(`held AS (SELECT customer_id, count(DISTINCT product_id) AS products_held FROM holdings WHERE end_date IS NULL GROUP BY customer_id),
`)
	} else {
		b.WriteString(`held AS (SELECT NULL::BIGINT AS customer_id, 0::BIGINT AS products_held WHERE false),
`)
	}
	if hasOptouts {
		b.WriteString(`opt AS (SELECT DISTINCT customer_id FROM optouts),
`)
	} else {
		b.WriteString(`opt AS (SELECT NULL::BIGINT AS customer_id WHERE false),
`)
	}
	b.WriteString(`ranked AS (
  SELECT customer_id,
         row_number() OVER (ORDER BY monthly_revenue DESC NULLS LAST, customer_id) AS value_rank,
         count(*) OVER () AS n
  FROM customers)
SELECT c.*,
       coalesce(h.products_held, 0)::BIGINT AS products_held,
       coalesce(k.contacts_out, 0)::BIGINT AS contacts_out,
       coalesce(k.contacts_12m, 0)::BIGINT AS contacts_12m,
       coalesce(k.responses, 0)::BIGINT AS responses,
       coalesce(k.acceptances, 0)::BIGINT AS acceptances,
       CASE WHEN coalesce(k.contacts_out, 0) > 0 THEN k.acceptances / k.contacts_out END::DOUBLE AS response_rate,
       coalesce(k.contact_revenue, 0)::DOUBLE AS contact_revenue,
       coalesce(c.contract_end_months <= 3, false) AS contract_end,
       (o.customer_id IS NOT NULL) AS opted_out,
       CASE WHEN r.value_rank <= (r.n + 9) // 10 THEN 'top'
            WHEN r.value_rank <= (r.n + 1) // 2 THEN 'middle'
            ELSE 'low' END AS value_segment
FROM customers c
LEFT JOIN held h USING (customer_id)
LEFT JOIN cont k USING (customer_id)
LEFT JOIN opt o USING (customer_id)
LEFT JOIN ranked r USING (customer_id)
`)
	return b.String()
}
