package simulate

import (
	"fmt"
	"math"
	"strings"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/linechart"
	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/theme"
)

// The Simulate screen's charts (ntcharts), drawn from the model on screen; no I/O.

// FrequencyChart draws the response per offer against offers in the last 12 months with
// ntcharts: the 95 % bootstrap band of the observed levels (░, interpolated between levels
// with at least MinOffers offers), the fitted rise–saturation–fatigue curve (braille), the
// optimum (◆) and, when now/what ≥ 0, the what-if's two levels on the curve (○ now, ● what-if).
func FrequencyChart(th *theme.Theme, f *sim.Frequency, now, what float64, w, h int) string {
	var bins []sim.BinStat
	for _, b := range f.Bins {
		if b.Contacts >= MinOffers {
			bins = append(bins, b)
		}
	}
	if len(bins) < 2 || w < 20 || h < 5 {
		return "too few contact levels with ≥ 30 offers to draw a curve"
	}
	maxX := float64(bins[len(bins)-1].N)
	maxX = math.Max(maxX, math.Max(now, what))
	// The y range follows the observed rates and the fitted curve; a band wider than that
	// (few offers at a level) is cut at the top rather than flattening the curve.
	maxY := 0.0
	for _, b := range bins {
		maxY = math.Max(maxY, b.Rate.Estimate)
	}
	for x := 0.25; x <= maxX; x += 0.25 {
		maxY = math.Max(maxY, f.Curve.At(x))
	}
	if maxY <= 0 {
		maxY = 0.01
	}
	maxY *= 1.3
	ch := h - 1
	yStep := niceStep(maxY / 3)
	xStep := niceStep(maxX / 6)
	var dx, dy float64
	lc := linechart.New(w, ch, 0, maxX, 0, maxY,
		linechart.WithXYSteps(1, 1),
		linechart.WithXLabelFormatter(roundLabel(xStep, &dx, func(v float64) string { return fmt.Sprintf("%.0f", v) })),
		linechart.WithYLabelFormatter(roundLabel(yStep, &dy, func(v float64) string { return pctString(v, yStep) })),
		linechart.WithStyles(th.Subtle, th.Muted, th.Bar))
	dx = maxX / float64(max(lc.GraphWidth(), 1))
	dy = maxY / float64(max(lc.GraphHeight(), 1))
	lc.DrawXYAxisAndLabel()
	// Band: per graph column, lo and hi interpolated between neighbouring levels.
	gw, gh := max(lc.GraphWidth(), 1), max(lc.GraphHeight(), 1)
	for c := 0; c <= gw; c++ {
		x := maxX * float64(c) / float64(gw)
		if x < float64(bins[0].N) || x > float64(bins[len(bins)-1].N) {
			continue
		}
		lo, hi := interp(bins, x)
		for r := 0; r <= gh; r++ {
			y := maxY * float64(r) / float64(gh)
			if y >= lo-dy/2 && y <= hi+dy/2 {
				lc.DrawRuneWithStyle(canvas.Float64Point{X: x, Y: y}, '░', th.Subtle)
			}
		}
	}
	// Fitted curve.
	var prev *canvas.Float64Point
	for c := 0; c <= gw; c++ {
		x := math.Max(maxX*float64(c)/float64(gw), 0.05)
		p := canvas.Float64Point{X: x, Y: math.Min(f.Curve.At(x), maxY)}
		if prev != nil {
			lc.DrawBrailleLineWithStyle(*prev, p, th.Bar)
		}
		prev = &p
	}
	// Observed levels.
	for _, b := range bins {
		lc.DrawRuneWithStyle(canvas.Float64Point{X: float64(b.N), Y: b.Rate.Estimate}, '·', th.PaneTitle)
	}
	leg := []string{"⣿ fitted", "· observed"}
	if pk := f.Curve.Peak(); f.Curve.C > 0 && pk <= maxX {
		lc.DrawRuneWithStyle(canvas.Float64Point{X: pk, Y: f.Curve.At(pk)}, '◆', th.Warn)
		leg = append(leg, fmt.Sprintf("◆ optimum %.1f/yr", pk))
	}
	if now >= 0 && now <= maxX {
		lc.DrawRuneWithStyle(canvas.Float64Point{X: now, Y: f.Curve.At(math.Max(now, 0.05))}, '○', th.PaneTitle)
		leg = append(leg, fmt.Sprintf("○ now %.0f/yr", now))
	}
	if what >= 0 && what <= maxX {
		lc.DrawRuneWithStyle(canvas.Float64Point{X: what, Y: f.Curve.At(math.Max(what, 0.05))}, '●', th.PaneTitle)
		leg = append(leg, fmt.Sprintf("● what-if %.0f/yr", what))
	}
	return lc.View() + "\n" + components.Truncate(strings.Join(leg, "  "), w)
}

// LevelLines lists, for each number of offers a year with at least MinOffers offers, the
// observed response, revenue and opt-out rate per offer with their 95 % bootstrap intervals;
// the fitted response, the offers and the accepts are added as the width allows. The rows
// nearest the optimum are kept when they do not all fit.
func LevelLines(f *sim.Frequency, w, h int) []string {
	type col struct {
		head  string
		width int
		left  bool
		cell  func(b sim.BinStat) string
	}
	ciCol := func(head string, width int, e func(b sim.BinStat) sim.Estimate, pt, lohi func(float64) string) col {
		return col{head, width, true, func(b sim.BinStat) string {
			x := e(b)
			return pt(x.Estimate) + " (" + lohi(x.Lo) + "–" + lohi(x.Hi) + ")"
		}}
	}
	n := col{"n/yr", 4, false, func(b sim.BinStat) string { return fmt.Sprint(b.N) }}
	rate := ciCol("response", 18, func(b sim.BinStat) sim.Estimate { return b.Rate }, pct2, pct1)
	rev := ciCol("revenue/offer", 18, func(b sim.BinStat) sim.Estimate { return b.RevenuePerContact }, func(v float64) string { return "€ " + euro0(v) }, euro0)
	opt := ciCol("opt-out/offer", 18, func(b sim.BinStat) sim.Estimate { return b.OptOutRate }, pctOpt, pctOptBare)
	fitted := col{"fitted", 6, false, func(b sim.BinStat) string { return pct2(b.Fitted) }}
	offers := col{"offers", 7, false, func(b sim.BinStat) string { return sim.FormatCount(b.Contacts) }}
	accepts := col{"accepts", 7, false, func(b sim.BinStat) string { return sim.FormatCount(b.Accepts) }}
	// Screen order; the optional columns join by priority (fitted, offers, accepts) as long
	// as the line stays within w.
	order := []col{n, offers, accepts, rate, fitted, rev, opt}
	in := map[string]bool{n.head: true, rate.head: true, rev.head: true, opt.head: true}
	used := n.width + rate.width + rev.width + opt.width + 3
	for _, c := range []col{fitted, offers, accepts} {
		if used+1+c.width > w {
			break
		}
		in[c.head], used = true, used+1+c.width
	}
	var cols []col
	for _, c := range order {
		if in[c.head] {
			cols = append(cols, c)
		}
	}
	line := func(cell func(c col) string) string {
		parts := make([]string, len(cols))
		for i, c := range cols {
			if c.left {
				parts[i] = components.PadRight(cell(c), c.width)
			} else {
				parts[i] = components.PadLeft(cell(c), c.width)
			}
		}
		return components.Truncate(strings.TrimRight(strings.Join(parts, " "), " "), w)
	}
	out := []string{line(func(c col) string { return c.head })}
	var rows []string
	for _, b := range f.Bins {
		if b.Contacts < MinOffers {
			continue
		}
		rows = append(rows, line(func(c col) string { return c.cell(b) }))
	}
	if len(rows) > h-1 && h > 1 {
		peak := int(math.Round(f.Peak.Estimate))
		start := 0
		for i, b := range f.Bins {
			if b.N >= peak-(h-1)/2 {
				start = i
				break
			}
		}
		start = min(start, len(rows)-(h-1))
		rows = rows[max(start, 0) : max(start, 0)+h-1]
	}
	return append(out, rows...)
}

// ProfitChart draws the net profit of curve c (p's model at the economics entered) against
// selection depth (braille) with the optimum (◆), the break-even depths (×) and, when
// mark ≥ 0, the targeted campaign's depth (●); below it two lines say where the numbers come
// from: the model's base and response, and the targeted inputs' profit and costs (with the
// product's own when they differ).
func ProfitChart(th *theme.Theme, p *services.ProfitView, c sim.ProfitCurve, mark float64, w, h int) string {
	e, in := p.Economics, c.Input
	opt := fmt.Sprintf("optimum: top %.0f %% → %s (%s contracts)", 100*c.Optimum.Depth, Euro(c.Optimum.Net, sim.FormatShort), sim.FormatCount(math.Round(c.Optimum.Contracts)))
	var be []string
	for _, d := range c.BreakEven {
		be = append(be, fmt.Sprintf("%.0f %%", 100*d))
	}
	info := fmt.Sprintf("model: %s eligible · %s response", sim.FormatCount(in.Base), sim.FormatPercent(in.ResponseRate))
	if in.Profit != e.Margin || in.CostPerContact != e.Cost {
		info += fmt.Sprintf(" · u: € %s, € %.2f / contact", sim.FormatMoney(e.Margin), e.Cost)
	}
	econ := fmt.Sprintf("targeted: € %s / contract · € %.2f / contact · € %s fixed", sim.FormatMoney(in.Profit), in.CostPerContact, sim.FormatMoney(in.FixedCost))
	if len(c.Points) < 2 || w < 20 || h < 7 {
		return components.Truncate(opt, w) + "\n" + components.Truncate(info, w) + "\n" + components.Truncate(econ, w)
	}
	minY, maxY := 0.0, 0.0
	for _, pt := range c.Points {
		minY, maxY = math.Min(minY, pt.Net), math.Max(maxY, pt.Net)
	}
	if maxY == minY {
		maxY = minY + 1
	}
	pad := (maxY - minY) * 0.05
	minY, maxY = minY-pad, maxY+pad
	ch := h - 3
	step := niceStep((maxY - minY) / 3)
	var dx, dy float64
	lc := linechart.New(w, ch, 0, 1, minY, maxY,
		linechart.WithXYSteps(1, 1),
		linechart.WithXLabelFormatter(roundLabel(0.25, &dx, func(v float64) string { return fmt.Sprintf("%.0f%%", 100*v) })),
		// ASCII minus: ntcharts places axis labels by byte length.
		linechart.WithYLabelFormatter(roundLabel(step, &dy, func(v float64) string { return sim.FormatShort(v) })),
		linechart.WithStyles(th.Subtle, th.Muted, th.Bar))
	dx = 1 / float64(max(lc.GraphWidth(), 1))
	dy = (maxY - minY) / float64(max(lc.GraphHeight(), 1))
	lc.DrawXYAxisAndLabel()
	gw := max(lc.GraphWidth(), 1)
	for c := 0; c <= gw; c += 2 { // zero line
		lc.DrawRuneWithStyle(canvas.Float64Point{X: float64(c) / float64(gw), Y: 0}, '·', th.Subtle)
	}
	for i := 1; i < len(c.Points); i++ {
		a, b := c.Points[i-1], c.Points[i]
		lc.DrawBrailleLineWithStyle(canvas.Float64Point{X: a.Depth, Y: a.Net}, canvas.Float64Point{X: b.Depth, Y: b.Net}, th.Bar)
	}
	for _, d := range c.BreakEven {
		lc.DrawRuneWithStyle(canvas.Float64Point{X: d, Y: 0}, '×', th.Bad)
	}
	marked := false
	if mark >= 0 && mark <= 1 { // under the optimum's ◆ when they share a cell
		if pt, err := in.At(mark); err == nil {
			lc.DrawRuneWithStyle(canvas.Float64Point{X: mark, Y: math.Min(math.Max(pt.Net, minY), maxY)}, '●', th.PaneTitle)
			marked = true
		}
	}
	lc.DrawRuneWithStyle(canvas.Float64Point{X: c.Optimum.Depth, Y: c.Optimum.Net}, '◆', th.Warn)
	leg := "◆ " + opt
	if len(be) > 0 {
		leg += " · × break-even " + strings.Join(be, ", ")
	}
	if marked {
		leg += fmt.Sprintf(" · ● targeted %.0f %%", 100*mark)
	}
	return lc.View() + "\n" + components.Truncate(leg, w) + "\n" + th.Muted.Render(components.Truncate(info, w)) + "\n" + th.Muted.Render(components.Truncate(econ, w))
}

func interp(bins []sim.BinStat, x float64) (lo, hi float64) {
	for i := 1; i < len(bins); i++ {
		a, b := bins[i-1], bins[i]
		if x <= float64(b.N) {
			t := 0.0
			if b.N != a.N {
				t = (x - float64(a.N)) / float64(b.N-a.N)
			}
			lo = a.Rate.Lo + t*(b.Rate.Lo-a.Rate.Lo)
			hi = a.Rate.Hi + t*(b.Rate.Hi-a.Rate.Hi)
			return lo, hi
		}
	}
	last := bins[len(bins)-1]
	return last.Rate.Lo, last.Rate.Hi
}

// niceStep is the 1-2-5 step at or above v.
func niceStep(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func pctString(v, step float64) string {
	if step >= 0.01 {
		return fmt.Sprintf("%.0f%%", 100*v)
	}
	return fmt.Sprintf("%.1f%%", 100*v)
}

// roundLabel labels an axis only at multiples of step (within half a cell); during the
// layout pass (*cell == 0) it returns the plain label so the axis width is right.
func roundLabel(step float64, cell *float64, f func(float64) string) linechart.LabelFormatter {
	return func(_ int, v float64) string {
		if *cell == 0 {
			return f(v)
		}
		r := math.Round(v/step) * step
		if r == 0 {
			r = 0 // not −0
		}
		if math.Abs(v-r) < *cell/2 {
			return f(r)
		}
		return ""
	}
}
