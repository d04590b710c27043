package charts

import (
	"fmt"
	"math"

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

// Takeaway implements Chart: the largest deviation from the base.
func (c SegmentKPIChart) Takeaway() string {
	if c.validate() != nil {
		return ""
	}
	bk, bs, best := 0, 0, 0.0
	for k, kpi := range c.KPIs {
		for s := range c.Segments {
			if d := math.Abs(math.Log(math.Max(kpi.Index(s), 1e-9) / 100)); d > best {
				bk, bs, best = k, s, d
			}
		}
	}
	k := c.KPIs[bk]
	return fmt.Sprintf("the %s segment's %s is %s against %s for the base (index %s)",
		c.Segments[bs], k.Name, k.Unit.format(DefaultTheme(), k.Values[bs]),
		k.Unit.format(DefaultTheme(), k.Base), FormatInt(k.Index(bs)))
}

func (c SegmentKPIChart) draw(dc draw.Canvas, th Theme) error {
	p := th.newPlot("", "Index (whole base = 100)")
	names := make([]string, len(c.KPIs))
	for i, k := range c.KPIs {
		names[i] = k.Name
	}
	p.X.Tick.Marker = FixedTicks{Labels: names}
	p.X.Tick.Length = 0
	p.Y.Tick.Marker = NumberTicks{N: 6}
	p.X.Min, p.X.Max = -0.55, float64(len(c.KPIs))-0.45
	p.Y.Min = 0
	p.Legend.Left = false
	p.Legend.XOffs = -vg.Points(8)
	p.Add(hgrid())
	n := len(c.Segments)
	w := 0.86 / float64(n)
	lab := th.style(th.Annotation, textDark)
	lab.XAlign, lab.YAlign = draw.XCenter, draw.YBottom
	if n > 3 || len(c.KPIs) > 4 {
		lab.Font.Size = 12
	}
	idx := th.style(th.AnnotationStrong, textDark)
	idx.XAlign, idx.YAlign = draw.XCenter, draw.YBottom
	top := 0.0
	for s, seg := range c.Segments {
		b := &bars{}
		fill := th.Color(s)
		for k, kpi := range c.KPIs {
			x := float64(k) - 0.43 + w*(float64(s)+0.5)
			v := kpi.Index(s)
			top = math.Max(top, v)
			b.items = append(b.items, bar{At: x, Width: w * 0.9, Base: 0, Value: v, Fill: fill})
			// The segment's name and index on every bar: meaning is never carried by colour alone.
			p.Add(note{X: x, Y: v, DY: vg.Points(4), Text: FormatInt(v), Style: idx})
			p.Add(note{X: x, Y: v, DY: vg.Points(4) + idx.Height("0") + vg.Points(1), Text: seg, Style: lab})
		}
		p.Add(b)
		p.Legend.Add(seg, swatch{Fill: fill})
	}
	hundred := refLine{Value: 100, Style: th.BaselineLine()}
	p.Add(hundred)
	p.Legend.Add("whole base = 100", hundred)
	p.Y.Max = math.Max(top, 100) * 1.25
	p.Draw(dc)
	return nil
}
