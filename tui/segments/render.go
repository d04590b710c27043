package segments

// The Segments screen's pure presentation: model → strings, no I/O, tested on fixtures.

import (
	"fmt"
	"math"
	"strings"

	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
)

// Arrow marks an index against the base: ▲ at 105 or more, ▼ at 95 or less, = between,
// so the direction never depends on colour.
func Arrow(idx float64) string {
	switch {
	case math.IsNaN(idx):
		return " "
	case idx >= 105:
		return "▲"
	case idx <= 95:
		return "▼"
	}
	return "="
}

// KPITable renders KPI rows (base first) as a table: the KPI, the base's value, then for
// each segment two columns, its value and its index against the base (with ▲/▼). KPIs
// without an index (customers, share of base) leave the index cell empty, so values always
// line up under values and indices under indices.
func KPITable(rows []services.KPIRow) ([]string, [][]string) {
	if len(rows) == 0 {
		return nil, nil
	}
	headers := []string{"KPI", rows[0].Segment}
	for _, r := range rows[1:] {
		headers = append(headers, r.Segment, "index")
	}
	type kpi struct {
		name string
		val  func(services.KPIRow) string
		idx  func(services.KPIRow) float64
	}
	kpis := []kpi{
		{"customers", func(r services.KPIRow) string { return components.Int(r.Customers) }, nil},
		{"share of base", func(r services.KPIRow) string { return components.Pct(r.Share, 1) }, nil},
		{"avg monthly revenue", func(r services.KPIRow) string { return components.Float(r.AvgRevenue, 2) }, func(r services.KPIRow) float64 { return r.Index.AvgRevenue }},
		{"products / customer", func(r services.KPIRow) string { return components.Float(r.ProductsPerCustomer, 2) }, func(r services.KPIRow) float64 { return r.Index.ProductsPerCustomer }},
		{"response rate", func(r services.KPIRow) string { return components.Pct(r.ResponseRate, 1) }, func(r services.KPIRow) float64 { return r.Index.ResponseRate }},
		{"contract ends ≤ 3 m", func(r services.KPIRow) string { return components.Pct(r.ContractEndShare, 1) }, func(r services.KPIRow) float64 { return r.Index.ContractEndShare }},
		{"opted out", func(r services.KPIRow) string { return components.Pct(r.OptOutShare, 1) }, func(r services.KPIRow) float64 { return r.Index.OptOutShare }},
	}
	var out [][]string
	for _, k := range kpis {
		line := []string{k.name, k.val(rows[0])}
		for _, r := range rows[1:] {
			idx := ""
			if k.idx != nil {
				idx = IndexText(k.idx(r))
			}
			line = append(line, k.val(r), idx)
		}
		out = append(out, line)
	}
	return headers, out
}

// IndexText writes an index with its direction mark: "771 ▲", "57 ▼", "100 =", "–" for
// none.
func IndexText(idx float64) string {
	if math.IsNaN(idx) || math.IsInf(idx, 0) {
		return "–"
	}
	return components.Float(idx, 0) + " " + Arrow(idx)
}

// CrosstabTable renders a crosstab: per cell the count and the row percentage, with row
// totals and a total row.
func CrosstabTable(ct *services.CrossTable) ([]string, [][]string) {
	if ct == nil {
		return nil, nil
	}
	headers := []string{ct.RowCol + " \\ " + ct.ColCol}
	headers = append(headers, ct.ColLabels...)
	headers = append(headers, "total")
	var out [][]string
	for i, l := range ct.RowLabels {
		line := []string{l}
		for j := range ct.ColLabels {
			line = append(line, fmt.Sprintf("%s %5.1f%%", components.Int(ct.Counts[i][j]), ct.RowPct[i][j]))
		}
		line = append(line, components.Int(ct.RowTotals[i]))
		out = append(out, line)
	}
	tot := []string{"total"}
	for j := range ct.ColLabels {
		pct := 0.0
		if ct.Total > 0 {
			pct = 100 * float64(ct.ColTotals[j]) / float64(ct.Total)
		}
		tot = append(tot, fmt.Sprintf("%s %5.1f%%", components.Int(ct.ColTotals[j]), pct))
	}
	tot = append(tot, components.Int(ct.Total))
	return headers, append(out, tot)
}

// defaultAttrs picks the crosstab's first attributes: sector × size_class when there.
func defaultAttrs(names []string) (int, int) {
	r, c := 0, min(1, max(len(names)-1, 0))
	for i, n := range names {
		switch n {
		case "sector":
			r = i
		case "size_class":
			c = i
		}
	}
	if r == c && len(names) > 1 {
		c = (r + 1) % len(names)
	}
	return r, c
}

// oneLine folds a filter onto one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// ChartFileName is the default file of the KPI chart of rows (base first):
// "segments-<a>-<b>-kpis.png" with characters other than letters, digits, '-', '_' and '.'
// replaced by '_'.
func ChartFileName(rows []services.KPIRow) string {
	name := "segments"
	for _, r := range rows[min(1, len(rows)):] {
		name += "-" + r.Segment
	}
	return components.FileName(name) + "-kpis.png"
}
