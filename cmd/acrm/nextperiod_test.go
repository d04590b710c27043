package main

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

func TestSampleNextPeriodCLI(t *testing.T) {
	db := sampleDB(t, 1500)
	for _, bad := range [][]string{{"--drift", "sideways"}, {"--product", "33"}} {
		if _, err := run(t, append([]string{"sample", "next-period", "--db", db}, bad...)...); err == nil {
			t.Errorf("%v: no error", bad)
		} else if !strings.Contains(err.Error(), bad[1]) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	// The monitor's baseline is the history.
	if out, err := acrmCmd("monitor", "--db", db).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	out, err := run(t, "sample", "next-period", "--db", db, "--drift", "appeal-change")
	if err != nil {
		t.Fatal(err)
	}
	// The refused runs wrote nothing: this is the first period after the history.
	for _, want := range []string{"period 5 (2026-11-01 … 2027-04-30), drift appeal-change (product 16), 1,500 customers",
		"no campaign registered", "organic purchases", "ended (churn)"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	// Half the customers turned more digital: the monitor flags the feature; no campaign ran
	// in the period, so the recency of outbound contacts shifts too (an alert: exit 3).
	b, err := acrmCmd("monitor", "--db", db).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 || !strings.Contains(string(b), " digital_affinity: PSI") ||
		!strings.Contains(string(b), "ALERT days_since_outbound: PSI") {
		t.Fatalf("monitor after appeal-change: %v\n%s", err, b)
	}
	out, err = run(t, "sample", "next-period", "--db", db)
	if err != nil || !strings.Contains(out, "period 6 (2027-05-01 … 2027-10-31), drift none") {
		t.Fatalf("second period: %v\n%s", err, out)
	}
}
