package data

import (
	"github.com/charmbracelet/bubbles/key"

	"github.com/acrm-dev/acrm/tui/keys"
)

// KeyMap are the Data screen's keys.
type KeyMap struct {
	Nav      keys.Nav
	Focus    key.Binding
	Filter   key.Binding
	Clear    key.Binding
	Import   key.Binding
	Export   key.Binding
	SQL      key.Binding
	Refresh  key.Binding
	Apply    key.Binding
	Cancel   key.Binding
	Complete key.Binding
}

// DefaultKeyMap returns the Data screen's default keys.
func DefaultKeyMap(nav keys.Nav) KeyMap {
	return KeyMap{
		Nav:      nav,
		Focus:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next pane")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter rows")),
		Clear:    key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "clear filter")),
		Import:   key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "import file")),
		Export:   key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export chart")),
		SQL:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "SQL console")),
		Refresh:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		Apply:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
		Complete: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete path")),
	}
}
