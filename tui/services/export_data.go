package services

import (
	"context"
	"fmt"
	"strings"

	"github.com/acrm-dev/acrm/analysis/explore"
	"github.com/acrm-dev/acrm/analysis/segment"
	"github.com/acrm-dev/acrm/charts"
	"github.com/acrm-dev/acrm/charts/deck"
)

// DataExportService is what the Data and Segments screens ask for their `e` chart exports
// and for the basis of the value segments. The workspace-backed *Workspace implements it;
// screens get it with a type assertion on Common.Services (without it they offer no e).
type DataExportService interface {
	// ExportColumnChart writes the chart of one column's profile (ColumnChart) to path
	// (format from the extension, temp file + rename) and returns the absolute path.
	ExportColumnChart(ctx context.Context, path, table string, p ColumnProfile) (string, error)
	// ExportSegmentKPIs writes the KPIs of segments indexed against the base
	// (SegmentKPIChart of rows, base first) to path and returns the absolute path.
	ExportSegmentKPIs(ctx context.Context, path string, rows []KPIRow, basis string) (string, error)
	// ValueBasis says what ranks the value segments now (segment.ValueBasis): BasisRevenue
	// unless every product is scored or the user asked for BasisExpectedValue.
	ValueBasis(ctx context.Context) (string, error)
}

// The value bases segment.ValueBasis reports.
const (
	BasisRevenue       = segment.BasisRevenue
	BasisExpectedValue = segment.BasisExpectedValue
)

// BasisText says in words what ranks the value segments: "monthly revenue" or "expected
// value (best models)"; "" for an unknown basis.
func BasisText(basis string) string {
	switch basis {
	case BasisRevenue:
		return "monthly revenue"
	case BasisExpectedValue:
		return "expected value (best models)"
	}
	return ""
}

var _ DataExportService = (*Workspace)(nil)

// MinChartCount is the fewest rows a value must have to be drawn in a top-values chart
// (explore.MinChartCount).
const MinChartCount = explore.MinChartCount

// IdentifierColumn reports whether a column holds identifiers or personal contact data,
// which never go into a chart (explore.IdentifierColumn).
func IdentifierColumn(name string) bool { return explore.IdentifierColumn(name) }

// ErrNoChart is wrapped when a column has nothing a chart may show (deck.ErrNoChart).
var ErrNoChart = deck.ErrNoChart

// ColumnChart is the chart of one column's profile (deck.ColumnChart).
func ColumnChart(table string, p ColumnProfile, h charts.Header) (charts.Chart, error) {
	return deck.ColumnChart(table, p, h)
}

// ChartableColumn reports whether ColumnChart has a chart for p (the e key is offered only
// then).
func ChartableColumn(p ColumnProfile) bool {
	_, err := ColumnChart("t", p, charts.Header{})
	return err == nil
}

// SegmentKPIChart maps a KPI table (base first, then 1–6 segments) onto the deck's segment
// KPI chart: every KPI with a positive base value, indexed on the base. basis, when it is a
// known value basis and a value segment is shown, is named in the subtitle.
func SegmentKPIChart(rows []KPIRow, basis string, h charts.Header) (charts.SegmentKPIChart, error) {
	c, err := deck.KPIChart(rows, h)
	if err != nil {
		return c, fmt.Errorf("segment KPIs: %w", err)
	}
	value := false
	for _, r := range rows[1:] {
		for _, v := range segment.ValueSegments() {
			if v.Name == r.Segment && v.Filter == r.Filter {
				value = true
			}
		}
	}
	base := rows[0]
	if c.Subtitle == "" {
		c.Subtitle = fmt.Sprintf("%s against all %s customers; index: whole base = 100", joinNames(c.Segments), charts.FormatInt(float64(base.Customers)))
		if t := BasisText(basis); value && t != "" {
			c.Subtitle += "; value segments by " + t
		}
	}
	return c, nil
}

func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return "Segment " + names[0]
	}
	return "Segments " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// ExportColumnChart implements DataExportService.
func (w *Workspace) ExportColumnChart(ctx context.Context, path, table string, p ColumnProfile) (string, error) {
	src, err := deck.Open(ctx, w.WS)
	if err != nil {
		return "", err
	}
	c, err := ColumnChart(table, p, src.ColumnHeader(table))
	if err != nil {
		return "", err
	}
	return writeChart(ctx, path, c)
}

// ExportSegmentKPIs implements DataExportService.
func (w *Workspace) ExportSegmentKPIs(ctx context.Context, path string, rows []KPIRow, basis string) (string, error) {
	src, err := deck.Open(ctx, w.WS)
	if err != nil {
		return "", err
	}
	c, err := SegmentKPIChart(rows, basis, charts.Header{DataDate: src.DataDate, Source: src.Label})
	if err != nil {
		return "", err
	}
	return writeChart(ctx, path, c)
}

// ValueBasis implements DataExportService.
func (w *Workspace) ValueBasis(ctx context.Context) (string, error) {
	w.segMu.Lock()
	defer w.segMu.Unlock()
	return segment.ValueBasis(ctx, w.WS)
}
