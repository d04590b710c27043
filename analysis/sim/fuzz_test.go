package sim

import (
	"encoding/json"
	"math"
	"testing"
)

// FuzzScenarioInputs drives the scenario inputs: the numbers of an outbound and an inbound
// campaign (as typed or given as flags) and the stored JSON of two scenarios being compared.
// Whatever Validate accepts must calculate to finite numbers that save as JSON (1e308 once
// printed "+,Inf" and could not be saved); stored JSON of any shape must compare without a
// panic. Corpus: testdata/fuzz/FuzzScenarioInputs.
func FuzzScenarioInputs(f *testing.F) {
	f.Add(150000.0, 0.015, 3000.0, 0.0, 0.0, `{"volume":1}`, `{"volume":2,"x":{"y":[1,2]}}`)
	f.Add(1e308, 0.5, 1e308, 1e308, 1e308, `[]`, `null`)
	f.Add(math.Inf(1), math.NaN(), -1.0, 0.0, 0.0, `{"a":`, `{"a":"b"}`)
	f.Add(1e12, 1.0, 1e12, 1e12, 1e12, `{"a":{"b":{"c":{"d":1e308}}}}`, `{"a":{"b":{"c":{"d":-1e308}}}}`)
	f.Fuzz(func(t *testing.T, volume, conversion, profit, cost, fixed float64, ja, jb string) {
		o := Outbound{Volume: volume, Conversion: conversion, Profit: profit, CostPerContact: cost, FixedCost: fixed}
		if o.Validate() == nil {
			r, err := o.Calculate()
			if err != nil {
				t.Fatalf("valid %+v does not calculate: %v", o, err)
			}
			for name, v := range map[string]float64{"contracts": r.Contracts, "gross": r.GrossProfit, "cost": r.TotalCost, "net": r.NetProfit, "roi": r.ROI} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%+v: %s = %v", o, name, v)
				}
			}
			if _, err := NewScenario("s", "roi", o, r); err != nil {
				t.Fatalf("%+v: result does not save: %v", o, err)
			}
		}
		in := Inbound{Contacts: volume, Interesting: conversion, Close: conversion, Margin: profit}
		if in.Validate() == nil {
			r, err := in.Calculate()
			if err != nil || math.IsInf(r.YearlyProfit, 0) || math.IsNaN(r.YearlyProfit) {
				t.Fatalf("valid %+v: %+v, %v", in, r, err)
			}
		}
		a := Scenario{Name: "a", Inputs: json.RawMessage(ja), Results: json.RawMessage(jb)}
		b := Scenario{Name: "b", Inputs: json.RawMessage(jb), Results: json.RawMessage(ja)}
		if rows, err := CompareScenarios(a, b); err == nil {
			_ = ComparisonText(a, b, rows)
		}
	})
}
