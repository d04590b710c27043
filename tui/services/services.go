// Package services is the small interface through which the workbench reaches analysis.
// Screens talk only to Services, so their tests run against a fixture workspace (or a fake)
// and the analysis packages can evolve behind it. Every method takes a context and returns
// soon after it is cancelled.
package services

import (
	"context"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Progress is what long operations report: Done of Total units (Total 0 = unknown).
type Progress struct {
	Done, Total int64
	Stage       string
}

// Fraction is Done/Total in [0,1], or -1 when the total is unknown.
func (p Progress) Fraction() float64 {
	if p.Total <= 0 {
		return -1
	}
	f := float64(p.Done) / float64(p.Total)
	if f > 1 {
		f = 1
	}
	return f
}

// TableInfo describes one workspace table.
type TableInfo = workspace.TableInfo

// QueryResult is a query's result rendered to strings, capped at a row limit.
type QueryResult struct {
	Columns   []string
	Types     []string
	Rows      [][]string
	Truncated bool // more rows existed than the cap
	Elapsed   time.Duration
}

// ValueCount is one frequent value of a column.
type ValueCount struct {
	Value string
	Count int64
}

// ColumnProfile summarises one column, computed in DuckDB.
type ColumnProfile struct {
	Name      string
	Type      string
	Numeric   bool
	NullPct   float64 // 0..100
	Distinct  int64
	Min, Max  string
	Mean      float64 // NaN when not numeric
	Quantiles [3]float64
	TopValues []ValueCount
	Histogram []int64 // equal-width bins between Min and Max (numeric columns)
}

// Page is one page of a table preview.
type Page struct {
	Columns []string
	Rows    [][]string
	Offset  int64
	Total   int64 // rows matching the filter
}

// ImportOptions describes a file to import as a table.
type ImportOptions struct {
	Path    string
	Table   string
	Replace bool
}

// ImportResult tells what an import wrote.
type ImportResult struct {
	Table string
	Rows  int64
}

// Segment is a named filter (SQL boolean) over the one-row-per-customer table.
type Segment struct {
	Name        string
	Filter      string
	Description string
	BuiltIn     bool
}

// KPIs of one segment. Shares and rates are fractions in [0,1]; NaN when undefined.
type KPIs struct {
	Segment             string
	Customers           int64
	Share               float64
	AvgRevenue          float64
	ProductsPerCustomer float64
	ResponseRate        float64
	ContractEndShare    float64
	OptOutShare         float64
}

// Crosstab counts customers by two attributes.
type Crosstab struct {
	RowAttr, ColAttr string
	Rows, Cols       []string
	Counts           [][]int64 // [row][col]
}

// Column names a column and its SQL type.
type Column struct {
	Name, Type string
}

// Services is everything the workbench asks of the analysis layer.
type Services interface {
	Path() string
	SizeBytes() int64

	Tables(ctx context.Context) ([]TableInfo, error)
	Profile(ctx context.Context, table string, report func(Progress)) ([]ColumnProfile, error)
	Preview(ctx context.Context, table string, offset, limit int64, filter string) (*Page, error)
	Import(ctx context.Context, opts ImportOptions, report func(Progress)) (ImportResult, error)

	Query(ctx context.Context, sql string, maxRows int) (*QueryResult, error)
	ExportQuery(ctx context.Context, sql, path string) (int64, error)
	History(ctx context.Context, limit int) ([]string, error)
	AddHistory(ctx context.Context, query string, elapsed time.Duration, rows int64, qerr error) error

	Segments(ctx context.Context) ([]Segment, error)
	ValidateSegment(ctx context.Context, seg Segment) (int64, error)
	SaveSegment(ctx context.Context, seg Segment) error
	DeleteSegment(ctx context.Context, name string) error
	KPIs(ctx context.Context, segs []Segment) (base KPIs, per []KPIs, err error)
	Crosstab(ctx context.Context, rowAttr, colAttr, filter string) (*Crosstab, error)
	CustomerColumns(ctx context.Context) ([]Column, error)
	ColumnValues(ctx context.Context, column string, limit int) ([]string, error)
}
