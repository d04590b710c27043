package charts

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
)

var histogramHeader = Header{
	Title:    "Most customers pay under € 2,000 a month",
	Subtitle: "customers.monthly_revenue: 20 equal-width bins, 1,000 rows",
	DataDate: "2026-10-31",
	Source:   "workspace acrm.duckdb · table customers",
}

func fixtureHistogram() HistogramChart {
	return HistogramChart{
		Header: histogramHeader,
		Column: "monthly_revenue",
		Unit:   Money,
		Min:    0, Max: 5000,
		Counts:   []float64{12, 80, 160, 190, 150, 110, 80, 60, 40, 30, 22, 16, 12, 9, 7, 5, 4, 3, 2, 1},
		Overflow: 7,
		Nulls:    0,
		Markers:  []Mark{{Name: "median", Value: 1180}, {Name: "mean", Value: 1330.27}},
	}
}

func fixtureTopValues() TopValuesChart {
	return TopValuesChart{
		Header: Header{Title: "Retail is the largest sector", Subtitle: "customers.sector: the 5 most frequent values",
			DataDate: "2026-10-31", Source: "workspace acrm.duckdb · table customers"},
		Column: "sector",
		Values: []ValueCount{{"retail", 310}, {"services", 240}, {"industry", 180}, {"logistics", 150}, {"public", 70}},
		Rows:   1000,
	}
}

// TestHistogramGolden renders the histogram and top-values charts from fixed data and
// compares them with testdata/histogram-*.png at a small tolerance. Regenerate with
// go test ./charts -run TestHistogramGolden -update (then look at the files).
func TestHistogramGolden(t *testing.T) {
	for name, c := range map[string]Chart{"histogram-numeric": fixtureHistogram(), "histogram-top-values": fixtureTopValues()} {
		t.Run(name, func(t *testing.T) {
			checkGolden(t, name, renderPNG(t, c, goldenSize))
		})
	}
}

// TestHistogramBarHeights: the tallest bar is drawn where the fullest bin is, and an empty
// chart area stands where the bins are empty: the picture follows the counts.
func TestHistogramBarHeights(t *testing.T) {
	c := fixtureHistogram()
	c.Markers = nil
	c.Overflow = 0
	img, err := png.Decode(bytes.NewReader(renderPNG(t, c, goldenSize)))
	if err != nil {
		t.Fatal(err)
	}
	// Count Blue pixels per column band of the image; the band of bin 3 (the fullest)
	// must hold more than the band of bin 19 (1 row).
	b := img.Bounds()
	blue := func(x0, x1 int) int {
		n := 0
		for x := x0; x < x1; x++ {
			for y := b.Min.Y; y < b.Max.Y; y++ {
				if near(img.At(x, y), Blue, 30) {
					n++
				}
			}
		}
		return n
	}
	// The data area spans most of the width; find the blue columns.
	var cols []int
	for x := b.Min.X; x < b.Max.X; x++ {
		if blue(x, x+1) > 0 {
			cols = append(cols, x)
		}
	}
	if len(cols) == 0 {
		t.Fatal("no bars drawn")
	}
	first, last := cols[0], cols[len(cols)-1]
	bin := float64(last-first+1) / float64(len(c.Counts))
	at := func(i int) int { return blue(first+int(float64(i)*bin+bin*0.3), first+int(float64(i)*bin+bin*0.7)) }
	if at(3) <= 5*at(19) || at(3) <= at(0) || at(3) <= at(10) {
		t.Errorf("bar areas: bin0 %d, bin3 %d, bin10 %d, bin19 %d; want bin 3 the tallest", at(0), at(3), at(10), at(19))
	}
}

func TestHistogramValidate(t *testing.T) {
	ok := fixtureHistogram()
	if err := ok.validate(); err != nil {
		t.Fatal(err)
	}
	for name, mut := range map[string]func(*HistogramChart){
		"no bins":        func(c *HistogramChart) { c.Counts = nil },
		"max below min":  func(c *HistogramChart) { c.Max = -1 },
		"negative count": func(c *HistogramChart) { c.Counts[2] = -1 },
		"all empty":      func(c *HistogramChart) { c.Counts = make([]float64, 20) },
		"constant, 2 bins": func(c *HistogramChart) {
			c.Min, c.Max = 3, 3
			c.Counts = []float64{1, 2}
		},
	} {
		c := fixtureHistogram()
		c.Counts = append([]float64(nil), c.Counts...)
		mut(&c)
		if err := c.validate(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	tv := fixtureTopValues()
	tv.Rows = 10 // fewer than the values count
	if err := tv.validate(); err == nil {
		t.Error("top values: rows below the counted values accepted")
	}
	// A constant column renders as one bar.
	k := HistogramChart{Header: histogramHeader, Column: "employees", Min: 7, Max: 7, Counts: []float64{40}}
	if err := Render(&bytes.Buffer{}, PNG, k, WithSize(goldenSize)); err != nil {
		t.Fatalf("constant column: %v", err)
	}
}

func TestHistogramTakeaways(t *testing.T) {
	if got := fixtureHistogram().Takeaway(); !strings.Contains(got, "€ 750 to € 1,000") || !strings.Contains(got, "19 %") {
		t.Errorf("histogram takeaway %q, want the fullest bin € 750 to € 1,000 and its share 19 %%", got)
	}
	if got := fixtureTopValues().Takeaway(); got != "the most frequent sector is retail: 31 % of the rows with a value" {
		t.Errorf("top values takeaway %q", got)
	}
}
