package sim

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// guilder compares money to the guilder (well within: to the cent).
func guilder(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 0.005 {
		t.Errorf("%s = %.4f, want %.2f", what, got, want)
	}
}

func TestOutboundSeed(t *testing.T) {
	c, err := CompareOutbound(
		Outbound{Volume: 150000, Conversion: 0.015, Profit: 3000},
		Outbound{Volume: 100000, Conversion: 0.025, Profit: 3500},
	)
	if err != nil {
		t.Fatal(err)
	}
	if c.Mass.Contracts != 2250 {
		t.Errorf("mass contracts = %v, want exactly 2250", c.Mass.Contracts)
	}
	if c.Targeted.Contracts != 2500 {
		t.Errorf("targeted contracts = %v, want exactly 2500", c.Targeted.Contracts)
	}
	guilder(t, "mass gross", c.Mass.GrossProfit, 6750000)
	guilder(t, "targeted gross", c.Targeted.GrossProfit, 8750000)
	guilder(t, "extra gross", c.ExtraGrossProfit, 2000000)
	guilder(t, "extra net", c.ExtraNetProfit, 2000000)
	if c.ExtraContracts != 250 {
		t.Errorf("extra contracts = %v, want 250", c.ExtraContracts)
	}
	if c.Mass.HasROI {
		t.Errorf("ROI defined without cost: %v", c.Mass.ROI)
	}
	txt := c.Text()
	for _, want := range []string{"2,250", "2,500", "6,750,000 (6.75 M)", "8,750,000 (8.75 M)", "+2,000,000 (+2 M)", "+250"} {
		if !strings.Contains(txt, want) {
			t.Errorf("table lacks %q:\n%s", want, txt)
		}
	}
}

func TestOutboundCosts(t *testing.T) {
	cases := []struct {
		in                          Outbound
		contracts, gross, cost, net float64
		roi, breakEven              float64
		hasROI                      bool
	}{
		// 150,000 mailings at 0.85 a piece plus 25,000 fixed.
		{Outbound{150000, 0.015, 3000, 0.85, 25000}, 2250, 6750000, 152500, 6597500, 6597500.0 / 152500, 152500.0 / (150000 * 3000), true},
		// Costs exceed profit: negative ROI.
		{Outbound{10000, 0.001, 500, 1, 0}, 10, 5000, 10000, -5000, -0.5, 10000.0 / (10000 * 500), true},
		// Nothing contacted.
		{Outbound{0, 0.02, 3000, 1, 0}, 0, 0, 0, 0, 0, 0, false},
		// 100 % conversion is allowed.
		{Outbound{3, 1, 10, 0, 0}, 3, 30, 0, 30, 0, 0, false},
		// Fractional expected contracts.
		{Outbound{1001, 0.015, 3000, 0, 100}, 15.015, 45045, 100, 44945, 449.45, 100.0 / (1001 * 3000), true},
	}
	for i, c := range cases {
		r, err := c.in.Calculate()
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if math.Abs(r.Contracts-c.contracts) > 1e-9 {
			t.Errorf("case %d contracts = %v, want %v", i, r.Contracts, c.contracts)
		}
		guilder(t, fmt.Sprintf("case %d gross", i), r.GrossProfit, c.gross)
		guilder(t, fmt.Sprintf("case %d cost", i), r.TotalCost, c.cost)
		guilder(t, fmt.Sprintf("case %d net", i), r.NetProfit, c.net)
		if r.HasROI != c.hasROI || math.Abs(r.ROI-c.roi) > 1e-9 {
			t.Errorf("case %d ROI = %v (%v), want %v (%v)", i, r.ROI, r.HasROI, c.roi, c.hasROI)
		}
		if math.Abs(r.BreakEvenConversion-c.breakEven) > 1e-12 {
			t.Errorf("case %d break-even = %v, want %v", i, r.BreakEvenConversion, c.breakEven)
		}
		// At the break-even conversion the net profit is zero.
		if c.breakEven > 0 && c.breakEven <= 1 {
			in := c.in
			in.Conversion = r.BreakEvenConversion
			z, err := in.Calculate()
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(z.NetProfit) > 0.01 {
				t.Errorf("case %d: net at break-even conversion = %v", i, z.NetProfit)
			}
		}
	}
}

func TestOutboundBadInput(t *testing.T) {
	cases := []struct {
		in   Outbound
		want string
	}{
		{Outbound{Volume: -1, Conversion: 0.01, Profit: 1}, "volume must not be negative"},
		{Outbound{Volume: 10, Conversion: 1.5, Profit: 1}, "conversion must be between 0 and 1"},
		{Outbound{Volume: 10, Conversion: -0.1, Profit: 1}, "conversion must be between 0 and 1"},
		{Outbound{Volume: 10, Conversion: math.NaN(), Profit: 1}, "conversion must be a number"},
		{Outbound{Volume: 10, Conversion: 0.1, Profit: -3}, "profit per contract must not be negative"},
		{Outbound{Volume: 10, Conversion: 0.1, Profit: 3, CostPerContact: -1}, "cost per contact must not be negative"},
		{Outbound{Volume: 10, Conversion: 0.1, Profit: 3, FixedCost: math.Inf(1)}, "fixed cost must be a number"},
	}
	for _, c := range cases {
		_, err := c.in.Calculate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v, want %q", c.in, err, c.want)
		}
	}
	_, err := CompareOutbound(Outbound{Volume: 1, Conversion: 0.1}, Outbound{Volume: 1, Conversion: 2})
	if err == nil || !strings.Contains(err.Error(), "targeted campaign: conversion") {
		t.Errorf("compare err = %v, want it to name the targeted side", err)
	}
}

func TestInboundSeed(t *testing.T) {
	r, err := Inbound{Contacts: 100000, Interesting: 0.05, Close: 0.10, Margin: 3500}.Calculate()
	if err != nil {
		t.Fatal(err)
	}
	if r.Offers != 5000 || r.Contracts != 500 {
		t.Errorf("offers %v contracts %v, want 5000 and 500", r.Offers, r.Contracts)
	}
	guilder(t, "monthly", r.MonthlyProfit, 1750000)
	guilder(t, "yearly", r.YearlyProfit, 21000000)
	if !strings.Contains(r.Text(), "1,750,000 (1.75 M)") {
		t.Errorf("text lacks 1.75 M:\n%s", r.Text())
	}
	for _, bad := range []Inbound{
		{Contacts: -5, Interesting: 0.1, Close: 0.1, Margin: 1},
		{Contacts: 5, Interesting: 1.2, Close: 0.1, Margin: 1},
		{Contacts: 5, Interesting: 0.1, Close: 7, Margin: 1},
		{Contacts: 5, Interesting: 0.1, Close: 0.1, Margin: -1},
	} {
		if _, err := bad.Calculate(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestInboundFromScores(t *testing.T) {
	scores := []float64{0.01, 0.02, 0.2, 0.3, 0.05, 0.4, 0.03, 0.01, 0.02, 0.1}
	in, cl, err := InboundFromScores(scores, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if in != 0.4 || math.Abs(cl-0.25) > 1e-12 {
		t.Errorf("interesting %v close %v, want 0.4 and 0.25", in, cl)
	}
	if _, _, err := InboundFromScores(scores, 0.9); err == nil {
		t.Error("threshold above every score accepted")
	}
	if _, _, err := InboundFromScores(nil, 0.1); err == nil {
		t.Error("no scores accepted")
	}
	if _, _, err := InboundFromScores([]float64{1.2}, 0.1); err == nil {
		t.Error("score above 1 accepted")
	}
}

func TestFormat(t *testing.T) {
	cases := map[string]string{
		FormatCount(2250):               "2,250",
		FormatCount(150000):             "150,000",
		FormatCount(2.5):                "2.5",
		FormatCount(-1234567):           "-1,234,567",
		FormatMoney(6750000):            "6,750,000",
		FormatShort(6750000):            "6.75 M",
		FormatShort(2000000):            "2 M",
		FormatShort(12500):              "12.5 k",
		FormatSigned(-250, FormatCount): "−250",
		FormatSigned(2e6, FormatShort):  "+2 M",
		FormatPercent(0.015):            "1.50 %",
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func ExampleCompareOutbound() {
	c, err := CompareOutbound(
		Outbound{Volume: 150000, Conversion: 0.015, Profit: 3000},
		Outbound{Volume: 100000, Conversion: 0.025, Profit: 3500},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Mass.Contracts, c.Targeted.Contracts, FormatShort(c.ExtraNetProfit))
	// Output: 2250 2500 2 M
}

func ExampleInbound_Calculate() {
	r, _ := Inbound{Contacts: 100000, Interesting: 0.05, Close: 0.10, Margin: 3500}.Calculate()
	fmt.Println(FormatCount(r.Contracts), FormatShort(r.MonthlyProfit))
	// Output: 500 1.75 M
}
