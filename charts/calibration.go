package charts

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
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

// crowded reports whether the bins bunch up at small probabilities: the median predicted
// value of all bins lies below a quarter of the largest.
func (c CalibrationChart) crowded() bool {
	var ps []float64
	for _, m := range c.Models {
		for _, b := range m.Bins {
			ps = append(ps, b.Predicted)
		}
	}
	sort.Float64s(ps)
	return len(ps) > 0 && ps[len(ps)/2] < ps[len(ps)-1]/4
}

// sqrtScale is a square-root axis: x ↦ (√x − √min) / (√max − √min).
type sqrtScale struct{}

// Normalize implements plot.Normalizer.
func (sqrtScale) Normalize(min, max, x float64) float64 {
	lo, hi := math.Sqrt(math.Max(min, 0)), math.Sqrt(math.Max(max, 0))
	if hi == lo {
		return 0
	}
	return (math.Sqrt(math.Max(x, 0)) - lo) / (hi - lo)
}

// sqrtTicks labels a square-root percentage axis at round values, dropping any that would
// sit closer than 14 % of the axis to the previous one (labels are wider than tall).
type sqrtTicks struct{}

// Ticks implements plot.Ticker.
func (sqrtTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	last := math.Inf(-1)
	for _, v := range []float64{0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1} {
		if v < min-1e-12 || v > max+1e-12 {
			continue
		}
		at := sqrtScale{}.Normalize(min, max, v)
		if at-last < 0.14 {
			continue
		}
		last = at
		dec := 0
		if v < 0.01 && v > 0 {
			dec = 1
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: FormatPercent(v, dec)})
	}
	return ticks
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
	if c.crowded() {
		// Most customers have small probabilities: a square-root scale on both axes spreads
		// those bins out and keeps the diagonal of perfect calibration straight.
		for _, ax := range []*plot.Axis{&p.X, &p.Y} {
			ax.Scale = sqrtScale{}
			ax.Tick.Marker = sqrtTicks{}
		}
		p.X.Label.Text += " · square-root scale"
	}
	// Top left stays empty unless observed rates run far above the predictions.
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(12), -vg.Points(4)
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
	// Not wider than 1.7 × its height: the diagonal should look like one.
	side := dc.Max.Y - dc.Min.Y
	if w := dc.Max.X - dc.Min.X; side*1.7 < w {
		extra := (w - side*1.7) / 2
		dc = draw.Crop(dc, extra, -extra, 0, 0)
	}
	p.Draw(dc)
	return nil
}
