package app

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
)

// The keys and the mouse as the root sees them: global keys (quit, help, palette, switch,
// cancel) first, everything else to the active screen.

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
