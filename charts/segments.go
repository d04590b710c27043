package charts

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// KPI is one measure per segment with its value for the whole base. Values[i] belongs to
// the chart's Segments[i].
type KPI struct {
	Name   string
	Unit   Unit
	Base   float64
	Values []float64
}

// Index is the segment's value indexed on the base: 100 · value / base.
func (k KPI) Index(i int) float64 { return 100 * k.Values[i] / k.Base }

// SegmentKPIChart shows KPIs per segment as bars indexed against the whole base (= 100),
// so measures with different units share one axis.
type SegmentKPIChart struct {
	Header
	Segments []string
	KPIs     []KPI
}

// Kind implements Chart.
func (SegmentKPIChart) Kind() string { return "segments" }

func (c SegmentKPIChart) validate() error {
	if len(c.Segments) == 0 || len(c.Segments) > 6 {
		return fmt.Errorf("segments: want 1 to 6 segments, have %d", len(c.Segments))
	}
	if len(c.KPIs) == 0 || len(c.KPIs) > 6 {
		return fmt.Errorf("kpis: want 1 to 6 KPIs, have %d", len(c.KPIs))
	}
	for _, k := range c.KPIs {
		if len(k.Values) != len(c.Segments) {
			return fmt.Errorf("kpi %q: %d values for %d segments", k.Name, len(k.Values), len(c.Segments))
		}
		if !finite(k.Base) || k.Base <= 0 {
			return fmt.Errorf("kpi %q: base value %v must be positive to index against", k.Name, k.Base)
		}
		for i, v := range k.Values {
			if !finite(v) || v < 0 {
				return fmt.Errorf("kpi %q: segment %q: value %v must be a non-negative number", k.Name, c.Segments[i], v)
			}
		}
	}
	return nil
}

// Takeaway implements Chart: the highest index, the segment's strongest trait.
func (c SegmentKPIChart) Takeaway() string {
	if c.validate() != nil {
		return ""
	}
	bk, bs := 0, 0
	for k, kpi := range c.KPIs {
		for s := range c.Segments {
			if kpi.Index(s) > c.KPIs[bk].Index(bs) {
				bk, bs = k, s
			}
		}
	}
	k := c.KPIs[bk]
	th := DefaultTheme()
	return fmt.Sprintf("the %s segment's %s is %s against %s for the whole base (index %s)",
		c.Segments[bs], lowerFirst(k.Name), k.Unit.format(th, k.Values[bs]), k.Unit.format(th, k.Base), FormatInt(k.Index(bs)))
}

func (c SegmentKPIChart) draw(dc draw.Canvas, th Theme) error {
	p := th.newPlot("Segment, grouped by KPI", "KPI index (whole base = 100)")
	n := len(c.Segments)
	w := 0.86 / float64(n)
	at := func(k, s int) float64 { return float64(k) - 0.43 + w*(float64(s)+0.5) }
	// Every bar is named on the axis (segment) and topped by its index, and every group is
	// headed by its KPI: meaning never rests on colour alone.
	var ticks []plot.Tick
	for k := range c.KPIs {
		for s, seg := range c.Segments {
			ticks = append(ticks, plot.Tick{Value: at(k, s), Label: seg})
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Tick.Length = 0
	p.X.Tick.Label.Font.Size = th.TickLabel.Size - 2
	if n*len(c.KPIs) > 12 {
		p.X.Tick.Label.Font.Size = th.TickLabel.Size - 3
	}
	p.Y.Tick.Marker = NumberTicks{N: 6}
	p.X.Min, p.X.Max = -0.55, float64(len(c.KPIs))-0.45
	p.Y.Min = 0
	p.Add(hgrid())
	idx := th.style(th.AnnotationStrong, textDark)
	idx.XAlign, idx.YAlign = draw.XCenter, draw.YBottom
	top := 0.0
	for _, kpi := range c.KPIs {
		for s := range c.Segments {
			top = math.Max(top, kpi.Index(s))
		}
	}
	p.Y.Max = math.Max(top, 100) * 1.3
	var values []note // drawn last: the dashed 100 line ran through indices near 100
	for s := range c.Segments {
		b := &bars{}
		for k, kpi := range c.KPIs {
			v := kpi.Index(s)
			b.items = append(b.items, bar{At: at(k, s), Width: w * 0.9, Base: 0, Value: v, Fill: th.Color(s)})
			values = append(values, note{X: at(k, s), Y: v, DY: vg.Points(1) + labelClear(idx), Text: FormatInt(v), Style: idx, Box: true})
		}
		p.Add(b)
	}
	head := th.style(th.AnnotationStrong, textDark)
	head.XAlign, head.YAlign = draw.XCenter, draw.YTop
	raw := th.style(th.Annotation, textMuted)
	raw.XAlign, raw.YAlign = draw.XCenter, draw.YTop
	// A KPI name wider than its group ("Contract ends ≤ 3 months" among five KPIs) ran
	// into its neighbours' names: it goes on two lines instead.
	da := p.DataCanvas(dc)
	trX, _ := p.Transforms(&da)
	group := trX(1) - trX(0)
	names := make([]string, len(c.KPIs))
	wrapped := false
	for k, kpi := range c.KPIs {
		names[k] = kpi.Name
		if head.Width(kpi.Name) > group*0.92 {
			if lines := wrapText(head, kpi.Name, group*0.92); len(lines) > 1 {
				names[k] = strings.Join(lines, "\n")
				wrapped = true
			}
		}
	}
	if wrapped {
		p.Y.Max = math.Max(top, 100) * 1.4
	}
	for k, kpi := range c.KPIs {
		p.Add(note{X: float64(k), Y: p.Y.Max, DY: -vg.Points(2), Text: names[k], Style: head, Box: true})
		h := head.Height("A")
		if names[k] != kpi.Name {
			h = head.Rectangle(names[k]).Size().Y
		}
		p.Add(note{X: float64(k), Y: p.Y.Max, DY: -vg.Points(2) - h - vg.Points(3),
			Text: "base " + kpi.Unit.format(th, kpi.Base), Style: raw, Box: true})
	}
	hundred := refLine{Value: 100, Style: th.BaselineLine()}
	p.Add(hundred)
	for _, n := range values {
		p.Add(n)
	}
	p.Draw(dc)
	return nil
}

// labelClear is how far a boxed label must stand above its anchor for its box (the text's
// descent plus the box padding) to stay clear of what it labels.
func labelClear(sty text.Style) vg.Length {
	return -sty.Rectangle("0").Min.Y + vg.Points(4)
}
