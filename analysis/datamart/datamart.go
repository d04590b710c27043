// Package datamart reads the canonical datamart tables of a workspace into Go types:
// customers, products with their economics, holdings, contacts, campaigns, opt-outs,
// events and the snapshot date.
//
// It is the one place that knows the canonical column names. The tables come from
// `acrm sample` or from `acrm import --as KIND`; an imported table need only carry the
// columns the import requires (for products: product_id and name), so every reader here
// tolerates a missing optional column and fills its zero value (an empty string, 0, a zero
// time). A missing table is reported as a *MissingTableError (errors.Is(err, ErrMissingTable)).
//
// Every function takes a context (each query is cancelled with it) and the workspace; none
// writes. Readers that can return millions of rows (contacts, events) stream through a
// callback instead of building a slice.
package datamart

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// ErrMissingTable is matched (errors.Is) by the error of a reader whose table is absent.
var ErrMissingTable = errors.New("datamart table missing")

// MissingTableError names the absent canonical table.
type MissingTableError struct{ Table string }

func (e *MissingTableError) Error() string {
	return fmt.Sprintf("the workspace has no %s table (run acrm sample, or acrm import --as %s)", e.Table, e.Table)
}

// Is makes errors.Is(err, ErrMissingTable) true.
func (e *MissingTableError) Is(target error) bool { return target == ErrMissingTable }

// Has reports whether the canonical table exists in ws.
func Has(ctx context.Context, ws *workspace.Workspace, table string) (bool, error) {
	return ws.HasTable(ctx, table)
}

// column is one column a reader selects: its name, the SQL type it is cast to and the
// literal used when an imported table lacks it (NULLs become the same literal).
type column struct {
	name, typ, zero string
}

// columnsOf lists the (lower-cased) column names of a main-schema table.
func columnsOf(ctx context.Context, db *workspace.Workspace, table string) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT lower(column_name) FROM information_schema.columns
		WHERE table_schema = 'main' AND lower(table_name) = lower(?)`, table)
	if err != nil {
		return nil, fmt.Errorf("datamart: columns of %s: %w", table, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out[c] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("datamart: columns of %s: %w", table, err)
	}
	if len(out) == 0 {
		return nil, &MissingTableError{Table: table}
	}
	return out, nil
}

// selectList builds "coalesce(CAST(c AS T), zero), ..." over cols, using the zero literal for
// a column the table lacks.
func selectList(have map[string]bool, cols []column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		if have[c.name] {
			parts[i] = fmt.Sprintf("coalesce(CAST(%s AS %s), %s)", workspace.QuoteIdent(c.name), c.typ, c.zero)
		} else {
			parts[i] = fmt.Sprintf("CAST(%s AS %s)", c.zero, c.typ)
		}
	}
	return strings.Join(parts, ", ")
}

// query runs "SELECT <cols> FROM table [where] [order]" and calls scan for each row.
// where may use only columns the table is known to have (required ones).
func query(ctx context.Context, ws *workspace.Workspace, table string, cols []column, where, order string, args []any, scan func(*sql.Rows) error) error {
	db := ws
	have, err := columnsOf(ctx, db, table)
	if err != nil {
		return err
	}
	for _, c := range cols {
		if c.zero == "" && !have[c.name] {
			return fmt.Errorf("datamart: the %s table has no %s column", table, c.name)
		}
	}
	q := "SELECT " + selectList(have, cols) + " FROM " + workspace.QuoteIdent(table)
	if where != "" {
		q += " WHERE " + where
	}
	if order != "" {
		q += " ORDER BY " + order
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("datamart: read %s: %w", table, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if n++; n%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := scan(rows); err != nil {
			return fmt.Errorf("datamart: read %s: %w", table, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("datamart: read %s: %w", table, err)
	}
	return ctx.Err()
}

// required marks a column the reader cannot do without (no zero literal).
func required(name, typ string) column { return column{name: name, typ: typ} }

func optString(name string) column { return column{name, "VARCHAR", "''"} }
func optFloat(name string) column  { return column{name, "DOUBLE", "0"} }
func optInt(name string) column    { return column{name, "BIGINT", "0"} }

// optTime is a timestamp column; a missing one or NULL reads as the zero time.
func optTime(name string) column { return column{name, "TIMESTAMP", "TIMESTAMP '0001-01-01'"} }

// timeOrZero maps the zero literal of optTime back to Go's zero time.
func timeOrZero(t time.Time) time.Time {
	if t.Year() <= 1 {
		return time.Time{}
	}
	return t.UTC()
}

// Snapshot is the datamart's "now": the latest contact timestamp, the end of the history
// every feature and KPI is measured up to. ok is false when contacts is absent or empty.
func Snapshot(ctx context.Context, ws *workspace.Workspace) (snap time.Time, ok bool, err error) {
	has, err := ws.HasTable(ctx, "contacts")
	if err != nil || !has {
		return time.Time{}, false, err
	}
	var t sql.NullTime
	if err := ws.QueryRowContext(ctx, `SELECT CAST(max(ts) AS TIMESTAMP) FROM contacts`).Scan(&t); err != nil {
		return time.Time{}, false, fmt.Errorf("datamart: snapshot date: %w", err)
	}
	if !t.Valid {
		return time.Time{}, false, nil
	}
	return t.Time.UTC(), true, nil
}
