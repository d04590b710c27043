package profiles

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/NimbleMarkets/ntcharts/barchart"
	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/linechart"
	"github.com/charmbracelet/x/ansi"

	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/model"
	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/theme"
)

func nan() float64 { return math.NaN() }

// Columns of the leaderboard besides the product name, with their widths.
var boardCols = []struct {
	name string
	w    int
}{{"algo", 8}, {"CV AUC ±", 9}, {"oracle", 6}, {"lift@10", 7}, {"cal.err", 7}, {"pos", 10}, {"time", 6}, {"★", 1}}

// LeaderboardLines renders the leaderboard rows in w cells: header first, then one line per
// row; cursor marks the selected row with ">" (and pinned with "c").
func LeaderboardLines(rows []row, cursor int, pinned *services.ProfileModel, w int) []string {
	fixed := 2
	for _, c := range boardCols {
		fixed += c.w + 1
	}
	pw := max(w-fixed, 8)
	head := "  " + components.PadRight("product", pw)
	for _, c := range boardCols {
		head += " " + components.PadLeft(c.name, c.w)
	}
	out := []string{head}
	for i, r := range rows {
		mark := "  "
		if i == cursor {
			mark = "> "
		}
		if r.Model != nil && pinned == r.Model {
			mark = mark[:1] + "c"
		}
		name := r.Product.Name
		if r.Model != nil && r.Model.ProductID > 0 && r.Model.Target != "" && r.Model.Target != "lookalike" {
			name = r.Model.Target + " · " + name // e.g. a response model next to the look-alike ones
		}
		line := mark + components.PadRight(name, pw)
		if r.Model == nil {
			line += " " + components.PadRight("— not trained · t trains it", w-components.Width(line)-1)
			out = append(out, line)
			continue
		}
		m := r.Model
		star := " "
		if m.IsBest {
			star = "★"
		}
		oracle := r.Product.Oracle
		if m.Metrics.OracleAUC != nil {
			oracle = *m.Metrics.OracleAUC
		}
		pos := components.Int(int64(m.Metrics.Positives))
		if profiles.PositivesNote(m.Metrics.Positives) != "" {
			pos += fmt.Sprintf(" <%d", profiles.FewPositives)
		}
		cells := []string{
			fmt.Sprintf("%s v%d", m.Algo, m.Version),
			CVAUC(m.Metrics.AUC, m.Metrics.AUCSD, m.Metrics.Folds),
			Dec3(oracle),
			components.Float(m.Metrics.Lift, 1),
			Dec3(m.Metrics.CalErr),
			pos,
			Duration(m.Metrics.TrainMS),
			star,
		}
		for j, c := range boardCols {
			if j == 0 {
				line += " " + components.PadRight(cells[j], c.w)
			} else {
				line += " " + components.PadLeft(cells[j], c.w)
			}
		}
		out = append(out, line)
	}
	return out
}

// CVAUC formats a cross-validated AUC with its spread over the folds: ".861±.012"; a model
// registered before cross-validation (no folds) shows its AUC alone.
func CVAUC(auc, sd float64, folds int) string {
	if folds == 0 {
		return Dec3(auc)
	}
	return Dec3(auc) + "±" + Dec3(sd)
}

// Dec3 formats a value in [0, 1] the way the leaderboard shows AUCs: ".861"; "–" if unknown.
func Dec3(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	s := strconv.FormatFloat(v, 'f', 3, 64)
	if strings.HasPrefix(s, "0.") {
		return s[1:]
	}
	return s
}

// Duration formats a train time in milliseconds: "340ms", "2.4s", "1m05s".
func Duration(ms float64) string {
	if math.IsNaN(ms) || ms < 0 {
		return "–"
	}
	d := time.Duration(ms * float64(time.Millisecond))
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}

func label(m *services.ProfileModel) string {
	return fmt.Sprintf("%s · %s v%d", m.Product, m.Algo, m.Version)
}

func short(m *services.ProfileModel) string { return fmt.Sprintf("%s v%d", m.Algo, m.Version) }

// gainsPoints are the model's cumulative gains from (0, 0).
func gainsPoints(m *services.ProfileModel) []canvas.Float64Point {
	pts := []canvas.Float64Point{{X: 0, Y: 0}}
	for _, g := range m.Metrics.Gains {
		pts = append(pts, canvas.Float64Point{X: g.Share, Y: g.Gain})
	}
	if len(m.Metrics.Gains) == 0 {
		for _, d := range m.Metrics.Deciles {
			pts = append(pts, canvas.Float64Point{X: float64(d.Decile) / 10, Y: d.CumGain})
		}
	}
	return pts
}

// newPctChart is an ntcharts line chart over [0, 1]² with its axes drawn and labelled in
// percent at round values only (0, 25, 50, 75, 100 % across, 0, 50, 100 % up), so the
// labels do not depend on the chart's size.
func newPctChart(th *theme.Theme, w, h int) linechart.Model {
	var dx, dy float64 // one cell in data units, known once the graph is laid out
	label := func(step float64, cell *float64) linechart.LabelFormatter {
		return func(_ int, v float64) string {
			if *cell == 0 { // layout pass: the widest label
				return fmt.Sprintf("%.0f%%", 100*v)
			}
			r := math.Round(v/step) * step
			if math.Abs(v-r) < *cell/2 {
				return fmt.Sprintf("%.0f%%", 100*r)
			}
			return ""
		}
	}
	lc := linechart.New(w, h, 0, 1, 0, 1,
		linechart.WithXYSteps(1, 1),
		linechart.WithXLabelFormatter(label(0.25, &dx)), linechart.WithYLabelFormatter(label(0.5, &dy)),
		linechart.WithStyles(th.Subtle, th.Muted, th.Bar))
	dx = 1 / float64(max(lc.GraphWidth(), 1))
	dy = 1 / float64(max(lc.GraphHeight(), 1))
	lc.DrawXYAxisAndLabel()
	return lc
}

// GainsView draws the cumulative gains of m (braille line), of the comparison models (•)
// and the random diagonal (·) in w×h cells with ntcharts, with a legend line and the gain
// at 10 % and 20 % depth.
func GainsView(th *theme.Theme, m *services.ProfileModel, others []*services.ProfileModel, w, h int) string {
	if w < 16 || h < 5 {
		return components.Truncate(fmt.Sprintf("top 10 %% finds %s", components.Pct(gainAt(gainsPoints(m), 0.1), 0)), w)
	}
	ch := h - 1
	lc := newPctChart(th, w, ch)
	// Random selection: gain = depth.
	n := max(lc.GraphWidth(), 2)
	for i := 0; i <= n; i += 2 {
		x := float64(i) / float64(n)
		lc.DrawRuneWithStyle(canvas.Float64Point{X: x, Y: x}, '·', th.Muted)
	}
	for _, o := range others {
		pts := gainsPoints(o)
		for i := 0; i <= n; i++ {
			x := float64(i) / float64(n)
			if i%2 == 0 {
				lc.DrawRuneWithStyle(canvas.Float64Point{X: x, Y: gainAt(pts, x)}, '•', th.Warn)
			}
		}
	}
	pts := gainsPoints(m)
	for i := 1; i < len(pts); i++ {
		lc.DrawBrailleLineWithStyle(pts[i-1], pts[i], th.Bar)
	}
	leg := fmt.Sprintf("⣿ %s %s@10%% %s@20%%", short(m), components.Pct(gainAt(pts, 0.1), 0), components.Pct(gainAt(pts, 0.2), 0))
	for _, o := range others {
		op := gainsPoints(o)
		leg += fmt.Sprintf("  • %s %s@10%%", short(o), components.Pct(gainAt(op, 0.1), 0))
		if o.Product != m.Product {
			leg += " (" + o.Product + ")"
		}
	}
	leg += "  · random"
	return lc.View() + "\n" + components.Truncate(leg, w)
}

// gainAt interpolates the gains curve linearly at depth d.
func gainAt(pts []canvas.Float64Point, d float64) float64 {
	if len(pts) == 0 {
		return math.NaN()
	}
	for i := 1; i < len(pts); i++ {
		if d <= pts[i].X {
			a, b := pts[i-1], pts[i]
			if b.X == a.X {
				return b.Y
			}
			return a.Y + (b.Y-a.Y)*(d-a.X)/(b.X-a.X)
		}
	}
	return pts[len(pts)-1].Y
}

// LiftView draws the response lift of each score decile as bars (ntcharts barchart),
// decile 1 holding the highest scores, with the values underneath.
func LiftView(th *theme.Theme, m *services.ProfileModel, w, h int) string {
	ds := m.Metrics.Deciles
	if len(ds) == 0 {
		return "no deciles in this model's metrics"
	}
	var vals []string
	for _, d := range ds {
		vals = append(vals, components.Float(d.Lift, 1))
	}
	text := "lift " + strings.Join(vals, " ")
	if h < 4 || w < 20 {
		return components.Truncate(text, w)
	}
	var data []barchart.BarData
	maxLift := 1.0
	for _, d := range ds {
		maxLift = math.Max(maxLift, d.Lift)
		data = append(data, barchart.BarData{Label: strconv.Itoa(d.Decile), Values: []barchart.BarValue{{Name: "lift", Value: math.Max(d.Lift, 0), Style: th.Bar}}})
	}
	bc := barchart.New(w, h-1, barchart.WithDataSet(data), barchart.WithMaxValue(maxLift), barchart.WithNoAutoMaxValue(),
		barchart.WithStyles(th.Subtle, th.Muted))
	bc.Draw()
	return bc.View() + "\n" + components.Truncate(text, w)
}

// RuleText is a rule in words: each condition on the customer view's encoded columns read
// as the marketer would say it (features.Plain; product names from product), joined by "and".
func RuleText(r model.Rule, product func(int) string) string {
	if len(r.Conditions) == 0 {
		return r.Text
	}
	parts := make([]string, len(r.Conditions))
	for i, c := range r.Conditions {
		parts[i] = features.Plain(c, product)
	}
	return strings.Join(parts, " and ")
}

// RuleLines renders the rule profile: each segment's rule in words, coverage, rate and
// lift. A rule is never cut: it wraps onto as many lines as it needs, the rules that no
// longer fit are counted on the last line.
func RuleLines(m *services.ProfileModel, product func(int) string, w, h int) []string {
	rules := m.Metrics.Rules
	if len(rules) == 0 {
		return []string{"no rules with a raised rate in this model's metrics"}
	}
	var head string
	var lead, tw int // lead: cells before the rule on continuation lines; tw: rule width
	compact := w < 56
	if compact {
		head, lead = " lift  cover   rate · rule below", 4
	} else {
		const numW = 7 + 1 + 7 + 1 + 6
		tw = max(w-numW-1, 10)
		head, lead = components.PadRight("rule", tw)+" "+components.PadLeft("cover", 7)+" "+components.PadLeft("rate", 7)+" "+components.PadLeft("lift", 6), 2
	}
	contW := max(w-lead, 8) // continuation lines run under the numbers too
	if !compact {
		contW = max(tw-lead, 8)
	}
	out := []string{components.Truncate(head, w)}
	for k, r := range rules {
		var lines []string
		if compact { // numbers first, the rule below them at the pane's width
			lines = append([]string{""}, wrapRule(RuleText(r, product), contW, contW)...)
		} else {
			lines = wrapRule(RuleText(r, product), tw, contW)
		}
		left := len(rules) - k
		room := h - len(out)
		if room < len(lines) || (left > 1 && room == len(lines)) && k > 0 {
			if room >= 1 {
				out = append(out, components.Truncate(fmt.Sprintf("… %d more rule(s): a taller pane shows them", left), w))
			}
			break
		}
		var first string
		if compact {
			first = fmt.Sprintf("%5s %6s %6s", components.Float(r.Lift, 1)+"×", components.Pct(r.Coverage, 1), components.Pct(r.Rate, 0))
		} else {
			first = components.PadRight(lines[0], tw) + " " + components.PadLeft(components.Pct(r.Coverage, 1), 7) + " " +
				components.PadLeft(components.Pct(r.Rate, 1), 7) + " " + components.PadLeft(components.Float(r.Lift, 1)+"×", 6)
		}
		out = append(out, components.Truncate(first, w))
		for _, l := range lines[1:] {
			out = append(out, components.Truncate(strings.Repeat(" ", lead)+l, w))
		}
	}
	return out
}

// wrapRule breaks a rule at its words into a first line of width first and continuation
// lines of width rest; a word longer than a line is broken inside.
func wrapRule(text string, first, rest int) []string {
	lines := strings.SplitN(ansi.Wrap(text, first, ""), "\n", 2)
	if len(lines) == 2 {
		more := strings.Join(strings.Fields(lines[1]), " ")
		lines = append(lines[:1], strings.Split(ansi.Wrap(more, rest, ""), "\n")...)
	}
	return lines
}

// CompareLines puts the metrics of two models side by side with the difference b − a.
func CompareLines(a, b *services.ProfileModel, w int) []string {
	type kv struct {
		name string
		f    func(*services.ProfileModel) float64
		fmt  func(float64) string
	}
	pct := func(v float64) string { return components.Pct(v, 1) }
	f1 := func(v float64) string { return components.Float(v, 1) }
	rows := []kv{
		{"AUC", func(m *services.ProfileModel) float64 { return m.Metrics.AUC }, Dec3},
		{"Gini", func(m *services.ProfileModel) float64 { return m.Metrics.Gini }, Dec3},
		{"lift@10", func(m *services.ProfileModel) float64 { return m.Metrics.Lift }, f1},
		{"gain@20%", func(m *services.ProfileModel) float64 { return gainAt(gainsPoints(m), 0.2) }, pct},
		{"cal.err", func(m *services.ProfileModel) float64 { return m.Metrics.CalErr }, Dec3},
		{"Brier", func(m *services.ProfileModel) float64 { return m.Metrics.Brier }, Dec3},
		{"train s", func(m *services.ProfileModel) float64 { return m.Metrics.TrainMS / 1000 }, f1},
	}
	cw := max((w-10-2)/3, 6)
	out := []string{components.PadRight("", 10) + " " + components.PadLeft(short(a), cw) + " " + components.PadLeft(short(b), cw) + " " + components.PadLeft("b − a", cw)}
	for _, r := range rows {
		va, vb := r.f(a), r.f(b)
		d := vb - va
		sign := "+"
		if d < 0 {
			sign = "−"
		}
		diff := sign + strings.TrimPrefix(r.fmt(math.Abs(d)), "-")
		out = append(out, components.PadRight(r.name, 10)+" "+components.PadLeft(r.fmt(va), cw)+" "+components.PadLeft(r.fmt(vb), cw)+" "+components.PadLeft(diff, cw))
	}
	if a.Product != b.Product {
		out = append(out, "", components.Truncate("a: "+a.Product+" · b: "+b.Product, w))
	}
	return out
}
