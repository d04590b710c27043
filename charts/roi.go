package charts

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ROIScenario is one outbound campaign's result, as computed by the simulation
// (analysis/sim): customers contacted, conversion, contracts won and profit over the
// contract horizon (after contact and fixed costs when there are any).
type ROIScenario struct {
	Name       string
	Volume     float64
	Conversion float64
	Contracts  float64
	Profit     float64
}

func (s ROIScenario) contracts() float64 { return s.Contracts }
func (s ROIScenario) profit() float64    { return s.Profit }

func (s ROIScenario) validate(i int) error {
	switch {
	case !finite(s.Volume, s.Conversion, s.Contracts, s.Profit):
		return fmt.Errorf("scenarios[%d] %q: all values must be numbers", i, s.Name)
	case s.Volume <= 0:
		return fmt.Errorf("scenarios[%d] %q: volume %v must be positive", i, s.Name, s.Volume)
	case s.Conversion < 0 || s.Conversion > 1:
		return fmt.Errorf("scenarios[%d] %q: conversion %v must be a fraction in [0, 1] (1.5 %% is 0.015)", i, s.Name, s.Conversion)
	case s.Contracts < 0:
		return fmt.Errorf("scenarios[%d] %q: contracts %v must be ≥ 0", i, s.Name, s.Contracts)
	}
	return nil
}

// ROIChart compares campaigns side by side (the first is the reference, e.g. the mass
// mailing): contracts on the left, profit on the right.
type ROIChart struct {
	Header
	// NetOfCost says the profits are after contact and fixed costs.
	NetOfCost bool
	Scenarios []ROIScenario
}

// Kind implements Chart.
func (ROIChart) Kind() string { return "roi" }

func (c ROIChart) validate() error {
	if len(c.Scenarios) == 0 || len(c.Scenarios) > 5 {
		return fmt.Errorf("scenarios: want 1 to 5, have %d", len(c.Scenarios))
	}
	for i, s := range c.Scenarios {
		if err := s.validate(i); err != nil {
			return err
		}
	}
	return nil
}

// Takeaway implements Chart: the best scenario against the reference.
func (c ROIChart) Takeaway() string {
	if c.validate() != nil {
		return ""
	}
	th := DefaultTheme()
	ref := c.Scenarios[0]
	if len(c.Scenarios) == 1 {
		return fmt.Sprintf("%s: %s contracts and %s profit from %s contacts", ref.Name,
			FormatInt(ref.Contracts), FormatMoney(th.Currency, ref.Profit), FormatInt(ref.Volume))
	}
	best := 1
	for i := 2; i < len(c.Scenarios); i++ {
		if c.Scenarios[i].Profit > c.Scenarios[best].Profit {
			best = i
		}
	}
	b := c.Scenarios[best]
	s := fmt.Sprintf("%s (%s contacts) earns %s against %s for %s (%s): %s",
		b.Name, FormatInt(b.Volume), FormatMoney(th.Currency, b.Profit), FormatMoney(th.Currency, ref.Profit),
		ref.Name, FormatInt(ref.Volume), Money.signed(th, b.Profit-ref.Profit))
	switch dv := ref.Volume - b.Volume; {
	case dv > 0:
		s += " with " + FormatInt(dv) + " fewer contacts"
	case dv < 0:
		s += " with " + FormatInt(-dv) + " more contacts"
	}
	return s
}

func (c ROIChart) draw(dc draw.Canvas, th Theme) error {
	for _, pn := range c.layout(dc, th) {
		pn.plot.Draw(pn.canvas)
	}
	return nil
}

// roiPanel is one side of the ROI slide: its plot, the canvas it is drawn on and the
// value labels on it (kept for the layout tests).
type roiPanel struct {
	plot   *plot.Plot
	canvas draw.Canvas
	notes  []note
}

// layout builds the two panels. Every bar carries a stack of labels (the difference to
// the reference, then the value) above its top, or above 0 for a loss. The value axis
// gets enough headroom for the tallest stack: a label of height L points above the
// anchor y fits the data area of height H points when
//
//	(Y.Max − y) / (Y.Max − Y.Min) ≥ L / H, i.e. Y.Max ≥ (y − f·Y.Min) / (1 − f), f = L/H,
//
// so a small profit next to a large loss keeps its labels apart instead of having them
// pushed down onto each other at the top edge.
func (c ROIChart) layout(dc draw.Canvas, th Theme) []roiPanel {
	panels := splitH(dc, 2, vg.Points(50))
	names := make([]string, len(c.Scenarios))
	for i, s := range c.Scenarios {
		// Three short lines rather than two long ones: with the value axes labelled the
		// panels are narrower, and "150,000 contacts · 1.5 %" ran into its neighbour.
		names[i] = s.Name + "\n" + FormatInt(s.Volume) + " contacts\n" + Percent.format(th, s.Conversion) + " conversion"
	}
	profitTitle := "Profit over the contract horizon"
	if c.NetOfCost {
		profitTitle = "Profit after contact costs"
	}
	profitAxis := "Profit (" + th.Currency + ")"
	if c.NetOfCost {
		profitAxis = "Net profit (" + th.Currency + ")"
	}
	type metric struct {
		title, axis string
		unit        Unit
		value       func(ROIScenario) float64
	}
	var out []roiPanel
	for pi, m := range []metric{
		{"Contracts", "Contracts won", Count, ROIScenario.contracts},
		{profitTitle, profitAxis, Money, ROIScenario.profit},
	} {
		p := th.newPlot("Campaign", m.axis)
		panelTitle(p, th, m.title)
		p.X.Tick.Marker = FixedTicks{Labels: names}
		p.X.Tick.Length = 0
		p.X.Tick.Label.Font.Size = th.TickLabel.Size - 1
		p.Y.Tick.Marker = m.unit.ticker(th)
		p.X.Min, p.X.Max = -0.6, float64(len(c.Scenarios))-0.4
		p.Add(hgrid())
		ref := m.value(c.Scenarios[0])
		lo, hi := 0.0, 0.0
		b := &bars{}
		val := th.style(th.AnnotationStrong, textDark)
		val.XAlign, val.YAlign = draw.XCenter, draw.YBottom
		diff := th.style(th.Annotation, textMuted)
		diff.XAlign, diff.YAlign = draw.XCenter, draw.YBottom
		var notes []note
		anchors := make([]float64, len(c.Scenarios))  // data y each label stack stands on
		stacks := make([]vg.Length, len(c.Scenarios)) // its height in points, with the padding note keeps
		for i, s := range c.Scenarios {
			v := m.value(s)
			lo, hi = math.Min(lo, v), math.Max(hi, v)
			b.items = append(b.items, bar{At: float64(i), Width: 0.62, Base: 0, Value: v, Fill: th.Color(i)})
			y, dy := v, vg.Points(4)
			if v < 0 {
				y = 0
			}
			if i > 0 {
				d := v - ref
				txt := m.unit.signed(th, d) + " vs " + c.Scenarios[0].Name
				if ref > 0 {
					txt = fmt.Sprintf("%s (%s)", m.unit.signed(th, d), Percent.signed(th, d/ref))
				}
				notes = append(notes, note{X: float64(i), Y: y, DY: dy, Text: txt, Style: diff})
				dy += diff.Height("0") + vg.Points(2)
			}
			vn := note{X: float64(i), Y: y, DY: dy, Text: m.unit.format(th, v), Style: val}
			notes = append(notes, vn)
			anchors[i] = y
			stacks[i] = dy + val.Rectangle(vn.Text).Max.Y + vg.Points(4)
		}
		for _, n := range notes {
			p.Add(n)
		}
		p.Add(b)
		if lo < 0 {
			p.Add(refLine{Value: 0, Style: th.BaselineLine()})
		}
		p.Y.Min = lo * 1.15
		p.Y.Max = hi*1.3 + (hi-lo)*0.02
		if p.Y.Max <= p.Y.Min {
			p.Y.Max = p.Y.Min + 1
		}
		// The data area's height depends a little on the tick labels, which depend on
		// the range: two rounds settle it.
		for round := 0; round < 2; round++ {
			da := p.DataCanvas(panels[pi])
			h := float64(da.Max.Y - da.Min.Y)
			if h <= 0 {
				break
			}
			for i, y := range anchors {
				f := float64(stacks[i]) / h
				if f >= 0.8 { // a panel too small for its labels: leave it to the clamping
					continue
				}
				if want := (y - f*p.Y.Min) / (1 - f); want > p.Y.Max {
					p.Y.Max = want
				}
			}
		}
		out = append(out, roiPanel{plot: p, canvas: panels[pi], notes: notes})
	}
	return out
}
