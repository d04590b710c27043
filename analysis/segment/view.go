// Package segment holds the Segments screen's analysis: the one-row-per-customer view that
// segment filters run over, saved segments (a name and a SQL boolean filter, kept in
// acrm_segments), a guided filter builder, KPIs per segment with indices against the whole
// base, crosstabs of two attributes, and the built-in value segments top / middle / low.
//
// All computation runs in DuckDB through the workspace's *sql.DB with QueryContext.
package segment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// View is the name of the one-row-per-customer view segment filters are written against.
const View = "customer_view"

// SnapshotMetaKey is the acrm_meta key that, when set to a date (YYYY-MM-DD), fixes the
// snapshot date customer_view measures "the last 12 months" up to.
const SnapshotMetaKey = "snapshot_date"

// EnsureCustomerView creates or replaces the view customer_view: every column of customers
// plus, per customer (datamart semantics in docs/DATAMART.md),
//
//	products_held       products held at the snapshot (holdings rows with end_date NULL)
//	contacts_out        outbound offer contacts (direction outbound, product_id set), whole history
//	contacts_12m        outbound offer contacts in the 12 months up to the snapshot
//	responses           outbound offer contacts answered (outcome accepted or declined)
//	acceptances         outbound offer contacts with outcome accepted
//	response_rate       acceptances / contacts_out (NULL without outbound offer contacts)
//	contact_revenue     Σ contacts.revenue (margins of accepted offers, any direction), whole history
//	revenue_12m         the same over the 12 months up to the snapshot
//	contract_end        contract_end_months ≤ 3 (false when NULL: no running contract)
//	opted_out           at least one opt-out row (any product or channel)
//	expected_value      Σ score × products.margin over the scores in acrm_scores of the
//	                    best models (acrm_models.is_best) — the customer's expected profit
//	                    from the offers scored; 0 for a customer without scores; NULL for
//	                    everyone while no best model has scores
//	value_segment       'top' = the first ⌈n/10⌉ customers by value desc (ties by
//	                    customer_id), 'middle' = the next, up to ⌈n/2⌉, 'low' = the rest;
//	                    value = monthly_revenue by default; expected_value only (1) once the
//	                    scoring is complete — every product has a best model with scores in
//	                    acrm_scores (a total model, as KPN did) — or (2) when the user asked
//	                    for it (acrm_meta[BasisMetaKey] = 'expected_value', with scores).
//	                    BasisMetaKey = 'monthly_revenue' keeps revenue even then. Scoring
//	                    one product never changes the segments.
//	value_basis         'expected_value' or 'monthly_revenue': which value ranked the segments
//
// The snapshot date is acrm_meta[SnapshotMetaKey] when set, else the date of the latest
// contact, else today; "the last 12 months" are [snapshot+1 day − 12 months, snapshot+1 day).
// It is evaluated when the view is queried, so the view follows new contacts. Tables other
// than customers may be missing (an imported workspace): their columns are then 0 / false.
// A workspace without customers is an error.
func EnsureCustomerView(ctx context.Context, ws *workspace.Workspace) error {
	ok, err := ws.HasTable(ctx, "customers")
	if err != nil {
		return fmt.Errorf("segment: customer view: %w", err)
	}
	if !ok {
		return fmt.Errorf("segment: customer view: the workspace has no customers table (run acrm sample or import one)")
	}
	var tabs viewTables
	for _, t := range []struct {
		name string
		dst  *bool
	}{{"holdings", &tabs.holdings}, {"contacts", &tabs.contacts}, {"optouts", &tabs.optouts}, {"products", &tabs.products}} {
		if *t.dst, err = ws.HasTable(ctx, t.name); err != nil {
			return fmt.Errorf("segment: customer view: %w", err)
		}
	}
	// The view's comment records which definition it has, so the usual call is a read.
	sig := fmt.Sprintf("acrm %s v%d %+v", View, viewVersion, tabs)
	var comment sql.NullString
	err = ws.QueryRowContext(ctx, `SELECT comment FROM duckdb_views() WHERE schema_name = 'main' AND view_name = ?`, View).Scan(&comment)
	if err == nil && comment.String == sig {
		return nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("segment: customer view: %w", err)
	}
	err = ws.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, customerViewSQL(tabs)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "COMMENT ON VIEW "+View+" IS "+workspace.QuoteString(sig))
		return err
	})
	if err != nil {
		// Another caller may have created the same definition concurrently (DuckDB reports
		// a write-write conflict on the catalog): that is success.
		for try := 0; try < 5; try++ {
			var again sql.NullString
			if qerr := ws.QueryRowContext(ctx, `SELECT comment FROM duckdb_views() WHERE schema_name = 'main' AND view_name = ?`, View).Scan(&again); qerr == nil && again.String == sig {
				return nil
			}
			if ctx.Err() != nil {
				break
			}
			time.Sleep(20 * time.Millisecond) // the other creator may not have committed yet
		}
		return fmt.Errorf("segment: create %s: %w", View, err)
	}
	return nil
}

// viewVersion changes whenever customerViewSQL does, so workspaces get the new definition.
const viewVersion = 5

// viewTables records which optional datamart tables exist.
type viewTables struct{ holdings, contacts, optouts, products bool }

func customerViewSQL(t viewTables) string {
	hasHoldings, hasContacts, hasOptouts := t.holdings, t.contacts, t.optouts
	var b strings.Builder
	b.WriteString("CREATE OR REPLACE VIEW " + View + " AS\nWITH ")
	if hasContacts {
		// snap is cross-joined once: a scalar subquery per use made DuckDB scan contacts
		// again for each (measured: the view costs half the CPU this way).
		b.WriteString(`snap AS (
  SELECT (coalesce((SELECT max(try_cast(value AS DATE)) FROM acrm_meta WHERE key = '` + SnapshotMetaKey + `'),
                   (SELECT max(ts)::DATE FROM contacts), current_date) + 1)::TIMESTAMP AS day_after),
cont AS (
  SELECT customer_id,
         count(*) FILTER (WHERE offer) AS contacts_out,
         count(*) FILTER (WHERE offer AND recent) AS contacts_12m,
         count(*) FILTER (WHERE offer AND outcome IN ('accepted', 'declined')) AS responses,
         count(*) FILTER (WHERE offer AND outcome = 'accepted') AS acceptances,
         coalesce(sum(revenue), 0) AS contact_revenue,
         coalesce(sum(revenue) FILTER (WHERE recent), 0) AS revenue_12m
  FROM (SELECT customer_id, outcome, revenue,
               direction = 'outbound' AND product_id IS NOT NULL AS offer,
               ts >= s.day_after - INTERVAL 12 MONTH AND ts < s.day_after AS recent
        FROM contacts CROSS JOIN snap AS s)
  GROUP BY customer_id),
`)
	} else {
		b.WriteString(`cont AS (SELECT NULL::BIGINT AS customer_id, 0::BIGINT AS contacts_out, 0::BIGINT AS contacts_12m,
  0::BIGINT AS responses, 0::BIGINT AS acceptances, 0::DOUBLE AS contact_revenue,
  0::DOUBLE AS revenue_12m WHERE false),
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
	if t.products {
		b.WriteString(`ev AS (
  SELECT s.customer_id, sum(s.score * p.margin) AS expected_value
  FROM acrm_scores s
  JOIN acrm_models m ON m.model_id = s.model_id AND m.is_best
  JOIN products p ON p.product_id = m.product_id
  GROUP BY s.customer_id),
`)
	} else {
		b.WriteString(`ev AS (SELECT NULL::BIGINT AS customer_id, NULL::DOUBLE AS expected_value WHERE false),
`)
	}
	if t.products {
		// complete: every product has a best model, and every best model has scores.
		b.WriteString(`complete AS (SELECT (SELECT count(*) FROM products) > 0 AND NOT EXISTS (
    SELECT 1 FROM products p WHERE NOT EXISTS (
      SELECT 1 FROM acrm_models m WHERE m.is_best AND m.product_id = p.product_id
        AND EXISTS (SELECT 1 FROM acrm_scores s WHERE s.model_id = m.model_id))) AS ok),
`)
	} else {
		b.WriteString(`complete AS (SELECT false AS ok),
`)
	}
	b.WriteString(`pref AS (SELECT max(value) AS want FROM acrm_meta WHERE key = '` + BasisMetaKey + `'),
anyev AS (SELECT EXISTS (SELECT 1 FROM ev) AS has),
basis AS (
  SELECT a.has AS has_scores,
         a.has AND CASE p.want WHEN '` + BasisRevenue + `' THEN false WHEN '` + BasisExpectedValue + `' THEN true ELSE c.ok END AS scored
  FROM anyev a CROSS JOIN pref p CROSS JOIN complete c),
ranked AS (
  SELECT c.customer_id,
         CASE WHEN b.has_scores THEN coalesce(e.expected_value, 0) END AS expected_value,
         row_number() OVER (ORDER BY CASE WHEN b.scored THEN coalesce(e.expected_value, 0) ELSE c.monthly_revenue END DESC NULLS LAST,
                                     c.customer_id) AS value_rank,
         (SELECT count(*) FROM customers) AS n,
         b.scored
  FROM customers c CROSS JOIN basis b LEFT JOIN ev e USING (customer_id))
SELECT c.*,
       coalesce(h.products_held, 0)::BIGINT AS products_held,
       coalesce(k.contacts_out, 0)::BIGINT AS contacts_out,
       coalesce(k.contacts_12m, 0)::BIGINT AS contacts_12m,
       coalesce(k.responses, 0)::BIGINT AS responses,
       coalesce(k.acceptances, 0)::BIGINT AS acceptances,
       CASE WHEN coalesce(k.contacts_out, 0) > 0 THEN k.acceptances / k.contacts_out END::DOUBLE AS response_rate,
       coalesce(k.contact_revenue, 0)::DOUBLE AS contact_revenue,
       coalesce(k.revenue_12m, 0)::DOUBLE AS revenue_12m,
       coalesce(c.contract_end_months <= 3, false) AS contract_end,
       (o.customer_id IS NOT NULL) AS opted_out,
       r.expected_value::DOUBLE AS expected_value,
       CASE WHEN r.value_rank <= (r.n + 9) // 10 THEN 'top'
            WHEN r.value_rank <= (r.n + 1) // 2 THEN 'middle'
            ELSE 'low' END AS value_segment,
       CASE WHEN r.scored THEN 'expected_value' ELSE 'monthly_revenue' END AS value_basis
FROM customers c
LEFT JOIN held h USING (customer_id)
LEFT JOIN cont k USING (customer_id)
LEFT JOIN opt o USING (customer_id)
LEFT JOIN ranked r USING (customer_id)
`)
	return b.String()
}
