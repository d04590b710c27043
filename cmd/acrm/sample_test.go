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
