package components

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/keys"
	"github.com/acrm-dev/acrm/tui/theme"
)

// PathPromptKeys are the keys of a path prompt.
type PathPromptKeys struct {
	Apply, Cancel, Complete key.Binding
}

// DefaultPathPromptKeys returns enter (apply), esc (close) and tab (complete path).
func DefaultPathPromptKeys() PathPromptKeys {
	return PathPromptKeys{
		Apply:    keys.Key("enter", "apply"),
		Cancel:   keys.Key("esc", "close"),
		Complete: keys.Key("tab", "complete path"),
	}
}

// PathPrompt is the one-line file path dialog of the workbench (import a file, export a
// chart): a text input with tab completion done in the background, a title that turns into
// the error or the completion choices, and a footer. Update returns the path when enter is
// pressed; the owner runs the work as a job.
type PathPrompt struct {
	Keys  PathPromptKeys
	Input textinput.Model
	// Title is shown in the border; Footer (optional) replaces the key hint.
	Title, Footer string
	// Err, when set, replaces the title with "✗ Err" until the next key.
	Err string
	// Hint lists the completion choices of the last tab.
	Hint string

	open  bool
	id    int // which opening a completion belongs to
	width int // of the last View, to size an error's lines
}

// maxErrLines caps the lines an error takes under the input.
const maxErrLines = 3

// errLines is the error wrapped to the prompt's inner width, at most maxErrLines lines.
func (p *PathPrompt) errLines() []string {
	if p.Err == "" {
		return nil
	}
	w := p.width - 2
	if w <= 0 {
		w = 76
	}
	lines := strings.Split(Wrap("✗ "+Printable(p.Err), w), "\n")
	if len(lines) > maxErrLines {
		lines = lines[:maxErrLines]
		lines[maxErrLines-1] = Truncate(lines[maxErrLines-1]+" …", w)
	}
	return lines
}

// NewPathPrompt returns a closed prompt with the given input prompt and placeholder.
func NewPathPrompt(prompt, placeholder string) *PathPrompt {
	in := textinput.New()
	in.Prompt = prompt
	in.Placeholder = placeholder
	in.CharLimit = 1024
	return &PathPrompt{Keys: DefaultPathPromptKeys(), Input: in}
}

// Open shows the prompt with title and an initial value (cursor at its end).
func (p *PathPrompt) Open(title, value string) tea.Cmd {
	p.open, p.Title, p.Err, p.Hint = true, title, "", ""
	p.id++
	p.Input.SetValue(value)
	p.Input.CursorEnd()
	return p.Input.Focus()
}

// Reopen shows the prompt again as it was (after a failed import, with Err set).
func (p *PathPrompt) Reopen() tea.Cmd {
	p.open = true
	return p.Input.Focus()
}

// Close hides the prompt.
func (p *PathPrompt) Close() {
	p.open = false
	p.Hint = ""
	p.Input.Blur()
}

// IsOpen reports whether the prompt has the keyboard.
func (p *PathPrompt) IsOpen() bool { return p.open }

// Value is the typed path, trimmed.
func (p *PathPrompt) Value() string { return strings.TrimSpace(p.Input.Value()) }

// pathCompleteMsg is the result of a background completion.
type pathCompleteMsg struct {
	p       *PathPrompt
	id      int
	input   string
	value   string
	choices []string
}

// Update handles a message while the prompt is open. submit is the path when enter was
// pressed on a non-empty value (the prompt closes); closed is true when esc closed it.
func (p *PathPrompt) Update(msg tea.Msg) (submit string, closed bool, cmd tea.Cmd) {
	switch msg := msg.(type) {
	case pathCompleteMsg:
		if msg.p == p && msg.id == p.id && p.open && p.Input.Value() == msg.input {
			p.Input.SetValue(msg.value)
			p.Input.CursorEnd()
			p.Hint = strings.Join(msg.choices, "  ")
		}
		return "", false, nil
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, p.Keys.Cancel):
			p.Close()
			p.Err = ""
			return "", true, nil
		case key.Matches(msg, p.Keys.Complete):
			return "", false, p.complete()
		case key.Matches(msg, p.Keys.Apply):
			v := p.Value()
			if v == "" {
				p.Err = "type a file path"
				return "", false, nil
			}
			p.Close()
			p.Err = ""
			return v, false, nil
		}
		p.Err = ""
	}
	p.Input, cmd = p.Input.Update(msg)
	return "", false, cmd
}

// Handle is Update for a screen that shows the prompt in its layout: relayout runs when the
// prompt's height changes (it closes, or an error under the path appears or clears), and
// submit gets the path.
func (p *PathPrompt) Handle(msg tea.Msg, relayout func(), submit func(path string) tea.Cmd) tea.Cmd {
	before := p.Height()
	path, closed, cmd := p.Update(msg)
	switch {
	case closed:
		relayout()
	case path != "":
		relayout()
		return submit(path)
	case p.Height() != before: // an error shown or cleared
		relayout()
	}
	return cmd
}

// Owns reports whether msg is a completion result of this prompt (so a screen can route it
// here even while something else has the keyboard).
func (p *PathPrompt) Owns(msg tea.Msg) bool {
	m, ok := msg.(pathCompleteMsg)
	return ok && m.p == p
}

func (p *PathPrompt) complete() tea.Cmd {
	input, id := p.Input.Value(), p.id
	return func() tea.Msg {
		value, choices := CompletePath(input)
		return pathCompleteMsg{p: p, id: id, input: input, value: value, choices: choices}
	}
}

// Height is the prompt's height in lines when open (0 when closed).
func (p *PathPrompt) Height() int {
	if p.open {
		return 3 + len(p.errLines())
	}
	return 0
}

// View draws the prompt as a focused pane of width w and height 3.
func (p *PathPrompt) View(th *theme.Theme, w int) string {
	if !p.open {
		return ""
	}
	p.width = w
	p.Input.Width = max(w-Width(p.Input.Prompt)-4, 4)
	title := p.Title
	if p.Hint != "" && p.Err == "" {
		title = p.Hint
	}
	footer := p.Footer
	if footer == "" {
		footer = "enter apply · tab complete · esc close"
	}
	body := p.Input.View()
	errs := p.errLines()
	if len(errs) > 0 { // the whole message, under the path it is about
		body += "\n" + th.Error.Render(strings.Join(errs, "\n"))
	}
	return Box(th, title, body, footer, w, 3+len(errs), true)
}

// KeyBindings are the prompt's keys for help.
func (p *PathPrompt) KeyBindings() []key.Binding {
	return []key.Binding{p.Keys.Apply, p.Keys.Complete, p.Keys.Cancel}
}

// CompletePath returns input extended by the longest common prefix of the directory entries
// it matches (directories end in "/"), and the matching names (at most 20). It reads the
// directory: call it from a command, never from Update or View.
func CompletePath(input string) (string, []string) {
	expanded := input
	if strings.HasPrefix(input, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			expanded = filepath.Join(home, input[2:])
			if strings.HasSuffix(input, "/") {
				expanded += "/"
			}
		}
	}
	dir, prefix := filepath.Split(expanded)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return input, nil
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, prefix) || (strings.HasPrefix(n, ".") && !strings.HasPrefix(prefix, ".")) {
			continue
		}
		if e.IsDir() {
			n += "/"
		}
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return input, nil
	}
	common := names[0]
	for _, n := range names[1:] {
		for !strings.HasPrefix(n, common) {
			common = common[:len(common)-1]
		}
	}
	value := input[:len(input)-len(prefix)] + common
	if len(names) == 1 {
		names = nil
	}
	if len(names) > 20 {
		names = append(names[:20], "…")
	}
	return value, names
}
