package sim

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestProfitCurveRandom(t *testing.T) {
	// Random selection: net(d) = d·N·(rate·profit − cost) − fixed, linear.
	in := ProfitInput{Base: 100000, ResponseRate: 0.015, Profit: 3000, CostPerContact: 20, FixedCost: 100000}
	c, err := in.Curve()
	if err != nil {
		t.Fatal(err)
	}
	if !c.Random {
		t.Error("no gains given but curve not random")
	}
	// Per contact: 0.015·3000 − 20 = 25 ⇒ the whole base is optimal, net 2.5M − 0.1M.
	if c.Optimum.Depth != 1 {
		t.Errorf("optimum depth %v, want 1", c.Optimum.Depth)
	}
	guilder(t, "optimum net", c.Optimum.Net, 2400000)
	// Break-even where d·100000·25 = 100000 → d = 0.04.
	if len(c.BreakEven) != 1 || math.Abs(c.BreakEven[0]-0.04) > 1e-9 {
		t.Errorf("break-even %v, want [0.04]", c.BreakEven)
	}
}

func TestProfitCurveGains(t *testing.T) {
	// Gains: top 10 % holds 40 % of responders, top 30 % holds 70 %.
	gains := []GainPoint{{0.1, 0.4}, {0.3, 0.7}, {0.6, 0.9}}
	in := ProfitInput{Base: 100000, ResponseRate: 0.02, Profit: 1000, CostPerContact: 5, FixedCost: 10000, Gains: gains}
	c, err := in.Curve()
	if err != nil {
		t.Fatal(err)
	}
	// Marginal response rate per segment of the curve:
	//   0–10 %: 0.4·0.02/0.1 = 8 %  → 80 per contact vs 5 cost: pays
	//  10–30 %: 0.3·0.02/0.2 = 3 %  → 30: pays
	//  30–60 %: 0.2·0.02/0.3 = 1.33 % → 13.3: pays
	//  60–100 %: 0.1·0.02/0.4 = 0.5 % → 5: break-even exactly (net flat)
	// So the optimum is at 60 % (first maximum): contracts 0.9·2000 = 1800 → 1.8M − 300,000 − 10,000.
	if math.Abs(c.Optimum.Depth-0.6) > 1e-9 {
		t.Errorf("optimum depth %v, want 0.6", c.Optimum.Depth)
	}
	guilder(t, "optimum net", c.Optimum.Net, 1800000-300000-10000)
	// Lower break-even: slope in first segment 80−5 = 75 per contact: 10000/75 contacts = d·100000 → d = 0.001333…
	if len(c.BreakEven) != 1 || math.Abs(c.BreakEven[0]-10000.0/75/100000) > 1e-6 {
		t.Errorf("break-even %v, want [%v]", c.BreakEven, 10000.0/75/100000)
	}
	p, err := in.At(0.2)
	if err != nil {
		t.Fatal(err)
	}
	// G(0.2) = 0.55 → 1100 contracts, 20,000 contacts.
	if p.Contracts != 1100 || p.Volume != 20000 || math.Abs(p.Conversion-0.055) > 1e-12 {
		t.Errorf("at 20 %%: %+v", p)
	}
	guilder(t, "net at 20 %", p.Net, 1100000-100000-10000)

	// Expensive contacts: deep selection loses money, so there is an upper break-even.
	in.CostPerContact = 20
	c, err = in.Curve()
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(c.Optimum.Depth-0.3) > 1e-9 {
		t.Errorf("optimum depth %v with cost 20, want 0.3", c.Optimum.Depth)
	}
	if len(c.BreakEven) != 2 {
		t.Fatalf("break-even %v, want two crossings", c.BreakEven)
	}
	for _, d := range c.BreakEven {
		p, _ := in.At(d)
		if math.Abs(p.Net) > 1 {
			t.Errorf("net at break-even %.4f = %v", d, p.Net)
		}
	}
	txt := c.Text(0.1)
	if !strings.Contains(txt, "◀ optimum") || !strings.Contains(txt, "◀ break-even") {
		t.Errorf("text lacks marks:\n%s", txt)
	}
}

func TestProfitCurveBadInput(t *testing.T) {
	cases := []struct {
		in   ProfitInput
		want string
	}{
		{ProfitInput{Base: -1, ResponseRate: 0.1}, "base must not be negative"},
		{ProfitInput{Base: 1, ResponseRate: 1.1}, "response rate must be between 0 and 1"},
		{ProfitInput{Base: 1, ResponseRate: 0.1, Gains: []GainPoint{{0.2, 0.5}, {0.4, 0.3}}}, "gains curve decreases"},
		{ProfitInput{Base: 1, ResponseRate: 0.1, Gains: []GainPoint{{1.2, 0.5}}}, "depth 1.2 outside"},
		{ProfitInput{Base: 1, ResponseRate: 0.1, Gains: []GainPoint{{0.2, math.NaN()}}}, "gain NaN outside"},
	}
	for _, c := range cases {
		_, err := c.in.Curve()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v, want %q", c.in, err, c.want)
		}
	}
	// A campaign that never pays: optimum at depth 0, no NaN anywhere.
	c, err := ProfitInput{Base: 1000, ResponseRate: 0.001, Profit: 10, CostPerContact: 1}.Curve()
	if err != nil {
		t.Fatal(err)
	}
	if c.Optimum.Depth != 0 || c.Optimum.Net != 0 {
		t.Errorf("optimum %+v, want depth 0", c.Optimum)
	}
	for _, p := range c.Points {
		if math.IsNaN(p.Net) || math.IsNaN(p.Conversion) {
			t.Fatalf("NaN in %+v", p)
		}
	}
	if !strings.Contains(c.Text(0.25), "does not pay") {
		t.Errorf("text does not say it never pays:\n%s", c.Text(0.25))
	}
}

func ExampleProfitInput_Curve() {
	c, _ := ProfitInput{
		Base: 100000, ResponseRate: 0.02, Profit: 1000, CostPerContact: 20, FixedCost: 10000,
		Gains: []GainPoint{{0.1, 0.4}, {0.3, 0.7}, {0.6, 0.9}},
	}.Curve()
	fmt.Printf("optimum %.0f %% net %s\n", 100*c.Optimum.Depth, FormatShort(c.Optimum.Net))
	// Output: optimum 30 % net 790 k
}
