package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/charts"
)

func TestChartROIReproducesTheSeed(t *testing.T) {
	dir := t.TempDir()
	png := filepath.Join(dir, "roi.png")
	out, err := run(t, "chart", "roi", "--db", filepath.Join(dir, "ws.duckdb"), "--volume", "150000", "--conversion", "0.015", "--profit", "3000",
		"--targeted-volume", "100000", "--targeted-conversion", "0.025", "--targeted-profit", "3500", "-o", png, "--size", "1280x720")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"wrote " + png + " (roi, 1280x720)", "€ 8.75 M against € 6.75 M", "+€ 2.0 M with 50,000 fewer contacts"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if b, err := os.ReadFile(png); err != nil || !strings.HasPrefix(string(b), "\x89PNG") {
		t.Errorf("roi.png: %v", err)
	}
}

func TestChartBadInputChangesNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ws.duckdb")
	newEmptyWorkspace(t, db)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"chart", "roi", "--db", db, "--volume", "1", "--conversion", "0.1", "--profit", "1", "-o", filepath.Join(dir, "x.gif")}, `".gif"`},
		{[]string{"chart", "roi", "--db", db, "--volume", "1", "--conversion", "0.1", "-o", filepath.Join(dir, "x.png")}, "--profit is required"},
		{[]string{"chart", "roi", "--db", db, "--volume", "1", "--conversion", "1.5", "--profit", "1", "-o", filepath.Join(dir, "x.png")}, "conversion"},
		{[]string{"chart", "roi", "--db", db, "--volume", "1", "--conversion", "0.1", "--profit", "1", "-o", filepath.Join(dir, "x.png"), "--size", "10x10"}, "size 10x10"},
		{[]string{"chart", "segments", "--db", db}, "-o FILE is required"},
		{[]string{"chart", "gains", "--db", db, "-o", filepath.Join(dir, "g.png")}, "no trained model"},
		{[]string{"chart", "scenarios", "--db", db, "--whatif", "top:3", "-o", filepath.Join(dir, "s.png")}, "want SEGMENT:FROM-TO"},
		{[]string{"chart", "deck", "--db", db, "-o", filepath.Join(dir, "d"), "--format", "gif"}, `--format "gif"`},
	}
	for _, c := range cases {
		_, err := run(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want it to mention %q", c.args[1:3], err, c.want)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "ws.duckdb") {
			t.Errorf("bad input left %s behind", e.Name())
		}
	}
}

func TestChartDeckOnEmptyWorkspaceExplainsSkips(t *testing.T) {
	dir := t.TempDir()
	newEmptyWorkspace(t, filepath.Join(dir, "ws.duckdb"))
	out, err := run(t, "chart", "deck", "--db", filepath.Join(dir, "ws.duckdb"), "-o", filepath.Join(dir, "deck"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "0 charts and index.md written") || !strings.Contains(out, "skipped: no trained model") {
		t.Errorf("output:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "deck", "index.md")); err != nil {
		t.Error(err)
	}
}

// TestRetitleEveryKind: --title and --subtitle reach the header of every chart kind, keep
// the kind and leave the other header fields alone.
func TestRetitleEveryKind(t *testing.T) {
	h := charts.Header{Title: "computed", Subtitle: "computed sub", DataDate: "2026-10-31"}
	for _, c := range []charts.Chart{
		charts.GainsChart{Header: h}, charts.ROCChart{Header: h}, charts.CalibrationChart{Header: h},
		charts.SegmentKPIChart{Header: h}, charts.ProfitCurve{Header: h}, charts.ROIChart{Header: h},
		charts.FrequencyChart{Header: h}, charts.ScenarioChart{Header: h}, charts.PredictedDecileChart{Header: h},
		charts.PredictedTimeChart{Header: h},
	} {
		got := retitle(c, "mine", "")
		if got.Kind() != c.Kind() || got.Heading().Title != "mine" || got.Heading().Subtitle != "computed sub" || got.Heading().DataDate != h.DataDate {
			t.Errorf("%s: retitled %T %+v", c.Kind(), got, got.Heading())
		}
		if got := retitle(c, "", "new sub"); got.Heading().Title != "computed" || got.Heading().Subtitle != "new sub" {
			t.Errorf("%s: subtitle only: %+v", c.Kind(), got.Heading())
		}
		if c.Heading().Title != "computed" {
			t.Errorf("%s: retitle changed the original", c.Kind())
		}
	}
}

// TestChartSegmentsNamedSegments: --segments takes built-in and saved segment names, and an
// unknown name or too many names is an error that writes nothing.
func TestChartSegmentsNamedSegments(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ws.duckdb")
	if _, err := run(t, "sample", "--db", db, "--customers", "800", "--seed", "3"); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "segments", "--db", db, "save", "retail", "sector = 'retail'"); err != nil {
		t.Fatal(err)
	}
	svg := filepath.Join(dir, "seg.svg")
	out, err := run(t, "chart", "segments", "--db", db, "--segments", "top, retail", "-o", svg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "wrote "+svg+" (segments") {
		t.Errorf("output:\n%s", out)
	}
	b, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{">retail<", ">top<", "Segments top 10 % and retail"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("segments chart lacks %q", want)
		}
	}
	if strings.Contains(string(b), ">middle<") {
		t.Error("segments chart shows middle, which was not asked for")
	}
	bad := filepath.Join(dir, "bad.png")
	for _, c := range []struct{ segs, want string }{
		{"top,nope", `unknown segment "nope"`},
		{"top,middle,low,retail,a,b,c", "room for 6"},
		{",", "no segment named"},
	} {
		_, err := run(t, "chart", "segments", "--db", db, "--segments", c.segs, "-o", bad)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("--segments %q: %v, want it to say %q", c.segs, err, c.want)
		}
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("a failed chart segments left %s behind", bad)
	}
}

// TestChartPredTimeFootnote: --data-date and --model reach the footnote; a malformed date is
// refused before anything is written.
func TestChartPredTimeFootnote(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "tracking.csv")
	if err := os.WriteFile(csvPath, []byte("label,predicted,actual\nSep 2026,100,96\nOct 2026,120,131\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	svg := filepath.Join(dir, "pt.svg")
	if _, err := run(t, "chart", "pred-time", "--csv", csvPath, "--data-date", "2026-10-31", "--model", "P07-lookalike@v3", "-o", svg); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Data as of 2026-10-31 · Model P07-lookalike@v3 · file tracking.csv", ">Month<"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("pred-time chart lacks %q", want)
		}
	}
	bad := filepath.Join(dir, "bad.png")
	_, err = run(t, "chart", "pred-time", "--csv", csvPath, "--data-date", "31-10-2026", "-o", bad)
	if err == nil || !strings.Contains(err.Error(), `--data-date "31-10-2026": want a date YYYY-MM-DD`) {
		t.Errorf("bad date: %v", err)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("a refused pred-time left %s behind", bad)
	}
}
