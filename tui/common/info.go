package common

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/acrm-dev/acrm/tui/components"
)

// Info is a screen whose feature has not landed in the TUI yet: it says what will be there
// and which CLI commands do the job today, so the page is never blank.
type Info struct {
	C        *Common
	id       string
	title    string
	Lines    []string // what the screen will show
	Commands []string // CLI commands available now
	width    int
	height   int
	offset   int
	nav      key.Binding
}

// NewInfo builds an Info screen.
func NewInfo(c *Common, id, title string, lines, commands []string) *Info {
	return &Info{C: c, id: id, title: title, Lines: lines, Commands: commands,
		nav: key.NewBinding(key.WithKeys("up", "down", "k", "j"), key.WithHelp("↑/↓", "scroll"))}
}

func (s *Info) ID() string          { return s.id }
func (s *Info) Title() string       { return s.title }
func (s *Info) Init() tea.Cmd       { return nil }
func (s *Info) InputFocused() bool  { return false }
func (s *Info) Actions() []Action   { return nil }
func (s *Info) SetSize(w, h int)    { s.width, s.height = w, h }
func (s *Info) KeyMap() help.KeyMap { return infoKeys{s.nav} }

type infoKeys struct{ nav key.Binding }

func (k infoKeys) ShortHelp() []key.Binding  { return []key.Binding{k.nav} }
func (k infoKeys) FullHelp() [][]key.Binding { return [][]key.Binding{{k.nav}} }

// Update scrolls.
func (s *Info) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(k, s.C.Nav.Up):
			s.offset = max(s.offset-1, 0)
		case key.Matches(k, s.C.Nav.Down):
			s.offset++
		}
	}
	return nil
}

// View renders the description inside a pane.
func (s *Info) View() string {
	th := s.C.Theme
	var b []string
	b = append(b, th.PaneTitle.Render(s.title+" — coming to the workbench"), "")
	for _, l := range s.Lines {
		b = append(b, wrap(l, s.width-6)...)
	}
	if len(s.Commands) > 0 {
		b = append(b, "", th.PaneTitle.Render("Available now on the command line:"))
		for _, c := range s.Commands {
			b = append(b, "  "+th.StatusKey.Render("$")+" "+c)
		}
	}
	if s.offset > len(b)-1 {
		s.offset = max(len(b)-1, 0)
	}
	body := strings.Join(b[s.offset:], "\n")
	return components.Box(th, s.title, body, "", s.width, s.height, true)
}

func wrap(s string, w int) []string {
	if w < 10 {
		w = 10
	}
	return strings.Split(ansi.Wordwrap(s, w, ""), "\n")
}
