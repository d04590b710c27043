// Package components holds the workbench's shared widgets: panes, a scrolling table, the
// progress line, the command palette and small text helpers. Render functions are pure:
// model in, string out, so they are tested on fixtures.
package components

import (
	"math"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/acrm-dev/acrm/tui/theme"

	"github.com/acrm-dev/acrm/analysis/units"
	"github.com/acrm-dev/acrm/charts"
)

// Width is the display width of s (ANSI aware).
func Width(s string) int { return ansi.StringWidth(s) }

// Truncate cuts s to width w display cells, marking the cut with "…".
func Truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// TruncateWords cuts plain text s to w display cells like Truncate, but at the end of a word
// ("…" after the last whole word that fits) unless that would leave less than half of w.
func TruncateWords(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	cut := ansi.Truncate(s, w-1, "")
	if i := strings.LastIndex(cut, " "); i > 0 && ansi.StringWidth(cut[:i]) >= w/2 {
		cut = strings.TrimRight(cut[:i], " ,;:·—-…")
	}
	return cut + "…"
}

// TruncateMiddle cuts plain text s to w display cells by taking out its middle, so that
// both its start and its end stay readable: "acrm_query_history" in 11 cells is
// "acrm_…story".
func TruncateMiddle(s string, w int) string {
	sw := ansi.StringWidth(s)
	switch {
	case w <= 0:
		return ""
	case sw <= w:
		return s
	case w == 1:
		return "…"
	}
	tail := (w - 1) / 2
	head := w - 1 - tail
	return ansi.Truncate(s, head, "") + "…" + lastCells(s, tail)
}

// lastCells is the longest end of plain text s at most w cells wide (a wide rune that
// would straddle the limit is left out).
func lastCells(s string, w int) string {
	r := []rune(s)
	i, used := len(r), 0
	for i > 0 {
		cw := ansi.StringWidth(string(r[i-1]))
		if used+cw > w {
			break
		}
		used += cw
		i--
	}
	return string(r[i:])
}

// TruncatePath cuts a file path to w display cells, keeping the file name whole when it
// fits: the directories give way in their middle ("/home/…026-q4/acrm.duckdb"), and a file
// name wider than w is itself cut in its middle, so its extension stays.
func TruncatePath(p string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(p) <= w {
		return p
	}
	i := strings.LastIndexAny(p, `/\`)
	if i < 0 {
		return TruncateMiddle(p, w)
	}
	dir, sep, base := p[:i], p[i:i+1], p[i+1:]
	bw := ansi.StringWidth(base)
	if bw+2 > w { // not even "…/" fits in front of the name
		return TruncateMiddle(base, w)
	}
	return TruncateMiddle(dir, w-bw-1) + sep + base
}

// Wrap breaks s into lines of at most w cells, at word boundaries where possible.
func Wrap(s string, w int) string {
	if w <= 0 {
		return s
	}
	return ansi.Wrap(s, w, " /")
}

// PadRight pads (or truncates) s to exactly w cells.
func PadRight(s string, w int) string {
	s = Truncate(s, w)
	if d := w - ansi.StringWidth(s); d > 0 {
		s += strings.Repeat(" ", d)
	}
	return s
}

// PadLeft right-aligns s in exactly w cells.
func PadLeft(s string, w int) string {
	s = Truncate(s, w)
	if d := w - ansi.StringWidth(s); d > 0 {
		s = strings.Repeat(" ", d) + s
	}
	return s
}

// Count is n with thousands separators and the noun, singular for 1: "1 row", "2,000 rows".
// The plural adds an s.
func Count(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return Int(n) + " " + noun + "s"
}

// Int formats n with thousands separators: 1234567 → "1,234,567".
func Int(n int64) string { return units.Int(n) }

// Float formats x with dec decimals and thousands separators; "–" for NaN.
func Float(x float64, dec int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return units.Float(x, dec)
}

// Pct formats a fraction as a percentage with dec decimals; "–" for NaN.
func Pct(f float64, dec int) string {
	if math.IsNaN(f) {
		return "–"
	}
	return Float(100*f, dec) + "%"
}

// Bytes formats a size: 12.3 MB.
func Bytes(n int64) string {
	const unit = 1000
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return strconv.FormatFloat(float64(n)/float64(div), 'f', 1, 64) + " " + string("kMGTPE"[exp]) + "B"
}

// Lines splits s into lines and fits it into exactly w×h cells (truncating or padding).
func Fit(s string, w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	lines := strings.Split(Printable(s), "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = PadRight(l, w)
	}
	return strings.Join(lines, "\n")
}

// Printable makes text safe to lay out in cells: tabs become spaces up to the next multiple
// of four (a terminal would expand them by its own tab stops, which the width arithmetic
// cannot see) and carriage returns are dropped (DuckDB error messages carry both).
func Printable(s string) string {
	if !strings.ContainsAny(s, "\t\r") {
		return s
	}
	var b strings.Builder
	col := 0
	for _, r := range s {
		switch r {
		case '\r':
		case '\n':
			b.WriteRune(r)
			col = 0
		case '\t':
			n := 4 - col%4
			b.WriteString(strings.Repeat(" ", n))
			col += n
		default:
			b.WriteRune(r)
			col++ // approximate for wide runes; only the tab stop position depends on it
		}
	}
	return b.String()
}

// Box draws a pane of exactly w×h cells with title set into the top border and footer into
// the bottom border. The focused pane uses a heavy border so focus does not rely on colour.
func Box(th *theme.Theme, title, body, footer string, w, h int, focused bool) string {
	if w < 4 || h < 2 {
		return Fit("", w, h)
	}
	b := lipgloss.RoundedBorder()
	st := th.Pane
	if focused {
		b = lipgloss.ThickBorder()
		st = th.PaneFocused
	}
	color := lipgloss.NewStyle().Foreground(st.GetBorderTopForeground())
	if th.NoColor {
		color = lipgloss.NewStyle()
	}
	inner := w - 2
	top := b.TopLeft
	if title != "" {
		t := Truncate(" "+title+" ", inner-1)
		top += b.Top + th.PaneTitle.Render(t) + color.Render(strings.Repeat(b.Top, max(0, inner-1-Width(t))))
	} else {
		top += strings.Repeat(b.Top, inner)
	}
	top = color.Render(b.TopLeft) + strings.TrimPrefix(top, b.TopLeft)
	top += color.Render(b.TopRight)
	bottom := ""
	if footer != "" {
		f := Truncate(" "+footer+" ", inner-1)
		bottom = color.Render(b.BottomLeft+strings.Repeat(b.Bottom, max(0, inner-1-Width(f)))) + th.Muted.Render(f) + color.Render(b.Bottom+b.BottomRight)
	} else {
		bottom = color.Render(b.BottomLeft + strings.Repeat(b.Bottom, inner) + b.BottomRight)
	}
	content := strings.Split(Fit(body, inner, h-2), "\n")
	var sb strings.Builder
	sb.WriteString(top)
	for _, l := range content {
		if h-2 <= 0 {
			break
		}
		sb.WriteString("\n" + color.Render(b.Left) + l + color.Render(b.Right))
	}
	sb.WriteString("\n" + bottom)
	return sb.String()
}

// HBar draws a horizontal bar of value/max in w cells with eighth-block resolution.
func HBar(value, maxValue float64, w int) string {
	if w <= 0 || maxValue <= 0 || math.IsNaN(value) {
		return strings.Repeat(" ", max(w, 0))
	}
	cells := value / maxValue * float64(w)
	full := int(cells)
	if full > w {
		full = w
	}
	s := strings.Repeat("█", full)
	if full < w {
		part := int((cells - float64(full)) * 8)
		if part > 0 {
			s += string([]rune(" ▏▎▍▌▋▊▉")[part])
		}
	}
	return PadRight(s, w)
}

// Spark draws counts as one line of block characters (▁…█), one cell per count; an empty
// count is a space so gaps stay visible.
func Spark(counts []int64) string {
	var maxV int64
	for _, c := range counts {
		maxV = max(maxV, c)
	}
	blocks := []rune("▁▂▃▄▅▆▇█")
	var b strings.Builder
	for _, c := range counts {
		if c == 0 || maxV == 0 {
			b.WriteRune(' ')
			continue
		}
		i := int(math.Ceil(float64(c)/float64(maxV)*8)) - 1
		b.WriteRune(blocks[min(max(i, 0), 7)])
	}
	return b.String()
}

// JoinH places two blocks of lines side by side: every line of right starts one column
// after the widest line of left, whichever block is taller (panes drawn with Box are
// already of equal width and height, so they simply line up).
func JoinH(left, right string) string {
	l := strings.Split(left, "\n")
	r := strings.Split(right, "\n")
	n := max(len(l), len(r))
	lw := 0
	for _, x := range l {
		lw = max(lw, Width(x))
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(l) {
			b.WriteString(PadRight(l[i], lw))
		} else {
			b.WriteString(strings.Repeat(" ", lw))
		}
		if i < len(r) {
			b.WriteString(r[i])
		}
	}
	return b.String()
}

// ScrollStart is the first visible item of a list of rows lines whose cursor must stay
// on screen: 0 until the cursor passes the last row, then the window ends at the cursor.
func ScrollStart(cursor, rows int) int {
	if cursor >= rows {
		return cursor - rows + 1
	}
	return 0
}

// ErrorText is an error as a pane shows it: "✗ " and the message, wrapped to w, in the
// theme's error style.
func ErrorText(th *theme.Theme, err error, w int) string {
	return th.Error.Render(Wrap("✗ "+err.Error(), w))
}

// FileName makes s safe as a file name in any shell and file system: characters other than
// ASCII letters, digits, '-', '_' and '.' become '_'. Every default export name goes
// through it (charts.SafeFileName, which the deck uses too).
func FileName(s string) string { return charts.SafeFileName(s) }

// FirstLine is s up to its first line break.
func FirstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// FitLines fits lines into exactly w×h cells: each line truncated (with …) or padded to w,
// missing lines blank, lines past h dropped.
func FitLines(lines []string, w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = PadRight(Printable(lines[i]), w)
		} else {
			out[i] = strings.Repeat(" ", w)
		}
	}
	return strings.Join(out, "\n")
}

// WrapWords breaks s into lines of at most w bytes at the last space before the limit (a
// word longer than the line is cut); for plain one-line texts such as messages and notes.
func WrapWords(s string, w int) []string {
	var out []string
	for len(s) > w && w > 10 {
		cut := strings.LastIndex(s[:w], " ")
		if cut <= 0 {
			cut = w
		}
		out = append(out, s[:cut])
		s = strings.TrimSpace(s[cut:])
	}
	return append(out, s)
}
