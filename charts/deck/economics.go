package deck

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/charts"
)

// Economics are what a campaign for a product costs and earns (analysis/sim).
type Economics = sim.Economics

// ProductEconomics reads a product's margin, eligible base and random-cell response
// (sim.ProductEconomics).
func (s *Source) ProductEconomics(ctx context.Context, productID int) (Economics, error) {
	return sim.ProductEconomics(ctx, s.WS, productID)
}

// ProfitModels lists the trained product models that have a profit curve (their product's
// response is measured on randomly selected offers), headline first: the one the deck's profit
// slide shows. The Simulate screen's profit panel offers them.
func ProfitModels(ctx context.Context, ws *workspace.Workspace) ([]Model, error) {
	src := &Source{WS: ws}
	models, err := src.Models(ctx)
	if err != nil {
		return nil, err
	}
	// Only products whose economics can be measured (a response rate from randomly selected
	// offers) get a profit curve; the first reason another was left out explains an empty list.
	var out []Model
	var why error
	for _, m := range Headline(models) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if m.ProductID == 0 || len(m.Metrics.Gains) == 0 {
			continue
		}
		if _, err := src.ProductEconomics(ctx, m.ProductID); err != nil {
			if why == nil {
				why = err
			}
			continue
		}
		out = append(out, m)
	}
	if len(out) == 0 && why != nil {
		return nil, fmt.Errorf("no trained product has a measured response rate for a profit curve (%w)", why)
	}
	// The screen opens on the product the deck's profit slide shows: where targeting adds
	// most to mailing everyone (a product worth mailing to all shows two equal campaigns).
	if len(out) > 1 {
		full, err := Open(ctx, ws)
		if err != nil {
			return nil, err
		}
		best, _, err := ProfitModel(ctx, full, out)
		if err != nil {
			return nil, err
		}
		for i, m := range out {
			if m.ModelID == best.ModelID {
				out = append([]Model{m}, append(out[:i:i], out[i+1:]...)...)
				break
			}
		}
	}
	return out, nil
}

// ProfitInput is the simulation input for selecting customers for product offers by m.
func ProfitInput(e Economics, m Model) sim.ProfitInput {
	in := sim.ProfitInput{Base: e.Base, ResponseRate: e.Response, Profit: e.Margin, CostPerContact: e.Cost}
	for _, g := range m.Metrics.Gains {
		in.Gains = append(in.Gains, sim.GainPoint{Depth: g.Share, Gain: g.Gain})
	}
	return in
}

// ProfitChart maps a simulated profit curve onto the chart.
func ProfitChart(c sim.ProfitCurve, h charts.Header, ranking string) charts.ProfitCurve {
	out := charts.ProfitCurve{Header: h, Name: ranking, Customers: c.Input.Base}
	for _, p := range c.Points {
		out.Depth = append(out.Depth, p.Depth)
		out.Profit = append(out.Profit, p.Net)
	}
	return out
}

// Profit is the profit curve of offering m's product to the top of the base by m's score.
func (s *Source) Profit(ctx context.Context, m Model) (charts.ProfitCurve, sim.ProfitCurve, error) {
	if m.ProductID == 0 {
		return charts.ProfitCurve{}, sim.ProfitCurve{}, noData("model %s is not a product model", m.ModelID)
	}
	if len(m.Metrics.Gains) == 0 {
		return charts.ProfitCurve{}, sim.ProfitCurve{}, noData("model %s has no gains curve in its metrics", m.ModelID)
	}
	e, err := s.ProductEconomics(ctx, m.ProductID)
	if err != nil {
		return charts.ProfitCurve{}, sim.ProfitCurve{}, err
	}
	sc, err := ProfitInput(e, m).Curve()
	if err != nil {
		return charts.ProfitCurve{}, sim.ProfitCurve{}, fmt.Errorf("deck: profit curve of %s: %w", m.ModelID, err)
	}
	th := charts.DefaultTheme()
	h := s.header(
		fmt.Sprintf("%s: offering it to the top %s by the model earns the most, %s",
			e.Product, charts.FormatPercent(sc.Optimum.Depth, 0), charts.FormatMoney(th.Currency, sc.Optimum.Net)),
		fmt.Sprintf("%s eligible customers · %s response in %s random offers · %s profit per contract · %s per contact",
			charts.FormatInt(e.Base), charts.FormatPercent(e.Response, 2), charts.FormatInt(e.Offers),
			charts.FormatMoney(th.Currency, e.Margin), fmt.Sprintf("%s %.2f", th.Currency, e.Cost)),
		m.ModelID)
	return ProfitChart(sc, h, m.short()), sc, nil
}

// ROIChart maps a mass-against-targeted comparison onto the chart.
func ROIChart(c sim.OutboundComparison, h charts.Header, mass, targeted string) charts.ROIChart {
	net := c.Mass.TotalCost > 0 || c.Targeted.TotalCost > 0
	return charts.ROIChart{Header: h, NetOfCost: net, Scenarios: []charts.ROIScenario{
		{Name: mass, Volume: c.Mass.Volume, Conversion: c.Mass.Conversion, Contracts: c.Mass.Contracts, Profit: c.Mass.NetProfit},
		{Name: targeted, Volume: c.Targeted.Volume, Conversion: c.Targeted.Conversion, Contracts: c.Targeted.Contracts, Profit: c.Targeted.NetProfit},
	}}
}

// ComparisonChart is the chart of a mass against a targeted campaign with the one title and
// subtitle acrm chart roi and the Simulate screen's export share ("Model-targeted earns € 2.1 M
// against mass mailing"); h supplies the footnote (and a title or subtitle to keep).
func ComparisonChart(c sim.OutboundComparison, h charts.Header, mass, targeted string) charts.ROIChart {
	if h.Title == "" {
		verb, th := "earns", charts.DefaultTheme()
		if c.ExtraNetProfit < 0 {
			verb = "loses"
		}
		h.Title = fmt.Sprintf("%s %s %s against %s", targeted, verb, charts.Money.Format(th, c.ExtraNetProfit),
			strings.ToLower(mass[:1])+mass[1:])
	}
	if h.Subtitle == "" {
		h.Subtitle = fmt.Sprintf("%s: %s contacts at %s · %s: %s contacts at %s · profit per contract over its horizon",
			mass, charts.FormatInt(c.Mass.Volume), charts.FormatPercent(c.Mass.Conversion, 1),
			targeted, charts.FormatInt(c.Targeted.Volume), charts.FormatPercent(c.Targeted.Conversion, 1))
	}
	return ROIChart(c, h, mass, targeted)
}

// ROI compares mailing the whole eligible base with mailing the profit-optimal top by m.
func (s *Source) ROI(ctx context.Context, m Model) (charts.ROIChart, error) {
	_, pc, err := s.Profit(ctx, m)
	if err != nil {
		return charts.ROIChart{}, err
	}
	in := pc.Input
	mass := sim.Outbound{Volume: in.Base, Conversion: in.ResponseRate, Profit: in.Profit, CostPerContact: in.CostPerContact}
	tg := sim.Outbound{Volume: pc.Optimum.Volume, Conversion: pc.Optimum.Conversion, Profit: in.Profit, CostPerContact: in.CostPerContact}
	if tg.Volume <= 0 {
		return charts.ROIChart{}, noData("no selection depth of %s pays, so there is no targeted campaign to compare", m.ModelID)
	}
	cmp, err := sim.CompareOutbound(mass, tg)
	if err != nil {
		return charts.ROIChart{}, fmt.Errorf("deck: ROI of %s: %w", m.ModelID, err)
	}
	th := charts.DefaultTheme()
	h := s.header(
		fmt.Sprintf("%s: the model-targeted mailing earns %s more than mailing everyone", m.Product,
			charts.FormatMoney(th.Currency, cmp.ExtraNetProfit)),
		fmt.Sprintf("Mass: all %s eligible customers at the random-cell response · targeted: the profit-optimal top %s by the model",
			charts.FormatInt(mass.Volume), charts.FormatPercent(pc.Optimum.Depth, 0)),
		m.ModelID)
	return ROIChart(cmp, h, "Mass mailing", "Model-targeted"), nil
}

// ProfitModel picks the model of the profit and ROI slides: of the headline models whose
// product has known economics, the one whose profit-optimal selection earns the most over
// mailing the whole eligible base. A product worth mailing to everyone makes a slide of
// two equal bars; the deck shows where the model matters and says so (why). Without any
// economics it is the first headline model (the charts then say what is missing).
func ProfitModel(ctx context.Context, src *Source, heads []Model) (Model, string, error) {
	best, bestExtra, n := Model{}, math.Inf(-1), 0
	for _, m := range heads {
		if err := ctx.Err(); err != nil {
			return Model{}, "", err
		}
		if m.ProductID == 0 || len(m.Metrics.Gains) == 0 {
			continue
		}
		_, pc, err := src.Profit(ctx, m)
		if errors.Is(err, ErrNoData) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return Model{}, "", ctx.Err()
			}
			continue // the slide itself reports it if this model is chosen
		}
		n++
		extra := pc.Optimum.Net
		if k := len(pc.Points); k > 0 {
			extra -= pc.Points[k-1].Net // depth 100 %: everyone mailed
		}
		if extra > bestExtra {
			best, bestExtra = m, extra
		}
	}
	switch {
	case n == 0 && len(heads) > 0:
		return heads[0], "", nil
	case n == 0:
		return Model{}, "", nil
	case n == 1:
		return best, "", nil
	}
	return best, fmt.Sprintf("of %d products with known economics, targeting adds most to mailing everyone here", n), nil
}
