package app

import (
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
)

// The frame the root draws: the tab bar, the active screen or an overlay (help, palette),
// and the status bar with the running job and the last message.

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
	// Every tab keeps its digit (the key that opens it); on a narrow terminal the tabs lose
	// their padding first, then the brand.
	render := func(brand bool, pad int) string {
		var b strings.Builder
		if brand {
			b.WriteString(th.Brand.Render("acrm"))
		} else {
			b.WriteString(" ")
		}
		for i, s := range m.screens {
			label := itoa(i+1) + " " + s.Title()
			if i == m.active {
				b.WriteString(th.TabActive.Padding(0, pad).Render("[" + label + "]"))
			} else {
				b.WriteString(th.TabInactive.Padding(0, pad).Render(" " + label + " "))
			}
		}
		return b.String()
	}
	line := render(true, 1)
	for _, v := range []struct {
		brand bool
		pad   int
	}{{true, 0}, {false, 0}} {
		if components.Width(line) <= m.width {
			break
		}
		line = render(v.brand, v.pad)
	}
	return components.PadRight(line, m.width)
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
		msg = "✓ " + components.FirstLine(m.flash)
		switch {
		case m.flashErr:
			st, msg = th.FlashError, "✗ "+components.FirstLine(m.flash)
		case m.flashRefd:
			st, msg = th.FlashRefused, "⊘ "+components.FirstLine(m.flash)
		}
	}
	jobs := m.c.Jobs.Running()
	if len(jobs) == 0 {
		if msg != "" {
			return st.Render(components.TruncateWords(msg, w))
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
	return m.jobLine(jobs, w-mw-2) + "  " + st.Render(components.TruncateWords(msg, mw))
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
