package workspace

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// lockedDownConfig is the DuckDB configuration every workspace and the parser open with: no extension
// is installed or loaded behind the user's back (a function name in a stored filter must
// not fetch code from the network). The extensions acrm needs (json, parquet, icu,
// core_functions) are linked in and loaded at start-up.
//
// External file access stays on for the workspace itself: import reads the user's file and
// export writes one through COPY, and DuckDB cannot switch enable_external_access back on
// in a running database. Stored fragments are kept away from files instead: CheckExpression
// and CheckQuery refuse table functions and file-like table names, and the single-statement
// guard below leaves no room for COPY, ATTACH, INSTALL or LOAD after an expression.
const lockedDownConfig = "autoinstall_known_extensions=false&autoload_known_extensions=false&allow_community_extensions=false"

// singleConnector hands out singleConns.
type singleConnector struct{ c *duckdb.Connector }

func (s singleConnector) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := s.c.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &singleConn{Conn: c.(*duckdb.Conn)}, nil
}

func (s singleConnector) Driver() driver.Driver { return s.c.Driver() }

// singleConn is a DuckDB connection that runs exactly one statement per call. The driver's
// QueryContext, ExecContext and PrepareContext quietly execute every statement of a
// multi-statement string and return the last one's result, so a string spliced into a query
// could run `…; COPY … TO 'file'`. singleConn declines those (driver.ErrSkip makes
// database/sql prepare instead) and prepares through the driver's Prepare, which refuses
// text that holds more than one statement.
type singleConn struct{ *duckdb.Conn }

func (c *singleConn) QueryContext(context.Context, string, []driver.NamedValue) (driver.Rows, error) {
	return nil, driver.ErrSkip
}

func (c *singleConn) ExecContext(context.Context, string, []driver.NamedValue) (driver.Result, error) {
	return nil, driver.ErrSkip
}

func (c *singleConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.Prepare(query)
}

func (c *singleConn) Prepare(query string) (driver.Stmt, error) {
	st, err := c.Conn.Prepare(query)
	if err != nil && strings.Contains(err.Error(), "multi-statement") {
		return nil, fmt.Errorf("workspace: one SQL statement at a time: the text holds more than one (%s)", clip(query, 80))
	}
	return st, err
}

// ExecScript runs a trusted multi-statement script (an embedded migration, a test fixture)
// on one connection, rolling back an open transaction when a statement fails. It is the one
// way past the single-statement guard: never pass it text read from a workspace, a file or
// a user field.
func (w *Workspace) ExecScript(ctx context.Context, script string) error {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		raw := dc.(*singleConn).Conn
		if _, err := raw.ExecContext(ctx, script, nil); err != nil {
			_, _ = raw.ExecContext(context.Background(), "ROLLBACK", nil)
			return err
		}
		return nil
	})
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
