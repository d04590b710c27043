// Package data is the Data screen: the workspace's tables with row counts, a column profile
// per table (type, % null, distinct, min/mean/max, quartiles, top values, histogram), a
// preview that pages through any table without loading it, a row filter, a file import
// dialog and the SQL console. Every query runs as a job; keys never wait on one.
//
// The screen is this file plus one pane per part: tables.go (the table list), columns.go
// (the profile and the column's distribution), preview.go (the rows), filter.go, import.go
// and export.go (the dialogs under the panes), with render.go holding the pure
// model→strings code. The screen sizes the panes, moves the focus, keeps the columns and
// preview on the selected table, and hands every job result to all panes: each takes the
// results of its own jobs by their type.
package data

import (
	"context"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/sqlconsole"
)

// ID is the Data screen's owner id.
const ID = "data"

const (
	paneTables = iota
	paneColumns
	panePreview
)

// Screen is the Data screen.
type Screen struct {
	c    *common.Common
	keys KeyMap

	width, height int
	focus         int

	tables   *tablesPane
	columns  *columnsPane
	preview  *previewPane
	filter   *filterBar
	importer *importer
	exporter *common.Export

	console     *sqlconsole.Console
	consoleOpen bool
}

// New builds the Data screen.
func New(c *common.Common) *Screen {
	s := &Screen{c: c, keys: DefaultKeyMap(c.Nav)}
	s.tables = &tablesPane{c: c, nav: c.Nav}
	s.tables.Focus()
	s.columns = newColumnsPane(c, c.Nav)
	s.preview = newPreviewPane(c, c.Nav)
	s.filter = newFilterBar(c)
	promptKeys := components.PathPromptKeys{Apply: s.keys.Apply, Cancel: s.keys.Cancel, Complete: s.keys.Complete}
	s.importer = newImporter(c, promptKeys, s.relayout)
	s.exporter = common.NewExport(c, ID, promptKeys, s.relayout)
	s.exporter.Cancelled = "chart cancelled — r reloads"
	s.console = sqlconsole.New(c, ID)
	return s
}

func (s *Screen) ID() string    { return ID }
func (s *Screen) Title() string { return "Data" }

// InputFocused is true while the filter, a path prompt or the SQL editor has the keyboard.
func (s *Screen) InputFocused() bool {
	return s.inInput() || (s.consoleOpen && s.console.InputFocused())
}

// inInput is true while the filter or a path prompt has the keyboard.
func (s *Screen) inInput() bool {
	return s.filter.Focused() || s.importer.prompt.IsOpen() || s.exporter.IsOpen()
}

// Init loads the table list.
func (s *Screen) Init() tea.Cmd { return s.tables.load() }

// setFocus gives pane i (paneTables, paneColumns, panePreview) the keyboard.
func (s *Screen) setFocus(i int) {
	s.focus = i
	for j, p := range []common.Pane{s.tables, s.columns, s.preview} {
		if j == i {
			p.Focus()
		} else {
			p.Blur()
		}
	}
}

// selectTable points the columns and preview at the selected table: its profile (from
// cache or a new job) and its first page.
func (s *Screen) selectTable() tea.Cmd {
	t, ok := s.tables.Selected()
	if !ok {
		return nil
	}
	s.preview.show(t, ok)
	return tea.Batch(s.columns.show(t, ok, s.tables.loaded), s.preview.load())
}

// SetSize lays out the panes.
func (s *Screen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.console.SetSize(w, h)
	lw, rw := s.split()
	ph, vh := s.rightSplit()
	s.tables.SetSize(lw, h)
	s.columns.SetSize(rw, ph)
	s.preview.SetSize(rw, vh)
	s.filter.SetSize(rw, 3)
}

func (s *Screen) relayout() { s.SetSize(s.width, s.height) }

func (s *Screen) split() (int, int) {
	lw := min(max(s.width/5, 20), 34)
	return lw, s.width - lw
}

func (s *Screen) rightSplit() (int, int) {
	h := s.height
	switch {
	case s.importer.prompt.IsOpen():
		h -= s.importer.prompt.Height()
	case s.exporter.IsOpen():
		h -= s.exporter.Height()
	case s.inInput():
		h -= 3
	}
	ph := h * 11 / 20
	return ph, h - ph
}

// Update handles messages.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.JobMsg:
		if s.console.Owns(msg) {
			return s.console.Update(msg)
		}
		return s.toPanes(msg)
	case common.RefreshMsg:
		return s.tables.load()
	case sqlconsole.CloseMsg:
		s.consoleOpen = false
		return nil
	case tea.KeyMsg:
		return s.key(msg)
	}
	switch {
	case s.console.Owns(msg):
		return s.console.Update(msg)
	case s.importer.prompt.Owns(msg):
		return s.importer.Update(msg)
	case s.exporter.Owns(msg):
		return s.exporter.Update(msg)
	}
	switch {
	case s.consoleOpen:
		return s.console.Update(msg)
	case s.filter.Focused():
		return s.filter.Update(msg)
	case s.importer.prompt.IsOpen():
		return s.importer.Update(msg)
	case s.exporter.IsOpen():
		return s.exporter.Update(msg)
	}
	return nil
}

// toPanes hands a job message to every pane; a new table list reselects.
func (s *Screen) toPanes(msg common.JobMsg) tea.Cmd {
	before := s.tables.selection()
	cmds := []tea.Cmd{s.tables.Update(msg), s.columns.Update(msg), s.preview.Update(msg),
		s.importer.Update(msg), s.exporter.Update(msg)}
	if s.tables.selection() != before {
		cmds = append(cmds, s.selectTable())
	}
	return tea.Batch(cmds...)
}

func (s *Screen) key(msg tea.KeyMsg) tea.Cmd {
	if s.consoleOpen {
		return s.console.Update(msg)
	}
	if s.filter.Focused() {
		return s.filterKey(msg)
	}
	if s.importer.prompt.IsOpen() {
		return s.importer.Update(msg)
	}
	if s.exporter.IsOpen() {
		return s.exporter.Update(msg)
	}
	k := s.keys
	switch {
	case key.Matches(msg, k.Filter):
		return s.openFilter()
	case key.Matches(msg, k.Clear):
		if p := s.preview; p.filter != "" {
			s.filter.Clear()
			p.filter, p.offset, p.page = "", 0, nil // the cursor stays on its line
			return p.load()
		}
		return nil
	case key.Matches(msg, k.Import):
		return s.openImport()
	case key.Matches(msg, k.Export):
		return s.openExport()
	case key.Matches(msg, k.SQL):
		return s.openConsole()
	case key.Matches(msg, k.Refresh):
		return s.reload()
	case key.Matches(msg, k.Focus):
		s.setFocus((s.focus + 1) % 3)
		return nil
	}
	return s.paneKey(msg)
}

// paneKey moves within the focused pane, or to the next one with ←/→ at its edge; page
// keys scroll the preview from every pane.
func (s *Screen) paneKey(msg tea.KeyMsg) tea.Cmd {
	nav := s.keys.Nav
	switch s.focus {
	case paneTables:
		if key.Matches(msg, nav.Right) {
			s.setFocus(paneColumns)
			return nil
		}
		if key.Matches(msg, nav.PageDown, nav.PageUp) {
			return s.preview.Update(msg)
		}
		before := s.tables.selection()
		cmd := s.tables.Update(msg)
		if s.tables.selection() != before {
			return tea.Batch(cmd, s.selectTable())
		}
		return cmd
	case paneColumns:
		switch {
		case key.Matches(msg, nav.Left):
			s.setFocus(paneTables)
		case key.Matches(msg, nav.Right):
			s.setFocus(panePreview)
		case key.Matches(msg, nav.PageDown, nav.PageUp):
			return s.preview.Update(msg)
		default:
			return s.columns.Update(msg)
		}
	case panePreview:
		if key.Matches(msg, nav.Left) && s.preview.tbl.ColOffset == 0 {
			s.setFocus(paneColumns)
			return nil
		}
		return s.preview.Update(msg)
	}
	return nil
}

func (s *Screen) filterKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, s.keys.Cancel):
		s.filter.Blur()
		s.relayout()
		return nil
	case key.Matches(msg, s.keys.Apply):
		s.filter.Blur()
		s.preview.setFilter(FilterText(s.filter.Value()))
		s.setFocus(panePreview)
		s.relayout()
		return s.preview.load()
	}
	return s.filter.Update(msg)
}

func (s *Screen) openFilter() tea.Cmd {
	if _, ok := s.tables.Selected(); !ok {
		return nil
	}
	cmd := s.filter.open()
	s.relayout()
	return cmd
}

func (s *Screen) openImport() tea.Cmd {
	if s.inInput() {
		return nil
	}
	return s.importer.open()
}

func (s *Screen) openExport() tea.Cmd {
	table, p, ok := s.columns.chartColumn()
	if s.inInput() {
		return nil
	}
	if !ok {
		if p.Name != "" {
			return common.Refuse("no chart to export for " + p.Name + " (identifiers and nearly unique columns are never charted)")
		}
		return common.Refuse("no chart to export: select a profiled column")
	}
	svc := s.c.Exports
	return s.exporter.Open("Export the chart of "+table+"."+p.Name+" (.png/.svg/.pdf)", ChartFileName(table, p.Name),
		"exporting the chart of "+p.Name, func(ctx context.Context, path string) (string, error) {
			return svc.ExportColumnChart(ctx, path, table, p)
		})
}

func (s *Screen) openConsole() tea.Cmd {
	s.consoleOpen = true
	s.console.SetSize(s.width, s.height)
	return s.console.Open()
}

// reload is r: what esc cancelled (the table list, the selected table's profile or its
// preview) is loaded again; when nothing was cancelled, everything is refreshed.
func (s *Screen) reload() tea.Cmd {
	if s.tables.cancelled || !s.tables.loaded {
		return s.tables.load()
	}
	var cmds []tea.Cmd
	if t, ok := s.tables.Selected(); ok {
		if s.columns.cancelled[t.Name] {
			cmds = append(cmds, s.columns.load(t.Name))
		}
		if s.preview.cancelled {
			cmds = append(cmds, s.preview.load())
		}
	}
	if len(cmds) > 0 {
		return tea.Batch(cmds...)
	}
	s.columns.forget()
	return s.tables.load()
}

// Actions are the Data screen's palette commands.
func (s *Screen) Actions() []common.Action {
	actions := []common.Action{
		{Owner: ID, Title: "import a file", Key: "i", Do: s.openImport},
		{Owner: ID, Title: "SQL console", Key: "s", Do: s.openConsole},
		{Owner: ID, Title: "export the selected column's chart", Key: "e", Do: s.openExport},
		{Owner: ID, Title: "filter rows of the table", Key: "/", Do: s.openFilter},
		{Owner: ID, Title: "refresh tables", Key: "r", Do: func() tea.Cmd { return s.tables.load() }},
	}
	if s.consoleOpen {
		actions = append(actions, s.console.Actions()...)
	}
	return actions
}

// View draws the three panes (or the SQL console).
func (s *Screen) View() string {
	if s.consoleOpen {
		return s.console.View()
	}
	_, rw := s.split()
	_, vh := s.rightSplit()
	s.preview.label = s.filter.Value()
	// A short terminal has no room for the detail strip under the profile: while the Columns
	// pane has the focus, the selected column's distribution takes the Preview pane's place.
	lower, ok := s.columns.distribution(rw, vh)
	if !ok {
		lower = s.preview.View()
	}
	right := s.columns.View() + "\n" + lower
	switch {
	case s.filter.Focused():
		right += "\n" + s.filter.View()
	case s.exporter.IsOpen():
		right += "\n" + s.exporter.View(s.c.Theme, rw)
	case s.importer.prompt.IsOpen():
		right += "\n" + s.importer.View(rw)
	}
	s.tables.importing = s.importer.status
	return components.JoinH(s.tables.View(), right)
}
