package deck

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/acrm-dev/acrm/analysis/explore"
	"github.com/acrm-dev/acrm/charts"
)

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
// the most frequent values of any other column (values of fewer than explore.MinChartCount rows left
// out). Identifier columns (IdentifierColumn) and columns without bins or frequent values
// have no chart: the error wraps ErrNoChart and says why.
func ColumnChart(table string, p explore.ColumnProfile, h charts.Header) (charts.Chart, error) {
	if explore.IdentifierColumn(p.Name) {
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
		if v.Count < explore.MinChartCount {
			dropped++
			continue
		}
		c.Values = append(c.Values, charts.ValueCount{Value: v.Value, Count: float64(v.Count)})
	}
	if len(c.Values) == 0 {
		why := "no value is frequent enough to chart (nearly unique or empty)"
		if dropped > 0 {
			why = fmt.Sprintf("every frequent value is held by fewer than %d rows", explore.MinChartCount)
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
			c.Subtitle += fmt.Sprintf("; values of fewer than %d rows left out", explore.MinChartCount)
		}
	}
	return c, nil
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// ColumnChart profiles table in the workspace and charts one of its columns (ColumnChart),
// with the workspace's footnote: acrm chart column and the Data screen's e export draw the
// same chart, and an identifier column is refused by both.
func (s *Source) ColumnChart(ctx context.Context, table, column string) (charts.Chart, error) {
	if explore.IdentifierColumn(column) {
		return nil, fmt.Errorf("%w: %s holds identifiers or contact data, which charts never show", ErrNoChart, column)
	}
	ps, err := explore.Profile(ctx, s.WS, table, nil)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if strings.EqualFold(p.Name, column) {
			return ColumnChart(table, p, s.ColumnHeader(table))
		}
	}
	return nil, fmt.Errorf("deck: table %s has no column %q", table, column)
}

// ColumnHeader is the footnote of a column chart of table.
func (s *Source) ColumnHeader(table string) charts.Header {
	return charts.Header{DataDate: s.DataDate, Source: s.Label + " · table " + table}
}
