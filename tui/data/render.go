package data

// The Data screen's pure presentation: model → strings, no I/O, tested on fixtures.

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/acrm-dev/acrm/analysis/explore"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/theme"
)

// datamartOrder is the order the datamart tables are listed in; others follow by name,
// acrm's own tables last.
var datamartOrder = []string{"customers", "products", "holdings", "contacts", "campaigns", "campaign_members", "optouts", "events"}

// OrderTables lists the datamart tables first (customers on top), then other user tables,
// then acrm's own tables.
func OrderTables(ts []services.TableInfo) []services.TableInfo {
	rank := func(t services.TableInfo) int {
		for i, n := range datamartOrder {
			if t.Name == n {
				return i
			}
		}
		if t.Acrm {
			return len(datamartOrder) + 2
		}
		if strings.HasPrefix(t.Name, "sample_truth") {
			return len(datamartOrder) + 1
		}
		return len(datamartOrder)
	}
	out := append([]services.TableInfo(nil), ts...)
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := rank(out[i]), rank(out[j])
		if ri != rj {
			return ri < rj
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// ProfileHeaders are the column-profile table's headers.
func ProfileHeaders() []string {
	return []string{"column", "type", "null", "distinct", "histogram / top values", "min", "mean", "max"}
}

// ProfileRows renders column profiles as table rows: numeric columns get a block histogram
// and min/mean/max, others their most frequent values with counts. The histogram comes
// before min/mean/max so it stays visible on narrow terminals.
func ProfileRows(cols []services.ColumnProfile) [][]string {
	rows := make([][]string, 0, len(cols))
	for _, p := range cols {
		mean, dist := "", components.Int(p.Distinct)
		if p.DistinctApprox {
			dist = "≈" + dist
		}
		if p.Mean != nil {
			mean = components.Float(*p.Mean, 2)
		}
		last := ""
		if len(p.Histogram) > 0 {
			last = components.Spark(p.Histogram)
		} else {
			var parts []string
			for _, v := range p.TopValues {
				parts = append(parts, fmt.Sprintf("%s ×%s", v.Value, components.Int(v.Count)))
			}
			last = strings.Join(parts, " · ")
			if last == "" && p.Distinct > 0 {
				last = "(all distinct)"
			}
		}
		numeric := p.Kind == explore.Numeric
		minV, maxV := shortNum(p.Min, numeric), shortNum(p.Max, numeric)
		rows = append(rows, []string{p.Name, ShortType(p.Type), fmt.Sprintf("%.1f%%", p.NullPct), dist, last, minV, mean, maxV})
	}
	return rows
}

// ShortType abbreviates a DuckDB type for the profile table: int, float, text, date, time,
// bool; other types are shown as DuckDB names them.
func ShortType(t string) string {
	u := strings.ToUpper(t)
	switch {
	case strings.Contains(u, "INT"):
		return "int"
	case u == "DOUBLE" || u == "FLOAT" || u == "REAL" || strings.HasPrefix(u, "DECIMAL"):
		return "float"
	case u == "VARCHAR":
		return "text"
	case u == "DATE":
		return "date"
	case strings.HasPrefix(u, "TIMESTAMP"):
		return "time"
	case u == "BOOLEAN":
		return "bool"
	}
	return strings.ToLower(t)
}

func shortNum(s string, numeric bool) string {
	if !numeric {
		return components.Truncate(s, 14)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return components.Int(int64(f))
	}
	return components.Float(f, 2)
}

// FilterText turns what was typed after / into the preview filter: text that looks like a
// SQL condition (a comparison or a keyword) becomes "where <condition>"; anything else finds
// rows whose text contains it, case-insensitively.
func FilterText(typed string) string {
	t := strings.TrimSpace(typed)
	if t == "" {
		return ""
	}
	lower := " " + strings.ToLower(t) + " "
	if strings.HasPrefix(lower, " where ") {
		return t
	}
	for _, op := range []string{"=", "<", ">", " like ", " ilike ", " in (", " is null", " is not null", " between ", " and ", " or ", " not "} {
		if strings.Contains(lower, op) {
			return "where " + t
		}
	}
	return t
}

// TableNameFor derives a table name from a file name: base name without extensions, lower
// case, characters other than letters, digits and '_' replaced by '_'.
func TableNameFor(path string) string {
	base := strings.ToLower(filepath.Base(path))
	if i := strings.Index(base, "."); i > 0 {
		base = base[:i]
	}
	var b strings.Builder
	for i, r := range base {
		switch {
		case r >= 'a' && r <= 'z', r == '_', r >= '0' && r <= '9' && i > 0:
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	if b.Len() == 0 {
		return "imported"
	}
	return b.String()
}

// ChartFileName is the default file of a column's chart, in the working directory:
// "<table>-<column>.png" with characters other than letters, digits, '-', '_' and '.'
// replaced by '_'.
func ChartFileName(table, column string) string {
	return components.FileName(table+"-"+column) + ".png"
}

// CompletePath returns input extended by the longest common prefix of the directory entries
// it matches (directories end in "/"), and the matching names (at most 20); see
// components.CompletePath, which the import and export prompts run in the background.
func CompletePath(input string) (string, []string) { return components.CompletePath(input) }

// importStatus is how the Tables pane shows an import's progress: "checking 45 %",
// "reading", "committing".
func importStatus(p common.Progress) string {
	if f := p.Fraction(); f >= 0 && p.Stage != "" {
		return fmt.Sprintf("%s %.0f %%", p.Stage, 100*f)
	}
	return p.Stage
}

// topValuesView is the distribution of a column without a histogram: its most frequent
// values as a line under the profile table (head is the rule above it), or, in a pane of
// its own (inPane), one bar per value scaled to the most frequent.
func topValuesView(th *theme.Theme, col services.ColumnProfile, w, h int, inPane bool, head string) string {
	var parts []string
	for _, v := range col.TopValues {
		parts = append(parts, fmt.Sprintf("%s ×%s", v.Value, components.Int(v.Count)))
	}
	text := "most frequent: " + strings.Join(parts, " · ")
	if len(parts) == 0 {
		text = "no frequent values (nearly unique or empty)"
	}
	if inPane && len(col.TopValues) > 0 {
		var lines []string
		vw := min(24, w/3)
		cw := 0
		for _, v := range col.TopValues {
			cw = max(cw, len(components.Int(v.Count)))
		}
		bw := max(w-vw-cw-2, 1)
		for _, v := range col.TopValues[:min(len(col.TopValues), h)] {
			lines = append(lines, components.PadRight(v.Value, vw)+" "+components.PadLeft(components.Int(v.Count), cw)+" "+
				th.Bar.Render(components.HBar(float64(v.Count), float64(col.TopValues[0].Count), bw)))
		}
		return strings.Join(lines, "\n")
	}
	if inPane {
		return components.Wrap(text, w)
	}
	return head + "\n" + components.Truncate(th.PaneTitle.Render(col.Name)+"  "+text, w)
}
