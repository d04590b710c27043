// Package simulate is the Simulate screen: the contact-frequency what-if of a segment (now
// against what-if with 95 % intervals and the response-vs-contacts curve with its band and
// optimum), outbound ROI of a mass mailing against a model-targeted one with the profit curve
// over selection depth of a trained model, and the inbound opportunity. Every input is
// editable and the result recomputes at once from the pure functions of analysis/sim; only
// loading the frequency aggregates and the profit curve touches the workspace, as jobs.
// Scenarios are saved (s) and compared side by side (c); e exports the chart on screen.
package simulate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/keys"
	"github.com/acrm-dev/acrm/tui/services"
)

// ID is the screen's owner id.
const ID = "simulate"

// The results of the screen's jobs, one type per kind of job (the frequency aggregates come
// back as *sim.Frequency, the profit curve as *services.ProfitView).
type (
	segmentsLoaded  []string
	modelsLoaded    []services.ProfileModel
	scenarioSaved   string
	scenariosLoaded []sim.Scenario
	chartExported   string // the path(s) written
)

// Panel is one page of the screen.
type Panel int

// The panels.
const (
	PanelFrequency Panel = iota
	PanelROI
	PanelInbound
)

// Boot and Seed are the bootstrap settings of the frequency analysis (the CLI's defaults).
const (
	Boot = 200
	Seed = 1
)

// Periods are the period lengths p cycles through, in months.
var Periods = []int{6, 3, 12}

// KeyMap are the Simulate screen's keys.
type KeyMap struct {
	Up, Down    key.Binding
	Left, Right key.Binding
	Edit        key.Binding
	Frequency   key.Binding
	ROI         key.Binding
	Inbound     key.Binding
	Period      key.Binding
	Model       key.Binding
	Save        key.Binding
	Compare     key.Binding
	Mark        key.Binding
	Export      key.Binding
	Reset       key.Binding
	UseModel    key.Binding
	Confirm     key.Binding
	Close       key.Binding
}

// DefaultKeyMap returns the default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "choose input")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↑/↓", "choose input")),
		Left:      key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/→", "change value")),
		Right:     key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("←/→", "change value")),
		Edit:      keys.Key("enter", "type a value"),
		Frequency: keys.Key("f", "frequency"),
		ROI:       keys.Key("o", "outbound ROI"),
		Inbound:   keys.Key("i", "inbound"),
		Period:    keys.Key("p", "period"),
		Model:     keys.Key("m", "next model"),
		Save:      keys.Key("s", "save scenario"),
		Compare:   keys.Key("c", "compare scenarios"),
		Mark:      key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "mark (2)")),
		Export:    keys.Key("e", "export chart"),
		Reset:     keys.Key("0", "seed numbers"),
		UseModel:  keys.Key("u", "inputs from the model"),
		Confirm:   keys.Key("enter", "ok"),
		Close:     keys.Key("esc", "close"),
	}
}

// prompt is what the one-line input at the bottom is for.
type prompt int

const (
	promptNone prompt = iota
	promptValue
	promptSave
	promptExport
)

// Screen is the Simulate screen.
type Screen struct {
	c    *common.Common
	svc  services.SimulateService
	keys KeyMap

	width, height int
	panel         Panel

	// Frequency.
	segments   []string
	segIdx     int
	periodIdx  int
	from, to   int
	freq       *sim.Frequency
	freqErr    error
	freqBusy   bool
	whatIf     *sim.WhatIf
	whatIfErr  error
	freqCursor int // 0 segment, 1 now, 2 what-if, 3 period

	// Outbound ROI.
	mass, targeted sim.Outbound
	roiCursor      int // 0..4 mass, 5..9 targeted
	roi            *sim.OutboundComparison
	roiErr         error
	models         []services.ProfileModel
	modelIdx       int
	modelChosen    bool                 // m picked the model: a reload keeps it; else the list's first (most gained by targeting)
	profit         *services.ProfitView // the model's curve at the product's economics, as loaded
	profitErr      error
	modelsLoaded   bool
	// curve is profit's curve recomputed at once (sim.ProfitInput.Curve, pure) with the
	// targeted campaign's profit per contract, cost per contact and fixed cost.
	curve    *sim.ProfitCurve
	curveErr error
	// tgModel is the model whose holdout gains give the targeted conversion (set by u; ""
	// once the conversion is edited by hand): every targeted volume edit re-reads it.
	tgModel string

	// Inbound.
	inbound  sim.Inbound
	inCursor int
	// Live scoring: the model's calibrated scores of the base (a proxy for the customers who
	// contact us) and the threshold above which an inbound contact gets an offer.
	inScores    []float64
	inModel     string
	threshold   float64
	inFromModel bool
	inResult    *sim.InboundResult
	inErr       error
	promptFor   prompt
	input       textinput.Model
	inputErr    string

	// Scenario comparison.
	comparing bool
	scenarios []sim.Scenario
	scCursor  int
	scMarked  []string
	scErr     error
}

// New returns the Simulate screen.
func New(c *common.Common) common.Screen {
	s := &Screen{c: c, keys: DefaultKeyMap(), from: 3, to: 4,
		mass: SeedMass, targeted: SeedTargeted, inbound: SeedInbound}
	s.svc = c.Simulate
	s.input = textinput.New()
	s.input.CharLimit = 512
	s.recomputeROI()
	s.recomputeInbound()
	return s
}

func (s *Screen) ID() string    { return ID }
func (s *Screen) Title() string { return "Simulate" }

// InputFocused is true while a value, a scenario name or a file name is typed.
func (s *Screen) InputFocused() bool { return s.promptFor != promptNone }

// SetSize sets the body size.
func (s *Screen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.input.Width = max(w-40, 10)
}

// Panel is the panel on screen.
func (s *Screen) Panel() Panel { return s.panel }

// ROI is the current mass-against-targeted result (nil when an input is invalid).
func (s *Screen) ROI() (*sim.OutboundComparison, error) { return s.roi, s.roiErr }

// Inbound is the current inbound result (nil when an input is invalid).
func (s *Screen) Inbound() (*sim.InboundResult, error) { return s.inResult, s.inErr }

// WhatIf is the current frequency what-if (nil before the aggregates are loaded).
func (s *Screen) WhatIf() (*sim.WhatIf, error) { return s.whatIf, s.whatIfErr }

// Init loads the segment list, the first segment's frequency aggregates and the models.
func (s *Screen) Init() tea.Cmd {
	if s.svc == nil {
		return nil
	}
	return tea.Batch(s.loadSegments(), s.loadFrequency(), s.loadModels())
}

// start runs fn as a job of the screen.
func start[T any](s *Screen, label string, fn common.JobFunc[T]) tea.Cmd {
	_, cmd := common.Start(s.c.Jobs, ID, label, fn)
	return cmd
}

func (s *Screen) segment() string {
	if s.segIdx < len(s.segments) {
		return s.segments[s.segIdx]
	}
	return "top"
}

func (s *Screen) months() int { return Periods[s.periodIdx%len(Periods)] }

func (s *Screen) freqOptions() sim.FrequencyOptions {
	return sim.FrequencyOptions{Segment: s.segment(), PeriodMonths: s.months(), Boot: Boot, Seed: Seed}
}

func (s *Screen) loadSegments() tea.Cmd {
	svc := s.svc
	return start(s, "listing segments", func(ctx context.Context, _ func(common.Progress)) (segmentsLoaded, error) {
		return svc.SimSegments(ctx)
	})
}

func (s *Screen) loadFrequency() tea.Cmd {
	svc, opts := s.svc, s.freqOptions()
	s.freqBusy = true
	return start(s, "contact frequency of "+opts.Segment, func(ctx context.Context, report func(common.Progress)) (*sim.Frequency, error) {
		opts.Report = func(p sim.Progress) { report(common.Progress{Done: p.Done, Total: p.Total, Stage: p.Stage}) }
		return svc.LoadFrequency(ctx, opts)
	})
}

func (s *Screen) loadModels() tea.Cmd {
	svc := s.svc
	return start(s, "listing models for the profit curve", func(ctx context.Context, _ func(common.Progress)) (modelsLoaded, error) {
		return svc.ProfitModels(ctx)
	})
}

// loadScores scores the base with the model of the profit panel for live-scoring inbound.
func (s *Screen) loadScores() tea.Cmd {
	if s.modelIdx >= len(s.models) {
		return nil
	}
	svc, id := s.svc, s.models[s.modelIdx].ModelID
	return start(s, "scoring the base with "+id, func(ctx context.Context, report func(common.Progress)) (scored, error) {
		sc, err := svc.ScoreModel(ctx, id, report)
		if err != nil {
			return scored{}, err
		}
		return scored{id, sc}, nil
	})
}

type scored struct {
	model  string
	scores []float64
}

func (s *Screen) loadProfit() tea.Cmd {
	if s.modelIdx >= len(s.models) {
		return nil
	}
	svc, id := s.svc, s.models[s.modelIdx].ModelID
	return start(s, "profit curve of "+id, func(ctx context.Context, _ func(common.Progress)) (*services.ProfitView, error) {
		return svc.ProfitCurve(ctx, id)
	})
}

// recomputeWhatIf reruns the what-if on the cached aggregates (pure, no workspace).
func (s *Screen) recomputeWhatIf() {
	s.whatIf, s.whatIfErr = nil, nil
	if s.freq == nil {
		return
	}
	w, err := s.freq.WhatIf(s.from, s.to)
	if err != nil {
		s.whatIfErr = err
		return
	}
	s.whatIf = &w
}

// recomputeROI reruns the comparison and the profit curve on the inputs (pure arithmetic).
func (s *Screen) recomputeROI() {
	s.recomputeProfit()
	c, err := sim.CompareOutbound(s.mass, s.targeted)
	if err != nil {
		s.roi, s.roiErr = nil, err
		return
	}
	s.roi, s.roiErr = &c, nil
}

// recomputeProfit redraws the profit curve of the loaded model with the targeted campaign's
// economics.
func (s *Screen) recomputeProfit() {
	s.curve, s.curveErr = nil, nil
	if s.profit == nil {
		return
	}
	c, err := ProfitCurveFor(s.profit.Curve.Input, s.targeted)
	if err != nil {
		s.curveErr = err
		return
	}
	s.curve = &c
}

// ProfitCurveFor is the profit curve over selection depth of a model's base, response rate
// and gains curve (in) at the targeted campaign's profit per contract, cost per contact and
// fixed cost: what the ROI panel draws after every edit.
func ProfitCurveFor(in sim.ProfitInput, targeted sim.Outbound) (sim.ProfitCurve, error) {
	in.Profit, in.CostPerContact, in.FixedCost = targeted.Profit, targeted.CostPerContact, targeted.FixedCost
	c, err := in.Curve()
	if err != nil {
		return c, fmt.Errorf("profit curve: %w", err)
	}
	return c, nil
}

// ProfitCurve is the profit curve on screen (nil before a model's curve is loaded).
func (s *Screen) ProfitCurve() (*sim.ProfitCurve, error) { return s.curve, s.curveErr }

// TargetedFromModel is the model whose gains give the targeted conversion ("" when it was
// entered by hand).
func (s *Screen) TargetedFromModel() string { return s.tgModel }

// modelConversion is the targeted conversion at volume read from the gains of the model on
// screen: G(volume/base) · base · response / volume (sim.TargetedConversion).
func (s *Screen) modelConversion(volume float64) (float64, error) {
	if s.profit == nil || s.profit.Model.ModelID != s.tgModel {
		return 0, fmt.Errorf("the gains curve of %s is not loaded", s.tgModel)
	}
	in := s.profit.Curve.Input
	c, err := sim.TargetedConversion(in.Gains, in.Base, volume, in.ResponseRate)
	if err != nil {
		return 0, err
	}
	return round12(c), nil
}

func (s *Screen) recomputeInbound() {
	r, err := s.inbound.Calculate()
	if err != nil {
		s.inResult, s.inErr = nil, err
		return
	}
	s.inResult, s.inErr = &r, nil
}

// Update handles messages.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.JobProgressMsg:
		return nil
	case common.JobMsg:
		return s.done(msg)
	case common.RefreshMsg:
		if msg.Source == ID || s.svc == nil {
			return nil
		}
		return tea.Batch(s.loadSegments(), s.loadModels())
	case tea.KeyMsg:
		return s.key(msg)
	}
	if s.promptFor != promptNone {
		var cmd tea.Cmd
		s.input, cmd = s.input.Update(msg)
		return cmd
	}
	return nil
}

// done takes the result of one of the screen's jobs.
func (s *Screen) done(msg common.JobMsg) tea.Cmd {
	switch msg := msg.(type) {
	case common.Done[segmentsLoaded]:
		if cmd, ok := failed(msg, "segments"); !ok {
			return cmd
		}
		prev := s.segment()
		s.segments = msg.Value
		s.segIdx = 0
		for i, n := range s.segments {
			if n == prev {
				s.segIdx = i
			}
		}
	case common.Done[*sim.Frequency]:
		s.freqBusy = false
		switch {
		case msg.Cancelled:
			return common.Flash("frequency cancelled")
		case msg.Err != nil:
			s.freq, s.freqErr, s.whatIf, s.whatIfErr = nil, msg.Err, nil, nil
			return nil // shown in the panel
		}
		s.freq, s.freqErr = msg.Value, nil
		s.recomputeWhatIf()
	case common.Done[modelsLoaded]:
		return s.modelsDone(msg)
	case common.Done[*services.ProfitView]:
		switch {
		case msg.Cancelled:
			return common.Flash("profit cancelled")
		case msg.Err != nil:
			s.profit, s.profitErr = nil, msg.Err
			s.recomputeProfit()
			return nil
		}
		s.profit, s.profitErr = msg.Value, nil
		if s.tgModel != s.profit.Model.ModelID {
			s.tgModel = "" // the targeted conversion came from another model's gains
		}
		s.recomputeProfit()
	case common.Done[scenarioSaved]:
		if cmd, ok := failed(msg, "save"); !ok {
			return cmd
		}
		return common.Flash("saved scenario " + string(msg.Value))
	case common.Done[scenariosLoaded]:
		if msg.Err != nil && !msg.Cancelled {
			s.scErr = msg.Err
		}
		if cmd, ok := failed(msg, "scenarios"); !ok {
			return cmd
		}
		s.scenarios, s.scErr = msg.Value, nil
		var keep []string
		for _, m := range s.scMarked {
			for _, sc := range s.scenarios {
				if sc.Name == m {
					keep = append(keep, m)
				}
			}
		}
		s.scMarked = keep
		s.scCursor = min(s.scCursor, max(len(s.scenarios)-1, 0))
	case common.Done[chartExported]:
		if cmd, ok := failed(msg, "export"); !ok {
			return cmd
		}
		return common.Flash("wrote " + string(msg.Value))
	case common.Done[scored]:
		if cmd, ok := failed(msg, "scores"); !ok {
			return cmd
		}
		return s.scoredDone(msg.Value)
	}
	return nil
}

// failed is the common part of taking a result: a cancelled job flashes "what cancelled",
// a failed one its error; ok is true when the value can be used.
func failed[T any](msg common.Done[T], what string) (tea.Cmd, bool) {
	switch {
	case msg.Cancelled:
		return common.Flash(what + " cancelled"), false
	case msg.Err != nil:
		return common.FlashError(msg.Err), false
	}
	return nil, true
}

func (s *Screen) modelsDone(msg common.Done[modelsLoaded]) tea.Cmd {
	switch {
	case msg.Cancelled:
		return common.Flash("models cancelled")
	case msg.Err != nil:
		s.modelsLoaded = true
		s.profitErr = msg.Err
		return nil
	}
	s.modelsLoaded = true
	prev := ""
	if s.modelIdx < len(s.models) {
		prev = s.models[s.modelIdx].Name
	}
	s.models = msg.Value
	s.modelIdx = 0
	for i, m := range s.models {
		if s.modelChosen && m.Name == prev {
			s.modelIdx = i
		}
	}
	s.profit, s.profitErr = nil, nil
	s.recomputeProfit()
	return s.loadProfit()
}

func (s *Screen) scoredDone(sc scored) tea.Cmd {
	if len(sc.scores) == 0 {
		return common.FlashError(fmt.Errorf("%s scored no customers", sc.model))
	}
	s.inScores, s.inModel = sc.scores, sc.model
	if s.profit != nil && s.profit.Model.ModelID == sc.model && s.profit.Economics.Margin > 0 {
		s.inbound.Margin = s.profit.Economics.Margin // the scored product's own margin
	}
	// Start where the seed starts: the top 5 % of scores are worth an offer.
	s.threshold = round12(quantile(sc.scores, 0.95))
	s.inCursor = len(InboundFields)
	s.applyThreshold()
	return common.Flash(fmt.Sprintf("scored %s customers with %s; ←/→ moves the threshold", sim.FormatCount(float64(len(sc.scores))), sc.model))
}

func (s *Screen) key(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	if s.promptFor != promptNone {
		return s.promptKey(msg)
	}
	if s.svc == nil {
		return nil
	}
	if s.comparing {
		return s.compareKey(msg)
	}
	switch {
	case key.Matches(msg, k.Frequency):
		s.panel = PanelFrequency
	case key.Matches(msg, k.ROI):
		s.panel = PanelROI
	case key.Matches(msg, k.Inbound):
		s.panel = PanelInbound
	case key.Matches(msg, k.Up):
		s.moveCursor(-1)
	case key.Matches(msg, k.Down):
		s.moveCursor(1)
	case key.Matches(msg, k.Left):
		return s.change(-1)
	case key.Matches(msg, k.Right):
		return s.change(1)
	case key.Matches(msg, k.Edit):
		return s.openValuePrompt()
	case key.Matches(msg, k.Period):
		s.periodIdx = (s.periodIdx + 1) % len(Periods)
		return s.loadFrequency()
	case key.Matches(msg, k.Model):
		if s.panel == PanelROI && len(s.models) > 1 {
			s.modelIdx = (s.modelIdx + 1) % len(s.models)
			s.modelChosen = true
			s.profit, s.profitErr, s.tgModel = nil, nil, ""
			s.recomputeProfit()
			return s.loadProfit()
		}
	case key.Matches(msg, k.Reset):
		switch s.panel {
		case PanelROI:
			s.mass, s.targeted, s.tgModel = SeedMass, SeedTargeted, ""
			s.recomputeROI()
		case PanelInbound:
			s.inbound = SeedInbound
			s.inScores, s.inModel, s.inFromModel, s.inCursor = nil, "", false, 0
			s.recomputeInbound()
		case PanelFrequency:
			s.from, s.to = 3, 4
			s.recomputeWhatIf()
		}
		return common.Flash("inputs reset to the seed numbers")
	case key.Matches(msg, k.UseModel) && s.panel == PanelInbound:
		if len(s.models) == 0 {
			return common.Flash("u needs a trained product model (Profiles screen: t or T)")
		}
		return s.loadScores()
	case key.Matches(msg, k.UseModel):
		if s.panel != PanelROI || s.profit == nil {
			return common.Flash("u needs the profit curve of a trained model (outbound panel)")
		}
		mass, tg, err := ModelCampaigns(s.profit)
		if err != nil {
			return common.FlashError(err)
		}
		s.mass, s.targeted, s.tgModel = mass, tg, s.profit.Model.ModelID
		s.recomputeROI()
		return common.Flash(fmt.Sprintf("inputs from %s: mass = every eligible customer, targeted = the profit-optimal top %.0f %%; its conversion follows the gains when the volume changes",
			s.profit.Model.ModelID, 100*s.profit.Curve.Optimum.Depth))
	case key.Matches(msg, k.Save):
		return s.openPrompt(promptSave, s.defaultScenarioName())
	case key.Matches(msg, k.Compare):
		s.comparing = true
		return s.loadScenarios()
	case key.Matches(msg, k.Export):
		if s.panel == PanelInbound {
			return common.Flash("the inbound panel has no chart; f and o have one")
		}
		return s.openPrompt(promptExport, s.exportName())
	}
	return nil
}

func (s *Screen) moveCursor(d int) {
	switch s.panel {
	case PanelFrequency:
		s.freqCursor = (s.freqCursor + d + 4) % 4
	case PanelROI:
		n := 2 * len(OutboundFields)
		s.roiCursor = (s.roiCursor + d + n) % n
	case PanelInbound:
		n := s.inboundFieldCount()
		s.inCursor = (s.inCursor + d + n) % n
	}
}

// MaxContacts bounds the contacts per period the what-if accepts from ←/→.
const MaxContacts = 24

// change applies ←/→ to the input under the cursor; ROI, inbound and what-if results
// recompute synchronously (pure arithmetic on cached aggregates).
func (s *Screen) change(d int) tea.Cmd {
	switch s.panel {
	case PanelFrequency:
		switch s.freqCursor {
		case 0:
			if len(s.segments) == 0 {
				return nil
			}
			s.segIdx = (s.segIdx + d + len(s.segments)) % len(s.segments)
			return s.loadFrequency()
		case 1:
			s.from = min(max(s.from+d, 0), MaxContacts)
		case 2:
			s.to = min(max(s.to+d, 0), MaxContacts)
		case 3:
			s.periodIdx = (s.periodIdx + d + len(Periods)) % len(Periods)
			return s.loadFrequency()
		}
		s.recomputeWhatIf()
	case PanelROI:
		i := s.roiCursor % len(OutboundFields)
		f := OutboundFields[i]
		if s.roiCursor == len(OutboundFields) && s.tgModel != "" && s.profit != nil {
			// Along the model's gains: steps of about 1 % of the eligible base.
			f.Step = niceStep(s.profit.Curve.Input.Base / 100)
		}
		if s.roiCursor < len(OutboundFields) {
			s.mass = withOutboundValue(s.mass, i, f.StepValue(outboundValue(s.mass, i), d))
		} else {
			tg, err := s.withTargeted(i, f.StepValue(outboundValue(s.targeted, i), d))
			if err != nil {
				return common.FlashError(err)
			}
			s.targeted = tg
		}
		s.recomputeROI()
	case PanelInbound:
		if s.inCursor >= len(InboundFields) {
			s.threshold = ThresholdField.StepValue(s.threshold, d)
			s.applyThreshold()
			return nil
		}
		f := InboundFields[s.inCursor]
		s.inbound = withInboundValue(s.inbound, s.inCursor, f.StepValue(inboundValue(s.inbound, s.inCursor), d))
		if s.inCursor == 1 || s.inCursor == 2 {
			s.inFromModel = false
		}
		s.recomputeInbound()
	}
	return nil
}

// currentField is the numeric input under the cursor and its value (ok false for the
// frequency panel's segment and period).
func (s *Screen) currentField() (Field, float64, bool) {
	switch s.panel {
	case PanelROI:
		i := s.roiCursor % len(OutboundFields)
		o := s.mass
		if s.roiCursor >= len(OutboundFields) {
			o = s.targeted
		}
		return OutboundFields[i], outboundValue(o, i), true
	case PanelInbound:
		if s.inCursor >= len(InboundFields) {
			return ThresholdField, s.threshold, true
		}
		return InboundFields[s.inCursor], inboundValue(s.inbound, s.inCursor), true
	case PanelFrequency:
		switch s.freqCursor {
		case 1:
			return Field{Name: "from", Label: "contacts now", Unit: count, Step: 1}, float64(s.from), true
		case 2:
			return Field{Name: "to", Label: "contacts in the what-if", Unit: count, Step: 1}, float64(s.to), true
		}
	}
	return Field{}, 0, false
}

func (s *Screen) openValuePrompt() tea.Cmd {
	f, v, ok := s.currentField()
	if !ok {
		return common.Flash("←/→ choose the " + map[bool]string{true: "segment", false: "period"}[s.freqCursor == 0])
	}
	return s.openPrompt(promptValue, f.Edit(v))
}

func (s *Screen) openPrompt(p prompt, value string) tea.Cmd {
	s.promptFor, s.inputErr = p, ""
	s.input.SetValue(value)
	s.input.CursorEnd()
	return s.input.Focus()
}

func (s *Screen) closePrompt() {
	s.promptFor = promptNone
	s.inputErr = ""
	s.input.Blur()
}

func (s *Screen) promptKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(msg, k.Close):
		s.closePrompt()
		return nil
	case key.Matches(msg, k.Confirm):
		text := strings.TrimSpace(s.input.Value())
		switch s.promptFor {
		case promptValue:
			if err := s.applyTyped(text); err != nil {
				s.inputErr = err.Error()
				return common.FlashError(err)
			}
			s.closePrompt()
		case promptSave:
			if text == "" {
				s.inputErr = "a scenario needs a name"
				return nil
			}
			s.closePrompt()
			return s.save(text)
		case promptExport:
			if text == "" {
				s.inputErr = "give a file name ending in .png, .svg or .pdf"
				return nil
			}
			s.closePrompt()
			return s.export(text)
		}
		return nil
	}
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	return cmd
}

// ApplyValue sets the input under the cursor to a typed value. A value that is not a
// number, or that the calculation rejects (a conversion above 100 %, a negative volume),
// changes nothing and is returned as an error naming the input.
func (s *Screen) applyTyped(text string) error {
	f, _, ok := s.currentField()
	if !ok {
		return errors.New("this input is chosen with ←/→")
	}
	v, err := f.Parse(text)
	if err != nil {
		return err
	}
	switch s.panel {
	case PanelROI:
		i := s.roiCursor % len(OutboundFields)
		side, o := "mass", s.mass
		if s.roiCursor >= len(OutboundFields) {
			side, o = "targeted", s.targeted
		}
		o = withOutboundValue(o, i, v)
		if err := o.Validate(); err != nil {
			return fmt.Errorf("%s: %w", side, err) // the prompt's label names the input
		}
		if side == "mass" {
			s.mass = o
		} else {
			tg, err := s.withTargeted(i, v)
			if err != nil {
				return err
			}
			s.targeted = tg
		}
		s.recomputeROI()
	case PanelInbound:
		if s.inCursor >= len(InboundFields) {
			if v < 0 || v > 1 {
				return fmt.Errorf("%s: %s is not between 0 and 100 %%", f.Label, text)
			}
			if _, _, err := sim.InboundFromScores(s.inScores, v); err != nil {
				return fmt.Errorf("%s: %w", f.Label, err)
			}
			s.threshold = v
			s.applyThreshold()
			return nil
		}
		if s.inCursor == 1 || s.inCursor == 2 {
			s.inFromModel = false
		}
		in := withInboundValue(s.inbound, s.inCursor, v)
		if err := in.Validate(); err != nil {
			return fmt.Errorf("inbound %s: %w", f.Label, err)
		}
		s.inbound = in
		s.recomputeInbound()
	case PanelFrequency:
		if v != float64(int(v)) || v < 0 || v > MaxContacts {
			return fmt.Errorf("%s: %s is not a whole number of contacts between 0 and %d", f.Label, text, MaxContacts)
		}
		if s.freqCursor == 1 {
			s.from = int(v)
		} else {
			s.to = int(v)
		}
		s.recomputeWhatIf()
	}
	return nil
}

// withTargeted is the targeted campaign with input i set to v. While its conversion comes
// from a model (u), a new volume re-reads the conversion from the gains at that depth (an
// error when the gains cannot give one: nothing changes then), and a conversion set by hand
// ends the link to the model.
func (s *Screen) withTargeted(i int, v float64) (sim.Outbound, error) {
	tg := withOutboundValue(s.targeted, i, v)
	switch {
	case s.tgModel == "":
	case OutboundFields[i].Name == "volume":
		c, err := s.modelConversion(v)
		if err != nil {
			return s.targeted, fmt.Errorf("conversion from %s's gains: %w", s.tgModel, err)
		}
		tg.Conversion = c
	case OutboundFields[i].Name == "conversion":
		s.tgModel = ""
	}
	return tg, nil
}

func (s *Screen) defaultScenarioName() string {
	switch s.panel {
	case PanelFrequency:
		return fmt.Sprintf("%s %d→%d per %s", s.segment(), s.from, s.to, sim.PeriodName(s.months()))
	case PanelROI:
		return fmt.Sprintf("roi %s vs %s", compact(s.mass.Volume), compact(s.targeted.Volume))
	}
	return fmt.Sprintf("inbound %s contacts", compact(s.inbound.Contacts))
}

func compact(v float64) string { return strings.ReplaceAll(sim.FormatShort(v), " ", "") }

// ModelCampaigns reads both campaigns from a model's profit curve (as loaded, at the
// product's economics): the mass mailing goes to every eligible customer at the response
// rate of the randomly selected offers, the targeted one to the profit-optimal top by the
// model, at the conversion its holdout gains curve gives at that volume
// (sim.TargetedConversion); both at the product's margin and mean cost per contact. It fails
// when no selection depth pays (no targeted campaign to take).
func ModelCampaigns(p *services.ProfitView) (mass, targeted sim.Outbound, err error) {
	in, opt := p.Curve.Input, p.Curve.Optimum
	mass = sim.Outbound{Volume: math.Round(in.Base), Conversion: in.ResponseRate, Profit: in.Profit, CostPerContact: in.CostPerContact}
	vol := math.Round(opt.Volume)
	if vol <= 0 {
		return mass, targeted, fmt.Errorf("no selection depth of %s pays at € %s per contract and € %.2f per contact: there is no targeted campaign to take",
			p.Model.ModelID, sim.FormatMoney(in.Profit), in.CostPerContact)
	}
	c, err := sim.TargetedConversion(in.Gains, in.Base, vol, in.ResponseRate)
	if err != nil {
		return mass, targeted, fmt.Errorf("%s: %w", p.Model.ModelID, err)
	}
	targeted = sim.Outbound{Volume: vol, Conversion: round12(c), Profit: in.Profit, CostPerContact: in.CostPerContact}
	return mass, targeted, nil
}

// ThresholdField is the live-scoring threshold on the inbound panel.
var ThresholdField = Field{Name: "threshold", Label: "score threshold", Unit: share, Step: 0.01}

// inboundFieldCount is how many inputs the inbound panel has now (the threshold appears once
// a model's scores are loaded).
func (s *Screen) inboundFieldCount() int {
	if s.inScores != nil {
		return len(InboundFields) + 1
	}
	return len(InboundFields)
}

// applyThreshold derives the interesting share and the close rate from the scores at the
// threshold (sim.InboundFromScores) and recomputes the opportunity.
func (s *Screen) applyThreshold() {
	interesting, closeRate, err := sim.InboundFromScores(s.inScores, s.threshold)
	if err != nil {
		s.inResult, s.inErr = nil, fmt.Errorf("threshold %s: %w", ThresholdField.Format(s.threshold), err)
		return
	}
	s.inbound.Interesting, s.inbound.Close = round12(interesting), round12(closeRate)
	s.inFromModel = true
	s.recomputeInbound()
}

// quantile is the q-quantile of xs (sorted copy, nearest rank).
func quantile(xs []float64, q float64) float64 {
	c := append([]float64(nil), xs...)
	sort.Float64s(c)
	if len(c) == 0 {
		return 0
	}
	return c[min(int(q*float64(len(c))), len(c)-1)]
}

// Scenario is the scenario the panel on screen would save.
func (s *Screen) Scenario(name string) (sim.Scenario, error) {
	switch s.panel {
	case PanelFrequency:
		if s.whatIf == nil {
			if s.whatIfErr != nil {
				return sim.Scenario{}, fmt.Errorf("nothing to save: %w", s.whatIfErr)
			}
			return sim.Scenario{}, errors.New("nothing to save yet: the frequency analysis is still loading")
		}
		inputs := map[string]any{"segment": s.whatIf.Segment.Name, "period": fmt.Sprintf("%dm", s.months()),
			"boot": Boot, "seed": Seed, "from": s.from, "to": s.to}
		return sim.NewScenario(name, sim.KindFrequency, inputs, s.whatIf)
	case PanelROI:
		if s.roi == nil {
			return sim.Scenario{}, fmt.Errorf("nothing to save: %w", s.roiErr)
		}
		inputs := map[string]any{"mass": s.mass, "targeted": s.targeted}
		if s.tgModel != "" {
			inputs["model"] = s.tgModel // the targeted conversion is read from its gains
		}
		return sim.NewScenario(name, sim.KindROI, inputs, s.roi)
	}
	if s.inResult == nil {
		return sim.Scenario{}, fmt.Errorf("nothing to save: %w", s.inErr)
	}
	return sim.NewScenario(name, sim.KindInbound, s.inbound, s.inResult)
}

func (s *Screen) save(name string) tea.Cmd {
	sc, err := s.Scenario(name)
	if err != nil {
		return common.FlashError(err)
	}
	svc := s.svc
	return start(s, "saving scenario "+name, func(ctx context.Context, _ func(common.Progress)) (scenarioSaved, error) {
		if err := svc.SaveScenario(ctx, sc, false); err != nil {
			if errors.Is(err, sim.ErrScenarioExists) {
				return "", fmt.Errorf("scenario %q already exists: save under another name (s)", name)
			}
			return "", err
		}
		return scenarioSaved(name), nil
	})
}

func (s *Screen) loadScenarios() tea.Cmd {
	svc := s.svc
	return start(s, "listing scenarios", func(ctx context.Context, _ func(common.Progress)) (scenariosLoaded, error) {
		return svc.Scenarios(ctx)
	})
}

func (s *Screen) compareKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(msg, k.Close), key.Matches(msg, k.Compare):
		s.comparing = false
	case key.Matches(msg, k.Up):
		s.scCursor = max(s.scCursor-1, 0)
	case key.Matches(msg, k.Down):
		s.scCursor = min(s.scCursor+1, max(len(s.scenarios)-1, 0))
	case key.Matches(msg, k.Mark), key.Matches(msg, k.Confirm):
		if s.scCursor >= len(s.scenarios) {
			return nil
		}
		name := s.scenarios[s.scCursor].Name
		for i, m := range s.scMarked {
			if m == name {
				s.scMarked = append(s.scMarked[:i], s.scMarked[i+1:]...)
				return nil
			}
		}
		if len(s.scMarked) == 2 {
			s.scMarked = s.scMarked[1:]
		}
		s.scMarked = append(s.scMarked, name)
	}
	return nil
}

// exportName is the default file of the chart on screen, in the working directory.
func (s *Screen) exportName() string {
	switch s.panel {
	case PanelROI:
		return "simulate-roi.png"
	}
	return sanitize(fmt.Sprintf("simulate-frequency-%s-%dm", s.segment(), s.months())) + ".png"
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}

// export writes the panel's chart; on the ROI panel with a profit curve on screen the profit
// curve is written too, next to the ROI chart (name-profit.png).
func (s *Screen) export(path string) tea.Cmd {
	svc := s.svc
	switch s.panel {
	case PanelROI:
		if s.roi == nil {
			return common.FlashError(fmt.Errorf("nothing to export: %w", s.roiErr))
		}
		cmp := *s.roi
		var pv *services.ProfitView
		if s.profit != nil && s.curve != nil {
			v := *s.profit
			v.Curve = *s.curve // the curve on screen, at the economics entered
			pv = &v
		}
		return start(s, "exporting the ROI chart", func(ctx context.Context, _ func(common.Progress)) (chartExported, error) {
			out, err := svc.ExportROI(ctx, path, cmp)
			if err != nil || pv == nil {
				return chartExported(out), err
			}
			ext := strings.LastIndex(path, ".")
			pp := path[:max(ext, 0)] + "-profit" + path[max(ext, 0):]
			if ext < 0 {
				pp = path + "-profit"
			}
			out2, err := svc.ExportProfit(ctx, pp, *pv)
			if err != nil {
				return "", err
			}
			return chartExported(out + " and " + out2), nil
		})
	}
	opts := s.freqOptions()
	return start(s, "exporting the frequency chart", func(ctx context.Context, _ func(common.Progress)) (chartExported, error) {
		out, err := svc.ExportFrequency(ctx, path, opts)
		return chartExported(out), err
	})
}

// Actions are the palette commands.
func (s *Screen) Actions() []common.Action {
	do := func(b key.Binding) func() tea.Cmd {
		return func() tea.Cmd { return s.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(b.Keys()[0])}) }
	}
	return []common.Action{
		{Owner: ID, Title: "contact-frequency what-if", Key: "f", Do: do(s.keys.Frequency)},
		{Owner: ID, Title: "outbound ROI: mass against targeted", Key: "o", Do: do(s.keys.ROI)},
		{Owner: ID, Title: "inbound opportunity", Key: "i", Do: do(s.keys.Inbound)},
		{Owner: ID, Title: "save the scenario on screen", Key: "s", Do: do(s.keys.Save)},
		{Owner: ID, Title: "compare saved scenarios", Key: "c", Do: do(s.keys.Compare)},
		{Owner: ID, Title: "export the chart on screen", Key: "e", Do: do(s.keys.Export)},
	}
}

// KeyMap returns the keys that work now.
func (s *Screen) KeyMap() help.KeyMap {
	k := s.keys
	if s.promptFor != promptNone {
		return keyMap{short: []key.Binding{k.Confirm, k.Close}}
	}
	if s.svc == nil {
		return keyMap{}
	}
	if s.comparing {
		up := key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "choose"))
		return keyMap{short: []key.Binding{up, k.Mark, k.Close}}
	}
	k.Model.SetEnabled(s.panel == PanelROI && len(s.models) > 1)
	k.UseModel.SetEnabled(s.panel == PanelROI && s.profit != nil || s.panel == PanelInbound && len(s.models) > 0)
	if s.panel == PanelInbound {
		k.UseModel.SetHelp("u", "score with the model")
	}
	k.Period.SetEnabled(s.panel == PanelFrequency)
	k.Export.SetEnabled(s.panel != PanelInbound)
	short := []key.Binding{k.Left, k.Up, k.Edit, k.Frequency, k.ROI, k.Inbound, k.Model, k.UseModel, k.Save, k.Compare, k.Export}
	return keyMap{short: short, full: [][]key.Binding{{k.Up, k.Left, k.Edit, k.Reset, k.Period, k.Model, k.UseModel}, {k.Frequency, k.ROI, k.Inbound, k.Save, k.Compare, k.Export}}}
}

type keyMap struct {
	short []key.Binding
	full  [][]key.Binding
}

func (m keyMap) ShortHelp() []key.Binding { return m.short }
func (m keyMap) FullHelp() [][]key.Binding {
	if m.full == nil {
		return [][]key.Binding{m.short}
	}
	return m.full
}
