package components

import (
	"fmt"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/tui/theme"
)

// ProgressLine renders "⠋ label  62% ━━━━━━──── 1.4s" in w cells. fraction < 0 means
// unknown (only the spinner and the elapsed time are drawn).
func ProgressLine(th *theme.Theme, frame int, label string, fraction float64, elapsed time.Duration, w int) string {
	spin := []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}[frame%10]
	el := fmt.Sprintf("%.1fs", elapsed.Seconds())
	head := spin + " " + label
	if fraction < 0 {
		return PadRight(head+"  "+el, w)
	}
	pct := fmt.Sprintf(" %3.0f%% ", fraction*100)
	barW := min(40, w-Width(head)-Width(pct)-Width(el)-1)
	if barW < 5 {
		return PadRight(head+pct+el, w)
	}
	full := int(fraction*float64(barW) + 0.5)
	bar := th.Bar.Render(strings.Repeat("━", full)) + th.Subtle.Render(strings.Repeat("─", barW-full))
	return PadRight(head+pct+bar+" "+el, w)
}
