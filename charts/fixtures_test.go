package charts

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
)

var (
	update  = flag.Bool("update", false, "rewrite the golden PNGs in testdata")
	samples = flag.String("samples", "", "write every fixture chart as PNG into this directory (for looking at)")
)

var fixtureHeader = Header{
	Title:        "Mobile Data XL: the model finds buyers three times faster than random",
	Subtitle:     "Holdout of 30,000 customers; look-alike target (owners vs. non-owners)",
	DataDate:     "2026-10-31",
	ModelVersion: "P07-lookalike@v3",
	Source:       "workspace acrm.duckdb",
}

func fixtureGains() GainsChart {
	return GainsChart{
		Header: fixtureHeader,
		Models: []GainsSeries{
			{Name: "gbdt v3", Depth: decileDepths(), Gain: []float64{0.38, 0.61, 0.74, 0.83, 0.89, 0.93, 0.96, 0.98, 0.99, 1}},
			{Name: "logit v2", Depth: decileDepths(), Gain: []float64{0.31, 0.52, 0.66, 0.77, 0.85, 0.91, 0.95, 0.97, 0.99, 1}},
		},
	}
}

func decileDepths() []float64 {
	d := make([]float64, 10)
	for i := range d {
		d[i] = float64(i+1) / 10
	}
	return d
}

// fixtures is one chart of every kind, from fixed aggregate data.
func fixtures() map[string]Chart {
	return map[string]Chart{
		"gains":       fixtureGains(),
		"roc":         fixtureROC(),
		"calibration": fixtureCalibration(),
		"segments":    fixtureSegments(),
		"profit":      fixtureProfit(),
		"roi":         fixtureROI(),
		"frequency":   fixtureFrequency(),
		"scenarios":   fixtureScenarios(),
		"pred-decile": fixturePredDecile(),
		"pred-time":   fixturePredTime(),
	}
}

func TestWriteSamples(t *testing.T) {
	if *samples == "" {
		t.Skip("pass -samples DIR to write the fixture charts")
	}
	for name, c := range fixtures() {
		for _, ext := range []string{".png"} {
			if err := WriteFile(filepath.Join(*samples, name+ext), c); err != nil {
				t.Fatal(err)
			}
		}
	}
	_ = os.MkdirAll(*samples, 0o755)
}

func fixtureROC() ROCChart {
	return ROCChart{Header: fixtureHeader, Curves: []ROCCurve{
		{Name: "gbdt v3", FPR: []float64{0.05, 0.1, 0.2, 0.3, 0.5, 0.7}, TPR: []float64{0.35, 0.55, 0.74, 0.84, 0.94, 0.98}},
		{Name: "logit v2", FPR: []float64{0.05, 0.1, 0.2, 0.3, 0.5, 0.7}, TPR: []float64{0.28, 0.45, 0.65, 0.78, 0.9, 0.97}},
	}}
}

func fixtureCalibration() CalibrationChart {
	bins := []CalibrationBin{
		{0.005, 0.004, 9000}, {0.015, 0.017, 7000}, {0.03, 0.028, 5000}, {0.05, 0.055, 3500},
		{0.08, 0.074, 2500}, {0.12, 0.13, 1500}, {0.2, 0.18, 900}, {0.32, 0.35, 400},
	}
	return CalibrationChart{Header: fixtureHeader, Models: []CalibrationSeries{{Name: "gbdt v3", Bins: bins}}}
}

func fixtureSegments() SegmentKPIChart {
	h := fixtureHeader
	h.Title = "The top 10 % by revenue holds the money and buys more"
	h.Subtitle = "Value segments by monthly revenue: top 10 %, middle 40 %, low 50 %"
	h.ModelVersion = ""
	return SegmentKPIChart{Header: h,
		Segments: []string{"top", "middle", "low"},
		KPIs: []KPI{
			{Name: "Monthly revenue", Unit: Money, Base: 684.2, Values: []float64{3410, 512, 230}},
			{Name: "Mobile subscriptions", Unit: Count, Base: 6.1, Values: []float64{22.4, 5.8, 3.1}},
			{Name: "Products held", Unit: Count, Base: 2.9, Values: []float64{5.2, 3.1, 2.2}},
			{Name: "Contacts per half year", Unit: Count, Base: 2.4, Values: []float64{3.0, 2.5, 2.2}},
		}}
}

func fixtureProfit() ProfitCurve {
	h := fixtureHeader
	h.Title = "Mail the top third: beyond 70 % every letter loses money"
	var d, pr []float64
	// profit(x) = 8e6·(1−(1−x)^3) − 9e6·x − 2e5 over depth x.
	for i := 0; i <= 20; i++ {
		x := float64(i) / 20
		d = append(d, x)
		pr = append(pr, 8e6*(1-(1-x)*(1-x)*(1-x))-9e6*x-2e5)
	}
	return ProfitCurve{Header: h, Name: "gbdt v3", Depth: d, Profit: pr, Customers: 100000}
}

func fixtureROI() ROIChart {
	h := fixtureHeader
	h.Title = "Targeted mailing earns € 2.0 M more with a third fewer letters"
	h.ModelVersion = ""
	return ROIChart{Header: h, Scenarios: []ROIScenario{
		{Name: "Mass mailing", Volume: 150000, Conversion: 0.015, Contracts: 2250, Profit: 6.75e6},
		{Name: "Model-targeted", Volume: 100000, Conversion: 0.025, Contracts: 2500, Profit: 8.75e6},
	}}
}

func fixtureFrequency() FrequencyChart {
	h := fixtureHeader
	h.Title = "The top segment wants more contact than it gets"
	h.ModelVersion = ""
	mk := func(peak, height float64) FrequencySeries {
		var s FrequencySeries
		for k := 1; k <= 12; k++ {
			x := float64(k)
			r := height * x / peak * math.Exp(1-x/peak)
			w := 0.004 + 0.0015*math.Abs(x-peak)/2
			s.Points = append(s.Points, FrequencyPoint{Contacts: x, Rate: r, Lo: r - w, Hi: r + w, N: 1000})
		}
		for x := 0.5; x <= 12.01; x += 0.25 {
			s.FitX = append(s.FitX, x)
			s.FitY = append(s.FitY, height*x/peak*math.Exp(1-x/peak))
		}
		return s
	}
	base, top := mk(6, 0.031), mk(10, 0.045)
	base.Name, top.Name = "base", "top 10 %"
	return FrequencyChart{Header: h, Period: "year", Measure: "Response rate per contact", Unit: Percent,
		Series: []FrequencySeries{base, top}}
}

func fixtureScenarios() ScenarioChart {
	h := fixtureHeader
	h.Title = "Going from 3 to 4 contacts pays only in the top segment"
	return ScenarioChart{Header: h, Measure: "Extra revenue per half year", Unit: Money, Scenarios: []ScenarioValue{
		{Name: "top: 3 → 4 contacts", Value: 1.45e6, Lo: 1.18e6, Hi: 1.71e6},
		{Name: "top: 4 → 5 contacts", Value: 1.2e6, Lo: 0.9e6, Hi: 1.5e6},
		{Name: "middle: 3 → 4 contacts", Value: 0.21e6, Lo: -0.05e6, Hi: 0.46e6},
		{Name: "low: 3 → 4 contacts", Value: -0.32e6, Lo: -0.5e6, Hi: -0.12e6},
	}}
}

func fixturePredDecile() PredictedDecileChart {
	h := fixtureHeader
	h.Title = "Reality matched the prediction in every decile"
	pred := []float64{0.082, 0.051, 0.036, 0.027, 0.02, 0.015, 0.011, 0.008, 0.005, 0.003}
	act := []float64{0.077, 0.054, 0.034, 0.028, 0.018, 0.016, 0.01, 0.007, 0.006, 0.002}
	var ds []DecileOutcome
	for i := range pred {
		ds = append(ds, DecileOutcome{Predicted: pred[i], Actual: act[i], Count: 10000})
	}
	return PredictedDecileChart{Header: h, Measure: "Conversion", Deciles: ds}
}

func fixturePredTime() PredictedTimeChart {
	h := fixtureHeader
	h.Title = "Six months of tracking: contracts follow the forecast"
	months := []string{"May 2026", "Jun 2026", "Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026"}
	pred := []float64{1040, 1080, 990, 950, 1120, 1130}
	act := []float64{1010, 1105, 940, 980, 1090, 1175}
	var ps []PeriodOutcome
	for i := range months {
		ps = append(ps, PeriodOutcome{Label: months[i], Predicted: pred[i], Actual: act[i], Lo: pred[i] * 0.92, Hi: pred[i] * 1.08})
	}
	return PredictedTimeChart{Header: h, Measure: "Contracts per month", Unit: Count, Period: "Month", Periods: ps}
}
