package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

func TestChallengerAndPromote(t *testing.T) {
	db := sampleDB(t, 1500)
	for range 2 {
		if out, err := run(t, "train", "--db", db, "--product", "16", "--algo", "logit"); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
	ctx := context.Background()
	ws, err := workspace.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := sampletest.TrueCampaign(ctx, ws, 9001, 16, "account_manager", 1, 13); err != nil {
		t.Fatal(err)
	}
	best := func() string {
		t.Helper()
		var id string
		if err := ws.QueryRowContext(ctx, `SELECT model_id FROM acrm_models WHERE is_best`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	ws.Close()
	if _, err := run(t, "monitor", "--db", db, "--no-drift", "--challenger", "P16-lookalike"); err == nil || !strings.Contains(err.Error(), "--campaign") {
		t.Errorf("--challenger without --campaign: %v", err)
	}
	out, err := run(t, "monitor", "--db", db, "--no-drift", "--campaign", "9001", "--challenger", "P16-lookalike@v1")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"champion / challenger on campaign 9001", "champion     truth-test", "challenger   P16-lookalike@v1", "DeLong z"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	js, err := run(t, "monitor", "--db", db, "--no-drift", "--campaign", "9001", "--challenger", "P16-lookalike@v1", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Campaigns []struct {
			Treated struct{ Members, Converted int }
		}
		Challenge struct {
			Members, Converted   int
			Champion, Challenger struct {
				Model string
				AUC   float64
			}
			Diff, P float64
		}
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatalf("%v\n%s", err, js)
	}
	ch := rep.Challenge
	if len(rep.Campaigns) != 1 || ch.Members != rep.Campaigns[0].Treated.Members || ch.Converted != rep.Campaigns[0].Treated.Converted ||
		!(ch.Champion.AUC > 0.5 && ch.Challenger.AUC > 0.5) || ch.Diff != ch.Challenger.AUC-ch.Champion.AUC || !(ch.P >= 0 && ch.P <= 1) {
		t.Errorf("json %+v", rep)
	}
	// The newest version serves; promote the first back, then again (nothing to do).
	ws, err = workspace.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if b := best(); b != "P16-lookalike@v2" {
		t.Fatalf("serving %s after two trainings", b)
	}
	ws.Close()
	if out, err := run(t, "models", "promote", "--db", db, "P16-lookalike@v1"); err != nil || !strings.Contains(out, "P16-lookalike@v1 serves now (was P16-lookalike@v2)") {
		t.Errorf("promote: %v\n%s", err, out)
	}
	if out, err := run(t, "models", "promote", "--db", db, "P16-lookalike@v1"); err != nil || !strings.Contains(out, "already serves") {
		t.Errorf("promote again: %v\n%s", err, out)
	}
	for _, bad := range []string{"P16-lookalike", "P16-lookalike@v9"} {
		if _, err := run(t, "models", "promote", "--db", db, bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("promote %s: %v", bad, err)
		}
	}
	ws, err = workspace.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var n int
	if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM acrm_models WHERE name = 'P16-lookalike'`).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d versions kept (%v)", n, err)
	}
	if b := best(); b != "P16-lookalike@v1" {
		t.Errorf("serving %s after promoting v1", b)
	}
	// Who served when: v1 (train), v2 (train), v1 (promote); only the last row is open.
	log, err := profiles.ServingLog(ctx, ws, "P16-lookalike")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range log {
		got = append(got, fmt.Sprintf("%s/%s/%v", s.ModelID, s.Via, s.Until.IsZero()))
	}
	if want := "P16-lookalike@v1/train/false P16-lookalike@v2/train/false P16-lookalike@v1/promote/true"; strings.Join(got, " ") != want {
		t.Errorf("serving log %v, want %s", got, want)
	}
	// acrm models serving prints the same log: three rows, the last one still serving.
	ws.Close()
	out, err = run(t, "models", "serving", "--db", db, "P16-lookalike")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err != nil || len(lines) != 4 || !strings.Contains(lines[3], "P16-lookalike@v1") || !strings.Contains(lines[3], "serving") ||
		!strings.HasSuffix(lines[3], "promote") || !strings.HasSuffix(lines[2], "train") {
		t.Errorf("models serving: %v\n%s", err, out)
	}
}
