package components

import (
	"sort"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/keys"
	"github.com/acrm-dev/acrm/tui/theme"
)

// Table is a scrolling table of strings with a row cursor and horizontal scrolling by
// column. It reads nothing itself: callers page data in with SetRows.
type Table struct {
	Headers []string
	Rows    [][]string
	// RightAlign marks numeric columns; computed by SetRows unless set afterwards.
	RightAlign []bool
	// MaxColWidth caps a column's width (default 40).
	MaxColWidth int
	// Cursor is the selected row index into Rows; Offset the first visible row.
	Cursor, Offset int
	// ColOffset is the first visible column (horizontal scroll).
	ColOffset int
	Focused   bool
	// ShowCursor draws the selection.
	ShowCursor bool
	// WidestCell sizes columns by their widest cell instead of the 90th percentile.
	WidestCell bool

	widths        []int // 90th-percentile widths
	widest        []int // widest cell per column (capped)
	width, height int
	th            *theme.Theme
}

// NewTable returns an empty table.
func NewTable(th *theme.Theme) *Table {
	return &Table{th: th, MaxColWidth: 40, ShowCursor: true}
}

// SetSize sets the rendered size (header line included).
func (t *Table) SetSize(w, h int) {
	t.width, t.height = w, h
	t.clamp()
}

// SetRows replaces the content and recomputes column widths and alignment. The cursor is
// kept where possible.
func (t *Table) SetRows(headers []string, rows [][]string) {
	t.Headers, t.Rows = headers, rows
	t.widths = ColumnWidths(headers, rows, t.MaxColWidth)
	t.widest = append([]int(nil), t.widths...)
	for c := range headers {
		for _, r := range rows[:min(len(rows), 500)] {
			if c < len(r) {
				t.widest[c] = max(t.widest[c], min(Width(r[c]), t.MaxColWidth))
			}
		}
	}
	if t.WidestCell {
		for c := range headers {
			for _, r := range rows {
				if c < len(r) {
					t.widths[c] = max(t.widths[c], min(Width(r[c]), t.MaxColWidth))
				}
			}
		}
	}
	t.RightAlign = make([]bool, len(headers))
	for c := range headers {
		t.RightAlign[c] = numericColumn(rows, c)
	}
	if t.ColOffset >= len(headers) {
		t.ColOffset = 0
	}
	t.clamp()
}

// ColumnWidths picks each column's width: the wider of its header and the 90th percentile
// of its cell widths (so one long value does not blow up the layout), capped at maxW.
func ColumnWidths(headers []string, rows [][]string, maxW int) []int {
	if maxW <= 0 {
		maxW = 40
	}
	ws := make([]int, len(headers))
	n := min(len(rows), 500)
	for c, h := range headers {
		cells := make([]int, 0, n)
		for _, r := range rows[:n] {
			if c < len(r) {
				cells = append(cells, Width(r[c]))
			}
		}
		sort.Ints(cells)
		w := Width(h)
		if len(cells) > 0 {
			p := cells[min(len(cells)-1, (len(cells)*9)/10)]
			w = max(w, p)
		}
		ws[c] = min(max(w, 1), maxW)
	}
	return ws
}

func numericColumn(rows [][]string, c int) bool {
	seen := false
	for _, r := range rows[:min(len(rows), 200)] {
		if c >= len(r) || r[c] == "NULL" || r[c] == "" {
			continue
		}
		if _, err := strconv.ParseFloat(strings.ReplaceAll(r[c], ",", ""), 64); err != nil {
			return false
		}
		seen = true
	}
	return seen
}

func (t *Table) bodyHeight() int { return max(t.height-1, 0) }

func (t *Table) clamp() {
	if t.Cursor >= len(t.Rows) {
		t.Cursor = len(t.Rows) - 1
	}
	if t.Cursor < 0 {
		t.Cursor = 0
	}
	bh := t.bodyHeight()
	if t.Cursor < t.Offset {
		t.Offset = t.Cursor
	}
	if bh > 0 && t.Cursor >= t.Offset+bh {
		t.Offset = t.Cursor - bh + 1
	}
	if t.Offset > max(len(t.Rows)-bh, 0) {
		t.Offset = max(len(t.Rows)-bh, 0)
	}
	if t.Offset < 0 {
		t.Offset = 0
	}
}

// Move moves the cursor by delta rows.
func (t *Table) Move(delta int) {
	t.Cursor += delta
	t.clamp()
}

// Selected returns the selected row (nil when empty).
func (t *Table) Selected() []string {
	if t.Cursor < 0 || t.Cursor >= len(t.Rows) {
		return nil
	}
	return t.Rows[t.Cursor]
}

// PageSize is the number of visible rows.
func (t *Table) PageSize() int { return max(t.bodyHeight(), 1) }

// HandleKey applies navigation keys; it reports whether the key was used.
func (t *Table) HandleKey(msg tea.KeyMsg, nav keys.Nav) bool {
	switch {
	case key.Matches(msg, nav.Up):
		t.Move(-1)
	case key.Matches(msg, nav.Down):
		t.Move(1)
	case key.Matches(msg, nav.PageUp):
		t.Move(-t.PageSize())
	case key.Matches(msg, nav.PageDown):
		t.Move(t.PageSize())
	case key.Matches(msg, nav.Top):
		t.Cursor = 0
		t.clamp()
	case key.Matches(msg, nav.Bottom):
		t.Cursor = len(t.Rows) - 1
		t.clamp()
	case key.Matches(msg, nav.Left):
		if t.ColOffset > 0 {
			t.ColOffset--
		}
	case key.Matches(msg, nav.Right):
		if t.ColOffset < len(t.Headers)-1 {
			t.ColOffset++
		}
	default:
		return false
	}
	return true
}

// View renders the table in exactly its size.
func (t *Table) View() string {
	if t.width <= 0 || t.height <= 0 {
		return ""
	}
	var sb strings.Builder
	cols, widths := t.layout()
	line := func(cells []string, header bool) string {
		var b strings.Builder
		for i, c := range cols {
			if i > 0 {
				b.WriteString("  ")
			}
			v := ""
			if c < len(cells) {
				v = cells[c]
			}
			if t.RightAlign != nil && c < len(t.RightAlign) && t.RightAlign[c] {
				b.WriteString(PadLeft(v, widths[i]))
			} else {
				b.WriteString(PadRight(v, widths[i]))
			}
		}
		s := b.String()
		if t.ColOffset > 0 {
			s = "‹" + s
		}
		return PadRight(s, t.width)
	}
	sb.WriteString(t.th.Header.Render(line(t.Headers, true)))
	bh := t.bodyHeight()
	for i := 0; i < bh; i++ {
		sb.WriteByte('\n')
		r := t.Offset + i
		if r >= len(t.Rows) {
			sb.WriteString(strings.Repeat(" ", t.width))
			continue
		}
		l := line(t.Rows[r], false)
		if t.ShowCursor && r == t.Cursor && t.Focused {
			l = t.th.Selected.Render(l)
		} else if t.ShowCursor && r == t.Cursor {
			l = t.th.Selected.UnsetBackground().Render(l)
		}
		sb.WriteString(l)
	}
	return sb.String()
}

// layout picks the visible columns from ColOffset; the last one may be narrowed to the
// remaining width (at least 6 cells) so wide final columns are not dropped.
func (t *Table) layout() ([]int, []int) {
	colW := t.widths
	if t.ColOffset == 0 && len(t.widest) == len(t.widths) {
		// When every column fits at its widest, nothing needs cutting.
		total := 2 * max(len(t.widest)-1, 0)
		for _, w := range t.widest {
			total += w
		}
		if total <= t.width {
			colW = t.widest
		}
	}
	var cols, widths []int
	used := 0
	if t.ColOffset > 0 {
		used = 1
	}
	for c := t.ColOffset; c < len(t.Headers); c++ {
		w := colW[c]
		sep := 0
		if len(cols) > 0 {
			sep = 2
		}
		if used+sep+w > t.width && len(cols) > 0 {
			if rest := t.width - used - sep; rest >= 6 {
				cols = append(cols, c)
				widths = append(widths, rest)
			}
			break
		}
		cols = append(cols, c)
		widths = append(widths, w)
		used += sep + w
	}
	return cols, widths
}

// HiddenRight reports whether columns are cut off on the right.
func (t *Table) HiddenRight() bool {
	cols, widths := t.layout()
	if len(cols) == 0 {
		return false
	}
	last := cols[len(cols)-1]
	return last < len(t.Headers)-1 || widths[len(widths)-1] < t.widths[last]
}
