package components

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/theme"
)

// PaletteItem is one command of the palette.
type PaletteItem struct {
	Title string // "Data: import a file"
	Key   string // direct key, shown on the right
	Index int    // caller's index
}

// Palette is a filterable list of commands.
type Palette struct {
	Items    []PaletteItem
	input    textinput.Model
	matches  []PaletteItem
	cursor   int
	th       *theme.Theme
	up, down key.Binding
	run      key.Binding
	close    key.Binding
}

// NewPalette builds a palette over items.
func NewPalette(th *theme.Theme, items []PaletteItem) *Palette {
	in := textinput.New()
	in.Prompt = ": "
	in.Placeholder = "type to filter commands"
	in.Focus()
	p := &Palette{Items: items, input: in, th: th,
		up:    key.NewBinding(key.WithKeys("up", "ctrl+k")),
		down:  key.NewBinding(key.WithKeys("down", "ctrl+j")),
		run:   key.NewBinding(key.WithKeys("enter")),
		close: key.NewBinding(key.WithKeys("esc")),
	}
	p.filter()
	return p
}

func (p *Palette) filter() {
	q := strings.Fields(strings.ToLower(p.input.Value()))
	p.matches = p.matches[:0]
	for _, it := range p.Items {
		t := strings.ToLower(it.Title)
		ok := true
		for _, w := range q {
			if !strings.Contains(t, w) {
				ok = false
				break
			}
		}
		if ok {
			p.matches = append(p.matches, it)
		}
	}
	if p.cursor >= len(p.matches) {
		p.cursor = max(len(p.matches)-1, 0)
	}
}

// Update handles a key. It returns the chosen item (run it), or closed=true when the palette
// was dismissed.
func (p *Palette) Update(msg tea.Msg) (chosen *PaletteItem, closed bool, cmd tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(k, p.close):
			return nil, true, nil
		case key.Matches(k, p.run):
			if p.cursor < len(p.matches) {
				it := p.matches[p.cursor]
				return &it, true, nil
			}
			return nil, false, nil
		case key.Matches(k, p.up):
			if p.cursor > 0 {
				p.cursor--
			}
			return nil, false, nil
		case key.Matches(k, p.down):
			if p.cursor < len(p.matches)-1 {
				p.cursor++
			}
			return nil, false, nil
		}
	}
	p.input, cmd = p.input.Update(msg)
	p.filter()
	return nil, false, cmd
}

// View renders the palette in w×h.
func (p *Palette) View(w, h int) string {
	inner := w - 4
	p.input.Width = max(inner-3, 1)
	var b strings.Builder
	b.WriteString(p.input.View())
	b.WriteString("\n")
	b.WriteString(p.th.Subtle.Render(strings.Repeat("─", max(inner, 0))))
	rows := h - 4
	start := ScrollStart(p.cursor, rows)
	for i := start; i < len(p.matches) && i < start+rows; i++ {
		it := p.matches[i]
		k := p.th.Muted.Render(it.Key)
		line := PadRight("  "+it.Title, inner-Width(it.Key)) + k
		if i == p.cursor {
			line = p.th.Selected.Render(PadRight("> "+it.Title, inner-Width(it.Key)) + it.Key)
		}
		b.WriteString("\n" + line)
	}
	if len(p.matches) == 0 {
		b.WriteString("\n" + p.th.Muted.Render("  no command matches"))
	}
	return Box(p.th, "Commands · enter run · esc close", b.String(), "", w, h, true)
}
