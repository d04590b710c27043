package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

func TestMonitorExitCodes(t *testing.T) {
	db := sampleDB(t, 1500)
	exitCode := func(args ...string) (int, string) {
		t.Helper()
		out, err := acrmCmd(args...).CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	// First run: the history's campaigns carry no prediction, the baseline is taken now.
	code, out := exitCode("monitor", "--db", db)
	if code != 0 || !strings.Contains(out, "taken now") || !strings.Contains(out, "campaigns: 48") {
		t.Fatalf("first run: exit %d\n%s", code, out)
	}
	// The base moves: digital affinity shifts for everyone.
	ctx := context.Background()
	ws, err := workspace.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ws.ExecContext(ctx, `UPDATE customers SET digital_affinity = 0.5 + digital_affinity / 2`); err != nil {
		t.Fatal(err)
	}
	ws.Close()
	code, out = exitCode("monitor", "--db", db, "--no-drift")
	if code != 0 {
		t.Fatalf("--no-drift: exit %d\n%s", code, out)
	}
	code, out = exitCode("monitor", "--db", db)
	if code != 3 || !strings.Contains(out, "ALERT digital_affinity: PSI") || !strings.Contains(out, "threshold(s) crossed") {
		t.Fatalf("after the shift: exit %d, want 3\n%s", code, out)
	}
	// A higher threshold than the shift's PSI: a warning at most, exit 0.
	if code, out = exitCode("monitor", "--db", db, "--psi-moved", "9", "--psi-shifted", "10"); code != 0 {
		t.Fatalf("--psi-shifted 10: exit %d\n%s", code, out)
	}
	if code, out = exitCode("monitor", "--db", db, "--campaign", "1"); code != 1 || !strings.Contains(out, "hold-out or frequency") {
		t.Fatalf("--campaign 1: exit %d\n%s", code, out)
	}
	// JSON: the same report, machine-readable; the in-process error carries exit code 3.
	js, err := run(t, "monitor", "--db", db, "--format", "json", "--campaign", "5")
	var te thresholdError
	if err != nil && !errors.As(err, &te) {
		t.Fatal(err)
	}
	var rep struct {
		Campaigns []struct {
			ID       int
			Treated  struct{ Members, Converted int }
			QiniCoef *float64
		}
		Drift struct{ Rows []struct{ Subject string } }
		Flags []struct{ Severity, Subject string }
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatalf("%v\n%s", err, js)
	}
	if len(rep.Campaigns) != 1 || rep.Campaigns[0].ID != 5 || rep.Campaigns[0].Treated.Members == 0 || rep.Campaigns[0].QiniCoef != nil {
		t.Errorf("json campaigns %+v", rep.Campaigns)
	}
	if len(rep.Flags) == 0 || rep.Flags[0].Severity != "ALERT" || rep.Drift.Rows[0].Subject != "digital_affinity" {
		t.Errorf("json flags %+v, drift %+v", rep.Flags, rep.Drift.Rows[:1])
	}
	if te.ExitCode() != 3 {
		t.Errorf("exit code %d", te.ExitCode())
	}
	for _, bad := range [][]string{{"--format", "xml"}, {"--psi-moved", "0.3", "--psi-shifted", "0.2"}, {"--follow-days", "-1"}} {
		if _, err := run(t, append([]string{"monitor", "--db", db}, bad...)...); err == nil || errors.As(err, &te) {
			t.Errorf("%v: err %v", bad, err)
		}
		// a refused option is exit code 1, not the threshold's 3
		if code, out := exitCode(append([]string{"monitor", "--db", db}, bad...)...); code != 1 {
			t.Errorf("%v: exit %d, want 1\n%s", bad, code, out)
		}
	}
	// A campaign predicted by the truth stays inside its interval (exit 0); one of another
	// product predicted at 2.5 × the truth converts below its interval (exit 3, its ALERT).
	campaign := func(id, product int, scale float64) {
		t.Helper()
		ws, err := workspace.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		if err := sampletest.TrueCampaign(ctx, ws, id, product, "phone", scale, 7); err != nil {
			t.Fatal(err)
		}
	}
	campaign(9001, 16, 1)
	if code, out := exitCode("monitor", "--db", db, "--no-drift", "--campaign", "9001"); code != 0 || !strings.Contains(out, "no flags") {
		t.Errorf("campaign predicted by the truth: exit %d, want 0\n%s", code, out)
	}
	campaign(9002, 21, 2.5)
	if code, out := exitCode("monitor", "--db", db, "--no-drift", "--campaign", "9002"); code != 3 ||
		!strings.Contains(out, "ALERT campaign 9002: actual acceptance") || !strings.Contains(out, "below the predicted") || !strings.Contains(out, "1 threshold(s) crossed (exit code 3)") {
		t.Errorf("campaign predicted at 2.5 × the truth: exit %d, want 3\n%s", code, out)
	}
}

func TestOutcomesImportCLI(t *testing.T) {
	db := sampleDB(t, 600)
	dir := t.TempDir()
	src := filepath.Join(dir, "r.csv")
	os.WriteFile(src, []byte("customer;campaign;product;outcome;revenue;date\n"+
		"5;4;999;accepted;1;2025-01-10\n99999;4;1;declined;;2025-01-10\n"), 0o644)
	out, err := run(t, "outcomes", "import", "--db", db, "--strict", src)
	if err == nil || !strings.Contains(err.Error(), "nothing imported") || !strings.Contains(out, "unknown customer") ||
		!strings.Contains(out, "unknown product") || !strings.Contains(out, "r.rejects.csv") {
		t.Fatalf("strict: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "r.rejects.csv")); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "outcomes", "import", "--db", db, filepath.Join(dir, "missing.csv")); err == nil {
		t.Fatal("missing file imported")
	}
}
