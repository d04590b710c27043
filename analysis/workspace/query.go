package workspace

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
)

// Result is a query result formatted for display, capped at a row limit.
type Result struct {
	Columns   []string
	Types     []string
	Rows      [][]string
	Truncated bool // more rows existed than the cap
	Elapsed   time.Duration
}

// Query runs one SQL statement and returns at most maxRows rows as display strings
// (maxRows <= 0 means 10,000). Statements that return no rows give an empty Result.
// Cancel ctx to interrupt DuckDB.
func (w *Workspace) Query(ctx context.Context, q string, maxRows int) (*Result, error) {
	if maxRows <= 0 {
		maxRows = 10000
	}
	start := time.Now()
	rows, err := w.db.QueryContext(ctx, q)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	defer rows.Close()
	res := &Result{}
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	for _, ct := range cts {
		res.Columns = append(res.Columns, ct.Name())
		res.Types = append(res.Types, ct.DatabaseTypeName())
	}
	vals := make([]any, len(cts))
	ptrs := make([]any, len(cts))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if len(res.Rows) >= maxRows {
			res.Truncated = true
			break
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = FormatValue(v)
		}
		res.Rows = append(res.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return nil, queryError(ctx, err)
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

func queryError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// FormatValue renders a scanned database value for display; NULL is "NULL".
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return x
	case []byte:
		return fmt.Sprintf("<%d bytes>", len(x))
	case float64:
		return formatFloat(x)
	case float32:
		return formatFloat(float64(x))
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04:05")
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// formatFloat renders a float with up to 10 significant digits, no trailing zeros.
func formatFloat(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	return strconv.FormatFloat(f, 'g', 10, 64)
}

// HistoryEntry is one query of the SQL console history.
type HistoryEntry struct {
	ID      int64
	TS      time.Time
	Query   string
	Elapsed time.Duration
	Rows    int64
	Error   string
}

// RecordQuery appends a query to acrm_query_history.
func (w *Workspace) RecordQuery(ctx context.Context, q string, elapsed time.Duration, nRows int64, qerr error) error {
	var errText sql.NullString
	if qerr != nil {
		errText = sql.NullString{String: qerr.Error(), Valid: true}
	}
	_, err := w.db.ExecContext(ctx, `INSERT INTO acrm_query_history
		SELECT coalesce(max(id), 0) + 1, now()::TIMESTAMP, ?, ?, ?, ? FROM acrm_query_history`,
		q, float64(elapsed.Microseconds())/1000, nRows, errText)
	return err
}

// History returns the newest queries first (limit <= 0: 500).
func (w *Workspace) History(ctx context.Context, limit int) ([]HistoryEntry, error) {
	if limit <= 0 {
		limit = 500
	}
	rows, err := w.db.QueryContext(ctx, `SELECT id, ts, query, coalesce(elapsed_ms, 0), coalesce(n_rows, 0), coalesce(error, '')
		FROM acrm_query_history ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []HistoryEntry
	for rows.Next() {
		var h HistoryEntry
		var ms float64
		if err := rows.Scan(&h.ID, &h.TS, &h.Query, &ms, &h.Rows, &h.Error); err != nil {
			return nil, err
		}
		h.Elapsed = time.Duration(ms * float64(time.Millisecond))
		out = append(out, h)
	}
	return out, rows.Err()
}

// ExportFormat tells the COPY format from a file's extension.
func ExportFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return "csv", nil
	case ".parquet", ".pq":
		return "parquet", nil
	case ".json", ".ndjson", ".jsonl":
		return "json", nil
	}
	return "", fmt.Errorf("export %s: unknown extension %q: expected .csv, .parquet or .json", path, filepath.Ext(path))
}

// Export writes a table to a file (format from the extension); see ExportQuery.
func (w *Workspace) Export(ctx context.Context, table, path string) (int64, error) {
	ok, err := w.HasTable(ctx, table)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("export: no table %q in %s", table, w.path)
	}
	return w.ExportQuery(ctx, "SELECT * FROM "+QuoteIdent(table), path)
}

// ExportQuery writes the result of a query to path through DuckDB's COPY, into a temporary
// file in the same directory that is renamed into place only when complete: a failed or
// cancelled export leaves no partial file. It returns the number of rows written.
func (w *Workspace) ExportQuery(ctx context.Context, q, path string) (int64, error) {
	format, err := ExportFormat(path)
	if err != nil {
		return 0, err
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return 0, fmt.Errorf("export %s: directory %s does not exist", path, dir)
	}
	tmpf, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", path, err)
	}
	tmp := tmpf.Name()
	tmpf.Close()
	defer os.Remove(tmp) // no-op after a successful rename
	opts := "FORMAT " + format
	if format == "csv" {
		opts += ", HEADER"
	}
	var n int64
	copyQ := "COPY (" + strings.TrimRight(strings.TrimSpace(q), ";") + ") TO " + QuoteString(tmp) + " (" + opts + ")"
	if err := w.db.QueryRowContext(ctx, copyQ).Scan(&n); err != nil && !errors.Is(err, sql.ErrNoRows) {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, fmt.Errorf("export %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return 0, fmt.Errorf("export %s: %w", path, err)
	}
	return n, nil
}
