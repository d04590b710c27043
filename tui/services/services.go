// Package services is the small interface through which the workbench reaches analysis.
// Screens talk only to Services, so their tests run against a fixture workspace (or a fake)
// and the analysis packages can evolve behind it. Every method takes a context and returns
// soon after it is cancelled.
package services

import (
	"context"
	"time"

	"github.com/acrm-dev/acrm/analysis/explore"
	"github.com/acrm-dev/acrm/analysis/progress"
	"github.com/acrm-dev/acrm/analysis/segment"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Progress is the one progress report of long calls (analysis/progress).
type Progress = progress.Progress

// The workbench shows the analysis packages' own types.
type (
	TableInfo     = workspace.TableInfo
	QueryResult   = workspace.Result
	ImportOptions = workspace.ImportOptions
	ImportResult  = workspace.ImportResult
	ColumnProfile = explore.ColumnProfile
	ValueCount    = explore.ValueCount
	Page          = explore.Page
	Segment       = segment.Segment
	KPIRow        = segment.KPIRow
	CrossTable    = segment.CrossTable
	ColumnInfo    = segment.ColumnInfo
)

// Services is everything the workbench asks of the analysis layer.
type Services interface {
	Path() string
	SizeBytes() int64

	// Data screen.
	Tables(ctx context.Context) ([]TableInfo, error)
	Profile(ctx context.Context, table string, report func(Progress)) ([]ColumnProfile, error)
	// Preview pages a table; filter is plain text (substring of any column) or
	// "where <SQL boolean>".
	Preview(ctx context.Context, table string, offset, limit int, filter string) (*Page, error)
	Import(ctx context.Context, opts ImportOptions) (*ImportResult, error)

	// SQL console.
	Query(ctx context.Context, sql string, maxRows int) (*QueryResult, error)
	ExportQuery(ctx context.Context, sql, path string) (int64, error)
	History(ctx context.Context, limit int) ([]string, error)
	AddHistory(ctx context.Context, query string, elapsed time.Duration, rows int64, qerr error) error

	// Segments screen.
	Segments(ctx context.Context) ([]Segment, error) // value segments first, then saved ones
	ValidateSegment(ctx context.Context, filter string) (int64, error)
	SaveSegment(ctx context.Context, seg Segment) error
	DeleteSegment(ctx context.Context, name string) error
	KPIs(ctx context.Context, segs []Segment) ([]KPIRow, error) // base first
	Crosstab(ctx context.Context, rowCol, colCol, filter string) (*CrossTable, error)
	SegmentColumns(ctx context.Context) ([]ColumnInfo, error)
	ColumnValues(ctx context.Context, column string, limit int) ([]ValueCount, error)
	Operators(kind explore.Kind) []string
	BuildFilter(col ColumnInfo, op string, values ...string) (string, error)
}
