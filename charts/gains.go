package charts

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// GainsSeries is one model's cumulative gains on a holdout: selecting the Depth[i] share
// of customers with the highest scores finds the Gain[i] share of all buyers.
type GainsSeries struct {
	Name  string
	Depth []float64 // ascending, in (0, 1]
	Gain  []float64 // non-decreasing, in [0, 1]
}

// GainsAt is the gain at depth d, linearly interpolated between the points (and from
// (0, 0) to the first point).
func (s GainsSeries) GainsAt(d float64) float64 {
	px, py := 0.0, 0.0
	for i := range s.Depth {
		if d <= s.Depth[i] {
			if s.Depth[i] == px {
				return s.Gain[i]
			}
			return py + (s.Gain[i]-py)*(d-px)/(s.Depth[i]-px)
		}
		px, py = s.Depth[i], s.Gain[i]
	}
	return py
}

// Lift is the lift of each band between consecutive depths:
//
//	lift_i = (Gain_i − Gain_{i−1}) / (Depth_i − Depth_{i−1}),  Depth_0 = Gain_0 = 0,
//
// the band's buyer rate over the base rate (1 = random selection).
func (s GainsSeries) Lift() []float64 {
	out := make([]float64, len(s.Depth))
	pd, pg := 0.0, 0.0
	for i := range s.Depth {
		out[i] = (s.Gain[i] - pg) / (s.Depth[i] - pd)
		pd, pg = s.Depth[i], s.Gain[i]
	}
	return out
}

func (s GainsSeries) validate(field string) error {
	if len(s.Depth) < 2 || len(s.Depth) != len(s.Gain) {
		return fmt.Errorf("%s %q: need at least 2 points and as many gains as depths (have %d depths, %d gains)", field, s.Name, len(s.Depth), len(s.Gain))
	}
	prevD, prevG := 0.0, 0.0
	for i := range s.Depth {
		d, g := s.Depth[i], s.Gain[i]
		if !finite(d, g) || d <= prevD || d > 1+1e-9 {
			return fmt.Errorf("%s %q: depth[%d] = %v: depths must rise within (0, 1]", field, s.Name, i, d)
		}
		if g < prevG-1e-9 || g < 0 || g > 1+1e-9 {
			return fmt.Errorf("%s %q: gain[%d] = %v: gains must be non-decreasing within [0, 1]", field, s.Name, i, g)
		}
		prevD, prevG = d, g
	}
	return nil
}

// GainsChart shows cumulative gains (left) and lift per decile (right) for one or two
// models against random selection.
type GainsChart struct {
	Header
	// Outcome names what is found, plural ("buyers").
	Outcome string
	// Product names what the models predict ("Mobile data-only"); the takeaway then says
	// "by the Mobile data-only model (gbdt v3)" instead of the first series name alone.
	Product string
	Models  []GainsSeries
}

// Kind implements Chart.
func (GainsChart) Kind() string { return "gains" }

func (c GainsChart) outcome() string {
	if c.Outcome == "" {
		return "buyers"
	}
	return c.Outcome
}

func (c GainsChart) validate() error {
	if len(c.Models) == 0 || len(c.Models) > 3 {
		return fmt.Errorf("models: want 1 to 3 gains series, have %d", len(c.Models))
	}
	for i, m := range c.Models {
		if err := m.validate(fmt.Sprintf("models[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

// Takeaway implements Chart: the share of buyers the top 20 % holds per model.
func (c GainsChart) Takeaway() string {
	if c.validate() != nil {
		return ""
	}
	m := c.Models[0]
	lift := m.GainsAt(0.2) / 0.2
	by := m.Name
	if c.Product != "" {
		by = fmt.Sprintf("the %s model (%s)", c.Product, m.Name)
	}
	s := fmt.Sprintf("the top 20 %% by %s holds %s of %s (%.1f× random)", by,
		FormatPercent(m.GainsAt(0.2), 0), c.outcome(), lift)
	for _, o := range c.Models[1:] {
		s += fmt.Sprintf("; by %s %s", o.Name, FormatPercent(o.GainsAt(0.2), 0))
	}
	return s
}

// isDeciles reports whether the depths are 10 %, 20 %, … 100 %.
func isDeciles(d []float64) bool {
	if len(d) != 10 {
		return false
	}
	for i, v := range d {
		if math.Abs(v-float64(i+1)/10) > 1e-6 {
			return false
		}
	}
	return true
}

func (c GainsChart) draw(dc draw.Canvas, th Theme) error {
	panels := splitH(dc, 2, vg.Points(40))

	// Left: cumulative gains.
	g := th.newPlot("Customers selected, highest scores first", "Share of all "+c.outcome()+" found")
	panelTitle(g, th, "Cumulative gains")
	g.X.Min, g.X.Max, g.Y.Min, g.Y.Max = 0, 1, 0, 1
	g.X.Tick.Marker = PercentTicks{N: 5}
	g.Y.Tick.Marker = PercentTicks{N: 5}
	g.Legend.Top, g.Legend.Left = false, false
	g.Legend.XOffs, g.Legend.YOffs = -vg.Points(10), vg.Points(10)
	g.Add(hgrid())
	diag, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	diag.LineStyle = th.BaselineLine()
	g.Add(diag)
	for i, m := range c.Models {
		pts := append(plotter.XYs{{X: 0, Y: 0}}, xys(m.Depth, m.Gain)...)
		if err := addSeries(g, th, i, m.Name, pts, true); err != nil {
			return err
		}
	}
	g.Legend.Add("random selection", diag)
	// The headline point: what the top 20 % of the first model holds.
	m := c.Models[0]
	at := m.GainsAt(0.2)
	marker(g, 0.2, at, th.Line(0).Color, draw.CircleGlyph{}, vg.Points(9)) // the first model's colour: the point is on its line
	ann := th.style(th.AnnotationStrong, textDark)
	ann.XAlign, ann.YAlign = draw.XLeft, draw.YCenter
	g.Add(note{X: 0.2, Y: at, DX: vg.Points(16), DY: vg.Points(-2), Box: true, Style: ann,
		Text: fmt.Sprintf("top 20 %% → %s of %s", FormatPercent(at, 0), c.outcome())})
	g.Draw(panels[0])

	// Right: lift per band.
	l := th.newPlot("", "Lift (× random)")
	panelTitle(l, th, "Lift per decile")
	deciles := isDeciles(m.Depth)
	labels := make([]string, len(m.Depth))
	for i, d := range m.Depth {
		if deciles {
			labels[i] = fmt.Sprint(i + 1)
		} else {
			labels[i] = FormatPercent(d, 0)
		}
	}
	if deciles {
		l.X.Label.Text = "Decile (1 = highest scores)"
	} else {
		l.X.Label.Text = "Selection band up to"
	}
	l.X.Tick.Marker = FixedTicks{Labels: labels}
	l.X.Tick.Length = 0
	l.Y.Tick.Marker = liftTicks{}
	l.Y.Min = 0
	l.X.Min, l.X.Max = -0.6, float64(len(m.Depth))-0.4
	l.Legend.Left = false
	l.Legend.XOffs = -vg.Points(10)
	l.Add(hgrid())
	n := len(c.Models)
	w := 0.8 / float64(n)
	valSty := th.style(th.Annotation, textDark)
	valSty.XAlign, valSty.YAlign = draw.XCenter, draw.YBottom
	if n > 1 {
		// Several models: one label over the top decile's group ("5.8× / 5.7×") instead of
		// labels that collide over narrow bars.
		var parts []string
		top := 0.0
		for _, mod := range c.Models {
			lf := mod.Lift()[0]
			parts = append(parts, fmt.Sprintf("%.1f×", lf))
			top = math.Max(top, lf)
		}
		l.Add(note{X: 0, Y: top, DY: vg.Points(4), Text: strings.Join(parts, " / "), Style: valSty})
	}
	for k, mod := range c.Models {
		if len(mod.Depth) != len(m.Depth) {
			return errors.New("models: lift bars need the same depths for every model")
		}
		b := &bars{}
		fill, line := th.Color(k), draw.LineStyle{}
		if k > 0 { // second model: white bar with a thick coloured outline, not just another hue
			fill = lighten(th.Color(k), 0.8)
			line = draw.LineStyle{Color: th.Color(k), Width: vg.Points(2.5)}
		}
		for i, v := range mod.Lift() {
			x := float64(i) - 0.4 + w*(float64(k)+0.5)
			b.items = append(b.items, bar{At: x, Width: w * 0.92, Base: 0, Value: v, Fill: fill, Line: line})
			if n == 1 {
				l.Add(note{X: x, Y: v, DY: vg.Points(4), Text: fmt.Sprintf("%.1f×", v), Style: valSty})
			}
		}
		l.Add(b)
		l.Legend.Add(mod.Name, swatch{Fill: fill, Line: line})
	}
	one := refLine{Value: 1, Style: th.BaselineLine()}
	l.Add(one)
	l.Legend.Add("random = 1.0×", one)
	// Head room for the value labels and the legend.
	l.Y.Max *= 1.22
	l.Draw(panels[1])
	return nil
}

// liftTicks labels lift values as "2×".
type liftTicks struct{}

// Ticks implements plot.Ticker.
func (liftTicks) Ticks(min, max float64) []plot.Tick {
	return niceTicks(min, max, 5, func(v, step float64) string {
		return FormatNumber(v, decimalsFor(step)) + "×"
	})
}
