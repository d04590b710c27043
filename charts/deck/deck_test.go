package deck

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/segment"
	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/charts"
	"github.com/acrm-dev/acrm/sampledata"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

var (
	sampleOnce sync.Once
	sampleWS   *workspace.Workspace
	sampleErr  error
)

// sample is a small generated workspace with one trained product model, shared by the
// tests of this package (generation and training take a few seconds).
func sample(t *testing.T) *workspace.Workspace {
	t.Helper()
	sampleOnce.Do(func() {
		ctx := context.Background()
		ws, err := sampletest.Generate(ctx, sampledata.Options{Customers: 4000, Seed: 7})
		if err != nil {
			sampleErr = err
			return
		}
		if _, err := profiles.TrainAll(ctx, ws, profiles.AllSpec{Algo: "logit", Seed: 1, Products: []int{13}, Parallel: 1}, nil); err != nil {
			sampleErr = err
			return
		}
		sampleWS = ws
	})
	if sampleErr != nil {
		t.Fatal(sampleErr)
	}
	return sampleWS
}

var (
	fontDefs = regexp.MustCompile(`(?s)<defs>.*?</defs>`)
	svgText  = regexp.MustCompile(`(?s)<text[^>]*>(.*?)</text>`)
)

// rawNumbers finds digit runs of 4+ that are not formatted (no thousands separator) and
// not part of a date or a decimal: every count the charts print is "1,234", so a raw run
// could only be an identifier.
var rawNumbers = regexp.MustCompile(`(?:^|[^\d,.\-])(\d{4,})(?:$|[^\d,.\-])`)

func TestDeckOnSample(t *testing.T) {
	ws := sample(t)
	ctx := context.Background()
	dir := t.TempDir()
	var stages []string
	items, err := Build(ctx, ws, dir, Options{
		Size: charts.Size{Width: 960, Height: 540}, Format: charts.SVG,
		Frequency: FrequencyOptions{Boot: 20},
		Report:    func(p Progress) { stages = append(stages, p.Stage) },
	})
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string]Item{}
	for _, it := range items {
		byKind[it.Kind] = it
	}
	for _, k := range []string{"segments", "gains", "roc", "calibration", "pred-decile", "profit", "roi", "frequency", "scenarios"} {
		it, ok := byKind[k]
		if !ok || it.File == "" {
			t.Errorf("%s: not written (%+v)", k, it)
			continue
		}
		if it.Takeaway == "" {
			t.Errorf("%s: no takeaway", k)
		}
		if _, err := os.Stat(filepath.Join(dir, it.File)); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	if it := byKind["pred-time"]; it.File != "" || !strings.Contains(it.Skipped, "no outcomes tracked") {
		t.Errorf("pred-time should be skipped with a reason, got %+v", it)
	}
	if len(stages) != len(items)+1 {
		t.Errorf("%d progress reports for %d charts", len(stages), len(items))
	}

	// The gains takeaway is the registry's own number: the model's gain at 20 %.
	models, err := (&Source{WS: ws}).Models(ctx)
	if err != nil || len(models) == 0 {
		t.Fatalf("models: %v %d", err, len(models))
	}
	g, err := gainsSeries(Headline(models)[0], "m")
	if err != nil {
		t.Fatal(err)
	}
	head := Headline(models)[0]
	want := "the top 20 % by the " + head.Product + " model (" + head.short() + ") holds " + charts.FormatPercent(g.GainsAt(0.2), 0) + " of owners"
	if !strings.Contains(byKind["gains"].Takeaway, want) {
		t.Errorf("gains takeaway %q does not say %q", byKind["gains"].Takeaway, want)
	}
	// The calibration title states the mean error and the largest gap the chart shows.
	if cal, err := (&Source{WS: ws}).Calibration(head); err != nil {
		t.Error(err)
	} else if want := "at most " + charts.FormatNumber(maxGap(cal.Models[0])*100, 1); !strings.HasSuffix(byKind["calibration"].Title, want) {
		t.Errorf("calibration title %q does not end in %q", byKind["calibration"].Title, want)
	}
	if head.Product == head.Name {
		t.Errorf("model %s has no product name (%q); the takeaway would name the model id", head.ModelID, head.Product)
	}

	index, err := os.ReadFile(filepath.Join(dir, "index.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.File != "" && !strings.Contains(string(index), "]("+it.File+")") {
			t.Errorf("index.md does not link %s", it.File)
		}
		if it.Takeaway != "" && !strings.Contains(string(index), it.Takeaway) {
			t.Errorf("index.md lacks the takeaway of %s", it.Kind)
		}
	}
	if !strings.Contains(string(index), "## Not in this deck") || !strings.Contains(string(index), "Data as of 2026-10-31") {
		t.Errorf("index.md:\n%s", index)
	}

	// No customer identifier or name anywhere in the deck.
	ids := map[string]bool{}
	var names []string
	rows, err := ws.QueryContext(ctx, `SELECT customer_id::VARCHAR, name FROM customers`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		ids[id] = true
		names = append(names, name)
	}
	rows.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		text := string(b)
		if strings.HasSuffix(f, ".svg") {
			// What the chart says: the content of its text elements.
			var parts []string
			for _, m := range svgText.FindAllStringSubmatch(fontDefs.ReplaceAllString(text, ""), -1) {
				parts = append(parts, m[1])
			}
			if len(parts) == 0 {
				t.Fatalf("%s: no text elements; the check would prove nothing", f)
			}
			text = strings.Join(parts, "\n")
		}
		for _, m := range rawNumbers.FindAllStringSubmatch(text, -1) {
			if ids[m[1]] {
				t.Errorf("%s: customer id %s appears", filepath.Base(f), m[1])
			}
		}
		for _, n := range names {
			if len(n) > 6 && strings.Contains(text, n) {
				t.Errorf("%s: customer name %q appears", filepath.Base(f), n)
				break
			}
		}
	}
	for _, f := range files {
		if strings.HasSuffix(f, ".tmp") {
			t.Errorf("temporary file %s left behind", f)
		}
	}
}

// TestDeckOnEmptyWorkspace: a workspace without data gives a deck of reasons, not an error.
func TestDeckOnEmptyWorkspace(t *testing.T) {
	ctx := context.Background()
	ws, err := workspace.Open(ctx, workspace.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	dir := t.TempDir()
	items, err := Build(ctx, ws, dir, Options{Size: charts.Size{Width: 960, Height: 540}})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.File != "" || it.Skipped == "" {
			t.Errorf("%s: want skipped with a reason, got %+v", it.Kind, it)
		}
	}
	index, _ := os.ReadFile(filepath.Join(dir, "index.md"))
	for _, want := range []string{"no customers table", "no trained model in acrm_models", "no contacts table"} {
		if !strings.Contains(string(index), want) {
			t.Errorf("index.md does not say %q:\n%s", want, index)
		}
	}
}

func TestDeckCancelled(t *testing.T) {
	ws := sample(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Build(ctx, ws, t.TempDir(), Options{Size: charts.Size{Width: 960, Height: 540}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled deck: %v, want context.Canceled", err)
	}
}

func TestPredictedTimeCSV(t *testing.T) {
	c, err := PredictedTimeCSV(strings.NewReader("label,predicted,actual,lo,hi\nMay,100,96,90,110\nJun,120,131,,\n"), "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Periods) != 2 || c.Periods[1].Actual != 131 || c.Periods[0].Lo != 90 || c.Periods[1].Hi != 0 {
		t.Errorf("periods %+v", c.Periods)
	}
	_, err = PredictedTimeCSV(strings.NewReader("label,predicted,actual\nMay,1x,3\n"), "t.csv")
	if err == nil || !strings.Contains(err.Error(), "t.csv: line 2, column 2 (predicted)") {
		t.Errorf("bad number: %v", err)
	}
	_, err = PredictedTimeCSV(strings.NewReader("month,predicted\n"), "t.csv")
	if err == nil || !strings.Contains(err.Error(), `no "label" column`) {
		t.Errorf("missing column: %v", err)
	}
}

func TestSavedScenarios(t *testing.T) {
	ctx := context.Background()
	ws, err := workspace.Open(ctx, workspace.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	cmp, err := sim.CompareOutbound(sim.Outbound{Volume: 150000, Conversion: 0.015, Profit: 3000},
		sim.Outbound{Volume: 100000, Conversion: 0.025, Profit: 3500})
	if err != nil {
		t.Fatal(err)
	}
	save := func(name, kind string, results any) {
		sc, err := sim.NewScenario(name, kind, map[string]any{}, results)
		if err != nil {
			t.Fatal(err)
		}
		if err := sim.SaveScenario(ctx, ws, sc, false); err != nil {
			t.Fatal(err)
		}
	}
	save("seed", sim.KindROI, cmp)
	save("top 3-4", sim.KindFrequency, sim.WhatIf{ExtraRevenue: sim.Estimate{Estimate: 1.7e6, Lo: 1.5e6, Hi: 1.9e6}})
	save("curve only", sim.KindFrequency, map[string]any{"peak": sim.Estimate{Estimate: 9}})
	src, err := Open(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	c, notes, err := src.SavedScenarios(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Scenarios) != 2 || c.Scenarios[0].Value != 8.75e6 || c.Scenarios[1].Lo != 1.5e6 || c.Scenarios[1].Hi != 1.9e6 {
		t.Errorf("scenarios %+v", c.Scenarios)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "curve only") {
		t.Errorf("notes %v", notes)
	}
	if !strings.Contains(c.Takeaway(), "seed (roi) with € 8.75 M") {
		t.Errorf("takeaway %q", c.Takeaway())
	}
	if _, _, err := src.SavedScenarios(ctx, []string{"nope"}); err == nil || !strings.Contains(err.Error(), `no saved scenario "nope"`) {
		t.Errorf("unknown name: %v", err)
	}
}

func chartKPI(c charts.SegmentKPIChart, name string) (charts.KPI, bool) {
	for _, k := range c.KPIs {
		if k.Name == name {
			return k, true
		}
	}
	return charts.KPI{}, false
}

// TestSegmentKPIsFollowTheValueBasis: before scores exist the value segments are ranked by
// monthly revenue and the subtitle says so; once best-model scores exist they are ranked by
// expected value, and the subtitle and the title follow. The fake scores here rank the
// customers against their revenue, so the top segment by expected value spends less than
// the average, which the title must say.
func TestSegmentKPIsFollowTheValueBasis(t *testing.T) {
	ctx := context.Background()
	ws := sampletest.Fresh(t, 1500, 11)
	src, err := Open(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	before, err := src.SegmentKPIs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rev, ok := chartKPI(before, RevenueKPI)
	if !ok || rev.Values[0] <= rev.Base {
		t.Fatalf("by revenue the top segment should spend more than the base: %+v", rev)
	}
	if !strings.HasPrefix(before.Subtitle, "Value segments by monthly revenue (top 10 %, middle 40 %, low 50 %) of 1,500 customers") {
		t.Errorf("subtitle before scoring: %q", before.Subtitle)
	}
	wantTitle := "The top 10 % of customers spend " + charts.FormatNumber(rev.Values[0]/rev.Base, 1) + "× the average monthly revenue"
	if before.Title != wantTitle {
		t.Errorf("title %q, want %q", before.Title, wantTitle)
	}

	// A best model whose scores fall with revenue.
	db := ws
	if _, err := db.ExecContext(ctx, `INSERT INTO acrm_models (model_id, name, product_id, target, source, algo, version, is_best, created_at)
		SELECT 'fake@v1', 'fake', min(product_id), 'lookalike', 'features', 'logit', 1, true, now() FROM products WHERE margin > 0`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO acrm_scores SELECT 'fake@v1', customer_id, 1.0 / (1 + coalesce(monthly_revenue, 0)), now() FROM customers`); err != nil {
		t.Fatal(err)
	}
	// Scores of one product's model never re-rank the value segments (issue 11, bug 1) …
	same, err := src.SegmentKPIs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if same.Subtitle != before.Subtitle || same.Title != before.Title {
		t.Errorf("scoring one product changed the segments chart: %q / %q", same.Title, same.Subtitle)
	}
	// … expected value ranks them when the user asks for it.
	if err := segment.SetValueBasis(ctx, ws, segment.BasisExpectedValue); err != nil {
		t.Fatal(err)
	}
	after, err := src.SegmentKPIs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(after.Subtitle, "monthly revenue") || !strings.Contains(after.Subtitle, "Value segments by the best models' expected value (top 10 %, middle 40 %, low 50 %)") {
		t.Errorf("subtitle after scoring: %q", after.Subtitle)
	}
	rev, _ = chartKPI(after, RevenueKPI)
	if rev.Values[0] >= rev.Base {
		t.Fatalf("ranked against revenue, the top segment should spend less than the base: %+v", rev)
	}
	wantTitle = "The top 10 % of customers spend " + charts.FormatNumber(rev.Values[0]/rev.Base, 1) + "× the average monthly revenue"
	if after.Title != wantTitle {
		t.Errorf("title %q, want %q", after.Title, wantTitle)
	}
}

// TestSegmentTitleFindsRevenueByName: the title is computed from the revenue KPI wherever
// it is, and without one it names the KPI it describes instead of calling it spending.
func TestSegmentTitleFindsRevenueByName(t *testing.T) {
	c := charts.SegmentKPIChart{Segments: []string{"top", "low"}, KPIs: []charts.KPI{
		{Name: "Products held", Unit: charts.Count, Base: 2, Values: []float64{3.6, 1}},
		{Name: RevenueKPI, Unit: charts.Money, Base: 100, Values: []float64{420, 40}},
	}}
	if got, want := SegmentTitle(c), "The top 10 % of customers spend 4.2× the average monthly revenue"; got != want {
		t.Errorf("revenue second: %q, want %q", got, want)
	}
	c.KPIs = c.KPIs[:1] // revenue skipped (base revenue 0)
	c.KPIs = append(c.KPIs, charts.KPI{Name: "Offer response", Unit: charts.Percent, Base: 0.02, Values: []float64{0.021, 0.01}})
	got := SegmentTitle(c)
	if strings.Contains(got, "spend") || got != "The top 10 % of customers: products held at 1.8× the average" {
		t.Errorf("without revenue: %q", got)
	}
	c.Segments = []string{"retail", "top"}
	if got := SegmentTitle(c); got != "Segment “retail”: products held at 1.8× the average" {
		t.Errorf("saved segment first: %q", got)
	}
}

// TestSegmentKPIsNamedSegments: saved and built-in segments by name, in the order given;
// unknown names, duplicates and too many segments are errors naming the problem.
func TestSegmentKPIsNamedSegments(t *testing.T) {
	ws := sample(t)
	ctx := context.Background()
	if err := segment.Save(ctx, ws, segment.Segment{Name: "many-products", Filter: "products_held >= 2"}); err != nil {
		t.Fatal(err)
	}
	src, err := Open(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	c, err := src.SegmentKPIs(ctx, "many-products", "TOP")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Segments, ",") != "many-products,top" {
		t.Errorf("segments %v", c.Segments)
	}
	if !strings.HasPrefix(c.Title, "Segment “many-products” spends ") ||
		!strings.HasPrefix(c.Subtitle, "Segments many-products and top 10 % (value segments by ") || !strings.Contains(c.Subtitle, ") of 4,000 customers") {
		t.Errorf("header %q / %q", c.Title, c.Subtitle)
	}
	k, ok := chartKPI(c, "Products held")
	if !ok || k.Values[0] < 2 || k.Values[0] <= k.Base {
		t.Errorf("many-products holds %v products against %v for the base", k.Values, k.Base)
	}
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"top", "nope"}, `unknown segment "nope"`},
		{[]string{"top", "top"}, `"top" is given twice`},
		{[]string{"top", "middle", "low", "many-products", "a", "b", "c"}, "room for 6"},
	} {
		if _, err := src.SegmentKPIs(ctx, tc.names...); err == nil || !strings.Contains(err.Error(), tc.want) || errors.Is(err, ErrNoData) {
			t.Errorf("%v: %v, want an error saying %q", tc.names, err, tc.want)
		}
	}
}

// TestProfitModelPicksWhereTargetingPays: of two product models with known economics the
// profit and ROI slides take the one whose optimal selection earns most over mailing
// everyone, and the note says how many were compared.
func TestProfitModelPicksWhereTargetingPays(t *testing.T) {
	ws := sample(t)
	ctx := context.Background()
	src, err := Open(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	models, err := src.Models(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := Headline(models)[0]
	// The same gains curve for another product with its own margin and response.
	rows, err := ws.QueryContext(ctx, `SELECT product_id, name FROM products WHERE product_id <> ? ORDER BY product_id`, a.ProductID)
	if err != nil {
		t.Fatal(err)
	}
	var b Model
	for rows.Next() {
		var id int
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		if _, err := src.ProductEconomics(ctx, id); err == nil && b.ProductID == 0 {
			b = a
			b.ProductID, b.Product, b.Name, b.ModelID = id, name, "other", "other@v1"
		}
	}
	rows.Close()
	if b.ProductID == 0 {
		t.Fatal("no second product with random-cell offers in the sample")
	}
	extra := func(m Model) float64 {
		_, pc, err := src.Profit(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return pc.Optimum.Net - pc.Points[len(pc.Points)-1].Net
	}
	want := a
	if extra(b) > extra(a) {
		want = b
	}
	for _, heads := range [][]Model{{a, b}, {b, a}} {
		got, why, err := ProfitModel(ctx, src, heads)
		if err != nil {
			t.Fatal(err)
		}
		if got.ModelID != want.ModelID || !strings.Contains(why, "of 2 products") {
			t.Errorf("picked %s (%q), want %s (extra %.0f vs %.0f)", got.ModelID, why, want.ModelID, extra(a), extra(b))
		}
	}
	if got, why, _ := ProfitModel(ctx, src, []Model{a}); got.ModelID != a.ModelID || why != "" {
		t.Errorf("one product: %s %q", got.ModelID, why)
	}
}

// A retention product has no profit curve (its offers go to owners, the look-alike model
// ranks non-owners), and a products table without an objective column still has economics.
func TestProductEconomicsRetentionAndNoObjective(t *testing.T) {
	ctx := context.Background()
	ws := sampletest.Fresh(t, 3000, 7)
	src := &Source{WS: ws}
	_, err := src.ProductEconomics(ctx, 1) // MOB-VOICE, retention
	if !errors.Is(err, ErrNoData) || !strings.Contains(err.Error(), "retention product") {
		t.Fatalf("retention product 1: err = %v, want ErrNoData naming the retention objective", err)
	}
	// Some cross-sell product has economics; it keeps them without the objective column.
	var id int
	var with Economics
	for p := 2; p <= 32 && id == 0; p++ {
		if e, err := src.ProductEconomics(ctx, p); err == nil {
			id, with = p, e
		}
	}
	if id == 0 {
		t.Fatal("no product with economics in the sample")
	}
	if with.Response <= 0 || with.Base <= 0 || with.Margin <= 0 {
		t.Fatalf("economics of product %d: %+v", id, with)
	}
	if _, err := ws.ExecContext(ctx, `ALTER TABLE products DROP COLUMN objective`); err != nil {
		t.Fatal(err)
	}
	without, err := src.ProductEconomics(ctx, id)
	if err != nil || without != with {
		t.Fatalf("without objective: %+v, %v; want %+v", without, err, with)
	}
}
