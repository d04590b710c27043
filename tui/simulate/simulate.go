// Package simulate is the Simulate screen: the contact-frequency what-if of a segment (now
// against what-if with 95 % intervals and the response-vs-contacts curve with its band and
// optimum), outbound ROI of a mass mailing against a model-targeted one with the profit curve
// over selection depth of a trained model, and the inbound opportunity. Every input is
// editable and the result recomputes at once from the pure functions of analysis/sim; only
// loading the frequency aggregates and the profit curve touches the workspace, as jobs.
// Scenarios are saved (s) and compared side by side (c); e exports the chart on screen.
//
// The screen is this file plus one panel per page — frequency.go, roi.go, inbound.go,
// compare.go — the value prompt (prompt.go) and the export dialog (common.Export);
// render.go holds the pure model→strings and chart code, inputs.go the input fields.
package simulate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
)

// ID is the screen's owner id.
const ID = "simulate"

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
	Boot = sim.DefaultBoot
	Seed = sim.DefaultSeed
)

// Periods are the period lengths p cycles through, in months.
var Periods = []int{6, 3, 12}

// panel is one editable page: a pane whose inputs move (↑/↓), step (←/→), take a typed
// value (enter), reset to the seed numbers (0) and save as a scenario (s).
type panel interface {
	common.Pane
	move(d int)
	change(d int) tea.Cmd
	// field is the numeric input under the cursor and its value (ok false for a choice
	// made with ←/→ only).
	field() (f Field, v float64, ok bool)
	// apply sets the input under the cursor to v (parsed from text by f); an error names
	// the input and changes nothing.
	apply(f Field, text string, v float64) error
	reset()
	scenario(name string) (sim.Scenario, error)
	scenarioName() string
}

// Screen is the Simulate screen.
type Screen struct {
	c    *common.Common
	svc  services.SimulateService
	keys KeyMap

	width, height int
	panel         Panel

	freq   *freqPanel
	roi    *roiPanel
	in     *inboundPanel
	cmp    *comparePanel
	prompt *valuePrompt
	export *common.Export
}

// The results of the screen's own jobs.
type scenarioSaved string

// New returns the Simulate screen.
func New(c *common.Common) common.Screen {
	s := &Screen{c: c, svc: c.Simulate, keys: DefaultKeyMap()}
	s.freq = &freqPanel{c: c, svc: s.svc, from: 3, to: 4}
	s.roi = &roiPanel{c: c, svc: s.svc, mass: SeedMass, targeted: SeedTargeted}
	s.in = &inboundPanel{c: c, svc: s.svc, roi: s.roi, inbound: SeedInbound}
	s.cmp = &comparePanel{c: c, svc: s.svc, keys: s.keys}
	s.prompt = newValuePrompt(c)
	s.export = common.NewExport(c, ID, components.PathPromptKeys{Apply: s.keys.Confirm, Cancel: s.keys.Close, Complete: components.DefaultPathPromptKeys().Complete}, func() {})
	s.export.Written = func(out string) string { return "wrote " + out }
	s.export.Cancelled = "export cancelled"
	s.roi.recompute()
	s.in.recompute()
	return s
}

func (s *Screen) ID() string    { return ID }
func (s *Screen) Title() string { return "Simulate" }

// InputFocused is true while a value, a scenario name or a file name is typed.
func (s *Screen) InputFocused() bool { return s.prompt.open() || s.export.IsOpen() }

// SetSize sets the body size.
func (s *Screen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.prompt.SetSize(w, 1)
}

// Panel is the panel on screen.
func (s *Screen) Panel() Panel { return s.panel }

// ROI is the current mass-against-targeted result (nil when an input is invalid).
func (s *Screen) ROI() (*sim.OutboundComparison, error) { return s.roi.roi, s.roi.roiErr }

// Inbound is the current inbound result (nil when an input is invalid).
func (s *Screen) Inbound() (*sim.InboundResult, error) { return s.in.result, s.in.err }

// WhatIf is the current frequency what-if (nil before the aggregates are loaded).
func (s *Screen) WhatIf() (*sim.WhatIf, error) { return s.freq.whatIf, s.freq.whatIfErr }

// ProfitCurve is the profit curve on screen (nil before a model's curve is loaded).
func (s *Screen) ProfitCurve() (*sim.ProfitCurve, error) { return s.roi.curve, s.roi.curveErr }

// TargetedFromModel is the model whose gains give the targeted conversion ("" when it was
// entered by hand).
func (s *Screen) TargetedFromModel() string { return s.roi.tgModel }

// Scenario is the scenario the panel on screen would save.
func (s *Screen) Scenario(name string) (sim.Scenario, error) { return s.active().scenario(name) }

func (s *Screen) active() panel {
	switch s.panel {
	case PanelROI:
		return s.roi
	case PanelInbound:
		return s.in
	}
	return s.freq
}

// Init loads the segment list, the first segment's frequency aggregates and the models.
func (s *Screen) Init() tea.Cmd {
	if s.svc == nil {
		return nil
	}
	return tea.Batch(s.freq.loadSegments(), s.freq.load(), s.roi.loadModels())
}

// start runs fn as a job of the screen.
func start[T any](c *common.Common, label string, fn common.JobFunc[T]) tea.Cmd {
	_, cmd := common.Start(c.Jobs, ID, label, fn)
	return cmd
}

// failed is the common part of taking a result: a cancelled job flashes "what cancelled",
// a failed one its error; ok is true when the value can be used.
func failed[T any](msg common.Done[T], what string) (tea.Cmd, bool) {
	switch {
	case msg.Cancelled:
		return common.Refuse(what + " cancelled"), false
	case msg.Err != nil:
		return common.FlashError(msg.Err), false
	}
	return nil, true
}

// Update handles messages.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.JobProgressMsg:
		return nil
	case common.JobMsg:
		// Every panel takes the results of its own jobs.
		return tea.Batch(s.freq.Update(msg), s.roi.Update(msg), s.in.Update(msg), s.cmp.Update(msg),
			s.export.Update(msg), s.saved(msg))
	case common.RefreshMsg:
		if msg.Source == ID || s.svc == nil {
			return nil
		}
		return tea.Batch(s.freq.loadSegments(), s.roi.loadModels())
	case tea.KeyMsg:
		return s.key(msg)
	case common.InboundMsg:
		// The inputs measured elsewhere (the Offers screen's inbound opportunity) replace the
		// panel's; a model's scores loaded before no longer drive them.
		s.in.inbound, s.in.scores, s.in.fromModel = msg.Inputs, nil, false
		s.in.recompute()
		s.cmp.open, s.panel = false, PanelInbound
		return common.Flash("inbound inputs from " + msg.Source)
	}
	switch {
	case s.export.Prompt.Owns(msg) || s.export.IsOpen():
		return s.export.Update(msg)
	case s.prompt.open():
		return s.prompt.Update(msg)
	}
	return nil
}

func (s *Screen) saved(msg common.JobMsg) tea.Cmd {
	done, ok := msg.(common.Done[scenarioSaved])
	if !ok {
		return nil
	}
	if cmd, ok := failed(done, "save"); !ok {
		return cmd
	}
	return tea.Batch(common.Flash("saved scenario "+string(done.Value)), common.Refresh(ID))
}

func (s *Screen) key(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch {
	case s.export.IsOpen():
		return s.export.Update(msg)
	case s.prompt.open():
		return s.promptKey(msg)
	case s.svc == nil:
		return nil
	case s.cmp.open && (key.Matches(msg, k.Frequency) || key.Matches(msg, k.ROI) || key.Matches(msg, k.Inbound)):
		// the tab strip shows f/o/i above the scenarios too: they leave it for that panel
		s.cmp.open = false
	case s.cmp.open:
		return s.cmp.Update(msg)
	}
	p := s.active()
	switch {
	case key.Matches(msg, k.Frequency):
		s.panel = PanelFrequency
	case key.Matches(msg, k.ROI):
		s.panel = PanelROI
	case key.Matches(msg, k.Inbound):
		s.panel = PanelInbound
	case key.Matches(msg, k.Up):
		p.move(-1)
	case key.Matches(msg, k.Down):
		p.move(1)
	case key.Matches(msg, k.Left):
		return p.change(-1)
	case key.Matches(msg, k.Right):
		return p.change(1)
	case key.Matches(msg, k.Edit):
		return s.openValuePrompt()
	case key.Matches(msg, k.Period):
		return s.freq.nextPeriod()
	case key.Matches(msg, k.Model):
		if s.panel == PanelROI {
			return s.roi.nextModel()
		}
	case key.Matches(msg, k.Reset):
		p.reset()
		return common.Flash("inputs reset to the seed numbers")
	case key.Matches(msg, k.UseModel) && s.panel == PanelInbound:
		return s.in.useModel()
	case key.Matches(msg, k.UseModel):
		if s.panel != PanelROI {
			return common.Refuse("u takes inputs from a trained model on the outbound (o) and inbound (i) panels")
		}
		return s.roi.useModel()
	case key.Matches(msg, k.Save):
		return s.prompt.show(promptSave, "save scenario as", p.scenarioName())
	case key.Matches(msg, k.Compare):
		s.cmp.open = true
		return s.cmp.load()
	case key.Matches(msg, k.Export):
		return s.openExport()
	}
	return nil
}

func compact(v float64) string { return strings.ReplaceAll(sim.FormatShort(v), " ", "") }

func (s *Screen) save(name string) tea.Cmd {
	sc, err := s.Scenario(name)
	if err != nil {
		return common.FlashError(err)
	}
	svc := s.svc
	return start(s.c, "saving scenario "+name, func(ctx context.Context, _ func(common.Progress)) (scenarioSaved, error) {
		if err := svc.SaveScenario(ctx, sc, false); err != nil {
			if errors.Is(err, sim.ErrScenarioExists) {
				return "", fmt.Errorf("scenario %q already exists: save under another name (s)", name)
			}
			return "", err
		}
		return scenarioSaved(name), nil
	})
}

// openExport asks where the chart of the panel on screen goes: the frequency chart, or on
// the ROI panel the ROI chart (and the profit curve next to it when one is on screen).
func (s *Screen) openExport() tea.Cmd {
	const title = "Export the chart (.png/.svg/.pdf)"
	switch s.panel {
	case PanelInbound:
		return common.Refuse("the inbound panel has no chart; f and o have one")
	case PanelROI:
		write, err := s.roi.export()
		if err != nil {
			return common.FlashError(err)
		}
		return s.export.Open(title, "simulate-roi.png", "exporting the ROI chart", write)
	}
	opts := s.freq.options()
	return s.export.Open(title, s.freq.exportName(), "exporting the frequency chart",
		func(ctx context.Context, path string) (string, error) { return s.freq.export(ctx, path, opts) })
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

// View draws the panel tabs, the active panel and the prompt line (or the export dialog).
func (s *Screen) View() string {
	th := s.c.Theme
	if s.width <= 0 || s.height <= 0 {
		return ""
	}
	if s.svc == nil {
		return components.Box(th, "Simulate", th.Error.Render("✗ the workbench's services do not offer simulations (services.SimulateService); use acrm simulate on the command line"), "", s.width, s.height, true)
	}
	h := s.height - 1
	bottom := s.prompt.View()
	if s.export.IsOpen() {
		bottom = s.export.View(th, s.width)
		h -= s.export.Height() - 1
	}
	if bottom != "" {
		h--
	}
	var body common.Pane = s.active()
	if s.cmp.open {
		body = s.cmp
	}
	if s.prompt.open() || s.export.IsOpen() || s.cmp.open {
		body.Blur()
	} else {
		body.Focus()
	}
	body.SetSize(s.width, h)
	out := s.tabsLine() + "\n" + body.View()
	if bottom != "" {
		out += "\n" + bottom
	}
	return out
}

func (s *Screen) tabsLine() string {
	th := s.c.Theme
	names := []string{"f frequency what-if", "o outbound ROI & profit", "i inbound"}
	var parts []string
	for i, n := range names {
		if Panel(i) == s.panel && !s.cmp.open {
			parts = append(parts, th.TabActive.Render("["+n+"]"))
		} else {
			parts = append(parts, th.TabInactive.Render(" "+n+" "))
		}
	}
	if s.cmp.open {
		parts = append(parts, th.TabActive.Render("[c scenarios]"))
	} else {
		parts = append(parts, th.TabInactive.Render(" c scenarios "))
	}
	return components.PadRight(strings.Join(parts, " "), s.width)
}
