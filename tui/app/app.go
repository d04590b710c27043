// Package app is the root of the acrm workbench: it owns the screens, the tab bar and the
// status bar, routes job results to the screen that started them (even when another screen
// is on top), handles the global keys (switching, help, palette, cancel, quit) and draws
// the overlays. Screens live in their own packages and know nothing of the root.
package app

import (
	"sync/atomic"
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/data"
	"github.com/acrm-dev/acrm/tui/keys"
	"github.com/acrm-dev/acrm/tui/monitor"
	"github.com/acrm-dev/acrm/tui/offers"
	"github.com/acrm-dev/acrm/tui/profiles"
	"github.com/acrm-dev/acrm/tui/segments"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/simulate"
	"github.com/acrm-dev/acrm/tui/theme"
)

// Minimum terminal size; below it the app says so instead of drawing a broken layout.
const (
	MinWidth  = 80
	MinHeight = 24
)

// FlashDuration is how long an informational status message stays by default. Errors
// stay until the next message or the next key, so one raised while the user looks away
// (or while a job runs) is still there.
const FlashDuration = 5 * time.Second

// Options configure the app.
type Options struct {
	Theme *theme.Theme
	// Now replaces the clock (tests).
	Now func() time.Time
	// FlashDuration replaces how long an informational message stays (tests); 0 is
	// the default FlashDuration.
	FlashDuration time.Duration
	// Screens, when set, builds the screen set over the app's shared context instead of
	// the default screens (tests).
	Screens func(c *common.Common) []common.Screen
}

// Model is the root bubbletea model.
type Model struct {
	c       *common.Common
	screens []common.Screen
	active  int
	keys    keys.Global
	help    help.Model

	width, height int
	showHelp      bool
	palette       *components.Palette
	paletteItems  []common.Action
	confirmQuit   bool
	quitting      bool

	flash     string
	flashErr  bool
	flashRefd bool
	flashSeq  int
	flashFor  time.Duration
	frame     int
	ticking   bool
	size      int64

	inited map[int]bool

	idle    atomic.Bool
	updates atomic.Int64
}

type tickMsg struct{}
type clearFlashMsg struct{ seq int }
type sizeMsg int64

// New builds the workbench over svc.
func New(svc services.Services, opts Options) *Model {
	th := opts.Theme
	if th == nil {
		th = theme.New(theme.NoColorRequested())
	}
	c := common.NewCommon(th, svc)
	if opts.Now != nil {
		c.Now = opts.Now
	}
	m := &Model{c: c, keys: keys.DefaultGlobal(), help: help.New(), flashFor: opts.FlashDuration}
	if m.flashFor <= 0 {
		m.flashFor = FlashDuration
	}
	m.help.ShowAll = true
	if th.NoColor {
		m.help.Styles = help.Styles{}
	}
	if opts.Screens != nil {
		m.screens = opts.Screens(c)
	} else {
		m.screens = []common.Screen{
			data.New(c), segments.New(c), profiles.New(c), offers.New(c), simulate.New(c), monitor.New(c),
		}
	}
	return m
}

// Common exposes the shared context (tests).
func (m *Model) Common() *common.Common { return m.c }

// Active is the screen on top.
func (m *Model) Active() common.Screen { return m.screens[m.active] }

// Screens lists the screens in tab order.
func (m *Model) Screens() []common.Screen { return m.screens }

// Init starts the first screen's loads; the other screens initialise when first shown, so
// a large workspace does not make every screen query at start-up. Nothing here blocks: the
// first frame is drawn before any query returns.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.sizeCmd(), m.activate(m.active), m.ensureTick())
}

// activate runs a screen's Init the first time it comes to the front.
func (m *Model) activate(i int) tea.Cmd {
	if m.inited == nil {
		m.inited = map[int]bool{}
	}
	if m.inited[i] {
		return nil
	}
	m.inited[i] = true
	return m.screens[i].Init()
}

func (m *Model) sizeCmd() tea.Cmd {
	svc := m.c.Services
	return func() tea.Msg { return sizeMsg(svc.SizeBytes()) }
}

func (m *Model) ensureTick() tea.Cmd {
	if m.ticking || !m.c.Jobs.Busy() {
		return nil
	}
	m.ticking = true
	return tea.Tick(100*time.Millisecond, func(time.Time) tea.Msg { return tickMsg{} })
}

func (m *Model) tooSmall() bool { return m.width < MinWidth || m.height < MinHeight }

func (m *Model) bodySize() (int, int) { return m.width, max(m.height-2, 0) }

func (m *Model) switchTo(i int) tea.Cmd {
	if i < 0 {
		i = len(m.screens) - 1
	}
	m.active = i % len(m.screens)
	return tea.Batch(m.activate(m.active), m.ensureTick())
}

func (m *Model) screenIndex(id string) int {
	for i, s := range m.screens {
		if s.ID() == id {
			return i
		}
	}
	return -1
}

// Update handles a message; it never blocks.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := m.update(msg)
	m.idle.Store(!m.c.Jobs.Busy())
	m.updates.Add(1)
	return m, cmd
}

// Idle reports, safely from any goroutine, whether no job was running after the last
// Update. Tests driving the real program use it to know when a screen has settled.
func (m *Model) Idle() bool { return m.idle.Load() }

// Updates counts the messages handled so far (safe from any goroutine).
func (m *Model) Updates() int64 { return m.updates.Load() }

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.keys.Cancel.SetEnabled(m.c.Jobs.Busy())
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		w, h := m.bodySize()
		for _, s := range m.screens {
			s.SetSize(w, h)
		}
		return m, nil
	case tickMsg:
		m.ticking = false
		m.frame++
		return m, m.ensureTick()
	case sizeMsg:
		m.size = int64(msg)
		return m, nil
	case common.JobMsg:
		deliver, next := m.c.Jobs.Accept(msg)
		cmds := []tea.Cmd{next}
		if deliver {
			if next == nil { // a result: the workspace may have grown
				cmds = append(cmds, m.sizeCmd())
			}
			if label, ok := common.Cancelled(msg); ok {
				// Cancelled is a status; the owner's own flash, if any, follows.
				cmds = append(cmds, m.setFlash(label+" cancelled", false))
			}
			if i := m.screenIndex(msg.JobOwner()); i >= 0 {
				cmds = append(cmds, m.screens[i].Update(msg))
			}
		}
		cmds = append(cmds, m.ensureTick())
		return m, tea.Batch(cmds...)
	case common.FlashMsg:
		cmd := m.setFlash(msg.Text, msg.Error)
		m.flashRefd = msg.Refused && !msg.Error
		return m, cmd
	case clearFlashMsg:
		if msg.seq == m.flashSeq {
			m.flash = ""
		}
		return m, nil
	case common.SwitchMsg:
		if i := m.screenIndex(msg.Screen); i >= 0 {
			return m, m.switchTo(i)
		}
		return m, nil
	case common.RefreshMsg:
		cmds := []tea.Cmd{m.sizeCmd()}
		for _, s := range m.screens {
			cmds = append(cmds, s.Update(msg))
		}
		return m, tea.Batch(cmds...)
	case tea.MouseMsg:
		return m, m.mouse(msg)
	case tea.KeyMsg:
		cmd := m.key(msg)
		return m, tea.Batch(cmd, m.ensureTick())
	}
	// Anything else (cursor blinks, screen-private messages) goes to the active screen.
	cmd := m.Active().Update(msg)
	return m, tea.Batch(cmd, m.ensureTick())
}

// setFlash shows text in the status bar. An informational message clears itself after
// FlashDuration (the returned command); an error stays until the next message or key.
func (m *Model) setFlash(text string, isErr bool) tea.Cmd {
	m.flash, m.flashErr = text, isErr
	m.flashSeq++
	if isErr {
		return nil
	}
	seq := m.flashSeq
	return tea.Tick(m.flashFor, func(time.Time) tea.Msg { return clearFlashMsg{seq} })
}
