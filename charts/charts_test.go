package charts

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/plot/cmpimg"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"rsc.io/pdf"
)

// goldenSize keeps the golden PNGs small; the layout is the same at every size.
var goldenSize = Size{Width: 960, Height: 540}

func renderPNG(t testing.TB, c Chart, s Size) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, PNG, c, WithSize(s)); err != nil {
		t.Fatalf("render %s: %v", c.Kind(), err)
	}
	return buf.Bytes()
}

func sortedKinds() []string {
	var ks []string
	for k := range fixtures() {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// TestGolden renders every chart kind from fixed data and compares it with the golden PNG
// at a small per-pixel tolerance: a moved marker, label or bar fails. Regenerate with
// go test ./charts -update (then look at the files).
func TestGolden(t *testing.T) {
	fx := fixtures()
	for _, kind := range sortedKinds() {
		t.Run(kind, func(t *testing.T) {
			checkGolden(t, kind, renderPNG(t, fx[kind], goldenSize))
		})
	}
}

// checkGolden compares a rendered PNG with testdata/<name>.png at a small per-pixel
// tolerance (cmpimg), or rewrites the golden with -update. A differing render is written to
// the test's temp dir to look at.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".png")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./charts -update to create it)", err)
	}
	ok, err := cmpimg.EqualApprox("png", got, want, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		failed := filepath.Join(t.TempDir(), name+".png")
		_ = os.WriteFile(failed, got, 0o644)
		t.Errorf("%s differs from %s; got written to %s", name, path, failed)
	}
}

// TestFixturesEveryKind guards that fixtures cover one chart of each kind exactly.
func TestFixturesEveryKind(t *testing.T) {
	for name, c := range fixtures() {
		if c.Kind() != name {
			t.Errorf("fixture %q renders kind %q", name, c.Kind())
		}
		if c.Takeaway() == "" {
			t.Errorf("fixture %q has no takeaway", name)
		}
	}
	if len(fixtures()) != 10 {
		t.Errorf("%d fixtures, want one per kind (10)", len(fixtures()))
	}
}

func near(c color.Color, want color.RGBA, tol int) bool {
	r, g, b, _ := c.RGBA()
	d := func(a uint32, w uint8) int { v := int(a>>8) - int(w); return v * v }
	return d(r, want.R)+d(g, want.G)+d(b, want.B) <= tol*tol
}

// TestProfitOptimumMarkerPosition renders the profit curve and checks the optimum marker
// (Vermillion) is drawn where the optimum's data coordinates map to, and not elsewhere on
// that row.
func TestProfitOptimumMarkerPosition(t *testing.T) {
	c := fixtureProfit()
	o := c.Optimum()
	// profit(x) = 8e6·(1−(1−x)³) − 9e6·x − 2e5 peaks at x = 1 − √(3/8) ≈ 0.388; on the
	// 5 % grid the best point is 40 %.
	if math.Abs(c.Depth[o]-0.4) > 1e-9 {
		t.Fatalf("optimum depth %v, want 0.40", c.Depth[o])
	}
	size := Size{Width: 1280, Height: 720}
	img, err := png.Decode(bytes.NewReader(renderPNG(t, c, size)))
	if err != nil {
		t.Fatal(err)
	}
	th := DefaultTheme()
	dpi, _, _ := size.page()
	ic := vgimg.NewWith(vgimg.UseImage(image.NewRGBA(image.Rect(0, 0, size.Width, size.Height))), vgimg.UseDPI(dpi))
	body := drawFrame(draw.New(ic), c.Heading(), th)
	p, err := c.build(th)
	if err != nil {
		t.Fatal(err)
	}
	da := p.DataCanvas(body)
	trX, trY := p.Transforms(&da)
	px := int(trX(c.Depth[o]).Dots(float64(dpi)))
	py := size.Height - int(trY(c.Profit[o]).Dots(float64(dpi)))
	hits := 0
	for dx := -4; dx <= 4; dx++ {
		for dy := -4; dy <= 4; dy++ {
			if near(img.At(px+dx, py+dy), Vermillion, 40) {
				hits++
			}
		}
	}
	if hits < 60 {
		t.Errorf("only %d of 81 pixels around the optimum (%d, %d) are Vermillion", hits, px, py)
	}
	// Far left on the same row (depth 10 %) there is no marker.
	fx := int(trX(0.1).Dots(float64(dpi)))
	for dx := -4; dx <= 4; dx++ {
		if near(img.At(fx+dx, py), Vermillion, 40) {
			t.Errorf("Vermillion at (%d, %d), far from the optimum", fx+dx, py)
		}
	}
}

func TestFormatters(t *testing.T) {
	cases := []struct{ got, want string }{
		{FormatInt(1250000), "1,250,000"},
		{FormatInt(999), "999"},
		{FormatInt(1000), "1,000"},
		{FormatInt(-4200), "−4,200"},
		{FormatInt(-0.2), "0"},
		{FormatNumber(1234.5, 1), "1,234.5"},
		{FormatPercent(0.12, 0), "12 %"},
		{FormatPercent(0.015, 1), "1.5 %"},
		{FormatMoney("€", 2.4e6), "€ 2.4 M"},
		{FormatMoney("€", 6.75e6), "€ 6.75 M"},
		{FormatMoney("€", 2.0e6), "€ 2.0 M"},
		{FormatMoney("€", 999_999), "€ 1.0 M"},
		{FormatMoney("€", 850_000), "€ 850 k"},
		{FormatMoney("€", 3500), "€ 3,500"},
		{FormatMoney("€", -1.2e6), "−€ 1.2 M"},
		{FormatMoney("€", 250e6), "€ 250 M"},
		{FormatNumber(math.NaN(), 0), "n/a"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestTickers(t *testing.T) {
	check := func(name string, got []string, want []string) {
		t.Helper()
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
	var got []string
	for _, tk := range (NumberTicks{N: 5}).Ticks(0, 2_000_000) {
		got = append(got, tk.Label)
	}
	check("number", got, []string{"0", "500,000", "1,000,000", "1,500,000", "2,000,000"})
	got = nil
	for _, tk := range (PercentTicks{N: 5}).Ticks(0, 0.6) {
		got = append(got, tk.Label)
	}
	check("percent", got, []string{"0 %", "20 %", "40 %", "60 %"})
	got = nil
	for _, tk := range (PercentTicks{N: 5}).Ticks(0, 0.05) {
		got = append(got, tk.Label)
	}
	check("small percent", got, []string{"0 %", "1 %", "2 %", "3 %", "4 %", "5 %"})
	got = nil
	for _, tk := range (MoneyTicks{Currency: "€", N: 5}).Ticks(-1e6, 2.5e6) {
		got = append(got, tk.Label)
	}
	check("money", got, []string{"−€ 1 M", "€ 0", "€ 1 M", "€ 2 M"})
	got = nil
	for _, tk := range (MoneyTicks{Currency: "€", N: 4}).Ticks(0, 1.5e6) {
		got = append(got, tk.Label)
	}
	check("money halves", got, []string{"€ 0", "€ 0.5 M", "€ 1.0 M", "€ 1.5 M"})
	got = nil
	for _, tk := range (MoneyTicks{Currency: "€", N: 4}).Ticks(0, 600_000) {
		got = append(got, tk.Label)
	}
	check("money k", got, []string{"€ 0", "€ 200 k", "€ 400 k", "€ 600 k"})
}

func TestTakeaways(t *testing.T) {
	cases := map[string]string{
		"gains":       "the top 20 % by gbdt v3 holds 61 % of buyers (3.0× random); by logit v2 52 %",
		"roi":         "Model-targeted (100,000 contacts) earns € 8.75 M against € 6.75 M for Mass mailing (150,000): +€ 2.0 M with 50,000 fewer contacts",
		"profit":      "profit peaks at € 2.47 M when selecting the top 40 % (40,000 customers) by gbdt v3; beyond the top 86 % the campaign loses money",
		"frequency":   "response peaks at 6 contacts per year for base (3.1 %) and at 10 for top 10 % (4.5 %)",
		"segments":    "the top segment's monthly revenue is € 3,410 against € 684 for the whole base (index 498)",
		"pred-decile": "top decile: 8.2 % predicted, 7.7 % actual; over all deciles the actual conversion is 98 % of the predicted",
	}
	fx := fixtures()
	for kind, want := range cases {
		if got := fx[kind].Takeaway(); got != want {
			t.Errorf("%s takeaway:\n got %q\nwant %q", kind, got, want)
		}
	}
	// With the product known the takeaway names it as well as the algorithm.
	g := fixtureGains()
	g.Product = "Mobile data-only"
	if got, want := g.Takeaway(), "the top 20 % by the Mobile data-only model (gbdt v3) holds 61 % of buyers (3.0× random); by logit v2 52 %"; got != want {
		t.Errorf("gains takeaway with product:\n got %q\nwant %q", got, want)
	}
}

func TestProfitBreakEven(t *testing.T) {
	c := ProfitCurve{Name: "m", Depth: []float64{0, 0.25, 0.5, 0.75, 1}, Profit: []float64{-100, 300, 500, 200, -400}}
	if o := c.Optimum(); o != 2 {
		t.Fatalf("optimum index %d, want 2", o)
	}
	// Crossing between 0.75 (200) and 1 (−400): 0.75 + 0.25·200/600.
	be, ok := c.BreakEven()
	if !ok || math.Abs(be-(0.75+0.25*200.0/600)) > 1e-12 {
		t.Errorf("break-even %v %v, want 0.8333", be, ok)
	}
	c.Profit = []float64{-100, 300, 500, 600, 700}
	if _, ok := c.BreakEven(); ok {
		t.Error("a curve that stays profitable has no break-even after its optimum")
	}
	c.Profit = []float64{-1, -2, -3, -4, -5}
	if _, ok := c.BreakEven(); ok {
		t.Error("a loss-making curve has no break-even")
	}
	if !strings.HasPrefix(c.Takeaway(), "no selection depth makes a profit") {
		t.Errorf("takeaway %q", c.Takeaway())
	}
}

func TestAUCAndCalibrationError(t *testing.T) {
	diag := ROCCurve{FPR: []float64{0.5}, TPR: []float64{0.5}}
	if a := diag.AUC(); math.Abs(a-0.5) > 1e-12 {
		t.Errorf("diagonal AUC %v", a)
	}
	perfect := ROCCurve{FPR: []float64{0}, TPR: []float64{1}}
	if a := perfect.AUC(); math.Abs(a-1) > 1e-12 {
		t.Errorf("perfect AUC %v", a)
	}
	// Points given out of order are sorted: (0.2,0.6),(0.1,0.4): area =
	// .1·.4/2 + .1·(.4+.6)/2 + .8·(.6+1)/2 = .02 + .05 + .64.
	r := ROCCurve{FPR: []float64{0.2, 0.1}, TPR: []float64{0.6, 0.4}}
	if a := r.AUC(); math.Abs(a-0.71) > 1e-12 {
		t.Errorf("AUC %v, want 0.71", a)
	}
	s := CalibrationSeries{Bins: []CalibrationBin{{0.1, 0.2, 100}, {0.5, 0.4, 300}}}
	if e := s.Error(); math.Abs(e-(100*0.1+300*0.1)/400) > 1e-12 {
		t.Errorf("ECE %v", e)
	}
}

func TestGainsLiftAndInterpolation(t *testing.T) {
	g := GainsSeries{Depth: []float64{0.1, 0.5, 1}, Gain: []float64{0.3, 0.7, 1}}
	lift := g.Lift()
	want := []float64{3, 1, 0.6}
	for i := range want {
		if math.Abs(lift[i]-want[i]) > 1e-12 {
			t.Errorf("lift[%d] %v, want %v", i, lift[i], want[i])
		}
	}
	if v := g.GainsAt(0.3); math.Abs(v-0.5) > 1e-12 {
		t.Errorf("gain at 30 %% = %v, want 0.5", v)
	}
	if v := g.GainsAt(0.05); math.Abs(v-0.15) > 1e-12 {
		t.Errorf("gain at 5 %% = %v, want 0.15", v)
	}
}

// TestBadDataNamesTheField: invalid aggregates are rejected before anything is written, and
// the error says which field is wrong.
func TestBadDataNamesTheField(t *testing.T) {
	cases := []struct {
		c    Chart
		want string
	}{
		{GainsChart{Models: []GainsSeries{{Name: "m", Depth: []float64{0.5, 0.2}, Gain: []float64{0.5, 0.6}}}}, `models[0] "m": depth[1]`},
		{ROCChart{Curves: []ROCCurve{{Name: "r", FPR: []float64{1.5}, TPR: []float64{0.5}}}}, `curves[0] "r": point 0`},
		{SegmentKPIChart{Segments: []string{"top"}, KPIs: []KPI{{Name: "revenue", Base: 0, Values: []float64{1}}}}, `kpi "revenue": base value 0`},
		{ROIChart{Scenarios: []ROIScenario{{Name: "mass", Volume: 100, Conversion: 1.5}}}, `scenarios[0] "mass": conversion 1.5`},
		{FrequencyChart{Series: []FrequencySeries{{Name: "top", Points: []FrequencyPoint{{Contacts: 1, Rate: 0.1, Lo: 0.2, Hi: 0.3}, {Contacts: 2}}}}}, `does not contain the rate`},
		{ProfitCurve{Depth: []float64{0.1}, Profit: []float64{1}}, "at least 2 points"},
		{ScenarioChart{}, "scenarios: want 1 to 12"},
		{PredictedDecileChart{Deciles: []DecileOutcome{{Predicted: 2}, {}}}, "deciles[0]"},
		{PredictedTimeChart{Periods: []PeriodOutcome{{Label: "Jan", Predicted: math.NaN()}, {}}}, `periods[0] "Jan"`},
		{CalibrationChart{Models: []CalibrationSeries{{Name: "c", Bins: []CalibrationBin{{Predicted: -1}, {}}}}}, `models[0] "c": bin 0`},
	}
	for _, tc := range cases {
		var buf bytes.Buffer
		err := Render(&buf, PNG, tc.c)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to mention %q", tc.c.Kind(), err, tc.want)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: %d bytes written for invalid data", tc.c.Kind(), buf.Len())
		}
	}
}

func TestFormatFromPathAndSize(t *testing.T) {
	for path, want := range map[string]Format{"a.png": PNG, "b.SVG": SVG, "deck/c.pdf": PDF} {
		if f, err := FormatFromPath(path); err != nil || f != want {
			t.Errorf("%s: %v %v", path, f, err)
		}
	}
	if _, err := FormatFromPath("chart.jpg"); err == nil || !strings.Contains(err.Error(), `".jpg"`) {
		t.Errorf("jpg: %v, want the extension named", err)
	}
	if s, err := ParseSize("1280x720"); err != nil || s != (Size{1280, 720}) {
		t.Errorf("ParseSize: %v %v", s, err)
	}
	for _, bad := range []string{"1280", "axb", "10x10", "4000x300"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
}

func TestPNGHasRequestedSize(t *testing.T) {
	for _, s := range []Size{{1920, 1080}, {1366, 768}} {
		cfg, err := png.DecodeConfig(bytes.NewReader(renderPNG(t, fixtureROI(), s)))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Width != s.Width || cfg.Height != s.Height {
			t.Errorf("asked %v, got %dx%d", s, cfg.Width, cfg.Height)
		}
	}
}

func TestWriteFileFormatsAndAtomicity(t *testing.T) {
	dir := t.TempDir()
	for _, ext := range []string{".png", ".svg", ".pdf"} {
		path := filepath.Join(dir, "roi"+ext)
		if err := WriteFile(path, fixtureROI()); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		magic := map[string]string{".png": "\x89PNG", ".svg": "<?xml", ".pdf": "%PDF"}[ext]
		if !bytes.HasPrefix(b, []byte(magic)) {
			t.Errorf("%s does not start with %q", path, magic)
		}
	}
	// An existing chart survives a failed rewrite, and no temporary file is left behind.
	path := filepath.Join(dir, "roi.png")
	before, _ := os.ReadFile(path)
	bad := ROIChart{Scenarios: []ROIScenario{{Name: "mass", Volume: -1}}}
	if err := WriteFile(path, bad); err == nil || !strings.Contains(err.Error(), "roi.png") {
		t.Fatalf("WriteFile with bad data: %v, want an error naming the file", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("the existing chart was changed by a failed write")
	}
	if err := WriteFile(filepath.Join(dir, "new.svg"), bad); err == nil {
		t.Fatal("want an error")
	}
	if _, err := os.Stat(filepath.Join(dir, "new.svg")); !os.IsNotExist(err) {
		t.Error("a failed write left new.svg behind")
	}
	if err := WriteFile(filepath.Join(dir, "x.gif"), fixtureROI()); err == nil || !strings.Contains(err.Error(), `".gif"`) {
		t.Errorf("gif: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// svgText strips the embedded font data (base64, which can contain any digit run) so only
// what the chart says is searched.
var fontDefs = regexp.MustCompile(`(?s)<defs>.*?</defs>`)

// TestNoCustomerIdentifiers builds chart inputs the way the deck does, by aggregating
// customer rows that carry identifiers, renders every chart as SVG and checks that no id
// (and no customer name) appears in what is drawn.
func TestNoCustomerIdentifiers(t *testing.T) {
	type customer struct {
		id      int64
		name    string
		revenue float64
		subs    float64
	}
	var custs []customer
	for i := 0; i < 400; i++ {
		custs = append(custs, customer{
			id:      730_000_001 + int64(i)*7919,
			name:    fmt.Sprintf("Bakkerij Nummer %d BV", i),
			revenue: 50 + float64((i*37)%400)*12.5,
			subs:    float64(1 + (i*13)%30),
		})
	}
	// Value segments by revenue rank: top 10 %, middle 40 %, low 50 %.
	sort.Slice(custs, func(i, j int) bool { return custs[i].revenue > custs[j].revenue })
	segs := []string{"top", "middle", "low"}
	bounds := []int{0, len(custs) / 10, len(custs) / 2, len(custs)}
	rev, subs := KPI{Name: "Monthly revenue", Unit: Money}, KPI{Name: "Mobile subscriptions"}
	for _, c := range custs {
		rev.Base += c.revenue / float64(len(custs))
		subs.Base += c.subs / float64(len(custs))
	}
	for s := range segs {
		r, m := 0.0, 0.0
		part := custs[bounds[s]:bounds[s+1]]
		for _, c := range part {
			r += c.revenue
			m += c.subs
		}
		rev.Values = append(rev.Values, r/float64(len(part)))
		subs.Values = append(subs.Values, m/float64(len(part)))
	}
	charts := map[string]Chart{"segments-from-rows": SegmentKPIChart{Header: fixtureHeader, Segments: segs, KPIs: []KPI{rev, subs}}}
	for k, c := range fixtures() {
		charts[k] = c
	}
	for name, c := range charts {
		var buf bytes.Buffer
		if err := Render(&buf, SVG, c, WithSize(goldenSize)); err != nil {
			t.Fatal(err)
		}
		svg := fontDefs.ReplaceAllString(buf.String(), "")
		if !strings.Contains(svg, "<text") {
			t.Fatalf("%s: no text in the SVG; the test would prove nothing", name)
		}
		for _, c := range custs {
			if strings.Contains(svg, fmt.Sprint(c.id)) || strings.Contains(svg, c.name) {
				t.Fatalf("%s: customer %d (%s) appears in the chart", name, c.id, c.name)
			}
		}
	}
}

// BenchmarkPNG renders each chart kind as a 1920×1080 PNG (target ≤ 150 ms each).
func BenchmarkPNG(b *testing.B) {
	fx := fixtures()
	for _, kind := range sortedKinds() {
		c := fx[kind]
		b.Run(kind, func(b *testing.B) {
			var buf bytes.Buffer
			for i := 0; i < b.N; i++ {
				buf.Reset()
				if err := Render(&buf, PNG, c); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
		})
	}
}

// TestPDFText reads the text back out of a PDF chart: the euro sign, the middle dot and the
// bold title survive the cp1252 font encoding of vgpdf.
func TestPDFText(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, PDF, fixtureROI(), WithSize(goldenSize)); err != nil {
		t.Fatal(err)
	}
	r, err := pdf.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var s strings.Builder
	fonts := map[string]bool{}
	for _, tx := range r.Page(1).Content().Text {
		s.WriteString(tx.S)
		fonts[tx.Font] = true
	}
	text := strings.ReplaceAll(s.String(), " ", "")
	for _, want := range []string{"Targetedmailingearns€2.0M", "€6.75M", "€8.75M", "2,250", "150,000contacts", "1.5%conversion", "+250(+11%)"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
	if len(fonts) < 2 {
		t.Errorf("PDF uses fonts %v; want the regular and the bold face", fonts)
	}
}

// TestWrapTextKeepsUnitsAndBalances: at every width a number keeps its unit on its line,
// and a title that needs two lines gets two lines of similar width instead of a lone word.
func TestWrapTextKeepsUnitsAndBalances(t *testing.T) {
	th := DefaultTheme()
	sty := th.style(th.Title, textDark)
	title := "SOC monitoring: the top 20 % of customers by the model holds 79 % of the owners and earns € 8.09 M"
	for w := 150; w <= 1400; w += 7 {
		lines := wrapText(sty, title, vg.Points(float64(w)))
		if got := strings.Join(lines, " "); got != title {
			t.Fatalf("width %d: wrapping changed the text: %q", w, got)
		}
		for _, l := range lines {
			if strings.HasPrefix(l, "% ") || l == "%" || strings.HasPrefix(l, "M") || strings.HasSuffix(l, "€") {
				t.Errorf("width %d: a unit is split from its number: %q", w, lines)
			}
		}
	}
	lines := wrapText(sty, "SOC monitoring: the top 20 % of customers by the model holds 79 % of the owners", vg.Points(892))
	if len(lines) != 2 {
		t.Fatalf("want two lines at 892 pt, got %q", lines)
	}
	a, b := float64(sty.Width(lines[0])), float64(sty.Width(lines[1]))
	if math.Min(a, b) < 0.6*math.Max(a, b) {
		t.Errorf("unbalanced lines %q (%.0f and %.0f pt)", lines, a, b)
	}
}
