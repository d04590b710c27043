package charts

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
)

// CalibrationBin is one score bin: the mean predicted probability, the observed rate of
// the outcome and the number of customers in the bin.
type CalibrationBin struct {
	Predicted, Observed, Count float64
}

// CalibrationSeries is one model's calibration bins, in order of predicted probability.
type CalibrationSeries struct {
	Name string
	Bins []CalibrationBin
}

// Error is the expected calibration error, the customer-weighted mean absolute gap
// between predicted and observed rates:
//
//	ECE = Σ_b n_b · |predicted_b − observed_b| / Σ_b n_b.
//
// With all counts zero the bins weigh equally.
func (s CalibrationSeries) Error() float64 {
	num, den := 0.0, 0.0
	for _, b := range s.Bins {
		w := b.Count
		if w <= 0 {
			w = 0
		}
		num += w * math.Abs(b.Predicted-b.Observed)
		den += w
	}
	if den == 0 {
		for _, b := range s.Bins {
			num += math.Abs(b.Predicted - b.Observed)
		}
		den = float64(len(s.Bins))
	}
	return num / den
}

// CalibrationChart shows predicted against observed rates per bin, with the diagonal of
// perfect calibration.
type CalibrationChart struct {
	Header
	Models []CalibrationSeries
}

// Kind implements Chart.
func (CalibrationChart) Kind() string { return "calibration" }

func (c CalibrationChart) validate() error {
	if len(c.Models) == 0 || len(c.Models) > 4 {
		return fmt.Errorf("models: want 1 to 4 calibration series, have %d", len(c.Models))
	}
	for i, m := range c.Models {
		if len(m.Bins) < 2 {
			return fmt.Errorf("models[%d] %q: need at least 2 bins, have %d", i, m.Name, len(m.Bins))
		}
		for j, b := range m.Bins {
			if !finite(b.Predicted, b.Observed, b.Count) || b.Predicted < 0 || b.Predicted > 1 || b.Observed < 0 || b.Observed > 1 || b.Count < 0 {
				return fmt.Errorf("models[%d] %q: bin %d: predicted %v and observed %v must lie in [0, 1], count %v ≥ 0", i, m.Name, j, b.Predicted, b.Observed, b.Count)
			}
		}
	}
	return nil
}

// Takeaway implements Chart: the calibration error and the worst bin of the first model.
func (c CalibrationChart) Takeaway() string {
	if c.validate() != nil {
		return ""
	}
	m := c.Models[0]
	worst := 0
	for i, b := range m.Bins {
		if math.Abs(b.Predicted-b.Observed) > math.Abs(m.Bins[worst].Predicted-m.Bins[worst].Observed) {
			worst = i
		}
	}
	w := m.Bins[worst]
	return fmt.Sprintf("%s's predictions are off by %s points on average (customer-weighted); the largest gap is %s predicted vs %s observed",
		m.Name, FormatNumber(m.Error()*100, 2), FormatPercent(w.Predicted, 1), FormatPercent(w.Observed, 1))
}

func (c CalibrationChart) draw(dc draw.Canvas, th Theme) error {
	p := th.newPlot("Predicted probability (mean per bin)", "Observed rate")
	hi := 0.0
	for _, m := range c.Models {
		for _, b := range m.Bins {
			hi = math.Max(hi, math.Max(b.Predicted, b.Observed))
		}
	}
	hi = math.Min(1, niceStep(hi*1.08, 5)*math.Ceil(hi*1.08/niceStep(hi*1.08, 5)))
	if hi <= 0 {
		hi = 1
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, hi, 0, hi
	p.X.Tick.Marker = PercentTicks{N: 5}
	p.Y.Tick.Marker = PercentTicks{N: 5}
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(hgrid())
	diag, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: hi, Y: hi}})
	diag.LineStyle = th.BaselineLine()
	p.Add(diag)
	for i, m := range c.Models {
		xs := make([]float64, len(m.Bins))
		ys := make([]float64, len(m.Bins))
		for j, b := range m.Bins {
			xs[j], ys[j] = b.Predicted, b.Observed
		}
		name := fmt.Sprintf("%s · calibration error %s pts", m.Name, FormatNumber(m.Error()*100, 2))
		if err := addSeries(p, th, i, name, xys(xs, ys), true); err != nil {
			return err
		}
	}
	p.Legend.Add("perfect calibration", diag)
	side := dc.Max.Y - dc.Min.Y
	if w := dc.Max.X - dc.Min.X; side*1.25 < w {
		extra := (w - side*1.25) / 2
		dc = draw.Crop(dc, extra, -extra, 0, 0)
	}
	p.Draw(dc)
	return nil
}
