// Package explore answers the Data screen's questions about a workspace table: a profile of
// every column (nulls, distinct values, range, mean, quantiles, top values, histogram) and a
// paged, filterable preview of its rows.
//
// Everything is computed inside DuckDB through the workspace's *sql.DB with QueryContext, so
// a cancelled context interrupts the query and no table is ever loaded into Go: Profile runs
// three queries per table whatever its size, Preview two per page (the count and the page).
package explore

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/progress"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Progress is the one progress report of long calls (analysis/progress).
type Progress = progress.Progress

// Null is how Preview and FormatValue show SQL NULL.
const Null = "∅"

// Kind is the broad family of a column's DuckDB type, which decides how it is profiled,
// filtered and bucketed.
type Kind string

// The kinds of column.
const (
	Numeric     Kind = "numeric"     // integers, floats, decimals
	Categorical Kind = "categorical" // VARCHAR, ENUM, UUID, TIME
	Boolean     Kind = "boolean"     // BOOLEAN
	Date        Kind = "date"        // DATE, TIMESTAMP[ WITH TIME ZONE]
	Other       Kind = "other"       // LIST, STRUCT, MAP, BLOB, INTERVAL …: shown as text only
)

// KindOf classifies a DuckDB type name as reported by information_schema.columns
// (e.g. "BIGINT", "DECIMAL(18,3)", "VARCHAR", "TIMESTAMP WITH TIME ZONE", "INTEGER[]").
func KindOf(duckType string) Kind {
	t := strings.ToUpper(strings.TrimSpace(duckType))
	switch {
	case strings.HasSuffix(t, "]") || strings.HasPrefix(t, "STRUCT") || strings.HasPrefix(t, "MAP") ||
		strings.HasPrefix(t, "UNION"):
		return Other
	case strings.HasPrefix(t, "DECIMAL") || strings.HasPrefix(t, "NUMERIC"):
		return Numeric
	case strings.HasPrefix(t, "ENUM"):
		return Categorical
	}
	switch t {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
		"UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "REAL", "DOUBLE", "INT", "INT4", "INT8",
		"INT2", "INT1", "FLOAT4", "FLOAT8":
		return Numeric
	case "VARCHAR", "TEXT", "STRING", "UUID", "JSON", "CHAR", "BPCHAR", "TIME", "TIME WITH TIME ZONE", "TIMETZ":
		// A time of day has no year to bucket by: treat it as text.
		return Categorical
	case "BOOLEAN", "BOOL":
		return Boolean
	case "DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ", "DATETIME",
		"TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS":
		return Date
	}
	return Other
}

// Column is one column of a table: its name, DuckDB type and kind.
type Column struct {
	Name string
	Type string
	Kind Kind
}

// TableColumns returns the real name of table (matched case-insensitively, as DuckDB does)
// and its columns in order. It fails with an error naming the table when the workspace has
// no table or view of that name.
func TableColumns(ctx context.Context, ws *workspace.Workspace, table string) (string, []Column, error) {
	rows, err := ws.QueryContext(ctx, `
		SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = 'main' AND lower(table_name) = lower(?)
		ORDER BY ordinal_position`, table)
	if err != nil {
		return "", nil, fmt.Errorf("explore: columns of %q: %w", table, err)
	}
	defer rows.Close()
	var name string
	var cols []Column
	for rows.Next() {
		var c Column
		if err := rows.Scan(&name, &c.Name, &c.Type); err != nil {
			return "", nil, fmt.Errorf("explore: columns of %q: %w", table, err)
		}
		c.Kind = KindOf(c.Type)
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return "", nil, fmt.Errorf("explore: columns of %q: %w", table, err)
	}
	if len(cols) == 0 {
		return "", nil, fmt.Errorf("explore: table %q does not exist in workspace %s", table, ws.Path())
	}
	return name, cols, nil
}

// FormatValue formats a value scanned from DuckDB for display: NULL as Null (∅), floats
// rounded to 6 significant digits without an exponent for magnitudes in [1e-4, 1e15),
// integers in full, dates as 2006-01-02, timestamps as 2006-01-02 15:04:05 (with
// fractional seconds only when present), booleans as true/false, anything else with fmt.
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return Null
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
	case int:
		return strconv.Itoa(x)
	case uint64:
		return strconv.FormatUint(x, 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case uint16:
		return strconv.FormatUint(uint64(x), 10)
	case uint8:
		return strconv.FormatUint(uint64(x), 10)
	case float64:
		return FormatFloat(x)
	case float32:
		return FormatFloat(float64(x))
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		if x.Nanosecond() != 0 {
			return x.Format("2006-01-02 15:04:05.999999")
		}
		return x.Format("2006-01-02 15:04:05")
	case fmt.Stringer:
		return x.String()
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return Null
		}
		return FormatValue(rv.Elem().Interface())
	}
	return fmt.Sprint(v)
}

// FormatFloat formats x for display in plain decimal notation with 6 significant digits, or
// 2 decimals when that keeps more (|x| ≥ 1e4: 1234567.891 → 1234567.89), trailing zeros
// trimmed. Magnitudes below 1e-4 or from 1e15 up use exponent notation (6 significant
// digits). NaN and ±Inf print as NaN, +Inf, -Inf.
func FormatFloat(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "+Inf"
	case math.IsInf(x, -1):
		return "-Inf"
	case x == 0:
		return "0"
	}
	a := math.Abs(x)
	if a < 1e-4 || a >= 1e15 {
		return strconv.FormatFloat(x, 'g', 6, 64)
	}
	if a >= 1e4 {
		return trimZeros(strconv.FormatFloat(x, 'f', 2, 64))
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 6, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
