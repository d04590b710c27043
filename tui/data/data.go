// Package data is the Data screen: the workspace's tables with row counts, a column profile
// per table (type, % null, distinct, min/mean/max, quartiles, top values, histogram), a
// preview that pages through any table without loading it, a row filter, a file import
// dialog and the SQL console. Every query runs as a job; keys never wait on one.
package data

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/NimbleMarkets/ntcharts/sparkline"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/analysis/explore"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
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

	tables    []services.TableInfo
	tablesErr error
	loaded    bool
	cursor    int // selected table

	profiles   map[string][]services.ColumnProfile
	profileErr map[string]error
	colTable   *components.Table

	// preview window
	preview     *components.Table
	page        *services.Page // loaded rows
	pageTable   string
	pageFilter  string
	viewOffset  int // first row shown
	previewErr  error
	filter      string
	filterInput textinput.Model
	filtering   bool

	importPrompt *components.PathPrompt
	// importStatus is the running import's stage and progress, for the Tables pane.
	importStatus string
	importJob    common.JobID
	exportPrompt *components.PathPrompt
	exportCol    services.ColumnProfile // the column whose chart the prompt exports
	exportTable  string

	// A load cancelled with esc leaves its pane saying so until r reloads it.
	tablesCancelled  bool
	profiling        string // table of the latest profile job
	profileCancelled map[string]bool
	previewCancelled bool

	console     *sqlconsole.Console
	consoleOpen bool
}

// The results of the screen's jobs.
type tablesResult struct{ tables []services.TableInfo }
type imported struct{ *services.ImportResult }
type chartWritten string
type profileResult struct {
	table   string
	columns []services.ColumnProfile
}
type pageResult struct {
	table, filter string
	page          *services.Page
}

// New builds the Data screen.
func New(c *common.Common) *Screen {
	s := &Screen{c: c, keys: DefaultKeyMap(c.Nav), profiles: map[string][]services.ColumnProfile{}, profileErr: map[string]error{},
		profileCancelled: map[string]bool{}}
	s.colTable = components.NewTable(c.Theme)
	s.colTable.MaxColWidth = 24
	s.colTable.WidestCell = true
	s.preview = components.NewTable(c.Theme)
	s.preview.MaxColWidth = 28
	s.filterInput = textinput.New()
	s.filterInput.Prompt = "/ "
	s.filterInput.Placeholder = "text to find, or a SQL condition like region = 'Utrecht'"
	promptKeys := components.PathPromptKeys{Apply: s.keys.Apply, Cancel: s.keys.Cancel, Complete: s.keys.Complete}
	s.importPrompt = components.NewPathPrompt("file: ", "path to a .csv, .parquet or .json file (tab completes)")
	s.importPrompt.Keys = promptKeys
	s.exportPrompt = components.NewPathPrompt("file: ", "chart file: .png, .svg or .pdf (tab completes)")
	s.exportPrompt.Keys = promptKeys
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
	return s.filtering || s.importPrompt.IsOpen() || s.exportPrompt.IsOpen()
}

// Init loads the table list.
func (s *Screen) Init() tea.Cmd { return s.loadTables() }

func (s *Screen) loadTables() tea.Cmd {
	svc := s.c.Services
	s.tablesCancelled = false
	_, cmd := common.Start(s.c.Jobs, ID, "listing tables", func(ctx context.Context, _ func(common.Progress)) (tablesResult, error) {
		t, err := svc.Tables(ctx)
		return tablesResult{t}, err
	})
	return cmd
}

func (s *Screen) selected() (services.TableInfo, bool) {
	if s.cursor < 0 || s.cursor >= len(s.tables) {
		return services.TableInfo{}, false
	}
	return s.tables[s.cursor], true
}

// selectTable shows the profile of the selected table (from cache or a new job) and loads
// the first preview page.
func (s *Screen) selectTable() tea.Cmd {
	t, ok := s.selected()
	if !ok {
		return nil
	}
	s.viewOffset = 0
	s.preview.Cursor, s.preview.Offset, s.preview.ColOffset = 0, 0, 0
	s.colTable.Cursor, s.colTable.Offset = 0, 0
	s.page = nil
	s.previewErr = nil
	s.previewCancelled = false
	s.filter = ""
	s.fillColumns()
	var cmds []tea.Cmd
	if _, ok := s.profiles[t.Name]; !ok {
		cmds = append(cmds, s.loadProfile(t.Name))
	}
	cmds = append(cmds, s.loadPage())
	return tea.Batch(cmds...)
}

func (s *Screen) loadProfile(table string) tea.Cmd {
	svc := s.c.Services
	delete(s.profileErr, table)
	delete(s.profileCancelled, table)
	s.profiling = table
	_, cmd := common.Start(s.c.Jobs, ID, "profiling "+table, func(ctx context.Context, report func(common.Progress)) (profileResult, error) {
		cols, err := svc.Profile(ctx, table, report)
		return profileResult{table, cols}, err
	})
	return cmd
}

func (s *Screen) visibleRows() int { return max(s.preview.PageSize(), 1) }

// loadPage fetches a window of three screens around viewOffset, unless it is loaded already.
func (s *Screen) loadPage() tea.Cmd {
	t, ok := s.selected()
	if !ok {
		return nil
	}
	vis := s.visibleRows()
	if p := s.page; p != nil && s.pageTable == t.Name && s.pageFilter == s.filter &&
		s.viewOffset >= p.Offset && (s.viewOffset+vis <= p.Offset+len(p.Rows) || int64(p.Offset+len(p.Rows)) >= p.Total) {
		return nil
	}
	from := max(s.viewOffset-vis, 0)
	limit := 3 * vis
	svc := s.c.Services
	table, filter := t.Name, s.filter
	s.previewCancelled = false
	_, cmd := common.Start(s.c.Jobs, ID, "reading "+table, func(ctx context.Context, _ func(common.Progress)) (pageResult, error) {
		p, err := svc.Preview(ctx, table, from, limit, filter)
		return pageResult{table, filter, p}, err
	})
	return cmd
}

// SetSize lays out the panes.
func (s *Screen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.console.SetSize(w, h)
	lw, rw := s.split()
	_ = lw
	ph, vh := s.rightSplit()
	s.colTable.SetSize(rw-2, ph-2-s.detailHeight(ph))
	s.preview.SetSize(rw-2, vh-2)
	s.fillPreview()
}

func (s *Screen) split() (int, int) {
	lw := min(max(s.width/5, 20), 34)
	return lw, s.width - lw
}

func (s *Screen) rightSplit() (int, int) {
	h := s.height
	switch {
	case s.importPrompt.IsOpen():
		h -= s.importPrompt.Height()
	case s.exportPrompt.IsOpen():
		h -= s.exportPrompt.Height()
	case s.inInput():
		h -= 3
	}
	ph := h * 11 / 20
	return ph, h - ph
}

// detailHeight is the height of the selected column's histogram strip (ntcharts) under the
// profile table, when there is room.
func (s *Screen) detailHeight(paneH int) int {
	if paneH >= 18 {
		return 6
	}
	return 0
}

// Update handles messages.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.JobProgressMsg:
		if msg.ID == s.importJob {
			s.importStatus = importStatus(msg.Progress)
		}
		return nil
	case common.Done[tablesResult]:
		return s.tablesDone(msg)
	case common.Done[profileResult]:
		return s.profileDone(msg)
	case common.Done[pageResult]:
		return s.pageDone(msg)
	case common.Done[imported]:
		return s.importDone(msg)
	case common.Done[chartWritten]:
		if msg.Cancelled {
			return cancelledFlash("chart")
		}
		if msg.Err != nil {
			return common.FlashError(msg.Err)
		}
		return common.Flash("chart written to " + string(msg.Value))
	case common.RefreshMsg:
		return s.loadTables()
	case common.JobMsg:
		if sqlconsole.Owns(msg) {
			return s.console.Update(msg)
		}
		return nil
	case sqlconsole.CloseMsg:
		s.consoleOpen = false
		return nil
	case tea.KeyMsg:
		return s.key(msg)
	}
	for _, p := range []*components.PathPrompt{s.importPrompt, s.exportPrompt} {
		if p.Owns(msg) {
			_, _, cmd := p.Update(msg)
			return cmd
		}
	}
	if s.consoleOpen {
		return s.console.Update(msg)
	}
	var cmd tea.Cmd
	switch {
	case s.filtering:
		s.filterInput, cmd = s.filterInput.Update(msg)
	case s.importPrompt.IsOpen():
		_, _, cmd = s.importPrompt.Update(msg)
	case s.exportPrompt.IsOpen():
		_, _, cmd = s.exportPrompt.Update(msg)
	}
	return cmd
}

// importStatus is how the Tables pane shows an import's progress: "checking 45 %",
// "reading", "committing".
func importStatus(p common.Progress) string {
	if f := p.Fraction(); f >= 0 && p.Stage != "" {
		return fmt.Sprintf("%s %.0f %%", p.Stage, 100*f)
	}
	return p.Stage
}

// cancelledFlash says a load was cancelled (its pane says so until r reloads it).
func cancelledFlash(what string) tea.Cmd { return common.Flash(what + " cancelled — r reloads") }

func (s *Screen) tablesDone(msg common.Done[tablesResult]) tea.Cmd {
	switch {
	case msg.Cancelled:
		s.tablesCancelled = true
		return cancelledFlash("tables")
	case msg.Err != nil:
		s.tablesErr = msg.Err
		return common.FlashError(msg.Err)
	}
	prev := ""
	if t, ok := s.selected(); ok {
		prev = t.Name
	}
	s.tables, s.tablesErr, s.loaded = OrderTables(msg.Value.tables), nil, true
	s.cursor = 0
	for i, t := range s.tables {
		if t.Name == prev {
			s.cursor = i
		}
	}
	return s.selectTable()
}

func (s *Screen) profileDone(msg common.Done[profileResult]) tea.Cmd {
	switch {
	case msg.Cancelled:
		if s.profiling != "" {
			s.profileCancelled[s.profiling] = true
		}
		return cancelledFlash("profile")
	case msg.Err != nil:
		if t, ok := s.selected(); ok {
			s.profileErr[t.Name] = msg.Err
		}
		return common.FlashError(msg.Err)
	}
	s.profiles[msg.Value.table] = msg.Value.columns
	s.fillColumns()
	return nil
}

func (s *Screen) pageDone(msg common.Done[pageResult]) tea.Cmd {
	switch {
	case msg.Cancelled:
		s.previewCancelled = true
		return cancelledFlash("preview")
	case msg.Err != nil:
		s.previewErr = msg.Err
		return common.FlashError(msg.Err)
	}
	r := msg.Value
	if t, ok := s.selected(); !ok || t.Name != r.table || r.filter != s.filter {
		return nil
	}
	s.page, s.pageTable, s.pageFilter, s.previewErr = r.page, r.table, r.filter, nil
	s.fillPreview()
	return nil
}

func (s *Screen) importDone(msg common.Done[imported]) tea.Cmd {
	s.importStatus = ""
	switch {
	case msg.Cancelled:
		return cancelledFlash("import")
	case msg.Err != nil:
		s.importPrompt.Err = msg.Err.Error()
		cmd := s.importPrompt.Reopen()
		s.SetSize(s.width, s.height)
		return tea.Batch(cmd, common.FlashError(msg.Err))
	}
	r := msg.Value
	return tea.Batch(common.Flash(fmt.Sprintf("imported %s rows into %s", components.Int(r.Rows), r.Table)),
		common.Refresh(ID))
}

func (s *Screen) key(msg tea.KeyMsg) tea.Cmd {
	if s.consoleOpen {
		return s.console.Update(msg)
	}
	if s.filtering {
		switch {
		case key.Matches(msg, s.keys.Cancel):
			s.filtering = false
			s.filterInput.Blur()
			s.SetSize(s.width, s.height)
			return nil
		case key.Matches(msg, s.keys.Apply):
			s.filtering = false
			s.filterInput.Blur()
			s.filter = FilterText(s.filterInput.Value())
			s.viewOffset = 0
			s.preview.Cursor, s.preview.Offset = 0, 0
			s.page = nil
			s.focus = panePreview
			s.SetSize(s.width, s.height)
			return s.loadPage()
		}
		var cmd tea.Cmd
		s.filterInput, cmd = s.filterInput.Update(msg)
		return cmd
	}
	if s.importPrompt.IsOpen() {
		return s.importPrompt.Handle(msg, func() { s.SetSize(s.width, s.height) }, s.startImport)
	}
	if s.exportPrompt.IsOpen() {
		return s.exportPrompt.Handle(msg, func() { s.SetSize(s.width, s.height) }, s.exportChart)
	}
	k := s.keys
	switch {
	case key.Matches(msg, k.Filter):
		return s.openFilter()
	case key.Matches(msg, k.Clear):
		if s.filter != "" {
			s.filter = ""
			s.filterInput.SetValue("")
			s.viewOffset = 0
			s.page = nil
			return s.loadPage()
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
		s.focus = (s.focus + 1) % 3
		return nil
	}
	switch s.focus {
	case paneTables:
		if key.Matches(msg, k.Nav.Right) {
			s.focus = paneColumns
			return nil
		}
		old := s.cursor
		switch {
		case key.Matches(msg, k.Nav.Up):
			s.cursor--
		case key.Matches(msg, k.Nav.Down):
			s.cursor++
		case key.Matches(msg, k.Nav.Top):
			s.cursor = 0
		case key.Matches(msg, k.Nav.Bottom):
			s.cursor = len(s.tables) - 1
		case key.Matches(msg, k.Nav.PageDown, k.Nav.PageUp):
			return s.scrollPreview(msg)
		}
		s.cursor = min(max(s.cursor, 0), max(len(s.tables)-1, 0))
		if s.cursor != old {
			return s.selectTable()
		}
	case paneColumns:
		switch {
		case key.Matches(msg, k.Nav.Left):
			s.focus = paneTables
		case key.Matches(msg, k.Nav.Right):
			s.focus = panePreview
		case key.Matches(msg, k.Nav.PageDown, k.Nav.PageUp):
			return s.scrollPreview(msg)
		default:
			s.colTable.HandleKey(msg, k.Nav)
		}
	case panePreview:
		if key.Matches(msg, k.Nav.Left) && s.preview.ColOffset == 0 {
			s.focus = paneColumns
			return nil
		}
		return s.scrollPreview(msg)
	}
	return nil
}

// scrollPreview moves the preview window; rows come from the loaded window or a new page
// job, never from a blocking query.
func (s *Screen) scrollPreview(msg tea.KeyMsg) tea.Cmd {
	k := s.keys.Nav
	var total int
	if s.page != nil {
		total = int(s.page.Total)
	}
	vis := s.visibleRows()
	cur := s.viewOffset + s.preview.Cursor - s.preview.Offset
	switch {
	case key.Matches(msg, k.Up):
		cur--
	case key.Matches(msg, k.Down):
		cur++
	case key.Matches(msg, k.PageUp):
		cur -= vis
		s.viewOffset -= vis
	case key.Matches(msg, k.PageDown):
		cur += vis
		s.viewOffset += vis
	case key.Matches(msg, k.Top):
		cur, s.viewOffset = 0, 0
	case key.Matches(msg, k.Bottom):
		cur = total - 1
		s.viewOffset = total - vis
	case key.Matches(msg, k.Left):
		s.preview.ColOffset = max(s.preview.ColOffset-1, 0)
		return nil
	case key.Matches(msg, k.Right):
		if s.preview.HiddenRight() {
			s.preview.ColOffset++
		}
		return nil
	default:
		return nil
	}
	cur = min(max(cur, 0), max(total-1, 0))
	if cur < s.viewOffset {
		s.viewOffset = cur
	}
	if cur >= s.viewOffset+vis {
		s.viewOffset = cur - vis + 1
	}
	s.viewOffset = min(max(s.viewOffset, 0), max(total-vis, 0))
	s.fillPreview()
	s.preview.Cursor = cur - s.viewOffset
	s.preview.Offset = 0
	return s.loadPage()
}

// fillPreview copies the visible window out of the loaded page.
func (s *Screen) fillPreview() {
	if s.page == nil {
		s.preview.SetRows(nil, nil)
		return
	}
	vis := s.visibleRows()
	var rows [][]string
	for r := s.viewOffset; r < s.viewOffset+vis && int64(r) < s.page.Total; r++ {
		i := r - s.page.Offset
		if i >= 0 && i < len(s.page.Rows) {
			rows = append(rows, s.page.Rows[i])
		} else {
			rows = append(rows, []string{"…"})
		}
	}
	cur, off := s.preview.Cursor, s.preview.Offset
	s.preview.SetRows(s.page.Columns, rows)
	s.preview.Cursor, s.preview.Offset = cur, off
	s.preview.Move(0)
}

func (s *Screen) fillColumns() {
	t, ok := s.selected()
	if !ok {
		s.colTable.SetRows(nil, nil)
		return
	}
	cols := s.profiles[t.Name]
	s.colTable.SetRows(ProfileHeaders(), ProfileRows(cols))
	s.colTable.RightAlign = []bool{false, false, true, true, false, true, true, true}
}

// datamartOrder is the order the datamart tables are listed in; others follow by name,
// acrm's own tables last.
var datamartOrder = []string{"customers", "products", "holdings", "contacts", "campaigns", "campaign_members", "optouts", "events"}

// OrderTables lists the datamart tables first (customers on top), then other user tables,
// then acrm's own tables.
func OrderTables(ts []services.TableInfo) []services.TableInfo {
	rank := func(t services.TableInfo) int {
		for i, n := range datamartOrder {
			if t.Name == n {
				return i
			}
		}
		if t.Acrm {
			return len(datamartOrder) + 2
		}
		if strings.HasPrefix(t.Name, "sample_truth") {
			return len(datamartOrder) + 1
		}
		return len(datamartOrder)
	}
	out := append([]services.TableInfo(nil), ts...)
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := rank(out[i]), rank(out[j])
		if ri != rj {
			return ri < rj
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// ProfileHeaders are the column-profile table's headers.
func ProfileHeaders() []string {
	return []string{"column", "type", "null", "distinct", "histogram / top values", "min", "mean", "max"}
}

// ProfileRows renders column profiles as table rows: numeric columns get a block histogram
// and min/mean/max, others their most frequent values with counts. The histogram comes
// before min/mean/max so it stays visible on narrow terminals.
func ProfileRows(cols []services.ColumnProfile) [][]string {
	rows := make([][]string, 0, len(cols))
	for _, p := range cols {
		mean, dist := "", components.Int(p.Distinct)
		if p.DistinctApprox {
			dist = "≈" + dist
		}
		if p.Mean != nil {
			mean = components.Float(*p.Mean, 2)
		}
		last := ""
		if len(p.Histogram) > 0 {
			last = components.Spark(p.Histogram)
		} else {
			var parts []string
			for _, v := range p.TopValues {
				parts = append(parts, fmt.Sprintf("%s ×%s", v.Value, components.Int(v.Count)))
			}
			last = strings.Join(parts, " · ")
			if last == "" && p.Distinct > 0 {
				last = "(all distinct)"
			}
		}
		numeric := p.Kind == explore.Numeric
		minV, maxV := shortNum(p.Min, numeric), shortNum(p.Max, numeric)
		rows = append(rows, []string{p.Name, ShortType(p.Type), fmt.Sprintf("%.1f%%", p.NullPct), dist, last, minV, mean, maxV})
	}
	return rows
}

// ShortType abbreviates a DuckDB type for the profile table: int, float, text, date, time,
// bool; other types are shown as DuckDB names them.
func ShortType(t string) string {
	u := strings.ToUpper(t)
	switch {
	case strings.Contains(u, "INT"):
		return "int"
	case u == "DOUBLE" || u == "FLOAT" || u == "REAL" || strings.HasPrefix(u, "DECIMAL"):
		return "float"
	case u == "VARCHAR":
		return "text"
	case u == "DATE":
		return "date"
	case strings.HasPrefix(u, "TIMESTAMP"):
		return "time"
	case u == "BOOLEAN":
		return "bool"
	}
	return strings.ToLower(t)
}

func shortNum(s string, numeric bool) string {
	if !numeric {
		return components.Truncate(s, 14)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return components.Int(int64(f))
	}
	return components.Float(f, 2)
}

// FilterText turns what was typed after / into the preview filter: text that looks like a
// SQL condition (a comparison or a keyword) becomes "where <condition>"; anything else finds
// rows whose text contains it, case-insensitively.
func FilterText(typed string) string {
	t := strings.TrimSpace(typed)
	if t == "" {
		return ""
	}
	lower := " " + strings.ToLower(t) + " "
	if strings.HasPrefix(lower, " where ") {
		return t
	}
	for _, op := range []string{"=", "<", ">", " like ", " ilike ", " in (", " is null", " is not null", " between ", " and ", " or ", " not "} {
		if strings.Contains(lower, op) {
			return "where " + t
		}
	}
	return t
}

// TableNameFor derives a table name from a file name: base name without extensions, lower
// case, characters other than letters, digits and '_' replaced by '_'.
func TableNameFor(path string) string {
	base := strings.ToLower(filepath.Base(path))
	if i := strings.Index(base, "."); i > 0 {
		base = base[:i]
	}
	var b strings.Builder
	for i, r := range base {
		switch {
		case r >= 'a' && r <= 'z', r == '_', r >= '0' && r <= '9' && i > 0:
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	if b.Len() == 0 {
		return "imported"
	}
	return b.String()
}

func (s *Screen) openFilter() tea.Cmd {
	if _, ok := s.selected(); !ok {
		return nil
	}
	s.filtering = true
	s.SetSize(s.width, s.height)
	return s.filterInput.Focus()
}

func (s *Screen) openImport() tea.Cmd {
	if s.inInput() {
		return nil
	}
	v := s.importPrompt.Input.Value()
	cmd := s.importPrompt.Open("Import a file as a new table", v)
	s.SetSize(s.width, s.height)
	return cmd
}

// reload is r: what esc cancelled (the table list, the selected table's profile or its
// preview) is loaded again; when nothing was cancelled, everything is refreshed.
func (s *Screen) reload() tea.Cmd {
	if s.tablesCancelled || !s.loaded {
		return s.loadTables()
	}
	var cmds []tea.Cmd
	if t, ok := s.selected(); ok {
		if s.profileCancelled[t.Name] {
			cmds = append(cmds, s.loadProfile(t.Name))
		}
		if s.previewCancelled {
			cmds = append(cmds, s.loadPage())
		}
	}
	if len(cmds) > 0 {
		return tea.Batch(cmds...)
	}
	for name := range s.profiles {
		delete(s.profiles, name)
	}
	return s.loadTables()
}

// chartColumn is the selected column of the selected table when it has a chart to export.
func (s *Screen) chartColumn() (string, services.ColumnProfile, bool) {
	t, ok := s.selected()
	if !ok || s.c.Exports == nil {
		return "", services.ColumnProfile{}, false
	}
	cols, ok := s.profiles[t.Name]
	if !ok || s.colTable.Cursor < 0 || s.colTable.Cursor >= len(cols) {
		return "", services.ColumnProfile{}, false
	}
	p := cols[s.colTable.Cursor]
	return t.Name, p, services.ChartableColumn(p)
}

func (s *Screen) openExport() tea.Cmd {
	table, p, ok := s.chartColumn()
	if s.inInput() {
		return nil
	}
	if !ok {
		if p.Name != "" {
			return common.Flash("no chart to export for " + p.Name + " (identifiers and nearly unique columns are never charted)")
		}
		return common.Flash("no chart to export: select a profiled column")
	}
	s.exportCol, s.exportTable = p, table
	cmd := s.exportPrompt.Open("Export the chart of "+table+"."+p.Name+" (.png/.svg/.pdf)", ChartFileName(table, p.Name))
	s.SetSize(s.width, s.height)
	return cmd
}

// ChartFileName is the default file of a column's chart, in the working directory:
// "<table>-<column>.png" with characters other than letters, digits, '-', '_' and '.'
// replaced by '_'.
func ChartFileName(table, column string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, table+"-"+column) + ".png"
}

func (s *Screen) exportChart(path string) tea.Cmd {
	svc := s.c.Exports
	if svc == nil {
		return nil
	}
	table, p := s.exportTable, s.exportCol
	_, cmd := common.Start(s.c.Jobs, ID, "exporting the chart of "+p.Name, func(ctx context.Context, _ func(common.Progress)) (chartWritten, error) {
		out, err := svc.ExportColumnChart(ctx, path, table, p)
		return chartWritten(out), err
	})
	return cmd
}

func (s *Screen) openConsole() tea.Cmd {
	s.consoleOpen = true
	s.console.SetSize(s.width, s.height)
	return s.console.Open()
}

func (s *Screen) startImport(path string) tea.Cmd {
	svc := s.c.Services
	s.importStatus = "starting"
	var cmd tea.Cmd
	s.importJob, cmd = common.Start(s.c.Jobs, ID, "importing "+filepath.Base(path), func(ctx context.Context, report func(common.Progress)) (imported, error) {
		r, err := svc.Import(ctx, services.ImportOptions{Path: path, Table: TableNameFor(path),
			Progress: func(done, total int64, stage string) { report(common.Progress{Done: done, Total: total, Stage: stage}) }})
		return imported{r}, err
	})
	return cmd
}

// CompletePath returns input extended by the longest common prefix of the directory entries
// it matches (directories end in "/"), and the matching names (at most 20); see
// components.CompletePath, which the import and export prompts run in the background.
func CompletePath(input string) (string, []string) { return components.CompletePath(input) }

// Actions are the Data screen's palette commands.
func (s *Screen) Actions() []common.Action {
	actions := []common.Action{
		{Owner: ID, Title: "import a file", Key: "i", Do: s.openImport},
		{Owner: ID, Title: "SQL console", Key: "s", Do: s.openConsole},
		{Owner: ID, Title: "export the selected column's chart", Key: "e", Do: s.openExport},
		{Owner: ID, Title: "filter rows of the table", Key: "/", Do: s.openFilter},
		{Owner: ID, Title: "refresh tables", Key: "r", Do: func() tea.Cmd { return s.loadTables() }},
	}
	if s.consoleOpen {
		actions = append(actions, s.console.Actions()...)
	}
	return actions
}

// KeyMap returns the keys that work now.
func (s *Screen) KeyMap() help.KeyMap {
	if s.consoleOpen {
		return s.console.KeyMap()
	}
	k := s.keys
	inInput := s.inInput()
	for _, b := range []*key.Binding{&k.Nav.Up, &k.Nav.Down, &k.Nav.PageUp, &k.Nav.PageDown, &k.Nav.Top, &k.Nav.Bottom, &k.Nav.Left, &k.Nav.Right, &k.Focus, &k.Filter, &k.Import, &k.SQL, &k.Refresh} {
		b.SetEnabled(!inInput)
	}
	_, _, chart := s.chartColumn()
	k.Export.SetEnabled(!inInput && chart)
	k.Clear.SetEnabled(!inInput && s.filter != "")
	k.Apply.SetEnabled(inInput)
	k.Cancel.SetEnabled(inInput)
	k.Complete.SetEnabled(s.importPrompt.IsOpen() || s.exportPrompt.IsOpen())
	if s.focus == panePreview {
		k.Nav.Left.SetHelp("←/→", "scroll columns")
		k.Nav.Right.SetHelp("←/→", "scroll columns")
	}
	return keyMap{k}
}

type keyMap struct{ k KeyMap }

func (m keyMap) ShortHelp() []key.Binding {
	k := m.k
	return []key.Binding{k.Apply, k.Complete, k.Cancel, k.Focus, k.Filter, k.Clear, k.Import, k.Export, k.SQL}
}

func (m keyMap) FullHelp() [][]key.Binding {
	k := m.k
	return [][]key.Binding{
		{k.Nav.Up, k.Nav.Down, k.Nav.PageUp, k.Nav.PageDown, k.Nav.Top, k.Nav.Bottom, k.Nav.Left},
		{k.Focus, k.Filter, k.Clear, k.Import, k.Export, k.SQL, k.Refresh, k.Apply, k.Complete, k.Cancel},
	}
}

// View draws the three panes (or the SQL console).
func (s *Screen) View() string {
	if s.consoleOpen {
		return s.console.View()
	}
	th := s.c.Theme
	lw, rw := s.split()
	ph, vh := s.rightSplit()
	tablesFooter := "i import · s sql"
	if s.importStatus != "" {
		tablesFooter = "importing · " + s.importStatus
	}
	left := components.Box(th, "Tables", s.tablesView(lw-2, s.height-2), tablesFooter, lw, s.height, s.focus == paneTables)

	t, ok := s.selected()
	colTitle, prevTitle, prevFooter := "Columns", "Preview", ""
	var colBody, prevBody string
	switch {
	case !ok && !s.loaded:
		colBody = th.Muted.Render("loading tables…")
	case !ok:
		colBody = th.Muted.Render("The workspace has no tables yet.\n\nPress i to import a file, or run\n  acrm sample --db " + s.c.Services.Path())
	default:
		colTitle = fmt.Sprintf("%s · %s rows · %d columns", t.Name, components.Int(t.Rows), t.Columns)
		if err := s.profileErr[t.Name]; err != nil {
			colBody = components.ErrorText(th, err, rw-2)
		} else if _, done := s.profiles[t.Name]; !done && s.profileCancelled[t.Name] {
			colBody = th.Warn.Render("profiling " + t.Name + " cancelled — r reloads")
		} else if !done {
			colBody = th.Muted.Render("profiling " + t.Name + "…")
		} else {
			s.colTable.Focused = s.focus == paneColumns
			colBody = s.colTable.View()
			if dh := s.detailHeight(ph); dh > 0 {
				colBody += "\n" + s.detailView(rw-2, dh, false)
			}
		}
		prevTitle = "Preview"
		if s.filter != "" {
			prevTitle += " · filter: " + s.filterInput.Value()
		}
		switch {
		case s.previewErr != nil:
			prevBody = components.ErrorText(th, s.previewErr, rw-2)
		case s.page == nil && s.previewCancelled:
			prevBody = th.Warn.Render("reading " + t.Name + " cancelled — r reloads")
		case s.page == nil:
			prevBody = th.Muted.Render("reading " + t.Name + "…")
		case s.page.Total == 0:
			prevBody = th.Muted.Render("no rows match")
		default:
			s.preview.Focused = s.focus == panePreview
			prevBody = s.preview.View()
			first := int64(s.viewOffset + 1)
			last := min(int64(s.viewOffset+s.visibleRows()), s.page.Total)
			prevFooter = fmt.Sprintf("rows %s–%s of %s · pgdn", components.Int(first), components.Int(last), components.Int(s.page.Total))
			if s.preview.HiddenRight() {
				prevFooter = "→ more columns · " + prevFooter
			}
		}
	}
	// A short terminal has no room for the detail strip under the profile: while the Columns
	// pane has the focus, the selected column's distribution takes the Preview pane's place.
	if _, done := s.profiles[t.Name]; ok && done && s.focus == paneColumns && s.detailHeight(ph) == 0 && s.colTable.Cursor < len(s.profiles[t.Name]) {
		prevTitle = "Distribution of " + s.profiles[t.Name][s.colTable.Cursor].Name
		prevBody = s.detailView(rw-2, vh-2, true)
		prevFooter = "enter: the rows preview"
	}
	colFooter := ""
	if _, _, chart := s.chartColumn(); chart {
		colFooter = "e export chart"
	}
	right := components.Box(th, colTitle, colBody, colFooter, rw, ph, s.focus == paneColumns) + "\n" +
		components.Box(th, prevTitle, prevBody, prevFooter, rw, vh, s.focus == panePreview)
	if s.inInput() {
		right += "\n" + s.inputView(rw)
	}
	return components.JoinH(left, right)
}

func (s *Screen) inputView(w int) string {
	th := s.c.Theme
	if s.filtering {
		s.filterInput.Width = w - 6
		return components.Box(th, "Filter rows · enter apply · esc close", s.filterInput.View(), "", w, 3, true)
	}
	if s.exportPrompt.IsOpen() {
		s.exportPrompt.Footer = "enter export · tab complete · esc close"
		return s.exportPrompt.View(th, w)
	}
	footer := "enter import · tab complete · esc close"
	if v := s.importPrompt.Value(); v != "" && !strings.HasSuffix(v, "/") {
		footer = "→ table " + TableNameFor(v) + " · " + footer
	}
	s.importPrompt.Footer = footer
	return s.importPrompt.View(th, w)
}

func (s *Screen) tablesView(w, h int) string {
	th := s.c.Theme
	if s.tablesErr != nil {
		return components.ErrorText(th, s.tablesErr, w)
	}
	if !s.loaded && s.tablesCancelled {
		return th.Warn.Render(components.Wrap("listing tables cancelled — r reloads", w))
	}
	if !s.loaded {
		return th.Muted.Render("loading…")
	}
	var lines []string
	start := components.ScrollStart(s.cursor, h)
	for i := start; i < len(s.tables) && len(lines) < h; i++ {
		t := s.tables[i]
		n := components.Int(t.Rows)
		if t.IsView {
			n = "view"
		}
		mark := "  "
		if i == s.cursor {
			mark = "> "
		}
		line := components.PadRight(mark+t.Name, w-components.Width(n)-1) + " " + n
		switch {
		case i == s.cursor && s.focus == paneTables:
			line = th.Selected.Render(line)
		case t.Acrm:
			line = th.Muted.Render(line)
		}
		lines = append(lines, line)
	}
	if !s.hasUserTables() && len(lines)+6 <= h {
		lines = append(lines, "", th.Muted.Render(components.Wrap("No data yet. i imports a CSV, Parquet or JSON file; acrm sample creates the sample datamart.", w)))
	}
	return strings.Join(lines, "\n")
}

func (s *Screen) hasUserTables() bool {
	for _, t := range s.tables {
		if !t.Acrm {
			return true
		}
	}
	return false
}

// detailView draws the selected column's histogram with ntcharts and its quantiles: as a
// strip under the profile table (a rule above it, one line of figures), or as a pane of its
// own (inPane: the figures wrap).
func (s *Screen) detailView(w, h int, inPane bool) string {
	th := s.c.Theme
	t, _ := s.selected()
	cols := s.profiles[t.Name]
	if s.colTable.Cursor >= len(cols) {
		return ""
	}
	p := cols[s.colTable.Cursor]
	head := th.Subtle.Render(strings.Repeat("─", w))
	if len(p.Histogram) == 0 {
		var parts []string
		for _, v := range p.TopValues {
			parts = append(parts, fmt.Sprintf("%s ×%s", v.Value, components.Int(v.Count)))
		}
		text := "most frequent: " + strings.Join(parts, " · ")
		if len(parts) == 0 {
			text = "no frequent values (nearly unique or empty)"
		}
		if inPane && len(p.TopValues) > 0 {
			// One bar per frequent value, scaled to the most frequent.
			var lines []string
			vw := min(24, w/3)
			cw := 0
			for _, v := range p.TopValues {
				cw = max(cw, len(components.Int(v.Count)))
			}
			bw := max(w-vw-cw-2, 1)
			for _, v := range p.TopValues[:min(len(p.TopValues), h)] {
				lines = append(lines, components.PadRight(v.Value, vw)+" "+components.PadLeft(components.Int(v.Count), cw)+" "+
					th.Bar.Render(components.HBar(float64(v.Count), float64(p.TopValues[0].Count), bw)))
			}
			return strings.Join(lines, "\n")
		}
		if inPane {
			return components.Wrap(text, w)
		}
		return head + "\n" + components.Truncate(th.PaneTitle.Render(p.Name)+"  "+text, w)
	}
	info := p.Name + "  "
	if p.Mean != nil {
		info += fmt.Sprintf("min %s · mean %s · max %s · ", shortNum(p.Min, true), components.Float(*p.Mean, 2), shortNum(p.Max, true))
	}
	if q := p.Quantiles; q != nil {
		info += fmt.Sprintf("p5 %s · p25 %s · median %s · p75 %s · p95 %s", components.Float(q[0], 2), components.Float(q[1], 2),
			components.Float(q[2], 2), components.Float(q[3], 2), components.Float(q[4], 2))
	}
	info += fmt.Sprintf("\n%d bins over %s … %s", len(p.Histogram), components.Float(p.HistMin, 2), components.Float(p.HistMax, 2))
	l1, l2, _ := strings.Cut(info, "\n")
	top := head + "\n" + components.Truncate(l1, w) + "\n" + th.Muted.Render(components.Truncate(l2, w))
	if inPane {
		top = components.Wrap(strings.TrimPrefix(l1, p.Name+"  "), w) + "\n" + th.Muted.Render(components.Truncate(l2, w))
	}
	chartH := h - strings.Count(top, "\n") - 1
	if chartH < 1 {
		return top
	}
	per := max(min(w, len(p.Histogram)*4)/len(p.Histogram), 1)
	chartW := per * len(p.Histogram)
	sl := sparkline.New(chartW, chartH, sparkline.WithStyle(th.Bar))
	data := make([]float64, 0, chartW)
	for _, c := range p.Histogram {
		for i := 0; i < per; i++ {
			data = append(data, float64(c))
		}
	}
	sl.PushAll(data)
	sl.DrawColumnsOnly()
	return top + "\n" + sl.View()
}
