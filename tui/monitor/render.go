package monitor

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/linechart"

	"github.com/acrm-dev/acrm/analysis/monitor"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/theme"
)

// Pure model → strings code of the Monitor screen (tested through the golden views).

const noPrediction = "no registered prediction: campaigns selected by acrm select or acrm plan carry one per member"

// Render draws the report in w × h: the summary line, the campaign list and the chosen
// campaign's detail, and the view (deciles, over time, Qini or drift) beside them (w ≥ 120)
// or below.
func Render(c *common.Common, r *monitor.Report, cursor, view, w, h int, ch *monitor.Challenge) string {
	th := c.Theme
	lines := []string{th.PaneTitle.Render(Summary(r, view))}
	var camp *monitor.Campaign
	if cursor < len(r.Campaigns) {
		camp = r.Campaigns[cursor]
	}
	if w >= 120 {
		lw := 70
		rw := w - lw - 2
		bodyH := h - 1
		listH := min(len(r.Campaigns)+1, max(5, bodyH/2))
		left := append(List(th, r, cursor, lw, listH), "")
		left = append(left, Detail(camp, lw)...)
		left = append(left, ChallengeLines(camp, ch, lw)...)
		right := viewLines(th, r, camp, view, rw, bodyH)
		for i := 0; i < bodyH; i++ {
			l, rr := "", ""
			if i < len(left) {
				l = left[i]
			}
			if i < len(right) {
				rr = right[i]
			}
			lines = append(lines, pad(l, lw)+"  "+rr)
		}
		return components.FitLines(lines, w, h)
	}
	rest := h - 1
	listH := min(len(r.Campaigns)+1, max(4, rest/3))
	lines = append(lines, List(th, r, cursor, w, listH)...)
	det := Detail(camp, w)
	if len(det) > 4 {
		det = det[:4]
	}
	det = append(det, ChallengeLines(camp, ch, w)...)
	lines = append(lines, det...)
	lines = append(lines, viewLines(th, r, camp, view, w, h-len(lines))...)
	return components.FitLines(lines, w, h)
}

// Summary is the screen's first line: counts of campaigns, alerts and drift levels.
func Summary(r *monitor.Report, view int) string {
	alerts, warns := 0, 0
	for _, f := range r.Flags {
		if f.Severity == monitor.Alert {
			alerts++
		} else {
			warns++
		}
	}
	s := fmt.Sprintf("%d campaigns · %d alert · %d warning", len(r.Campaigns), alerts, warns)
	if d := r.Drift; d != nil {
		shifted, moved := 0, 0
		for _, row := range d.Rows {
			switch row.Level {
			case "shifted":
				shifted++
			case "moved":
				moved++
			}
		}
		s += fmt.Sprintf(" · drift since %s: %d shifted, %d moved", d.TakenAt.Format(time.DateOnly), shifted, moved)
	}
	return s + " · view: " + viewNames[view]
}

// List is the campaign table, scrolled so the cursor shows, in h lines (header included).
func List(th *theme.Theme, r *monitor.Report, cursor, w, h int) []string {
	head := fmt.Sprintf("  %4s %-18s %9s %7s %7s %9s %-7s", "id", "product", "contacted", "actual", "pred.", "uplift", "status")
	out := []string{th.Muted.Render(components.Truncate(head, w))}
	rows := h - 1
	first := 0
	if cursor >= rows {
		first = cursor - rows + 1
	}
	for i := first; i < len(r.Campaigns) && i < first+rows; i++ {
		c := r.Campaigns[i]
		pred := "–"
		if c.HasPrediction {
			pred = monitor.Pct(c.Predicted.Est)
		}
		up := "–"
		if !math.IsNaN(c.Uplift.Est) {
			up = fmt.Sprintf("%+.2fpp", 100*c.Uplift.Est)
		}
		status := c.Status()
		mark := "  "
		if i == cursor {
			mark = "> "
		}
		name := components.Truncate(fmt.Sprintf("P%02d %s", c.ProductID, c.ProductName), 18)
		l := fmt.Sprintf("%s%4d %-18s %9s %7s %7s %9s %-7s", mark, c.ID, name, components.Int(int64(c.Treated.Members)),
			monitor.Pct(c.Treated.AcceptRate.Est), pred, up, status)
		l = components.Truncate(l, w)
		switch {
		case status == "ALERT":
			l = th.Bad.Render(l)
		case status == "warn":
			l = th.Warn.Render(l)
		case i == cursor:
			l = th.PaneTitle.Render(l)
		}
		out = append(out, l)
	}
	return out
}

// Detail describes one campaign: cells, prediction, uplift, Qini and flags.
func Detail(c *monitor.Campaign, w int) []string {
	if c == nil {
		return []string{"no product campaign registered yet (acrm select, acrm plan or acrm sample)"}
	}
	out := []string{
		fmt.Sprintf("Campaign %d · %s · %s · %s … %s", c.ID, c.ProductName, c.Channel,
			c.Start.Format(time.DateOnly), c.End.Format(time.DateOnly)),
		fmt.Sprintf("contacted %s · accepted %s · %s (95%% %s)", components.Int(int64(c.Treated.Members)),
			components.Int(int64(c.Treated.Accepted)), monitor.Pct(c.Treated.AcceptRate.Est), monitor.Band(c.Treated.AcceptRate)),
	}
	if c.Pending > 0 {
		out = append(out, fmt.Sprintf("%s contacted members have no outcome yet", components.Int(int64(c.Pending))))
	}
	if c.HasPrediction {
		out = append(out, fmt.Sprintf("predicted P(accept) %s (95%% %s) by %s", monitor.Pct(c.Predicted.Est), monitor.Band(c.Predicted), c.ModelVersion))
	} else {
		out = append(out, "predicted –: "+noPrediction)
	}
	out = append(out,
		fmt.Sprintf("converted (offer or own purchase) %s · %s", components.Int(int64(c.Treated.Converted)), monitor.Pct(c.Treated.Rate.Est)),
		fmt.Sprintf("control cell %s: %s · uplift %s", components.Int(int64(c.Control.Members)), monitor.Pct(c.Control.Rate.Est), monitor.PP(c.Uplift)),
		fmt.Sprintf("global hold-out %s: %s · uplift %s", components.Int(int64(c.Holdout.Members)), monitor.Pct(c.Holdout.Rate.Est), monitor.PP(c.UpliftHoldout)))
	if !math.IsNaN(c.QiniCoef) {
		out = append(out, "Qini coefficient "+monitor.Coef(c.QiniCoef))
	}
	for _, f := range c.Flags {
		out = append(out, fmt.Sprintf("%s %s", flagMark(f.Severity), f.Text))
	}
	for i := range out {
		out[i] = components.Truncate(out[i], w)
	}
	return out
}

// ChallengeLines are the champion/challenger comparison of campaign c (c's key), when ch is
// about c: both models' AUC on the outcomes, DeLong's test, and what p does.
func ChallengeLines(c *monitor.Campaign, ch *monitor.Challenge, w int) []string {
	if c == nil || ch == nil || ch.CampaignID != c.ID {
		return nil
	}
	p := fmt.Sprintf("p %.4f", ch.P)
	if ch.P < 0.0001 {
		p = "p < 0.0001"
	}
	verdict := "no significant difference"
	switch ch.Better() {
	case "challenger":
		verdict = "challenger better · p promotes it"
	case "champion":
		verdict = "champion better"
	}
	out := []string{
		fmt.Sprintf("champion   %s: AUC %.4f on %d outcomes", ch.Champion.Model, ch.Champion.AUC, ch.Members),
		fmt.Sprintf("challenger %s: AUC %.4f", ch.Challenger.Model, ch.Challenger.AUC),
		fmt.Sprintf("diff %+.4f (DeLong z %.2f, %s)", ch.Diff, ch.Z, p),
		fmt.Sprintf("profit top 30 %%: champion %s · challenger %s", components.Int(int64(math.Round(ch.Champion.Profit))),
			components.Int(int64(math.Round(ch.Challenger.Profit)))),
		verdict,
	}
	for i := range out {
		out[i] = components.Truncate(out[i], w)
	}
	return out
}

func flagMark(s monitor.Severity) string {
	if s == monitor.Alert {
		return "▲ ALERT"
	}
	return "△ warn"
}

func viewLines(th *theme.Theme, r *monitor.Report, c *monitor.Campaign, view, w, h int) []string {
	title := th.PaneTitle.Render(components.Truncate(viewTitle(c, view), w))
	if h < 2 {
		return []string{title}
	}
	var body []string
	switch view {
	case viewDeciles:
		body = Deciles(c, w)
	case viewTime:
		body = strings.Split(TimeChart(th, c, w, h-1), "\n")
	case viewQini:
		body = strings.Split(QiniChart(th, c, w, h-1), "\n")
	case viewDrift:
		body = DriftTable(r.Drift, w, h-1)
	}
	return append([]string{title}, body...)
}

func viewTitle(c *monitor.Campaign, view int) string {
	switch view {
	case viewDrift:
		return "Drift: PSI against the baseline, largest first"
	case viewTime:
		return fmt.Sprintf("Campaign %d: cumulative acceptance since the start", idOf(c))
	case viewQini:
		return fmt.Sprintf("Campaign %d: Qini curve (incremental conversions by depth)", idOf(c))
	}
	return fmt.Sprintf("Campaign %d: actual against predicted per decile", idOf(c))
}

func idOf(c *monitor.Campaign) int {
	if c == nil {
		return 0
	}
	return c.ID
}

// Deciles is the decile table of a campaign.
func Deciles(c *monitor.Campaign, w int) []string {
	if c == nil || !c.HasPrediction {
		return components.WrapWords(noPrediction, w)
	}
	out := []string{fmt.Sprintf("%6s %9s %9s %7s %9s  %-17s", "decile", "contacted", "accepted", "actual", "predicted", "predicted 95%")}
	for _, d := range c.Deciles {
		mark := ""
		if d.Outside {
			mark = " ◆ outside"
		}
		out = append(out, components.Truncate(fmt.Sprintf("%6d %9s %9s %7s %9s  %-17s%s", d.Decile, components.Int(int64(d.Members)),
			components.Int(int64(d.Accepted)), monitor.Pct(d.Actual.Est), monitor.Pct(d.Predicted.Est), monitor.Band(d.Predicted), mark), w))
	}
	if len(c.Segments) > 0 {
		out = append(out, "", fmt.Sprintf("%-13s %9s %10s %10s", "value segment", "contacted", "revenue", "predicted"))
		for _, s := range c.Segments {
			out = append(out, components.Truncate(fmt.Sprintf("%-13s %9s %10s %10s  (%s … %s)", s.Segment, components.Int(int64(s.Members)),
				components.Float(s.Revenue, 0), components.Float(s.Predicted.Est, 0), components.Float(s.Predicted.Lo, 0), components.Float(s.Predicted.Hi, 0)), w))
		}
	}
	return out
}

// TimeChart draws the cumulative acceptance since the start (●) against the predicted P(accept)
// (braille line) and its 95 % band (░).
func TimeChart(th *theme.Theme, c *monitor.Campaign, w, h int) string {
	if c == nil || !c.HasPrediction || len(c.OverTime) < 2 {
		return strings.Join(components.WrapWords(noPrediction, w), "\n")
	}
	if w < 24 || h < 6 {
		return "too small to draw"
	}
	pts := c.OverTime
	maxX := float64(max(pts[len(pts)-1].Day, 1))
	maxY := 0.0
	for _, p := range pts {
		maxY = math.Max(maxY, math.Max(p.Actual, p.Predicted.Hi))
	}
	maxY = math.Max(maxY*1.1, 0.001)
	lc := linechart.New(w, h-1, 0, maxX, 0, maxY,
		linechart.WithXYSteps(2, 2),
		linechart.WithXLabelFormatter(func(_ int, v float64) string { return fmt.Sprintf("%.0fd", v) }),
		linechart.WithYLabelFormatter(func(_ int, v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }),
		linechart.WithStyles(th.Subtle, th.Muted, th.Bar))
	lc.DrawXYAxisAndLabel()
	gw, gh := max(lc.GraphWidth(), 1), max(lc.GraphHeight(), 1)
	at := func(x float64) monitor.TimePoint { // the last point at or before day x
		k := 0
		for i, p := range pts {
			if float64(p.Day) <= x {
				k = i
			}
		}
		return pts[k]
	}
	for col := 0; col <= gw; col++ {
		x := maxX * float64(col) / float64(gw)
		p := at(x)
		for row := 0; row <= gh; row++ {
			y := maxY * float64(row) / float64(gh)
			if y >= p.Predicted.Lo && y <= p.Predicted.Hi {
				lc.DrawRuneWithStyle(canvas.Float64Point{X: x, Y: y}, '░', th.Subtle)
			}
		}
	}
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		lc.DrawBrailleLineWithStyle(canvas.Float64Point{X: float64(a.Day), Y: a.Predicted.Est}, canvas.Float64Point{X: float64(b.Day), Y: b.Predicted.Est}, th.Bar)
	}
	for col := 0; col <= gw; col += 2 {
		x := maxX * float64(col) / float64(gw)
		lc.DrawRuneWithStyle(canvas.Float64Point{X: x, Y: at(x).Actual}, '●', th.PaneTitle)
	}
	last := pts[len(pts)-1]
	leg := fmt.Sprintf("● accepted %s  ⣿ predicted %s  ░ 95%% band  (day %d)", monitor.Pct(last.Actual), monitor.Pct(last.Predicted.Est), last.Day)
	return lc.View() + "\n" + components.Truncate(leg, w)
}

// QiniChart draws the Qini curve (braille) against random targeting (·).
func QiniChart(th *theme.Theme, c *monitor.Campaign, w, h int) string {
	if c == nil || len(c.Qini) < 2 {
		return strings.Join(components.WrapWords("no Qini curve: it needs the predicted chance of the contacted and of the control cell; "+noPrediction, w), "\n")
	}
	if w < 24 || h < 6 {
		return "too small to draw"
	}
	minY, maxY := 0.0, 0.0
	for _, p := range c.Qini {
		minY, maxY = math.Min(minY, p.Gain), math.Max(maxY, p.Gain)
	}
	if maxY-minY < 1e-9 {
		maxY = minY + 0.01
	}
	pad := (maxY - minY) * 0.08
	minY, maxY = minY-pad, maxY+pad
	lc := linechart.New(w, h-1, 0, 1, minY, maxY,
		linechart.WithXYSteps(2, 2),
		linechart.WithXLabelFormatter(func(_ int, v float64) string { return fmt.Sprintf("%.0f%%", 100*v) }),
		linechart.WithYLabelFormatter(func(_ int, v float64) string { return fmt.Sprintf("%.1fpp", 100*v) }),
		linechart.WithStyles(th.Subtle, th.Muted, th.Bar))
	lc.DrawXYAxisAndLabel()
	gw := max(lc.GraphWidth(), 1)
	end := c.Qini[len(c.Qini)-1].Gain
	for col := 0; col <= gw; col += 2 {
		x := float64(col) / float64(gw)
		lc.DrawRuneWithStyle(canvas.Float64Point{X: x, Y: x * end}, '·', th.Subtle)
	}
	for i := 1; i < len(c.Qini); i++ {
		a, b := c.Qini[i-1], c.Qini[i]
		lc.DrawBrailleLineWithStyle(canvas.Float64Point{X: a.Depth, Y: a.Gain}, canvas.Float64Point{X: b.Depth, Y: b.Gain}, th.Bar)
	}
	leg := fmt.Sprintf("⣿ Qini (by predicted chance)  · random  coefficient %s  uplift %s", monitor.Coef(c.QiniCoef), monitor.PP(c.Uplift))
	return lc.View() + "\n" + components.Truncate(leg, w)
}

// DriftTable lists the drift rows, largest PSI first, in h lines.
func DriftTable(d *monitor.Drift, w, h int) []string {
	if d == nil {
		return []string{"drift not measured yet: r measures it (PSI of every feature and score against the baseline)"}
	}
	head := fmt.Sprintf("baseline %s (%s)", d.TakenAt.Format(time.DateOnly), d.Source)
	if d.NewBaseline {
		head += " — taken now"
	}
	out := []string{components.Truncate(head, w), fmt.Sprintf("%-22s %-7s %7s %-8s %s", "subject", "kind", "PSI", "level", "largest change")}
	for i, r := range d.Rows {
		if len(out) >= h {
			break
		}
		if len(out) == h-1 && i < len(d.Rows)-1 {
			out = append(out, fmt.Sprintf("… %d more", len(d.Rows)-i))
			break
		}
		lvl := r.Level
		switch lvl {
		case "shifted":
			lvl = "▲ " + lvl
		case "moved":
			lvl = "△ " + lvl
		}
		out = append(out, components.Truncate(fmt.Sprintf("%-22s %-7s %7.4f %-9s %s", components.Truncate(r.Subject, 22), r.Kind, r.PSI, lvl, r.Largest()), w))
	}
	return out
}

func pad(s string, w int) string {
	s = components.Truncate(s, w)
	if n := w - components.Width(s); n > 0 {
		s += strings.Repeat(" ", n)
	}
	return s
}
