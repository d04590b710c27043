package segment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/explore"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Segment is a named group of customers: Filter is a SQL boolean expression over
// customer_view (e.g. "sector = 'retail' AND mobile_subs >= 5"). Builtin segments (the value
// segments) are not stored in acrm_segments and cannot be saved over or deleted.
type Segment struct {
	Name        string
	Filter      string
	Description string
	Builtin     bool
	CreatedAt   time.Time
}

// ErrNotFound is returned (wrapped) by Get and Delete for an unknown segment name.
var ErrNotFound = errors.New("no such segment")

// ValueSegments are the built-in value segments over customer_view.value_segment: top (the
// 10 % of customers with the highest value), middle (the next 40 %) and low (the rest),
// where value is the expected value of the best models' scores once they exist and
// monthly_revenue before (see EnsureCustomerView and ValueBasis).
func ValueSegments() []Segment {
	return []Segment{
		{Name: "top", Filter: "value_segment = 'top'", Description: "top 10 % of customers by value", Builtin: true},
		{Name: "middle", Filter: "value_segment = 'middle'", Description: "next 40 % of customers by value", Builtin: true},
		{Name: "low", Filter: "value_segment = 'low'", Description: "the other 50 % of customers by value", Builtin: true},
	}
}

// What ranks the value segments (ValueBasis; customer_view.value_basis).
const (
	BasisRevenue       = "monthly_revenue"
	BasisExpectedValue = "expected_value"
)

// BasisMetaKey is the acrm_meta key holding what the user asked to rank the value segments
// by: BasisRevenue, BasisExpectedValue or BasisAuto (the default; see EnsureCustomerView).
const BasisMetaKey = "value_basis"

// BasisAuto ranks by expected value only once every product's best model has scores.
const BasisAuto = "auto"

// SetValueBasis records what the value segments are ranked by: BasisAuto, BasisRevenue or
// BasisExpectedValue. Any other value is an error naming the choices.
func SetValueBasis(ctx context.Context, ws *workspace.Workspace, basis string) error {
	switch basis {
	case BasisAuto, BasisRevenue, BasisExpectedValue:
	default:
		return fmt.Errorf("value basis %q: want %s, %s or %s", basis, BasisAuto, BasisRevenue, BasisExpectedValue)
	}
	if err := ws.SetMeta(ctx, BasisMetaKey, basis); err != nil {
		return fmt.Errorf("set value basis: %w", err)
	}
	return nil
}

// RequestedBasis is what the user asked for (BasisAuto when never set).
func RequestedBasis(ctx context.Context, ws *workspace.Workspace) (string, error) {
	v, err := ws.Meta(ctx, BasisMetaKey)
	if err != nil {
		return "", err
	}
	if v == "" {
		v = BasisAuto
	}
	return v, nil
}

// ValueBasis reports what ranks the value segments now: BasisRevenue unless every product's
// best model has scores in acrm_scores or the user asked for BasisExpectedValue (and scores
// exist); see EnsureCustomerView.
func ValueBasis(ctx context.Context, ws *workspace.Workspace) (string, error) {
	want, err := RequestedBasis(ctx, ws)
	if err != nil {
		return "", fmt.Errorf("value basis: %w", err)
	}
	if want == BasisRevenue {
		return BasisRevenue, nil
	}
	for _, t := range []string{"products", "acrm_scores", "acrm_models"} {
		ok, err := ws.HasTable(ctx, t)
		if err != nil {
			return "", fmt.Errorf("value basis: %w", err)
		}
		if !ok {
			return BasisRevenue, nil
		}
	}
	// The same conditions as customer_view's basis (view.go): scores of best models exist, and
	// either the user asked for expected value or every product's best model has scores.
	var has, complete bool
	err = ws.QueryRowContext(ctx, `SELECT
  EXISTS (SELECT 1 FROM acrm_scores s JOIN acrm_models m ON m.model_id = s.model_id AND m.is_best
          JOIN products p ON p.product_id = m.product_id),
  (SELECT count(*) FROM products) > 0 AND NOT EXISTS (
    SELECT 1 FROM products p WHERE NOT EXISTS (
      SELECT 1 FROM acrm_models m WHERE m.is_best AND m.product_id = p.product_id
        AND EXISTS (SELECT 1 FROM acrm_scores s WHERE s.model_id = m.model_id)))`).Scan(&has, &complete)
	if err != nil {
		return "", fmt.Errorf("value basis: %w", err)
	}
	if has && (want == BasisExpectedValue || complete) {
		return BasisExpectedValue, nil
	}
	return BasisRevenue, nil
}

func builtin(name string) (Segment, bool) {
	for _, s := range ValueSegments() {
		if strings.EqualFold(s.Name, name) {
			return s, true
		}
	}
	return Segment{}, false
}

// Validate checks that filter is one boolean SQL expression over customer_view and runs it,
// returning the number of customers it selects. An invalid filter is an error quoting the
// filter and DuckDB's message; a non-boolean one names the type it has. It ensures the view
// exists first.
func Validate(ctx context.Context, ws *workspace.Workspace, filter string) (_ int64, err error) {
	defer func() { err = workspace.Cancelled(ctx, "segment", err) }()
	if err := EnsureCustomerView(ctx, ws); err != nil {
		return 0, err
	}
	if err := checkFilter(ctx, ws, filter); err != nil {
		return 0, err
	}
	var n int64
	if err := ws.QueryRowContext(ctx, "SELECT count(*) FROM "+View+" WHERE (\n"+strings.TrimSpace(filter)+"\n)").Scan(&n); err != nil {
		return 0, fmt.Errorf("segment: filter %q is not valid: %w", filter, err)
	}
	return n, nil
}

// checkFilter binds filter against customer_view without running it (DESCRIBE): syntax,
// columns and functions must resolve and the type must be BOOLEAN. Errors that only show
// when values are seen (a failing cast) surface when the filter runs.
func checkFilter(ctx context.Context, ws *workspace.Workspace, filter string) error {
	f := strings.TrimSpace(filter)
	if f == "" {
		return fmt.Errorf("segment: filter is empty")
	}
	if err := explore.CheckExpression(f); err != nil {
		return fmt.Errorf("segment: filter %q: %w", filter, err)
	}
	rows, err := ws.QueryContext(ctx, "DESCRIBE SELECT (\n"+f+"\n) AS filter FROM "+View)
	if err != nil {
		return fmt.Errorf("segment: filter %q is not valid: %w", filter, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("segment: filter %q: %w", filter, err)
	}
	typ := ""
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("segment: filter %q: %w", filter, err)
		}
		for i, c := range cols {
			if c == "column_type" {
				typ = explore.FormatValue(vals[i])
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("segment: filter %q is not valid: %w", filter, err)
	}
	if typ != "BOOLEAN" {
		return fmt.Errorf("segment: filter %q is %s, not a boolean condition (compare a column, e.g. mobile_subs >= 5)", filter, typ)
	}
	return nil
}

// Save validates s.Filter (see Validate) and stores s in acrm_segments in one transaction,
// replacing a saved segment of the same name. The name must be non-empty and not one of the
// built-in value segments, and the filter must select at least one customer (a segment of
// nobody, such as "false", is refused: the KPIs, charts and selections of a segment reject it
// later). Nothing changes when it fails.
func Save(ctx context.Context, ws *workspace.Workspace, s Segment) (err error) {
	defer func() { err = workspace.Cancelled(ctx, "segment", err) }()
	name := strings.TrimSpace(s.Name)
	if name == "" {
		return fmt.Errorf("segment: a segment needs a name")
	}
	if _, ok := builtin(name); ok {
		return fmt.Errorf("segment: %q is a built-in value segment; choose another name", name)
	}
	n, err := Validate(ctx, ws, s.Filter)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("segment: filter %q selects no customers in %s; a segment needs at least one", strings.TrimSpace(s.Filter), View)
	}
	created := s.CreatedAt
	if created.IsZero() {
		created = time.Now().UTC()
	}
	err = ws.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM acrm_segments WHERE name = ?`, name); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO acrm_segments (name, filter_sql, description, created_at) VALUES (?, ?, ?, ?)`,
			name, strings.TrimSpace(s.Filter), s.Description, created)
		return err
	})
	if err != nil {
		return fmt.Errorf("segment: save %q: %w", name, err)
	}
	return nil
}

// List returns the saved segments ordered by name (built-in value segments excluded; see
// ValueSegments).
func List(ctx context.Context, ws *workspace.Workspace) ([]Segment, error) {
	rows, err := ws.QueryContext(ctx, `SELECT name, filter_sql, coalesce(description, ''), created_at FROM acrm_segments ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("segment: list: %w", err)
	}
	defer rows.Close()
	var out []Segment
	for rows.Next() {
		var s Segment
		if err := rows.Scan(&s.Name, &s.Filter, &s.Description, &s.CreatedAt); err != nil {
			return nil, fmt.Errorf("segment: list: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("segment: list: %w", err)
	}
	return out, nil
}

// Get returns the saved or built-in segment called name; an unknown name is an error
// wrapping ErrNotFound.
func Get(ctx context.Context, ws *workspace.Workspace, name string) (Segment, error) {
	if s, ok := builtin(name); ok {
		return s, nil
	}
	var s Segment
	err := ws.QueryRowContext(ctx, `SELECT name, filter_sql, coalesce(description, ''), created_at FROM acrm_segments WHERE name = ?`, name).
		Scan(&s.Name, &s.Filter, &s.Description, &s.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Segment{}, fmt.Errorf("segment: %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return Segment{}, fmt.Errorf("segment: get %q: %w", name, err)
	}
	return s, nil
}

// Delete removes the saved segment called name; an unknown name is an error wrapping
// ErrNotFound and a built-in one is refused.
func Delete(ctx context.Context, ws *workspace.Workspace, name string) error {
	if _, ok := builtin(name); ok {
		return fmt.Errorf("segment: %q is a built-in value segment and cannot be deleted", name)
	}
	res, err := ws.ExecContext(ctx, `DELETE FROM acrm_segments WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("segment: delete %q: %w", name, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("segment: delete %q: %w", name, ErrNotFound)
	}
	return nil
}
