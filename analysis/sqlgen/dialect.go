// Package sqlgen compiles acrm's models and the per-customer feature view to SQL that another
// engine runs unchanged: DuckDB, PostgreSQL and ClickHouse. Every dialect is one row of the
// dialects table below; another warehouse is one more row once an engine can be tested.
//
// The compiled model is one SELECT id, score over the feature view, built from nested
// subqueries (no CTEs, one join per SELECT where an engine needs it), with every number
// written so that the engine reads it as a 64-bit float: the same IEEE operations as the
// in-process model, so the scores agree to rounding (the tests require 1e-9).
package sqlgen

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Dialect is what differs between engines. Each field is a small template; the compiler
// never writes engine-specific SQL outside this table.
type Dialect struct {
	Name string
	// Double casts an expression to a 64-bit float; Text to text.
	Double func(x string) string
	Text   func(x string) string
	// Num writes a float64 literal that the engine reads back exactly as a 64-bit float.
	Num func(v float64) string
	// Exp and Ln are e^x and the natural logarithm.
	Exp, Ln string
	// CountIf counts rows where cond holds; CountDistinctIf the distinct x where cond holds.
	CountIf         func(cond string) string
	CountDistinctIf func(x, cond string) string
	// MaxIf is the largest x where cond holds (NULL when none).
	MaxIf func(x, cond string) string
	// Nullable keeps a subquery column NULL for a customer without rows in that subquery.
	Nullable func(x string) string
	// Epoch is a DATE or TIMESTAMP as seconds since 1970-01-01, a 64-bit float.
	Epoch func(x string) string
	// Timestamp writes a timestamp literal (UTC).
	Timestamp func(t time.Time) string
	// DayDiff is the number of day boundaries from timestamp a to timestamp b (b's date − a's date).
	DayDiff func(a, b string) string
	// Join joins the subqueries onto base (a table name) by the id column, as LEFT joins;
	// cols is the select list over the joined columns (unqualified: names are unique).
	Join func(base string, subs []string, id string, cols []string) string
	// Fence ends every nested SELECT of a compiled model so that the planner computes each
	// layer once instead of inlining a column's expression wherever it is used (PostgreSQL
	// flattens subqueries; OFFSET 0 keeps them).
	Fence string
	// Prelude is written before the job's statements (settings a large expression needs).
	Prelude []string
	// Types maps a DuckDB column type (upper case, as DESCRIBE gives it) to this engine's
	// type for CREATE TABLE; "" = the engine lacks it.
	Types func(duck string) string
	// FileNote is the first comment line of an emitted file: how to run it.
	FileNote string

	// For the batch job of score --all:
	// Float32 rounds a 64-bit float to the nearest 32-bit float; Int casts to a 32-bit integer.
	Float32, Int func(x string) string
	// Date writes a date literal; ToTimestamp casts a DATE to a timestamp (midnight UTC).
	Date        func(t time.Time) string
	ToTimestamp func(x string) string
	// TableEngine ends CREATE TABLE (the storage of the job's own tables, sorted by key).
	TableEngine func(key string) string
	// LeftJoin is the keyword of a left join whose unmatched rows get NULL (or 0) columns.
	LeftJoin string
	// Join2 joins two subqueries by key (inner join, every match).
	Join2 func(left, right, key string) string
	// Rename renames a table.
	Rename func(from, to string) string
	// TreeWalk compiles trees as arrays walked level by level instead of nested CASEs.
	TreeWalk bool
	// Rank is the SELECT of the ranked offers from the job's candidates, keeping keep per
	// customer.
	Rank func(keep int) string
}

func same(x string) string { return x }

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Ident quotes an identifier (double quotes, which every dialect here reads).
func (d *Dialect) Ident(s string) string { return quoteIdent(s) }

// String quotes a string literal.
func (d *Dialect) String(s string) string {
	s = strings.ReplaceAll(s, `'`, `''`)
	if d.Name == "clickhouse" {
		s = strings.ReplaceAll(s, `\`, `\\`)
	}
	return "'" + s + "'"
}

// num64 is the shortest decimal that reads back as v, always with an exponent (DuckDB reads
// 0.1 as a DECIMAL, 1e-1 as a DOUBLE).
func num64(v float64) string { return strconv.FormatFloat(v, 'e', -1, 64) }

func standardJoin(base string, subs []string, id string, cols []string) string {
	var b strings.Builder
	b.WriteString("SELECT " + strings.Join(cols, ",\n  ") + "\nFROM " + base + " c")
	for k, s := range subs {
		fmt.Fprintf(&b, "\nLEFT JOIN (%s) j%d USING (%s)", s, k, id)
	}
	return b.String()
}

var duckTypes = map[string][3]string{ // duckdb, postgres, clickhouse
	"BOOLEAN":   {"BOOLEAN", "BOOLEAN", "UInt8"},
	"TINYINT":   {"TINYINT", "SMALLINT", "Int8"},
	"SMALLINT":  {"SMALLINT", "SMALLINT", "Int16"},
	"INTEGER":   {"INTEGER", "INTEGER", "Int32"},
	"BIGINT":    {"BIGINT", "BIGINT", "Int64"},
	"HUGEINT":   {"HUGEINT", "NUMERIC(38)", ""},
	"FLOAT":     {"FLOAT", "REAL", "Float32"},
	"DOUBLE":    {"DOUBLE", "DOUBLE PRECISION", "Float64"},
	"VARCHAR":   {"VARCHAR", "TEXT", "String"},
	"DATE":      {"DATE", "DATE", "Date"},
	"TIMESTAMP": {"TIMESTAMP", "TIMESTAMP", "DateTime"},
}

func typeMap(i int) func(string) string {
	return func(t string) string {
		if v, ok := duckTypes[strings.ToUpper(t)]; ok {
			return v[i]
		}
		return ""
	}
}

var dialects = map[string]*Dialect{
	"duckdb": {
		Name:            "duckdb",
		Double:          func(x string) string { return "CAST(" + x + " AS DOUBLE)" },
		Text:            func(x string) string { return "CAST(" + x + " AS VARCHAR)" },
		Num:             num64,
		Exp:             "exp",
		Ln:              "ln",
		CountIf:         func(c string) string { return "count(*) FILTER (WHERE " + c + ")" },
		CountDistinctIf: func(x, c string) string { return "count(DISTINCT " + x + ") FILTER (WHERE " + c + ")" },
		MaxIf:           func(x, c string) string { return "max(" + x + ") FILTER (WHERE " + c + ")" },
		Timestamp:       func(t time.Time) string { return "TIMESTAMP '" + t.UTC().Format("2006-01-02 15:04:05") + "'" },
		DayDiff:         func(a, b string) string { return "date_diff('day', " + a + ", " + b + ")" },
		Nullable:        same,
		Epoch:           func(x string) string { return "epoch(" + x + ")" },
		Join:            standardJoin,
		Types:           typeMap(0),
		FileNote:        "duckdb WORKSPACE.duckdb < FILE.sql",
		Float32:         func(x string) string { return "CAST(" + x + " AS FLOAT)" },
		Date:            func(t time.Time) string { return "DATE '" + t.UTC().Format("2006-01-02") + "'" },
		ToTimestamp:     func(x string) string { return "CAST(" + x + " AS TIMESTAMP)" },
		Int:             func(x string) string { return "CAST(" + x + " AS INTEGER)" },
		LeftJoin:        "LEFT JOIN",
		Join2:           standardJoin2,
		Rename:          func(a, b string) string { return "ALTER TABLE " + quoteIdent(a) + " RENAME TO " + quoteIdent(b) },
		Rank:            windowRank,
		TableEngine:     func(string) string { return "" },
	},
	"postgres": {
		Name:            "postgres",
		Double:          func(x string) string { return "CAST(" + x + " AS DOUBLE PRECISION)" },
		Text:            func(x string) string { return "CAST(" + x + " AS TEXT)" },
		Num:             func(v float64) string { return "CAST('" + num64(v) + "' AS DOUBLE PRECISION)" },
		Exp:             "exp",
		Ln:              "ln",
		CountIf:         func(c string) string { return "count(*) FILTER (WHERE " + c + ")" },
		CountDistinctIf: func(x, c string) string { return "count(DISTINCT " + x + ") FILTER (WHERE " + c + ")" },
		MaxIf:           func(x, c string) string { return "max(" + x + ") FILTER (WHERE " + c + ")" },
		Timestamp:       func(t time.Time) string { return "TIMESTAMP '" + t.UTC().Format("2006-01-02 15:04:05") + "'" },
		DayDiff:         func(a, b string) string { return "(CAST(" + b + " AS DATE) - CAST(" + a + " AS DATE))" },
		Nullable:        same,
		Epoch:           func(x string) string { return "CAST(EXTRACT(EPOCH FROM " + x + ") AS DOUBLE PRECISION)" },
		Join:            standardJoin,
		Fence:           " OFFSET 0",
		Types:           typeMap(1),
		FileNote:        "psql -v ON_ERROR_STOP=1 -f FILE.sql",
		Float32:         func(x string) string { return "CAST(" + x + " AS REAL)" },
		Date:            func(t time.Time) string { return "DATE '" + t.UTC().Format("2006-01-02") + "'" },
		ToTimestamp:     func(x string) string { return "CAST(" + x + " AS TIMESTAMP)" },
		Int:             func(x string) string { return "CAST(" + x + " AS INTEGER)" },
		LeftJoin:        "LEFT JOIN",
		Join2:           standardJoin2,
		Rename:          func(a, b string) string { return "ALTER TABLE " + quoteIdent(a) + " RENAME TO " + quoteIdent(b) },
		Rank:            windowRank,
		TableEngine:     func(string) string { return "" },
	},
	"clickhouse": {
		Name:            "clickhouse",
		Double:          func(x string) string { return "toFloat64(" + x + ")" },
		Text:            func(x string) string { return "toString(" + x + ")" },
		Num:             func(v float64) string { return "toFloat64(" + num64(v) + ")" },
		Exp:             "exp",
		Ln:              "log",
		CountIf:         func(c string) string { return "countIf(" + c + ")" },
		CountDistinctIf: func(x, c string) string { return "uniqExactIf(" + x + ", " + c + ")" },
		MaxIf:           func(x, c string) string { return "if(countIf(" + c + ") = 0, NULL, maxIf(" + x + ", " + c + "))" },
		Timestamp:       func(t time.Time) string { return "toDateTime('" + t.UTC().Format("2006-01-02 15:04:05") + "', 'UTC')" },
		DayDiff: func(a, b string) string {
			return "(toRelativeDayNum(" + b + ", 'UTC') - toRelativeDayNum(" + a + ", 'UTC'))"
		},
		Nullable:    func(x string) string { return "toNullable(" + x + ")" },
		Epoch:       func(x string) string { return "toFloat64(toUInt32(toDateTime(" + x + ")))" },
		Join:        clickhouseJoin,
		Prelude:     []string{"SET max_query_size = 1000000000", "SET max_ast_elements = 100000000", "SET max_expanded_ast_elements = 100000000", "SET max_ast_depth = 100000", "SET distributed_product_mode = 'global'"},
		Types:       typeMap(2),
		FileNote:    "clickhouse-client --multiquery < FILE.sql",
		Float32:     func(x string) string { return "toFloat32(" + x + ")" },
		Int:         func(x string) string { return "toInt32(" + x + ")" },
		Date:        func(t time.Time) string { return "toDate('" + t.UTC().Format("2006-01-02") + "')" },
		ToTimestamp: func(x string) string { return "toDateTime(" + x + ", 'UTC')" },
		TableEngine: func(key string) string { return " ENGINE = MergeTree() ORDER BY " + key },
		LeftJoin:    "ANY LEFT JOIN",
		Join2: func(l, r, key string) string {
			return "SELECT * FROM (" + l + ")\nALL INNER JOIN (" + r + ") USING " + key
		},
		Rename:   func(a, b string) string { return "RENAME TABLE " + quoteIdent(a) + " TO " + quoteIdent(b) },
		Rank:     arrayRank,
		TreeWalk: true,
	},
}

func standardJoin2(l, r, key string) string {
	return "SELECT * FROM (" + l + ") l\nJOIN (" + r + ") r USING (" + key + ")"
}

// clickhouseJoin nests one join per SELECT (older ClickHouse releases join two tables at a
// time). ANY LEFT JOIN fills a customer without rows in a subquery with the columns' default
// values (0), which is what the view's coalesce(…, 0) asks for; columns that must stay NULL
// are guarded by a 1-valued presence column of their subquery.
func clickhouseJoin(base string, subs []string, id string, cols []string) string {
	from := "(SELECT * FROM " + base + ")"
	for _, s := range subs {
		from = "(SELECT * FROM " + from + "\nGLOBAL ANY LEFT JOIN (" + s + ") USING " + id + ")"
	}
	return "SELECT " + strings.Join(cols, ",\n  ") + "\nFROM " + from
}

// Lookup returns the dialect called name; an unknown name is an error listing the known ones.
func Lookup(name string) (*Dialect, error) {
	if d, ok := dialects[strings.ToLower(strings.TrimSpace(name))]; ok {
		return d, nil
	}
	return nil, fmt.Errorf("sqlgen: unknown dialect %q (want %s)", name, strings.Join(Names(), ", "))
}

// Names lists the dialects.
func Names() []string {
	var out []string
	for n := range dialects {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
