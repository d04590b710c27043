package services

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// HistogramBins is the number of equal-width bins of a column histogram.
const HistogramBins = 16

func isNumericType(t string) bool {
	t = strings.ToUpper(t)
	for _, p := range []string{"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL", "REAL"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

func parseFloat(v any) float64 {
	s := FormatValue(v)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// Profile summarises every column of table: type, % null, approximate distinct count,
// min/max, mean and quartiles (numeric), the three most frequent values (others) and a
// histogram of HistogramBins equal-width bins over [min, max]:
//
//	bin(x) = min(⌊(x − min) / (max − min) · bins⌋, bins − 1)
//
// One SUMMARIZE scan computes the statistics; per column an exact count(DISTINCT) and one
// GROUP BY for the bins or top values.
func (w *Workspace) Profile(ctx context.Context, table string, report func(Progress)) ([]ColumnProfile, error) {
	if report == nil {
		report = func(Progress) {}
	}
	qt := workspace.QuoteIdent(table)
	report(Progress{Stage: "summarize " + table})
	rows, err := w.db().QueryContext(ctx, "SUMMARIZE SELECT * FROM "+qt)
	if err != nil {
		return nil, queryError(ctx, fmt.Errorf("profile %s: %w", table, err))
	}
	cols, err := rows.Columns()
	if err != nil {
		rows.Close()
		return nil, err
	}
	idx := map[string]int{}
	for i, c := range cols {
		idx[c] = i
	}
	var out []ColumnProfile
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	get := func(name string) any {
		if i, ok := idx[name]; ok {
			return vals[i]
		}
		return nil
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return nil, err
		}
		p := ColumnProfile{Name: FormatValue(get("column_name")), Type: FormatValue(get("column_type")), Mean: math.NaN()}
		p.Numeric = isNumericType(p.Type)
		p.NullPct = parseFloat(get("null_percentage"))
		p.Distinct = int64(parseFloat(get("approx_unique")))
		if v := get("min"); v != nil {
			p.Min = FormatValue(v)
		}
		if v := get("max"); v != nil {
			p.Max = FormatValue(v)
		}
		if p.Numeric {
			p.Mean = parseFloat(get("avg"))
			p.Quantiles = [3]float64{parseFloat(get("q25")), parseFloat(get("q50")), parseFloat(get("q75"))}
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, queryError(ctx, err)
	}
	total := int64(len(out) + 1)
	report(Progress{Done: 1, Total: total, Stage: "profile " + table})
	for i := range out {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p := &out[i]
		qc := workspace.QuoteIdent(p.Name)
		if err := w.db().QueryRowContext(ctx, fmt.Sprintf("SELECT count(DISTINCT %s) FROM %s", qc, qt)).Scan(&p.Distinct); err != nil {
			return nil, queryError(ctx, fmt.Errorf("profile %s.%s: %w", table, p.Name, err))
		}
		if p.Numeric {
			lo, hi := parseFloat(p.Min), parseFloat(p.Max)
			if !math.IsNaN(lo) && !math.IsNaN(hi) {
				p.Histogram = make([]int64, HistogramBins)
				q := fmt.Sprintf(`SELECT CASE WHEN %[3]v <= %[2]v THEN 0 ELSE least(floor((%[1]s::DOUBLE - %[2]v) / (%[3]v - %[2]v) * %[4]d), %[5]d)::INTEGER END AS b, count(*)
					FROM %[6]s WHERE %[1]s IS NOT NULL GROUP BY 1`, qc, lo, hi, HistogramBins, HistogramBins-1, qt)
				if err := scanPairs(ctx, w.db(), q, func(b int64, n int64) {
					if b >= 0 && b < HistogramBins {
						p.Histogram[b] += n
					}
				}); err != nil {
					return nil, queryError(ctx, fmt.Errorf("profile %s.%s: %w", table, p.Name, err))
				}
			}
		} else {
			q := fmt.Sprintf(`SELECT CAST(%[1]s AS VARCHAR) AS v, count(*) AS n FROM %[2]s WHERE %[1]s IS NOT NULL
				GROUP BY 1 ORDER BY n DESC, v LIMIT 3`, qc, qt)
			r, err := w.db().QueryContext(ctx, q)
			if err != nil {
				return nil, queryError(ctx, fmt.Errorf("profile %s.%s: %w", table, p.Name, err))
			}
			for r.Next() {
				var vc ValueCount
				if err := r.Scan(&vc.Value, &vc.Count); err != nil {
					r.Close()
					return nil, err
				}
				p.TopValues = append(p.TopValues, vc)
			}
			r.Close()
			if err := r.Err(); err != nil {
				return nil, queryError(ctx, err)
			}
		}
		report(Progress{Done: int64(i + 2), Total: total, Stage: "profile " + table})
	}
	return out, nil
}

func scanPairs(ctx context.Context, db *sql.DB, q string, fn func(a, b int64)) error {
	r, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer r.Close()
	for r.Next() {
		var a sql.NullInt64
		var b int64
		if err := r.Scan(&a, &b); err != nil {
			return err
		}
		if a.Valid {
			fn(a.Int64, b)
		}
	}
	return r.Err()
}

// PreviewAlias is the alias of the previewed table inside a filter, so a filter can test the
// whole row: CAST(_row AS VARCHAR) ILIKE '%text%'.
const PreviewAlias = "_row"

// Preview returns rows [offset, offset+limit) of table (in storage order) where filter (a SQL
// boolean, "" for all rows) holds, and the number of matching rows. Only the page is read:
// LIMIT/OFFSET paging, never the whole table.
func (w *Workspace) Preview(ctx context.Context, table string, offset, limit int64, filter string) (*Page, error) {
	from := workspace.QuoteIdent(table) + " AS " + PreviewAlias
	where := ""
	if strings.TrimSpace(filter) != "" {
		where = " WHERE (" + filter + ")"
	}
	var total int64
	if err := w.db().QueryRowContext(ctx, "SELECT count(*) FROM "+from+where).Scan(&total); err != nil {
		return nil, queryError(ctx, fmt.Errorf("preview %s: filter %q: %w", table, filter, err))
	}
	rows, err := w.db().QueryContext(ctx, fmt.Sprintf("SELECT * FROM %s%s LIMIT %d OFFSET %d", from, where, limit, offset))
	if err != nil {
		return nil, queryError(ctx, fmt.Errorf("preview %s: %w", table, err))
	}
	cols, _, out, _, err := scanStrings(ctx, rows, -1)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	return &Page{Columns: cols, Rows: out, Offset: offset, Total: total}, nil
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// TableNameFor derives a table name from a file name: base name without extension, lower
// case, non-identifier characters replaced by '_'.
func TableNameFor(path string) string {
	base := strings.ToLower(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
	if strings.HasSuffix(base, ".csv") { // x.csv.gz
		base = strings.TrimSuffix(base, ".csv")
	}
	var b strings.Builder
	for i, r := range base {
		switch {
		case r >= 'a' && r <= 'z', r == '_', r >= '0' && r <= '9' && i > 0:
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	if b.Len() == 0 {
		return "imported"
	}
	return b.String()
}

// Import loads a CSV, Parquet or JSON file into a new table inside one transaction: on any
// error nothing is written.
func (w *Workspace) Import(ctx context.Context, opts ImportOptions, report func(Progress)) (ImportResult, error) {
	if report == nil {
		report = func(Progress) {}
	}
	path := opts.Path
	if strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, path[2:])
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return ImportResult{}, fmt.Errorf("import %s: file not found", opts.Path)
		}
		return ImportResult{}, fmt.Errorf("import %s: %w", opts.Path, err)
	}
	if st.IsDir() {
		return ImportResult{}, fmt.Errorf("import %s: is a directory, want a .csv, .parquet or .json file", opts.Path)
	}
	table := opts.Table
	if table == "" {
		table = TableNameFor(path)
	}
	if !identRE.MatchString(table) {
		return ImportResult{}, fmt.Errorf("import %s: table name %q: use letters, digits and _", opts.Path, table)
	}
	var reader string
	lower := strings.ToLower(path)
	switch {
	case strings.HasSuffix(lower, ".csv"), strings.HasSuffix(lower, ".csv.gz"), strings.HasSuffix(lower, ".tsv"), strings.HasSuffix(lower, ".txt"):
		reader = "read_csv_auto"
	case strings.HasSuffix(lower, ".parquet"):
		reader = "read_parquet"
	case strings.HasSuffix(lower, ".json"), strings.HasSuffix(lower, ".ndjson"), strings.HasSuffix(lower, ".jsonl"):
		reader = "read_json_auto"
	default:
		return ImportResult{}, fmt.Errorf("import %s: unknown file type %q (want .csv, .parquet or .json)", opts.Path, filepath.Ext(path))
	}
	exists, err := w.WS.HasTable(ctx, table)
	if err != nil {
		return ImportResult{}, err
	}
	if exists && !opts.Replace {
		return ImportResult{}, fmt.Errorf("import %s: table %s already exists (choose another name)", opts.Path, table)
	}
	report(Progress{Stage: "reading " + filepath.Base(path)})
	var n int64
	err = w.WS.Tx(ctx, func(tx *sql.Tx) error {
		create := "CREATE TABLE "
		if opts.Replace {
			create = "CREATE OR REPLACE TABLE "
		}
		if _, err := tx.ExecContext(ctx, create+workspace.QuoteIdent(table)+" AS SELECT * FROM "+reader+"("+workspace.QuoteString(path)+")"); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT count(*) FROM "+workspace.QuoteIdent(table)).Scan(&n)
	})
	if err != nil {
		return ImportResult{}, queryError(ctx, fmt.Errorf("import %s: %w", opts.Path, err))
	}
	report(Progress{Done: 1, Total: 1, Stage: "imported"})
	return ImportResult{Table: table, Rows: n}, nil
}
