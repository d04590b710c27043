// Package common is the shared screen context of the acrm workbench: the Screen interface
// every screen implements, the Common value screens embed (theme, services, jobs, size),
// palette actions, flash messages and the job plumbing that carries async work back to the
// screen that asked for it.
package common

import (
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/tui/keys"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/theme"
)

// Screen is one page of the workbench (Data, Segments, Profiles, ...). Implementations are
// pointer types; the root owns them all, resizes all of them and routes job results to
// their owner even when another screen is on top.
type Screen interface {
	// ID is the stable owner name used to route job results ("data", "segments", ...).
	ID() string
	// Title is the tab label.
	Title() string
	// Init starts the screen's first loads (as jobs; it must not block).
	Init() tea.Cmd
	// Update handles a message; Update never blocks.
	Update(msg tea.Msg) tea.Cmd
	// View renders the screen body in exactly the size given to SetSize.
	View() string
	// SetSize gives the body size (the root's frame excluded).
	SetSize(width, height int)
	// KeyMap is the screen's help; only enabled bindings are shown.
	KeyMap() help.KeyMap
	// InputFocused reports whether a text input has the keyboard, so q, digits and tab
	// go to the input instead of the shell.
	InputFocused() bool
	// Actions are the screen's commands for the palette.
	Actions() []Action
}

// Action is one palette entry. Do runs inside Update on the owning screen after the root
// has switched to it.
type Action struct {
	Owner string // screen ID
	Title string
	Key   string // the direct key, shown next to the title ("" if none)
	Do    func() tea.Cmd
}

// Common is embedded (by pointer) in every screen: the things a screen needs from the app
// without reaching for globals.
type Common struct {
	Theme    *theme.Theme
	Services services.Services
	// The screens' own services, taken from Services once by NewCommon; nil when Services
	// does not offer them (a test's bare fake), and the screen then says so.
	Exports  services.DataExportService
	Profiles services.ProfileService
	Simulate services.SimulateService
	Offers   services.OffersService
	Live     services.LiveService
	Monitor  services.MonitorService

	Jobs *Jobs
	Nav  keys.Nav
	// Now is the clock (injected so golden tests are stable).
	Now func() time.Time
}

// NewCommon builds a Common with the default keys and the wall clock.
func NewCommon(th *theme.Theme, svc services.Services) *Common {
	c := &Common{Theme: th, Services: svc, Nav: keys.DefaultNav(), Now: time.Now}
	c.Exports, _ = svc.(services.DataExportService)
	c.Profiles, _ = svc.(services.ProfileService)
	c.Simulate, _ = svc.(services.SimulateService)
	c.Offers, _ = svc.(services.OffersService)
	c.Live, _ = svc.(services.LiveService)
	c.Monitor, _ = svc.(services.MonitorService)
	c.Jobs = NewJobs(func() time.Time { return c.Now() })
	return c
}

// FlashMsg asks the shell to show a self-clearing message in the status bar. Error marks a
// failure (✗, stays until the next key); Refused marks a request that was not carried out —
// nothing to export, a key that needs something first, a cancelled job (⊘, its own colour);
// neither is a success (✓).
type FlashMsg struct {
	Text    string
	Error   bool
	Refused bool
}

// Refuse returns a command that shows, with the refusal mark, why a request was not done.
func Refuse(text string) tea.Cmd {
	return func() tea.Msg { return FlashMsg{Text: text, Refused: true} }
}

// Flash returns a command that shows text in the status bar.
func Flash(text string) tea.Cmd {
	return func() tea.Msg { return FlashMsg{Text: text} }
}

// FlashError returns a command that shows an error in the status bar.
func FlashError(err error) tea.Cmd {
	return func() tea.Msg { return FlashMsg{Text: err.Error(), Error: true} }
}

// WheelMsg is what the shell sends the active screen when the mouse wheel turns while one
// of the screen's text inputs has the keyboard (otherwise the wheel becomes up/down keys).
// Lines is the scroll distance, negative for up. A screen with a scrollable pane beside its
// input (the SQL console's results) scrolls that pane; every other screen and every text
// input ignores the message, so the wheel never moves a text cursor or recalls history.
type WheelMsg struct{ Lines int }

// SwitchMsg asks the shell to bring a screen to the front.
type SwitchMsg struct{ Screen string }

// InboundMsg asks the Simulate screen to show the inbound opportunity with these inputs
// (sent after a SwitchMsg to it, so it reaches the screen in front).
type InboundMsg struct {
	Inputs sim.Inbound
	Source string // where the inputs come from, for the screen's note
}

// RefreshMsg tells every screen that the workspace changed (a table was imported, a segment
// saved ...), so they reload what they show.
type RefreshMsg struct{ Source string }

// Refresh returns a command broadcasting RefreshMsg.
func Refresh(source string) tea.Cmd {
	return func() tea.Msg { return RefreshMsg{Source: source} }
}

// FlashReload says a load was cancelled with esc; the pane it filled says so until r
// reloads it: "<what> cancelled — r reloads".
func FlashReload(what string) tea.Cmd { return Flash(what + " cancelled — r reloads") }
