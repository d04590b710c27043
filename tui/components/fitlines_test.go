package components

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestFitLinesAndWrapWords(t *testing.T) {
	got := FitLines([]string{"abcdef", "x\ty", "gone"}, 4, 2)
	lines := strings.Split(got, "\n")
	if len(lines) != 2 || lines[0] != "abc…" || ansi.StringWidth(lines[1]) != 4 || strings.Contains(lines[1], "\t") {
		t.Errorf("FitLines = %q, want 2 lines of 4 cells, the first cut with …, tabs expanded", got)
	}
	if got := FitLines(nil, 3, 2); got != "   \n   " {
		t.Errorf("FitLines(nil) = %q, want two blank lines of 3", got)
	}
	w := WrapWords("the quick brown fox jumps over the lazy dog", 15)
	if s := strings.Join(w, " "); len(w) < 3 || s != "the quick brown fox jumps over the lazy dog" {
		t.Errorf("WrapWords = %q: want at least 3 lines that rejoin to the text", w)
	}
	for _, l := range w {
		if len(l) > 15 {
			t.Errorf("line %q longer than 15", l)
		}
	}
}
