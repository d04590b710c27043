package segments

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/theme"
)

const (
	stepColumn = iota
	stepOp
	stepValue
	stepName
	stepSQL
)

// builder is the new-segment dialog: guided (column → operator → value → name) or typed SQL
// (filter → name).
type builder struct {
	typed bool
	step  int

	cols   []services.ColumnInfo
	colCur int
	ops    []string
	opCur  int
	values []services.ValueCount
	valCur int

	valueIn  textinput.Model
	nameIn   textinput.Model
	filterIn textinput.Model

	filter  string
	count   int64
	counted bool
	err     string

	up, down, next, back key.Binding
}

func newBuilder(cols []services.ColumnInfo, typed bool) *builder {
	b := &builder{typed: typed, cols: cols,
		up:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "choose")),
		down: key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↑/↓", "choose")),
		next: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next step")),
		back: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
	b.valueIn = textinput.New()
	b.valueIn.Prompt = "value: "
	b.valueIn.Placeholder = "pick below or type (in/between: a, b)"
	b.nameIn = textinput.New()
	b.nameIn.Prompt = "name: "
	b.nameIn.Placeholder = "e.g. big retail"
	b.filterIn = textinput.New()
	b.filterIn.Prompt = "where "
	b.filterIn.Placeholder = "sector = 'retail' AND mobile_subs >= 5"
	if typed {
		b.step = stepSQL
	}
	return b
}

func (b *builder) focus() tea.Cmd {
	b.valueIn.Blur()
	b.nameIn.Blur()
	b.filterIn.Blur()
	switch b.step {
	case stepValue:
		return b.valueIn.Focus()
	case stepName:
		return b.nameIn.Focus()
	case stepSQL:
		return b.filterIn.Focus()
	}
	return nil
}

func (b *builder) keyHelp() []key.Binding {
	next := b.next
	switch b.step {
	case stepName:
		next.SetHelp("enter", "save segment")
	case stepSQL:
		next.SetHelp("enter", "check filter")
	}
	up := b.up
	up.SetEnabled(b.step != stepName && b.step != stepSQL)
	return []key.Binding{up, next, b.back}
}

func (b *builder) update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch b.step {
	case stepValue:
		b.valueIn, cmd = b.valueIn.Update(msg)
	case stepName:
		b.nameIn, cmd = b.nameIn.Update(msg)
	case stepSQL:
		b.filterIn, cmd = b.filterIn.Update(msg)
	}
	return cmd
}

func (s *Screen) openBuilder(typed bool) tea.Cmd {
	if len(s.crosstab.cols) == 0 && !typed {
		return tea.Batch(common.Flash("reading the customer columns first…"), s.crosstab.loadColumns())
	}
	s.builder = newBuilder(s.crosstab.cols, typed)
	return s.builder.focus()
}

func (s *Screen) selectedCol() services.ColumnInfo {
	b := s.builder
	if b.colCur < len(b.cols) {
		return b.cols[b.colCur]
	}
	return services.ColumnInfo{}
}

func (s *Screen) builderKey(msg tea.KeyMsg) tea.Cmd {
	b := s.builder
	svc := s.c.Services
	switch {
	case key.Matches(msg, b.back):
		b.err = ""
		switch b.step {
		case stepColumn, stepSQL:
			s.builder = nil
			return nil
		case stepName:
			if b.typed {
				b.step = stepSQL
			} else if needsValue(b.ops[b.opCur]) {
				b.step = stepValue
			} else {
				b.step = stepOp
			}
		default:
			b.step--
		}
		return b.focus()
	case key.Matches(msg, b.up, b.down) && (b.step == stepColumn || b.step == stepOp || msg.Type == tea.KeyUp || msg.Type == tea.KeyDown):
		// j/k choose in the lists; in the value step they are letters of the value.
		d := 1
		if key.Matches(msg, b.up) {
			d = -1
		}
		switch b.step {
		case stepColumn:
			b.colCur = clamp(b.colCur+d, len(b.cols))
		case stepOp:
			b.opCur = clamp(b.opCur+d, len(b.ops))
		case stepValue:
			if len(b.values) > 0 {
				b.valCur = clamp(b.valCur+d, len(b.values))
				b.valueIn.SetValue(b.values[b.valCur].Value)
				b.valueIn.CursorEnd()
			}
		default:
			return b.update(msg)
		}
		return nil
	case key.Matches(msg, b.next):
		b.err = ""
		switch b.step {
		case stepColumn:
			if len(b.cols) == 0 {
				return nil
			}
			col := s.selectedCol()
			b.ops = svc.Operators(col.Kind)
			b.opCur = 0
			b.step = stepOp
			b.values = nil
			b.valueIn.SetValue("")
			name := col.Name
			return start(s.c, "reading values of "+name, func(ctx context.Context, _ func(common.Progress)) (valuesLoaded, error) {
				return svc.ColumnValues(ctx, name, 30)
			})
		case stepOp:
			if !needsValue(b.ops[b.opCur]) {
				return s.toName(nil)
			}
			b.step = stepValue
			if len(b.values) > 0 && b.valueIn.Value() == "" {
				b.valueIn.SetValue(b.values[b.valCur].Value)
				b.valueIn.CursorEnd()
			}
			return b.focus()
		case stepValue:
			v := strings.TrimSpace(b.valueIn.Value())
			if v == "" {
				b.err = "pick or type a value"
				return nil
			}
			var vals []string
			switch b.ops[b.opCur] {
			case "in", "not in", "between":
				for _, p := range strings.Split(v, ",") {
					vals = append(vals, strings.TrimSpace(p))
				}
			default:
				vals = []string{v}
			}
			return s.toName(vals)
		case stepSQL:
			f := strings.TrimSpace(b.filterIn.Value())
			if f == "" {
				b.err = "type a SQL condition over the customer view"
				return nil
			}
			b.filter = f
			b.step = stepName
			return tea.Batch(b.focus(), s.countFilter())
		case stepName:
			name := strings.TrimSpace(b.nameIn.Value())
			if name == "" {
				b.err = "give the segment a name"
				return nil
			}
			if b.counted && b.count == 0 {
				b.err = "this filter selects no customers: esc goes back to change it"
				return nil
			}
			seg := services.Segment{Name: name, Filter: b.filter}
			return start(s.c, "saving "+name, func(ctx context.Context, _ func(common.Progress)) (segmentSaved, error) {
				return segmentSaved(name), svc.SaveSegment(ctx, seg)
			})
		}
	}
	return b.update(msg)
}

func (s *Screen) toName(vals []string) tea.Cmd {
	b := s.builder
	f, err := s.c.Services.BuildFilter(s.selectedCol(), b.ops[b.opCur], vals...)
	if err != nil {
		b.err = err.Error()
		return common.FlashError(err)
	}
	b.filter = f
	b.step = stepName
	if b.nameIn.Value() == "" {
		b.nameIn.SetValue(suggestName(s.selectedCol().Name, b.ops[b.opCur], vals))
		b.nameIn.CursorEnd()
	}
	return tea.Batch(b.focus(), s.countFilter())
}

func (s *Screen) countFilter() tea.Cmd {
	b := s.builder
	b.counted = false
	svc := s.c.Services
	f := b.filter
	return start(s.c, "checking filter", func(ctx context.Context, _ func(common.Progress)) (filterCounted, error) {
		n, err := svc.ValidateSegment(ctx, f)
		return filterCounted(n), err
	})
}

func suggestName(col, op string, vals []string) string {
	return strings.TrimSpace(col + " " + op + " " + strings.Join(vals, ", "))
}

func needsValue(op string) bool {
	switch op {
	case "is null", "is not null", "is true", "is false":
		return false
	}
	return true
}

func clamp(i, n int) int { return min(max(i, 0), max(n-1, 0)) }

func (b *builder) view(th *theme.Theme, w, h int) string {
	var lines []string
	title := "New segment · guided builder"
	if b.typed {
		title = "New segment · SQL filter over customer_view"
	}
	steps := []string{"1 column", "2 operator", "3 value", "4 name"}
	if b.typed {
		steps = []string{"1 filter", "2 name"}
	}
	cur := b.step
	if b.typed {
		cur = map[int]int{stepSQL: 0, stepName: 1}[b.step]
	}
	var st []string
	for i, x := range steps {
		if i == cur {
			st = append(st, th.TabActive.Render("["+x+"]"))
		} else {
			st = append(st, th.Muted.Render(" "+x+" "))
		}
	}
	lines = append(lines, strings.Join(st, "→"), "")
	list := func(items []string, cur int, rows int) {
		start := components.ScrollStart(cur, rows)
		for i := start; i < len(items) && i < start+rows; i++ {
			if i == cur {
				lines = append(lines, th.Selected.Render(components.PadRight("> "+items[i], w-4)))
			} else {
				lines = append(lines, "  "+items[i])
			}
		}
	}
	rows := max(h-10, 3)
	switch b.step {
	case stepColumn:
		lines = append(lines, "Which column?")
		var items []string
		for _, c := range b.cols {
			items = append(items, fmt.Sprintf("%-22s %s", c.Name, th.Muted.Render(string(c.Kind))))
		}
		list(items, b.colCur, rows)
	case stepOp:
		lines = append(lines, "Column "+th.PaneTitle.Render(b.cols[b.colCur].Name)+": which condition?")
		list(b.ops, b.opCur, rows)
	case stepValue:
		lines = append(lines, th.PaneTitle.Render(b.cols[b.colCur].Name+" "+b.ops[b.opCur])+" …", b.valueIn.View(),
			th.Muted.Render("↑/↓ pick a value from the list · typing edits it · enter next"))
		var items []string
		for _, v := range b.values {
			items = append(items, fmt.Sprintf("%-24s %s", components.Truncate(v.Value, 24), th.Muted.Render(plural(v.Count, "customer"))))
		}
		if len(items) == 0 {
			lines = append(lines, th.Muted.Render("reading values…"))
		}
		list(items, b.valCur, rows-3)
	case stepSQL:
		lines = append(lines, "A SQL condition over customer_view (columns of customers plus products_held,",
			"contacts_12m, response_rate, contract_end, opted_out, value_segment …):", "", b.filterIn.View())
	case stepName:
		lines = append(lines, "filter: "+th.PaneTitle.Render(oneLine(b.filter)))
		switch {
		case b.err != "":
		case b.counted:
			lines = append(lines, "selects "+plural(b.count, "customer"))
		default:
			lines = append(lines, th.Muted.Render("counting…"))
		}
		lines = append(lines, "", b.nameIn.View())
	}
	if b.err != "" {
		lines = append(lines, "", th.Error.Render("✗ "+b.err))
	}
	return components.Box(th, title, strings.Join(lines, "\n"), "enter next · esc back", w, h, true)
}

func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return components.Int(n) + " " + word + "s"
}

// The results of the builder's jobs.
type (
	valuesLoaded  []services.ValueCount
	filterCounted int64
	segmentSaved  string
)

// builderFailed shows a failed builder job (values, count, save) in the open builder.
func (s *Screen) builderFailed(err error) tea.Cmd {
	if s.builder != nil {
		s.builder.err = err.Error()
	}
	return common.FlashError(err)
}

// builderDone takes the results of the builder's jobs: a column's values, the filter's
// count, the saved segment.
func (s *Screen) builderDone(msg common.JobMsg) tea.Cmd {
	b := s.builder
	switch msg := msg.(type) {
	case common.Done[valuesLoaded]:
		switch {
		case msg.Cancelled:
			return common.FlashReload("values")
		case msg.Err != nil:
			return s.builderFailed(msg.Err)
		}
		if b != nil {
			b.values = msg.Value
			b.valCur = 0
		}
	case common.Done[filterCounted]:
		switch {
		case msg.Cancelled:
			return common.FlashReload("count")
		case msg.Err != nil:
			if b != nil && b.typed {
				b.err = msg.Err.Error()
				b.step = stepSQL // fix the filter first
				return tea.Batch(b.focus(), common.FlashError(msg.Err))
			}
			return s.builderFailed(msg.Err)
		}
		if b != nil {
			b.count = int64(msg.Value)
			b.counted = true
			b.err = ""
		}
	case common.Done[segmentSaved]:
		switch {
		case msg.Cancelled:
			return common.FlashReload("save")
		case msg.Err != nil:
			return s.builderFailed(msg.Err)
		}
		name := string(msg.Value)
		s.builder = nil
		s.list.pendingSelect = name
		return tea.Batch(common.Flash("saved segment "+name), s.list.load(), common.Refresh(ID))
	}
	return nil
}
