package nbo

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// The trace's details built without fmt read as fmt wrote them.
func TestCheckDetailsAsFmt(t *testing.T) {
	r := &Rules{PeriodMonths: 6, MinPropensity: 0.001}
	h := &History{Eligible: true}
	for _, v := range []float64{0, -0.004, 0.004, -3.455, 12.345, 1e9, -1e-9, math.NaN(), math.Inf(1), math.Inf(-1), 0.0005, 0.00099999} {
		c := &Candidate{Product: 1, Objective: ObjCrossSell, Channel: "mail", P: v, Value: v}
		rule, got := r.check(time.Time{}, cutoffs{}, h, Usage{Cap: 3}, c, true)
		var want string
		switch rule {
		case RuleMinPropensity:
			want = fmt.Sprintf("P(accept) %.3f%% below the minimum %.3f%%", 100*c.P, 100*r.MinPropensity)
		case RuleNoValue:
			want = fmt.Sprintf("expected value %.2f after the contact cost", c.Value)
		default:
			continue
		}
		if got != want {
			t.Errorf("%v: %q, fmt %q", v, got, want)
		}
	}
	_, got := r.check(time.Time{}, cutoffs{}, h, Usage{Total: 3, Cap: 3}, &Candidate{Product: 1, Objective: ObjCrossSell, Channel: "mail"}, true)
	if want := fmt.Sprintf("%d of %d offers in this %d-month period", 3, 3, 6); got != want {
		t.Errorf("cap: %q, fmt %q", got, want)
	}
}
