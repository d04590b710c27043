package services

import (
	"context"
	"fmt"

	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/segment"
	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/charts"
	"github.com/acrm-dev/acrm/charts/deck"
)

// SimulateService is what the Simulate screen asks of the analysis layer. Only the loads
// touch the workspace; the what-if, ROI and inbound numbers are recomputed by the screen
// with the pure functions of analysis/sim.
type SimulateService interface {
	// SimSegments lists the segments a frequency analysis can cover: the built-in value
	// segments top, middle and low, all customers, then the saved segments.
	SimSegments(ctx context.Context) ([]string, error)
	// LoadFrequency reads the contact history of a segment into cached aggregates
	// (sim.LoadFrequency with boot replicates and seed).
	LoadFrequency(ctx context.Context, opts sim.FrequencyOptions) (*sim.Frequency, error)
	// ProfitModels lists the best model of every product with known economics: first the one
	// where targeting adds most to mailing everyone, then by strongest top-decile lift.
	ProfitModels(ctx context.Context) ([]ProfileModel, error)
	// ProfitCurve is the profit curve of offering the model's product to the top of the base
	// ranked by the model, with the product's economics read from the workspace. Its
	// Curve.Input (base, response, gains) is what the screen recomputes the curve from when
	// the profit per contract or the costs are edited (sim.ProfitInput.Curve is pure).
	ProfitCurve(ctx context.Context, modelID string) (*ProfitView, error)
	// SaveScenario stores a scenario; replace overwrites one of the same name.
	SaveScenario(ctx context.Context, sc sim.Scenario, replace bool) error
	// Scenarios lists the saved scenarios, oldest first.
	Scenarios(ctx context.Context) ([]sim.Scenario, error)
	// ScoreModel scores the customer base with a product model (every customer who does
	// not hold the product) and returns the calibrated scores, for live-scoring estimates.
	ScoreModel(ctx context.Context, modelID string, report func(Progress)) ([]float64, error)
	// ExportFrequency writes the response-vs-contacts chart of a segment.
	ExportFrequency(ctx context.Context, path string, opts sim.FrequencyOptions) (string, error)
	// ExportROI writes the mass-against-targeted chart of a comparison.
	ExportROI(ctx context.Context, path string, c sim.OutboundComparison) (string, error)
	// ExportProfit writes the profit curve on screen: the model's curve as recomputed with
	// the economics entered (v.Curve), so the file shows what the screen shows.
	ExportProfit(ctx context.Context, path string, v ProfitView) (string, error)
}

// ProfitView is a profit curve with what it was computed from: Economics are the
// product's as measured in the workspace; Curve.Input says what the curve used.
type ProfitView struct {
	Model     ProfileModel
	Economics deck.Economics
	Curve     sim.ProfitCurve
}

var _ SimulateService = (*Workspace)(nil)

// SimSegments implements SimulateService.
func (w *Workspace) SimSegments(ctx context.Context) ([]string, error) {
	out := []string{"top", "middle", "low", "all"}
	saved, err := segment.List(ctx, w.WS)
	if err != nil {
		return out, fmt.Errorf("simulate: segments: %w", err)
	}
	for _, s := range saved {
		out = append(out, s.Name)
	}
	return out, nil
}

// LoadFrequency implements SimulateService.
func (w *Workspace) LoadFrequency(ctx context.Context, opts sim.FrequencyOptions) (*sim.Frequency, error) {
	return sim.LoadFrequency(ctx, w.WS, opts)
}

// ProfitModels implements SimulateService (deck.ProfitModels).
func (w *Workspace) ProfitModels(ctx context.Context) ([]ProfileModel, error) {
	return deck.ProfitModels(ctx, w.WS)
}

// ProfitCurve implements SimulateService.
func (w *Workspace) ProfitCurve(ctx context.Context, modelID string) (*ProfitView, error) {
	src, err := deck.Open(ctx, w.WS)
	if err != nil {
		return nil, err
	}
	models, err := src.Models(ctx)
	if err != nil {
		return nil, err
	}
	m, err := deck.Resolve(models, modelID)
	if err != nil {
		return nil, err
	}
	_, sc, err := src.Profit(ctx, m)
	if err != nil {
		return nil, err
	}
	e, err := src.ProductEconomics(ctx, m.ProductID)
	if err != nil {
		return nil, err
	}
	return &ProfitView{Model: m, Economics: e, Curve: sc}, nil
}

// SaveScenario implements SimulateService.
func (w *Workspace) SaveScenario(ctx context.Context, sc sim.Scenario, replace bool) error {
	return sim.SaveScenario(ctx, w.WS, sc, replace)
}

// Scenarios implements SimulateService.
func (w *Workspace) Scenarios(ctx context.Context) ([]sim.Scenario, error) {
	return sim.ListScenarios(ctx, w.WS)
}

// ExportFrequency implements SimulateService.
func (w *Workspace) ExportFrequency(ctx context.Context, path string, opts sim.FrequencyOptions) (string, error) {
	src, err := deck.Open(ctx, w.WS)
	if err != nil {
		return "", err
	}
	c, err := src.Frequency(ctx, deck.FrequencyOptions{Segments: []string{opts.Segment}, PeriodMonths: opts.PeriodMonths, Boot: opts.Boot, Seed: opts.Seed})
	if err != nil {
		return "", err
	}
	return writeChart(ctx, path, c)
}

// ExportROI implements SimulateService.
func (w *Workspace) ExportROI(ctx context.Context, path string, c sim.OutboundComparison) (string, error) {
	src, err := deck.Open(ctx, w.WS)
	if err != nil {
		return "", err
	}
	h := charts.Header{DataDate: src.DataDate, Source: src.Label + " · inputs entered on the Simulate screen"}
	return writeChart(ctx, path, deck.ComparisonChart(c, h, "Mass mailing", "Model-targeted"))
}

// ExportProfit implements SimulateService.
func (w *Workspace) ExportProfit(ctx context.Context, path string, v ProfitView) (string, error) {
	src, err := deck.Open(ctx, w.WS)
	if err != nil {
		return "", err
	}
	c, in, th := v.Curve, v.Curve.Input, charts.DefaultTheme()
	h := charts.Header{
		Title: fmt.Sprintf("%s: offering it to the top %s by the model earns the most, %s",
			v.Model.Product, charts.FormatPercent(c.Optimum.Depth, 0), charts.FormatMoney(th.Currency, c.Optimum.Net)),
		Subtitle: fmt.Sprintf("%s eligible customers · response %s (random cells) · %s profit per contract · %s per contact · %s fixed",
			charts.FormatInt(in.Base), charts.FormatPercent(in.ResponseRate, 2), charts.FormatMoney(th.Currency, in.Profit),
			fmt.Sprintf("%s %.2f", th.Currency, in.CostPerContact), charts.FormatMoney(th.Currency, in.FixedCost)),
		DataDate:     src.DataDate,
		ModelVersion: v.Model.ModelID,
		Source:       src.Label + " · economics entered on the Simulate screen",
	}
	return writeChart(ctx, path, deck.ProfitChart(c, h, fmt.Sprintf("%s v%d", v.Model.Algo, v.Model.Version)))
}

// ScoreModel implements SimulateService.
func (w *Workspace) ScoreModel(ctx context.Context, modelID string, report func(Progress)) ([]float64, error) {
	sc, err := profiles.ScoreBase(ctx, w.WS, modelID, report)
	if err != nil {
		return nil, err
	}
	return sc.Score, nil
}
