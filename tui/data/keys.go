package data

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"

	"github.com/acrm-dev/acrm/tui/common"
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

// KeyMap returns the keys that work now.
func (s *Screen) KeyMap() help.KeyMap {
	if s.consoleOpen {
		return s.console.KeyMap()
	}
	k := s.keys
	inInput := s.inInput()
	for _, b := range []*key.Binding{&k.Nav.Up, &k.Nav.Down, &k.Nav.PageUp, &k.Nav.PageDown, &k.Nav.Top, &k.Nav.Bottom, &k.Nav.Left, &k.Nav.Right, &k.Focus, &k.Filter, &k.Import, &k.SQL, &k.Refresh} {
		b.SetEnabled(!inInput)
	}
	_, _, chart := s.columns.chartColumn()
	k.Export.SetEnabled(!inInput && chart)
	k.Clear.SetEnabled(!inInput && s.preview.filter != "")
	k.Apply.SetEnabled(inInput)
	k.Cancel.SetEnabled(inInput)
	k.Complete.SetEnabled(s.importer.prompt.IsOpen() || s.exporter.IsOpen())
	if s.focus == panePreview {
		k.Nav.Left.SetHelp("←/→", "scroll columns")
		k.Nav.Right.SetHelp("←/→", "scroll columns")
	}
	return common.KeyMap{
		Short: []key.Binding{k.Apply, k.Complete, k.Cancel, k.Focus, k.Filter, k.Clear, k.Import, k.Export, k.SQL},
		Full: [][]key.Binding{
			{k.Nav.Up, k.Nav.Down, k.Nav.PageUp, k.Nav.PageDown, k.Nav.Top, k.Nav.Bottom, k.Nav.Left},
			{k.Focus, k.Filter, k.Clear, k.Import, k.Export, k.SQL, k.Refresh, k.Apply, k.Complete, k.Cancel},
		},
	}
}
