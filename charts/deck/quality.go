package deck

import (
	"fmt"
	"math"
	"sort"

	"github.com/acrm-dev/acrm/charts"
)

func gainsSeries(m Model, name string) (charts.GainsSeries, error) {
	ds := m.Metrics.Deciles
	if len(ds) == 0 {
		return charts.GainsSeries{}, noData("model %s has no holdout deciles in its metrics", m.ModelID)
	}
	total := 0
	for _, d := range ds {
		total += d.N
	}
	s := charts.GainsSeries{Name: name}
	cum := 0
	for _, d := range ds {
		cum += d.N
		s.Depth = append(s.Depth, float64(cum)/float64(total))
		s.Gain = append(s.Gain, math.Min(1, d.CumGain))
	}
	return s, nil
}

// Gains is the cumulative gains and lift chart of a model, with up to two comparison
// models, from the holdout deciles in the registry.
func (s *Source) Gains(m Model, others ...Model) (charts.GainsChart, error) {
	first, err := gainsSeries(m, m.short())
	if err != nil {
		return charts.GainsChart{}, err
	}
	c := charts.GainsChart{Models: []charts.GainsSeries{first}}
	for _, o := range others {
		name := o.short()
		if o.Product != m.Product {
			name = o.Label()
		}
		g, err := gainsSeries(o, name)
		if err != nil {
			return charts.GainsChart{}, err
		}
		c.Models = append(c.Models, g)
	}
	at20 := first.GainsAt(0.2)
	c.Header = s.header(
		fmt.Sprintf("%s: the top 20 %% of customers by the model hold %s of the owners", m.Product, charts.FormatPercent(at20, 0)),
		fmt.Sprintf("Model %s (%s) on a holdout of %s customers, %s of them owners",
			m.ModelID, m.Target, charts.FormatInt(float64(m.Metrics.NTest)), charts.FormatInt(float64(m.Metrics.Positives))),
		m.ModelID)
	c.Outcome = "owners"
	c.Product = m.Product
	return c, nil
}

// ROC is the ROC chart of a model (and comparison models) from the registry.
func (s *Source) ROC(m Model, others ...Model) (charts.ROCChart, error) {
	c := charts.ROCChart{Outcome: "owner"}
	for i, mm := range append([]Model{m}, others...) {
		if len(mm.Metrics.ROC) == 0 {
			return c, noData("model %s has no ROC curve in its metrics", mm.ModelID)
		}
		r := charts.ROCCurve{Name: mm.short()}
		if i > 0 && mm.Product != m.Product {
			r.Name = mm.Label()
		}
		for _, p := range mm.Metrics.ROC {
			r.FPR = append(r.FPR, p.FPR)
			r.TPR = append(r.TPR, p.TPR)
		}
		c.Curves = append(c.Curves, r)
	}
	a := c.Curves[0].AUC()
	c.Header = s.header(
		fmt.Sprintf("%s: the model ranks an owner above a non-owner %s of the time", m.Product, charts.FormatPercent(a, 0)),
		fmt.Sprintf("ROC on the holdout (%s customers); the dashed diagonal is random selection", charts.FormatInt(float64(m.Metrics.NTest))),
		m.ModelID)
	return c, nil
}

// Calibration is the reliability chart of a model from its holdout bins.
func (s *Source) Calibration(m Model) (charts.CalibrationChart, error) {
	if len(m.Metrics.CalBins) < 2 {
		return charts.CalibrationChart{}, noData("model %s has no calibration bins in its metrics", m.ModelID)
	}
	ser := charts.CalibrationSeries{Name: m.short()}
	for _, b := range m.Metrics.CalBins {
		ser.Bins = append(ser.Bins, charts.CalibrationBin{Predicted: b.MeanScore, Observed: b.Rate, Count: float64(b.N)})
	}
	c := charts.CalibrationChart{Models: []charts.CalibrationSeries{ser}}
	c.Header = s.header(
		// The mean error, and the largest gap the chart shows: "within 0.3 points" read as a
		// bound while the top bin was a point off.
		fmt.Sprintf("%s: predicted chances are off by %s points on average, at most %s", m.Product,
			charts.FormatNumber(ser.Error()*100, 1), charts.FormatNumber(maxGap(ser)*100, 1)),
		fmt.Sprintf("Holdout customers in 10 equal-size bins of the calibrated score (%s calibration)", calibrationName(m.Metrics.Calibration)),
		m.ModelID)
	return c, nil
}

// PredictedDeciles compares the mean predicted chance with the actual rate per score
// decile of the holdout (decile 1 = highest scores).
func (s *Source) PredictedDeciles(m Model) (charts.PredictedDecileChart, error) {
	bins := append([]profilesCalBin(nil), calBins(m)...)
	if len(bins) < 2 {
		return charts.PredictedDecileChart{}, noData("model %s has no calibration bins in its metrics", m.ModelID)
	}
	sort.SliceStable(bins, func(i, j int) bool { return bins[i].pred > bins[j].pred })
	c := charts.PredictedDecileChart{Measure: "Share owning the product"}
	for _, b := range bins {
		c.Deciles = append(c.Deciles, charts.DecileOutcome{Predicted: b.pred, Actual: b.rate, Count: b.n})
	}
	c.Header = s.header(
		fmt.Sprintf("%s: reality matches the prediction decile by decile", m.Product),
		"Holdout customers by score decile: mean predicted chance against the actual share",
		m.ModelID)
	return c, nil
}

// maxGap is the largest |predicted − observed| over the bins of s.
func maxGap(s charts.CalibrationSeries) float64 {
	g := 0.0
	for _, b := range s.Bins {
		g = math.Max(g, math.Abs(b.Predicted-b.Observed))
	}
	return g
}

// calibrationName is the calibration method as a reader knows it ("platt" → "Platt").
func calibrationName(m string) string {
	switch m {
	case "platt":
		return "Platt"
	case "":
		return "no"
	}
	return m
}

type profilesCalBin struct{ pred, rate, n float64 }

func calBins(m Model) []profilesCalBin {
	var out []profilesCalBin
	for _, b := range m.Metrics.CalBins {
		out = append(out, profilesCalBin{b.MeanScore, b.Rate, float64(b.N)})
	}
	return out
}
