package segment

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/explore"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// ColumnInfo is a column of customer_view offered by the guided filter builder.
type ColumnInfo struct {
	Name string
	Type string       // DuckDB type
	Kind explore.Kind // explore.Numeric, Categorical, Boolean or Date
}

// Columns lists the columns of customer_view (creating the view when needed) that a filter
// can use, in view order. Columns of kind explore.Other (lists, structs, blobs) are left out.
func Columns(ctx context.Context, ws *workspace.Workspace) ([]ColumnInfo, error) {
	if err := EnsureCustomerView(ctx, ws); err != nil {
		return nil, err
	}
	_, cols, err := explore.TableColumns(ctx, ws, View)
	if err != nil {
		return nil, fmt.Errorf("segment: columns: %w", err)
	}
	var out []ColumnInfo
	for _, c := range cols {
		if c.Kind == explore.Other {
			continue
		}
		out = append(out, ColumnInfo{Name: c.Name, Type: c.Type, Kind: c.Kind})
	}
	return out, nil
}

// Values returns up to limit values of a customer_view column to pick from, most frequent
// first (ties by value), each with its number of customers; NULL is left out. limit ≤ 0
// means 50. An unknown column is an error naming it.
func Values(ctx context.Context, ws *workspace.Workspace, column string, limit int) (_ []explore.ValueCount, err error) {
	defer func() { err = workspace.Cancelled(ctx, "segment", err) }()
	if limit <= 0 {
		limit = 50
	}
	col, err := lookupColumn(ctx, ws, column)
	if err != nil {
		return nil, err
	}
	id := workspace.QuoteIdent(col.Name)
	rows, err := ws.QueryContext(ctx, fmt.Sprintf(
		`SELECT v, n FROM (SELECT %s AS v, count(*) AS n FROM %s WHERE %s IS NOT NULL GROUP BY 1 ORDER BY n DESC, v LIMIT %d)
		 ORDER BY n DESC, v`, id, View, id, limit))
	if err != nil {
		return nil, fmt.Errorf("segment: values of %s: %w", col.Name, err)
	}
	defer rows.Close()
	var out []explore.ValueCount
	for rows.Next() {
		var v any
		var vc explore.ValueCount
		if err := rows.Scan(&v, &vc.Count); err != nil {
			return nil, fmt.Errorf("segment: values of %s: %w", col.Name, err)
		}
		vc.Value = valueText(v)
		out = append(out, vc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("segment: values of %s: %w", col.Name, err)
	}
	return out, nil
}

// valueText formats a value so that BuildFilter reads it back exactly: floats in shortest
// round-trip form (not rounded for display), everything else as explore.FormatValue.
func valueText(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	}
	return explore.FormatValue(v)
}

func lookupColumn(ctx context.Context, ws *workspace.Workspace, column string) (ColumnInfo, error) {
	cols, err := Columns(ctx, ws)
	if err != nil {
		return ColumnInfo{}, err
	}
	for _, c := range cols {
		if strings.EqualFold(c.Name, column) {
			return c, nil
		}
	}
	return ColumnInfo{}, fmt.Errorf("segment: %s has no column %q", View, column)
}

// The operators of the guided builder.
const (
	OpEq         = "="
	OpNe         = "!="
	OpLt         = "<"
	OpLe         = "<="
	OpGt         = ">"
	OpGe         = ">="
	OpBetween    = "between"
	OpIn         = "in"
	OpNotIn      = "not in"
	OpContains   = "contains"
	OpStartsWith = "starts with"
	OpIsTrue     = "is true"
	OpIsFalse    = "is false"
	OpIsNull     = "is null"
	OpIsNotNull  = "is not null"
)

// Operators lists the operators BuildFilter accepts for a column kind, most useful first.
func Operators(kind explore.Kind) []string {
	switch kind {
	case explore.Numeric, explore.Date:
		return []string{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpBetween, OpIsNull, OpIsNotNull}
	case explore.Boolean:
		return []string{OpIsTrue, OpIsFalse, OpIsNull, OpIsNotNull}
	case explore.Categorical:
		return []string{OpEq, OpNe, OpIn, OpNotIn, OpContains, OpStartsWith, OpIsNull, OpIsNotNull}
	}
	return nil
}

// BuildFilter turns a builder choice into a SQL boolean expression over customer_view. The
// column is quoted as an identifier; numeric values must parse as numbers and are written
// back as numbers, dates must be YYYY-MM-DD (or YYYY-MM-DD HH:MM:SS) and become DATE /
// TIMESTAMP literals, text values become quoted string literals — so no value can change
// the expression's structure. The number of values depends on op: none for is null / is
// not null / is true / is false, two for between (low, high, inclusive), one or more for
// in / not in, exactly one otherwise.
func BuildFilter(col ColumnInfo, op string, values ...string) (string, error) {
	if strings.TrimSpace(col.Name) == "" {
		return "", fmt.Errorf("segment: filter builder: no column chosen")
	}
	allowed := false
	for _, o := range Operators(col.Kind) {
		if o == op {
			allowed = true
			break
		}
	}
	if !allowed {
		return "", fmt.Errorf("segment: filter builder: operator %q does not apply to %s column %s (use one of %s)",
			op, col.Kind, col.Name, strings.Join(Operators(col.Kind), ", "))
	}
	id := workspace.QuoteIdent(col.Name)
	want := func(n int) error {
		if len(values) != n {
			return fmt.Errorf("segment: filter builder: %s %s takes %d value(s), got %d", col.Name, op, n, len(values))
		}
		return nil
	}
	lits := make([]string, len(values))
	for i, v := range values {
		lit, err := literal(col, v)
		if err != nil {
			return "", err
		}
		lits[i] = lit
	}
	switch op {
	case OpIsNull, OpIsNotNull, OpIsTrue, OpIsFalse:
		if err := want(0); err != nil {
			return "", err
		}
		return id + " " + strings.ToUpper(op), nil
	case OpBetween:
		if err := want(2); err != nil {
			return "", err
		}
		return id + " BETWEEN " + lits[0] + " AND " + lits[1], nil
	case OpIn, OpNotIn:
		if len(values) == 0 {
			return "", fmt.Errorf("segment: filter builder: %s %s needs at least one value", col.Name, op)
		}
		return id + " " + strings.ToUpper(op) + " (" + strings.Join(lits, ", ") + ")", nil
	case OpContains:
		if err := want(1); err != nil {
			return "", err
		}
		return "contains(" + id + ", " + lits[0] + ")", nil
	case OpStartsWith:
		if err := want(1); err != nil {
			return "", err
		}
		return "starts_with(" + id + ", " + lits[0] + ")", nil
	}
	if err := want(1); err != nil {
		return "", err
	}
	return id + " " + op + " " + lits[0], nil
}

// literal renders one builder value as a SQL literal of the column's kind.
func literal(col ColumnInfo, v string) (string, error) {
	switch col.Kind {
	case explore.Numeric:
		s := strings.TrimSpace(v)
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return "", fmt.Errorf("segment: filter builder: %s is numeric and %q is not a number", col.Name, v)
		}
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return strconv.FormatInt(i, 10), nil
		}
		return strconv.FormatFloat(f, 'g', -1, 64), nil
	case explore.Date:
		s := strings.TrimSpace(v)
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return "DATE '" + t.Format("2006-01-02") + "'", nil
		}
		for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04"} {
			if t, err := time.Parse(layout, s); err == nil {
				return "TIMESTAMP '" + t.Format("2006-01-02 15:04:05.999999") + "'", nil
			}
		}
		return "", fmt.Errorf("segment: filter builder: %s is a date and %q is not YYYY-MM-DD", col.Name, v)
	case explore.Boolean:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
			return "true", nil
		case "false":
			return "false", nil
		}
		return "", fmt.Errorf("segment: filter builder: %s is boolean and %q is not true/false", col.Name, v)
	}
	return workspace.QuoteString(v), nil
}
