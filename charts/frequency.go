package charts

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// FrequencyPoint is the observed response at one contact frequency: the rate with its
// confidence interval [Lo, Hi] and the number of customers behind it.
type FrequencyPoint struct {
	Contacts     float64
	Rate, Lo, Hi float64
	N            float64
}

// FrequencySeries is one segment's response-vs-contacts curve: observed points, an
// optional fitted curve (FitX, FitY) and an optional known optimum.
type FrequencySeries struct {
	Name       string
	Points     []FrequencyPoint
	FitX, FitY []float64
	// Optimum is the contact frequency with the highest response; 0 means: take it from
	// the fitted curve, or else from the observed points.
	Optimum float64
}

// Best returns the optimum contact frequency and the response there: the given Optimum
// (response read from the fit, else the nearest point), else the argmax of the fitted
// curve, else the argmax of the observed rates over points with customers.
func (s FrequencySeries) Best() (contacts, rate float64) {
	argmax := func(xs, ys []float64) (float64, float64) {
		bi := 0
		for i := range ys {
			if ys[i] > ys[bi] {
				bi = i
			}
		}
		return xs[bi], ys[bi]
	}
	nearest := func(xs, ys []float64, x float64) float64 {
		bi := 0
		for i := range xs {
			if math.Abs(xs[i]-x) < math.Abs(xs[bi]-x) {
				bi = i
			}
		}
		return ys[bi]
	}
	xs, ys := s.FitX, s.FitY
	if len(xs) == 0 {
		hasN := false
		for _, p := range s.Points {
			hasN = hasN || p.N > 0
		}
		for _, p := range s.Points {
			if !hasN || p.N > 0 {
				xs = append(xs, p.Contacts)
				ys = append(ys, p.Rate)
			}
		}
	}
	if len(xs) == 0 {
		return 0, 0
	}
	if s.Optimum > 0 {
		return s.Optimum, nearest(xs, ys, s.Optimum)
	}
	return argmax(xs, ys)
}

// FrequencyChart shows response as a function of contacts per period with the confidence
// band and the optimum of each segment.
type FrequencyChart struct {
	Header
	// Period is the length a contact count refers to ("half year").
	Period string
	// Measure names the y axis ("Response rate per contact").
	Measure string
	Unit    Unit
	Series  []FrequencySeries
}

// Kind implements Chart.
func (FrequencyChart) Kind() string { return "frequency" }

func (c FrequencyChart) period() string {
	if c.Period == "" {
		return "period"
	}
	return c.Period
}

func (c FrequencyChart) validate() error {
	if len(c.Series) == 0 || len(c.Series) > 4 {
		return fmt.Errorf("series: want 1 to 4 segments, have %d", len(c.Series))
	}
	for i, s := range c.Series {
		if len(s.Points) < 2 {
			return fmt.Errorf("series[%d] %q: need at least 2 contact frequencies, have %d", i, s.Name, len(s.Points))
		}
		prev := math.Inf(-1)
		for j, p := range s.Points {
			if !finite(p.Contacts, p.Rate, p.Lo, p.Hi, p.N) || p.Contacts <= prev {
				return fmt.Errorf("series[%d] %q: point %d: contacts must rise and every value be a number", i, s.Name, j)
			}
			if p.Lo > p.Rate+1e-12 || p.Hi < p.Rate-1e-12 {
				return fmt.Errorf("series[%d] %q: at %v contacts the interval [%v, %v] does not contain the rate %v", i, s.Name, p.Contacts, p.Lo, p.Hi, p.Rate)
			}
			prev = p.Contacts
		}
		if len(s.FitX) != len(s.FitY) {
			return fmt.Errorf("series[%d] %q: fitted curve has %d x and %d y values", i, s.Name, len(s.FitX), len(s.FitY))
		}
		if !finite(s.FitX...) || !finite(s.FitY...) {
			return fmt.Errorf("series[%d] %q: fitted curve has a non-number", i, s.Name)
		}
	}
	return nil
}

// Takeaway implements Chart: the optimum of each segment.
func (c FrequencyChart) Takeaway() string {
	if c.validate() != nil {
		return ""
	}
	th := DefaultTheme()
	var parts []string
	for i, s := range c.Series {
		x, y := s.Best()
		unit := ""
		if i == 0 {
			unit = " contacts per " + c.period()
		}
		parts = append(parts, fmt.Sprintf("at %s%s for %s (%s)", FormatNumber(x, decimalsOf(x)), unit, s.Name, c.Unit.format(th, y)))
	}
	if len(parts) > 2 {
		parts = append([]string{strings.Join(parts[:len(parts)-1], ", ")}, parts[len(parts)-1])
	}
	return "response peaks " + strings.Join(parts, " and ")
}

func decimalsOf(x float64) int {
	if x == math.Round(x) {
		return 0
	}
	return 1
}

func (c FrequencyChart) draw(dc draw.Canvas, th Theme) error {
	measure := c.Measure
	if measure == "" {
		measure = "Response rate"
	}
	how := "markers: observed · band: 95 % interval"
	if len(c.Series[0].FitX) > 0 {
		how = "line: fitted · " + how
	}
	p := th.newPlot("Contacts per customer per "+c.period()+"  ("+how+")", measure)
	p.Y.Tick.Marker = c.Unit.ticker(th)
	p.X.Tick.Marker = NumberTicks{N: 10}
	p.Add(hgrid())
	hi := 0.0
	xmax := 0.0
	var bands []swatch
	for i, s := range c.Series {
		xs := make([]float64, len(s.Points))
		lo, up, rate := make([]float64, len(xs)), make([]float64, len(xs)), make([]float64, len(xs))
		for j, pt := range s.Points {
			xs[j], lo[j], up[j], rate[j] = pt.Contacts, pt.Lo, pt.Hi, pt.Rate
			hi = math.Max(hi, pt.Hi)
			xmax = math.Max(xmax, pt.Contacts)
		}
		poly, err := band(xs, lo, up, th.Color(i))
		if err != nil {
			return err
		}
		p.Add(poly)
		bands = append(bands, swatch{Fill: poly.Color})
	}
	for i, s := range c.Series {
		xs := make([]float64, len(s.Points))
		rate := make([]float64, len(xs))
		for j, pt := range s.Points {
			xs[j], rate[j] = pt.Contacts, pt.Rate
		}
		// One legend entry per segment: band, line and marker drawn together.
		sc, _ := plotter.NewScatter(xys(xs, rate))
		sc.GlyphStyle = th.Glyph(i)
		lx, ly := xs, rate
		if len(s.FitX) > 0 {
			lx, ly = s.FitX, s.FitY
			for _, y := range s.FitY {
				hi = math.Max(hi, y)
			}
		}
		ln, err := plotter.NewLine(xys(lx, ly))
		if err != nil {
			return fmt.Errorf("series %q: %w", s.Name, err)
		}
		ln.LineStyle = th.Line(i)
		p.Add(ln, sc)
		p.Legend.Add(s.Name, bands[i], ln, sc)
	}

	p.Y.Min = 0
	p.Y.Max = hi * (1.15 + 0.08*float64(len(c.Series))) // headroom for the optimum labels
	p.X.Min, p.X.Max = 0, xmax+0.5
	strong := th.style(th.AnnotationStrong, textDark)
	strong.XAlign, strong.YAlign = draw.XCenter, draw.YTop
	// The optimum labels hang from the top of the plot, one row per series, on the dotted
	// line down to their marker: set just above the marker they covered the other series'
	// band and points when the optima are close.
	for i, s := range c.Series {
		x, y := s.Best()
		p.Add(refLine{Value: x, Vertical: true, Style: draw.LineStyle{Color: th.Color(i), Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(3), vg.Points(4)}}})
		marker(p, x, y, th.Color(i), draw.PyramidGlyph{}, vg.Points(10))
	}
	for i, s := range c.Series { // after every line, so no line crosses a label
		x, y := s.Best()
		txt := fmt.Sprintf("%s optimum: %s / %s · %s", s.Name, FormatNumber(x, decimalsOf(x)), c.period(), c.Unit.format(th, y))
		p.Add(note{X: x, Y: p.Y.Max, DY: -vg.Points(8) - vg.Length(i)*vg.Points(26), Box: true, Style: strong, Text: txt})
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Draw(dc)
	return nil
}
