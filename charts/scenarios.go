package charts

import (
	"fmt"
	"math"
	"unicode"
	"unicode/utf8"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ScenarioValue is one scenario's result on the compared measure, with an optional
// confidence interval [Lo, Hi] (leave both 0 for none).
type ScenarioValue struct {
	Name          string
	Value, Lo, Hi float64
}

func (s ScenarioValue) hasCI() bool { return s.Lo != 0 || s.Hi != 0 }

// ScenarioChart compares saved scenarios on one measure as horizontal bars with their
// intervals, in the given order.
type ScenarioChart struct {
	Header
	// Measure names the compared result ("Extra contracts per half year").
	Measure   string
	Unit      Unit
	Scenarios []ScenarioValue
}

// Kind implements Chart.
func (ScenarioChart) Kind() string { return "scenarios" }

func (c ScenarioChart) validate() error {
	if len(c.Scenarios) == 0 || len(c.Scenarios) > 12 {
		return fmt.Errorf("scenarios: want 1 to 12, have %d", len(c.Scenarios))
	}
	for i, s := range c.Scenarios {
		if !finite(s.Value, s.Lo, s.Hi) {
			return fmt.Errorf("scenarios[%d] %q: value and interval must be numbers", i, s.Name)
		}
		if s.hasCI() && (s.Lo > s.Value || s.Hi < s.Value) {
			return fmt.Errorf("scenarios[%d] %q: interval [%v, %v] does not contain the value %v", i, s.Name, s.Lo, s.Hi, s.Value)
		}
	}
	return nil
}

// Takeaway implements Chart: the best scenario with its interval.
func (c ScenarioChart) Takeaway() string {
	if c.validate() != nil {
		return ""
	}
	th := DefaultTheme()
	b := 0
	for i, s := range c.Scenarios {
		if s.Value > c.Scenarios[b].Value {
			b = i
		}
	}
	s := c.Scenarios[b]
	out := fmt.Sprintf("best of %d scenarios on %s: %s with %s", len(c.Scenarios), lowerFirst(c.measure()), s.Name, c.Unit.format(th, s.Value))
	if s.hasCI() {
		out += fmt.Sprintf(" (95 %% interval %s … %s)", c.Unit.format(th, s.Lo), c.Unit.format(th, s.Hi))
		if s.Lo <= 0 && s.Hi >= 0 {
			out += ", not clearly different from zero"
		}
	}
	return out
}

func (c ScenarioChart) measure() string {
	if c.Measure == "" {
		return "Result"
	}
	return c.Measure
}

// lowerFirst lower-cases the first letter ("Extra contracts" → "extra contracts").
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

func (c ScenarioChart) draw(dc draw.Canvas, th Theme) error {
	xl := c.measure()
	if c.Unit == Money {
		xl += " (" + th.Currency + ")"
	}
	p := th.newPlot(xl, "")
	n := len(c.Scenarios)
	names := make([]string, n)
	// First scenario on top: category position n−1−i.
	for i, s := range c.Scenarios {
		names[n-1-i] = s.Name
	}
	p.Y.Tick.Marker = FixedTicks{Labels: names}
	p.Y.Tick.Length = 0
	p.X.Tick.Marker = c.Unit.ticker(th)
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.2
	p.Add(vgrid())
	b := &bars{horizontal: true}
	lo, hi := 0.0, 0.0
	val := th.style(th.AnnotationStrong, textDark)
	val.YAlign = draw.YCenter
	for i, s := range c.Scenarios {
		at := float64(n - 1 - i)
		b.items = append(b.items, bar{At: at, Width: 0.5, Base: 0, Value: s.Value, Fill: th.Color(0)})
		lo, hi = math.Min(lo, math.Min(s.Value, s.Lo)), math.Max(hi, math.Max(s.Value, s.Hi))
	}
	p.Add(b)
	var errs plotter.XYs
	var xerr plotter.XErrors
	for i, s := range c.Scenarios {
		if !s.hasCI() {
			continue
		}
		errs = append(errs, plotter.XY{X: s.Value, Y: float64(n - 1 - i)})
		xerr = append(xerr, struct{ Low, High float64 }{s.Value - s.Lo, s.Hi - s.Value})
	}
	if len(errs) > 0 {
		eb, err := plotter.NewXErrorBars(struct {
			plotter.XYer
			plotter.XErrorer
		}{errs, xerr})
		if err != nil {
			return err
		}
		eb.LineStyle = draw.LineStyle{Color: Black, Width: vg.Points(2)}
		eb.CapWidth = vg.Points(14)
		p.Add(eb)
		p.X.Label.Text += " · bar: estimate, whiskers: 95 % interval"
	}
	// The value (and interval) above each bar, starting at zero, clear of the whiskers.
	for i, s := range c.Scenarios {
		at := float64(n-1-i) + 0.3
		txt := c.Unit.format(th, s.Value)
		if s.hasCI() {
			txt += "   95 %: " + c.Unit.format(th, s.Lo) + " … " + c.Unit.format(th, s.Hi)
		}
		sty := val
		sty.YAlign = draw.YBottom
		sty.XAlign = draw.XLeft
		p.Add(note{X: 0, Y: at, DX: vg.Points(4), DY: vg.Points(3), Text: txt, Style: sty})
	}
	span := hi - lo
	if span == 0 {
		span = 1
	}
	p.X.Min = math.Min(0, lo-span*0.08)
	p.X.Max = hi + span*0.08
	if lo < 0 {
		p.Add(refLine{Value: 0, Vertical: true, Style: th.BaselineLine()})
	}
	p.Draw(dc)
	return nil
}
