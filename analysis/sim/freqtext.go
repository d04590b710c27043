package sim

import (
	"fmt"
	"math"
	"strings"
	"text/tabwriter"
)

func ciText(e Estimate, f func(float64) string) string {
	return fmt.Sprintf("%s (%s … %s)", f(e.Estimate), f(e.Lo), f(e.Hi))
}

func signedCI(e Estimate, f func(float64) string) string {
	s := func(v float64) string { return FormatSigned(v, f) }
	return fmt.Sprintf("%s  (%s … %s)", s(e.Estimate), s(e.Lo), s(e.Hi))
}

func pct(v float64) string    { return fmt.Sprintf("%.2f %%", 100*v) }
func pct0(v float64) string   { return fmt.Sprintf("%.0f %%", 100*v) }
func dec3(v float64) string   { return fmt.Sprintf("%.3f", v) }
func round0(v float64) string { return FormatCount(math.Round(v)) }

func (s SegmentInfo) describe() string {
	return fmt.Sprintf("%s (%s customers; %s)", s.Name, FormatCount(float64(s.Customers)), s.Definition)
}

// Text renders the frequency analysis: per-offer response by contacts in 12 months with the
// fitted curve and its optimum, and the yield per customer per period by offers in it.
func (f *Frequency) Text() string {
	var b strings.Builder
	per := PeriodName(f.PeriodMonths)
	fmt.Fprintf(&b, "Contact frequency · segment %s · period: %s\n", f.Segment.describe(), per)
	fmt.Fprintf(&b, "curve from: %s · %s offers\n", f.Source, FormatCount(f.Contacts))
	if !f.Randomized {
		b.WriteString("NOTE: observational estimate — no randomized frequency cells in this history.\n")
	}
	if f.PeriodNote != "" {
		b.WriteString(periodNoteText(f.PeriodNote))
	}
	fmt.Fprintf(&b, "\nResponse per offer by offers to the customer in the last 12 months (95 %% bootstrap CI, %d resamples of customers, seed %d)\n", f.Boot, f.Seed)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "n\toffers\taccepted\tresponse (95% CI)\tfitted\trevenue/offer (95% CI)\topt-out/offer (95% CI)\t")
	for _, s := range f.Bins {
		n := fmt.Sprint(s.N)
		if s.N == maxN {
			n += "+"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", n, FormatCount(s.Contacts), FormatCount(s.Accepts),
			ciText(s.Rate, pct), pct(s.Fitted), ciText(s.RevenuePerContact, FormatMoney), ciText(s.OptOutRate, pct))
	}
	tw.Flush()
	c := f.Curve
	fmt.Fprintf(&b, "\nfitted r(n) = %.4g · n^%.2f · exp(−n/%.2f)\n", c.A, c.C, c.B)
	if c.C > 0 {
		fmt.Fprintf(&b, "optimum: one offer converts best at %.1f offers a year (95 %% CI %.1f … %.1f)\n", f.Peak.Estimate, f.Peak.Lo, f.Peak.Hi)
		fmt.Fprintf(&b, "most contracts per %s at %.1f offers per %s in steady state (95 %% CI %.1f … %.1f; before contact cost and opt-outs)\n",
			per, f.BestPerPeriod.Estimate, per, f.BestPerPeriod.Lo, f.BestPerPeriod.Hi)
	} else {
		b.WriteString("the fitted response only falls with more offers: no interior optimum\n")
	}
	if f.OptOut.Q > 0 {
		fmt.Fprintf(&b, "opt-out per offer q(n) = %.3g · n^%.2f: %s at 6 offers a year, %s at 12\n", f.OptOut.Q, f.OptOut.D, pct(f.OptOut.At(6)), pct(f.OptOut.At(12)))
	}
	if f.FailedBoot > 0 {
		fmt.Fprintf(&b, "(%d of %d bootstrap samples could not be fitted and are left out of the intervals)\n", f.FailedBoot, f.Boot)
	}
	fmt.Fprintf(&b, "\nPer customer per %s by offers in that %s\n", per, per)
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "offers\tcell\tperiods\tcontracts/customer (95% CI)\trevenue/customer (95% CI)\topt-outs/customer (95% CI)\t")
	for _, s := range f.PerPeriod {
		cell := "business as usual (observational)"
		switch {
		case s.Randomized && s.K == 0:
			cell = "global hold-out (randomized)"
		case s.Randomized:
			cell = fmt.Sprintf("freq-%d (randomized)", s.K)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t\n", s.K, cell, FormatCount(float64(s.Rows)),
			ciText(s.Contracts, dec3), ciText(s.Revenue, round0), ciText(s.OptOuts, dec3))
	}
	tw.Flush()
	return b.String()
}

// Text renders the what-if side by side: now, what-if and the change with its 95 % CI.
func (w WhatIf) Text() string {
	var b strings.Builder
	per := PeriodName(w.PeriodMonths)
	fmt.Fprintf(&b, "What-if: segment %s, %d → %d offers per %s\n", w.Segment.describe(), w.From, w.To, per)
	fmt.Fprintf(&b, "response curve: %s\n", w.Source)
	if !w.Randomized {
		b.WriteString("NOTE: observational estimate — no randomized frequency cells; treat the change as a correlation, not an effect.\n")
	}
	if w.PeriodNote != "" {
		b.WriteString(periodNoteText(w.PeriodNote))
	}
	fmt.Fprintf(&b, "today's level: %s\n\n", w.LevelSource)
	tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\tnow\twhat-if\tchange (95%% CI)\t\n")
	fmt.Fprintf(tw, "contracts / %s\t%s\t%s\t%s\t\n", per, round0(w.NowContracts.Estimate), round0(w.WhatIfContracts.Estimate), signedCI(w.ExtraContracts, round0))
	fmt.Fprintf(tw, "revenue / %s\t%s\t%s\t%s\t\n", per, FormatShort(w.NowRevenue.Estimate), FormatShort(w.WhatIfRevenue.Estimate), signedCI(w.ExtraRevenue, FormatShort))
	fmt.Fprintf(tw, "revenue growth\t\t\t%s\t\n", w.growthText())
	fmt.Fprintf(tw, "opt-outs / %s\t%s\t%s\t%s\t\n", per, round0(w.NowOptOuts.Estimate), round0(w.WhatIfOptOuts.Estimate), signedCI(w.ExtraOptOuts, round0))
	tw.Flush()
	b.WriteString("\n(steady state: every period at the new frequency; the fitted response curve scales today's level)\n")
	if e := w.Experiment; e != nil {
		fmt.Fprintf(&b, "randomized check, one %s only (cells freq-%d: %s vs freq-%d: %s customer-periods), scaled to the segment:\n",
			per, w.To, FormatCount(float64(e.RowsTo)), w.From, FormatCount(float64(e.RowsFrom)))
		fmt.Fprintf(&b, "  contracts %s · revenue %s · opt-outs %s\n",
			signedCI(e.ExtraContracts, round0), signedCI(e.ExtraRevenue, FormatShort), signedCI(e.ExtraOptOuts, round0))
	}
	return b.String()
}

// periodNoteText is the NOTE line of a Frequency or WhatIf PeriodNote, pointing to the
// half-year period that has the randomized levels.
func periodNoteText(note string) string {
	return "NOTE: " + note + ".\n      --period 6m gives the randomized half-year levels and the randomized check.\n"
}

// UndefinedGrowth is what the text renderers and the TUI show for a revenue growth that is
// undefined (WhatIf.RevenueEffect nil): the segment earns nothing now.
const UndefinedGrowth = "– (no revenue now to grow from)"

// growthText is the relative revenue effect with its interval, or UndefinedGrowth.
func (w WhatIf) growthText() string {
	if w.RevenueEffect == nil {
		return UndefinedGrowth
	}
	return signedCI(*w.RevenueEffect, pct0)
}

// SegmentsText compares the frequency analyses of several segments in one table: size, where
// the curve comes from, its optimum, and — when from > 0 — the what-if from → to per segment.
func SegmentsText(fs []*Frequency, from, to int) (string, error) {
	if len(fs) == 0 {
		return "", fmt.Errorf("sim: no segments to compare")
	}
	var b strings.Builder
	per := PeriodName(fs[0].PeriodMonths)
	fmt.Fprintf(&b, "Contact frequency by segment · period: %s · 95 %% bootstrap intervals\n\n", per)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	// The response per offer peaks at one rate a year; contracts per period peak at another.
	head := "segment\tcustomers\tcurve from\tresponse peak, offers/year (CI)\tmost contracts, offers/" + per + "\t"
	if from > 0 {
		head += fmt.Sprintf("contracts %d→%d (CI)\trevenue growth (CI)\topt-outs (CI)\t", from, to)
	}
	fmt.Fprintln(tw, head)
	var notes, periodNotes []string
	for _, f := range fs {
		src := "randomized"
		if !f.Randomized {
			src = "observational"
		} else if f.PeriodNote != "" {
			src = "randomized*"
			if len(periodNotes) == 0 {
				periodNotes = append(periodNotes, "* "+f.PeriodNote+" (--period 6m gives the randomized half-year levels).")
			}
		}
		peak := "no interior optimum"
		if f.Curve.C > 0 {
			peak = fmt.Sprintf("%.1f (%.1f … %.1f)", f.Peak.Estimate, f.Peak.Lo, f.Peak.Hi)
		}
		row := fmt.Sprintf("%s\t%s\t%s\t%s\t%.1f\t", f.Segment.Name, FormatCount(float64(f.Segment.Customers)), src, peak, f.BestPerPeriod.Estimate)
		if from > 0 {
			w, err := f.WhatIf(from, to)
			if err != nil {
				row += "—\t—\t—\t"
				notes = append(notes, err.Error())
			} else {
				row += signedCI(w.ExtraContracts, round0) + "\t" + w.growthText() + "\t" + signedCI(w.ExtraOptOuts, round0) + "\t"
			}
		}
		fmt.Fprintln(tw, row)
	}
	tw.Flush()
	notes = append(periodNotes, notes...)
	for _, n := range notes {
		b.WriteString("\n" + n)
	}
	if len(notes) > 0 {
		b.WriteString("\n")
	}
	return b.String(), nil
}
