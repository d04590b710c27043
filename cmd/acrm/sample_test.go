package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestSampleCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.duckdb")
	out, err := run(t, "sample", "--db", db, "--customers", "800", "--seed", "3")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"sample datamart: 800 customers, seed 3", "customers                   800", "sample_truth             25,600", "oracle AUC per product"} {
		if !strings.Contains(out, want) {
			t.Errorf("sample output lacks %q:\n%s", want, out)
		}
	}
	if _, err := run(t, "sample", "--db", db, "--customers", "900"); err == nil || !strings.Contains(err.Error(), "--replace") {
		t.Fatalf("second sample without --replace: %v", err)
	}
	if _, err := run(t, "sample", "--db", db, "--customers", "0", "--replace"); err == nil || !strings.Contains(err.Error(), "--customers 0") {
		t.Fatalf("--customers 0: %v", err)
	}
	if _, err := run(t, "sample", "respond", "--db", db); err == nil || !strings.Contains(err.Error(), "--campaign") {
		t.Fatalf("respond without --campaign: %v", err)
	}
	if _, err := run(t, "sql", "--db", db, `INSERT INTO campaigns VALUES (77, 'cli test', 21, 'mail', DATE '2026-11-02', DATE '2026-11-09', 1.2, 'random', NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "sql", "--db", db, `INSERT INTO campaign_members SELECT 77, customer_id, 'random', true FROM customers WHERE customer_id <= 300`); err != nil {
		t.Fatal(err)
	}
	out, err = run(t, "sample", "respond", "--db", db, "--campaign", "77", "--seed", "5")
	if err != nil || !strings.Contains(out, "campaign 77 (product 21, mail): 300 contacts written") {
		t.Fatalf("respond: %v\n%s", err, out)
	}
	out, err = run(t, "sample", "respond", "--db", db, "--campaign", "77")
	if err != nil || !strings.Contains(out, "nothing written") {
		t.Fatalf("second respond: %v\n%s", err, out)
	}
}

// splitExample splits one example line as a shell would: words separated by spaces, a
// double-quoted word kept whole without its quotes.
func splitExample(line string) []string {
	var words []string
	var w strings.Builder
	quoted, in := false, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted, in = !quoted, true
		case r == ' ' && !quoted:
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
		default:
			w.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, w.String())
	}
	return words
}

// TestSampleRespondSaysHowToRegister (issue 11): sample respond on a campaign nobody
// registered, or on one whose outcomes are drawn already, says how a campaign is registered;
// the registration shown in acrm sample respond --help works as written.
func TestSampleRespondSaysHowToRegister(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.duckdb")
	if _, err := run(t, "sample", "--db", db, "--customers", "600", "--seed", "4"); err != nil {
		t.Fatal(err)
	}
	contacts := func() string {
		out, err := run(t, "sql", "--db", db, "--format", "csv", "SELECT count(*) AS n FROM contacts")
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := contacts()
	_, err := run(t, "sample", "respond", "--db", db, "--campaign", "100")
	if err == nil {
		t.Fatal("respond to an unregistered campaign: no error")
	}
	for _, want := range []string{"--campaign 100", "no such campaign", "register it first", "acrm sample respond --help"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("unregistered campaign: %q lacks %q", err, want)
		}
	}
	if contacts() != before {
		t.Fatal("a refused respond wrote contacts")
	}
	// One of the sample's own campaigns is answered already: nothing written, and it says how.
	out, err := run(t, "sample", "respond", "--db", db, "--campaign", "12")
	if err != nil || !strings.Contains(out, "nothing written") || !strings.Contains(out, "acrm sample respond --help") {
		t.Fatalf("answered campaign: %v\n%s", err, out)
	}

	// The help's example, line by line, on this workspace.
	respond, _, err := rootCmd.Find([]string{"sample", "respond"})
	if err != nil || respond.Name() != "respond" {
		t.Fatalf("sample respond not found: %v", err)
	}
	var last string
	n := 0
	for _, line := range strings.Split(respond.Example, "\n") {
		words := splitExample(strings.TrimSpace(line))
		if len(words) == 0 || words[0] != "acrm" {
			continue
		}
		for i, w := range words {
			if w == "acrm.duckdb" {
				words[i] = db
			}
		}
		if last, err = run(t, words[1:]...); err != nil {
			t.Fatalf("example %q: %v", line, err)
		}
		n++
	}
	if n != 3 || !strings.Contains(last, "campaign 100 (product 16, phone): 24 contacts written") {
		t.Fatalf("%d example lines; the last printed:\n%s", n, last)
	}
	if contacts() == before {
		t.Fatal("the example's respond wrote no contacts")
	}
}
