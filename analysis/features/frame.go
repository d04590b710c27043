// Package features turns workspace tables into model inputs: the per-customer feature view
// built in DuckDB SQL from the datamart (customers, holdings, contacts, events, optouts), a
// columnar Frame loaded from any table or query, and an Encoder that maps a Frame onto a
// numeric model.Matrix and serializes, so scoring applies exactly the training transform.
package features

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/acrm-dev/acrm/analysis/progress"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Progress is the one progress report of long calls (analysis/progress).
type Progress = progress.Progress

// Column is one column of a Frame. Numeric columns hold Num (NaN = NULL); categorical ones
// hold Str with Null marking SQL NULLs.
type Column struct {
	Name    string
	Type    string // DuckDB type as found in the source
	Numeric bool
	Num     []float64
	Str     []string
	Null    []bool
}

// IsNull reports whether row i is NULL.
func (c *Column) IsNull(i int) bool {
	if c.Numeric {
		return math.IsNaN(c.Num[i])
	}
	return c.Null[i]
}

// Frame is a column-oriented table held in memory: an id column, feature columns and
// optionally a boolean target (1 = true, 0 = false).
type Frame struct {
	IDName string
	IDs    []string
	Cols   []*Column
	Target []float64 // nil when the frame was loaded without a target
	Rows   int
	// TargetInputs are the columns the target expression reads; Load leaves them out of
	// the features.
	TargetInputs []string
}

// Col returns the column called name (case-insensitive), or nil.
func (f *Frame) Col(name string) *Column {
	for _, c := range f.Cols {
		if strings.EqualFold(c.Name, name) {
			return c
		}
	}
	return nil
}

// Names lists the feature column names in order.
func (f *Frame) Names() []string {
	out := make([]string, len(f.Cols))
	for i, c := range f.Cols {
		out[i] = c.Name
	}
	return out
}

// Subset returns a frame of the rows idx (copied).
func (f *Frame) Subset(idx []int) *Frame {
	out := &Frame{IDName: f.IDName, Rows: len(idx), IDs: make([]string, len(idx))}
	for j, i := range idx {
		out.IDs[j] = f.IDs[i]
	}
	if f.Target != nil {
		out.Target = make([]float64, len(idx))
		for j, i := range idx {
			out.Target[j] = f.Target[i]
		}
	}
	for _, c := range f.Cols {
		nc := &Column{Name: c.Name, Type: c.Type, Numeric: c.Numeric}
		if c.Numeric {
			nc.Num = make([]float64, len(idx))
			for j, i := range idx {
				nc.Num[j] = c.Num[i]
			}
		} else {
			nc.Str = make([]string, len(idx))
			nc.Null = make([]bool, len(idx))
			for j, i := range idx {
				nc.Str[j], nc.Null[j] = c.Str[i], c.Null[i]
			}
		}
		out.Cols = append(out.Cols, nc)
	}
	return out
}

// Without returns a shallow copy of f without the named columns (case-insensitive).
func (f *Frame) Without(names ...string) *Frame {
	drop := map[string]bool{}
	for _, n := range names {
		drop[strings.ToLower(n)] = true
	}
	out := *f
	out.Cols = nil
	for _, c := range f.Cols {
		if !drop[strings.ToLower(c.Name)] {
			out.Cols = append(out.Cols, c)
		}
	}
	return &out
}

// LoadSpec says what to load into a Frame.
type LoadSpec struct {
	// Query is a SELECT (or a bare table name) whose rows become the frame.
	Query string
	// ID is the id column (kept as the row id, never a feature); it must be unique and
	// non-null. Empty: the rows are numbered 1, 2, … in the query's order (IDName RowNumber),
	// counting rows whose target is NULL too, so that scoring the same table numbers them alike.
	ID string
	// Target is an optional SQL boolean expression over the query's columns; rows where it
	// is NULL are skipped, and the columns it reads are not features.
	Target string
	// Exclude lists columns that are not features.
	Exclude []string
	// Rows, when known, is how many rows the query returns (the columns are allocated for
	// them at once instead of grown); 0 = unknown.
	Rows int
}

// identRe finds the identifiers (bare or double-quoted) of a SQL expression.
var (
	identRe  = regexp.MustCompile(`"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*`)
	strLitRe = regexp.MustCompile(`'(?:[^']|'')*'`)
)

// RowNumber is the id name of a frame loaded without an id column: its ids are the row
// numbers 1, 2, … in the query's order.
const RowNumber = "row"

// IDError is returned when the id column is not a usable id: NULL ids or duplicates.
type IDError struct {
	Source, Column string
	Nulls          int    // rows with a NULL id
	Duplicates     int    // ids that appear more than once
	Example        string // one duplicated id
	Count          int    // how often Example appears
}

func (e *IDError) Error() string {
	var what []string
	if e.Duplicates > 0 {
		what = append(what, fmt.Sprintf("%d id value(s) appear more than once (e.g. %q on %d rows)", e.Duplicates, e.Example, e.Count))
	}
	if e.Nulls > 0 {
		what = append(what, fmt.Sprintf("%d row(s) have a NULL id", e.Nulls))
	}
	return fmt.Sprintf("id column %q of %s is not a unique id: %s; give a column with one distinct value per row, or leave --id out to number the rows", e.Column, e.Source, strings.Join(what, " and "))
}

// TargetColumn is the alias of the evaluated target expression inside Load's query.
const TargetColumn = "__acrm_target"

// IsBareName reports whether q looks like a table name rather than a query (LoadSpec.Query
// takes either).
func IsBareName(q string) bool { return isBareName(q) }

// isBareName reports whether q looks like a table name rather than a query.
func isBareName(q string) bool {
	q = strings.TrimSpace(q)
	return q != "" && !strings.ContainsAny(q, " \t\n(")
}

// fromClause turns a table name or query into something usable after FROM.
func fromClause(q string) string {
	if isBareName(q) {
		return workspace.QuoteIdent(q)
	}
	return "(" + q + ")"
}

type describedCol struct{ name, typ string }

func describe(ctx context.Context, db *workspace.Workspace, query string) ([]describedCol, error) {
	rows, err := db.QueryContext(ctx, "DESCRIBE SELECT * FROM "+fromClause(query)+" AS src")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []describedCol
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, describedCol{name: fmt.Sprint(vals[0]), typ: fmt.Sprint(vals[1])})
	}
	return out, rows.Err()
}

// numericType reports whether a DuckDB type is loaded as a number: integers, floats,
// decimals and booleans (0/1); dates and timestamps become days since 1970-01-01.
func numericType(t string) bool {
	t = strings.ToUpper(t)
	switch {
	case strings.HasPrefix(t, "DECIMAL"), strings.HasPrefix(t, "NUMERIC"):
		return true
	}
	switch t {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
		"UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "REAL", "BOOLEAN",
		"DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS":
		return true
	}
	return false
}

func numericExpr(name, typ string) string {
	q := workspace.QuoteIdent(name)
	t := strings.ToUpper(typ)
	switch {
	case t == "DATE":
		return fmt.Sprintf("CAST(epoch(%s) / 86400.0 AS DOUBLE)", q)
	case strings.HasPrefix(t, "TIMESTAMP"):
		return fmt.Sprintf("CAST(epoch(%s) / 86400.0 AS DOUBLE)", q)
	case t == "BOOLEAN":
		return fmt.Sprintf("CAST(%s AS DOUBLE)", q)
	}
	return fmt.Sprintf("CAST(%s AS DOUBLE)", q)
}

// TargetError is returned when a target expression is not usable.
type TargetError struct {
	Expr, Msg string
}

func (e *TargetError) Error() string { return fmt.Sprintf("target %q: %s", e.Expr, e.Msg) }

// CheckTarget checks that target is one boolean expression over the rows of from (the text
// after FROM; label names it in messages): a *TargetError otherwise.
func CheckTarget(ctx context.Context, db *workspace.Workspace, label, from, target string) error {
	if err := workspace.CheckExpression(target); err != nil {
		return &TargetError{Expr: target, Msg: err.Error()}
	}
	tt, err := describe(ctx, db, "SELECT ("+target+") AS "+TargetColumn+" FROM "+from+" AS src")
	if err != nil && ctx.Err() != nil {
		return ctx.Err() // cancelled, not a bad target
	}
	if err != nil {
		return &TargetError{Expr: target, Msg: fmt.Sprintf("does not evaluate on %s: %v", label, err)}
	}
	if len(tt) != 1 || !strings.EqualFold(tt[0].typ, "BOOLEAN") {
		typ := "?"
		if len(tt) == 1 {
			typ = tt[0].typ
		}
		return &TargetError{Expr: target, Msg: fmt.Sprintf("is not a boolean expression: DuckDB found type %s (write a comparison, e.g. churn = 'yes')", typ)}
	}
	return nil
}

// FromClause turns a table name or query into the text after FROM (a quoted name or a
// parenthesised query).
func FromClause(q string) string { return fromClause(q) }

// Load reads spec.Query into a Frame. Numeric, boolean and date columns become float64
// (NULL = NaN); everything else is read as text. The target expression must be BOOLEAN: any
// other type is an error naming the expression and the type DuckDB found.
func Load(ctx context.Context, db *workspace.Workspace, spec LoadSpec, report func(Progress)) (*Frame, error) {
	// The source and the target may come from a stored model: a table name, one SELECT and
	// one expression, nothing more (issue 17).
	if !isBareName(spec.Query) {
		if err := workspace.CheckQuery(spec.Query); err != nil {
			return nil, fmt.Errorf("features: source %s: %w", spec.Query, err)
		}
	}
	if strings.TrimSpace(spec.Target) != "" {
		if err := workspace.CheckExpression(spec.Target); err != nil {
			return nil, &TargetError{Expr: spec.Target, Msg: err.Error()}
		}
	}
	cols, err := describe(ctx, db, spec.Query)
	if err != nil {
		return nil, fmt.Errorf("features: read %s: %w", spec.Query, err)
	}
	exclude := map[string]bool{}
	for _, e := range spec.Exclude {
		exclude[strings.ToLower(strings.TrimSpace(e))] = true
	}
	var idCol *describedCol
	targetCols := map[string]bool{}
	if spec.Target != "" {
		for _, tok := range identRe.FindAllString(strLitRe.ReplaceAllString(spec.Target, "''"), -1) {
			targetCols[strings.ToLower(strings.Trim(tok, `"`))] = true
		}
	}
	have := map[string]bool{}
	for i := range cols {
		have[strings.ToLower(cols[i].name)] = true
		if strings.EqualFold(cols[i].name, spec.ID) {
			idCol = &cols[i]
		}
	}
	if idCol == nil && spec.ID != "" {
		return nil, fmt.Errorf("features: %s has no id column %q (columns: %s)", spec.Query, spec.ID, joinNames(cols))
	}
	var missingEx []string
	for e := range exclude {
		if e != "" && !have[e] {
			missingEx = append(missingEx, e)
		}
	}
	if len(missingEx) > 0 {
		return nil, fmt.Errorf("features: --exclude names columns that %s does not have: %s", spec.Query, strings.Join(missingEx, ", "))
	}
	if spec.Target != "" {
		if err := CheckTarget(ctx, db, spec.Query, fromClause(spec.Query), spec.Target); err != nil {
			return nil, err
		}
	}

	var sel []string
	var f *Frame
	if idCol != nil {
		sel = append(sel, "CAST("+workspace.QuoteIdent(idCol.name)+" AS VARCHAR)")
		f = &Frame{IDName: idCol.name}
	} else {
		sel = append(sel, "NULL::VARCHAR")
		f = &Frame{IDName: RowNumber}
	}
	for _, c := range cols {
		if (spec.ID != "" && strings.EqualFold(c.name, spec.ID)) || exclude[strings.ToLower(c.name)] || c.name == TargetColumn {
			continue
		}
		if targetCols[strings.ToLower(c.name)] {
			// A column the target reads would hand the model its answer.
			f.TargetInputs = append(f.TargetInputs, c.name)
			continue
		}
		col := &Column{Name: c.name, Type: c.typ, Numeric: numericType(c.typ)}
		if col.Numeric {
			sel = append(sel, numericExpr(c.name, c.typ))
		} else {
			sel = append(sel, "CAST("+workspace.QuoteIdent(c.name)+" AS VARCHAR)")
		}
		f.Cols = append(f.Cols, col)
	}
	where := ""
	if spec.Target != "" {
		sel = append(sel, "CAST(("+spec.Target+") AS DOUBLE)")
		if idCol != nil {
			where = " WHERE (" + spec.Target + ") IS NOT NULL"
		}
		// Without an id the rows are numbered before the NULL-target rows are skipped (below).
	}
	var total int64
	if report != nil {
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+fromClause(spec.Query)+" AS src"+where).Scan(&total); err != nil {
			return nil, fmt.Errorf("features: count %s: %w", spec.Query, err)
		}
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + fromClause(spec.Query) + " AS src" + where
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("features: read %s: %w", spec.Query, err)
	}
	defer rows.Close()
	// Every value is scanned into an any (the driver's own float64, string or nil): no
	// per-value conversion by reflection, which dominated loading a wide view.
	n := len(f.Cols)
	vals := make([]any, n+2)
	dest := make([]any, 0, n+2)
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	if spec.Target == "" {
		dest = dest[:n+1]
	}
	if spec.Rows > 0 {
		f.IDs = make([]string, 0, spec.Rows)
		for _, c := range f.Cols {
			if c.Numeric {
				c.Num = make([]float64, 0, spec.Rows)
			} else {
				c.Str, c.Null = make([]string, 0, spec.Rows), make([]bool, 0, spec.Rows)
			}
		}
	}
	var id sql.NullString
	var tgt sql.NullFloat64
	seen := make(map[string]int, spec.Rows)
	idErr := &IDError{Source: spec.Query, Column: spec.ID}
	rowNo := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("features: read %s row %d: %w", spec.Query, rowNo+1, err)
		}
		rowNo++
		if id, err = anyString(vals[0]); err != nil {
			return nil, fmt.Errorf("features: read %s row %d: id: %w", spec.Query, rowNo, err)
		}
		if spec.Target != "" {
			if tgt, err = numberOf(vals[n+1]); err != nil {
				return nil, fmt.Errorf("features: read %s row %d: target: %w", spec.Query, rowNo, err)
			}
		}
		if idCol == nil {
			if spec.Target != "" && !tgt.Valid {
				continue
			}
			id = sql.NullString{String: strconv.Itoa(rowNo), Valid: true}
		} else if !id.Valid {
			idErr.Nulls++
		} else {
			c := seen[id.String] + 1
			seen[id.String] = c
			if c == 2 {
				idErr.Duplicates++
			}
			if c > 1 && c > idErr.Count {
				idErr.Example, idErr.Count = id.String, c
			}
		}
		f.IDs = append(f.IDs, id.String)
		for i, c := range f.Cols {
			if c.Numeric {
				v, err := numberOf(vals[i+1])
				if err != nil {
					return nil, fmt.Errorf("features: read %s row %d: %s: %w", spec.Query, rowNo, c.Name, err)
				}
				x := math.NaN()
				if v.Valid {
					x = v.Float64
				}
				c.Num = append(c.Num, x)
			} else {
				v, err := anyString(vals[i+1])
				if err != nil {
					return nil, fmt.Errorf("features: read %s row %d: %s: %w", spec.Query, rowNo, c.Name, err)
				}
				c.Str = append(c.Str, v.String)
				c.Null = append(c.Null, !v.Valid)
			}
		}
		if spec.Target != "" {
			f.Target = append(f.Target, tgt.Float64)
		}
		f.Rows++
		if f.Rows%8192 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if report != nil {
				report(Progress{Done: int64(f.Rows), Total: total, Stage: "load"})
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("features: read %s: %w", spec.Query, err)
	}
	if idErr.Nulls > 0 || idErr.Duplicates > 0 {
		idErr.Column = idCol.name
		return nil, fmt.Errorf("features: %w", idErr)
	}
	if report != nil {
		report(Progress{Done: int64(f.Rows), Total: int64(f.Rows), Stage: "load"})
	}
	return f, nil
}

// anyString is a scanned VARCHAR (string, or nil for NULL).
func anyString(v any) (sql.NullString, error) {
	switch x := v.(type) {
	case string:
		return sql.NullString{String: x, Valid: true}, nil
	case nil:
		return sql.NullString{}, nil
	}
	var out sql.NullString
	err := out.Scan(v)
	return out, err
}

func joinNames(cols []describedCol) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

// Concat stacks frames with the same columns (names and kinds, in the same order) row after
// row, e.g. the members of several campaigns each loaded as of its own start. A column whose
// kind differs between frames is an error naming it.
func Concat(fs ...*Frame) (*Frame, error) {
	if len(fs) == 0 {
		return nil, fmt.Errorf("features: concat of no frames")
	}
	out := &Frame{IDName: fs[0].IDName}
	for _, c := range fs[0].Cols {
		out.Cols = append(out.Cols, &Column{Name: c.Name, Type: c.Type, Numeric: c.Numeric})
	}
	for k, f := range fs {
		if len(f.Cols) != len(out.Cols) {
			return nil, fmt.Errorf("features: concat: frame %d has %d columns, the first %d", k+1, len(f.Cols), len(out.Cols))
		}
		for j, c := range f.Cols {
			o := out.Cols[j]
			if !strings.EqualFold(c.Name, o.Name) || c.Numeric != o.Numeric {
				return nil, fmt.Errorf("features: concat: column %d of frame %d is %s (numeric %t), the first frame's %s (numeric %t)",
					j+1, k+1, c.Name, c.Numeric, o.Name, o.Numeric)
			}
			if c.Numeric {
				o.Num = append(o.Num, c.Num...)
			} else {
				o.Str = append(o.Str, c.Str...)
				o.Null = append(o.Null, c.Null...)
			}
		}
		out.IDs = append(out.IDs, f.IDs...)
		out.Rows += f.Rows
	}
	return out, nil
}
