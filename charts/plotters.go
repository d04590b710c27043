package charts

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// bar is one rectangle in data coordinates: centred on At along the category axis, Width
// wide (data units), from Base to Value along the value axis.
type bar struct {
	At, Width, Base, Value float64
	Fill                   color.Color
	Line                   draw.LineStyle
}

// bars draws rectangles in data coordinates (vertical, or horizontal: category on Y).
type bars struct {
	items      []bar
	horizontal bool
}

func (b *bars) rect(it bar, trX, trY func(float64) vg.Length) []vg.Point {
	lo, hi := it.At-it.Width/2, it.At+it.Width/2
	if b.horizontal {
		return []vg.Point{
			{X: trX(it.Base), Y: trY(lo)}, {X: trX(it.Value), Y: trY(lo)},
			{X: trX(it.Value), Y: trY(hi)}, {X: trX(it.Base), Y: trY(hi)},
		}
	}
	return []vg.Point{
		{X: trX(lo), Y: trY(it.Base)}, {X: trX(hi), Y: trY(it.Base)},
		{X: trX(hi), Y: trY(it.Value)}, {X: trX(lo), Y: trY(it.Value)},
	}
}

// Plot implements plot.Plotter.
func (b *bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, it := range b.items {
		pts := b.rect(it, trX, trY)
		if it.Fill != nil {
			c.FillPolygon(it.Fill, c.ClipPolygonXY(pts))
		}
		if it.Line.Width > 0 && it.Line.Color != nil {
			closed := append(append([]vg.Point{}, pts...), pts[0])
			c.StrokeLines(it.Line, c.ClipLinesXY(closed)...)
		}
	}
}

// DataRange implements plot.DataRanger.
func (b *bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	cmin, cmax := math.Inf(1), math.Inf(-1)
	vmin, vmax := math.Inf(1), math.Inf(-1)
	for _, it := range b.items {
		cmin = math.Min(cmin, it.At-it.Width/2)
		cmax = math.Max(cmax, it.At+it.Width/2)
		vmin = math.Min(vmin, math.Min(it.Base, it.Value))
		vmax = math.Max(vmax, math.Max(it.Base, it.Value))
	}
	if b.horizontal {
		return vmin, vmax, cmin, cmax
	}
	return cmin, cmax, vmin, vmax
}

// swatch is a legend thumbnail: a filled square with an outline.
type swatch struct {
	Fill color.Color
	Line draw.LineStyle
}

// Thumbnail implements plot.Thumbnailer.
func (s swatch) Thumbnail(c *draw.Canvas) {
	h := c.Max.Y - c.Min.Y
	side := h * 0.9
	x0 := c.Min.X + (c.Max.X-c.Min.X-side)/2
	y0 := c.Min.Y + (h-side)/2
	pts := []vg.Point{{X: x0, Y: y0}, {X: x0 + side, Y: y0}, {X: x0 + side, Y: y0 + side}, {X: x0, Y: y0 + side}}
	if s.Fill != nil {
		c.FillPolygon(s.Fill, pts)
	}
	if s.Line.Width > 0 && s.Line.Color != nil {
		c.StrokeLines(s.Line, append(pts, pts[0]))
	}
}

// note is a text annotation anchored at a data point, offset by DX, DY points, on a
// translucent white box so it stays readable over lines. It is kept inside the data area.
type note struct {
	X, Y   float64
	DX, DY vg.Length
	Text   string
	Style  text.Style
	Box    bool
}

// Plot implements plot.Plotter.
func (n note) Plot(c draw.Canvas, p *plot.Plot) {
	sty, pt, r := n.place(c, p)
	pad := vg.Points(4)
	if n.Box {
		x0, y0 := pt.X+r.Min.X-pad, pt.Y+r.Min.Y-pad
		x1, y1 := pt.X+r.Max.X+pad, pt.Y+r.Max.Y+pad
		c.FillPolygon(annotationFill, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
	}
	c.FillText(sty, pt, n.Text)
}

// place returns where the note is drawn on the data canvas c: the text style (its
// alignment may be flipped), the anchor point and the text's rectangle relative to it.
func (n note) place(c draw.Canvas, p *plot.Plot) (text.Style, vg.Point, vg.Rectangle) {
	trX, trY := p.Transforms(&c)
	pt := vg.Point{X: trX(n.X) + n.DX, Y: trY(n.Y) + n.DY}
	r := n.Style.Rectangle(n.Text)
	pad := vg.Points(4)
	// A label set to the right of its anchor that would run off the canvas goes to the
	// left of it instead (and vice versa), so it never slides back over what it marks.
	if n.DX != 0 && n.Style.XAlign == draw.XLeft && pt.X+r.Max.X+pad > c.Max.X {
		n.Style.XAlign = draw.XRight
		pt.X = trX(n.X) - n.DX
		r = n.Style.Rectangle(n.Text)
	} else if n.DX != 0 && n.Style.XAlign == draw.XRight && pt.X+r.Min.X-pad < c.Min.X {
		n.Style.XAlign = draw.XLeft
		pt.X = trX(n.X) - n.DX
		r = n.Style.Rectangle(n.Text)
	}
	// Keep the box inside the canvas.
	if d := pt.X + r.Max.X + pad - c.Max.X; d > 0 {
		pt.X -= d
	}
	if d := c.Min.X - (pt.X + r.Min.X - pad); d > 0 {
		pt.X += d
	}
	if d := pt.Y + r.Max.Y + pad - c.Max.Y; d > 0 {
		pt.Y -= d
	}
	if d := c.Min.Y - (pt.Y + r.Min.Y - pad); d > 0 {
		pt.Y += d
	}
	return n.Style, pt, r
}

// refLine is a reference line across the data area at X (vertical) or Y (horizontal).
type refLine struct {
	Value    float64
	Vertical bool
	Style    draw.LineStyle
}

// Plot implements plot.Plotter.
func (l refLine) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	if l.Vertical {
		x := trX(l.Value)
		c.StrokeLine2(l.Style, x, c.Min.Y, x, c.Max.Y)
		return
	}
	y := trY(l.Value)
	c.StrokeLine2(l.Style, c.Min.X, y, c.Max.X, y)
}

// Thumbnail implements plot.Thumbnailer.
func (l refLine) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(l.Style, c.Min.X, y, c.Max.X, y)
}

// xys builds plotter.XYs from parallel slices.
func xys(xs, ys []float64) plotter.XYs {
	pts := make(plotter.XYs, len(xs))
	for i := range xs {
		pts[i].X, pts[i].Y = xs[i], ys[i]
	}
	return pts
}

// addSeries adds a line (and markers when glyphs) for series i and its legend entry.
func addSeries(p *plot.Plot, th Theme, i int, name string, pts plotter.XYs, glyphs bool) error {
	l, err := plotter.NewLine(pts)
	if err != nil {
		return fmt.Errorf("series %q: %w", name, err)
	}
	l.LineStyle = th.Line(i)
	p.Add(l)
	thumbs := []plot.Thumbnailer{l}
	if glyphs {
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return fmt.Errorf("series %q: %w", name, err)
		}
		s.GlyphStyle = th.Glyph(i)
		p.Add(s)
		thumbs = append(thumbs, s)
	}
	if name != "" {
		p.Legend.Add(name, thumbs...)
	}
	return nil
}

// marker adds one emphasised point (e.g. an optimum): a large glyph with a white ring.
func marker(p *plot.Plot, x, y float64, clr color.Color, shape draw.GlyphDrawer, radius vg.Length) {
	ring, _ := plotter.NewScatter(plotter.XYs{{X: x, Y: y}})
	ring.GlyphStyle = draw.GlyphStyle{Color: color.White, Radius: radius + vg.Points(3), Shape: shape}
	dot, _ := plotter.NewScatter(plotter.XYs{{X: x, Y: y}})
	dot.GlyphStyle = draw.GlyphStyle{Color: clr, Radius: radius, Shape: shape}
	p.Add(ring, dot)
}

// band is a translucent confidence band between lo and hi over xs.
func band(xs, lo, hi []float64, clr color.Color) (*plotter.Polygon, error) {
	pts := make(plotter.XYs, 0, 2*len(xs))
	for i := range xs {
		pts = append(pts, plotter.XY{X: xs[i], Y: hi[i]})
	}
	for i := len(xs) - 1; i >= 0; i-- {
		pts = append(pts, plotter.XY{X: xs[i], Y: lo[i]})
	}
	poly, err := plotter.NewPolygon(pts)
	if err != nil {
		return nil, err
	}
	// Translucent so overlapping bands of two segments both stay visible.
	r, g, b, _ := clr.RGBA()
	poly.Color = color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 0x48}
	poly.LineStyle.Width = 0
	return poly, nil
}

// lighten mixes c with white: f = 0 keeps c, f = 1 is white.
func lighten(c color.Color, f float64) color.Color {
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8(float64(v>>8)*(1-f) + 255*f + 0.5) }
	return color.RGBA{mix(r), mix(g), mix(b), 0xff}
}

// hgrid is a light horizontal grid behind the data.
func hgrid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color = nil
	g.Horizontal.Color = gridGrey
	g.Horizontal.Width = vg.Points(1)
	return g
}

// vgrid is a light vertical grid (for horizontal bar charts).
func vgrid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Horizontal.Color = nil
	g.Vertical.Color = gridGrey
	g.Vertical.Width = vg.Points(1)
	return g
}

// splitH splits c into n side-by-side panels with gap between them.
func splitH(c draw.Canvas, n int, gap vg.Length) []draw.Canvas {
	w := (c.Max.X - c.Min.X - gap*vg.Length(n-1)) / vg.Length(n)
	out := make([]draw.Canvas, n)
	for i := range out {
		x0 := c.Min.X + vg.Length(i)*(w+gap)
		out[i] = draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x0, Y: c.Min.Y}, Max: vg.Point{X: x0 + w, Y: c.Max.Y},
		}}
	}
	return out
}

// panelTitle sets a plot's small heading (used when a slide has several panels).
func panelTitle(p *plot.Plot, th Theme, s string) {
	p.Title.Text = s
	p.Title.TextStyle = th.style(th.AnnotationStrong, textDark)
	p.Title.TextStyle.Font.Size = th.AxisLabel.Size
	p.Title.TextStyle.XAlign, p.Title.TextStyle.YAlign = draw.XCenter, draw.YTop
	p.Title.Padding = vg.Points(4)
}

// finite reports whether every value is a finite number.
func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
