// Package sqlconsole is the SQL console: a multi-line editor with a run key, results in a
// scrollable table with row count and elapsed time, errors shown inline with their line and
// column, cancellation with esc (the context interrupts DuckDB), history kept in the
// workspace (acrm_query_history) and recalled with up/down, export of the full result to CSV
// or Parquet, and a row cap with a visible note. It is embedded by the Data screen.
package sqlconsole

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
)

// MaxRows caps the rows a result keeps in memory; the export writes them all.
const MaxRows = 10000

// CloseMsg tells the embedding screen to leave the console.
type CloseMsg struct{}

// KeyMap are the console keys.
type KeyMap struct {
	Run      key.Binding
	Export   key.Binding
	Focus    key.Binding
	HistUp   key.Binding
	HistDown key.Binding
	Close    key.Binding
	Apply    key.Binding
	Nav      []key.Binding
}

// DefaultKeyMap returns the console keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Run:      key.NewBinding(key.WithKeys("ctrl+r", "ctrl+enter", "f5"), key.WithHelp("ctrl+r", "run query")),
		Export:   key.NewBinding(key.WithKeys("ctrl+e"), key.WithHelp("ctrl+e", "export result")),
		Focus:    key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "editor/results")),
		HistUp:   key.NewBinding(key.WithKeys("up"), key.WithHelp("↑ (first line)", "older query")),
		HistDown: key.NewBinding(key.WithKeys("down"), key.WithHelp("↓ (last line)", "newer query")),
		Close:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to tables")),
		Apply:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "export")),
	}
}

// Console is the SQL console.
type Console struct {
	c     *common.Common
	owner string
	keys  KeyMap

	editor  textarea.Model
	results *components.Table
	onRes   bool // results have the keyboard

	width, height int

	history []string
	histIdx int // -1 = the draft
	draft   string

	running   bool
	lastQuery string
	result    *services.QueryResult
	err       error
	cancelled bool

	export *common.Export // ctrl+e: the full result to CSV or Parquet
}

// Placeholder is what the empty editor shows: how to use it, not something that looks like
// a query.
const Placeholder = "(empty) type a DuckDB query here, then ctrl+r runs it · ↑ recalls earlier queries"

// EmptyRun is what ctrl+r on an empty editor says.
// sql-lint: user text (an example of what to type)
const EmptyRun = "nothing to run: the editor is empty; type a query, e.g. SELECT * FROM customers LIMIT 10"

// New builds a console whose jobs are owned by the screen owner.
func New(c *common.Common, owner string) *Console {
	ta := textarea.New()
	ta.Placeholder = Placeholder
	ta.ShowLineNumbers = true
	ta.Prompt = ""
	ta.CharLimit = 0
	ta.MaxHeight = 0
	con := &Console{c: c, owner: owner, keys: DefaultKeyMap(), editor: ta, results: components.NewTable(c.Theme), histIdx: -1}
	k := con.keys
	con.export = common.NewExport(c, owner, components.PathPromptKeys{Apply: k.Apply, Cancel: k.Close, Complete: components.DefaultPathPromptKeys().Complete}, func() {})
	con.export.Prompt.Input.Placeholder = "result file: .csv or .parquet (tab completes)"
	con.export.Written = func(out string) string { return out }
	con.export.Cancelled = "export cancelled"
	con.export.Footer = "enter export · tab complete · esc cancel"
	con.results.MaxColWidth = 32
	return con
}

// Open focuses the editor and loads the history.
func (con *Console) Open() tea.Cmd {
	con.onRes = false
	svc := con.c.Services
	_, load := common.Start(con.c.Jobs, con.owner, "loading SQL history", func(ctx context.Context, _ func(common.Progress)) (historyLoaded, error) {
		return svc.History(ctx, 200)
	})
	return tea.Batch(con.editor.Focus(), load)
}

// InputFocused is true while the editor or the export path has the keyboard.
func (con *Console) InputFocused() bool { return con.export.IsOpen() || !con.onRes }

// SetValue replaces the editor text (tests, palette).
func (con *Console) SetValue(s string) { con.editor.SetValue(s) }

// Value is the editor text.
func (con *Console) Value() string { return con.editor.Value() }

// ExportPath is the path typed in the export prompt.
func (con *Console) ExportPath() string { return con.export.Prompt.Input.Value() }

// Result is the last result (nil before the first query or after an error).
func (con *Console) Result() *services.QueryResult { return con.result }

// Err is the last query error.
func (con *Console) Err() error { return con.err }

// SetSize lays out editor (top) and results (bottom).
func (con *Console) SetSize(w, h int) {
	con.width, con.height = w, h
	eh := con.editorHeight()
	con.editor.SetWidth(w - 2)
	con.editor.SetHeight(eh - 2)
	con.results.SetSize(w-2, h-eh-2)
}

func (con *Console) editorHeight() int {
	return min(max(con.height/4, 5), 10)
}

// Run starts the query in the editor.
func (con *Console) Run() tea.Cmd {
	q := strings.TrimSpace(con.editor.Value())
	if q == "" {
		return common.Refuse(EmptyRun)
	}
	con.running, con.err, con.cancelled, con.lastQuery = true, nil, false, q
	con.histIdx = -1
	if len(con.history) == 0 || con.history[0] != q {
		con.history = append([]string{q}, con.history...)
	}
	svc := con.c.Services
	_, cmd := common.Start(con.c.Jobs, con.owner, "running query", func(ctx context.Context, _ func(common.Progress)) (queryRan, error) {
		start := time.Now()
		res, err := svc.Query(ctx, q, MaxRows)
		var n int64
		if res != nil {
			n = int64(len(res.Rows))
		}
		herr := err
		if ctx.Err() != nil {
			herr = errors.New("cancelled")
		}
		hctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = svc.AddHistory(hctx, q, time.Since(start), n, herr)
		return queryRan{res}, err
	})
	return cmd
}

// Update handles messages.
func (con *Console) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.Done[historyLoaded]:
		if msg.Err == nil && !msg.Cancelled {
			con.history = msg.Value
		}
		return nil
	case common.Done[queryRan]:
		return con.ran(msg)
	case common.JobMsg:
		return con.export.Update(msg)
	case tea.KeyMsg:
		return con.key(msg)
	case common.WheelMsg:
		// The shell sends the wheel here while the editor has the keyboard: it scrolls the
		// results and leaves the editor (cursor, history) alone.
		if con.showsTable() {
			con.results.Move(msg.Lines)
		}
		return nil
	}
	var cmd tea.Cmd
	if con.export.Prompt.Owns(msg) || con.export.IsOpen() {
		cmd = con.export.Update(msg)
	} else if !con.onRes {
		con.editor, cmd = con.editor.Update(msg)
	}
	return cmd
}

// showsTable reports whether the results pane shows the result table (not the running,
// cancelled or error note).
func (con *Console) showsTable() bool {
	return !con.running && !con.cancelled && con.err == nil && con.result != nil && len(con.result.Columns) > 0
}

// Actions are the console's palette commands (owned by the embedding screen): run the query
// in the editor and export the last result. The embedding screen lists them while the
// console is open.
func (con *Console) Actions() []common.Action {
	return []common.Action{
		{Owner: con.owner, Title: "SQL console: run query", Key: con.keys.Run.Help().Key, Do: con.Run},
		{Owner: con.owner, Title: "SQL console: export result", Key: con.keys.Export.Help().Key, Do: con.openExport},
	}
}

// Owns reports whether msg is a result of one of the console's jobs (or a completion of its
// export prompt), so an embedding screen knows to hand it over.
func (con *Console) Owns(msg tea.Msg) bool {
	switch msg.(type) {
	case common.Done[historyLoaded], common.Done[queryRan]:
		return true
	}
	return con.export.Owns(msg)
}

// The results of the console's jobs.
type (
	historyLoaded []string
	queryRan      struct{ *services.QueryResult }
)

func (con *Console) ran(msg common.Done[queryRan]) tea.Cmd {
	con.running = false
	if msg.Cancelled {
		con.cancelled = true
		return common.Refuse(fmt.Sprintf("query cancelled after %s", fmtDur(msg.Elapsed)))
	}
	if msg.Err != nil {
		con.err = msg.Err
		con.result = nil
		return nil
	}
	con.result = msg.Value.QueryResult
	con.results.SetRows(con.result.Columns, con.result.Rows)
	con.results.Cursor, con.results.Offset, con.results.ColOffset = 0, 0, 0
	// The query may have written (and its history row was), so the screens reload what they
	// show: the Data screen's row counts follow at once.
	refresh := common.Refresh("sql")
	if con.result.Truncated {
		return tea.Batch(common.Flash(fmt.Sprintf("result capped at %s rows; ctrl+e exports all", components.Int(MaxRows))), refresh)
	}
	return refresh
}

func (con *Console) key(msg tea.KeyMsg) tea.Cmd {
	k := con.keys
	if con.export.IsOpen() {
		return con.export.Update(msg)
	}
	switch {
	case key.Matches(msg, k.Run):
		return con.Run()
	case key.Matches(msg, k.Export):
		return con.openExport()
	case key.Matches(msg, k.Focus):
		con.onRes = !con.onRes
		if con.onRes {
			con.editor.Blur()
			return nil
		}
		return con.editor.Focus()
	case key.Matches(msg, k.Close):
		if con.onRes {
			con.onRes = false
			return con.editor.Focus()
		}
		con.editor.Blur()
		return func() tea.Msg { return CloseMsg{} }
	}
	if con.onRes {
		con.results.HandleKey(msg, con.c.Nav)
		return nil
	}
	if key.Matches(msg, k.HistUp) && con.editor.Line() == 0 && con.histIdx+1 < len(con.history) {
		if con.histIdx == -1 {
			con.draft = con.editor.Value()
		}
		con.histIdx++
		con.editor.SetValue(con.history[con.histIdx])
		return nil
	}
	if key.Matches(msg, k.HistDown) && con.editor.Line() == con.editor.LineCount()-1 && con.histIdx >= 0 {
		con.histIdx--
		if con.histIdx == -1 {
			con.editor.SetValue(con.draft)
		} else {
			con.editor.SetValue(con.history[con.histIdx])
		}
		return nil
	}
	var cmd tea.Cmd
	con.editor, cmd = con.editor.Update(msg)
	return cmd
}

// openExport asks where the full result of the last query goes (CSV or Parquet, by the
// extension).
func (con *Console) openExport() tea.Cmd {
	if con.lastQuery == "" || con.result == nil {
		return common.Refuse("nothing to export yet: run a query first, then " + con.keys.Export.Help().Key + " exports its result")
	}
	svc, q := con.c.Services, con.lastQuery
	return con.export.Open("Export the full result (.csv or .parquet)", "result.csv", "exporting the query result",
		func(ctx context.Context, path string) (string, error) {
			n, err := svc.ExportQuery(ctx, q, path)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("exported %s to %s", components.Count(n, "row"), path), nil
		})
}

var lineRE = regexp.MustCompile(`(?m)^LINE (\d+): ?(.*)$`)

// ErrorPosition finds the line and column of query that DuckDB points at in an error message
// ("LINE 2: ..." followed by a caret line); columns count characters (runes) from 1. DuckDB
// shows a long line shortened to a window around the error ("LINE 1: ...snippet..."), so the
// caret's place in the snippet is mapped back onto the query's line. ok is false when the
// message has no position.
func ErrorPosition(msg, query string) (line, col int, ok bool) {
	m := lineRE.FindStringSubmatchIndex(msg)
	if m == nil {
		return 0, 0, false
	}
	line, _ = strconv.Atoi(msg[m[2]:m[3]])
	prefix := msg[m[0]:m[4]] // "LINE n: "
	snippet := msg[m[4]:m[5]]
	rest := strings.TrimPrefix(msg[m[1]:], "\n")
	caretLine, _, _ := strings.Cut(rest, "\n")
	idx := strings.Index(caretLine, "^")
	if idx < 0 {
		return line, 0, true
	}
	// the caret's offset inside the snippet, in characters
	inSnippet := utf8.RuneCountInString(caretLine[:idx]) - utf8.RuneCountInString(prefix)
	if !strings.HasPrefix(snippet, "...") {
		return line, inSnippet + 1, true
	}
	core := strings.TrimSuffix(strings.TrimPrefix(snippet, "..."), "...")
	qlines := strings.Split(query, "\n")
	if line < 1 || line > len(qlines) || core == "" {
		return line, inSnippet + 1 - 3, true
	}
	ql := qlines[line-1]
	at := strings.Index(ql, core)
	if at < 0 {
		return line, inSnippet + 1 - 3, true
	}
	return line, utf8.RuneCountInString(ql[:at]) + inSnippet - 3 + 1, true
}

func fmtDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	default:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
}

// KeyMap returns the keys that work now.
func (con *Console) KeyMap() help.KeyMap {
	k := con.keys
	k.Export.SetEnabled(con.result != nil && !con.export.IsOpen())
	k.Apply.SetEnabled(con.export.IsOpen())
	k.HistUp.SetEnabled(!con.onRes && !con.export.IsOpen() && len(con.history) > 0)
	k.HistDown.SetEnabled(!con.onRes && !con.export.IsOpen() && con.histIdx >= 0)
	k.Run.SetEnabled(!con.export.IsOpen())
	k.Focus.SetEnabled(!con.export.IsOpen() && con.result != nil)
	if con.onRes {
		k.Close.SetHelp("esc", "back to editor")
		k.Nav = con.c.Nav.Bindings()
	}
	if con.export.IsOpen() {
		k.Close.SetHelp("esc", "cancel export")
	}
	return keyMap{k}
}

type keyMap struct{ k KeyMap }

func (m keyMap) ShortHelp() []key.Binding {
	return []key.Binding{m.k.Run, m.k.Apply, m.k.Export, m.k.Focus, m.k.HistUp, m.k.Close}
}

func (m keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.k.Run, m.k.Export, m.k.Focus, m.k.HistUp, m.k.HistDown, m.k.Apply, m.k.Close}, m.k.Nav}
}

// View draws the editor and the results.
func (con *Console) View() string {
	th := con.c.Theme
	eh := con.editorHeight()
	title := "SQL · ctrl+r run · esc back"
	if len(con.history) > 0 {
		title += fmt.Sprintf(" · ↑ history (%d)", len(con.history))
	}
	editor := components.Box(th, title, con.editor.View(), "", con.width, eh, !con.onRes)
	rh := con.height - eh
	var body, rtitle, footer string
	switch {
	case con.running:
		rtitle = "Result"
		body = th.Muted.Render("running… esc cancels")
	case con.cancelled:
		rtitle = "Result"
		body = th.Warn.Render("⊘ cancelled")
	case con.err != nil:
		rtitle = "Error"
		msg := components.Printable(con.err.Error())
		if line, col, ok := ErrorPosition(msg, con.lastQuery); ok {
			body = th.Error.Render(fmt.Sprintf("✗ error at line %d, column %d", line, col)) + "\n" + wrapError(msg, con.width-2)
		} else {
			body = th.Error.Render(wrapError("✗ "+msg, con.width-2))
		}
	case con.result != nil:
		r := con.result
		rtitle = fmt.Sprintf("Result · %s · %s · %s", components.Count(int64(len(r.Rows)), "row"), components.Count(int64(len(r.Columns)), "column"), fmtDur(r.Elapsed))
		if r.Truncated {
			rtitle = fmt.Sprintf("Result · first %s rows (capped) · %s · %s", components.Int(int64(len(r.Rows))), components.Count(int64(len(r.Columns)), "column"), fmtDur(r.Elapsed))
			footer = "capped at " + components.Int(MaxRows) + " rows · ctrl+e exports all"
		} else if len(r.Rows) > 0 {
			footer = fmt.Sprintf("row %s of %s", components.Int(int64(con.results.Cursor+1)), components.Int(int64(len(r.Rows))))
		}
		if len(r.Columns) == 0 {
			body = th.Good.Render("✓ done")
		} else {
			con.results.Focused = con.onRes
			body = con.results.View()
		}
	default:
		rtitle = "Result"
		body = th.Muted.Render("Write a query above and press ctrl+r.\nTables: see the Data screen (esc). History: ↑ on the first line.")
	}
	out := editor + "\n"
	if con.export.IsOpen() {
		out += con.export.View(th, con.width) + "\n"
		rh -= con.export.Height()
	}
	out += components.Box(th, rtitle, body, footer, con.width, rh, con.onRes)
	return out
}

// wrapError wraps an error message to w cells, except DuckDB's "LINE n: …" echo of the query
// and the caret line under it: wrapping those would move the caret off the column it marks.
func wrapError(msg string, w int) string {
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "LINE ") || strings.TrimSpace(l) == "^" {
			continue
		}
		lines[i] = components.Wrap(l, w)
	}
	return strings.Join(lines, "\n")
}
