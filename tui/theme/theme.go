// Package theme holds acrm's one look: adaptive light/dark colours and the lipgloss styles
// every screen draws with. Build it once with New and pass it down; nothing imports the root
// to get a colour. Meaning is never carried by colour alone: styles are paired with symbols
// (▲/▼, ●, words) by the code that uses them.
package theme

import (
	"os"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Theme is the set of styles shared by all screens.
type Theme struct {
	NoColor bool

	App          lipgloss.Style
	TabActive    lipgloss.Style
	TabInactive  lipgloss.Style
	Brand        lipgloss.Style
	Pane         lipgloss.Style // border of an unfocused pane
	PaneFocused  lipgloss.Style // border of the focused pane
	PaneTitle    lipgloss.Style
	Header       lipgloss.Style // table header row
	Selected     lipgloss.Style // selected row
	Muted        lipgloss.Style
	Subtle       lipgloss.Style
	Error        lipgloss.Style
	Warn         lipgloss.Style
	Good         lipgloss.Style
	Bad          lipgloss.Style
	StatusBar    lipgloss.Style
	StatusKey    lipgloss.Style
	Flash        lipgloss.Style
	FlashError   lipgloss.Style
	FlashRefused lipgloss.Style
	Overlay      lipgloss.Style
	Bar          lipgloss.Style // histogram bars
	ProgressFull string         // colour hex for progress bars
	ProgressVoid string
}

var (
	accent  = lipgloss.AdaptiveColor{Light: "#005FAF", Dark: "#5FAFFF"}
	fg      = lipgloss.AdaptiveColor{Light: "#1C1C1C", Dark: "#E4E4E4"}
	muted   = lipgloss.AdaptiveColor{Light: "#6C6C6C", Dark: "#9E9E9E"}
	subtle  = lipgloss.AdaptiveColor{Light: "#BCBCBC", Dark: "#4E4E4E"}
	selBg   = lipgloss.AdaptiveColor{Light: "#D7E7FF", Dark: "#303A4A"}
	red     = lipgloss.AdaptiveColor{Light: "#AF0000", Dark: "#FF6B6B"}
	green   = lipgloss.AdaptiveColor{Light: "#007F00", Dark: "#87D787"}
	yellow  = lipgloss.AdaptiveColor{Light: "#875F00", Dark: "#FFD75F"}
	overlay = lipgloss.AdaptiveColor{Light: "#FFFFFF", Dark: "#1C1C1C"}
)

// NoColorRequested reports whether the NO_COLOR convention (https://no-color.org) asks for
// output without colour.
func NoColorRequested() bool {
	v, ok := os.LookupEnv("NO_COLOR")
	return ok && v != ""
}

// ApplyEnv sets lipgloss's colour profile to plain ASCII when NO_COLOR is set. Call once at
// start-up, before New.
func ApplyEnv() {
	if NoColorRequested() {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
}

// New builds the theme. With noColor every style keeps its layout (borders, bold, reverse
// for selection) but drops colours.
func New(noColor bool) *Theme {
	t := &Theme{NoColor: noColor}
	c := func(s lipgloss.Style, col lipgloss.TerminalColor) lipgloss.Style {
		if noColor {
			return s
		}
		return s.Foreground(col)
	}
	border := lipgloss.RoundedBorder()
	t.App = lipgloss.NewStyle()
	t.Brand = c(lipgloss.NewStyle().Bold(true).Padding(0, 1), accent)
	t.TabActive = c(lipgloss.NewStyle().Bold(true).Underline(true).Padding(0, 1), accent)
	t.TabInactive = c(lipgloss.NewStyle().Padding(0, 1), muted)
	t.Pane = lipgloss.NewStyle().Border(border)
	t.PaneFocused = lipgloss.NewStyle().Border(lipgloss.ThickBorder())
	if !noColor {
		t.Pane = t.Pane.BorderForeground(subtle)
		t.PaneFocused = t.PaneFocused.BorderForeground(accent)
	}
	t.PaneTitle = c(lipgloss.NewStyle().Bold(true), fg)
	t.Header = c(lipgloss.NewStyle().Bold(true), accent)
	t.Selected = lipgloss.NewStyle().Bold(true)
	if noColor {
		t.Selected = t.Selected.Reverse(true)
	} else {
		t.Selected = t.Selected.Background(selBg).Foreground(fg)
	}
	t.Muted = c(lipgloss.NewStyle(), muted)
	t.Subtle = c(lipgloss.NewStyle(), subtle)
	t.Error = c(lipgloss.NewStyle().Bold(true), red)
	t.Warn = c(lipgloss.NewStyle(), yellow)
	t.Good = c(lipgloss.NewStyle(), green)
	t.Bad = c(lipgloss.NewStyle(), red)
	t.StatusBar = c(lipgloss.NewStyle(), fg)
	t.StatusKey = c(lipgloss.NewStyle().Bold(true), accent)
	t.Flash = c(lipgloss.NewStyle(), green)
	t.FlashError = c(lipgloss.NewStyle().Bold(true), red)
	t.FlashRefused = c(lipgloss.NewStyle(), yellow)
	t.Overlay = lipgloss.NewStyle().Border(lipgloss.DoubleBorder()).Padding(0, 1)
	if !noColor {
		t.Overlay = t.Overlay.BorderForeground(accent).Background(overlay)
	}
	t.Bar = c(lipgloss.NewStyle(), accent)
	t.ProgressFull = "#5FAFFF"
	t.ProgressVoid = "#4E4E4E"
	return t
}
