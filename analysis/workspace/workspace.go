// Package workspace owns the acrm workspace: one DuckDB file (or :memory:) holding the
// customer datamart, the acrm_* tables (models, segments, scenarios, history) and scores.
//
// It is the only package that imports the DuckDB driver. Everything else asks it typed
// questions or runs SQL through DB().
package workspace

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Memory is the path of an in-memory workspace.
const Memory = ":memory:"

//go:embed migrations/*.sql
var migrationFS embed.FS

// Workspace is an open acrm workspace.
type Workspace struct {
	path      string
	connector *duckdb.Connector
	db        *sql.DB
	removed   []string // staging tables Open removed
}

// ErrLocked, ErrNotDuckDB and ErrTooNew classify failures to open a workspace.
var (
	ErrLocked    = errors.New("workspace is locked by another process")
	ErrNotDuckDB = errors.New("not a DuckDB workspace file")
	ErrTooNew    = errors.New("workspace was written by a newer acrm")
)

// ErrNoWorkspace is returned by OpenExisting when no file exists at the path.
var ErrNoWorkspace = errors.New("no workspace")

// OpenExisting opens the workspace at path like Open, but refuses a path where no file
// exists (wrapping ErrNoWorkspace): commands that only read a workspace must not create
// an empty one from a mistyped --db.
func OpenExisting(ctx context.Context, path string) (*Workspace, error) {
	if path != Memory && path != "" {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w at %s", ErrNoWorkspace, path)
		}
	}
	return Open(ctx, path)
}

// CheckPath refuses a path that cannot hold a workspace before DuckDB sees it: an existing
// file must be a DuckDB database (its header says so), a new file must end in .duckdb or .db
// (DuckDB would open x.csv or x.parquet as a throw-away in-memory database and lose every
// write), and the path may not contain '?' (DuckDB reads what follows as options).
func CheckPath(path string) error {
	if path == Memory || path == "" {
		return nil
	}
	if strings.Contains(path, "?") {
		return fmt.Errorf("workspace: %s: a workspace path may not contain '?'", path)
	}
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		return fmt.Errorf("workspace: %s is a directory, not a workspace file", path)
	case err == nil && st.Size() > 0:
		if !isDuckDBFile(path) {
			return fmt.Errorf("workspace: open %s: %w (its header is not DuckDB's; import a data file with acrm import FILE)", path, ErrNotDuckDB)
		}
		return nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("workspace: %s: %w", path, err)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".duckdb", ".db":
		return nil
	}
	return fmt.Errorf("workspace: %s: a new workspace file must end in .duckdb or .db", path)
}

// isDuckDBFile reports whether the file at path starts with DuckDB's header (the magic
// "DUCK" at byte 8).
func isDuckDBFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 12)
	n, _ := io.ReadFull(f, buf)
	return n == 12 && string(buf[8:12]) == "DUCK"
}

// Open opens (creating if missing) the workspace at path and migrates it to the current
// schema version. path may be Memory. A path CheckPath refuses is an error.
func Open(ctx context.Context, path string) (*Workspace, error) {
	if err := CheckPath(path); err != nil {
		return nil, err
	}
	dsn := path
	if path == Memory || path == "" {
		dsn = ""
		path = Memory
	}
	connector, err := duckdb.NewConnector(dsn+"?"+lockedDownConfig, nil)
	if err != nil {
		return nil, classifyOpenError(path, err)
	}
	db := sql.OpenDB(singleConnector{connector})
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		_ = connector.Close()
		return nil, classifyOpenError(path, err)
	}
	if path == Memory {
		// Each pooled connection of an in-memory connector shares one database, but keep
		// the pool small so temp objects behave predictably in tests.
		db.SetMaxOpenConns(4)
	}
	w := &Workspace{path: path, connector: connector, db: db}
	if path != Memory {
		if err := w.capMemory(ctx); err != nil {
			_ = w.Close()
			return nil, err
		}
	}
	if err := w.migrate(ctx); err != nil {
		_ = w.Close()
		return nil, err
	}
	if err := w.dropStaging(ctx); err != nil {
		_ = w.Close()
		return nil, err
	}
	return w, nil
}

// MemoryLimitEnv names the environment variable that caps DuckDB's memory in a workspace
// file (a DuckDB size such as "6GB" or "800MB"); DefaultMemoryLimit applies without it.
// DuckDB spills sorts, joins and aggregates to a temporary folder next to the file beyond
// the cap, so a workspace of ten million customers is scored and trained within it instead
// of DuckDB's own default of 80 % of the machine's memory. acrm sample sets its own cap.
const (
	MemoryLimitEnv     = "ACRM_MEMORY_LIMIT"
	DefaultMemoryLimit = "4GB"
)

// capMemory sets DuckDB's memory limit of the open workspace file.
func (w *Workspace) capMemory(ctx context.Context) error {
	limit, from := DefaultMemoryLimit, "the default"
	if v := strings.TrimSpace(os.Getenv(MemoryLimitEnv)); v != "" {
		limit, from = v, MemoryLimitEnv
	}
	if _, err := w.db.ExecContext(ctx, "SET memory_limit = "+QuoteString(limit)); err != nil {
		return fmt.Errorf("workspace: memory limit %q (%s): want a size such as 4GB or 800MB: %w", limit, from, err)
	}
	return nil
}

func classifyOpenError(path string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Could not set lock") || strings.Contains(msg, "Conflicting lock"):
		return fmt.Errorf("workspace: open %s: %w (close the other acrm or use another --db): %v", path, ErrLocked, err)
	case strings.Contains(msg, "not a valid DuckDB database file") || strings.Contains(msg, "Unable to open database") && fileLooksForeign(path):
		return fmt.Errorf("workspace: open %s: %w: %v", path, ErrNotDuckDB, err)
	case strings.Contains(msg, "newer version") || strings.Contains(msg, "storage version"):
		return fmt.Errorf("workspace: open %s: %w (DuckDB storage format): %v", path, ErrTooNew, err)
	}
	if fileLooksForeign(path) {
		return fmt.Errorf("workspace: open %s: %w: %v", path, ErrNotDuckDB, err)
	}
	return fmt.Errorf("workspace: open %s: %w", path, err)
}

// fileLooksForeign reports whether path exists, is non-empty and lacks DuckDB's magic bytes.
func fileLooksForeign(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 16)
	n, _ := f.Read(buf)
	if n == 0 {
		return false
	}
	return n < 12 || string(buf[8:12]) != "DUCK"
}

// Path is the workspace file path, or ":memory:".
func (w *Workspace) Path() string { return w.path }

// QueryContext runs a query that returns rows; cancelled with ctx.
func (w *Workspace) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return w.db.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query expected to return at most one row; cancelled with ctx.
func (w *Workspace) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return w.db.QueryRowContext(ctx, query, args...)
}

// ExecContext runs a statement that returns no rows; cancelled with ctx.
func (w *Workspace) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return w.db.ExecContext(ctx, query, args...)
}

// AtLeastConns raises the connection pool's cap to n while concurrent work (parallel
// appenders) needs one connection each; the returned func restores the previous cap.
func (w *Workspace) AtLeastConns(n int) (restore func()) {
	st := w.db.Stats()
	if st.MaxOpenConnections == 0 || st.MaxOpenConnections >= n {
		return func() {}
	}
	w.db.SetMaxOpenConns(n)
	return func() { w.db.SetMaxOpenConns(st.MaxOpenConnections) }
}

// Conn reserves one connection of the pool (for a sequence that must share session state,
// e.g. temp tables); the caller closes it.
func (w *Workspace) Conn(ctx context.Context) (*sql.Conn, error) { return w.db.Conn(ctx) }

// Close closes the database; the file is consistent afterwards.
func (w *Workspace) Close() error {
	if w == nil || w.db == nil {
		return nil
	}
	err := w.db.Close()
	if cerr := w.connector.Close(); err == nil {
		err = cerr
	}
	w.db = nil
	return err
}

// SizeBytes is the size of the workspace file (0 for in-memory).
func (w *Workspace) SizeBytes() int64 {
	if w.path == Memory {
		return 0
	}
	st, err := os.Stat(w.path)
	if err != nil {
		return 0
	}
	size := st.Size()
	if wal, err := os.Stat(w.path + ".wal"); err == nil {
		size += wal.Size()
	}
	return size
}

// SchemaVersion is the number of migrations this build knows.
func SchemaVersion() int { return len(migrationNames()) }

func migrationNames() []string {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		panic(err) // embedded at build time: cannot fail
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

func (w *Workspace) migrate(ctx context.Context) error {
	names := migrationNames()
	var current int
	var exists bool
	if err := w.db.QueryRowContext(ctx,
		`SELECT count(*) > 0 FROM information_schema.tables WHERE table_name = 'acrm_meta'`).Scan(&exists); err != nil {
		return fmt.Errorf("workspace: read schema version: %w", err)
	}
	if exists {
		var v sql.NullString
		err := w.db.QueryRowContext(ctx, `SELECT value FROM acrm_meta WHERE key = 'schema_version'`).Scan(&v)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("workspace: read schema version: %w", err)
		}
		if v.Valid {
			current, _ = strconv.Atoi(v.String)
		}
	}
	if current > len(names) {
		return fmt.Errorf("workspace: %s has schema version %d, this acrm knows up to %d: %w",
			w.path, current, len(names), ErrTooNew)
	}
	for i := current; i < len(names); i++ {
		body, err := migrationFS.ReadFile("migrations/" + names[i])
		if err != nil {
			return err
		}
		// A migration file holds several statements: it is the one trusted script acrm runs
		// past the single-statement guard (see ExecScript).
		script := "BEGIN TRANSACTION;\n" + string(body) + "\n;INSERT OR REPLACE INTO acrm_meta VALUES ('schema_version', " +
			QuoteString(strconv.Itoa(i+1)) + ");\nCOMMIT;"
		if err := w.ExecScript(ctx, script); err != nil {
			return fmt.Errorf("workspace: migrate %s: %w", w.path, err)
		}
	}
	return nil
}

// Tx runs fn inside a transaction, committing on nil and rolling back on error.
func (w *Workspace) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// AppendFunc adds one row to the table being appended to, values in column order.
type AppendFunc func(values ...driver.Value) error

// Append bulk-loads rows into an existing table through DuckDB's Appender, inside one
// transaction: either every row fill adds lands, or none does. Values must be Go types the
// appender accepts (int64, int32, float64, string, bool, time.Time, nil ...).
func (w *Workspace) Append(ctx context.Context, table string, fill func(add AppendFunc) error) error {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("workspace: append %s: %w", table, err)
	}
	rollback := func(err error) error {
		_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		return fmt.Errorf("workspace: append %s: %w", table, err)
	}
	err = conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderFromConn(dc.(*singleConn).Conn, "", table)
		if err != nil {
			return err
		}
		n := 0
		ferr := fill(func(values ...driver.Value) error {
			n++
			if n%65536 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			return app.AppendRow(values...)
		})
		cerr := app.Close()
		if ferr != nil {
			return ferr
		}
		return cerr
	})
	if err != nil {
		return rollback(err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return rollback(err)
	}
	return nil
}

// TableInfo describes one table or view of the workspace.
type TableInfo struct {
	Name    string
	Rows    int64
	Columns int
	IsView  bool
	Acrm    bool // one of acrm's own tables
}

// Tables lists the workspace's tables (datamart first, then acrm_* tables) with row counts.
func (w *Workspace) Tables(ctx context.Context) ([]TableInfo, error) {
	rows, err := w.db.QueryContext(ctx, `
		SELECT t.table_name, t.table_type = 'VIEW',
		       (SELECT count(*) FROM information_schema.columns c
		         WHERE c.table_name = t.table_name AND c.table_schema = t.table_schema)
		FROM information_schema.tables t
		WHERE t.table_schema = 'main'
		ORDER BY t.table_name LIKE 'acrm\_%' ESCAPE '\', t.table_name`)
	if err != nil {
		return nil, fmt.Errorf("workspace: list tables: %w", err)
	}
	var out []TableInfo
	for rows.Next() {
		var ti TableInfo
		if err := rows.Scan(&ti.Name, &ti.IsView, &ti.Columns); err != nil {
			rows.Close()
			return nil, err
		}
		ti.Acrm = strings.HasPrefix(ti.Name, "acrm_")
		out = append(out, ti)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].IsView {
			continue
		}
		if err := w.db.QueryRowContext(ctx, "SELECT count(*) FROM "+QuoteIdent(out[i].Name)).Scan(&out[i].Rows); err != nil {
			return nil, fmt.Errorf("workspace: count %s: %w", out[i].Name, err)
		}
	}
	return out, nil
}

// HasTable reports whether a table or view of that name exists.
func (w *Workspace) HasTable(ctx context.Context, name string) (bool, error) {
	var n int
	err := w.db.QueryRowContext(ctx,
		`SELECT count(*) FROM information_schema.tables WHERE table_schema='main' AND lower(table_name) = lower(?)`, name).Scan(&n)
	return n > 0, err
}

// Meta reads a key of acrm_meta ("" when absent).
func (w *Workspace) Meta(ctx context.Context, key string) (string, error) {
	var v sql.NullString
	err := w.db.QueryRowContext(ctx, `SELECT value FROM acrm_meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v.String, err
}

// SetMeta writes a key of acrm_meta.
func (w *Workspace) SetMeta(ctx context.Context, key, value string) error {
	_, err := w.db.ExecContext(ctx, `INSERT OR REPLACE INTO acrm_meta VALUES (?, ?)`, key, value)
	return err
}

// QuoteIdent quotes a SQL identifier for DuckDB.
func QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// QuoteString quotes a SQL string literal.
func QuoteString(s string) string {
	return `'` + strings.ReplaceAll(s, `'`, `''`) + `'`
}
