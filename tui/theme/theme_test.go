package theme

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

func TestNoColorDropsColoursButKeepsMeaning(t *testing.T) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	colored := New(false).Error.Render("x")
	if !strings.Contains(colored, "38;2;") {
		t.Fatalf("colour theme renders no colour: %q", colored)
	}
	plain := New(true)
	for name, s := range map[string]lipgloss.Style{"error": plain.Error, "selected": plain.Selected, "header": plain.Header, "flash": plain.Flash} {
		if out := s.Render("x"); strings.Contains(out, "38;2;") || strings.Contains(out, "48;2;") {
			t.Errorf("NO_COLOR theme: %s style renders a colour: %q", name, out)
		}
	}
	// Selection must stay visible without colour.
	if out := plain.Selected.Render("x"); !strings.Contains(out, "\x1b[") {
		t.Errorf("NO_COLOR selection has no attribute at all: %q", out)
	}
}

func TestNoColorRequested(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	if !NoColorRequested() {
		t.Fatal("NO_COLOR=1 not seen")
	}
	t.Setenv("NO_COLOR", "")
	if NoColorRequested() {
		t.Fatal("empty NO_COLOR must not disable colour")
	}
}
