package simulate

import (
	"encoding/json"
	"testing"

	"github.com/acrm-dev/acrm/analysis/sim"
)

// TestInputsFollowFieldOrder: input i read and set by the panels is the one named by
// OutboundFields[i] / InboundFields[i] (their Name is the JSON key), and only that one.
func TestInputsFollowFieldOrder(t *testing.T) {
	check := func(kind string, fields []Field, set func(i int) any, get func(i int) float64) {
		t.Helper()
		for i, f := range fields {
			b, err := json.Marshal(set(i))
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]float64
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			for k, v := range m {
				if want := map[bool]float64{true: 7, false: 0}[k == f.Name]; v != want {
					t.Errorf("%s input %d (%s): %s = %v, want %v", kind, i, f.Name, k, v, want)
				}
			}
			if get(i) != float64(i+1) {
				t.Errorf("%s input %d reads %v, want %v", kind, i, get(i), i+1)
			}
		}
	}
	o := sim.Outbound{Volume: 1, Conversion: 2, Profit: 3, CostPerContact: 4, FixedCost: 5}
	check("outbound", OutboundFields,
		func(i int) any { return withOutboundValue(sim.Outbound{}, i, 7) },
		func(i int) float64 { return outboundValue(o, i) })
	in := sim.Inbound{Contacts: 1, Interesting: 2, Close: 3, Margin: 4}
	check("inbound", InboundFields,
		func(i int) any { return withInboundValue(sim.Inbound{}, i, 7) },
		func(i int) float64 { return inboundValue(in, i) })
	if got := withOutboundValue(o, len(OutboundFields), 9); got != o {
		t.Errorf("an input out of range changed %+v to %+v", o, got)
	}
}

func TestExtraContractsAtTheColumnsPrecision(t *testing.T) {
	if g := extraContracts(251.6, 168.04, -83.56); g != -84 {
		t.Errorf("252 against 168: change %v, want −84", g)
	}
	if g := extraContracts(2.5, 1.25, -1.25); g != -1.25 {
		t.Errorf("small counts keep their decimals: %v", g)
	}
}
