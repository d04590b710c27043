package charts

import (
	"fmt"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// QiniChart is a campaign's Qini curve: targeting the Depth[i] share of its members (treated
// and control) with the highest scores finds Gain[i] incremental conversions per treated
// member (treated conversions minus the control's, scaled to the treated count); at depth 1
// the gain is the campaign's uplift. The straight line from (0, 0) to the end is random
// targeting; Coef is the area between the two (the Qini coefficient).
type QiniChart struct {
	Header
	// Model names the ranking ("P16-lookalike@v1").
	Model string
	Depth []float64 // ascending in [0, 1], starting at 0
	Gain  []float64
	Coef  float64
}

// Kind implements Chart.
func (QiniChart) Kind() string { return "qini" }

func (c QiniChart) validate() error {
	if len(c.Depth) < 3 || len(c.Depth) != len(c.Gain) {
		return fmt.Errorf("qini: need at least 3 points and as many gains as depths (have %d depths, %d gains)", len(c.Depth), len(c.Gain))
	}
	prev := -1.0
	for i := range c.Depth {
		if !finite(c.Depth[i], c.Gain[i]) || c.Depth[i] < prev || c.Depth[i] < 0 || c.Depth[i] > 1+1e-9 || c.Gain[i] < -1 || c.Gain[i] > 1 {
			return fmt.Errorf("qini: point %d (%v, %v): depths must rise within [0, 1], gains lie in [-1, 1]", i, c.Depth[i], c.Gain[i])
		}
		prev = c.Depth[i]
	}
	if !finite(c.Coef) {
		return fmt.Errorf("qini: coefficient %v", c.Coef)
	}
	return nil
}

// at is the gain at depth d, linearly interpolated.
func (c QiniChart) at(d float64) float64 {
	for i := 1; i < len(c.Depth); i++ {
		if d <= c.Depth[i] {
			a, b := c.Depth[i-1], c.Depth[i]
			if b == a {
				return c.Gain[i]
			}
			return c.Gain[i-1] + (c.Gain[i]-c.Gain[i-1])*(d-a)/(b-a)
		}
	}
	return c.Gain[len(c.Gain)-1]
}

// Takeaway implements Chart: the share of the uplift the top 30 % holds, and the coefficient.
func (c QiniChart) Takeaway() string {
	if c.validate() != nil {
		return ""
	}
	end := c.Gain[len(c.Gain)-1]
	s := fmt.Sprintf("uplift %s pp over all members; Qini coefficient %.4f (0 = random targeting)", signedPP(end), c.Coef)
	if end > 0 {
		s = fmt.Sprintf("targeting the top 30 %% by %s finds %s of the campaign's incremental conversions; ", c.modelName(), FormatPercent(c.at(0.3)/end, 0)) + s
	}
	return s
}

func (c QiniChart) modelName() string {
	if c.Model == "" {
		return "the model"
	}
	return c.Model
}

func signedPP(v float64) string {
	if v >= 0 {
		return "+" + FormatNumber(100*v, 2)
	}
	return "−" + FormatNumber(-100*v, 2)
}

func (c QiniChart) draw(dc draw.Canvas, th Theme) error {
	p := th.newPlot("Members targeted, highest scores first", "Incremental conversions (share of the contacted)")
	p.X.Min, p.X.Max = 0, 1
	p.X.Tick.Marker = PercentTicks{N: 5}
	p.Y.Tick.Marker = PercentTicks{}
	p.Add(hgrid())
	end := c.Gain[len(c.Gain)-1]
	random, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: end}})
	if err != nil {
		return err
	}
	random.LineStyle = th.BaselineLine()
	p.Add(random)
	if err := addSeries(p, th, 0, "ranked by "+c.modelName(), xys(c.Depth, c.Gain), false); err != nil {
		return err
	}
	p.Legend.Add("random targeting", random)
	p.Legend.Top, p.Legend.Left = true, true
	at := c.at(0.3)
	marker(p, 0.3, at, th.Line(0).Color, draw.CircleGlyph{}, vg.Points(9))
	ann := th.style(th.AnnotationStrong, textDark)
	ann.XAlign, ann.YAlign = draw.XLeft, draw.YCenter
	p.Add(note{X: 0.3, Y: at, DX: vg.Points(16), DY: vg.Points(-2), Box: true, Style: ann,
		Text: fmt.Sprintf("top 30 %% → %s pp · Qini %.4f", signedPP(at), c.Coef)})
	p.Draw(dc)
	return nil
}
