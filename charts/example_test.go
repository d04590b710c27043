package charts_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/acrm-dev/acrm/charts"
)

// A management slide comparing a mass mailing with a model-targeted one, written as PNG;
// the takeaway is computed from the same numbers.
func ExampleWriteFile() {
	c := charts.ROIChart{
		Header: charts.Header{Title: "Targeted mailing earns € 2.0 M more", DataDate: "2026-10-31"},
		Scenarios: []charts.ROIScenario{
			{Name: "Mass mailing", Volume: 150000, Conversion: 0.015, Contracts: 2250, Profit: 6.75e6},
			{Name: "Model-targeted", Volume: 100000, Conversion: 0.025, Contracts: 2500, Profit: 8.75e6},
		},
	}
	dir, _ := os.MkdirTemp("", "charts")
	defer os.RemoveAll(dir)
	if err := charts.WriteFile(filepath.Join(dir, "roi.png"), c, charts.WithSize(charts.Size{Width: 1280, Height: 720})); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Takeaway())
	// Output: Model-targeted (100,000 contacts) earns € 8.75 M against € 6.75 M for Mass mailing (150,000): +€ 2.0 M with 50,000 fewer contacts
}

// Render writes to any io.Writer; bad data is refused before anything is written.
func ExampleRender() {
	var buf bytes.Buffer
	err := charts.Render(&buf, charts.SVG, charts.GainsChart{Models: []charts.GainsSeries{
		{Name: "gbdt", Depth: []float64{0.5, 0.2}, Gain: []float64{0.8, 0.9}},
	}})
	fmt.Println(err, buf.Len())
	// Output: charts: gains: models[0] "gbdt": depth[1] = 0.2: depths must rise within (0, 1] 0
}

func ExampleFormatMoney() {
	fmt.Println(charts.FormatMoney("€", 2.4e6), "|", charts.FormatMoney("€", 850_000), "|",
		charts.FormatInt(1250000), "|", charts.FormatPercent(0.12, 0))
	// Output: € 2.4 M | € 850 k | 1,250,000 | 12 %
}
