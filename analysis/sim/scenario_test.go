package sim

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

func memWorkspace(t testing.TB) *workspace.Workspace {
	t.Helper()
	ws, err := workspace.Open(context.Background(), workspace.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

func TestScenarios(t *testing.T) {
	ctx := context.Background()
	ws := memWorkspace(t)

	mass := Outbound{Volume: 150000, Conversion: 0.015, Profit: 3000}
	c1, _ := CompareOutbound(mass, Outbound{Volume: 100000, Conversion: 0.025, Profit: 3500})
	c2, _ := CompareOutbound(mass, Outbound{Volume: 80000, Conversion: 0.029, Profit: 3500})
	s1, err := NewScenario("targeted 100k", KindROI, map[string]any{"mass": mass, "targeted": c1.Targeted.Outbound}, c1)
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := NewScenario("targeted 80k", KindROI, map[string]any{"mass": mass, "targeted": c2.Targeted.Outbound}, c2)
	for _, s := range []Scenario{s1, s2} {
		if err := SaveScenario(ctx, ws, s, false); err != nil {
			t.Fatal(err)
		}
	}
	// Same name again: refused, nothing changes.
	if err := SaveScenario(ctx, ws, s2, false); !errors.Is(err, ErrScenarioExists) {
		t.Errorf("duplicate save err = %v", err)
	}
	// Bad names and kinds are refused.
	bad := s1
	bad.Name = "'; drop table x"
	if err := SaveScenario(ctx, ws, bad, false); err == nil {
		t.Error("bad name accepted")
	}
	bad = s1
	bad.Name, bad.Kind = "ok", "lottery"
	if err := SaveScenario(ctx, ws, bad, false); err == nil || !strings.Contains(err.Error(), "unknown kind") {
		t.Errorf("bad kind err = %v", err)
	}

	list, err := ListScenarios(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("%d scenarios listed, want 2", len(list))
	}
	lt := ListText(list)
	if !strings.Contains(lt, "targeted net 8.75 M, +2 M vs mass") {
		t.Errorf("list headline missing:\n%s", lt)
	}

	a, err := GetScenario(ctx, ws, "targeted 100k")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GetScenario(ctx, ws, "targeted 80k")
	rows, err := CompareScenarios(a, b)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if r.Section == "result" && r.Key == "targeted.contracts" {
			found = true
			// 80,000 × 2.9 % = 2,320 vs 2,500.
			if !r.HasDiff || r.Diff != -180 || r.A != "2,500" || r.B != "2,320" {
				t.Errorf("targeted.contracts row %+v", r)
			}
		}
	}
	if !found {
		t.Error("no targeted.contracts row")
	}
	txt := ComparisonText(a, b, rows)
	if !strings.Contains(txt, "−180") {
		t.Errorf("comparison lacks −180:\n%s", txt)
	}

	if _, err := GetScenario(ctx, ws, "nope"); !errors.Is(err, ErrNoScenario) {
		t.Errorf("missing scenario err = %v", err)
	}
	// Replace works.
	s2.Kind = KindROI
	if err := SaveScenario(ctx, ws, s2, true); err != nil {
		t.Fatal(err)
	}
	if err := DeleteScenario(ctx, ws, "targeted 80k"); err != nil {
		t.Fatal(err)
	}
	if err := DeleteScenario(ctx, ws, "targeted 80k"); !errors.Is(err, ErrNoScenario) {
		t.Errorf("second delete err = %v", err)
	}
}
