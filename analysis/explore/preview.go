package explore

import (
	"context"
	"fmt"
	"strings"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// DefaultPreviewLimit is the page size Preview uses when PreviewOptions.Limit is 0.
const DefaultPreviewLimit = 100

// MaxPreviewLimit caps the page size so one page can never exhaust memory.
const MaxPreviewLimit = 10_000

// PreviewOptions selects a page of a table.
//
// Filter is either plain text, matched case-insensitively as a substring of any column's
// text form, or — when it starts with "where " (any case) — a SQL boolean expression over
// the table's columns (the rest of the string after "where "). A SQL filter may not contain
// ';' outside string literals or quoted identifiers; it is an analyst's expression, not a
// security boundary (the SQL console runs anything).
//
// OrderBy is empty (table order: DuckDB preserves insertion order, so pages are stable) or a
// column name optionally followed by "asc" or "desc", e.g. "monthly_revenue desc".
//
// SkipCount skips the count query (Page.Total is then -1): a screen that already knows the
// total for this filter pages with one query instead of two, which matters for a text
// filter on a wide 1,000,000-row table.
type PreviewOptions struct {
	Offset    int
	Limit     int
	Filter    string
	OrderBy   string
	SkipCount bool
}

// Page is one page of a table: column names and DuckDB types, the rows formatted with
// FormatValue (NULL as Null, "∅"), and Total, the number of rows matching the filter (-1
// with PreviewOptions.SkipCount).
type Page struct {
	Columns []string
	Types   []string
	Rows    [][]string
	Total   int64
	Offset  int
}

// Preview returns the page of table selected by opt with LIMIT/OFFSET paging, so a
// 1,000,000-row table is never loaded: two queries, the filtered count and the page (one
// with SkipCount). A cancelled ctx interrupts the running query. Errors
// name the table, the filter or the order column that was wrong.
func Preview(ctx context.Context, ws *workspace.Workspace, table string, opt PreviewOptions) (_ Page, err error) {
	defer func() { err = workspace.Cancelled(ctx, "explore", err) }()
	name, cols, err := TableColumns(ctx, ws, table)
	if err != nil {
		return Page{}, err
	}
	if opt.Offset < 0 {
		return Page{}, fmt.Errorf("explore: preview %s: negative offset %d", name, opt.Offset)
	}
	if opt.Limit < 0 {
		return Page{}, fmt.Errorf("explore: preview %s: negative limit %d", name, opt.Limit)
	}
	limit := opt.Limit
	if limit == 0 {
		limit = DefaultPreviewLimit
	}
	if limit > MaxPreviewLimit {
		limit = MaxPreviewLimit
	}
	where, args, err := previewWhere(cols, opt.Filter)
	if err != nil {
		return Page{}, fmt.Errorf("explore: preview %s: %w", name, err)
	}
	order, err := previewOrder(cols, opt.OrderBy)
	if err != nil {
		return Page{}, fmt.Errorf("explore: preview %s: %w", name, err)
	}
	q := workspace.QuoteIdent(name)
	page := Page{Offset: opt.Offset}
	for _, c := range cols {
		page.Columns = append(page.Columns, c.Name)
		page.Types = append(page.Types, c.Type)
	}
	page.Total = -1
	if !opt.SkipCount {
		if err := ws.QueryRowContext(ctx, "SELECT count(*) FROM "+q+where, args...).Scan(&page.Total); err != nil {
			return Page{}, filterError(name, opt.Filter, err)
		}
	}
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = displayExpr(c)
	}
	query := fmt.Sprintf("SELECT %s FROM %s%s%s LIMIT %d OFFSET %d", strings.Join(sel, ", "), q, where, order, limit, opt.Offset)
	rows, err := ws.QueryContext(ctx, query, args...)
	if err != nil {
		return Page{}, filterError(name, opt.Filter, err)
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return Page{}, fmt.Errorf("explore: preview %s: %w", name, err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = FormatValue(v)
		}
		page.Rows = append(page.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("explore: preview %s: %w", name, err)
	}
	return page, nil
}

func filterError(table, filter string, err error) error {
	if filter == "" {
		return fmt.Errorf("explore: preview %s: %w", table, err)
	}
	return fmt.Errorf("explore: preview %s: filter %q: %w", table, filter, err)
}

// displayExpr selects a column in a form FormatValue handles: decimals as DOUBLE, 128-bit
// integers and non-scalar types as their DuckDB text.
func displayExpr(c Column) string {
	id := workspace.QuoteIdent(c.Name)
	t := strings.ToUpper(c.Type)
	switch {
	case c.Kind == Numeric && (strings.HasPrefix(t, "DECIMAL") || strings.HasPrefix(t, "NUMERIC")):
		return "CAST(" + id + " AS DOUBLE)"
	case c.Kind == Numeric && strings.Contains(t, "HUGEINT"):
		return "CAST(" + id + " AS VARCHAR)"
	case c.Kind == Other, c.Kind == Categorical && t != "VARCHAR":
		return "CAST(" + id + " AS VARCHAR)"
	}
	return id
}

// previewWhere turns PreviewOptions.Filter into a WHERE clause (with a leading space) and
// its arguments.
func previewWhere(cols []Column, filter string) (string, []any, error) {
	f := strings.TrimSpace(filter)
	if f == "" {
		return "", nil, nil
	}
	if len(f) >= 6 && strings.EqualFold(f[:6], "where ") {
		expr := strings.TrimSpace(f[6:])
		if expr == "" {
			return "", nil, fmt.Errorf("filter %q: empty WHERE expression", filter)
		}
		if err := CheckExpression(expr); err != nil {
			return "", nil, fmt.Errorf("filter %q: %w", filter, err)
		}
		return " WHERE (\n" + expr + "\n)\n", nil, nil
	}
	text := strings.ToLower(f)
	var terms []string
	for _, c := range cols {
		if canContain(c.Kind, text) {
			terms = append(terms, "CAST("+workspace.QuoteIdent(c.Name)+" AS VARCHAR)")
		}
	}
	if len(terms) == 0 {
		return " WHERE false", nil, nil
	}
	// One lower() over the candidate columns joined by a unit separator (U+001F), which no
	// typed text contains, so a match never spans two columns.
	return " WHERE contains(lower(concat_ws(chr(31), " + strings.Join(terms, ", ") + ")), $1)", []any{text}, nil
}

// canContain reports whether the text form of a value of this kind can contain text
// (lowercase). Skipping columns that cannot — numbers when searching for a name — spares
// DuckDB formatting them, the dominant cost of a text search on a wide table.
func canContain(kind Kind, text string) bool {
	only := func(chars string) bool {
		for _, r := range text {
			if !strings.ContainsRune(chars, r) {
				return false
			}
		}
		return true
	}
	switch kind {
	case Numeric:
		return only("0123456789.-+e") || strings.Contains("-infinity", text) || strings.Contains("nan", text)
	case Date:
		return only("0123456789-:. +")
	case Boolean:
		return strings.Contains("true", text) || strings.Contains("false", text)
	}
	return true
}

// previewOrder parses PreviewOptions.OrderBy into an ORDER BY clause over a known column.
func previewOrder(cols []Column, orderBy string) (string, error) {
	f := strings.Fields(orderBy)
	if len(f) == 0 {
		return "", nil
	}
	dir := ""
	if n := len(f); n > 1 {
		switch strings.ToLower(f[n-1]) {
		case "asc":
			dir, f = " ASC", f[:n-1]
		case "desc":
			dir, f = " DESC", f[:n-1]
		}
	}
	col := strings.Join(f, " ")
	for _, c := range cols {
		if strings.EqualFold(c.Name, col) || strings.EqualFold(workspace.QuoteIdent(c.Name), col) {
			return " ORDER BY " + workspace.QuoteIdent(c.Name) + dir + " NULLS LAST", nil
		}
	}
	return "", fmt.Errorf("order by %q: no such column", orderBy)
}

// CheckExpression verifies with DuckDB's parser that expr is exactly one SQL expression;
// see workspace.CheckExpression, which it calls.
func CheckExpression(expr string) error { return workspace.CheckExpression(expr) }
