package profiles

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/keys"
)

// KeyMap are the Profiles screen's keys.
type KeyMap struct {
	Up, Down, Top, Bottom key.Binding
	Train                 key.Binding
	TrainAll              key.Binding
	Retrain               key.Binding
	Delete                key.Binding
	Compare               key.Binding
	Export                key.Binding
	Chart                 key.Binding
	Confirm               key.Binding
	Close                 key.Binding
}

// DefaultKeyMap returns the default keys.
func DefaultKeyMap() KeyMap {
	nav := keys.DefaultNav()
	return KeyMap{
		Up:       nav.Up,
		Down:     nav.Down,
		Top:      nav.Top,
		Bottom:   nav.Bottom,
		Train:    keys.Key("t", "train product"),
		TrainAll: keys.Key("T", "train all"),
		Retrain:  keys.Key("r", "retrain model"),
		Delete:   keys.Key("d", "delete model"),
		Compare:  keys.Key("c", "compare"),
		Export:   keys.Key("e", "export chart"),
		Chart:    keys.Key("v", "gains/lift"),
		Confirm:  keys.Key("enter", "confirm"),
		Close:    keys.Key("esc", "close"),
	}
}

// KeyMap returns the keys that work now.
func (s *Screen) KeyMap() help.KeyMap {
	k := s.keys
	if s.export.IsOpen() {
		b := s.export.Prompt.KeyBindings()
		b[0].SetHelp("enter", "export")
		return common.KeyMap{Short: b}
	}
	if s.confirmDelete {
		y := key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "delete "+s.Selected().ModelID))
		n := key.NewBinding(key.WithKeys("n"), key.WithHelp("any other key", "keep it"))
		return common.KeyMap{Short: []key.Binding{y, n}}
	}
	if s.svc == nil {
		return common.KeyMap{}
	}
	hasModel := s.Selected() != nil
	p, hasProduct := s.board.selectedProduct()
	k.Train.SetEnabled(hasProduct && p.ID > 0)
	k.Retrain.SetEnabled(hasModel && s.Selected().ProductID > 0)
	k.Delete.SetEnabled(hasModel)
	k.Compare.SetEnabled(hasModel || s.board.pinned != nil)
	k.Export.SetEnabled(hasModel)
	k.Chart.SetEnabled(hasModel && !s.wide())
	short := []key.Binding{k.Train, k.TrainAll, k.Compare, k.Retrain, k.Delete, k.Chart, k.Export}
	return common.KeyMap{Short: short, Full: [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, short}}
}
