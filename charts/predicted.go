package charts

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// DecileOutcome is one score decile after a campaign: the predicted and the actual rate
// and the number of customers in it.
type DecileOutcome struct {
	Predicted, Actual, Count float64
}

// PredictedDecileChart compares predicted with actual rates per score decile (decile 1 =
// highest scores).
type PredictedDecileChart struct {
	Header
	// Measure names the rate ("Conversion").
	Measure string
	Deciles []DecileOutcome
}

// Kind implements Chart.
func (PredictedDecileChart) Kind() string { return "pred-decile" }

func (c PredictedDecileChart) validate() error {
	if len(c.Deciles) < 2 || len(c.Deciles) > 20 {
		return fmt.Errorf("deciles: want 2 to 20 bands, have %d", len(c.Deciles))
	}
	for i, d := range c.Deciles {
		if !finite(d.Predicted, d.Actual, d.Count) || d.Predicted < 0 || d.Predicted > 1 || d.Actual < 0 || d.Actual > 1 || d.Count < 0 {
			return fmt.Errorf("deciles[%d]: predicted %v and actual %v must be rates in [0, 1], count %v ≥ 0", i, d.Predicted, d.Actual, d.Count)
		}
	}
	return nil
}

// Ratio is the customer-weighted actual over predicted rate (equal weights if no counts):
//
//	ratio = Σ n_d · actual_d / Σ n_d · predicted_d.
func (c PredictedDecileChart) Ratio() float64 {
	num, den, tot := 0.0, 0.0, 0.0
	for _, d := range c.Deciles {
		tot += d.Count
	}
	for _, d := range c.Deciles {
		w := d.Count
		if tot == 0 {
			w = 1
		}
		num += w * d.Actual
		den += w * d.Predicted
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

func (c PredictedDecileChart) measure() string {
	if c.Measure == "" {
		return "Conversion"
	}
	return c.Measure
}

// Takeaway implements Chart: the top decile and the overall ratio.
func (c PredictedDecileChart) Takeaway() string {
	if c.validate() != nil {
		return ""
	}
	top := c.Deciles[0]
	return fmt.Sprintf("top decile: %s predicted, %s actual; over all deciles the actual %s is %s of the predicted",
		FormatPercent(top.Predicted, 1), FormatPercent(top.Actual, 1), lowerFirst(c.measure()), FormatPercent(c.Ratio(), 0))
}

func (c PredictedDecileChart) draw(dc draw.Canvas, th Theme) error {
	p := th.newPlot("Decile (1 = highest scores) · labels: predicted → actual", c.measure())
	labels := make([]string, len(c.Deciles))
	for i := range labels {
		labels[i] = fmt.Sprint(i + 1)
	}
	p.X.Tick.Marker = FixedTicks{Labels: labels}
	p.X.Tick.Length = 0
	p.Y.Tick.Marker = PercentTicks{}
	p.X.Min, p.X.Max = -0.6, float64(len(c.Deciles))-0.4
	p.Y.Min = 0
	p.Legend.Left = false
	p.Legend.XOffs = -vg.Points(8)
	p.Add(hgrid())
	pred := &bars{}
	act := &bars{}
	predFill, predLine := lighten(th.Color(1), 0.8), draw.LineStyle{Color: th.Color(1), Width: vg.Points(2.5), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}}
	hi := 0.0
	lab := th.style(th.Annotation, textDark)
	lab.XAlign, lab.YAlign = draw.XCenter, draw.YBottom
	for i, d := range c.Deciles {
		x := float64(i)
		pred.items = append(pred.items, bar{At: x - 0.2, Width: 0.38, Value: d.Predicted, Fill: predFill, Line: predLine})
		act.items = append(act.items, bar{At: x + 0.2, Width: 0.38, Value: d.Actual, Fill: th.Color(0)})
		hi = math.Max(hi, math.Max(d.Predicted, d.Actual))
		if i < 3 { // one label per pair, so neighbours never collide
			p.Add(note{X: x, Y: math.Max(d.Predicted, d.Actual), DY: vg.Points(5), Style: lab,
				Text: Percent.format(th, d.Predicted) + " → " + Percent.format(th, d.Actual)})
		}
	}
	p.Add(pred, act)
	p.Legend.Add("predicted", swatch{Fill: predFill, Line: predLine})
	p.Legend.Add("actual", swatch{Fill: th.Color(0)})
	p.Y.Max = hi * 1.2
	p.Draw(dc)
	return nil
}

// PeriodOutcome is one period's predicted and actual value, with an optional prediction
// interval [Lo, Hi] (both 0 for none).
type PeriodOutcome struct {
	Label                     string
	Predicted, Actual, Lo, Hi float64
}

// PredictedTimeChart tracks predicted against actual results over time.
type PredictedTimeChart struct {
	Header
	Measure string
	Unit    Unit
	// Period names what one label stands for, the x-axis label ("Month"; default "Period").
	Period  string
	Periods []PeriodOutcome
}

// Kind implements Chart.
func (PredictedTimeChart) Kind() string { return "pred-time" }

func (c PredictedTimeChart) validate() error {
	if len(c.Periods) < 2 || len(c.Periods) > 60 {
		return fmt.Errorf("periods: want 2 to 60, have %d", len(c.Periods))
	}
	for i, p := range c.Periods {
		if !finite(p.Predicted, p.Actual, p.Lo, p.Hi) {
			return fmt.Errorf("periods[%d] %q: values must be numbers", i, p.Label)
		}
		if (p.Lo != 0 || p.Hi != 0) && (p.Lo > p.Predicted || p.Hi < p.Predicted) {
			return fmt.Errorf("periods[%d] %q: interval [%v, %v] does not contain the prediction %v", i, p.Label, p.Lo, p.Hi, p.Predicted)
		}
	}
	return nil
}

// Takeaway implements Chart: totals over all periods and the largest miss.
func (c PredictedTimeChart) Takeaway() string {
	if c.validate() != nil {
		return ""
	}
	th := DefaultTheme()
	sp, sa := 0.0, 0.0
	worst := 0
	for i, p := range c.Periods {
		sp += p.Predicted
		sa += p.Actual
		if math.Abs(p.Actual-p.Predicted) > math.Abs(c.Periods[worst].Actual-c.Periods[worst].Predicted) {
			worst = i
		}
	}
	w := c.Periods[worst]
	s := fmt.Sprintf("over %d periods the actual %s ", len(c.Periods), lowerFirst(c.measure()))
	if c.Unit == Percent {
		s += fmt.Sprintf("averages %s against %s predicted", Percent.format(th, sa/float64(len(c.Periods))), Percent.format(th, sp/float64(len(c.Periods))))
	} else {
		s += fmt.Sprintf("totals %s against %s predicted", c.Unit.format(th, sa), c.Unit.format(th, sp))
	}
	if sp != 0 {
		s += fmt.Sprintf(" (%s)", FormatPercent(sa/sp, 0))
	}
	return s + fmt.Sprintf("; largest gap in %s: %s vs %s", w.Label, c.Unit.format(th, w.Actual), c.Unit.format(th, w.Predicted))
}

func (c PredictedTimeChart) measure() string {
	if c.Measure == "" {
		return "Contracts"
	}
	return c.Measure
}

func (c PredictedTimeChart) period() string {
	if c.Period == "" {
		return "Period"
	}
	return c.Period
}

func (c PredictedTimeChart) draw(dc draw.Canvas, th Theme) error {
	p := th.newPlot(c.period(), c.measure())
	n := len(c.Periods)
	labels := make([]string, n)
	xs := make([]float64, n)
	pred, act, lo, hi := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	top := 0.0
	hasCI := false
	for i, pr := range c.Periods {
		labels[i] = pr.Label
		xs[i] = float64(i)
		pred[i], act[i], lo[i], hi[i] = pr.Predicted, pr.Actual, pr.Lo, pr.Hi
		hasCI = hasCI || pr.Lo != 0 || pr.Hi != 0
		top = math.Max(top, math.Max(pr.Predicted, math.Max(pr.Actual, pr.Hi)))
	}
	if n > 12 { // thin the period labels so they do not collide
		step := (n + 11) / 12
		for i := range labels {
			if i%step != 0 {
				labels[i] = ""
			}
		}
	}
	p.X.Tick.Marker = FixedTicks{Labels: labels}
	p.Y.Tick.Marker = c.Unit.ticker(th)
	p.X.Min, p.X.Max = -0.3, float64(n)-0.7
	p.Add(hgrid())
	if hasCI {
		poly, err := band(xs, lo, hi, th.Color(1))
		if err != nil {
			return err
		}
		p.Add(poly)
		p.Legend.Add("prediction interval", swatch{Fill: poly.Color})
	}
	// Predicted: dashed with triangles; actual: solid with circles (as in the decile chart,
	// predicted is the outlined/dashed one).
	if err := addSeries(p, th, 1, "predicted", xys(xs, pred), true); err != nil {
		return err
	}
	if err := addSeries(p, th, 0, "actual", xys(xs, act), true); err != nil {
		return err
	}
	p.Y.Min = 0
	p.Y.Max = top * 1.25
	p.Legend.Top, p.Legend.Left = true, true
	p.Draw(dc)
	return nil
}
