package charts

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ProfitCurve is the cumulative campaign profit when the Depth[i] share of customers with
// the highest scores is selected: Profit[i] = contracts · profit per contract − contacts ·
// cost per contact − fixed cost, as computed by the simulation.
type ProfitCurve struct {
	Header
	// Name says how customers are ranked ("Mobile Data XL gbdt v3").
	Name   string
	Depth  []float64 // ascending, in [0, 1]
	Profit []float64 // money
	// Customers is the size of the base (optional): depth · Customers are selected.
	Customers float64
}

// Kind implements Chart.
func (ProfitCurve) Kind() string { return "profit" }

func (c ProfitCurve) validate() error {
	if len(c.Depth) < 2 || len(c.Depth) != len(c.Profit) {
		return fmt.Errorf("need at least 2 points and as many profits as depths (have %d depths, %d profits)", len(c.Depth), len(c.Profit))
	}
	prev := -1.0
	for i, d := range c.Depth {
		if !finite(d, c.Profit[i]) || d <= prev || d < 0 || d > 1+1e-9 {
			return fmt.Errorf("depth[%d] = %v, profit %v: depths must rise within [0, 1] and profits be numbers", i, d, c.Profit[i])
		}
		prev = d
	}
	if c.Customers < 0 || !finite(c.Customers) {
		return fmt.Errorf("customers %v must be ≥ 0", c.Customers)
	}
	return nil
}

// Optimum is the index of the highest profit (the shallowest on a tie).
func (c ProfitCurve) Optimum() int {
	best := 0
	for i, v := range c.Profit {
		if v > c.Profit[best] {
			best = i
		}
	}
	return best
}

// BreakEven is the selection depth beyond the optimum at which the cumulative profit
// falls to zero, linearly interpolated between the points around the crossing:
//
//	d* = d_i + (d_{i+1} − d_i) · P_i / (P_i − P_{i+1}),  P_i ≥ 0 > P_{i+1}.
//
// ok is false when profit stays non-negative to the deepest point, or is never positive.
func (c ProfitCurve) BreakEven() (depth float64, ok bool) {
	o := c.Optimum()
	if c.Profit[o] <= 0 {
		return 0, false
	}
	for i := o; i+1 < len(c.Profit); i++ {
		if c.Profit[i] >= 0 && c.Profit[i+1] < 0 {
			p0, p1 := c.Profit[i], c.Profit[i+1]
			return c.Depth[i] + (c.Depth[i+1]-c.Depth[i])*p0/(p0-p1), true
		}
	}
	return 0, false
}

func (c ProfitCurve) depthText(d float64) string {
	s := "top " + FormatPercent(d, 0)
	if c.Customers > 0 {
		s += " (" + FormatInt(d*c.Customers) + " customers)"
	}
	return s
}

// Takeaway implements Chart: where profit peaks and where it turns to a loss.
func (c ProfitCurve) Takeaway() string {
	if c.validate() != nil {
		return ""
	}
	th := DefaultTheme()
	o := c.Optimum()
	if c.Profit[o] <= 0 {
		return "no selection depth makes a profit: the best is " + FormatMoney(th.Currency, c.Profit[o])
	}
	s := fmt.Sprintf("profit peaks at %s when selecting the %s by %s", FormatMoney(th.Currency, c.Profit[o]), c.depthText(c.Depth[o]), c.Name)
	if be, ok := c.BreakEven(); ok {
		s += fmt.Sprintf("; beyond the top %s the campaign loses money", FormatPercent(be, 0))
	} else {
		s += "; it stays profitable down to the deepest selection"
	}
	return s
}

func (c ProfitCurve) draw(dc draw.Canvas, th Theme) error {
	p, err := c.build(th)
	if err != nil {
		return err
	}
	p.Draw(dc)
	return nil
}

// build lays out the profit plot (split from draw so tests can locate the optimum).
func (c ProfitCurve) build(th Theme) (*plot.Plot, error) {
	xl := "Customers selected, highest " + c.Name + " scores first"
	if c.Customers > 0 {
		xl += " (share of " + FormatInt(c.Customers) + ")"
	}
	p := th.newPlot(xl, "Cumulative profit ("+th.Currency+")")
	p.X.Tick.Marker = PercentTicks{N: 10}
	p.Y.Tick.Marker = MoneyTicks{Currency: th.Currency}
	// No legend: the line is named by the axes, optimum and break-even label themselves.
	p.Add(hgrid())
	zero := refLine{Value: 0, Style: th.BaselineLine()}
	p.Add(zero)
	if err := addSeries(p, th, 0, "", xys(c.Depth, c.Profit), false); err != nil {
		return nil, err
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range c.Profit {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	span := math.Max(hi-lo, math.Abs(hi)*0.1+1)
	p.Y.Min = math.Min(lo, 0) - span*0.05
	p.Y.Max = math.Max(hi, 0) + span*0.25
	p.X.Min, p.X.Max = math.Min(0, c.Depth[0]), c.Depth[len(c.Depth)-1]

	o := c.Optimum()
	od, op := c.Depth[o], c.Profit[o]
	strong := th.style(th.AnnotationStrong, textDark)
	if op > 0 {
		p.Add(refLine{Value: od, Vertical: true, Style: draw.LineStyle{Color: Vermillion, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(3), vg.Points(4)}}})
		marker(p, od, op, Vermillion, draw.CircleGlyph{}, vg.Points(9))
		strong.YAlign = draw.YBottom
		strong.XAlign = draw.XLeft
		dx := vg.Points(14)
		if od > 0.6*p.X.Max {
			strong.XAlign, dx = draw.XRight, -dx
		}
		p.Add(note{X: od, Y: op, DX: dx, DY: vg.Points(16), Box: true, Style: strong,
			Text: "Optimum: " + c.depthText(od) + " · " + FormatMoney(th.Currency, op)})
	}
	if be, ok := c.BreakEven(); ok {
		bl := draw.LineStyle{Color: Black, Width: vg.Points(2), Dashes: []vg.Length{vg.Points(10), vg.Points(5)}}
		p.Add(refLine{Value: be, Vertical: true, Style: bl})
		marker(p, be, 0, Black, draw.BoxGlyph{}, vg.Points(7))
		ann := th.style(th.AnnotationStrong, textDark)
		ann.XAlign, ann.YAlign = draw.XLeft, draw.YBottom
		dx := vg.Points(10)
		if be > 0.75*p.X.Max {
			ann.XAlign, dx = draw.XRight, -dx
		}
		p.Add(note{X: be, Y: 0, DX: dx, DY: vg.Points(12), Box: true, Style: ann,
			Text: "Break-even: " + c.depthText(be)})
	}
	return p, nil
}
