package deck

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/charts"
)

// scenarioMoney reads the money result of a saved scenario and what it measures:
//
//	roi        net profit of the targeted campaign (of the mass one when alone)
//	profit     net profit at the optimal selection depth
//	inbound    yearly profit
//	frequency  extra revenue per period of the what-if, with its 95 % interval
//
// ok is false for scenarios without such a result (a frequency analysis without what-if).
func scenarioMoney(s sim.Scenario) (v charts.ScenarioValue, measure string, ok bool) {
	var r map[string]any
	if err := json.Unmarshal(s.Results, &r); err != nil {
		return v, "", false
	}
	num := func(m map[string]any, path ...string) (float64, bool) {
		var cur any = m
		for _, p := range path {
			mm, isMap := cur.(map[string]any)
			if !isMap {
				return 0, false
			}
			cur = mm[p]
		}
		f, isNum := cur.(float64)
		return f, isNum && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	v.Name = s.Name
	switch s.Kind {
	case sim.KindROI:
		if x, ok := num(r, "targeted", "net_profit"); ok {
			v.Value = x
			return v, "net profit", true
		}
		if x, ok := num(r, "mass", "net_profit"); ok {
			v.Value = x
			return v, "net profit", true
		}
	case sim.KindProfit:
		if x, ok := num(r, "optimum", "net"); ok {
			v.Value = x
			return v, "net profit at the optimum", true
		}
	case sim.KindInbound:
		if x, ok := num(r, "yearly_profit"); ok {
			v.Value = x
			return v, "yearly profit", true
		}
	case sim.KindFrequency:
		e, ok1 := num(r, "extra_revenue", "estimate")
		lo, ok2 := num(r, "extra_revenue", "lo")
		hi, ok3 := num(r, "extra_revenue", "hi")
		if ok1 && ok2 && ok3 {
			v.Value, v.Lo, v.Hi = e, math.Min(lo, e), math.Max(hi, e)
			return v, "extra revenue per period", true
		}
	}
	return v, "", false
}

// SavedScenarios compares scenarios saved with acrm simulate … --save on their money
// result (see scenarioMoney); names limits and orders them (nil = all, oldest first).
// Scenarios without a money result are listed in the notes.
func (s *Source) SavedScenarios(ctx context.Context, names []string) (charts.ScenarioChart, []string, error) {
	c := charts.ScenarioChart{Unit: charts.Money}
	if ok, err := s.WS.HasTable(ctx, "acrm_scenarios"); err != nil || !ok {
		return c, nil, noData("the workspace has no acrm_scenarios table")
	}
	all, err := sim.ListScenarios(ctx, s.WS)
	if err != nil {
		return c, nil, err
	}
	var list []sim.Scenario
	if len(names) == 0 {
		list = all
	} else {
		byName := map[string]sim.Scenario{}
		for _, sc := range all {
			byName[sc.Name] = sc
		}
		for _, n := range names {
			sc, ok := byName[n]
			if !ok {
				return c, nil, fmt.Errorf("deck: no saved scenario %q (acrm simulate list shows them)", n)
			}
			list = append(list, sc)
		}
	}
	var notes []string
	measures := map[string]bool{}
	for _, sc := range list {
		v, m, ok := scenarioMoney(sc)
		if !ok {
			notes = append(notes, fmt.Sprintf("%s (%s) has no money result to compare", sc.Name, sc.Kind))
			continue
		}
		measures[m] = true
		v.Name = fmt.Sprintf("%s (%s)", sc.Name, sc.Kind)
		c.Scenarios = append(c.Scenarios, v)
		if len(c.Scenarios) == 12 {
			notes = append(notes, "only the first 12 scenarios are shown")
			break
		}
	}
	if len(c.Scenarios) == 0 {
		return c, notes, noData("no saved scenario with a money result (save one with acrm simulate roi … --save NAME)")
	}
	if len(measures) == 1 {
		for m := range measures {
			c.Measure = strings.ToUpper(m[:1]) + m[1:]
		}
	} else {
		c.Measure = "Profit (extra revenue for frequency what-ifs)"
	}
	best := c.Scenarios[bestIndex(c.Scenarios)]
	th := charts.DefaultTheme()
	c.Header = s.header(
		fmt.Sprintf("Of %d saved scenarios, %s earns the most: %s", len(c.Scenarios), best.Name, charts.Money.Format(th, best.Value)),
		"Scenarios saved in the workspace with acrm simulate … --save; whiskers where the simulation has a 95 % interval",
		"")
	return c, notes, nil
}
