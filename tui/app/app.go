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

	flash    string
	flashErr bool
	flashSeq int
	flashFor time.Duration
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

// wheelLines is how far one wheel step scrolls.
const wheelLines = 3

func (m *Model) mouse(msg tea.MouseMsg) tea.Cmd {
	if m.tooSmall() || m.showHelp || m.palette != nil {
		return nil
	}
	ev := tea.MouseEvent(msg)
	if ev.Action != tea.MouseActionPress {
		return nil
	}
	var k tea.KeyMsg
	lines := wheelLines
	switch ev.Button {
	case tea.MouseButtonWheelUp:
		k, lines = tea.KeyMsg{Type: tea.KeyUp}, -wheelLines
	case tea.MouseButtonWheelDown:
		k = tea.KeyMsg{Type: tea.KeyDown}
	default:
		return nil
	}
	// While a text input has the keyboard, up/down would move its cursor (or recall
	// history in the SQL editor), so the screen gets a WheelMsg instead: a pane beside the
	// input that scrolls (the SQL results) takes it, text inputs ignore it.
	if m.Active().InputFocused() {
		return m.Active().Update(common.WheelMsg{Lines: lines})
	}
	var cmds []tea.Cmd
	for i := 0; i < wheelLines; i++ {
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
	if m.flashErr {
		m.flash, m.flashErr = "", false // an error stays until the user does something
	}
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
		if cmd, ok := m.cancelJob(); ok {
			return cmd
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

// cancelJob cancels the latest job, preferring the active screen's; ok is false when
// nothing was left to cancel.
func (m *Model) cancelJob() (tea.Cmd, bool) {
	job := m.c.Jobs.CancelLatest(m.Active().ID())
	if job == nil {
		return nil, false
	}
	// Set synchronously so the job's own "cancelled" message, which may arrive any time
	// after this, is never overwritten by this one.
	return m.setFlash("cancelling "+job.Label+"…", false), true
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
	if jobs := m.c.Jobs.Running(); len(jobs) > 0 {
		add(common.Action{Title: "Cancel job: " + jobs[len(jobs)-1].Label, Key: m.keys.Cancel.Help().Key, Do: func() tea.Cmd {
			cmd, _ := m.cancelJob()
			return cmd
		}})
	}
	add(common.Action{Title: "Help: show all keys", Key: m.keys.Help.Help().Key, Do: func() tea.Cmd { m.showHelp = true; return nil }})
	add(common.Action{Title: "Quit", Key: m.keys.Quit.Help().Key, Do: func() tea.Cmd {
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
		return m.tooSmallView()
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

// tooSmallView says the terminal is too small, wrapped and cut to whatever size it has.
func (m *Model) tooSmallView() string {
	msg := "acrm needs at least " + itoa(MinWidth) + "×" + itoa(MinHeight) + "\n" +
		"this terminal is " + itoa(m.width) + "×" + itoa(m.height) + "\n" +
		"enlarge it, or press " + m.keys.Quit.Help().Key + " to quit"
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		lines[i] = components.Wrap(l, m.width)
	}
	msg = strings.Join(lines, "\n")
	return components.Fit(lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, msg), m.width, m.height)
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
	return components.PadRight(b.String(), m.width)
}

// statusBar draws, left to right: the running job (spinner, label and stage, progress bar,
// elapsed time, cancel key) and the last message beside it — or, with neither, the active
// screen's short help — then the workspace path and size and the help and quit keys.
func (m *Model) statusBar() string {
	th := m.c.Theme
	if m.confirmQuit {
		return components.PadRight(th.Warn.Render("a job is running: quit anyway? y/N"), m.width)
	}
	right := th.StatusKey.Render(m.keys.Help.Help().Key) + " help  " + th.StatusKey.Render(m.keys.Quit.Help().Key) + " quit"
	ws := th.Muted.Render(m.workspaceLabel(max(m.width/4, 22)))
	lw := max(m.width-components.Width(right)-components.Width(ws)-5, 0)
	return " " + components.PadRight(m.statusLeft(lw), lw) + "  " + ws + "  " + right
}

// workspaceLabel is "path · size" in at most w cells; the path gives way in its middle so
// the file name stays.
func (m *Model) workspaceLabel(w int) string {
	size := ""
	if m.size > 0 {
		size = " · " + components.Bytes(m.size)
	}
	return components.TruncatePath(m.c.Services.Path(), w-components.Width(size)) + size
}

// jobLineMin is the width the job line keeps when a message is shown beside it.
const jobLineMin = 40

// statusLeft is the left part of the status bar in w cells.
func (m *Model) statusLeft(w int) string {
	th := m.c.Theme
	var msg string
	st := th.Flash
	if m.flash != "" {
		msg = "✓ " + firstLine(m.flash)
		if m.flashErr {
			st, msg = th.FlashError, "✗ "+firstLine(m.flash)
		}
	}
	jobs := m.c.Jobs.Running()
	if len(jobs) == 0 {
		if msg != "" {
			return st.Render(components.Truncate(msg, w))
		}
		m.help.ShowAll, m.help.Width = false, w
		left := m.help.ShortHelpView(m.Active().KeyMap().ShortHelp())
		m.help.ShowAll = true
		return left
	}
	if msg == "" {
		return m.jobLine(jobs, w)
	}
	mw := min(components.Width(msg), max(w/2, w-jobLineMin))
	return m.jobLine(jobs, w-mw-2) + "  " + st.Render(components.Truncate(msg, mw))
}

// jobLine shows the latest running job in w cells.
func (m *Model) jobLine(jobs []*common.Job, w int) string {
	th := m.c.Theme
	j := jobs[len(jobs)-1]
	label := j.Status()
	if j.Cancelled {
		label += " (cancelling)"
	}
	if len(jobs) > 1 {
		label = "[" + itoa(len(jobs)) + " jobs] " + label
	}
	hint := "  " + th.StatusKey.Render(m.keys.Cancel.Help().Key) + " cancel"
	if w-components.Width(hint) < 24 {
		hint = ""
	}
	el := m.c.Now().Sub(j.Started)
	return components.ProgressLine(th, m.frame, label, j.Progress.Fraction(), el, w-components.Width(hint)) + hint
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
		m.c.Theme.Muted.Render("The mouse wheel scrolls the focused list, in the SQL console the results. Colours off: NO_COLOR=1.")
	return components.Box(m.c.Theme, "Help · ? or esc to close", body, "", w, h, true)
}
