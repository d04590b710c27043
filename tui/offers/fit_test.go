package offers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/acrm-dev/acrm/analysis/nbo"
	"github.com/acrm-dev/acrm/tui/offers"
)

// TestResultFitsSmallTerminal: with every rule removing customers and an amount being typed,
// the campaign panel's result fits the 22 lines and 80 columns the workbench gives it at
// 80×24, and still names every rule's removals (the smallest folded into one row), the value
// segments and the gains curve.
func TestResultFitsSmallTerminal(t *testing.T) {
	r := &nbo.SelectResult{RunID: 3, Considered: 1_000_000, Eligible: 812_345, Contacted: 250_000, Controls: 27_778,
		Cost: 1_625_000, Contracts: 12_345.6, Profit: 98_765_432, CutByCap: 4_000,
		Removed: map[string]int{}, BySegment: map[string]int{"top": 100_000, "middle": 100_000, "low": 50_000},
		Basis: nbo.SegmentBasis(3)}
	total := r.CutByCap
	for i, rule := range nbo.RuleOrder {
		r.Removed[rule] = 1000 * (i + 1)
		total += 1000 * (i + 1)
	}
	for d := 1; d <= 20; d++ {
		x := float64(d) / 20
		r.Gains = append(r.Gains, nbo.GainPoint{Depth: x, Share: 1 - (1-x)*(1-x)})
	}
	f := offers.Form{Fields: []string{"product: best (each customer's best offer)", "channel: phone", "limit by: budget",
		"amount: € 1,625,000", "segment: all customers"}, Input: "amount > 1625000"}
	lines := offers.Render(f, r, "", nil, 80)
	if len(lines) > 22 {
		t.Errorf("%d lines at 80 columns, want ≤ 22:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	sum, rows := 0, false
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("line %q is %d columns wide", l, w)
		}
		if strings.HasPrefix(l, "removed by rule") {
			rows = true
			continue
		}
		var name string
		var n int
		// "  <rule> <count>  <gains>": the count ends at column 32.
		if rows && len(l) > 32 {
			name = strings.TrimSpace(l[:23])
			if _, err := fmt.Sscanf(strings.ReplaceAll(strings.TrimSpace(l[23:32]), ",", ""), "%d", &n); err == nil && name != "" {
				sum += n
			}
		}
	}
	if sum != total {
		t.Errorf("the rule rows add up to %d customers, want %d (none lost in the fold)", sum, total)
	}
	v := strings.Join(lines, "\n")
	for _, want := range []string{"other rules", "top 100,000 · middle 100,000 · low 50,000", "scoring run 3", "90% ", "expected profit € 98,765,432"} {
		if !strings.Contains(v, want) {
			t.Errorf("no %q on screen:\n%s", want, v)
		}
	}
}
