package services

import (
	"context"
	"sync"
	"time"

	"github.com/acrm-dev/acrm/analysis/explore"
	"github.com/acrm-dev/acrm/analysis/segment"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Workspace implements Services over an open workspace with the analysis packages.
type Workspace struct {
	WS *workspace.Workspace
	// segMu serialises the segment calls: each (re)creates customer_view, and two
	// concurrent CREATE OR REPLACE VIEW statements conflict in DuckDB's catalog.
	segMu sync.Mutex
	// live is the Offers screen's customer panel state (the nbo.Live and the customers read).
	live live
}

// New returns Services backed by ws.
func New(ws *workspace.Workspace) *Workspace { return &Workspace{WS: ws} }

var _ Services = (*Workspace)(nil)

func (w *Workspace) Path() string     { return w.WS.Path() }
func (w *Workspace) SizeBytes() int64 { return w.WS.SizeBytes() }

func (w *Workspace) Tables(ctx context.Context) ([]TableInfo, error) { return w.WS.Tables(ctx) }

func (w *Workspace) Profile(ctx context.Context, table string, report func(Progress)) ([]ColumnProfile, error) {
	return explore.Profile(ctx, w.WS, table, report)
}

func (w *Workspace) Preview(ctx context.Context, table string, offset, limit int, filter string) (*Page, error) {
	p, err := explore.Preview(ctx, w.WS, table, explore.PreviewOptions{Offset: offset, Limit: limit, Filter: filter})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func (w *Workspace) Import(ctx context.Context, opts ImportOptions) (*ImportResult, error) {
	return w.WS.Import(ctx, opts)
}

func (w *Workspace) Query(ctx context.Context, q string, maxRows int) (*QueryResult, error) {
	return w.WS.Query(ctx, q, maxRows)
}

func (w *Workspace) ExportQuery(ctx context.Context, q, path string) (int64, error) {
	return w.WS.ExportQuery(ctx, q, path)
}

// History returns the most recent distinct queries, newest first.
func (w *Workspace) History(ctx context.Context, limit int) ([]string, error) {
	h, err := w.WS.History(ctx, limit)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, e := range h {
		if !seen[e.Query] {
			seen[e.Query] = true
			out = append(out, e.Query)
		}
	}
	return out, nil
}

func (w *Workspace) AddHistory(ctx context.Context, q string, elapsed time.Duration, n int64, qerr error) error {
	return w.WS.RecordQuery(ctx, q, elapsed, n, qerr)
}

func (w *Workspace) Segments(ctx context.Context) ([]Segment, error) {
	saved, err := segment.List(ctx, w.WS)
	if err != nil {
		return nil, err
	}
	return append(segment.ValueSegments(), saved...), nil
}

func (w *Workspace) ValidateSegment(ctx context.Context, filter string) (int64, error) {
	w.segMu.Lock()
	defer w.segMu.Unlock()
	return segment.Validate(ctx, w.WS, filter)
}

func (w *Workspace) SaveSegment(ctx context.Context, s Segment) error {
	w.segMu.Lock()
	defer w.segMu.Unlock()
	return segment.Save(ctx, w.WS, s)
}

func (w *Workspace) DeleteSegment(ctx context.Context, name string) error {
	w.segMu.Lock()
	defer w.segMu.Unlock()
	return segment.Delete(ctx, w.WS, name)
}

func (w *Workspace) KPIs(ctx context.Context, segs []Segment) ([]KPIRow, error) {
	w.segMu.Lock()
	defer w.segMu.Unlock()
	return segment.KPIs(ctx, w.WS, segs)
}

func (w *Workspace) Crosstab(ctx context.Context, rowCol, colCol, filter string) (*CrossTable, error) {
	w.segMu.Lock()
	defer w.segMu.Unlock()
	ct, err := segment.Crosstab(ctx, w.WS, rowCol, colCol, filter)
	if err != nil {
		return nil, err
	}
	return &ct, nil
}

func (w *Workspace) SegmentColumns(ctx context.Context) ([]ColumnInfo, error) {
	w.segMu.Lock()
	defer w.segMu.Unlock()
	return segment.Columns(ctx, w.WS)
}

func (w *Workspace) ColumnValues(ctx context.Context, column string, limit int) ([]ValueCount, error) {
	w.segMu.Lock()
	defer w.segMu.Unlock()
	return segment.Values(ctx, w.WS, column, limit)
}

func (w *Workspace) Operators(kind explore.Kind) []string { return segment.Operators(kind) }

func (w *Workspace) BuildFilter(col ColumnInfo, op string, values ...string) (string, error) {
	return segment.BuildFilter(col, op, values...)
}
