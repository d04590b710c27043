package main

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

func TestSimulateSeeds(t *testing.T) {
	out, err := run(t, "simulate", "roi", "--volume", "150000", "--conversion", "0.015", "--profit", "3000",
		"--targeted-volume", "100000", "--targeted-conversion", "0.025", "--targeted-profit", "3500")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2,250", "2,500", "6,750,000 (6.75 M)", "8,750,000 (8.75 M)", "+2,000,000 (+2 M)"} {
		if !strings.Contains(out, want) {
			t.Errorf("roi output lacks %q:\n%s", want, out)
		}
	}
	out, err = run(t, "simulate", "inbound", "--contacts", "100000", "--interesting", "0.05", "--close", "0.10", "--margin", "3500")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"500", "1,750,000 (1.75 M)"} {
		if !strings.Contains(out, want) {
			t.Errorf("inbound output lacks %q:\n%s", want, out)
		}
	}
	out, err = run(t, "simulate", "profit", "--base", "100000", "--response", "0.02", "--profit", "1000", "--cost", "20",
		"--fixed", "10000", "--gains", "0.1:0.4,30%:70%,0.6:0.9")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "optimum: select the top 30.0 %") || !strings.Contains(out, "break-even depth:") {
		t.Errorf("profit output:\n%s", out)
	}
}

func TestSimulateBadInput(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"simulate", "roi", "--volume", "-150000", "--conversion", "0.015", "--profit", "3000"}, "--volume -150000: out of range; expected 0 to 1,000,000,000,000"},
		{[]string{"simulate", "roi", "--volume", "150000", "--conversion", "1.5", "--profit", "3000"}, "--conversion 1.5: out of range; expected 0 to 1"},
		{[]string{"simulate", "roi", "--volume", "150000", "--profit", "3000"}, "--conversion is required"},
		{[]string{"simulate", "inbound", "--contacts", "100", "--interesting", "2", "--close", "0.1", "--margin", "1"}, "--interesting 2: out of range; expected 0 to 1"},
		{[]string{"simulate", "profit", "--base", "10", "--response", "0.1", "--profit", "1", "--gains", "0.1"}, "want depth:gain"},
		{[]string{"simulate", "frequency", "--period", "5m"}, "want 3m, 6m or 12m"},
		{[]string{"simulate", "frequency", "--from", "3"}, "give both --from and --to"},
		{[]string{"simulate", "save", "x", "lottery"}, "unknown kind"},
	}
	for _, c := range cases {
		_, err := run(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.args, err, c.want)
		}
	}
}

func TestSimulateScenarios(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ws.duckdb")
	// Saving a scenario needs a workspace; only sample and import create one.
	if _, err := run(t, "simulate", "save", "plan-a", "roi", "--db", db, "--volume", "1", "--conversion", "0.1", "--profit", "1"); err == nil ||
		!strings.Contains(err.Error(), "no workspace at") {
		t.Fatalf("saving into a missing workspace: %v", err)
	}
	newEmptyWorkspace(t, db)
	if _, err := run(t, "simulate", "save", "plan-a", "roi", "--db", db, "--volume", "150000", "--conversion", "0.015", "--profit", "3000",
		"--targeted-volume", "100000", "--targeted-conversion", "0.025", "--targeted-profit", "3500"); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "simulate", "roi", "--db", db, "--save", "plan-b", "--volume", "150000", "--conversion", "0.015", "--profit", "3000",
		"--targeted-volume", "80000", "--targeted-conversion", "0.029", "--targeted-profit", "3500"); err != nil {
		t.Fatal(err)
	}
	// The same name again is refused and changes nothing.
	if _, err := run(t, "simulate", "inbound", "--db", db, "--save", "plan-b", "--contacts", "1", "--interesting", "0.1", "--close", "0.1", "--margin", "1"); err == nil {
		t.Error("duplicate scenario name accepted")
	}
	out, err := run(t, "simulate", "list", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "plan-a") || !strings.Contains(out, "plan-b") || !strings.Contains(out, "+2 M vs mass") {
		t.Errorf("list:\n%s", out)
	}
	out, err = run(t, "simulate", "compare", "plan-a", "plan-b", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "targeted.contracts") || !strings.Contains(out, "−180") {
		t.Errorf("compare:\n%s", out)
	}
	if _, err := run(t, "simulate", "compare", "plan-a", "nope", "--db", db); err == nil || !strings.Contains(err.Error(), "no such scenario") {
		t.Errorf("compare with a missing scenario: %v", err)
	}
}

// TestSimulateFrequencyCLI runs acrm simulate frequency on a small generated sample: the
// what-if for a built-in and a saved segment, an empty saved segment, a non-half-year
// period and --save with several segments.
func TestSimulateFrequencyCLI(t *testing.T) {
	db := sampleDB(t, 5000)
	boot := []string{"--boot", "40", "--seed", "3"}
	out, err := run(t, append([]string{"simulate", "frequency", "--db", db, "--segment", "top", "--from", "3", "--to", "4"}, boot...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out)
	for _, want := range []string{"What-if: segment top (500 customers", "3 → 4 offers per half year",
		"response curve: randomized frequency cells", "randomized check, one half year only (cells freq-4:"} {
		if !strings.Contains(out, want) {
			t.Errorf("what-if output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "NOTE:") || strings.Contains(out, "NaN") {
		t.Errorf("half-year what-if on randomized cells carries a note or NaN:\n%s", out)
	}
	// Extra contracts, revenue and opt-outs, each with its interval.
	for _, row := range []string{"contracts / half year", "revenue / half year", "opt-outs / half year"} {
		re := regexp.MustCompile(regexp.QuoteMeta(row) + `\s+\S+( [kM])?\s+\S+( [kM])?\s+[+−]?[0-9.,]+( [kM])?\s+\([+−]?[0-9.,]+( [kM])? … [+−]?[0-9.,]+( [kM])?\)`)
		if !re.MatchString(out) {
			t.Errorf("no %q row with now, what-if and change (CI):\n%s", row, out)
		}
	}
	if !regexp.MustCompile(`randomized check.*\n\s+contracts [+−]?[0-9,]+\s+\(.* … .*\) · revenue .*\(.* … .*\) · opt-outs .*\(.* … .*\)`).MatchString(out) {
		t.Errorf("randomized check without intervals:\n%s", out)
	}

	// A saved segment by name.
	if _, err := run(t, "segments", "--db", db, "save", "smallbiz", "size_class IN ('micro', 'small')"); err != nil {
		t.Fatal(err)
	}
	n, err := run(t, "sql", "--db", db, "--format", "csv", "SELECT count(*) FROM customers WHERE size_class IN ('micro', 'small')")
	if err != nil {
		t.Fatal(err)
	}
	count, _ := strconv.ParseFloat(strings.TrimSpace(strings.Split(n, "\n")[1]), 64)
	out, err = run(t, append([]string{"simulate", "frequency", "--db", db, "--segment", "smallbiz", "--from", "2", "--to", "3"}, boot...)...)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("What-if: segment smallbiz (%s customers; size_class IN ('micro', 'small'))", sim.FormatCount(count))
	if !strings.Contains(out, want) || !strings.Contains(out, "opt-outs / half year") {
		t.Errorf("saved segment: output lacks %q:\n%s", want, out)
	}

	// An empty saved segment: a clear error, nothing printed, no scenario written. segments
	// save refuses a filter that selects nobody, but a workspace can hold one (saved before
	// the data changed, or written by another tool): store it directly.
	if _, err := run(t, "segments", "--db", db, "save", "nobody", "monthly_revenue < 0"); err == nil || !strings.Contains(err.Error(), "selects no customers") {
		t.Fatalf("segments save of an empty filter: %v", err)
	}
	if ws, err := workspace.Open(context.Background(), db); err != nil {
		t.Fatal(err)
	} else {
		_, err = ws.ExecContext(context.Background(), `INSERT INTO acrm_segments (name, filter_sql, description, created_at) VALUES ('nobody', 'monthly_revenue < 0', '', now())`)
		ws.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	out, err = run(t, append([]string{"simulate", "frequency", "--db", db, "--segment", "nobody", "--from", "3", "--to", "4", "--save", "empty-plan"}, boot...)...)
	if err == nil || !strings.Contains(err.Error(), `segment "nobody"`) || !strings.Contains(err.Error(), "has no customers") {
		t.Errorf("empty segment: err = %v", err)
	}
	if out != "" {
		t.Errorf("empty segment printed:\n%s", out)
	}
	if list, _ := run(t, "simulate", "list", "--db", db); strings.Contains(list, "empty-plan") {
		t.Errorf("a scenario was saved for an empty segment:\n%s", list)
	}

	// --save with several segments is refused before anything is computed: the unknown
	// second segment would otherwise be the error.
	out, err = run(t, append([]string{"simulate", "frequency", "--db", db, "--segment", "top,nosuch", "--from", "3", "--to", "4", "--save", "two"}, boot...)...)
	if err == nil || !strings.Contains(err.Error(), "--save takes one segment") {
		t.Errorf("--save with two segments: err = %v", err)
	}
	if out != "" {
		t.Errorf("--save with two segments printed before failing:\n%s", out)
	}

	// A quarter: the cells are half-year cells, and the output says the levels are observational.
	out, err = run(t, append([]string{"simulate", "frequency", "--db", db, "--segment", "all", "--period", "3m", "--from", "1", "--to", "2"}, boot...)...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "NOTE: the randomized frequency and hold-out cells set offers per half year, not per quarter") ||
		!strings.Contains(out, "--period 6m") || strings.Contains(out, "randomized check, one") {
		t.Errorf("3m what-if does not say the cells are half-year cells:\n%s", out)
	}
}

// TestSimulateFromModelDerivesInputs (issue 11): simulate profit --model and simulate inbound
// --model --threshold take base, response, profit, contacts and margin from the workspace as
// the Simulate screen does; a flag given still wins.
func TestSimulateFromModelDerivesInputs(t *testing.T) {
	db := sampleDB(t, 2000)
	// a product whose mass-mailing response is known: it had a randomly selected campaign
	q, err := run(t, "sql", "--db", db, "--format", "csv", "SELECT min(c.product_id) AS p FROM campaigns c JOIN products p USING (product_id) JOIN contacts k ON k.campaign_id = c.campaign_id AND k.outcome = 'accepted' WHERE c.selection = 'random' AND p.objective <> 'retention'")
	if err != nil {
		t.Fatal(err)
	}
	pid := strings.TrimSpace(strings.Split(q, "\n")[1])
	if out, err := run(t, "train", "--db", db, "--product", pid, "--algo", "logit"); err != nil {
		t.Fatalf("train: %q, %v", out, err)
	}
	model := fmt.Sprintf("P%02s-lookalike", pid)
	out, err := run(t, "simulate", "profit", "--db", db, "--model", model)
	if err != nil || !strings.Contains(out, "eligible customers") || !strings.Contains(out, "Profit over selection depth") {
		t.Fatalf("profit --model: %q, %v", out, err)
	}
	out, err = run(t, "simulate", "profit", "--db", db, "--model", model, "--base", "1234")
	if err != nil || !strings.Contains(out, "base 1,234") {
		t.Fatalf("profit --model --base: %q, %v", out, err)
	}
	if out, err := run(t, "score", "--db", db, "--model", model); err != nil {
		t.Fatalf("score: %q, %v", out, err)
	}
	out, err = run(t, "simulate", "inbound", "--db", db, "--model", model, "--threshold", "0.05")
	if err != nil || !strings.Contains(out, "inbound contacts a month") || !strings.Contains(out, "the product's margin") {
		t.Fatalf("inbound --model: %q, %v", out, err)
	}
	out, err = run(t, "simulate", "inbound", "--db", db, "--model", model, "--threshold", "0.05", "--contacts", "5000", "--margin", "100")
	if err != nil || strings.Contains(out, "inbound contacts a month") || !strings.Contains(out, "5,000") {
		t.Fatalf("inbound --model with contacts and margin: %q, %v", out, err)
	}
}
