package charts

import (
	"image/color"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/font/liberation"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Okabe–Ito colour-blind-safe palette (Okabe & Ito 2008, "Color Universal Design").
var (
	Black          = color.RGBA{0x00, 0x00, 0x00, 0xff}
	Orange         = color.RGBA{0xE6, 0x9F, 0x00, 0xff}
	SkyBlue        = color.RGBA{0x56, 0xB4, 0xE9, 0xff}
	BluishGreen    = color.RGBA{0x00, 0x9E, 0x73, 0xff}
	Yellow         = color.RGBA{0xF0, 0xE4, 0x42, 0xff}
	Blue           = color.RGBA{0x00, 0x72, 0xB2, 0xff}
	Vermillion     = color.RGBA{0xD5, 0x5E, 0x00, 0xff}
	ReddishPurple  = color.RGBA{0xCC, 0x79, 0xA7, 0xff}
	baselineGrey   = color.RGBA{0x6E, 0x6E, 0x6E, 0xff}
	gridGrey       = color.RGBA{0xE3, 0xE3, 0xE3, 0xff}
	textDark       = color.RGBA{0x1F, 0x1F, 0x1F, 0xff}
	textMuted      = color.RGBA{0x5A, 0x5A, 0x5A, 0xff}
	annotationFill = color.NRGBA{0xFF, 0xFF, 0xFF, 0xE6}
)

// Theme is the deck look: one palette, one font family, slide-legible sizes. Sizes are in
// points on a page 960 pt wide (a 13.33 × 7.5 in 16:9 slide); the raster resolution is chosen
// so that the page fills the requested pixel size, so a chart looks the same at any size.
type Theme struct {
	// Currency is the symbol money ticks and labels use ("€").
	Currency string
	// Series colours in order; chosen so that neighbours stay distinct for all common
	// colour-vision deficiencies.
	Palette []color.Color
	// Dashes per series index: series are also told apart by line style, never by colour alone.
	Dashes [][]vg.Length
	// Glyphs per series index (marker shapes).
	Glyphs []draw.GlyphDrawer

	Title, Subtitle, Footnote      font.Font
	AxisLabel, TickLabel, Legend   font.Font
	Annotation, AnnotationStrong   font.Font
	LineWidth, ThinLine, GlyphSize vg.Length
	Margin                         vg.Length
}

// boldTypeface is Liberation Sans Bold registered as a regular-weight typeface of its own:
// vgpdf (v0.17) registers every font with an empty style but selects bold ones with "B",
// so a bold weight fails in PDF; a separate typeface renders the same in every format.
const boldTypeface = "LiberationBold"

func init() {
	for _, f := range liberation.Collection() {
		if f.Font.Typeface == "Liberation" && f.Font.Variant == "Sans" &&
			f.Font.Weight == xfont.WeightBold && f.Font.Style == xfont.StyleNormal {
			f.Font.Typeface = boldTypeface
			f.Font.Weight = xfont.WeightNormal
			font.DefaultCache.Add(font.Collection{f})
		}
	}
}

// DefaultTheme is the deck theme: Okabe–Ito colours, Liberation Sans, sizes for a projector.
func DefaultTheme() Theme {
	sans := font.Font{Typeface: "Liberation", Variant: "Sans"}
	bold := font.Font{Typeface: boldTypeface, Variant: "Sans"}
	return Theme{
		Currency: "€",
		Palette:  []color.Color{Blue, Vermillion, BluishGreen, ReddishPurple, Orange, SkyBlue, Yellow},
		Dashes: [][]vg.Length{
			nil,
			{vg.Points(12), vg.Points(6)},
			{vg.Points(3), vg.Points(4)},
			{vg.Points(12), vg.Points(4), vg.Points(3), vg.Points(4)},
		},
		Glyphs: []draw.GlyphDrawer{
			draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.PyramidGlyph{}, draw.RingGlyph{},
		},
		Title:            font.From(bold, 28),
		Subtitle:         font.From(sans, 17),
		Footnote:         font.From(sans, 11),
		AxisLabel:        font.From(sans, 17),
		TickLabel:        font.From(sans, 15),
		Legend:           font.From(sans, 15),
		Annotation:       font.From(sans, 14),
		AnnotationStrong: font.From(bold, 15),
		LineWidth:        vg.Points(3.5),
		ThinLine:         vg.Points(1.5),
		GlyphSize:        vg.Points(6),
		Margin:           vg.Points(34),
	}
}

// Color is the palette colour of series i (cycling).
func (th Theme) Color(i int) color.Color { return th.Palette[i%len(th.Palette)] }

// Line is the line style of series i: its colour and its own dash pattern.
func (th Theme) Line(i int) draw.LineStyle {
	return draw.LineStyle{Color: th.Color(i), Width: th.LineWidth, Dashes: th.Dashes[i%len(th.Dashes)]}
}

// Glyph is the marker of series i: its colour and its own shape.
func (th Theme) Glyph(i int) draw.GlyphStyle {
	return draw.GlyphStyle{Color: th.Color(i), Radius: th.GlyphSize, Shape: th.Glyphs[i%len(th.Glyphs)]}
}

// BaselineLine is the style of reference lines (random model, diagonal, 100 line, zero).
func (th Theme) BaselineLine() draw.LineStyle {
	return draw.LineStyle{Color: baselineGrey, Width: vg.Points(2), Dashes: []vg.Length{vg.Points(6), vg.Points(5)}}
}

func (th Theme) style(f font.Font, c color.Color) text.Style {
	return text.Style{Color: c, Font: f, Handler: plot.DefaultTextHandler}
}

// newPlot returns a plot styled with the theme: slide-size fonts, light horizontal grid,
// no plot title (the slide carries it), legend at the top left.
func (th Theme) newPlot(xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = color.Transparent
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = th.AxisLabel
		ax.Label.TextStyle.Color = textDark
		ax.Label.TextStyle.Handler = plot.DefaultTextHandler
		ax.Label.Padding = vg.Points(8)
		ax.Tick.Label.Font = th.TickLabel
		ax.Tick.Label.Color = textDark
		ax.Tick.Label.Handler = plot.DefaultTextHandler
		ax.Tick.Length = vg.Points(6)
		ax.Tick.Width = vg.Points(1)
		ax.Tick.Color = textMuted
		ax.Width = vg.Points(1.2)
		ax.Color = textMuted
		ax.Padding = vg.Points(4)
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Legend.TextStyle = th.style(th.Legend, textDark)
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.ThumbnailWidth = vg.Points(44)
	p.Legend.Padding = vg.Points(6)
	p.Legend.XOffs = vg.Points(14)
	p.Legend.YOffs = -vg.Points(6)
	return p
}
