package charts

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Mark is a named value marked on a histogram's value axis ("mean", "median").
type Mark struct {
	Name  string
	Value float64
}

// HistogramChart shows how the values of one numeric column are distributed: Counts[i] rows
// fall in bin i of len(Counts) equal-width bins over [Min, Max], i.e.
//
//	bin i covers [Min + i·w, Min + (i+1)·w),  w = (Max − Min) / len(Counts),
//
// the last bin closed. A constant column (Min = Max) has one bin. Overflow counts the rows
// above Max that no bin holds (a long tail cut at a high percentile); Nulls the rows without
// a value. Both are said on the chart, so its counts add up to the table's rows.
type HistogramChart struct {
	Header
	// Column is what the value axis measures ("monthly_revenue").
	Column string
	// Unit writes the value axis (Count for plain numbers, Money, Percent).
	Unit     Unit
	Min, Max float64
	Counts   []float64
	Overflow float64
	Nulls    float64
	// Markers are drawn as labelled vertical lines (at most 3, inside the range shown).
	Markers []Mark
}

// Kind implements Chart.
func (HistogramChart) Kind() string { return "histogram" }

func (c HistogramChart) validate() error {
	if len(c.Counts) == 0 || len(c.Counts) > 200 {
		return fmt.Errorf("counts: want 1 to 200 bins, have %d", len(c.Counts))
	}
	if !finite(c.Min, c.Max) || c.Max < c.Min {
		return fmt.Errorf("range [%v, %v]: want finite numbers with min ≤ max", c.Min, c.Max)
	}
	if c.Max == c.Min && len(c.Counts) != 1 {
		return fmt.Errorf("range [%v, %v] is one value: want 1 bin, have %d", c.Min, c.Max, len(c.Counts))
	}
	total := 0.0
	for i, n := range c.Counts {
		if !finite(n) || n < 0 {
			return fmt.Errorf("counts[%d] = %v: want a count ≥ 0", i, n)
		}
		total += n
	}
	if total <= 0 {
		return fmt.Errorf("counts: every bin is empty")
	}
	if !finite(c.Overflow, c.Nulls) || c.Overflow < 0 || c.Nulls < 0 {
		return fmt.Errorf("overflow %v, nulls %v: want counts ≥ 0", c.Overflow, c.Nulls)
	}
	if len(c.Markers) > 3 {
		return fmt.Errorf("markers: at most 3, have %d", len(c.Markers))
	}
	for _, m := range c.Markers {
		if !finite(m.Value) {
			return fmt.Errorf("marker %q: value %v is not a number", m.Name, m.Value)
		}
	}
	return nil
}

func (c HistogramChart) binWidth() float64 {
	if c.Max == c.Min {
		return 1
	}
	return (c.Max - c.Min) / float64(len(c.Counts))
}

// binRange is the value range [lo, hi) of bin i.
func (c HistogramChart) binRange(i int) (float64, float64) {
	if c.Max == c.Min {
		return c.Min, c.Max
	}
	w := c.binWidth()
	return c.Min + float64(i)*w, c.Min + float64(i+1)*w
}

func (c HistogramChart) binned() float64 {
	t := 0.0
	for _, n := range c.Counts {
		t += n
	}
	return t
}

// Takeaway implements Chart: the fullest bin and its share of the binned rows.
func (c HistogramChart) Takeaway() string {
	if c.validate() != nil {
		return ""
	}
	best := 0
	for i, n := range c.Counts {
		if n > c.Counts[best] {
			best = i
		}
	}
	th := DefaultTheme()
	lo, hi := c.binRange(best)
	share := FormatPercent(c.Counts[best]/c.binned(), 0)
	if lo == hi {
		return fmt.Sprintf("every value of %s is %s", c.Column, c.Unit.format(th, lo))
	}
	return fmt.Sprintf("the most common %s is %s to %s: %s of the rows with a value", c.Column,
		c.Unit.format(th, lo), c.Unit.format(th, hi), share)
}

func (c HistogramChart) draw(dc draw.Canvas, th Theme) error {
	xl := c.Column
	if c.Unit == Money {
		xl += " (" + th.Currency + ")"
	}
	p := th.newPlot(xl, "Rows")
	p.Y.Tick.Marker = NumberTicks{N: 6}
	p.X.Tick.Marker = c.Unit.ticker(th)
	p.Add(hgrid())
	w := c.binWidth()
	lo, hi := c.Min, c.Max
	if c.Max == c.Min {
		lo, hi = c.Min-0.5, c.Min+0.5
	}
	b := &bars{}
	top := 0.0
	for i, n := range c.Counts {
		a, z := c.binRange(i)
		if c.Max == c.Min {
			a, z = lo, hi
		}
		b.items = append(b.items, bar{At: (a + z) / 2, Width: w * 0.92, Base: 0, Value: n, Fill: th.Color(0)})
		top = math.Max(top, n)
	}
	p.Add(b)
	p.X.Min, p.X.Max = lo-w*0.04, hi+w*0.04
	p.Y.Min, p.Y.Max = 0, top*1.28
	// Markers: labelled lines, each with its own dash pattern and a boxed label near the
	// top, so they are told apart without colour.
	lab := th.style(th.AnnotationStrong, textDark)
	lab.XAlign, lab.YAlign = draw.XLeft, draw.YTop
	var labels []note
	for i, m := range c.Markers {
		if m.Value < p.X.Min || m.Value > p.X.Max {
			continue
		}
		ls := th.Line(i + 1)
		ls.Width = th.ThinLine * 1.5
		ls.Color = Black
		p.Add(refLine{Value: m.Value, Vertical: true, Style: ls})
		labels = append(labels, note{X: m.Value, Y: p.Y.Max, DX: vg.Points(6), DY: -vg.Points(4) - vg.Length(i)*(lab.Height("A")+vg.Points(8)),
			Text: m.Name + " " + c.Unit.format(th, m.Value), Style: lab, Box: true})
	}
	// Labels after every line, so their boxes keep them readable where lines cross.
	for _, l := range labels {
		p.Add(l)
	}
	// What no bin shows, said in words at the top right.
	var extra []string
	if c.Overflow > 0 {
		extra = append(extra, fmt.Sprintf("%s rows above %s not shown", FormatInt(c.Overflow), c.Unit.format(th, c.Max)))
	}
	if c.Nulls > 0 {
		extra = append(extra, FormatInt(c.Nulls)+" rows without a value")
	}
	raw := th.style(th.Annotation, textMuted)
	raw.XAlign, raw.YAlign = draw.XRight, draw.YTop
	for i, s := range extra {
		p.Add(note{X: p.X.Max, Y: p.Y.Max, DY: -vg.Points(4) - vg.Length(i)*(raw.Height("A")+vg.Points(8)), Text: s, Style: raw, Box: true})
	}
	p.Draw(dc)
	return nil
}

// ValueCount is one value of a categorical column and how many rows hold it.
type ValueCount struct {
	Value string
	Count float64
}

// TopValuesChart shows the most frequent values of one column as horizontal bars, most
// frequent on top, each labelled with its count and its share of Rows (the rows with a value;
// 0 leaves shares out).
type TopValuesChart struct {
	Header
	Column string
	Values []ValueCount
	Rows   float64
}

// Kind implements Chart.
func (TopValuesChart) Kind() string { return "top-values" }

func (c TopValuesChart) validate() error {
	if len(c.Values) == 0 || len(c.Values) > 12 {
		return fmt.Errorf("values: want 1 to 12, have %d", len(c.Values))
	}
	sum := 0.0
	for i, v := range c.Values {
		if !finite(v.Count) || v.Count < 0 {
			return fmt.Errorf("values[%d] %q: count %v must be ≥ 0", i, v.Value, v.Count)
		}
		sum += v.Count
	}
	if !finite(c.Rows) || c.Rows < 0 || (c.Rows > 0 && c.Rows < sum-1e-9) {
		return fmt.Errorf("rows %v: want 0 (no shares) or at least the %v rows the values count", c.Rows, sum)
	}
	return nil
}

// Takeaway implements Chart: the most frequent value and its share.
func (c TopValuesChart) Takeaway() string {
	if c.validate() != nil {
		return ""
	}
	best := 0
	for i, v := range c.Values {
		if v.Count > c.Values[best].Count {
			best = i
		}
	}
	v := c.Values[best]
	if c.Rows > 0 {
		return fmt.Sprintf("the most frequent %s is %s: %s of the rows with a value", c.Column, v.Value, FormatPercent(v.Count/c.Rows, 0))
	}
	return fmt.Sprintf("the most frequent %s is %s (%s rows)", c.Column, v.Value, FormatInt(v.Count))
}

func (c TopValuesChart) draw(dc draw.Canvas, th Theme) error {
	p := th.newPlot("Rows", "")
	n := len(c.Values)
	names := make([]string, n)
	for i, v := range c.Values {
		names[n-1-i] = v.Value // first value on top
	}
	p.Y.Tick.Marker = FixedTicks{Labels: names}
	p.Y.Tick.Length = 0
	p.X.Tick.Marker = NumberTicks{N: 6}
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
	p.Add(vgrid())
	b := &bars{horizontal: true}
	top := 0.0
	for i, v := range c.Values {
		b.items = append(b.items, bar{At: float64(n - 1 - i), Width: 0.62, Base: 0, Value: v.Count, Fill: th.Color(0)})
		top = math.Max(top, v.Count)
	}
	p.Add(b)
	if top == 0 {
		top = 1
	}
	p.X.Min, p.X.Max = 0, top*1.25
	val := th.style(th.AnnotationStrong, textDark)
	val.XAlign, val.YAlign = draw.XLeft, draw.YCenter
	for i, v := range c.Values {
		txt := FormatInt(v.Count)
		if c.Rows > 0 {
			txt += " · " + FormatPercent(v.Count/c.Rows, 1)
		}
		p.Add(note{X: v.Count, Y: float64(n - 1 - i), DX: vg.Points(6), Text: txt, Style: val})
	}
	p.Draw(dc)
	return nil
}

var (
	_ Chart = HistogramChart{}
	_ Chart = TopValuesChart{}
)
