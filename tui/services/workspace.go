package services

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Workspace implements Services over an open workspace.
type Workspace struct {
	WS *workspace.Workspace
	// CustomerTable is the one-row-per-customer table segments filter ("customers").
	CustomerTable string
}

// New returns Services backed by ws.
func New(ws *workspace.Workspace) *Workspace {
	return &Workspace{WS: ws, CustomerTable: "customers"}
}

var _ Services = (*Workspace)(nil)

// Path is the workspace file path.
func (w *Workspace) Path() string { return w.WS.Path() }

// SizeBytes is the workspace file size.
func (w *Workspace) SizeBytes() int64 { return w.WS.SizeBytes() }

// Tables lists tables with row counts.
func (w *Workspace) Tables(ctx context.Context) ([]TableInfo, error) { return w.WS.Tables(ctx) }

func (w *Workspace) db() *sql.DB { return w.WS.DB() }

// FormatValue renders a scanned database value for display.
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return x
	case []byte:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int8:
		return strconv.FormatInt(int64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case float64:
		return FormatFloat(x)
	case float32:
		return FormatFloat(float64(x))
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04:05")
	}
	return fmt.Sprint(v)
}

// FormatFloat renders a float with at most 6 significant decimals and no exponent for
// everyday magnitudes.
func FormatFloat(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	if math.Abs(x) >= 1e15 || math.Abs(x) < 1e-4 {
		return strconv.FormatFloat(x, 'g', 6, 64)
	}
	s := strconv.FormatFloat(x, 'f', 6, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// scanStrings reads up to max rows (max < 0: all) as strings. truncated reports whether
// more rows were available.
func scanStrings(ctx context.Context, rows *sql.Rows, max int) (cols, types []string, out [][]string, truncated bool, err error) {
	defer rows.Close()
	cols, err = rows.Columns()
	if err != nil {
		return nil, nil, nil, false, err
	}
	if cts, err := rows.ColumnTypes(); err == nil {
		for _, ct := range cts {
			types = append(types, ct.DatabaseTypeName())
		}
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if max >= 0 && len(out) >= max {
			truncated = true
			break
		}
		if len(out)%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, nil, false, err
			}
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, nil, false, err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = FormatValue(v)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, false, err
	}
	return cols, types, out, truncated, ctx.Err()
}

// Query runs one statement and returns at most maxRows rows as strings. A cancelled ctx
// interrupts DuckDB.
func (w *Workspace) Query(ctx context.Context, query string, maxRows int) (*QueryResult, error) {
	q := strings.TrimSpace(query)
	q = strings.TrimSuffix(q, ";")
	if q == "" {
		return nil, errors.New("sql: empty query")
	}
	start := time.Now()
	rows, err := w.db().QueryContext(ctx, q)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	cols, types, out, trunc, err := scanStrings(ctx, rows, maxRows)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	return &QueryResult{Columns: cols, Types: types, Rows: out, Truncated: trunc, Elapsed: time.Since(start)}, nil
}

func queryError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("sql: %w", err)
}

// ExportQuery writes the full result of query to path (.csv or .parquet) through a temporary
// file and a rename, so a failed export leaves no partial file. It returns the row count.
func (w *Workspace) ExportQuery(ctx context.Context, query, path string) (int64, error) {
	q := strings.TrimSuffix(strings.TrimSpace(query), ";")
	if q == "" {
		return 0, errors.New("export: empty query")
	}
	var format string
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		format = "FORMAT csv, HEADER true"
	case ".parquet":
		format = "FORMAT parquet"
	default:
		return 0, fmt.Errorf("export %s: unknown file type %q (want .csv or .parquet)", path, filepath.Ext(path))
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return 0, fmt.Errorf("export %s: directory %s does not exist", path, dir)
	}
	tmp := filepath.Join(dir, "."+filepath.Base(path)+".tmp")
	var n int64
	_, err := w.db().ExecContext(ctx, fmt.Sprintf("COPY (%s) TO %s (%s)", q, workspace.QuoteString(tmp), format))
	if err != nil {
		_ = os.Remove(tmp)
		return 0, queryError(ctx, err)
	}
	if err := w.db().QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (%s)", q)).Scan(&n); err != nil {
		_ = os.Remove(tmp)
		return 0, queryError(ctx, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return 0, fmt.Errorf("export %s: %w", path, err)
	}
	return n, nil
}

// History returns the most recent distinct queries, newest first.
func (w *Workspace) History(ctx context.Context, limit int) ([]string, error) {
	rows, err := w.db().QueryContext(ctx, `
		SELECT query FROM acrm_query_history
		GROUP BY query ORDER BY max(id) DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var q string
		if err := rows.Scan(&q); err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// AddHistory records a console query.
func (w *Workspace) AddHistory(ctx context.Context, query string, elapsed time.Duration, n int64, qerr error) error {
	var msg sql.NullString
	if qerr != nil {
		msg = sql.NullString{String: qerr.Error(), Valid: true}
	}
	_, err := w.db().ExecContext(ctx, `
		INSERT INTO acrm_query_history
		SELECT coalesce(max(id), 0) + 1, now()::TIMESTAMP, ?, ?, ?, ? FROM acrm_query_history`,
		query, float64(elapsed.Microseconds())/1000, n, msg)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	return nil
}
