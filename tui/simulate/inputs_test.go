package simulate

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/tui/components"
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

// At 80 columns (78 inside the box) the what-if table keeps the change and its whole interval.
func TestWhatIfFitsEightyColumns(t *testing.T) {
	e := func(v, lo, hi float64) sim.Estimate { return sim.Estimate{Estimate: v, Lo: lo, Hi: hi} }
	growth := e(0.70, 0.52, 0.89)
	wi := &sim.WhatIf{From: 3, To: 4,
		NowContracts: e(223, 0, 0), WhatIfContracts: e(380, 0, 0), ExtraContracts: e(157, 110, 200),
		NowRevenue: e(343900, 0, 0), WhatIfRevenue: e(585300, 0, 0), ExtraRevenue: e(241400, 162900, 311600),
		RevenueEffect: &growth, NowOptOuts: e(7, 0, 0), WhatIfOptOuts: e(18, 0, 0), ExtraOptOuts: e(11, 4, 33)}
	lines := WhatIfLines(wi, nil, 6, 78)
	for _, l := range lines {
		if components.Width(l) > 78 || strings.Contains(l, "…)") && !strings.HasSuffix(l, ")") {
			t.Errorf("line %q is %d wide", l, components.Width(l))
		}
	}
	if rev := lines[2]; !strings.HasSuffix(rev, "+311.6 k)") {
		t.Errorf("revenue change cut at 78 columns: %q", rev)
	}
	wide := WhatIfLines(wi, nil, 6, 138)
	if !strings.HasPrefix(wide[1], "contracts / half year ") || components.Width(wide[0]) != 22+14+14+2+len("change (95 % CI)") {
		t.Errorf("wide layout changed: %q", wide[:2])
	}
}
