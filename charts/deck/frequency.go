package deck

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/charts"
)

// FrequencyOptions choose the contact-frequency analysis.
type FrequencyOptions struct {
	Segments     []string // value segments or saved segments ("all" = every customer); default top, middle, low
	PeriodMonths int
	Boot         int
	Seed         uint64
	// MinOffers drops points measured on fewer offers (default 30).
	MinOffers float64
}

func (o FrequencyOptions) withDefaults() FrequencyOptions {
	if len(o.Segments) == 0 {
		o.Segments = []string{"top", "middle", "low"} // per value segment: pooled over all customers the peak mixes their different tolerances
	}
	if o.PeriodMonths == 0 {
		o.PeriodMonths = 6
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.MinOffers == 0 {
		o.MinOffers = 30
	}
	return o
}

func (s *Source) loadFrequency(ctx context.Context, seg string, o FrequencyOptions) (*sim.Frequency, error) {
	if ok, err := s.WS.HasTable(ctx, "contacts"); err != nil || !ok {
		return nil, noData("the workspace has no contacts table")
	}
	f, err := sim.LoadFrequency(ctx, s.WS, sim.FrequencyOptions{Segment: seg, PeriodMonths: o.PeriodMonths, Boot: o.Boot, Seed: o.Seed})
	if err != nil {
		return nil, fmt.Errorf("deck: contact frequency of %s: %w", seg, err)
	}
	return f, nil
}

// Frequency is the response per offer against offers per customer per year, per segment,
// with the bootstrap band, the fitted curve and its optimum (analysis/sim).
func (s *Source) Frequency(ctx context.Context, o FrequencyOptions) (charts.FrequencyChart, error) {
	o = o.withDefaults()
	c := charts.FrequencyChart{Period: "year", Measure: "Acceptance per offer", Unit: charts.Percent}
	randomized := true
	for _, seg := range o.Segments {
		f, err := s.loadFrequency(ctx, seg, o)
		if err != nil {
			return c, err
		}
		randomized = randomized && f.Randomized
		ser := charts.FrequencySeries{Name: segmentLabel(seg), Optimum: f.Peak.Estimate}
		maxN := 0.0
		for _, b := range f.Bins {
			if b.Contacts < o.MinOffers {
				continue
			}
			ser.Points = append(ser.Points, charts.FrequencyPoint{Contacts: float64(b.N), Rate: b.Rate.Estimate,
				Lo: math.Min(b.Rate.Lo, b.Rate.Estimate), Hi: math.Max(b.Rate.Hi, b.Rate.Estimate), N: b.Contacts})
			maxN = math.Max(maxN, float64(b.N))
		}
		if len(ser.Points) < 2 {
			return c, noData("segment %s has fewer than two contact frequencies with %v offers or more", seg, o.MinOffers)
		}
		for x := 0.25; x <= maxN+1e-9; x += 0.25 {
			ser.FitX = append(ser.FitX, x)
			ser.FitY = append(ser.FitY, f.Curve.At(x))
		}
		c.Series = append(c.Series, ser)
	}
	how := "randomized frequency cells"
	if !randomized {
		how = "observational contact history only (no randomized cells): correlation, not a measured effect"
	}
	var parts []string
	for i, ser := range c.Series {
		x, _ := ser.Best()
		unit := ""
		if i == 0 {
			unit = " offers a year"
		}
		parts = append(parts, fmt.Sprintf("%.0f%s for %s", x, unit, ser.Name))
	}
	c.Header = s.header(
		"Response per offer peaks at about "+joinAnd(parts),
		"Acceptance per outbound offer by the customer's offers in the 12 months before it · "+how,
		"")
	return c, nil
}

// segmentLabel names the built-in value segments by their size.
func segmentLabel(seg string) string {
	switch seg {
	case "all", "":
		return "all customers"
	case "top":
		return "top 10 %"
	case "middle":
		return "middle 40 %"
	case "low":
		return "low 50 %"
	}
	return seg
}

// joinAnd is "a", "a and b", "a, b and c".
func joinAnd(parts []string) string {
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// WhatIf is one contact-frequency what-if: a segment from From to To offers per period.
type WhatIf struct {
	Segment  string
	From, To int
}

// DefaultWhatIfs are the KPN questions: the top segment from 3 to 4 and from 4 to 5 offers
// per half year, and the other value segments from 3 to 4.
var DefaultWhatIfs = []WhatIf{{"top", 3, 4}, {"top", 4, 5}, {"middle", 3, 4}, {"low", 3, 4}}

// Scenarios compares frequency what-ifs on the extra revenue per period, with intervals.
func (s *Source) Scenarios(ctx context.Context, whatifs []WhatIf, o FrequencyOptions) (charts.ScenarioChart, []string, error) {
	o = o.withDefaults()
	if len(whatifs) == 0 {
		whatifs = DefaultWhatIfs
	}
	per := sim.PeriodName(o.PeriodMonths)
	c := charts.ScenarioChart{Measure: "Extra revenue per " + per, Unit: charts.Money}
	var notes []string
	loaded := map[string]*sim.Frequency{}
	var bestW WhatIf
	for _, w := range whatifs {
		if err := ctx.Err(); err != nil {
			return c, notes, err
		}
		f, ok := loaded[w.Segment]
		if !ok {
			var err error
			if f, err = s.loadFrequency(ctx, w.Segment, o); err != nil {
				return c, notes, err
			}
			loaded[w.Segment] = f
		}
		r, err := f.WhatIf(w.From, w.To)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s %d → %d left out: %v", w.Segment, w.From, w.To, err))
			continue
		}
		if len(c.Scenarios) == 0 || r.ExtraRevenue.Estimate > c.Scenarios[bestIndex(c.Scenarios)].Value {
			bestW = w
		}
		c.Scenarios = append(c.Scenarios, charts.ScenarioValue{
			Name:  fmt.Sprintf("%s: %d → %d offers", w.Segment, w.From, w.To),
			Value: r.ExtraRevenue.Estimate, Lo: math.Min(r.ExtraRevenue.Lo, r.ExtraRevenue.Estimate), Hi: math.Max(r.ExtraRevenue.Hi, r.ExtraRevenue.Estimate),
		})
	}
	if len(c.Scenarios) == 0 {
		return c, notes, noData("no what-if could be computed: %s", strings.Join(notes, "; "))
	}
	best := c.Scenarios[bestIndex(c.Scenarios)]
	th := charts.DefaultTheme()
	c.Header = s.header(
		fmt.Sprintf("Going from %d to %d offers a %s pays most in the %s segment: %s", bestW.From, bestW.To, per,
			bestW.Segment, charts.Money.Format(th, best.Value)),
		fmt.Sprintf("Steady-state what-ifs from the fitted response curve, per %s for the whole segment; whiskers: 95 %% interval", per),
		"")
	return c, notes, nil
}

func bestIndex(v []charts.ScenarioValue) int {
	b := 0
	for i := range v {
		if v[i].Value > v[b].Value {
			b = i
		}
	}
	return b
}
