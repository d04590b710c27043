package main

import (
	"path/filepath"
	"strings"
	"testing"
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
		{[]string{"simulate", "roi", "--volume", "-150000", "--conversion", "0.015", "--profit", "3000"}, "volume must not be negative"},
		{[]string{"simulate", "roi", "--volume", "150000", "--conversion", "1.5", "--profit", "3000"}, "conversion must be between 0 and 1"},
		{[]string{"simulate", "roi", "--volume", "150000", "--profit", "3000"}, "--conversion is required"},
		{[]string{"simulate", "inbound", "--contacts", "100", "--interesting", "2", "--close", "0.1", "--margin", "1"}, "interesting share must be between 0 and 1"},
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
