// Package monitor is the Monitor screen, step 3 of the loop: the registered campaigns with
// their flags, one campaign's actual acceptance against the predicted P(accept) (cells,
// conversion and uplift against the control cell and the global hold-out, deciles), its
// cumulative acceptance over time and
// its Qini curve (ntcharts), and the drift table (PSI of every feature and score against the
// baseline). Every number comes from analysis/monitor.Run, the report acrm monitor prints;
// the load is a job (esc cancels), e exports the decile, over-time or Qini chart.
package monitor

import (
	"context"
	"fmt"
	"math"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/analysis/monitor"
	"github.com/acrm-dev/acrm/charts"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/keys"
	"github.com/acrm-dev/acrm/tui/services"
)

// ID is the screen's owner id.
const ID = "monitor"

// loaded is the result of the report job.
type loaded *monitor.Report

// The views of the chart pane, cycled with v.
const (
	viewDeciles = iota
	viewTime
	viewQini
	viewDrift
	nViews
)

var viewNames = [nViews]string{"deciles", "over time", "Qini", "drift"}

// KeyMap are the Monitor screen's keys.
type KeyMap struct {
	Up, Down, Top, Bottom key.Binding
	View                  key.Binding
	Refresh               key.Binding
	Export                key.Binding
	Challenge, Promote    key.Binding
}

// DefaultKeyMap returns the default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "campaign")),
		Down:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↑/↓", "campaign")),
		Top:     key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/G", "first/last")),
		Bottom:  key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("g/G", "first/last")),
		View:    keys.Key("v", "deciles/time/Qini/drift"),
		Refresh: keys.Key("r", "refresh"),
		Export:  keys.Key("e", "export chart"),
		// c compares the campaign's model with its newest other version; p promotes it.
		Challenge: keys.Key("c", "challenger"),
		Promote:   keys.Key("p", "promote challenger"),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Down, k.View, k.Challenge, k.Export, k.Refresh}
}

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom, k.View, k.Export, k.Refresh, k.Challenge, k.Promote}}
}

// Screen is the Monitor screen.
type Screen struct {
	c    *common.Common
	svc  services.MonitorService
	keys KeyMap

	width, height int
	rep           *monitor.Report
	cursor        int
	view          int
	busy          string
	err           error
	export        *common.Export
	challenge     *monitor.Challenge // the last c comparison (shown with its campaign)
}

type challenged *monitor.Challenge

type promoted struct{ ref, previous string }

// New returns the Monitor screen.
func New(c *common.Common) common.Screen {
	s := &Screen{c: c, svc: c.Monitor, keys: DefaultKeyMap()}
	s.export = common.NewExport(c, ID, components.DefaultPathPromptKeys(), func() {})
	return s
}

func (s *Screen) ID() string          { return ID }
func (s *Screen) Title() string       { return "Monitor" }
func (s *Screen) KeyMap() help.KeyMap { return s.keys }
func (s *Screen) InputFocused() bool  { return s.export.IsOpen() }
func (s *Screen) SetSize(w, h int)    { s.width, s.height = w, h }
func (s *Screen) Actions() []common.Action {
	return []common.Action{{Owner: ID, Title: "Monitor: evaluate campaigns and drift", Key: "r", Do: s.load}}
}

// Init evaluates the campaigns; the drift (a pass over every feature of the base) is
// measured when the drift view is first shown or on r.
func (s *Screen) Init() tea.Cmd { return s.start(false) }

func (s *Screen) load() tea.Cmd { return s.start(true) }

func (s *Screen) start(drift bool) tea.Cmd {
	if s.svc == nil {
		return nil
	}
	svc := s.svc
	s.busy, s.err = "evaluating campaigns…", nil
	if drift {
		s.busy = "evaluating campaigns and drift…"
	}
	_, cmd := common.Start(s.c.Jobs, ID, "evaluating campaigns", func(ctx context.Context, report func(common.Progress)) (loaded, error) {
		r, err := svc.MonitorReport(ctx, monitor.Options{NoDrift: !drift}, report)
		return loaded(r), err
	})
	return cmd
}

// Update handles keys and job results.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	wasOpen := s.export.IsOpen()
	if cmd := s.export.Update(msg); wasOpen || cmd != nil {
		if _, ok := msg.(tea.KeyMsg); ok || cmd != nil {
			return cmd
		}
	}
	switch msg := msg.(type) {
	case common.Done[loaded]:
		s.busy = ""
		if msg.Cancelled {
			return common.FlashReload("evaluation")
		}
		s.err = msg.Err
		if msg.Err == nil {
			s.rep = msg.Value
			s.cursor = min(s.cursor, max(0, len(s.rep.Campaigns)-1))
		}
	case common.Done[challenged]:
		s.busy = ""
		if msg.Cancelled {
			return nil
		}
		if msg.Err != nil {
			return common.Refuse(msg.Err.Error())
		}
		s.challenge = msg.Value
		return nil
	case common.Done[promoted]:
		s.busy = ""
		if msg.Err != nil {
			return common.Refuse(msg.Err.Error())
		}
		text := fmt.Sprintf("%s serves now (was %s); every version stays in the registry", msg.Value.ref, msg.Value.previous)
		s.challenge = nil
		return tea.Batch(common.Flash(text), s.load())
	case common.RefreshMsg:
		return s.load()
	case tea.KeyMsg:
		return s.key(msg)
	}
	return nil
}

func (s *Screen) key(msg tea.KeyMsg) tea.Cmd {
	n := 0
	if s.rep != nil {
		n = len(s.rep.Campaigns)
	}
	switch {
	case key.Matches(msg, s.keys.Up):
		s.cursor = max(0, s.cursor-1)
	case key.Matches(msg, s.keys.Down):
		s.cursor = max(0, min(n-1, s.cursor+1))
	case key.Matches(msg, s.keys.Top):
		s.cursor = 0
	case key.Matches(msg, s.keys.Bottom):
		s.cursor = max(0, n-1)
	case key.Matches(msg, s.keys.View):
		s.view = (s.view + 1) % nViews
		if s.view == viewDrift && s.rep != nil && s.rep.Drift == nil && s.busy == "" {
			return s.load()
		}
	case key.Matches(msg, s.keys.Refresh):
		return s.load()
	case key.Matches(msg, s.keys.Export):
		return s.exportChart()
	case key.Matches(msg, s.keys.Challenge):
		return s.challengeCampaign()
	case key.Matches(msg, s.keys.Promote):
		return s.promote()
	}
	return nil
}

// challengeCampaign compares the chosen campaign's model with the newest other version of its
// name on the campaign's outcomes (a job; the result shows under the campaign's detail).
func (s *Screen) challengeCampaign() tea.Cmd {
	c := s.campaign()
	if c == nil || s.svc == nil {
		return common.Refuse("no campaign to challenge")
	}
	if !c.HasPrediction {
		return common.Refuse(fmt.Sprintf("campaign %d has no registered prediction: nothing to challenge", c.ID))
	}
	svc, id := s.svc, c.ID
	s.busy = fmt.Sprintf("challenging campaign %d's model…", id)
	_, cmd := common.Start(s.c.Jobs, ID, "challenging the serving model", func(ctx context.Context, _ func(common.Progress)) (challenged, error) {
		ch, err := svc.ChallengeNewest(ctx, id)
		return challenged(ch), err
	})
	return cmd
}

// promote makes the challenger just compared serve its name.
func (s *Screen) promote() tea.Cmd {
	c := s.campaign()
	if s.challenge == nil || c == nil || s.challenge.CampaignID != c.ID {
		return common.Refuse("c first: compare the campaign's model with its challenger, then p promotes the challenger")
	}
	svc, ref := s.svc, s.challenge.Challenger.Model
	s.busy = "promoting " + ref + "…"
	_, cmd := common.Start(s.c.Jobs, ID, "promoting "+ref, func(ctx context.Context, _ func(common.Progress)) (promoted, error) {
		prev, err := svc.PromoteModel(ctx, ref)
		return promoted{ref, prev}, err
	})
	return cmd
}

func (s *Screen) campaign() *monitor.Campaign {
	if s.rep == nil || s.cursor >= len(s.rep.Campaigns) {
		return nil
	}
	return s.rep.Campaigns[s.cursor]
}

func (s *Screen) exportChart() tea.Cmd {
	c := s.campaign()
	if c == nil {
		return common.Refuse("no campaign to export")
	}
	kind := map[int]string{viewDeciles: "deciles", viewTime: "time", viewQini: "qini"}[s.view]
	if kind == "" {
		return common.Refuse(fmt.Sprintf("the %s view has no chart export; v switches to deciles, over time or Qini (acrm monitor --format json has every number)", viewNames[s.view]))
	}
	if kind == "qini" && math.IsNaN(c.QiniCoef) {
		return common.Refuse(fmt.Sprintf("campaign %d has no Qini curve (a prediction for every member and a control cell)", c.ID))
	}
	if !c.HasPrediction {
		return common.Refuse(fmt.Sprintf("campaign %d has no registered prediction to chart", c.ID))
	}
	svc := s.svc
	name := charts.SafeFileName(fmt.Sprintf("campaign-%d-%s", c.ID, kind)) + ".png"
	return s.export.Open(fmt.Sprintf("Export campaign %d's %s chart (.png/.svg/.pdf)", c.ID, viewNames[s.view]), name,
		"exporting the campaign chart", func(ctx context.Context, path string) (string, error) {
			return svc.ExportCampaignChart(ctx, c, kind, path)
		})
}

// View draws the screen.
func (s *Screen) View() string {
	if s.width <= 0 || s.height <= 0 {
		return ""
	}
	if s.svc == nil {
		return components.FitLines([]string{"The Monitor needs a workspace (acrm --db FILE)."}, s.width, s.height)
	}
	h := s.height - s.export.Height()
	var body string
	switch {
	case s.busy != "" && s.rep == nil:
		body = components.FitLines([]string{s.busy + " (esc cancels)"}, s.width, h)
	case s.err != nil && s.rep == nil:
		body = components.FitLines(components.WrapWords("error: "+s.err.Error(), s.width), s.width, h)
	case s.rep == nil:
		body = components.FitLines([]string{"r evaluates the registered campaigns and the drift of the base"}, s.width, h)
	default:
		body = Render(s.c, s.rep, s.cursor, s.view, s.width, h, s.challenge)
	}
	if s.export.IsOpen() {
		body += "\n" + s.export.View(s.c.Theme, s.width)
	}
	return body
}
