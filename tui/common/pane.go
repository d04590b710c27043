package common

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Pane is one part of a screen (a list, a table, a form, a prompt): a small model with its
// own state, Update and View, in the spirit of the bubbles components. A screen is a screen
// file plus its panes: it builds them, sizes them with SetSize, gives one the focus, sends
// it the keys, hands every job result to the panes (each takes the results of the jobs it
// started, by their type) and joins their views.
//
// Panes are pointer types, so Update returns only the command (as Screen.Update does)
// rather than a new model. The screen owns the help: its keys are one list in one order
// whichever pane has the focus (enabled as the panes' state allows), so a pane has no
// KeyMap of its own; components with keys of their own (the path prompt, the SQL console)
// offer their bindings.
type Pane interface {
	// Update handles a message; it never blocks. Messages a pane does not know it ignores.
	Update(msg tea.Msg) tea.Cmd
	// View renders the pane in the size given to SetSize.
	View() string
	// SetSize gives the pane its size, border included.
	SetSize(width, height int)
	// Focus and Blur move the keyboard focus; Focused reports it.
	Focus()
	Blur()
	Focused() bool
}

// PaneBase holds what every pane keeps the same way: its size and focus. Embed it to get
// SetSize, Focus, Blur and Focused.
type PaneBase struct {
	Width, Height int
	focused       bool
}

// SetSize records the pane's size.
func (p *PaneBase) SetSize(w, h int) { p.Width, p.Height = w, h }

// Focus gives the pane the keyboard.
func (p *PaneBase) Focus() { p.focused = true }

// Blur takes the keyboard away.
func (p *PaneBase) Blur() { p.focused = false }

// Focused reports whether the pane has the keyboard.
func (p *PaneBase) Focused() bool { return p.focused }

// KeyMap is a help.KeyMap from fixed lists of bindings: the short help, and the full help
// in columns (the short help as one column when Full is nil).
type KeyMap struct {
	Short []key.Binding
	Full  [][]key.Binding
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return k.Short }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	if k.Full == nil && k.Short != nil {
		return [][]key.Binding{k.Short}
	}
	return k.Full
}
