package simulate

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
)

// promptFor is what the one-line input at the bottom is for.
type promptFor int

const (
	promptNone promptFor = iota
	promptValue
	promptSave
)

// valuePrompt is the one-line input under the panel: a value typed for the input under the
// cursor (enter), or the name of a scenario to save (s). The screen applies what is typed.
type valuePrompt struct {
	common.PaneBase
	c     *common.Common
	for_  promptFor
	label string
	input textinput.Model
	err   string
}

var _ common.Pane = (*valuePrompt)(nil)

func newValuePrompt(c *common.Common) *valuePrompt {
	p := &valuePrompt{c: c, input: textinput.New()}
	p.input.CharLimit = 512
	return p
}

func (p *valuePrompt) open() bool { return p.for_ != promptNone }

// show opens the input for f with a label and an initial value (cursor at its end).
func (p *valuePrompt) show(f promptFor, label, value string) tea.Cmd {
	p.for_, p.label, p.err = f, label, ""
	p.input.SetValue(value)
	p.input.CursorEnd()
	p.Focus()
	return p.input.Focus()
}

func (p *valuePrompt) close() {
	p.for_ = promptNone
	p.err = ""
	p.Blur()
	p.input.Blur()
}

// SetSize gives the input the width left of the label and a message.
func (p *valuePrompt) SetSize(w, h int) {
	p.PaneBase.SetSize(w, h)
	p.input.Width = max(w-40, 10)
}

// Update edits the text.
func (p *valuePrompt) Update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return cmd
}

// View is the label, the input and the error of the last enter ("" when closed).
func (p *valuePrompt) View() string {
	if !p.open() {
		return ""
	}
	th := p.c.Theme
	in := p.input
	if p.err != "" {
		// Room for the message: the input box shrinks to the typed text.
		in.Width = min(in.Width, max(ansi.StringWidth(in.Value())+1, 8))
	}
	line := th.PaneTitle.Render(p.label+": ") + in.View()
	if p.err != "" {
		line += "  " + th.Error.Render("✗ "+p.err)
	}
	return components.PadRight(line, p.Width)
}

func (s *Screen) openValuePrompt() tea.Cmd {
	f, v, ok := s.active().field()
	if !ok {
		return common.Flash("←/→ choose the " + s.freq.notTyped())
	}
	label := f.Label
	if f.Unit == share {
		label += " (%)"
	}
	return s.prompt.show(promptValue, label, f.Edit(v))
}

func (s *Screen) promptKey(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(msg, k.Close):
		s.prompt.close()
		return nil
	case key.Matches(msg, k.Confirm):
		text := strings.TrimSpace(s.prompt.input.Value())
		switch s.prompt.for_ {
		case promptValue:
			if err := s.applyTyped(text); err != nil {
				s.prompt.err = err.Error()
				return common.FlashError(err)
			}
			s.prompt.close()
		case promptSave:
			if text == "" {
				s.prompt.err = "a scenario needs a name"
				return nil
			}
			s.prompt.close()
			return s.save(text)
		}
		return nil
	}
	return s.prompt.Update(msg)
}

// applyTyped sets the input under the cursor to a typed value. A value that is not a
// number, or that the calculation rejects (a conversion above 100 %, a negative volume),
// changes nothing and is returned as an error naming the input.
func (s *Screen) applyTyped(text string) error {
	p := s.active()
	f, _, ok := p.field()
	if !ok {
		return errors.New("this input is chosen with ←/→")
	}
	v, err := f.Parse(text)
	if err != nil {
		return err
	}
	return p.apply(f, text, v)
}
