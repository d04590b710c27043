package data

import (
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
)

// filterBar is the one-line row filter under the panes: plain text finds rows containing
// it, a SQL condition selects rows (FilterText). The screen applies it on enter.
type filterBar struct {
	common.PaneBase
	c     *common.Common
	input textinput.Model
}

var _ common.Pane = (*filterBar)(nil)

func newFilterBar(c *common.Common) *filterBar {
	f := &filterBar{c: c, input: textinput.New()}
	f.input.Prompt = "/ "
	f.input.Placeholder = "text to find, or a SQL condition like region = 'Utrecht'"
	return f
}

// open gives the bar the keyboard and returns the cursor's blink.
func (f *filterBar) open() tea.Cmd {
	f.PaneBase.Focus()
	return f.input.Focus()
}

// Focus opens the bar; Blur closes it.
func (f *filterBar) Focus() { f.open() }

func (f *filterBar) Blur() {
	f.PaneBase.Blur()
	f.input.Blur()
}

// Value is the text typed.
func (f *filterBar) Value() string { return f.input.Value() }

// Clear empties the text.
func (f *filterBar) Clear() { f.input.SetValue("") }

// Update edits the text.
func (f *filterBar) Update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	f.input, cmd = f.input.Update(msg)
	return cmd
}

// View draws the bar in a box of its width and 3 lines.
func (f *filterBar) View() string {
	f.input.Width = f.Width - 6
	return components.Box(f.c.Theme, "Filter rows · enter apply · esc close", f.input.View(), "", f.Width, 3, true)
}
