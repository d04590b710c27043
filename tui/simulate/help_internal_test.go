package simulate

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/theme"
)

// stubSimulate stands in for the workspace: the help test never runs a job.
type stubSimulate struct{ services.SimulateService }

// helpKeys are the keys the help overlay lists (FullHelp, enabled bindings only).
func helpKeys(s *Screen) map[string]bool {
	on := map[string]bool{}
	for _, col := range s.KeyMap().FullHelp() {
		for _, b := range col {
			if b.Enabled() {
				on[b.Help().Key] = true
			}
		}
	}
	return on
}

// TestHelpListsTheKeysThatWork (issue 11 friction: the help omitted u, m and e): on each panel
// the help overlay lists u, m and e exactly when they act — and a key it leaves out refuses
// or does nothing.
func TestHelpListsTheKeysThatWork(t *testing.T) {
	c := common.NewCommon(theme.New(true), nil)
	c.Simulate = stubSimulate{}
	s := New(c).(*Screen)
	press := func(k string) tea.Cmd { return s.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}) }

	// Frequency: the chart exports; no model to switch or take inputs from.
	if h := helpKeys(s); !h["e"] || h["m"] || h["u"] {
		t.Errorf("frequency panel help: %v", h)
	}
	if f, ok := press("u")().(common.FlashMsg); !ok || !f.Refused {
		t.Errorf("u on the frequency panel is not listed but did not refuse: %+v", f)
	}

	// Outbound ROI with two trained models and a profit curve: u, m and e all act.
	s.panel = PanelROI
	s.roi.modelsLoaded = true
	s.roi.models = []services.ProfileModel{{Product: "Mobile data-only SIM"}, {Product: "Microsoft 365"}}
	s.roi.profit = &services.ProfitView{}
	if h := helpKeys(s); !h["u"] || !h["m"] || !h["e"] {
		t.Fatalf("ROI panel with two models and a curve: help lacks u, m or e: %v", h)
	}
	if press("m"); s.roi.modelIdx != 1 {
		t.Errorf("m listed but did not move to the next model (index %d)", s.roi.modelIdx)
	}

	// One model: m has nothing to switch to, is not listed, and does nothing.
	s.roi.models, s.roi.modelIdx = s.roi.models[:1], 0
	s.roi.profit = &services.ProfitView{}
	if h := helpKeys(s); h["m"] || !h["u"] {
		t.Errorf("ROI panel with one model: %v", h)
	}
	if cmd := press("m"); cmd != nil || s.roi.modelIdx != 0 {
		t.Errorf("m with one model acted (index %d)", s.roi.modelIdx)
	}

	// Inbound: u scores with the model; e is not listed, and pressing it refuses.
	s.panel = PanelInbound
	if h := helpKeys(s); !h["u"] || h["e"] {
		t.Errorf("inbound panel help: %v", h)
	}
	f, ok := press("e")().(common.FlashMsg)
	if !ok || !f.Refused || !strings.Contains(f.Text, "no chart") {
		t.Errorf("e on the inbound panel: %+v", f)
	}
}
