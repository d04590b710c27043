package simulate

// The Simulate screen's pure presentation: model → strings and charts, no I/O, tested on
// fixtures.

import (
	"fmt"
	"math"
	"strings"

	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/theme"
)

// MinOffers is the fewest offers a contact level needs to be drawn as an observed point.
const MinOffers = 30

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
	money := func(v float64) string { return Euro(v, sim.FormatShort) }
	count := func(v float64) string { return sim.FormatCount(math.Round(v)) }
	signedCount := func(v float64) string { return sim.FormatSigned(math.Round(v), sim.FormatCount) }
	signedMoney := func(v float64) string {
		return sim.FormatSigned(v, func(x float64) string { return "€ " + sim.FormatShort(x) })
	}
	signedShort := func(v float64) string { return sim.FormatSigned(v, sim.FormatShort) }
	pct := func(v float64) string {
		return sim.FormatSigned(100*v, func(x float64) string { return fmt.Sprintf("%.0f %%", x) })
	}
	ci := func(e sim.Estimate, f func(float64) string) string { return "(" + f(e.Lo) + " … " + f(e.Hi) + ")" }
	rows := [][4]string{
		{"", fmt.Sprintf("now (%d)", wi.From), fmt.Sprintf("what-if (%d)", wi.To), "change (95 % CI)"},
		{"contracts / " + per, count(wi.NowContracts.Estimate), count(wi.WhatIfContracts.Estimate),
			signedCount(wi.ExtraContracts.Estimate) + " " + ci(wi.ExtraContracts, signedCount)},
		{"revenue / " + per, money(wi.NowRevenue.Estimate), money(wi.WhatIfRevenue.Estimate),
			signedMoney(wi.ExtraRevenue.Estimate) + " " + ci(wi.ExtraRevenue, signedShort)},
		{"revenue growth", "", "", growth(wi, pct, ci)},
		{"opt-outs / " + per, count(wi.NowOptOuts.Estimate), count(wi.WhatIfOptOuts.Estimate),
			signedCount(wi.ExtraOptOuts.Estimate) + " " + ci(wi.ExtraOptOuts, signedCount)},
	}
	// Columns as wide as their cells need; the room left (up to 22 for the labels and 14 per
	// value column) spaces them out, so the change and its interval are cut last.
	var cw [4]int
	for _, r := range rows {
		for c, v := range r {
			cw[c] = max(cw[c], components.Width(v)+1)
		}
	}
	for c, want := range [3]int{22, 14, 14} {
		room := w - (cw[0] + cw[1] + cw[2] + 1 + cw[3])
		cw[c] = max(cw[c], min(want, cw[c]+max(room, 0)))
	}
	var out []string
	for _, r := range rows {
		out = append(out, components.PadRight(r[0], cw[0])+components.PadLeft(r[1], cw[1])+components.PadLeft(r[2], cw[2])+"  "+r[3])
	}
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

// Euro formats an amount with the sign before the currency: "€ 6,750,000", "−€ 11,954".
func Euro(v float64, f func(float64) string) string {
	if v < 0 {
		return "−€ " + f(-v)
	}
	return "€ " + f(v)
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
		row("contracts", sim.FormatCount(m.Contracts), sim.FormatCount(t.Contracts), sim.FormatSigned(extraContracts(m.Contracts, t.Contracts, cmp.ExtraContracts), sim.FormatCount)),
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

// GainsNote is the line under the ROI inputs while the targeted conversion is read from a
// model's holdout gains at the targeted volume.
func GainsNote(model string, volume, base float64) string {
	return fmt.Sprintf("↳ conversion from model gains: %s at the top %s of %s", model, sim.FormatPercent(volume/base), sim.FormatCount(base))
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

// wide reports whether a panel of width w puts its parts side by side.
func wide(w int) bool { return w >= 110 }

// extraContracts is the change in contracts at the precision the two columns show: whole
// contracts once either side is shown whole (252 against 168 is −84, not −83.56).
func extraContracts(mass, targeted, extra float64) float64 {
	if math.Abs(mass) >= 100 || math.Abs(targeted) >= 100 {
		return math.Round(extra)
	}
	return extra
}
