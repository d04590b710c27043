package services

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

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

// MinChartCount is the fewest rows a value must have to be drawn in a top-values chart, so
// that a chart never names a value that points at one or a few customers.
const MinChartCount = 5

// IdentifierColumn reports whether a column holds identifiers or personal contact data
// (ids, names, e-mail, phone, address, IBAN), which never go into a chart.
func IdentifierColumn(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "id" || strings.HasSuffix(n, "_id") {
		return true
	}
	for _, w := range []string{"name", "email", "e_mail", "mail", "phone", "telephone", "mobile_number",
		"iban", "address", "street", "postcode", "postal_code", "zip", "kvk", "vat_number"} {
		if n == w || strings.HasPrefix(n, w+"_") || strings.HasSuffix(n, "_"+w) {
			return true
		}
	}
	return false
}

// moneyColumn guesses from the name whether a column holds amounts of money.
func moneyColumn(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"revenue", "amount", "price", "margin", "cost", "spend", "profit", "expected_value", "clv"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// ErrNoChart is wrapped when a column has nothing a chart may show.
var ErrNoChart = errors.New("no chart for this column")

// ColumnChart is the deck chart of one column's profile: a histogram of a numeric column's
// bins (median and mean marked, values above a long tail's cut and nulls said in words), or
// the most frequent values of any other column (values of fewer than MinChartCount rows left
// out). Identifier columns (IdentifierColumn) and columns without bins or frequent values
// have no chart: the error wraps ErrNoChart and says why.
func ColumnChart(table string, p ColumnProfile, h charts.Header) (charts.Chart, error) {
	if IdentifierColumn(p.Name) {
		return nil, fmt.Errorf("%w: %s holds identifiers or contact data, which charts never show", ErrNoChart, p.Name)
	}
	th := charts.DefaultTheme()
	nonNull := p.Rows - p.Nulls
	if len(p.Histogram) > 0 && p.Kind == explore.Numeric {
		c := charts.HistogramChart{Header: h, Column: p.Name, Unit: charts.Count, Min: p.HistMin, Max: p.HistMax,
			Overflow: float64(p.HistOverflow), Nulls: float64(p.Nulls)}
		if moneyColumn(p.Name) {
			c.Unit = charts.Money
		}
		for _, n := range p.Histogram {
			c.Counts = append(c.Counts, float64(n))
		}
		if p.Quantiles != nil {
			c.Markers = append(c.Markers, charts.Mark{Name: "median", Value: p.Quantiles[2]})
		}
		if p.Mean != nil {
			c.Markers = append(c.Markers, charts.Mark{Name: "mean", Value: *p.Mean})
		}
		if c.Title == "" {
			c.Title = fmt.Sprintf("%s of %s", p.Name, table)
			if p.Quantiles != nil {
				c.Title = fmt.Sprintf("Half of the rows of %s have %s below %s", table, p.Name, c.Unit.Format(th, p.Quantiles[2]))
				if p.Nulls > 0 {
					c.Title = fmt.Sprintf("Half of the rows of %s with a value have %s below %s", table, p.Name, c.Unit.Format(th, p.Quantiles[2]))
				}
			}
		}
		if c.Subtitle == "" {
			c.Subtitle = fmt.Sprintf("%s.%s: %d equal-width bins from %s to %s over %s rows with a value", table, p.Name,
				len(c.Counts), c.Unit.Format(th, p.HistMin), c.Unit.Format(th, p.HistMax), charts.FormatInt(float64(nonNull-p.HistOverflow)))
		}
		return c, nil
	}
	c := charts.TopValuesChart{Header: h, Column: p.Name, Rows: float64(nonNull)}
	dropped := 0
	for _, v := range p.TopValues {
		if v.Count < MinChartCount {
			dropped++
			continue
		}
		c.Values = append(c.Values, charts.ValueCount{Value: v.Value, Count: float64(v.Count)})
	}
	if len(c.Values) == 0 {
		why := "no value is frequent enough to chart (nearly unique or empty)"
		if dropped > 0 {
			why = fmt.Sprintf("every frequent value is held by fewer than %d rows", MinChartCount)
		}
		return nil, fmt.Errorf("%w: %s: %s", ErrNoChart, p.Name, why)
	}
	if c.Title == "" {
		top := c.Values[0]
		c.Title = fmt.Sprintf("%s is the most frequent %s: %s of the %s rows with a value", upperFirst(top.Value), p.Name,
			charts.FormatPercent(top.Count/c.Rows, 0), table)
	}
	if c.Subtitle == "" {
		c.Subtitle = fmt.Sprintf("%s.%s: the %d most frequent of %s distinct values over %s rows with a value", table, p.Name,
			len(c.Values), charts.FormatInt(float64(p.Distinct)), charts.FormatInt(float64(nonNull)))
		if dropped > 0 {
			c.Subtitle += fmt.Sprintf("; values of fewer than %d rows left out", MinChartCount)
		}
	}
	return c, nil
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
	if len(rows) < 2 {
		return charts.SegmentKPIChart{}, errors.New("segment KPIs: no segment to chart")
	}
	base := rows[0]
	c := charts.SegmentKPIChart{Header: h}
	value := false
	for _, r := range rows[1:] {
		c.Segments = append(c.Segments, r.Segment)
		for _, v := range segment.ValueSegments() {
			if v.Name == r.Segment && v.Filter == r.Filter {
				value = true
			}
		}
	}
	c.KPIs = deck.IndexedKPIs(rows)
	if len(c.KPIs) == 0 {
		return c, errors.New("segment KPIs: every KPI of the base is zero")
	}
	if c.Title == "" {
		c.Title = upperFirst(c.Takeaway())
	}
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

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// ExportColumnChart implements DataExportService.
func (w *Workspace) ExportColumnChart(ctx context.Context, path, table string, p ColumnProfile) (string, error) {
	src, err := deck.Open(ctx, w.WS)
	if err != nil {
		return "", err
	}
	c, err := ColumnChart(table, p, charts.Header{DataDate: src.DataDate, Source: src.Label + " · table " + table})
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
