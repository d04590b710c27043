package charts

import (
	"fmt"
	"sort"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ROCCurve is one model's receiver operating characteristic: at each threshold the false
// positive rate FPR[i] and the true positive rate TPR[i], both in [0, 1].
type ROCCurve struct {
	Name     string
	FPR, TPR []float64
}

// points returns the curve sorted by FPR (then TPR) with (0, 0) and (1, 1) added.
func (r ROCCurve) points() plotter.XYs {
	pts := xys(r.FPR, r.TPR)
	pts = append(pts, plotter.XY{X: 0, Y: 0}, plotter.XY{X: 1, Y: 1})
	sort.Slice(pts, func(i, j int) bool {
		if pts[i].X != pts[j].X {
			return pts[i].X < pts[j].X
		}
		return pts[i].Y < pts[j].Y
	})
	return pts
}

// AUC is the area under the curve by the trapezoid rule over the points sorted by FPR,
// with (0, 0) and (1, 1) added:
//
//	AUC = Σ_i (FPR_{i+1} − FPR_i) · (TPR_{i+1} + TPR_i) / 2.
func (r ROCCurve) AUC() float64 {
	pts := r.points()
	a := 0.0
	for i := 1; i < len(pts); i++ {
		a += (pts[i].X - pts[i-1].X) * (pts[i].Y + pts[i-1].Y) / 2
	}
	return a
}

// ROCChart shows ROC curves of one or more models against the random diagonal.
type ROCChart struct {
	Header
	// Outcome names a positive case, singular ("buyer"); the negatives are "non-" it.
	Outcome string
	Curves  []ROCCurve
}

// Kind implements Chart.
func (ROCChart) Kind() string { return "roc" }

func (c ROCChart) validate() error {
	if len(c.Curves) == 0 || len(c.Curves) > 4 {
		return fmt.Errorf("curves: want 1 to 4 ROC curves, have %d", len(c.Curves))
	}
	for i, r := range c.Curves {
		if len(r.FPR) == 0 || len(r.FPR) != len(r.TPR) {
			return fmt.Errorf("curves[%d] %q: need as many FPR as TPR values and at least one (have %d, %d)", i, r.Name, len(r.FPR), len(r.TPR))
		}
		for j := range r.FPR {
			if !finite(r.FPR[j], r.TPR[j]) || r.FPR[j] < 0 || r.FPR[j] > 1 || r.TPR[j] < 0 || r.TPR[j] > 1 {
				return fmt.Errorf("curves[%d] %q: point %d (%v, %v) outside [0, 1]", i, r.Name, j, r.FPR[j], r.TPR[j])
			}
		}
	}
	return nil
}

// Takeaway implements Chart: AUC and Gini (2·AUC − 1) of the best curve.
func (c ROCChart) Takeaway() string {
	if c.validate() != nil {
		return ""
	}
	best := 0
	for i, r := range c.Curves {
		if r.AUC() > c.Curves[best].AUC() {
			best = i
		}
	}
	a := c.Curves[best].AUC()
	o := c.Outcome
	if o == "" {
		o = "buyer"
	}
	s := fmt.Sprintf("%s ranks a random %s above a random non-%s %s of the time (AUC %.3f, Gini %.3f)",
		c.Curves[best].Name, o, o, FormatPercent(a, 0), a, 2*a-1)
	if len(c.Curves) > 1 {
		s += fmt.Sprintf(", best of %d models", len(c.Curves))
	}
	return s
}

func (c ROCChart) draw(dc draw.Canvas, th Theme) error {
	o := c.Outcome
	if o == "" {
		o = "buyer"
	}
	p := th.newPlot("False positive rate (non-"+o+"s selected)", "True positive rate ("+o+"s found)")
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.X.Tick.Marker = PercentTicks{N: 5}
	p.Y.Tick.Marker = PercentTicks{N: 5}
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(12), vg.Points(12)
	p.Add(hgrid())
	diag, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	diag.LineStyle = th.BaselineLine()
	p.Add(diag)
	for i, r := range c.Curves {
		a := r.AUC()
		name := fmt.Sprintf("%s · AUC %.3f", r.Name, a)
		if err := addSeries(p, th, i, name, r.points(), false); err != nil {
			return err
		}
	}
	p.Legend.Add("random · AUC 0.500", diag)
	// A square plot reads best for ROC: use the height, centred.
	side := dc.Max.Y - dc.Min.Y
	w := dc.Max.X - dc.Min.X
	if side*1.25 < w {
		extra := (w - side*1.25) / 2
		dc = draw.Crop(dc, extra, -extra, 0, 0)
	}
	p.Draw(dc)
	return nil
}
