package main

import (
	"context"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/segment"
	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/charts"
	"github.com/acrm-dev/acrm/charts/deck"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/simulate"
)

// TestCLIAndWorkbenchAgree: the same what-if and the same chart give the same numbers and
// the same title from acrm and from the workbench. The CLI runs as a user runs it; the
// workbench side goes through the services and the Simulate screen's bootstrap settings.
func TestCLIAndWorkbenchAgree(t *testing.T) {
	db := sampleDB(t, 3000)

	// The frequency what-if of the top segment, 3 → 4 offers per half year.
	cli, err := run(t, "simulate", "frequency", "--db", db, "--segment", "top", "--period", "6m", "--from", "3", "--to", "4")
	if err != nil {
		t.Fatalf("acrm simulate frequency: %v\n%s", err, cli)
	}
	// The KPI chart of the value segments, written by acrm chart as SVG.
	cliSVG := filepath.Join(t.TempDir(), "cli.svg")
	if out, err := run(t, "chart", "segments", "--db", db, "-o", cliSVG); err != nil {
		t.Fatalf("acrm chart segments: %v\n%s", err, out)
	}

	ctx := context.Background()
	ws, err := workspace.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	svc := services.New(ws)
	fr, err := svc.LoadFrequency(ctx, sim.FrequencyOptions{Segment: "top", PeriodMonths: 6, Boot: simulate.Boot, Seed: simulate.Seed})
	if err != nil {
		t.Fatal(err)
	}
	if fr.Boot != sim.DefaultBoot {
		t.Errorf("workbench bootstrap %d replicates, CLI default %d", fr.Boot, sim.DefaultBoot)
	}
	w, err := fr.WhatIf(3, 4)
	if err != nil {
		t.Fatal(err)
	}
	// Every line of the what-if as the workbench computes it is in the CLI's output, and
	// the interval of the revenue growth in particular.
	want := w.Text()
	if !strings.Contains(cli, want) {
		t.Errorf("CLI what-if differs from the workbench's:\n--- CLI\n%s\n--- workbench\n%s", cli, want)
	}
	if e := w.ExtraContracts; !(e.Lo < e.Hi) {
		t.Errorf("degenerate interval of extra contracts %+v: the comparison would prove little", e)
	}
	// The comparison is sharp: the charts' old 100 replicates print another interval.
	old, err := svc.LoadFrequency(ctx, sim.FrequencyOptions{Segment: "top", PeriodMonths: 6, Boot: 100, Seed: simulate.Seed})
	if err != nil {
		t.Fatal(err)
	}
	if ow, err := old.WhatIf(3, 4); err != nil || strings.Contains(cli, ow.Text()) {
		t.Errorf("100 bootstrap replicates print the same what-if as %d (err %v): the test cannot tell them apart", sim.DefaultBoot, err)
	}

	// The chart title: the workbench exports the KPI rows of the same segments.
	rows, err := svc.KPIs(ctx, segment.ValueSegments())
	if err != nil {
		t.Fatal(err)
	}
	basis, err := svc.ValueBasis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tuiSVG := filepath.Join(t.TempDir(), "tui.svg")
	if _, err := svc.ExportSegmentKPIs(ctx, tuiSVG, rows, basis); err != nil {
		t.Fatal(err)
	}
	c, err := deck.KPIChart(rows, charts.Header{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.Title, "×") {
		t.Fatalf("title %q does not compare the top segment with the base", c.Title)
	}
	for name, path := range map[string]string{"CLI": cliSVG, "workbench": tuiSVG} {
		if got := svgText(t, path); !strings.HasPrefix(got, c.Title) {
			t.Errorf("the %s chart reads %q…, want the title %q first", name, got[:min(len(got), 120)], c.Title)
		}
	}
}

var svgTextRe = regexp.MustCompile(`<text[^>]*>([^<]*)</text>`)

// svgText is the text of a chart's SVG in drawing order (the title first, wrapped lines
// joined by spaces), entities decoded.
func svgText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, m := range svgTextRe.FindAllSubmatch(b, -1) {
		parts = append(parts, html.UnescapeString(string(m[1])))
	}
	return strings.Join(parts, " ")
}
