// Package app is the root of the acrm workbench: it owns the screens, the tab bar and the
// status bar, routes job results to the screen that started them (even when another screen
// is on top), handles the global keys (switching, help, palette, cancel, quit) and draws
// the overlays. Screens live in their own packages and know nothing of the root.
package app

import (
	"strings"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

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

// FlashDuration is how long a status message stays.
const FlashDuration = 5 * time.Second

// Options configure the app.
type Options struct {
	Theme *theme.Theme
	// Now replaces the clock (tests).
	Now func() time.Time
	// Screens replaces the default screen set (tests).
	Screens []common.Screen
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

	flash    string
	flashErr bool
	flashSeq int
	frame    int
	ticking  bool
	size     int64

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
	m := &Model{c: c, keys: keys.DefaultGlobal(), help: help.New()}
	m.help.ShowAll = true
	if th.NoColor {
		m.help.Styles = help.Styles{}
	}
	m.screens = opts.Screens
	if m.screens == nil {
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
	case common.JobProgressMsg, common.JobDoneMsg:
		deliver, next := m.c.Jobs.Accept(msg)
		cmds := []tea.Cmd{next}
		if deliver {
			owner := ""
			switch x := msg.(type) {
			case common.JobProgressMsg:
				owner = x.Owner
			case common.JobDoneMsg:
				owner = x.Owner
				cmds = append(cmds, m.sizeCmd())
			}
			if i := m.screenIndex(owner); i >= 0 {
				cmds = append(cmds, m.screens[i].Update(msg))
			}
		}
		cmds = append(cmds, m.ensureTick())
		return m, tea.Batch(cmds...)
	case common.FlashMsg:
		return m, m.setFlash(msg.Text, msg.Error)
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

// setFlash shows text in the status bar and returns the command that clears it later.
func (m *Model) setFlash(text string, isErr bool) tea.Cmd {
	m.flash, m.flashErr = text, isErr
	m.flashSeq++
	seq := m.flashSeq
	return tea.Tick(FlashDuration, func(time.Time) tea.Msg { return clearFlashMsg{seq} })
}

func (m *Model) mouse(msg tea.MouseMsg) tea.Cmd {
	// While a text input has the keyboard the wheel would move its cursor (or recall
	// history in the SQL editor), so it is ignored.
	if m.tooSmall() || m.showHelp || m.palette != nil || m.Active().InputFocused() {
		return nil
	}
	ev := tea.MouseEvent(msg)
	if ev.Action != tea.MouseActionPress {
		return nil
	}
	var k tea.KeyMsg
	switch ev.Button {
	case tea.MouseButtonWheelUp:
		k = tea.KeyMsg{Type: tea.KeyUp}
	case tea.MouseButtonWheelDown:
		k = tea.KeyMsg{Type: tea.KeyDown}
	default:
		return nil
	}
	var cmds []tea.Cmd
	for i := 0; i < 3; i++ {
		cmds = append(cmds, m.Active().Update(k))
	}
	return tea.Batch(cmds...)
}

func (m *Model) quit() tea.Cmd {
	m.c.Jobs.CancelAll()
	m.quitting = true
	return tea.Quit
}

func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, m.keys.ForceQuit) {
		return m.quit()
	}
	if m.tooSmall() {
		if key.Matches(msg, m.keys.Quit) {
			return m.quit()
		}
		return nil
	}
	if m.confirmQuit {
		switch msg.String() {
		case "y", "Y", "enter":
			return m.quit()
		default:
			m.confirmQuit = false
			return nil
		}
	}
	if m.palette != nil {
		chosen, closed, cmd := m.palette.Update(msg)
		if closed {
			m.palette = nil
		}
		if chosen != nil {
			a := m.paletteItems[chosen.Index]
			var cmds []tea.Cmd
			if i := m.screenIndex(a.Owner); i >= 0 {
				cmds = append(cmds, m.switchTo(i))
			}
			if a.Do != nil {
				cmds = append(cmds, a.Do())
			}
			return tea.Batch(cmds...)
		}
		return cmd
	}
	if m.showHelp {
		if key.Matches(msg, m.keys.Help, m.keys.Quit) || msg.Type == tea.KeyEsc {
			m.showHelp = false
		}
		return nil
	}
	scr := m.Active()
	if key.Matches(msg, m.keys.Cancel) && m.c.Jobs.Busy() {
		if job := m.c.Jobs.CancelLatest(scr.ID()); job != nil {
			// Set synchronously so the job's own "cancelled" message, which may arrive
			// any time after this, is never overwritten by this one.
			return m.setFlash("cancelling "+job.Label+"…", false)
		}
	}
	if scr.InputFocused() {
		return scr.Update(msg)
	}
	switch {
	case key.Matches(msg, m.keys.Quit):
		if m.c.Jobs.Busy() {
			m.confirmQuit = true
			return nil
		}
		return m.quit()
	case key.Matches(msg, m.keys.Help):
		m.showHelp = true
		return nil
	case key.Matches(msg, m.keys.Palette):
		m.openPalette()
		return nil
	case key.Matches(msg, m.keys.NextScreen):
		return m.switchTo(m.active + 1)
	case key.Matches(msg, m.keys.PrevScreen):
		return m.switchTo(m.active - 1)
	}
	for i, b := range m.keys.Screen {
		if i < len(m.screens) && key.Matches(msg, b) {
			return m.switchTo(i)
		}
	}
	return scr.Update(msg)
}

func (m *Model) openPalette() {
	m.paletteItems = m.paletteItems[:0]
	var items []components.PaletteItem
	add := func(a common.Action) {
		items = append(items, components.PaletteItem{Title: a.Title, Key: a.Key, Index: len(m.paletteItems)})
		m.paletteItems = append(m.paletteItems, a)
	}
	for i, s := range m.screens {
		idx := i
		add(common.Action{Title: "Go to " + s.Title(), Key: string(rune('1' + i)), Do: func() tea.Cmd { return m.switchTo(idx) }})
	}
	for _, s := range m.screens {
		for _, a := range s.Actions() {
			a.Title = s.Title() + ": " + a.Title
			add(a)
		}
	}
	add(common.Action{Title: "Help: show all keys", Key: "?", Do: func() tea.Cmd { m.showHelp = true; return nil }})
	add(common.Action{Title: "Quit", Key: "q", Do: func() tea.Cmd {
		if m.c.Jobs.Busy() {
			m.confirmQuit = true
			return nil
		}
		return m.quit()
	}})
	m.palette = components.NewPalette(m.c.Theme, items)
}

// View draws the frame: tab bar, the active screen (or an overlay) and the status bar.
func (m *Model) View() string {
	if m.quitting {
		return ""
	}
	if m.width == 0 {
		return "acrm: starting…"
	}
	if m.tooSmall() {
		msg := "acrm needs at least 80×24\n" +
			"this terminal is " + itoa(m.width) + "×" + itoa(m.height) + "\n" +
			"enlarge it, or press q to quit"
		return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, msg)
	}
	w, h := m.bodySize()
	var body string
	switch {
	case m.palette != nil:
		pw, ph := min(72, w-4), min(20, h-2)
		body = lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, m.palette.View(pw, ph))
	case m.showHelp:
		body = m.helpView(w, h)
	default:
		body = components.Fit(m.Active().View(), w, h)
	}
	return m.tabBar() + "\n" + body + "\n" + m.statusBar()
}

func itoa(n int) string { return components.Int(int64(n)) }

func (m *Model) tabBar() string {
	th := m.c.Theme
	var b strings.Builder
	b.WriteString(th.Brand.Render("acrm"))
	numbered := m.width >= 100
	for i, s := range m.screens {
		label := s.Title()
		if numbered {
			label = itoa(i+1) + " " + label
		}
		if i == m.active {
			b.WriteString(th.TabActive.Render("[" + label + "]"))
		} else {
			b.WriteString(th.TabInactive.Render(" " + label + " "))
		}
	}
	left := b.String()
	right := m.c.Services.Path()
	if m.size > 0 {
		right += " · " + components.Bytes(m.size)
	}
	right = th.Muted.Render(right + " ")
	gap := m.width - components.Width(left) - components.Width(right)
	if gap < 1 {
		right = th.Muted.Render(components.Truncate(m.c.Services.Path(), max(m.width-components.Width(left)-2, 0)) + " ")
		gap = m.width - components.Width(left) - components.Width(right)
		if gap < 1 {
			return components.PadRight(left, m.width)
		}
	}
	return left + strings.Repeat(" ", gap) + right
}

func (m *Model) statusBar() string {
	th := m.c.Theme
	right := th.StatusKey.Render("?") + " help  " + th.StatusKey.Render("q") + " quit"
	if m.confirmQuit {
		return components.PadRight(th.Warn.Render("a job is running: quit anyway? y/N"), m.width)
	}
	lw := m.width - components.Width(right) - 2
	var left string
	if jobs := m.c.Jobs.Running(); len(jobs) > 0 {
		j := jobs[len(jobs)-1]
		label := j.Status()
		if j.Cancelled {
			label += " (cancelling)"
		}
		if len(jobs) > 1 {
			label = "[" + itoa(len(jobs)) + " jobs] " + label
		}
		el := m.c.Now().Sub(j.Started)
		hint := "  " + th.StatusKey.Render("esc") + " cancel"
		left = components.ProgressLine(th, m.frame, label, j.Progress.Fraction(), el, lw-components.Width(hint)) + hint
	} else if m.flash != "" {
		st := th.Flash
		prefix := "✓ "
		if m.flashErr {
			st, prefix = th.FlashError, "✗ "
		}
		left = st.Render(components.Truncate(prefix+firstLine(m.flash), lw))
	} else {
		m.help.ShowAll = false
		left = m.help.ShortHelpView(m.Active().KeyMap().ShortHelp())
		m.help.ShowAll = true
	}
	return " " + components.PadRight(left, lw) + " " + right
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func (m *Model) helpView(w, h int) string {
	m.help.Width = w - 4
	screen := m.Active().KeyMap().FullHelp()
	global := m.keys.FullHelp()
	body := m.c.Theme.PaneTitle.Render(m.Active().Title()) + "\n" +
		m.help.FullHelpView(screen) + "\n\n" +
		m.c.Theme.PaneTitle.Render("Everywhere") + "\n" +
		m.help.FullHelpView(global) + "\n\n" +
		m.c.Theme.Muted.Render("The mouse wheel scrolls the focused list. Colours off: NO_COLOR=1.")
	return components.Box(m.c.Theme, "Help · ? or esc to close", body, "", w, h, true)
}
