package simulate

import (
	"fmt"
	"math"
	"strings"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/linechart"
	"github.com/charmbracelet/x/ansi"

	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/theme"
)

// MinOffers is the fewest offers a contact level needs to be drawn as an observed point.
const MinOffers = 30

func (s *Screen) wide() bool { return s.width >= 110 }

// View draws the panel tabs, the active panel and the prompt line.
func (s *Screen) View() string {
	th := s.c.Theme
	if s.width <= 0 || s.height <= 0 {
		return ""
	}
	if s.svc == nil {
		return components.Box(th, "Simulate", th.Error.Render("✗ the workbench's services do not offer simulations (services.SimulateService); use acrm simulate on the command line"), "", s.width, s.height, true)
	}
	h := s.height - 1
	prompt := s.promptLine()
	if prompt != "" {
		h--
	}
	var body string
	switch {
	case s.comparing:
		body = s.compareView(s.width, h)
	case s.panel == PanelROI:
		body = s.roiView(s.width, h)
	case s.panel == PanelInbound:
		body = s.inboundView(s.width, h)
	default:
		body = s.frequencyView(s.width, h)
	}
	out := s.tabsLine() + "\n" + body
	if prompt != "" {
		out += "\n" + prompt
	}
	return out
}

func (s *Screen) tabsLine() string {
	th := s.c.Theme
	names := []string{"f frequency what-if", "o outbound ROI & profit", "i inbound"}
	var parts []string
	for i, n := range names {
		if Panel(i) == s.panel && !s.comparing {
			parts = append(parts, th.TabActive.Render("["+n+"]"))
		} else {
			parts = append(parts, th.TabInactive.Render(" "+n+" "))
		}
	}
	if s.comparing {
		parts = append(parts, th.TabActive.Render("[c scenarios]"))
	} else {
		parts = append(parts, th.TabInactive.Render(" c scenarios "))
	}
	return components.PadRight(strings.Join(parts, " "), s.width)
}

func (s *Screen) promptLine() string {
	th := s.c.Theme
	var label string
	switch s.promptFor {
	case promptNone:
		return ""
	case promptValue:
		f, _, _ := s.currentField()
		label = f.Label
		if f.Unit == share {
			label += " (%)"
		}
	case promptSave:
		label = "save scenario as"
	case promptExport:
		label = "export chart to (.png/.svg/.pdf)"
	}
	in := s.input
	if s.inputErr != "" {
		// Room for the message: the input box shrinks to the typed text.
		in.Width = min(in.Width, max(ansi.StringWidth(in.Value())+1, 8))
	}
	line := th.PaneTitle.Render(label+": ") + in.View()
	if s.inputErr != "" {
		line += "  " + th.Error.Render("✗ "+s.inputErr)
	}
	return components.PadRight(line, s.width)
}

// ---- frequency ----

func (s *Screen) frequencyView(w, h int) string {
	th := s.c.Theme
	var lines []string
	lines = append(lines, s.freqInputsLine(w-2))
	title := "Contact frequency"
	switch {
	case s.freqErr != nil:
		lines = append(lines, "", th.Error.Render(ansi.Wordwrap("✗ "+s.freqErr.Error(), max(w-4, 10), "")))
		if strings.Contains(s.freqErr.Error(), "segment") {
			lines = append(lines, th.Muted.Render("←/→ on the segment picks another one"))
		}
	case s.freq == nil:
		lines = append(lines, "", th.Muted.Render("reading the contact history of "+s.segment()+"… (esc cancels)"))
	default:
		f := s.freq
		title = fmt.Sprintf("Segment %s · %s customers · period: %s", f.Segment.Name, components.Int(f.Segment.Customers), sim.PeriodName(f.PeriodMonths))
		notes := s.freqNotes(w - 2)
		if s.wide() || h >= 30 {
			lines = append(lines, th.Muted.Render(components.Truncate(f.Segment.Definition, w-2)), "")
			lines = append(lines, WhatIfLines(s.whatIf, s.whatIfErr, f.PeriodMonths, w-2)...)
			lines = append(lines, "")
			lines = append(lines, notes...)
		} else {
			// Short terminal: the table, whether the estimate is causal and the optimum;
			// the chart needs the rest.
			lines = append(lines, WhatIfLines(s.whatIf, s.whatIfErr, f.PeriodMonths, w-2)...)
			keep := 2
			if f.PeriodNote != "" {
				keep = 3 // the period note is the second line; the optimum stays
			}
			lines = append(lines, notes[:min(keep, len(notes))]...)
		}
	}
	footer := "↑/↓ input · ←/→ change · s save · e export"
	if w >= 140 { // side by side only when the chart keeps 60 columns next to the table
		lw := min(max(w/2, 76), 96)
		// The per-level table fills the room under the what-if when there is enough of it.
		if room := h - 2 - len(lines) - 2; room >= 5 && s.freq != nil {
			lines = append(lines, "", th.PaneTitle.Render("Per offer at each level of offers a year (95 % CI)"))
			lines = append(lines, LevelLines(s.freq, lw-2, room)...)
		}
		left := components.Box(th, title, strings.Join(lines, "\n"), footer, lw, h, true)
		right := components.Box(th, "Response per offer vs offers a year", s.freqChart(w-lw-2, h-2), "░ 95 % band · ◆ optimum", w-lw, h, false)
		return components.JoinH(left, right)
	}
	th2 := min(len(lines)+2, h-7)
	top := components.Box(th, title, strings.Join(lines, "\n"), footer, w, max(th2, 3), true)
	bottom := components.Box(th, "Response per offer vs offers a year", s.freqChart(w-2, h-max(th2, 3)-2), "░ 95 % band · ◆ optimum", w, h-max(th2, 3), false)
	return top + "\n" + bottom
}

func (s *Screen) freqInputsLine(w int) string {
	th := s.c.Theme
	per := "per " + sim.PeriodName(s.months())
	items := []string{
		"segment " + s.segment(),
		fmt.Sprintf("now %d", s.from),
		fmt.Sprintf("what-if %d", s.to),
		per,
	}
	var parts []string
	for i, it := range items {
		if i == s.freqCursor && s.promptFor == promptNone && !s.comparing {
			parts = append(parts, th.Selected.Render("◂ "+it+" ▸"))
		} else {
			parts = append(parts, "  "+it+"  ")
		}
	}
	return components.Truncate(strings.Join(parts, " "), w)
}

// WhatIfLines renders the what-if table: now, what-if and the change with its 95 % CI.
func WhatIfLines(wi *sim.WhatIf, err error, months, w int) []string {
	if err != nil {
		msg := err.Error()
		return []string{"✗ " + components.Truncate(msg, w-2), "pick other contact levels with ←/→"}
	}
	if wi == nil {
		return []string{"computing the what-if…"}
	}
	per := sim.PeriodName(months)
	lw := 22
	cw := max(min((w-lw)/4, 14), 9)
	cell := func(s string) string { return components.PadLeft(s, cw) }
	money := func(v float64) string { return Euro(v, sim.FormatShort) }
	signedCount := func(v float64) string { return sim.FormatSigned(math.Round(v), sim.FormatCount) }
	signedMoney := func(v float64) string {
		return sim.FormatSigned(v, func(x float64) string { return "€ " + sim.FormatShort(x) })
	}
	signedShort := func(v float64) string { return sim.FormatSigned(v, sim.FormatShort) }
	pct := func(v float64) string {
		return sim.FormatSigned(100*v, func(x float64) string { return fmt.Sprintf("%.0f %%", x) })
	}
	ci := func(e sim.Estimate, f func(float64) string) string { return "(" + f(e.Lo) + " … " + f(e.Hi) + ")" }
	head := components.PadRight("", lw) + cell(fmt.Sprintf("now (%d)", wi.From)) + cell(fmt.Sprintf("what-if (%d)", wi.To)) + "  change (95 % CI)"
	out := []string{head}
	row := func(name string, now, what float64, f func(float64) string, change string) string {
		return components.PadRight(name, lw) + cell(f(now)) + cell(f(what)) + "  " + change
	}
	out = append(out,
		row("contracts / "+per, wi.NowContracts.Estimate, wi.WhatIfContracts.Estimate, func(v float64) string { return sim.FormatCount(math.Round(v)) },
			signedCount(wi.ExtraContracts.Estimate)+" "+ci(wi.ExtraContracts, signedCount)),
		row("revenue / "+per, wi.NowRevenue.Estimate, wi.WhatIfRevenue.Estimate, money,
			signedMoney(wi.ExtraRevenue.Estimate)+" "+ci(wi.ExtraRevenue, signedShort)),
		components.PadRight("revenue growth", lw)+cell("")+cell("")+"  "+growth(wi, pct, ci),
		row("opt-outs / "+per, wi.NowOptOuts.Estimate, wi.WhatIfOptOuts.Estimate, func(v float64) string { return sim.FormatCount(math.Round(v)) },
			signedCount(wi.ExtraOptOuts.Estimate)+" "+ci(wi.ExtraOptOuts, signedCount)),
	)
	for i := range out {
		out[i] = components.Truncate(out[i], w)
	}
	return out
}

// IdentificationNote says in words how the frequency estimate was identified: from
// randomized frequency cells (a measured effect) or from the contact history alone
// (observational: a correlation).
func IdentificationNote(f *sim.Frequency) string {
	if f.Randomized {
		return "✓ curve from randomized frequency cells: a measured effect, not a correlation"
	}
	return "⚠ observational only: no randomized frequency cells for this segment — a correlation, not a measured effect"
}

// PeriodNote says, for a period other than the half year the randomized cells were assigned
// for, that the per-period levels are observational and there is no randomized check ("" at
// the half year or without randomized cells; see sim.Frequency.PeriodNote).
func PeriodNote(f *sim.Frequency) string {
	if f.PeriodNote == "" {
		return ""
	}
	per := sim.PeriodName(f.PeriodMonths)
	return fmt.Sprintf("⚠ the cells are half-year cells: per %s the levels are observational and there is no randomized check (p: half year)", per)
}

// growth is the relative revenue effect with its interval; undefined (sim.UndefinedGrowth,
// "–") when the segment earns nothing now, since a change relative to zero means nothing.
func growth(wi *sim.WhatIf, pct func(float64) string, ci func(sim.Estimate, func(float64) string) string) string {
	if wi.RevenueEffect == nil {
		return sim.UndefinedGrowth
	}
	return pct(wi.RevenueEffect.Estimate) + " " + ci(*wi.RevenueEffect, pct)
}

func (s *Screen) freqNotes(w int) []string {
	th := s.c.Theme
	f := s.freq
	var out []string
	if f.Randomized {
		out = append(out, th.Good.Render(components.Truncate(IdentificationNote(f), w)))
	} else {
		out = append(out, th.Warn.Render(components.Truncate(IdentificationNote(f), w)))
	}
	if n := PeriodNote(f); n != "" {
		out = append(out, th.Warn.Render(components.Truncate(n, w)))
	}
	if f.Curve.C > 0 {
		out = append(out, components.Truncate(fmt.Sprintf("response per offer peaks at %.1f offers a year (95 %% CI %.1f … %.1f); most contracts at %.1f per %s (%.1f … %.1f)",
			f.Peak.Estimate, f.Peak.Lo, f.Peak.Hi, f.BestPerPeriod.Estimate, sim.PeriodName(f.PeriodMonths), f.BestPerPeriod.Lo, f.BestPerPeriod.Hi), w))
	} else {
		out = append(out, components.Truncate("the fitted response only falls with more offers: no optimum above zero", w))
	}
	if wi := s.whatIf; wi != nil {
		out = append(out, th.Muted.Render(components.Truncate(fmt.Sprintf("now measured on %s customer-periods (%s); %d bootstrap resamples of customers",
			components.Int(int64(wi.LevelRows)), wi.LevelSource, f.Boot), w)))
		if e := wi.Experiment; e != nil {
			out = append(out, components.Truncate(fmt.Sprintf("randomized cells freq-%d vs freq-%d, one period: %s contracts (%s … %s)",
				wi.From, wi.To, sim.FormatSigned(math.Round(e.ExtraContracts.Estimate), sim.FormatCount),
				sim.FormatSigned(math.Round(e.ExtraContracts.Lo), sim.FormatCount), sim.FormatSigned(math.Round(e.ExtraContracts.Hi), sim.FormatCount)), w))
		}
	}
	return out
}

func (s *Screen) freqChart(w, h int) string {
	th := s.c.Theme
	if s.freq == nil {
		if s.freqErr != nil {
			return th.Muted.Render("no curve: " + s.freqErr.Error())
		}
		return th.Muted.Render("loading…")
	}
	var now, what float64 = -1, -1
	if s.whatIf != nil {
		now = float64(s.from) * 12 / float64(s.months())
		what = float64(s.to) * 12 / float64(s.months())
	}
	return FrequencyChart(th, s.freq, now, what, w, h)
}

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

func pct1(v float64) string { return fmt.Sprintf("%.1f", 100*v) }

// pctOpt shows an opt-out rate per offer (a fraction of a percent) with two decimals.
func pctOpt(v float64) string     { return fmt.Sprintf("%.2f %%", 100*v) }
func pctOptBare(v float64) string { return fmt.Sprintf("%.2f", 100*v) }

// euro0 is an amount per offer without cents: 71, 1.2 k.
func euro0(v float64) string {
	if math.Abs(v) >= 1000 {
		return sim.FormatShort(v)
	}
	return fmt.Sprintf("%.0f", v)
}

func pct2(v float64) string { return fmt.Sprintf("%.1f %%", 100*v) }

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

// Euro formats an amount with the sign before the currency: "€ 6,750,000", "−€ 11,954".
func Euro(v float64, f func(float64) string) string {
	if v < 0 {
		return "−€ " + f(-v)
	}
	return "€ " + f(v)
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

// ---- outbound ROI ----

func (s *Screen) roiView(w, h int) string {
	th := s.c.Theme
	lines := ROILines(th, s.mass, s.targeted, s.roi, s.roiErr, s.roiCursor, s.promptFor == promptNone, w)
	if n := s.gainsNote(); n != "" {
		// Under the input rows: the targeted conversion is read from the model's gains.
		at := 1 + len(OutboundFields)
		lines = append(lines[:at], append([]string{th.Muted.Render(components.Truncate(n, w-2))}, lines[at:]...)...)
	}
	title := "Outbound campaign: mass mailing against model-targeted"
	footer := "↑/↓ input · ←/→ change · enter type · 0 seed numbers"
	if s.wide() {
		lw := min(max(w*11/20, 72), 96)
		left := components.Box(th, title, strings.Join(lines, "\n"), footer, lw, h, true)
		return components.JoinH(left, s.profitBox(w-lw, h))
	}
	th2 := min(len(lines)+2, h-6)
	return components.Box(th, title, strings.Join(lines, "\n"), footer, w, th2, true) + "\n" + s.profitBox(w, h-th2)
}

// ROILines renders the editable inputs of both campaigns and their results side by side.
// cursor is the input under the cursor (0–4 mass, 5–9 targeted).
func ROILines(th *theme.Theme, mass, targeted sim.Outbound, cmp *sim.OutboundComparison, err error, cursor int, showCursor bool, w int) []string {
	lw := 22
	cw := 16
	cell := func(s string, sel bool) string {
		if sel {
			return " " + th.Selected.Render(components.PadLeft("◂ "+s+" ▸", cw-1))
		}
		return components.PadLeft(s, cw)
	}
	out := []string{th.Header.Render(components.PadRight("", lw) + components.PadLeft("mass", cw) + components.PadLeft("targeted", cw) + components.PadLeft("change", cw))}
	for i, f := range OutboundFields {
		out = append(out, components.PadRight(f.Label, lw)+
			cell(f.Format(outboundValue(mass, i)), showCursor && cursor == i)+
			cell(f.Format(outboundValue(targeted, i)), showCursor && cursor == len(OutboundFields)+i))
	}
	out = append(out, th.Subtle.Render(strings.Repeat("─", min(lw+3*cw, w-2))))
	if err != nil {
		return append(out, th.Error.Render(components.Truncate("✗ "+err.Error(), w-2)), "fix the input (enter types a value, ←/→ steps it)")
	}
	money := func(v float64) string { return Euro(v, sim.FormatMoney) }
	signed := func(v float64) string { return sim.FormatSigned(v, money) }
	row := func(name, a, b, d string) string {
		return components.PadRight(name, lw) + components.PadLeft(a, cw) + components.PadLeft(b, cw) + components.PadLeft(d, cw)
	}
	m, t := cmp.Mass, cmp.Targeted
	roi := func(r sim.OutboundResult) string {
		if !r.HasROI {
			return "– (no cost)"
		}
		return strings.Replace(fmt.Sprintf("%.0f %%", 100*r.ROI), "-", "−", 1)
	}
	out = append(out,
		row("contracts", sim.FormatCount(m.Contracts), sim.FormatCount(t.Contracts), sim.FormatSigned(cmp.ExtraContracts, sim.FormatCount)),
		row("gross profit", money(m.GrossProfit), money(t.GrossProfit), signed(cmp.ExtraGrossProfit)),
		row("total cost", money(m.TotalCost), money(t.TotalCost), signed(cmp.ExtraCost)),
		th.PaneTitle.Render(row("net profit", money(m.NetProfit), money(t.NetProfit), signed(cmp.ExtraNetProfit))),
		row("ROI", roi(m), roi(t), ""),
		row("break-even conversion", sim.FormatPercent(m.BreakEvenConversion), sim.FormatPercent(t.BreakEvenConversion), ""),
	)
	verdict := fmt.Sprintf("targeting earns € %s more (%s)", sim.FormatShort(cmp.ExtraNetProfit), "net of contact and fixed cost")
	if cmp.ExtraNetProfit < 0 {
		verdict = fmt.Sprintf("the mass mailing earns € %s more", sim.FormatShort(-cmp.ExtraNetProfit))
	}
	out = append(out, "", components.Truncate(verdict, w-2))
	return out
}

// gainsNote says where the targeted conversion comes from while it follows a model's gains.
func (s *Screen) gainsNote() string {
	if s.tgModel == "" || s.profit == nil {
		return ""
	}
	return GainsNote(s.tgModel, s.targeted.Volume, s.profit.Curve.Input.Base)
}

// GainsNote is the line under the ROI inputs while the targeted conversion is read from a
// model's holdout gains at the targeted volume.
func GainsNote(model string, volume, base float64) string {
	return fmt.Sprintf("↳ conversion from model gains: %s at the top %s of %s", model, sim.FormatPercent(volume/base), sim.FormatCount(base))
}

func (s *Screen) profitBox(w, h int) string {
	th := s.c.Theme
	title := "Profit curve (€) over selection depth"
	footer := ""
	var body string
	switch {
	case s.profitErr != nil:
		body = th.Error.Render(ansi.Wordwrap("✗ "+s.profitErr.Error(), max(w-2, 10), ""))
	case !s.modelsLoaded:
		body = th.Muted.Render("looking for trained models…")
	case len(s.models) == 0:
		body = th.Muted.Render("no trained product model yet: train one on the Profiles screen (3, then t or T) to see net profit against selection depth, with its optimum and break-even")
	case s.profit == nil:
		body = th.Muted.Render("computing the profit curve…")
	case s.curve == nil:
		body = th.Error.Render(ansi.Wordwrap("✗ "+fmt.Sprint(s.curveErr), max(w-2, 10), ""))
	default:
		p := s.profit
		title = fmt.Sprintf("Profit curve (€) · %s · %s v%d", p.Model.Product, p.Model.Algo, p.Model.Version)
		mark := -1.0
		if b := s.curve.Input.Base; b > 0 && s.targeted.Volume <= b {
			mark = s.targeted.Volume / b
		}
		body = ProfitChart(th, p, *s.curve, mark, w-2, h-2)
		if len(s.models) > 1 {
			footer = fmt.Sprintf("m next model (%d/%d)", s.modelIdx+1, len(s.models))
		}
	}
	return components.Box(th, title, body, footer, w, h, false)
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

// ---- inbound ----

func (s *Screen) inboundView(w, h int) string {
	th := s.c.Theme
	var live *LiveScoring
	if s.inScores != nil {
		live = &LiveScoring{Model: s.inModel, Threshold: s.threshold, Customers: len(s.inScores), FromModel: s.inFromModel}
	}
	lines := InboundLines(th, s.inbound, s.inResult, s.inErr, s.inCursor, s.promptFor == promptNone, w-2, live)
	if live == nil && len(s.models) > 0 {
		lines = append(lines, "", th.Muted.Render(components.Truncate(fmt.Sprintf("u scores the base with %s to read the share worth an offer and the close rate from a score threshold", s.models[s.modelIdx].ModelID), w-2)))
	}
	return components.Box(th, "Inbound opportunity: offers made when customers contact us", strings.Join(lines, "\n"), "↑/↓ input · ←/→ change · enter type · 0 seed numbers", w, h, true)
}

// LiveScoring says where the inbound shares come from when a model scored the base.
type LiveScoring struct {
	Model     string
	Threshold float64
	Customers int
	FromModel bool // the interesting share and close rate are the model's (not edited since)
}

// InboundLines renders the inbound inputs and the monthly and yearly yield; with live
// scoring the threshold is one more input and a line says where the shares come from.
func InboundLines(th *theme.Theme, in sim.Inbound, r *sim.InboundResult, err error, cursor int, showCursor bool, w int, live *LiveScoring) []string {
	lw, cw := 28, 18
	var out []string
	fields := InboundFields
	values := []float64{in.Contacts, in.Interesting, in.Close, in.Margin}
	if live != nil {
		fields = append(append([]Field(nil), InboundFields...), ThresholdField)
		values = append(values, live.Threshold)
	}
	for i, f := range fields {
		v := f.Format(values[i])
		if showCursor && i == cursor {
			v = th.Selected.Render(components.PadLeft("◂ "+v+" ▸", cw))
		} else {
			v = components.PadLeft(v, cw)
		}
		out = append(out, components.PadRight(f.Label, lw)+v)
	}
	if live != nil {
		note := fmt.Sprintf("live scoring: %s scored %s customers; worth an offer = share with score ≥ threshold, close rate = their mean score",
			live.Model, sim.FormatCount(float64(live.Customers)))
		if !live.FromModel {
			note = "live scoring loaded, but the share or close rate was edited by hand: ←/→ on the threshold reads them from the scores again"
		}
		out = append(out, th.Muted.Render(components.Truncate(note, w)))
	}
	out = append(out, th.Subtle.Render(strings.Repeat("─", min(lw+2*cw, w))))
	if err != nil {
		return append(out, th.Error.Render(components.Truncate("✗ "+err.Error(), w)))
	}
	money := func(v float64) string { return Euro(v, sim.FormatMoney) }
	row := func(name, month, year string) string {
		return components.PadRight(name, lw) + components.PadLeft(month, cw) + components.PadLeft(year, cw)
	}
	out = append(out, th.Header.Render(row("", "per month", "per year")),
		row("offers", sim.FormatCount(r.Offers), sim.FormatCount(12*r.Offers)),
		row("contracts", sim.FormatCount(r.Contracts), sim.FormatCount(r.YearlyContracts)),
		th.PaneTitle.Render(row("profit", money(r.MonthlyProfit), money(r.YearlyProfit))),
		"",
		components.Truncate(fmt.Sprintf("%s contacts × %s worth an offer × %s close × € %s = € %s a month",
			sim.FormatCount(in.Contacts), sim.FormatPercent(in.Interesting), sim.FormatPercent(in.Close), sim.FormatMoney(in.Margin), sim.FormatShort(r.MonthlyProfit)), w),
	)
	return out
}

// ---- scenarios ----

func (s *Screen) compareView(w, h int) string {
	th := s.c.Theme
	lw := min(max(w/3, 28), 44)
	var list []string
	switch {
	case s.scErr != nil:
		list = append(list, th.Error.Render("✗ "+s.scErr.Error()))
	case s.scenarios == nil:
		list = append(list, th.Muted.Render("loading…"))
	case len(s.scenarios) == 0:
		list = append(list, th.Muted.Render("no saved scenarios: s saves the one on screen"))
	}
	start := components.ScrollStart(s.scCursor, h-2)
	for i := start; i < len(s.scenarios) && len(list) < h-2; i++ {
		sc := s.scenarios[i]
		mark := "[ ]"
		for j, m := range s.scMarked {
			if m == sc.Name {
				mark = fmt.Sprintf("[%c]", 'A'+j)
			}
		}
		line := components.PadRight(fmt.Sprintf("%s %s · %s", mark, sc.Name, sc.Kind), lw-2)
		if i == s.scCursor {
			line = th.Selected.Render(line)
		}
		list = append(list, line)
	}
	left := components.Box(th, "Saved scenarios", strings.Join(list, "\n"), "space mark A/B · esc back", lw, h, true)
	var body []string
	title := "Side by side"
	if len(s.scMarked) < 2 {
		body = append(body, th.Muted.Render("mark two scenarios with space to put them side by side"))
	} else {
		a, b := s.find(s.scMarked[0]), s.find(s.scMarked[1])
		title = "A " + a.Name + " ↔ B " + b.Name
		rows, err := sim.CompareScenarios(a, b)
		if err != nil {
			body = append(body, th.Error.Render("✗ "+err.Error()))
		} else {
			body = append(body, CompareLines(th, rows, w-lw-2)...)
		}
	}
	right := components.Box(th, title, strings.Join(body, "\n"), "", w-lw, h, false)
	return components.JoinH(left, right)
}

func (s *Screen) find(name string) sim.Scenario {
	for _, sc := range s.scenarios {
		if sc.Name == name {
			return sc
		}
	}
	return sim.Scenario{Name: name}
}

// CompareLines renders the flattened fields of two scenarios with B − A.
func CompareLines(th *theme.Theme, rows []sim.ComparisonRow, w int) []string {
	kw := 0
	for _, r := range rows {
		kw = max(kw, components.Width(r.Key))
	}
	kw = min(kw, max(w/3, 12))
	cw := max((w-kw-3)/3, 8)
	out := []string{th.Header.Render(components.PadRight("", kw) + " " + components.PadLeft("A", cw) + " " + components.PadLeft("B", cw) + " " + components.PadLeft("B − A", cw))}
	// Per section the fields that differ come first; the ones equal on both sides follow,
	// muted, so the whole scenario can still be read.
	line := func(r sim.ComparisonRow) string {
		d := ""
		if r.HasDiff {
			d = sim.FormatSigned(r.Diff, func(v float64) string { return components.Float(v, decimals(v)) })
		}
		return components.PadRight(r.Key, kw) + " " + components.PadLeft(r.A, cw) + " " + components.PadLeft(r.B, cw) + " " + components.PadLeft(d, cw)
	}
	var sections []string
	bySection := map[string][]sim.ComparisonRow{}
	for _, r := range rows {
		if _, ok := bySection[r.Section]; !ok {
			sections = append(sections, r.Section)
		}
		bySection[r.Section] = append(bySection[r.Section], r)
	}
	for _, sec := range sections {
		out = append(out, th.PaneTitle.Render(sec+"s"))
		var same []string
		for _, r := range bySection[sec] {
			if r.A == r.B {
				same = append(same, th.Muted.Render(line(r)))
				continue
			}
			out = append(out, line(r))
		}
		out = append(out, same...)
	}
	return out
}

func decimals(v float64) int {
	switch a := math.Abs(v); {
	case a == math.Trunc(a):
		return 0
	case a >= 100:
		return 0
	case a >= 1:
		return 2
	}
	return 4
}
