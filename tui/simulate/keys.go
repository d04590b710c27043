package simulate

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/keys"
)

// KeyMap are the Simulate screen's keys.
type KeyMap struct {
	Up, Down    key.Binding
	Left, Right key.Binding
	Edit        key.Binding
	Frequency   key.Binding
	ROI         key.Binding
	Inbound     key.Binding
	Period      key.Binding
	Model       key.Binding
	Save        key.Binding
	Compare     key.Binding
	Mark        key.Binding
	Export      key.Binding
	Reset       key.Binding
	UseModel    key.Binding
	Confirm     key.Binding
	Close       key.Binding
}

// DefaultKeyMap returns the default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "choose input")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↑/↓", "choose input")),
		Left:      key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/→", "change value")),
		Right:     key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("←/→", "change value")),
		Edit:      keys.Key("enter", "type a value"),
		Frequency: keys.Key("f", "frequency"),
		ROI:       keys.Key("o", "outbound ROI"),
		Inbound:   keys.Key("i", "inbound"),
		Period:    keys.Key("p", "period"),
		Model:     keys.Key("m", "next model"),
		Save:      keys.Key("s", "save scenario"),
		Compare:   keys.Key("c", "compare scenarios"),
		Mark:      key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "mark (2)")),
		Export:    keys.Key("e", "export chart"),
		Reset:     keys.Key("0", "seed numbers"),
		UseModel:  keys.Key("u", "inputs from the model"),
		Confirm:   keys.Key("enter", "ok"),
		Close:     keys.Key("esc", "close"),
	}
}

// KeyMap returns the keys that work now.
func (s *Screen) KeyMap() help.KeyMap {
	k := s.keys
	switch {
	case s.export.IsOpen():
		b := s.export.Prompt.KeyBindings()
		b[0].SetHelp("enter", "export")
		return common.KeyMap{Short: b}
	case s.prompt.open():
		return common.KeyMap{Short: []key.Binding{k.Confirm, k.Close}}
	case s.svc == nil:
		return common.KeyMap{}
	case s.cmp.open:
		up := key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "choose"))
		return common.KeyMap{Short: []key.Binding{up, k.Mark, k.Close, k.Frequency, k.ROI, k.Inbound}}
	}
	k.Model.SetEnabled(s.panel == PanelROI && len(s.roi.models) > 1)
	k.UseModel.SetEnabled(s.panel == PanelROI && s.roi.profit != nil || s.panel == PanelInbound && len(s.roi.models) > 0)
	if s.panel == PanelInbound {
		k.UseModel.SetHelp("u", "score with the model")
	}
	k.Period.SetEnabled(s.panel == PanelFrequency)
	k.Export.SetEnabled(s.panel != PanelInbound)
	short := []key.Binding{k.Left, k.Up, k.Edit, k.Frequency, k.ROI, k.Inbound, k.Model, k.UseModel, k.Save, k.Compare, k.Export}
	return common.KeyMap{Short: short, Full: [][]key.Binding{{k.Up, k.Left, k.Edit, k.Reset, k.Period, k.Model, k.UseModel}, {k.Frequency, k.ROI, k.Inbound, k.Save, k.Compare, k.Export}}}
}
