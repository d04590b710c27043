// Package deck turns a workspace into deck charts: it asks the analysis packages (model
// registry, segments, simulations) for aggregates, maps them onto the plain chart types of
// package charts, and writes the whole pack with an index of computed takeaways.
//
// Nothing here draws; nothing in package charts reads the workspace. Only aggregates cross
// over, so no customer identifier can reach a chart.
package deck

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/datamart"
	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/progress"
	"github.com/acrm-dev/acrm/analysis/segment"
	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/charts"
)

// ErrNoData is wrapped by the chart builders when the workspace lacks what a chart needs;
// the message says what is missing and how to get it.
var ErrNoData = sim.ErrNoData

func noData(format string, args ...any) error { return sim.NoData(format, args...) }

// Progress is the one progress report of long calls (analysis/progress).
type Progress = progress.Progress

// Source is a workspace the charts are built from, with what every footnote says.
type Source struct {
	WS       *workspace.Workspace
	DataDate string // snapshot date of the data
	Label    string // "workspace acrm.duckdb"
}

// Open describes ws for chart footnotes: the snapshot date (acrm_meta snapshot_date, else
// the day of the latest contact) and the file name.
func Open(ctx context.Context, ws *workspace.Workspace) (*Source, error) {
	s := &Source{WS: ws, Label: "workspace " + filepath.Base(ws.Path())}
	d, err := ws.Meta(ctx, segment.SnapshotMetaKey)
	if err != nil {
		return nil, fmt.Errorf("deck: read snapshot date: %w", err)
	}
	if d == "" {
		if t, ok, err := datamart.Snapshot(ctx, ws); err == nil && ok {
			d = t.Format("2006-01-02")
		}
	}
	s.DataDate = d
	return s, nil
}

func (s *Source) header(title, subtitle, model string) charts.Header {
	return charts.Header{Title: title, Subtitle: subtitle, DataDate: s.DataDate, ModelVersion: model, Source: s.Label}
}

// ---- models -------------------------------------------------------------------------

// Model is a registered model with a readable product name.
type Model struct {
	profiles.Entry
	Product string // "Mobile data-only SIM" (or the model name for table models)
}

// Label is "Mobile data-only SIM · gbdt v3".
func (m Model) Label() string {
	return fmt.Sprintf("%s · %s v%d", m.Product, m.Algo, m.Version)
}

func (m Model) short() string { return fmt.Sprintf("%s v%d", m.Algo, m.Version) }

// Models lists the registry with product names.
func (s *Source) Models(ctx context.Context) ([]Model, error) {
	ok, err := s.WS.HasTable(ctx, "acrm_models")
	if err != nil || !ok {
		return nil, err
	}
	es, err := profiles.List(ctx, s.WS)
	if err != nil {
		return nil, err
	}
	names, err := datamart.ProductNames(ctx, s.WS)
	if err != nil {
		return nil, fmt.Errorf("deck: product names: %w", err)
	}
	out := make([]Model, len(es))
	for i, e := range es {
		out[i] = Model{Entry: e, Product: e.Name}
		if n, ok := names[e.ProductID]; ok && e.ProductID != 0 {
			out[i].Product = n
		}
	}
	return out, nil
}

// Resolve finds a model by id (name@vN) or name (its best, else latest version).
func Resolve(models []Model, ref string) (Model, error) {
	var found *Model
	for i := range models {
		m := &models[i]
		if m.ModelID == ref {
			return *m, nil
		}
		if m.Name == ref && (found == nil || better(*m, *found)) {
			found = m
		}
	}
	if found == nil {
		return Model{}, noData("model %q is not in the registry (acrm models lists them)", ref)
	}
	return *found, nil
}

func better(a, b Model) bool {
	if a.IsBest != b.IsBest {
		return a.IsBest
	}
	return a.Version > b.Version
}

// Headline returns the best model of each product, strongest top-decile lift first.
func Headline(models []Model) []Model {
	best := map[string]Model{}
	for _, m := range models {
		if cur, ok := best[m.Name]; !ok || better(m, cur) {
			best[m.Name] = m
		}
	}
	out := make([]Model, 0, len(best))
	for _, m := range best {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Metrics.Lift != out[j].Metrics.Lift {
			return out[i].Metrics.Lift > out[j].Metrics.Lift
		}
		return out[i].ModelID < out[j].ModelID
	})
	return out
}

// Challenger is the strongest other version (by holdout AUC) of the same model name.
func Challenger(models []Model, m Model) (Model, bool) {
	var c Model
	ok := false
	for _, o := range models {
		if o.Name == m.Name && o.ModelID != m.ModelID && (!ok || o.Metrics.AUC > c.Metrics.AUC) {
			c, ok = o, true
		}
	}
	return c, ok
}

func gainsSeries(m Model, name string) (charts.GainsSeries, error) {
	ds := m.Metrics.Deciles
	if len(ds) == 0 {
		return charts.GainsSeries{}, noData("model %s has no holdout deciles in its metrics", m.ModelID)
	}
	total := 0
	for _, d := range ds {
		total += d.N
	}
	s := charts.GainsSeries{Name: name}
	cum := 0
	for _, d := range ds {
		cum += d.N
		s.Depth = append(s.Depth, float64(cum)/float64(total))
		s.Gain = append(s.Gain, math.Min(1, d.CumGain))
	}
	return s, nil
}

// Gains is the cumulative gains and lift chart of a model, with up to two comparison
// models, from the holdout deciles in the registry.
func (s *Source) Gains(m Model, others ...Model) (charts.GainsChart, error) {
	first, err := gainsSeries(m, m.short())
	if err != nil {
		return charts.GainsChart{}, err
	}
	c := charts.GainsChart{Models: []charts.GainsSeries{first}}
	for _, o := range others {
		name := o.short()
		if o.Product != m.Product {
			name = o.Label()
		}
		g, err := gainsSeries(o, name)
		if err != nil {
			return charts.GainsChart{}, err
		}
		c.Models = append(c.Models, g)
	}
	at20 := first.GainsAt(0.2)
	c.Header = s.header(
		fmt.Sprintf("%s: the top 20 %% of customers by the model hold %s of the owners", m.Product, charts.FormatPercent(at20, 0)),
		fmt.Sprintf("Model %s (%s) on a holdout of %s customers, %s of them owners",
			m.ModelID, m.Target, charts.FormatInt(float64(m.Metrics.NTest)), charts.FormatInt(float64(m.Metrics.Positives))),
		m.ModelID)
	c.Outcome = "owners"
	c.Product = m.Product
	return c, nil
}

// ROC is the ROC chart of a model (and comparison models) from the registry.
func (s *Source) ROC(m Model, others ...Model) (charts.ROCChart, error) {
	c := charts.ROCChart{Outcome: "owner"}
	for i, mm := range append([]Model{m}, others...) {
		if len(mm.Metrics.ROC) == 0 {
			return c, noData("model %s has no ROC curve in its metrics", mm.ModelID)
		}
		r := charts.ROCCurve{Name: mm.short()}
		if i > 0 && mm.Product != m.Product {
			r.Name = mm.Label()
		}
		for _, p := range mm.Metrics.ROC {
			r.FPR = append(r.FPR, p.FPR)
			r.TPR = append(r.TPR, p.TPR)
		}
		c.Curves = append(c.Curves, r)
	}
	a := c.Curves[0].AUC()
	c.Header = s.header(
		fmt.Sprintf("%s: the model ranks an owner above a non-owner %s of the time", m.Product, charts.FormatPercent(a, 0)),
		fmt.Sprintf("ROC on the holdout (%s customers); the dashed diagonal is random selection", charts.FormatInt(float64(m.Metrics.NTest))),
		m.ModelID)
	return c, nil
}

// Calibration is the reliability chart of a model from its holdout bins.
func (s *Source) Calibration(m Model) (charts.CalibrationChart, error) {
	if len(m.Metrics.CalBins) < 2 {
		return charts.CalibrationChart{}, noData("model %s has no calibration bins in its metrics", m.ModelID)
	}
	ser := charts.CalibrationSeries{Name: m.short()}
	for _, b := range m.Metrics.CalBins {
		ser.Bins = append(ser.Bins, charts.CalibrationBin{Predicted: b.MeanScore, Observed: b.Rate, Count: float64(b.N)})
	}
	c := charts.CalibrationChart{Models: []charts.CalibrationSeries{ser}}
	c.Header = s.header(
		// The mean error, and the largest gap the chart shows: "within 0.3 points" read as a
		// bound while the top bin was a point off.
		fmt.Sprintf("%s: predicted chances are off by %s points on average, at most %s", m.Product,
			charts.FormatNumber(ser.Error()*100, 1), charts.FormatNumber(maxGap(ser)*100, 1)),
		fmt.Sprintf("Holdout customers in 10 equal-size bins of the calibrated score (%s calibration)", calibrationName(m.Metrics.Calibration)),
		m.ModelID)
	return c, nil
}

// PredictedDeciles compares the mean predicted chance with the actual rate per score
// decile of the holdout (decile 1 = highest scores).
func (s *Source) PredictedDeciles(m Model) (charts.PredictedDecileChart, error) {
	bins := append([]profilesCalBin(nil), calBins(m)...)
	if len(bins) < 2 {
		return charts.PredictedDecileChart{}, noData("model %s has no calibration bins in its metrics", m.ModelID)
	}
	sort.SliceStable(bins, func(i, j int) bool { return bins[i].pred > bins[j].pred })
	c := charts.PredictedDecileChart{Measure: "Share owning the product"}
	for _, b := range bins {
		c.Deciles = append(c.Deciles, charts.DecileOutcome{Predicted: b.pred, Actual: b.rate, Count: b.n})
	}
	c.Header = s.header(
		fmt.Sprintf("%s: reality matches the prediction decile by decile", m.Product),
		"Holdout customers by score decile: mean predicted chance against the actual share",
		m.ModelID)
	return c, nil
}

// maxGap is the largest |predicted − observed| over the bins of s.
func maxGap(s charts.CalibrationSeries) float64 {
	g := 0.0
	for _, b := range s.Bins {
		g = math.Max(g, math.Abs(b.Predicted-b.Observed))
	}
	return g
}

// calibrationName is the calibration method as a reader knows it ("platt" → "Platt").
func calibrationName(m string) string {
	switch m {
	case "platt":
		return "Platt"
	case "":
		return "no"
	}
	return m
}

type profilesCalBin struct{ pred, rate, n float64 }

func calBins(m Model) []profilesCalBin {
	var out []profilesCalBin
	for _, b := range m.Metrics.CalBins {
		out = append(out, profilesCalBin{b.MeanScore, b.Rate, float64(b.N)})
	}
	return out
}

// ---- money ----------------------------------------------------------------------------

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

// ---- segments and contact frequency ---------------------------------------------------

// RevenueKPI is the name of the monthly-revenue KPI of the segments chart.
const RevenueKPI = "Monthly revenue"

// MaxSegments is how many segments the segments chart has room for.
const MaxSegments = 6

// SegmentKPIs indexes segments' KPIs against the whole base: the built-in value segments
// (top, middle, low) by default, else the named ones, built-in or saved (at most
// MaxSegments). An unknown name is an error naming it.
func (s *Source) SegmentKPIs(ctx context.Context, names ...string) (charts.SegmentKPIChart, error) {
	if ok, err := s.WS.HasTable(ctx, "customers"); err != nil || !ok {
		return charts.SegmentKPIChart{}, noData("the workspace has no customers table (acrm sample or acrm import)")
	}
	segs := segment.ValueSegments()
	if len(names) > 0 {
		if len(names) > MaxSegments {
			return charts.SegmentKPIChart{}, fmt.Errorf("deck: %d segments given; the chart has room for %d", len(names), MaxSegments)
		}
		segs = nil
		seen := map[string]bool{}
		for _, n := range names {
			sg, err := segment.Get(ctx, s.WS, n)
			if errors.Is(err, segment.ErrNotFound) {
				return charts.SegmentKPIChart{}, fmt.Errorf("unknown segment %q: not top, middle, low or a saved segment (acrm segments list shows the saved ones)", n)
			}
			if err != nil {
				return charts.SegmentKPIChart{}, fmt.Errorf("deck: segment %q: %w", n, err)
			}
			if seen[sg.Name] {
				return charts.SegmentKPIChart{}, fmt.Errorf("deck: segment %q is given twice", sg.Name)
			}
			seen[sg.Name] = true
			segs = append(segs, sg)
		}
	}
	rows, err := segment.KPIs(ctx, s.WS, segs)
	if err != nil {
		return charts.SegmentKPIChart{}, fmt.Errorf("deck: segment KPIs: %w", err)
	}
	basis, err := segment.ValueBasis(ctx, s.WS)
	if err != nil {
		return charts.SegmentKPIChart{}, fmt.Errorf("deck: segment KPIs: %w", err)
	}
	return KPIChart(rows, s.header("", SegmentSubtitle(segs, basis, rows[0].Customers), ""))
}

// KPIChart maps a KPI table (base first, then the segments) onto the segment KPI chart:
// every KPI with a positive base value, indexed on the base, titled by SegmentTitle unless h
// has a title. It is the one builder of this chart: acrm chart segments, the deck and the
// Segments screen's export all call it, so the same segments get the same title.
func KPIChart(rows []segment.KPIRow, h charts.Header) (charts.SegmentKPIChart, error) {
	if len(rows) < 2 {
		return charts.SegmentKPIChart{}, noData("no segment to chart")
	}
	c := charts.SegmentKPIChart{Header: h}
	for _, r := range rows[1:] {
		c.Segments = append(c.Segments, r.Segment)
	}
	c.KPIs = IndexedKPIs(rows)
	if len(c.KPIs) == 0 {
		return c, noData("every KPI of the base is zero")
	}
	if c.Title == "" {
		c.Title = SegmentTitle(c)
	}
	return c, nil
}

// SegmentTitle says how the first segment compares with the base: on monthly revenue when
// the chart has that KPI ("The top 10 % of customers spend 4.9× the average monthly
// revenue"), else on the KPI where it differs most from the base.
func SegmentTitle(c charts.SegmentKPIChart) string {
	if len(c.Segments) == 0 || len(c.KPIs) == 0 {
		return "Segment KPIs against the whole base"
	}
	who, verb := "Segment “"+c.Segments[0]+"”", "spends"
	if _, ok := valueSegment(c.Segments[0]); ok {
		who, verb = "The "+segmentLabel(c.Segments[0])+" of customers", "spend"
	}
	for _, k := range c.KPIs {
		if k.Name == RevenueKPI && len(k.Values) > 0 {
			return fmt.Sprintf("%s %s %s× the average monthly revenue", who, verb, charts.FormatNumber(k.Values[0]/k.Base, 1))
		}
	}
	best := 0
	for i, k := range c.KPIs {
		if math.Abs(math.Log(k.Values[0]/k.Base)) > math.Abs(math.Log(c.KPIs[best].Values[0]/c.KPIs[best].Base)) {
			best = i
		}
	}
	k := c.KPIs[best]
	return fmt.Sprintf("%s: %s at %s× the average", who, strings.ToLower(k.Name[:1])+k.Name[1:], charts.FormatNumber(k.Values[0]/k.Base, 1))
}

// SegmentSubtitle says what the segments are and, for the value segments, what ranks them
// (segment.ValueBasis: monthly revenue, or the expected value of the best models' scores
// once every product is scored or the user asked for it).
func SegmentSubtitle(segs []segment.Segment, basis string, customers int64) string {
	rank := "monthly revenue"
	if basis == segment.BasisExpectedValue {
		rank = "the best models' expected value"
	}
	labels := make([]string, len(segs))
	values := 0
	for i, sg := range segs {
		labels[i] = sg.Name
		if _, ok := valueSegment(sg.Name); ok {
			labels[i] = segmentLabel(sg.Name)
			values++
		}
	}
	tail := fmt.Sprintf(" of %s customers", charts.FormatInt(float64(customers)))
	switch values {
	case len(segs):
		return fmt.Sprintf("Value segments by %s (%s)%s", rank, strings.Join(labels, ", "), tail)
	case 0:
		return "Saved segments " + joinAnd(labels) + tail
	}
	return fmt.Sprintf("Segments %s (value segments by %s)%s", joinAnd(labels), rank, tail)
}

// valueSegment reports whether name is one of the built-in value segments.
func valueSegment(name string) (segment.Segment, bool) {
	for _, v := range segment.ValueSegments() {
		if v.Name == name {
			return v, true
		}
	}
	return segment.Segment{}, false
}

// FrequencyOptions choose the contact-frequency analysis.
type FrequencyOptions struct {
	Segments     []string // value segments or saved segments ("all" = every customer); default top, middle, low
	PeriodMonths int
	Boot         int
	Seed         uint64
	// MinOffers drops points measured on fewer offers (default 30).
	MinOffers float64
}

func (o FrequencyOptions) withDefaults() FrequencyOptions {
	if len(o.Segments) == 0 {
		o.Segments = []string{"top", "middle", "low"} // per value segment: pooled over all customers the peak mixes their different tolerances
	}
	if o.PeriodMonths == 0 {
		o.PeriodMonths = 6
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.MinOffers == 0 {
		o.MinOffers = 30
	}
	return o
}

func (s *Source) loadFrequency(ctx context.Context, seg string, o FrequencyOptions) (*sim.Frequency, error) {
	if ok, err := s.WS.HasTable(ctx, "contacts"); err != nil || !ok {
		return nil, noData("the workspace has no contacts table")
	}
	f, err := sim.LoadFrequency(ctx, s.WS, sim.FrequencyOptions{Segment: seg, PeriodMonths: o.PeriodMonths, Boot: o.Boot, Seed: o.Seed})
	if err != nil {
		return nil, fmt.Errorf("deck: contact frequency of %s: %w", seg, err)
	}
	return f, nil
}

// Frequency is the response per offer against offers per customer per year, per segment,
// with the bootstrap band, the fitted curve and its optimum (analysis/sim).
func (s *Source) Frequency(ctx context.Context, o FrequencyOptions) (charts.FrequencyChart, error) {
	o = o.withDefaults()
	c := charts.FrequencyChart{Period: "year", Measure: "Acceptance per offer", Unit: charts.Percent}
	randomized := true
	for _, seg := range o.Segments {
		f, err := s.loadFrequency(ctx, seg, o)
		if err != nil {
			return c, err
		}
		randomized = randomized && f.Randomized
		ser := charts.FrequencySeries{Name: segmentLabel(seg), Optimum: f.Peak.Estimate}
		maxN := 0.0
		for _, b := range f.Bins {
			if b.Contacts < o.MinOffers {
				continue
			}
			ser.Points = append(ser.Points, charts.FrequencyPoint{Contacts: float64(b.N), Rate: b.Rate.Estimate,
				Lo: math.Min(b.Rate.Lo, b.Rate.Estimate), Hi: math.Max(b.Rate.Hi, b.Rate.Estimate), N: b.Contacts})
			maxN = math.Max(maxN, float64(b.N))
		}
		if len(ser.Points) < 2 {
			return c, noData("segment %s has fewer than two contact frequencies with %v offers or more", seg, o.MinOffers)
		}
		for x := 0.25; x <= maxN+1e-9; x += 0.25 {
			ser.FitX = append(ser.FitX, x)
			ser.FitY = append(ser.FitY, f.Curve.At(x))
		}
		c.Series = append(c.Series, ser)
	}
	how := "randomized frequency cells"
	if !randomized {
		how = "observational contact history only (no randomized cells): correlation, not a measured effect"
	}
	var parts []string
	for i, ser := range c.Series {
		x, _ := ser.Best()
		unit := ""
		if i == 0 {
			unit = " offers a year"
		}
		parts = append(parts, fmt.Sprintf("%.0f%s for %s", x, unit, ser.Name))
	}
	c.Header = s.header(
		"Response per offer peaks at about "+joinAnd(parts),
		"Acceptance per outbound offer by the customer's offers in the 12 months before it · "+how,
		"")
	return c, nil
}

// segmentLabel names the built-in value segments by their size.
func segmentLabel(seg string) string {
	switch seg {
	case "all", "":
		return "all customers"
	case "top":
		return "top 10 %"
	case "middle":
		return "middle 40 %"
	case "low":
		return "low 50 %"
	}
	return seg
}

// joinAnd is "a", "a and b", "a, b and c".
func joinAnd(parts []string) string {
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// WhatIf is one contact-frequency what-if: a segment from From to To offers per period.
type WhatIf struct {
	Segment  string
	From, To int
}

// DefaultWhatIfs are the KPN questions: the top segment from 3 to 4 and from 4 to 5 offers
// per half year, and the other value segments from 3 to 4.
var DefaultWhatIfs = []WhatIf{{"top", 3, 4}, {"top", 4, 5}, {"middle", 3, 4}, {"low", 3, 4}}

// Scenarios compares frequency what-ifs on the extra revenue per period, with intervals.
func (s *Source) Scenarios(ctx context.Context, whatifs []WhatIf, o FrequencyOptions) (charts.ScenarioChart, []string, error) {
	o = o.withDefaults()
	if len(whatifs) == 0 {
		whatifs = DefaultWhatIfs
	}
	per := sim.PeriodName(o.PeriodMonths)
	c := charts.ScenarioChart{Measure: "Extra revenue per " + per, Unit: charts.Money}
	var notes []string
	loaded := map[string]*sim.Frequency{}
	var bestW WhatIf
	for _, w := range whatifs {
		if err := ctx.Err(); err != nil {
			return c, notes, err
		}
		f, ok := loaded[w.Segment]
		if !ok {
			var err error
			if f, err = s.loadFrequency(ctx, w.Segment, o); err != nil {
				return c, notes, err
			}
			loaded[w.Segment] = f
		}
		r, err := f.WhatIf(w.From, w.To)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s %d → %d left out: %v", w.Segment, w.From, w.To, err))
			continue
		}
		if len(c.Scenarios) == 0 || r.ExtraRevenue.Estimate > c.Scenarios[bestIndex(c.Scenarios)].Value {
			bestW = w
		}
		c.Scenarios = append(c.Scenarios, charts.ScenarioValue{
			Name:  fmt.Sprintf("%s: %d → %d offers", w.Segment, w.From, w.To),
			Value: r.ExtraRevenue.Estimate, Lo: math.Min(r.ExtraRevenue.Lo, r.ExtraRevenue.Estimate), Hi: math.Max(r.ExtraRevenue.Hi, r.ExtraRevenue.Estimate),
		})
	}
	if len(c.Scenarios) == 0 {
		return c, notes, noData("no what-if could be computed: %s", strings.Join(notes, "; "))
	}
	best := c.Scenarios[bestIndex(c.Scenarios)]
	th := charts.DefaultTheme()
	c.Header = s.header(
		fmt.Sprintf("Going from %d to %d offers a %s pays most in the %s segment: %s", bestW.From, bestW.To, per,
			bestW.Segment, charts.Money.Format(th, best.Value)),
		fmt.Sprintf("Steady-state what-ifs from the fitted response curve, per %s for the whole segment; whiskers: 95 %% interval", per),
		"")
	return c, notes, nil
}

func bestIndex(v []charts.ScenarioValue) int {
	b := 0
	for i := range v {
		if v[i].Value > v[b].Value {
			b = i
		}
	}
	return b
}

// ---- the pack -------------------------------------------------------------------------

// Options choose how the deck is written.
type Options struct {
	Size   charts.Size
	Format charts.Format // png (default), svg or pdf
	// Products limits the gains charts to this many products (default 3).
	Products  int
	Frequency FrequencyOptions
	Report    func(Progress)
}

// Item is one chart of the deck: written (File, Takeaway) or skipped (Skipped says why).
type Item struct {
	Kind, Title, File, Takeaway, Skipped string
}

type job struct {
	kind, file, what string
	build            func() (charts.Chart, error)
}

// IndexedKPIs are the segment KPI chart's bars for a KPI table (rows[0] the base, then the
// segments): monthly revenue, products held, offer response, contract-end and opt-out share,
// each with the base's value to index on; a KPI whose base value is not positive (nothing
// to index against, e.g. no contact history) is left out.
func IndexedKPIs(rows []segment.KPIRow) []charts.KPI {
	if len(rows) == 0 {
		return nil
	}
	base := rows[0]
	var out []charts.KPI
	for _, k := range []struct {
		name string
		unit charts.Unit
		get  func(segment.KPIValues) float64
	}{
		{RevenueKPI, charts.Money, func(v segment.KPIValues) float64 { return v.AvgRevenue }},
		{"Products held", charts.Count, func(v segment.KPIValues) float64 { return v.ProductsPerCustomer }},
		{"Offer response", charts.Percent, func(v segment.KPIValues) float64 { return v.ResponseRate }},
		{"Contract ends ≤ 3 months", charts.Percent, func(v segment.KPIValues) float64 { return v.ContractEndShare }},
		{"Opted out", charts.Percent, func(v segment.KPIValues) float64 { return v.OptOutShare }},
	} {
		b := k.get(base.KPIValues)
		if b <= 0 {
			continue
		}
		kk := charts.KPI{Name: k.name, Unit: k.unit, Base: b}
		for _, r := range rows[1:] {
			kk.Values = append(kk.Values, k.get(r.KPIValues))
		}
		out = append(out, kk)
	}
	return out
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

// Build writes the deck for the workspace into dir: every chart it has data for, and
// index.md listing each chart with its takeaway and each skipped chart with the reason.
// A chart without data is skipped, never fatal; a cancelled context or an I/O error is.
func Build(ctx context.Context, ws *workspace.Workspace, dir string, o Options) ([]Item, error) {
	if o.Format == "" {
		o.Format = charts.PNG
	}
	if o.Size == (charts.Size{}) {
		o.Size = charts.DefaultSize
	}
	if o.Products <= 0 {
		o.Products = 3
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("deck: %w", err)
	}
	src, err := Open(ctx, ws)
	if err != nil {
		return nil, err
	}
	models, err := src.Models(ctx)
	if err != nil {
		return nil, fmt.Errorf("deck: model registry: %w", err)
	}
	heads := Headline(models)
	ext := "." + string(o.Format)
	notes := map[string]string{} // by kind: appended to the takeaway in parentheses
	var jobs []job
	jobs = append(jobs, job{"segments", "01-segments" + ext, "Value segments: KPIs indexed on the base",
		func() (charts.Chart, error) { return src.SegmentKPIs(ctx) }})
	noModel := func(kind, file, what string) job {
		return job{kind, file, what, func() (charts.Chart, error) {
			return nil, noData("no trained model in acrm_models (run acrm train --all)")
		}}
	}
	if len(heads) == 0 {
		jobs = append(jobs,
			noModel("gains", "02-gains"+ext, "Cumulative gains and lift per decile"),
			noModel("roc", "03-roc"+ext, "ROC curve"),
			noModel("calibration", "04-calibration"+ext, "Calibration"),
			noModel("pred-decile", "05-pred-decile"+ext, "Predicted vs actual per decile"),
			noModel("profit", "06-profit"+ext, "Profit curve over selection depth"),
			noModel("roi", "07-roi"+ext, "Mass vs model-targeted mailing"))
	} else {
		top := heads[0]
		for i, m := range heads {
			if i == o.Products {
				break
			}
			m := m
			jobs = append(jobs, job{"gains", fmt.Sprintf("02-gains-%s%s", fileSafe(m.Name), ext), "Cumulative gains and lift per decile — " + m.Product,
				func() (charts.Chart, error) {
					if ch, ok := Challenger(models, m); ok {
						return src.Gains(m, ch)
					}
					return src.Gains(m)
				}})
		}
		jobs = append(jobs,
			job{"roc", "03-roc" + ext, "ROC curve — " + top.Product, func() (charts.Chart, error) {
				if ch, ok := Challenger(models, top); ok {
					return src.ROC(top, ch)
				}
				return src.ROC(top)
			}},
			job{"calibration", "04-calibration" + ext, "Calibration — " + top.Product, func() (charts.Chart, error) { return src.Calibration(top) }},
			job{"pred-decile", "05-pred-decile" + ext, "Predicted vs actual per decile — " + top.Product, func() (charts.Chart, error) { return src.PredictedDeciles(top) }},
		)
		// Profit and ROI for the product where targeting adds most to mailing everyone.
		pm, why, err := ProfitModel(ctx, src, heads)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs,
			job{"profit", "06-profit" + ext, "Profit curve over selection depth — " + pm.Product, func() (charts.Chart, error) {
				c, _, err := src.Profit(ctx, pm)
				return c, err
			}},
			job{"roi", "07-roi" + ext, "Mass vs model-targeted mailing — " + pm.Product, func() (charts.Chart, error) { return src.ROI(ctx, pm) }},
		)
		notes["profit"], notes["roi"] = why, why
	}
	var scenarioNotes []string
	jobs = append(jobs,
		job{"frequency", "08-frequency" + ext, "Contact-frequency response curve", func() (charts.Chart, error) { return src.Frequency(ctx, o.Frequency) }},
		job{"scenarios", "09-scenarios" + ext, "Contact-frequency what-ifs", func() (charts.Chart, error) {
			c, notes, err := src.Scenarios(ctx, nil, o.Frequency)
			scenarioNotes = notes
			return c, err
		}},
		job{"saved-scenarios", "10-saved-scenarios" + ext, "Saved scenarios compared", func() (charts.Chart, error) {
			c, _, err := src.SavedScenarios(ctx, nil)
			return c, err
		}},
		job{"pred-time", "11-pred-time" + ext, "Predicted vs actual over time", func() (charts.Chart, error) {
			return nil, noData("no outcomes tracked against scored predictions in the workspace yet; draw it from a tracking CSV with acrm chart pred-time --csv FILE")
		}},
	)

	var items []Item
	for i, j := range jobs {
		if err := ctx.Err(); err != nil {
			return items, err
		}
		if o.Report != nil {
			o.Report(Progress{Done: int64(i), Total: int64(len(jobs)), Stage: j.what})
		}
		it := Item{Kind: j.kind, Title: j.what}
		c, err := j.build()
		switch {
		case errors.Is(err, ErrNoData):
			it.Skipped = strings.TrimPrefix(err.Error(), ErrNoData.Error()+": ")
		case err != nil && ctx.Err() != nil:
			return items, ctx.Err()
		case err != nil:
			it.Skipped = err.Error()
		default:
			path := filepath.Join(dir, j.file)
			if err := charts.WriteFile(path, c, charts.WithSize(o.Size)); err != nil {
				if ctx.Err() != nil {
					return items, ctx.Err()
				}
				return items, fmt.Errorf("deck: %w", err)
			}
			it.File, it.Takeaway, it.Title = j.file, c.Takeaway(), c.Heading().Title
			if n := notes[j.kind]; n != "" {
				it.Takeaway += " (" + n + ")"
			}
			if j.kind == "scenarios" && len(scenarioNotes) > 0 {
				it.Takeaway += " (" + strings.Join(scenarioNotes, "; ") + ")"
			}
		}
		items = append(items, it)
	}
	if o.Report != nil {
		o.Report(Progress{Done: int64(len(jobs)), Total: int64(len(jobs)), Stage: "index"})
	}
	if err := writeIndex(filepath.Join(dir, "index.md"), src, items, o); err != nil {
		return items, err
	}
	return items, nil
}

func fileSafe(s string) string { return charts.SafeFileName(s) }

// Index renders index.md: each chart with its takeaway, then what was skipped and why.
func Index(src *Source, items []Item, o Options) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# acrm deck — %s\n\n", strings.TrimPrefix(src.Label, "workspace "))
	if src.DataDate != "" {
		fmt.Fprintf(&b, "Data as of %s · ", src.DataDate)
	}
	fmt.Fprintf(&b, "%d×%d %s · generated %s\n\n", o.Size.Width, o.Size.Height, strings.ToUpper(string(o.Format)),
		time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	n := 0
	for _, it := range items {
		if it.File == "" {
			continue
		}
		n++
		fmt.Fprintf(&b, "%d. **%s** — [%s](%s)  \n   %s\n", n, it.Title, it.File, it.File, it.Takeaway)
	}
	var skipped []Item
	for _, it := range items {
		if it.File == "" {
			skipped = append(skipped, it)
		}
	}
	if len(skipped) > 0 {
		b.WriteString("\n## Not in this deck\n\n")
		for _, it := range skipped {
			fmt.Fprintf(&b, "- **%s** (%s): %s\n", it.Title, it.Kind, it.Skipped)
		}
	}
	return b.String()
}

// writeIndex writes index.md through a temporary file and a rename.
func writeIndex(path string, src *Source, items []Item, o Options) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".index.md.*.tmp")
	if err != nil {
		return fmt.Errorf("deck: write %s: %w", path, err)
	}
	_, werr := tmp.WriteString(Index(src, items, o))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("deck: write %s: %w", path, err)
	}
	_ = os.Chmod(tmp.Name(), 0o644)
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("deck: write %s: %w", path, err)
	}
	return nil
}

// PredictedTimeCSV reads predicted against actual results per period from CSV with a
// header naming the columns label, predicted, actual and optionally lo, hi (the prediction
// interval), e.g. a monitoring export. Errors name the file, line and column.
func PredictedTimeCSV(r io.Reader, name string) (charts.PredictedTimeChart, error) {
	var c charts.PredictedTimeChart
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return c, fmt.Errorf("deck: %s: header: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"label", "predicted", "actual"} {
		if _, ok := col[need]; !ok {
			return c, fmt.Errorf("deck: %s: line 1: no %q column (want label, predicted, actual[, lo, hi])", name, need)
		}
	}
	line := 1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			return c, fmt.Errorf("deck: %s: %w", name, err)
		}
		num := func(k string) (float64, error) {
			i, ok := col[k]
			if !ok || i >= len(rec) || strings.TrimSpace(rec[i]) == "" {
				return 0, nil
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(rec[i]), 64)
			if err != nil {
				return 0, fmt.Errorf("deck: %s: line %d, column %d (%s): %q is not a number", name, line, i+1, k, rec[i])
			}
			return v, nil
		}
		var p charts.PeriodOutcome
		if i := col["label"]; i < len(rec) {
			p.Label = strings.TrimSpace(rec[i])
		}
		for k, dst := range map[string]*float64{"predicted": &p.Predicted, "actual": &p.Actual, "lo": &p.Lo, "hi": &p.Hi} {
			if *dst, err = num(k); err != nil {
				return c, err
			}
		}
		c.Periods = append(c.Periods, p)
	}
	return c, nil
}
