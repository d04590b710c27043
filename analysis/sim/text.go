package sim

import (
	"fmt"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/acrm-dev/acrm/analysis/units"
)

// This file renders results as plain text tables (no terminal styling), for the CLI and for
// golden tests; screens may reuse the number formatters.

// FormatCount formats a count with thousands separators: 2250 → "2,250", 2.5 → "2.5".
// Expected counts of 100 and more are shown whole (1124.66 → "1,125"), smaller ones with up
// to two decimals.
func FormatCount(v float64) string {
	if v == math.Trunc(v) || math.Abs(v) >= 100 {
		return groupThousands(fmt.Sprintf("%.0f", v))
	}
	return groupThousands(strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), "."))
}

// FormatMoney formats an amount to the unit with thousands separators: 6750000 → "6,750,000".
func FormatMoney(v float64) string { return groupThousands(fmt.Sprintf("%.0f", v)) }

// FormatShort formats an amount compactly: 6750000 → "6.75 M", 12500 → "12.5 k", 900 → "900".
func FormatShort(v float64) string {
	a := math.Abs(v)
	var s string
	switch {
	case a >= 1e9:
		s = trimZeros(fmt.Sprintf("%.2f", v/1e9)) + " bn"
	case a >= 1e6:
		s = trimZeros(fmt.Sprintf("%.2f", v/1e6)) + " M"
	case a >= 1e3:
		s = trimZeros(fmt.Sprintf("%.1f", v/1e3)) + " k"
	default:
		s = trimZeros(fmt.Sprintf("%.2f", v))
	}
	return s
}

// FormatSigned is f(v) with an explicit sign: "+2,000,000", "−250" (a real minus sign).
func FormatSigned(v float64, f func(float64) string) string {
	switch {
	case v > 0:
		return "+" + f(v)
	case v < 0:
		return "−" + f(-v)
	}
	return f(0)
}

// FormatPercent formats a share as a percentage: 0.015 → "1.50 %".
func FormatPercent(v float64) string { return fmt.Sprintf("%.2f %%", 100*v) }

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func groupThousands(s string) string { return units.Group(s) }

func money(v float64) string { return FormatMoney(v) + " (" + FormatShort(v) + ")" }

func signedMoney(v float64) string {
	return FormatSigned(v, FormatMoney) + " (" + FormatSigned(v, FormatShort) + ")"
}

func roiText(r OutboundResult) string {
	if !r.HasROI {
		return "— (no cost)"
	}
	return fmt.Sprintf("%.0f %%", 100*r.ROI)
}

// Text renders the mass-versus-targeted comparison as a side-by-side table.
func (c OutboundComparison) Text() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', tabwriter.AlignRight)
	m, t := c.Mass, c.Targeted
	row := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t") }
	row("", "mass", "model-targeted", "difference")
	row("contacts", FormatCount(m.Volume), FormatCount(t.Volume), FormatSigned(t.Volume-m.Volume, FormatCount))
	row("conversion", FormatPercent(m.Conversion), FormatPercent(t.Conversion),
		FormatSigned(100*(t.Conversion-m.Conversion), func(v float64) string { return fmt.Sprintf("%.2f pt", v) }))
	row("contracts", FormatCount(m.Contracts), FormatCount(t.Contracts), FormatSigned(c.ExtraContracts, FormatCount))
	row("profit / contract", FormatMoney(m.Profit), FormatMoney(t.Profit), FormatSigned(t.Profit-m.Profit, FormatMoney))
	row("gross profit", money(m.GrossProfit), money(t.GrossProfit), signedMoney(c.ExtraGrossProfit))
	if m.TotalCost > 0 || t.TotalCost > 0 {
		row("contact cost", FormatMoney(m.ContactCost), FormatMoney(t.ContactCost), FormatSigned(t.ContactCost-m.ContactCost, FormatMoney))
		row("fixed cost", FormatMoney(m.FixedCost), FormatMoney(t.FixedCost), FormatSigned(t.FixedCost-m.FixedCost, FormatMoney))
		row("net profit", money(m.NetProfit), money(t.NetProfit), signedMoney(c.ExtraNetProfit))
		row("ROI", roiText(m), roiText(t), "")
		row("break-even conversion", FormatPercent(m.BreakEvenConversion), FormatPercent(t.BreakEvenConversion), "")
	}
	tw.Flush()
	return b.String()
}

// Text renders a single outbound campaign.
func (r OutboundResult) Text() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', tabwriter.AlignRight)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\t\n", k, v) }
	row("contacts", FormatCount(r.Volume))
	row("conversion", FormatPercent(r.Conversion))
	row("contracts", FormatCount(r.Contracts))
	row("profit / contract", FormatMoney(r.Profit))
	row("gross profit", money(r.GrossProfit))
	row("contact cost", FormatMoney(r.ContactCost))
	row("fixed cost", FormatMoney(r.FixedCost))
	row("net profit", money(r.NetProfit))
	row("ROI", roiText(r))
	row("break-even conversion", FormatPercent(r.BreakEvenConversion))
	tw.Flush()
	return b.String()
}

// Text renders the inbound opportunity.
func (r InboundResult) Text() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', tabwriter.AlignRight)
	row := func(k, v, note string) { fmt.Fprintf(tw, "%s\t%s\t  %s\n", k, v, note) }
	row("inbound contacts / month", FormatCount(r.Contacts), "")
	row("worth an offer", FormatCount(r.Offers), "("+FormatPercent(r.Interesting)+" of contacts)")
	row("contracts / month", FormatCount(r.Contracts), "("+FormatPercent(r.Close)+" of offers close)")
	row("margin / contract", FormatMoney(r.Margin), "")
	row("extra profit / month", money(r.MonthlyProfit), "")
	row("extra profit / year", money(r.YearlyProfit), "("+FormatCount(r.YearlyContracts)+" contracts)")
	tw.Flush()
	return b.String()
}

// Text renders the profit curve as a table every step of depth (e.g. 0.1), plus the rows of
// the optimum and the break-even depths, marked.
func (c ProfitCurve) Text(step float64) string {
	if step <= 0 || step > 1 {
		step = 0.1
	}
	var b strings.Builder
	sel := "random (mass) selection"
	if !c.Random {
		sel = fmt.Sprintf("ranked by model score (gains curve of %d points)", len(c.Input.Gains))
	}
	fmt.Fprintf(&b, "Profit over selection depth · base %s · response %s · profit/contract %s · cost/contact %s · fixed %s\n",
		FormatCount(c.Input.Base), FormatPercent(c.Input.ResponseRate), FormatMoney(c.Input.Profit),
		trimZeros(fmt.Sprintf("%.2f", c.Input.CostPerContact)), FormatMoney(c.Input.FixedCost))
	fmt.Fprintf(&b, "selection: %s\n\n", sel)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "depth\tcontacts\tcontracts\tconversion\tgross\tcost\tnet\t\t")
	var rows []ProfitPoint
	next := 0.0
	for _, p := range c.Points {
		if p.Depth+1e-9 >= next {
			rows = append(rows, p)
			next += step
		}
	}
	mark := func(p ProfitPoint) string {
		var m []string
		if math.Abs(p.Depth-c.Optimum.Depth) < 1e-9 {
			m = append(m, "◀ optimum")
		}
		return strings.Join(m, " ")
	}
	// Add the optimum and break-even rows in depth order.
	extra := []ProfitPoint{c.Optimum}
	g, _ := normalizeGains(c.Input.Gains)
	for _, d := range c.BreakEven {
		extra = append(extra, c.Input.at(g, d))
	}
	for _, e := range extra {
		found := false
		for _, r := range rows {
			if math.Abs(r.Depth-e.Depth) < 1e-9 {
				found = true
			}
		}
		if !found {
			rows = append(rows, e)
		}
	}
	sortPoints(rows)
	for _, p := range rows {
		m := mark(p)
		for _, d := range c.BreakEven {
			if math.Abs(p.Depth-d) < 1e-9 {
				m = strings.TrimSpace(m + " ◀ break-even")
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\t%s\n", depthText(p.Depth), FormatCount(math.Round(p.Volume)),
			FormatCount(math.Round(p.Contracts)), FormatPercent(p.Conversion), FormatShort(p.Gross), FormatShort(p.Cost),
			FormatSigned(p.Net, FormatShort), m)
	}
	tw.Flush()
	fmt.Fprintf(&b, "\noptimum: select the top %s (%s contacts): %s contracts, net profit %s\n",
		depthText(c.Optimum.Depth), FormatCount(math.Round(c.Optimum.Volume)), FormatCount(math.Round(c.Optimum.Contracts)), money(c.Optimum.Net))
	switch len(c.BreakEven) {
	case 0:
		if c.Optimum.Net <= 0 {
			b.WriteString("break-even: never — the campaign does not pay at any depth\n")
		} else {
			b.WriteString("break-even: the campaign pays at every depth\n")
		}
	default:
		var parts []string
		for _, d := range c.BreakEven {
			parts = append(parts, depthText(d))
		}
		fmt.Fprintf(&b, "break-even depth: %s\n", strings.Join(parts, " and "))
	}
	return b.String()
}

// depthText formats a selection depth: 0.3 → "30.0 %", 0.0004 → "0.04 %".
func depthText(d float64) string {
	if d > 0 && d < 0.01 {
		return fmt.Sprintf("%.2f %%", 100*d)
	}
	return fmt.Sprintf("%.1f %%", 100*d)
}

func sortPoints(p []ProfitPoint) {
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && p[j].Depth < p[j-1].Depth; j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}
