package segments

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/keys"
)

// KeyMap are the Segments screen's keys.
type KeyMap struct {
	Up, Down    key.Binding
	Mark        key.Binding
	New         key.Binding
	Typed       key.Binding
	Delete      key.Binding
	Crosstab    key.Binding
	RowAttr     key.Binding
	ColAttr     key.Binding
	Refresh     key.Binding
	Next        key.Binding
	Back        key.Binding
	ScrollLeft  key.Binding
	ScrollRight key.Binding
	Export      key.Binding
	Complete    key.Binding
}

// DefaultKeyMap returns the default keys.
func DefaultKeyMap() KeyMap {
	nav := keys.DefaultNav()
	return KeyMap{
		Up:          nav.Up,
		Down:        nav.Down,
		Mark:        key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "mark to compare (≤4)")),
		New:         keys.Key("n", "new segment (builder)"),
		Typed:       keys.Key("t", "new segment (SQL)"),
		Delete:      keys.Key("d", "delete segment"),
		Crosstab:    keys.Key("x", "KPIs/crosstab"),
		RowAttr:     keys.Key("a", "next row attribute"),
		ColAttr:     keys.Key("b", "next column attribute"),
		Refresh:     keys.Key("r", "refresh"),
		Next:        keys.Key("enter", "next step"),
		Back:        keys.Key("esc", "close"),
		ScrollLeft:  key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/→", "scroll columns")),
		ScrollRight: key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("←/→", "scroll columns")),
		Export:      keys.Key("e", "export chart"),
		Complete:    keys.Key("tab", "complete path"),
	}
}

// KeyMap returns the keys that work now.
func (s *Screen) KeyMap() help.KeyMap {
	k := s.keys
	if s.builder != nil {
		return common.KeyMap{Short: s.builder.keyHelp()}
	}
	if s.export.IsOpen() {
		b := s.export.Prompt.KeyBindings()
		b[0].SetHelp("enter", "export")
		return common.KeyMap{Short: b}
	}
	k.Next.SetEnabled(false)
	k.Back.SetEnabled(false)
	k.Complete.SetEnabled(false)
	k.Export.SetEnabled(s.chartReady())
	sg, hasSeg := s.list.selected()
	k.Mark.SetEnabled(hasSeg)
	k.Delete.SetEnabled(hasSeg && !sg.Builtin)
	k.RowAttr.SetEnabled(s.view == viewCrosstab)
	k.ColAttr.SetEnabled(s.view == viewCrosstab)
	return common.KeyMap{
		Short: []key.Binding{k.Mark, k.New, k.Typed, k.Crosstab, k.RowAttr, k.ColAttr, k.Export, k.Delete},
		Full:  [][]key.Binding{{k.Up, k.Down, k.Mark, k.ScrollLeft}, {k.New, k.Typed, k.Delete, k.Crosstab, k.RowAttr, k.ColAttr, k.Export, k.Refresh}},
	}
}
