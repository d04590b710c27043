package components_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/theme"
)

func press(p *components.PathPrompt, k tea.KeyMsg) (string, bool, tea.Cmd) { return p.Update(k) }

// TestPathPrompt: tab completes in the background, a completion for an older value is
// dropped, enter on nothing is an error that keeps the prompt open, enter returns the path
// and closes it, esc closes it without a path.
func TestPathPrompt(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "kpis.png"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	th := theme.New(true)
	p := components.NewPathPrompt("file: ", "")
	p.Open("Export", filepath.Join(dir, "kp"))
	if !p.IsOpen() {
		t.Fatal("not open")
	}
	_, _, cmd := press(p, tea.KeyMsg{Type: tea.KeyTab})
	if cmd == nil {
		t.Fatal("tab gave no completion command")
	}
	msg := cmd()
	if !p.Owns(msg) {
		t.Fatal("completion result not owned by its prompt")
	}
	if other := components.NewPathPrompt("x", ""); other.Owns(msg) {
		t.Fatal("another prompt claims the completion")
	}
	p.Update(msg)
	if got := p.Value(); got != filepath.Join(dir, "kpis.png") {
		t.Fatalf("completed to %q", got)
	}
	// A completion of a value typed over since is dropped.
	_, _, cmd = press(p, tea.KeyMsg{Type: tea.KeyTab})
	stale := cmd()
	press(p, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")})
	p.Update(stale)
	if !strings.HasSuffix(p.Value(), "kpis.pngx") {
		t.Fatalf("stale completion applied: %q", p.Value())
	}
	if v := ansi.Strip(p.View(th, 60)); !strings.Contains(v, "Export") || len(strings.Split(v, "\n")) != 3 {
		t.Fatalf("view:\n%s", v)
	}
	path, closed, _ := press(p, tea.KeyMsg{Type: tea.KeyEnter})
	if closed || path != filepath.Join(dir, "kpis.pngx") || p.IsOpen() {
		t.Fatalf("enter: path %q closed %v open %v", path, closed, p.IsOpen())
	}
	p.Open("Export", "  ")
	path, _, _ = press(p, tea.KeyMsg{Type: tea.KeyEnter})
	if path != "" || !p.IsOpen() || p.Err == "" || !strings.Contains(ansi.Strip(p.View(th, 60)), "✗") {
		t.Fatalf("enter on an empty path: path %q open %v err %q", path, p.IsOpen(), p.Err)
	}
	_, closed, _ = press(p, tea.KeyMsg{Type: tea.KeyEsc})
	if !closed || p.IsOpen() || p.View(th, 60) != "" {
		t.Fatal("esc did not close the prompt")
	}
}
