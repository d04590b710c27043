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
	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/charts"
	"github.com/acrm-dev/acrm/sampledata"
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
		ws, err := workspace.Open(ctx, workspace.Memory)
		if err != nil {
			sampleErr = err
			return
		}
		if _, err := sampledata.Generate(ctx, ws, sampledata.Options{Customers: 4000, Seed: 7}, nil); err != nil {
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
	want := "holds " + charts.FormatPercent(g.GainsAt(0.2), 0) + " of owners"
	if !strings.Contains(byKind["gains"].Takeaway, want) {
		t.Errorf("gains takeaway %q does not say %q", byKind["gains"].Takeaway, want)
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
	rows, err := ws.DB().QueryContext(ctx, `SELECT customer_id::VARCHAR, name FROM customers`)
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
