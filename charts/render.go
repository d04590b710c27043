package charts

import (
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"git.sr.ht/~sbinet/gg"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Format is an output file format.
type Format string

// The formats charts can write.
const (
	PNG Format = "png"
	SVG Format = "svg"
	PDF Format = "pdf"
)

// FormatFromPath picks the format from the file extension (.png, .svg, .pdf; any case).
func FormatFromPath(path string) (Format, error) {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".png":
		return PNG, nil
	case ".svg":
		return SVG, nil
	case ".pdf":
		return PDF, nil
	case "":
		return "", fmt.Errorf("charts: %s has no extension; use .png, .svg or .pdf", path)
	}
	return "", fmt.Errorf("charts: %s: unsupported extension %q; use .png, .svg or .pdf", path, filepath.Ext(path))
}

// Size is an output size in pixels. Vector formats use the same page in points at the
// resolution that makes the raster Width pixels wide, so all formats share one layout.
type Size struct{ Width, Height int }

// DefaultSize is a 16:9 full-HD slide.
var DefaultSize = Size{Width: 1920, Height: 1080}

// ParseSize parses "WxH" in pixels, e.g. "1920x1080".
func ParseSize(s string) (Size, error) {
	w, h, ok := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "x")
	if !ok {
		return Size{}, fmt.Errorf("charts: size %q: want WIDTHxHEIGHT in pixels, e.g. 1920x1080", s)
	}
	wi, err1 := strconv.Atoi(strings.TrimSpace(w))
	hi, err2 := strconv.Atoi(strings.TrimSpace(h))
	if err1 != nil || err2 != nil {
		return Size{}, fmt.Errorf("charts: size %q: width and height must be whole numbers of pixels", s)
	}
	sz := Size{Width: wi, Height: hi}
	return sz, sz.validate()
}

func (s Size) validate() error {
	if s.Width < 480 || s.Height < 270 || s.Width > 8000 || s.Height > 8000 {
		return fmt.Errorf("charts: size %dx%d out of range: width 480–8000 and height 270–8000 pixels", s.Width, s.Height)
	}
	if r := float64(s.Width) / float64(s.Height); r < 0.75 || r > 3 {
		return fmt.Errorf("charts: size %dx%d: aspect ratio %.2f outside 0.75–3 (a slide is 16:9)", s.Width, s.Height, r)
	}
	return nil
}

// logicalWidth is the page width in points every layout is designed for.
const logicalWidth = 960

// page returns the raster resolution and the page size in points for s.
func (s Size) page() (dpi int, w, h vg.Length) {
	dpi = int(math.Round(72 * float64(s.Width) / logicalWidth))
	if dpi < 1 {
		dpi = 1
	}
	w = vg.Length(float64(s.Width) * 72 / float64(dpi))
	h = vg.Length(float64(s.Height) * 72 / float64(dpi))
	return dpi, w, h
}

// Header is what the slide says around the chart: title, subtitle and the footnote facts.
// No field may carry customer identifiers.
type Header struct {
	Title    string
	Subtitle string
	// DataDate is the snapshot date of the data ("2026-10-31").
	DataDate string
	// ModelVersion names the model behind the numbers ("P07-lookalike@v3"), if any.
	ModelVersion string
	// Source says where the numbers come from ("workspace acrm.duckdb, holdout 30,000").
	Source string
}

// Heading returns the header; every chart embeds one.
func (h Header) Heading() Header { return h }

// Chart is one deck chart: aggregate data plus its header. Implementations are the chart
// types of this package.
type Chart interface {
	// Kind is the chart type's CLI name ("gains", "roc", ...).
	Kind() string
	// Heading is the title, subtitle and footnote facts.
	Heading() Header
	// Takeaway is one sentence computed from the numbers, for the deck index.
	Takeaway() string
	// validate reports bad or missing data, naming the field.
	validate() error
	// draw draws the chart body into the content area below the title.
	draw(c draw.Canvas, th Theme) error
}

// Option changes how a chart is rendered.
type Option func(*options)

type options struct {
	size  Size
	theme Theme
}

// WithSize renders at the given pixel size (default 1920×1080).
func WithSize(s Size) Option { return func(o *options) { o.size = s } }

// WithTheme renders with a custom theme.
func WithTheme(th Theme) Option { return func(o *options) { o.theme = th } }

func buildOptions(opts []Option) (options, error) {
	o := options{size: DefaultSize, theme: DefaultTheme()}
	for _, f := range opts {
		f(&o)
	}
	return o, o.size.validate()
}

// Render draws c and writes it to w in format f. Nothing is written when the chart's data
// is invalid.
func Render(w io.Writer, f Format, c Chart, opts ...Option) error {
	o, err := buildOptions(opts)
	if err != nil {
		return err
	}
	if err := c.validate(); err != nil {
		return fmt.Errorf("charts: %s: %w", c.Kind(), err)
	}
	dpi, pw, ph := o.size.page()
	var (
		canvas vg.CanvasSizer
		flush  func() error
	)
	switch f {
	case PNG:
		// Draw straight into our RGBA (UseImage alone would copy it).
		img := image.NewRGBA(image.Rect(0, 0, o.size.Width, o.size.Height))
		ctx := gg.NewContextForRGBA(img)
		ctx.SetLineCapButt() // as vgimg.New does
		ctx.InvertY()
		ic := vgimg.NewWith(vgimg.UseImageWithContext(img, ctx), vgimg.UseDPI(dpi))
		canvas = ic
		flush = func() error { return encodePNG(w, img) }
	case SVG:
		sc := vgsvg.NewWith(vgsvg.UseWH(pw, ph), vgsvg.EmbedFonts(true))
		canvas = sc
		flush = func() error { _, err := sc.WriteTo(w); return err }
	case PDF:
		pc := vgpdf.New(pw, ph)
		canvas = pdfCanvas{Canvas: pc}
		flush = func() error { _, err := pc.WriteTo(w); return err }
	default:
		return fmt.Errorf("charts: unknown format %q; use png, svg or pdf", f)
	}
	dc := draw.New(canvas)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	body := drawFrame(dc, c.Heading(), o.theme)
	if err := c.draw(body, o.theme); err != nil {
		return fmt.Errorf("charts: %s: %w", c.Kind(), err)
	}
	if err := flush(); err != nil {
		return fmt.Errorf("charts: write %s: %w", f, err)
	}
	return nil
}

// WriteFile renders c to path, the format following the extension (.png, .svg, .pdf). It
// writes a temporary file in the same directory and renames it into place, so path is
// either the complete new chart or untouched.
func WriteFile(path string, c Chart, opts ...Option) (err error) {
	f, err := FormatFromPath(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("charts: write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := Render(tmp, f, c, opts...); err != nil {
		return fmt.Errorf("%w (writing %s)", err, path)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("charts: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("charts: write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("charts: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("charts: write %s: %w", path, err)
	}
	return nil
}

// drawFrame draws the slide furniture (title, subtitle, footnote) and returns the canvas
// left for the chart body.
func drawFrame(dc draw.Canvas, h Header, th Theme) draw.Canvas {
	m := th.Margin
	left, right := dc.Min.X+m, dc.Max.X-m
	width := right - left
	y := dc.Max.Y - m*0.8

	titleSty := th.style(th.Title, textDark)
	titleSty.YAlign = draw.YTop
	for _, line := range wrapText(titleSty, h.Title, width) {
		dc.FillText(titleSty, vg.Point{X: left, Y: y}, line)
		y -= titleSty.Height(line) * 1.1
	}
	if h.Subtitle != "" {
		y -= vg.Points(2)
		subSty := th.style(th.Subtitle, textMuted)
		subSty.YAlign = draw.YTop
		for _, line := range wrapText(subSty, h.Subtitle, width) {
			dc.FillText(subSty, vg.Point{X: left, Y: y}, line)
			y -= subSty.Height(line) * 1.15
		}
	}
	// A thin rule between the heading and the chart.
	y -= vg.Points(6)
	dc.StrokeLine2(draw.LineStyle{Color: gridGrey, Width: vg.Points(1.5)}, left, y, right, y)
	top := y - vg.Points(10)

	footSty := th.style(th.Footnote, textMuted)
	footSty.YAlign = draw.YBottom
	fy := dc.Min.Y + m*0.45
	dc.FillText(footSty, vg.Point{X: left, Y: fy}, footnote(h))
	brand := footSty
	brand.XAlign = draw.XRight
	dc.FillText(brand, vg.Point{X: right, Y: fy}, "acrm")
	bottom := fy + footSty.Height("Ag") + vg.Points(10)

	return draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: left, Y: bottom},
		Max: vg.Point{X: right, Y: top},
	}}
}

// footnote is "Data as of D · Model M · Source S", leaving out what is unknown.
func footnote(h Header) string {
	var parts []string
	if h.DataDate != "" {
		parts = append(parts, "Data as of "+h.DataDate)
	}
	if h.ModelVersion != "" {
		parts = append(parts, "Model "+h.ModelVersion)
	}
	if h.Source != "" {
		parts = append(parts, h.Source)
	}
	if len(parts) == 0 {
		return "Source: acrm workspace"
	}
	return strings.Join(parts, " · ")
}

// wrapText breaks s into lines no wider than width, at spaces; a single word wider than
// width is kept whole. A number keeps its unit ("79 %", "€ 8.09 M", "3.5 pts") on one
// line, and when the text needs several lines they are balanced: the narrowest width that
// still gives that many lines is used, so a title never ends in a lone word.
func wrapText(sty text.Style, s string, width vg.Length) []string {
	words := glueUnits(strings.Fields(s))
	if len(words) == 0 {
		return nil
	}
	lines := greedyWrap(sty, words, width)
	if len(lines) < 2 {
		return lines
	}
	lo, hi := width/vg.Length(len(lines)), width
	for i := 0; i < 20 && hi-lo > vg.Points(1); i++ {
		mid := (lo + hi) / 2
		if len(greedyWrap(sty, words, mid)) == len(lines) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return greedyWrap(sty, words, hi)
}

func greedyWrap(sty text.Style, words []string, width vg.Length) []string {
	var lines []string
	cur := words[0]
	for _, w := range words[1:] {
		if sty.Width(cur+" "+w) <= width {
			cur += " " + w
			continue
		}
		lines = append(lines, cur)
		cur = w
	}
	return append(lines, cur)
}

// unitAfter are the tokens that belong to the number before them; unitBefore the ones
// that belong to the number after them.
var (
	unitAfter  = map[string]bool{"%": true, "%)": true, "%,": true, "%;": true, "%:": true, "M": true, "M)": true, "M,": true, "k": true, "k)": true, "k,": true, "pts": true, "points": true, "×": true}
	unitBefore = map[string]bool{"€": true, "−€": true, "+€": true, "(€": true, "$": true, "£": true}
)

// glueUnits joins a unit to its number with a no-break join (a plain space kept inside
// one token), so wrapping never separates them.
func glueUnits(words []string) []string {
	var out []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		if len(out) > 0 && unitAfter[w] && endsInDigit(out[len(out)-1]) {
			out[len(out)-1] += " " + w
			continue
		}
		if len(out) > 0 && unitBefore[out[len(out)-1]] && startsWithDigit(w) {
			out[len(out)-1] += " " + w
			continue
		}
		out = append(out, w)
	}
	return out
}

func endsInDigit(s string) bool {
	return s != "" && s[len(s)-1] >= '0' && s[len(s)-1] <= '9'
}

func startsWithDigit(s string) bool {
	return s != "" && s[0] >= '0' && s[0] <= '9'
}

// pdfCanvas adapts text for vgpdf, whose embedded fonts use the cp1252 code page: UTF-8 is
// translated to cp1252 ("€", "·", "…", "×" exist there) and the few characters our labels
// use that do not (minus sign, arrows, ≤ ≥) get ASCII stand-ins.
type pdfCanvas struct {
	*vgpdf.Canvas
}

var cp1252 = encoding.ReplaceUnsupported(charmap.Windows1252.NewEncoder())

var pdfReplacer = strings.NewReplacer("−", "-", "→", "->", "←", "<-", "≥", ">=", "≤", "<=", "‒", "-", "–", "-")

// FillString implements vg.Canvas.
func (c pdfCanvas) FillString(f font.Face, pt vg.Point, s string) {
	enc, err := cp1252.String(pdfReplacer.Replace(s))
	if err != nil {
		enc = s
	}
	c.Canvas.FillString(f, pt, enc)
}
