package sim

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/acrm-dev/acrm/analysis/segment"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// SegmentInfo says which customers a frequency analysis covers.
type SegmentInfo struct {
	Name       string `json:"name"`
	Kind       string `json:"kind"`       // "value" (built-in top/middle/low), "saved" or "all"
	By         string `json:"by"`         // value segments: "monthly_revenue" or "expected value (scores)"
	Definition string `json:"definition"` // human-readable rule or the saved filter
	Customers  int64  `json:"customers"`
}

// ErrUnknownSegment is returned for a segment name that is neither built in nor saved.
var ErrUnknownSegment = errors.New("unknown segment")

// ErrEmptySegment is returned when a segment selects no customers.
var ErrEmptySegment = errors.New("segment has no customers")

// valueBounds are the rank bounds of the built-in value segments, as shares of the base:
// top = ranks 1 … ⌈0.1·n⌉, middle = … ⌈0.5·n⌉, low = the rest (ranked by the value
// descending, ties by customer_id) — the same cut as the segment package's customer_view.
var valueBounds = map[string][2]float64{"top": {0, 0.1}, "middle": {0.1, 0.5}, "low": {0.5, 1}}

// resolveSegment returns a SQL query selecting the customer_id of every customer in the named
// segment, and what the segment is. Built-in value segments rank by what segment.ValueBasis
// says: monthly_revenue, or the expected value (the sum of score × margin over the best scored
// model per product) once every product is scored or the user asked for it. "all" is every customer. Other names are looked
// up in acrm_segments; their filter runs over customer_view when it exists, customers else.
func resolveSegment(ctx context.Context, ws *workspace.Workspace, name string) (string, SegmentInfo, error) {
	db := ws
	name = strings.TrimSpace(name)
	if name == "" {
		name = "all"
	}
	info := SegmentInfo{Name: name}
	lname := strings.ToLower(name)
	var query string
	switch {
	case lname == "all":
		info.Kind, info.Definition = "all", "every customer"
		query = `SELECT customer_id FROM customers`
	case valueBounds[lname] != [2]float64{}:
		b := valueBounds[lname]
		info.Kind, info.Name = "value", lname
		value := `monthly_revenue`
		info.By = "monthly_revenue"
		basis, err := segment.ValueBasis(ctx, ws)
		if err != nil {
			return "", info, err
		}
		if basis == segment.BasisExpectedValue {
			info.By = "expected value (scores × margin)"
			value = `coalesce((SELECT sum(s.score * p.margin) FROM acrm_scores s
				JOIN acrm_models m ON m.model_id = s.model_id AND m.is_best
				JOIN products p ON p.product_id = m.product_id
				WHERE s.customer_id = c.customer_id), 0)`
		}
		info.Definition = fmt.Sprintf("%s by %s: ranks %s of customers", lname, info.By, map[string]string{
			"top": "the highest 10 %", "middle": "the next 40 %", "low": "the lowest 50 %"}[lname])
		query = fmt.Sprintf(`SELECT customer_id FROM (
			SELECT c.customer_id, row_number() OVER (ORDER BY %s DESC, c.customer_id) AS rk, count(*) OVER () AS n
			FROM customers c) WHERE rk > ceil(%g * n) AND rk <= ceil(%g * n)`, value, b[0], b[1])
	default:
		var filter string
		err := db.QueryRowContext(ctx, `SELECT filter_sql FROM acrm_segments WHERE name = ?`, name).Scan(&filter)
		if errors.Is(err, sql.ErrNoRows) {
			return "", info, fmt.Errorf("sim: segment %q: %w: not a saved segment (acrm_segments) nor one of top, middle, low, all", name, ErrUnknownSegment)
		}
		if err != nil {
			return "", info, fmt.Errorf("sim: segment %q: %w", name, err)
		}
		from := "customers"
		if ok, err := ws.HasTable(ctx, "customer_view"); err == nil && ok {
			from = "customer_view"
		}
		info.Kind, info.Definition = "saved", filter
		// A saved filter is stored text: one expression, nothing more (issue 17).
		if err := workspace.CheckExpression(filter); err != nil {
			return "", info, fmt.Errorf("sim: segment %q: filter %q: %w", name, filter, err)
		}
		query = "SELECT customer_id FROM " + from + " WHERE (\n" + filter + "\n)"
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM ("+query+")").Scan(&info.Customers); err != nil {
		return "", info, fmt.Errorf("sim: segment %q (%s): %w", name, info.Definition, err)
	}
	if info.Customers == 0 {
		return "", info, fmt.Errorf("sim: segment %q (%s): %w", name, info.Definition, ErrEmptySegment)
	}
	return query, info, nil
}
