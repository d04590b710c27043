// Package keys holds acrm's key bindings: the global ones the app shell handles and the
// navigation set screens share. Bindings are bubbles key.Binding values so the full help is
// generated from them; screens enable and disable bindings as their state changes, so help
// shows only keys that work now. Match with key.Matches, never on string literals.
package keys

import "github.com/charmbracelet/bubbles/key"

// Global are the keys the app shell handles before the active screen sees a message.
type Global struct {
	Quit       key.Binding
	ForceQuit  key.Binding
	Help       key.Binding
	Palette    key.Binding
	NextScreen key.Binding
	PrevScreen key.Binding
	Screen     [6]key.Binding
	Cancel     key.Binding
}

// DefaultGlobal returns the default global keymap.
func DefaultGlobal() Global {
	g := Global{
		Quit:       key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit:  key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit now")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Palette:    key.NewBinding(key.WithKeys(":", "ctrl+p"), key.WithHelp(":/ctrl+p", "commands")),
		NextScreen: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next screen")),
		PrevScreen: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous screen")),
		Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel job")),
	}
	for i := range g.Screen {
		k := string(rune('1' + i))
		g.Screen[i] = key.NewBinding(key.WithKeys(k), key.WithHelp("1-6", "go to screen"))
	}
	g.Cancel.SetEnabled(false) // enabled while a job runs
	return g
}

// ShortHelp is the status-bar help.
func (g Global) ShortHelp() []key.Binding {
	return []key.Binding{g.Cancel, g.Help, g.Quit}
}

// FullHelp lists the global keys, one column.
func (g Global) FullHelp() [][]key.Binding {
	return [][]key.Binding{{g.NextScreen, g.PrevScreen, g.Screen[0], g.Palette, g.Help, g.Cancel, g.Quit, g.ForceQuit}}
}

// Key is a binding of one key whose help shows that key: Key("t", "train product"). Screens
// build their keymaps from it so a key and its help cannot drift apart.
func Key(k, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(k), key.WithHelp(k, desc))
}

// Nav is the list/table navigation set screens share.
type Nav struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Left     key.Binding
	Right    key.Binding
}

// DefaultNav returns the default navigation keys.
func DefaultNav() Nav {
	return Nav{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "first")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "last")),
		Left:     key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "left pane")),
		Right:    key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "right pane")),
	}
}

// Bindings lists the navigation keys for help.
func (n Nav) Bindings() []key.Binding {
	return []key.Binding{n.Up, n.Down, n.PageUp, n.PageDown, n.Top, n.Bottom, n.Left, n.Right}
}
