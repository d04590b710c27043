// Package segments is the Segments screen: the built-in value segments and the saved
// segments, a KPI table per segment with an index against the whole base (100 = average,
// ▲/▼), side-by-side comparison of up to four segments, a crosstab of two attributes with
// counts and row %, a guided builder (column → operator → value picked from the column's
// values) and typed SQL filters. All work runs as jobs through services.
package segments

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/keys"
	"github.com/acrm-dev/acrm/tui/services"
)

// ID is the screen's owner id.
const ID = "segments"

// MaxCompare is how many segments can be compared side by side.
const MaxCompare = 4

// The results of the screen's jobs, one type per kind of job.
type (
	columnsLoaded  []services.ColumnInfo
	kpisLoaded     []services.KPIRow
	crosstabLoaded struct{ *services.CrossTable }
	valuesLoaded   []services.ValueCount
	filterCounted  int64
	segmentSaved   string
	segmentDeleted string
	chartWritten   string
)

const (
	viewKPIs = iota
	viewCrosstab
)

// KeyMap are the Segments screen's keys.
type KeyMap struct {
	Up, Down    key.Binding
	Mark        key.Binding
	New         key.Binding
	Typed       key.Binding
	Delete      key.Binding
	Crosstab    key.Binding
	RowAttr     key.Binding
	ColAttr     key.Binding
	Refresh     key.Binding
	Next        key.Binding
	Back        key.Binding
	ScrollLeft  key.Binding
	ScrollRight key.Binding
	Export      key.Binding
	Complete    key.Binding
}

// DefaultKeyMap returns the default keys.
func DefaultKeyMap() KeyMap {
	nav := keys.DefaultNav()
	return KeyMap{
		Up:          nav.Up,
		Down:        nav.Down,
		Mark:        key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "mark to compare (≤4)")),
		New:         keys.Key("n", "new segment (builder)"),
		Typed:       keys.Key("t", "new segment (SQL)"),
		Delete:      keys.Key("d", "delete segment"),
		Crosstab:    keys.Key("x", "KPIs/crosstab"),
		RowAttr:     keys.Key("a", "next row attribute"),
		ColAttr:     keys.Key("b", "next column attribute"),
		Refresh:     keys.Key("r", "refresh"),
		Next:        keys.Key("enter", "next step"),
		Back:        keys.Key("esc", "close"),
		ScrollLeft:  key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/→", "scroll columns")),
		ScrollRight: key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("←/→", "scroll columns")),
		Export:      keys.Key("e", "export chart"),
		Complete:    keys.Key("tab", "complete path"),
	}
}

// Screen is the Segments screen.
type Screen struct {
	c    *common.Common
	keys KeyMap

	width, height int

	segs    []services.Segment
	loaded  bool
	listErr error
	// basis is what ranks the value segments (services.BasisRevenue or
	// BasisExpectedValue; "" when unknown).
	basis  string
	cursor int
	marked []string // names, in marking order

	view     int
	kpis     []services.KPIRow
	kpiErr   error
	kpiTable *components.Table

	cols    []services.ColumnInfo
	rowAttr int
	colAttr int
	ct      *services.CrossTable
	ctErr   error
	ctTable *components.Table
	builder *builder
	// pendingSelect is a segment to put the cursor on when the list reloads.
	pendingSelect string
	// confirmDelete is the segment d was pressed on once; a second d deletes it.
	confirmDelete string

	// A load cancelled with esc leaves its pane saying so until r reloads it.
	listCancelled, kpiCancelled, ctCancelled bool

	// exportPrompt asks where the KPI chart goes (e).
	exportPrompt *components.PathPrompt
}

// listResult is what the list job returns: the segments and the value basis.
type listResult struct {
	segs  []services.Segment
	basis string
}

// New builds the Segments screen.
func New(c *common.Common) *Screen {
	s := &Screen{c: c, keys: DefaultKeyMap(), kpiTable: components.NewTable(c.Theme), ctTable: components.NewTable(c.Theme)}
	s.kpiTable.ShowCursor = false
	s.kpiTable.WidestCell = true
	s.ctTable.ShowCursor = false
	s.ctTable.WidestCell = true
	s.exportPrompt = components.NewPathPrompt("file: ", "chart file: .png, .svg or .pdf (tab completes)")
	s.exportPrompt.Keys = components.PathPromptKeys{Apply: s.keys.Next, Cancel: s.keys.Back, Complete: s.keys.Complete}
	return s
}

func (s *Screen) ID() string         { return ID }
func (s *Screen) Title() string      { return "Segments" }
func (s *Screen) InputFocused() bool { return s.builder != nil || s.exportPrompt.IsOpen() }

// Init loads the segment list and the customer columns.
func (s *Screen) Init() tea.Cmd { return tea.Batch(s.loadList(), s.loadColumns()) }

// start runs fn as a job of the screen.
func start[T any](s *Screen, label string, fn common.JobFunc[T]) tea.Cmd {
	_, cmd := common.Start(s.c.Jobs, ID, label, fn)
	return cmd
}

func (s *Screen) loadList() tea.Cmd {
	svc := s.c.Services
	exp := s.c.Exports
	s.listCancelled = false
	return start(s, "loading segments", func(ctx context.Context, _ func(common.Progress)) (listResult, error) {
		segs, err := svc.Segments(ctx)
		if err != nil {
			return listResult{}, err
		}
		r := listResult{segs: segs}
		if exp != nil {
			// Without a customers table there is no basis; the list still shows.
			r.basis, _ = exp.ValueBasis(ctx)
		}
		return r, ctx.Err()
	})
}

func (s *Screen) loadColumns() tea.Cmd {
	svc := s.c.Services
	return start(s, "reading customer columns", func(ctx context.Context, _ func(common.Progress)) (columnsLoaded, error) {
		return svc.SegmentColumns(ctx)
	})
}

// compared is the set of segments shown: the marked ones, or the one under the cursor.
func (s *Screen) compared() []services.Segment {
	var out []services.Segment
	for _, name := range s.marked {
		for _, sg := range s.segs {
			if sg.Name == name {
				out = append(out, sg)
			}
		}
	}
	if len(out) == 0 && s.cursor < len(s.segs) {
		out = append(out, s.segs[s.cursor])
	}
	return out
}

func (s *Screen) loadKPIs() tea.Cmd {
	segs := s.compared()
	if len(segs) == 0 {
		return nil
	}
	svc := s.c.Services
	s.kpiCancelled = false
	return start(s, "computing KPIs", func(ctx context.Context, _ func(common.Progress)) (kpisLoaded, error) {
		return svc.KPIs(ctx, segs)
	})
}

func (s *Screen) attrNames() []string {
	var out []string
	for _, c := range s.cols {
		if c.Name == "customer_id" || c.Name == "name" {
			continue
		}
		out = append(out, c.Name)
	}
	return out
}

func (s *Screen) loadCrosstab() tea.Cmd {
	attrs := s.attrNames()
	if len(attrs) < 2 {
		return nil
	}
	r, c := attrs[s.rowAttr%len(attrs)], attrs[s.colAttr%len(attrs)]
	filter := ""
	if segs := s.compared(); len(segs) > 0 {
		filter = segs[0].Filter
	}
	svc := s.c.Services
	s.ctCancelled = false
	return start(s, "crosstab "+r+" × "+c, func(ctx context.Context, _ func(common.Progress)) (crosstabLoaded, error) {
		ct, err := svc.Crosstab(ctx, r, c, filter)
		return crosstabLoaded{ct}, err
	})
}

func (s *Screen) refreshView() tea.Cmd {
	if s.view == viewCrosstab {
		return s.loadCrosstab()
	}
	return s.loadKPIs()
}

// SetSize lays out the panes.
func (s *Screen) SetSize(w, h int) {
	s.width, s.height = w, h
	lw := s.leftWidth()
	ph := h - s.exportPrompt.Height()
	// The KPI table is as tall as its rows, so the lines under it (the filter, the value
	// basis) show.
	s.kpiTable.SetSize(w-lw-2, max(min(ph-2, len(s.kpiTable.Rows)+1), 1))
	s.ctTable.SetSize(w-lw-2, ph-2)
}

func (s *Screen) leftWidth() int { return min(max(s.width/4, 24), 36) }

// Update handles messages.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.JobMsg:
		return s.done(msg)
	case common.RefreshMsg:
		if msg.Source != ID {
			return tea.Batch(s.loadList(), s.loadColumns())
		}
		return nil
	case tea.KeyMsg:
		if s.builder != nil {
			return s.builderKey(msg)
		}
		if s.exportPrompt.IsOpen() {
			return s.exportPrompt.Handle(msg, func() { s.SetSize(s.width, s.height) }, s.exportChart)
		}
		return s.key(msg)
	}
	if s.exportPrompt.Owns(msg) || s.exportPrompt.IsOpen() {
		_, _, cmd := s.exportPrompt.Update(msg)
		return cmd
	}
	if s.builder != nil {
		return s.builder.update(msg)
	}
	return nil
}

// cancelledFlash says a job was cancelled (a pane it loaded says so until r reloads it).
func cancelledFlash(what string) tea.Cmd { return common.Flash(what + " cancelled — r reloads") }

// builderFailed shows a failed builder job (values, count, save) in the open builder.
func (s *Screen) builderFailed(err error) tea.Cmd {
	if s.builder != nil {
		s.builder.err = err.Error()
	}
	return common.FlashError(err)
}

// done takes the result of one of the screen's jobs.
func (s *Screen) done(msg common.JobMsg) tea.Cmd {
	switch msg := msg.(type) {
	case common.Done[listResult]:
		switch {
		case msg.Cancelled:
			s.listCancelled = true
			return cancelledFlash("segments")
		case msg.Err != nil:
			s.listErr = msg.Err
			return common.FlashError(msg.Err)
		}
		return s.listLoaded(msg.Value)
	case common.Done[columnsLoaded]:
		switch {
		case msg.Cancelled:
			return cancelledFlash("columns")
		case msg.Err != nil:
			return common.FlashError(msg.Err)
		}
		s.cols = msg.Value
		s.rowAttr, s.colAttr = defaultAttrs(s.attrNames())
		if s.builder != nil {
			s.builder.cols = s.cols
		}
	case common.Done[kpisLoaded]:
		switch {
		case msg.Cancelled:
			s.kpiCancelled = true
			return cancelledFlash("kpis")
		case msg.Err != nil:
			s.kpiErr = msg.Err
			return common.FlashError(msg.Err)
		}
		s.kpis, s.kpiErr = msg.Value, nil
		h, rows := KPITable(s.kpis)
		s.kpiTable.SetRows(h, rows)
		s.kpiTable.RightAlign = make([]bool, len(h))
		for i := 1; i < len(h); i++ {
			s.kpiTable.RightAlign[i] = true
		}
		s.SetSize(s.width, s.height)
	case common.Done[crosstabLoaded]:
		switch {
		case msg.Cancelled:
			s.ctCancelled = true
			return cancelledFlash("crosstab")
		case msg.Err != nil:
			s.ctErr = msg.Err
			return common.FlashError(msg.Err)
		}
		s.ct, s.ctErr = msg.Value.CrossTable, nil
		h, rows := CrosstabTable(s.ct)
		s.ctTable.SetRows(h, rows)
		s.ctTable.RightAlign = make([]bool, len(h))
		for i := 1; i < len(h); i++ {
			s.ctTable.RightAlign[i] = true
		}
	case common.Done[valuesLoaded]:
		switch {
		case msg.Cancelled:
			return cancelledFlash("values")
		case msg.Err != nil:
			return s.builderFailed(msg.Err)
		}
		if s.builder != nil {
			s.builder.values = msg.Value
			s.builder.valCur = 0
		}
	case common.Done[filterCounted]:
		switch {
		case msg.Cancelled:
			return cancelledFlash("count")
		case msg.Err != nil:
			if b := s.builder; b != nil && b.typed {
				b.err = msg.Err.Error()
				b.step = stepSQL // fix the filter first
				return tea.Batch(b.focus(), common.FlashError(msg.Err))
			}
			return s.builderFailed(msg.Err)
		}
		if s.builder != nil {
			s.builder.count = int64(msg.Value)
			s.builder.counted = true
			s.builder.err = ""
		}
	case common.Done[segmentSaved]:
		switch {
		case msg.Cancelled:
			return cancelledFlash("save")
		case msg.Err != nil:
			return s.builderFailed(msg.Err)
		}
		name := string(msg.Value)
		s.builder = nil
		s.pendingSelect = name
		return tea.Batch(common.Flash("saved segment "+name), s.loadList())
	case common.Done[segmentDeleted]:
		switch {
		case msg.Cancelled:
			return cancelledFlash("delete")
		case msg.Err != nil:
			return common.FlashError(msg.Err)
		}
		return tea.Batch(common.Flash("deleted segment "+string(msg.Value)), s.loadList())
	case common.Done[chartWritten]:
		switch {
		case msg.Cancelled:
			return cancelledFlash("chart")
		case msg.Err != nil:
			return common.FlashError(fmt.Errorf("export: %w", msg.Err))
		}
		return common.Flash("chart written to " + string(msg.Value))
	}
	return nil
}

// listLoaded shows a new segment list, keeping the selection and the marks that still exist.
func (s *Screen) listLoaded(r listResult) tea.Cmd {
	prev := ""
	if s.cursor < len(s.segs) {
		prev = s.segs[s.cursor].Name
	}
	s.segs, s.basis, s.loaded, s.listErr = r.segs, r.basis, true, nil
	if s.pendingSelect != "" {
		prev, s.pendingSelect = s.pendingSelect, ""
	}
	s.cursor = 0
	for i, sg := range s.segs {
		if sg.Name == prev {
			s.cursor = i
		}
	}
	var keep []string
	for _, m := range s.marked {
		for _, sg := range s.segs {
			if sg.Name == m {
				keep = append(keep, m)
			}
		}
	}
	s.marked = keep
	return s.refreshView()
}

// chartReady reports whether the KPI chart of the segments on screen can be exported: the
// KPI view shows a loaded table of at least one segment and the services can write charts.
func (s *Screen) chartReady() bool {
	return s.view == viewKPIs && len(s.kpis) >= 2 && s.kpiErr == nil && !s.kpiCancelled && s.c.Exports != nil
}

func (s *Screen) openExport() tea.Cmd {
	if !s.chartReady() {
		return common.Flash("no chart to export: the KPI table of a segment must be on screen")
	}
	cmd := s.exportPrompt.Open("Export the segment KPI chart (.png/.svg/.pdf)", ChartFileName(s.kpis))
	s.SetSize(s.width, s.height)
	return cmd
}

// ChartFileName is the default file of the KPI chart of rows (base first):
// "segments-<a>-<b>-kpis.png" with characters other than letters, digits, '-', '_' and '.'
// replaced by '_'.
func ChartFileName(rows []services.KPIRow) string {
	name := "segments"
	for _, r := range rows[min(1, len(rows)):] {
		name += "-" + r.Segment
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, name) + "-kpis.png"
}

func (s *Screen) exportChart(path string) tea.Cmd {
	svc := s.c.Exports
	if svc == nil || len(s.kpis) < 2 {
		return nil
	}
	rows, basis := append([]services.KPIRow(nil), s.kpis...), s.basis
	return start(s, "exporting the segment KPI chart", func(ctx context.Context, _ func(common.Progress)) (chartWritten, error) {
		out, err := svc.ExportSegmentKPIs(ctx, path, rows, basis)
		return chartWritten(out), err
	})
}

func defaultAttrs(names []string) (int, int) {
	r, c := 0, min(1, max(len(names)-1, 0))
	for i, n := range names {
		switch n {
		case "sector":
			r = i
		case "size_class":
			c = i
		}
	}
	if r == c && len(names) > 1 {
		c = (r + 1) % len(names)
	}
	return r, c
}

func (s *Screen) key(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	confirm := s.confirmDelete
	s.confirmDelete = ""
	switch {
	case key.Matches(msg, k.Up):
		if s.cursor > 0 {
			s.cursor--
			if len(s.marked) == 0 {
				return s.refreshView()
			}
		}
	case key.Matches(msg, k.Down):
		if s.cursor < len(s.segs)-1 {
			s.cursor++
			if len(s.marked) == 0 {
				return s.refreshView()
			}
		}
	case key.Matches(msg, k.Mark):
		if s.cursor >= len(s.segs) {
			return nil
		}
		name := s.segs[s.cursor].Name
		for i, m := range s.marked {
			if m == name {
				s.marked = append(s.marked[:i], s.marked[i+1:]...)
				return s.refreshView()
			}
		}
		if len(s.marked) >= MaxCompare {
			return common.Flash(fmt.Sprintf("compare at most %d segments: unmark one first (space)", MaxCompare))
		}
		s.marked = append(s.marked, name)
		return s.refreshView()
	case key.Matches(msg, k.Crosstab):
		s.view = 1 - s.view
		return s.refreshView()
	case key.Matches(msg, k.RowAttr):
		if s.view == viewCrosstab && len(s.attrNames()) > 1 {
			s.rowAttr = (s.rowAttr + 1) % len(s.attrNames())
			if s.rowAttr == s.colAttr {
				s.rowAttr = (s.rowAttr + 1) % len(s.attrNames())
			}
			return s.loadCrosstab()
		}
	case key.Matches(msg, k.ColAttr):
		if s.view == viewCrosstab && len(s.attrNames()) > 1 {
			s.colAttr = (s.colAttr + 1) % len(s.attrNames())
			if s.rowAttr == s.colAttr {
				s.colAttr = (s.colAttr + 1) % len(s.attrNames())
			}
			return s.loadCrosstab()
		}
	case key.Matches(msg, k.ScrollLeft, k.ScrollRight):
		t := s.kpiTable
		if s.view == viewCrosstab {
			t = s.ctTable
		}
		t.HandleKey(msg, s.c.Nav)
	case key.Matches(msg, k.New):
		return s.openBuilder(false)
	case key.Matches(msg, k.Typed):
		return s.openBuilder(true)
	case key.Matches(msg, k.Delete):
		if s.cursor < len(s.segs) {
			sg := s.segs[s.cursor]
			if sg.Builtin {
				return common.Flash(sg.Name + " is a built-in value segment and cannot be deleted")
			}
			if confirm != sg.Name {
				s.confirmDelete = sg.Name
				return common.Flash("press d again to delete segment " + sg.Name)
			}
			svc := s.c.Services
			return start(s, "deleting "+sg.Name, func(ctx context.Context, _ func(common.Progress)) (segmentDeleted, error) {
				return segmentDeleted(sg.Name), svc.DeleteSegment(ctx, sg.Name)
			})
		}
	case key.Matches(msg, k.Refresh):
		return tea.Batch(s.loadList(), s.loadColumns())
	case key.Matches(msg, k.Export):
		return s.openExport()
	}
	return nil
}

// Actions are the palette commands.
func (s *Screen) Actions() []common.Action {
	return []common.Action{
		{Owner: ID, Title: "new segment with the guided builder", Key: "n", Do: func() tea.Cmd { return s.openBuilder(false) }},
		{Owner: ID, Title: "new segment from a SQL filter", Key: "t", Do: func() tea.Cmd { return s.openBuilder(true) }},
		{Owner: ID, Title: "toggle KPIs / crosstab", Key: "x", Do: func() tea.Cmd { s.view = 1 - s.view; return s.refreshView() }},
		{Owner: ID, Title: "export the segment KPI chart", Key: "e", Do: s.openExport},
	}
}

// KeyMap returns the keys that work now.
func (s *Screen) KeyMap() help.KeyMap {
	k := s.keys
	if s.builder != nil {
		return builderKeys{s.builder.keyHelp()}
	}
	if s.exportPrompt.IsOpen() {
		b := s.exportPrompt.KeyBindings()
		b[0].SetHelp("enter", "export")
		return builderKeys{b}
	}
	k.Next.SetEnabled(false)
	k.Back.SetEnabled(false)
	k.Complete.SetEnabled(false)
	k.Export.SetEnabled(s.chartReady())
	hasSeg := s.cursor < len(s.segs)
	k.Mark.SetEnabled(hasSeg)
	k.Delete.SetEnabled(hasSeg && !s.segs[s.cursor].Builtin)
	k.RowAttr.SetEnabled(s.view == viewCrosstab)
	k.ColAttr.SetEnabled(s.view == viewCrosstab)
	return keyMap{k}
}

type keyMap struct{ k KeyMap }

func (m keyMap) ShortHelp() []key.Binding {
	k := m.k
	return []key.Binding{k.Mark, k.New, k.Typed, k.Crosstab, k.RowAttr, k.ColAttr, k.Export, k.Delete}
}

func (m keyMap) FullHelp() [][]key.Binding {
	k := m.k
	return [][]key.Binding{{k.Up, k.Down, k.Mark, k.ScrollLeft}, {k.New, k.Typed, k.Delete, k.Crosstab, k.RowAttr, k.ColAttr, k.Export, k.Refresh}}
}

type builderKeys struct{ b []key.Binding }

func (m builderKeys) ShortHelp() []key.Binding  { return m.b }
func (m builderKeys) FullHelp() [][]key.Binding { return [][]key.Binding{m.b} }

// Arrow marks an index against the base: ▲ at 105 or more, ▼ at 95 or less, = between,
// so the direction never depends on colour.
func Arrow(idx float64) string {
	switch {
	case math.IsNaN(idx):
		return " "
	case idx >= 105:
		return "▲"
	case idx <= 95:
		return "▼"
	}
	return "="
}

// KPITable renders KPI rows (base first) as a table: the KPI, the base's value, then for
// each segment two columns, its value and its index against the base (with ▲/▼). KPIs
// without an index (customers, share of base) leave the index cell empty, so values always
// line up under values and indices under indices.
func KPITable(rows []services.KPIRow) ([]string, [][]string) {
	if len(rows) == 0 {
		return nil, nil
	}
	headers := []string{"KPI", rows[0].Segment}
	for _, r := range rows[1:] {
		headers = append(headers, r.Segment, "index")
	}
	type kpi struct {
		name string
		val  func(services.KPIRow) string
		idx  func(services.KPIRow) float64
	}
	kpis := []kpi{
		{"customers", func(r services.KPIRow) string { return components.Int(r.Customers) }, nil},
		{"share of base", func(r services.KPIRow) string { return components.Pct(r.Share, 1) }, nil},
		{"avg monthly revenue", func(r services.KPIRow) string { return components.Float(r.AvgRevenue, 2) }, func(r services.KPIRow) float64 { return r.Index.AvgRevenue }},
		{"products / customer", func(r services.KPIRow) string { return components.Float(r.ProductsPerCustomer, 2) }, func(r services.KPIRow) float64 { return r.Index.ProductsPerCustomer }},
		{"response rate", func(r services.KPIRow) string { return components.Pct(r.ResponseRate, 1) }, func(r services.KPIRow) float64 { return r.Index.ResponseRate }},
		{"contract ends ≤ 3 m", func(r services.KPIRow) string { return components.Pct(r.ContractEndShare, 1) }, func(r services.KPIRow) float64 { return r.Index.ContractEndShare }},
		{"opted out", func(r services.KPIRow) string { return components.Pct(r.OptOutShare, 1) }, func(r services.KPIRow) float64 { return r.Index.OptOutShare }},
	}
	var out [][]string
	for _, k := range kpis {
		line := []string{k.name, k.val(rows[0])}
		for _, r := range rows[1:] {
			idx := ""
			if k.idx != nil {
				idx = IndexText(k.idx(r))
			}
			line = append(line, k.val(r), idx)
		}
		out = append(out, line)
	}
	return headers, out
}

// IndexText writes an index with its direction mark: "771 ▲", "57 ▼", "100 =", "–" for
// none.
func IndexText(idx float64) string {
	if math.IsNaN(idx) || math.IsInf(idx, 0) {
		return "–"
	}
	return components.Float(idx, 0) + " " + Arrow(idx)
}

// CrosstabTable renders a crosstab: per cell the count and the row percentage, with row
// totals and a total row.
func CrosstabTable(ct *services.CrossTable) ([]string, [][]string) {
	if ct == nil {
		return nil, nil
	}
	headers := []string{ct.RowCol + " \\ " + ct.ColCol}
	headers = append(headers, ct.ColLabels...)
	headers = append(headers, "total")
	var out [][]string
	for i, l := range ct.RowLabels {
		line := []string{l}
		for j := range ct.ColLabels {
			line = append(line, fmt.Sprintf("%s %5.1f%%", components.Int(ct.Counts[i][j]), ct.RowPct[i][j]))
		}
		line = append(line, components.Int(ct.RowTotals[i]))
		out = append(out, line)
	}
	tot := []string{"total"}
	for j := range ct.ColLabels {
		pct := 0.0
		if ct.Total > 0 {
			pct = 100 * float64(ct.ColTotals[j]) / float64(ct.Total)
		}
		tot = append(tot, fmt.Sprintf("%s %5.1f%%", components.Int(ct.ColTotals[j]), pct))
	}
	tot = append(tot, components.Int(ct.Total))
	return headers, append(out, tot)
}

// View draws the segment list and the KPI or crosstab pane.
func (s *Screen) View() string {
	th := s.c.Theme
	lw := s.leftWidth()
	rw := s.width - lw
	left := components.Box(th, "Segments", s.listView(lw-2, s.height-2), "n new · t SQL", lw, s.height, s.builder == nil)
	h := s.height - s.exportPrompt.Height()
	var right string
	if s.builder != nil {
		right = s.builder.view(th, rw, s.height)
	} else if s.view == viewCrosstab {
		title := "Crosstab"
		if s.ct != nil {
			title = fmt.Sprintf("Crosstab %s × %s · count and row %%", s.ct.RowCol, s.ct.ColCol)
			if segs := s.compared(); len(segs) > 0 {
				title += " · within " + segs[0].Name
			}
		}
		var body string
		switch {
		case s.ctErr != nil:
			body = components.ErrorText(th, s.ctErr, rw-2)
		case s.ctCancelled:
			body = th.Warn.Render("crosstab cancelled — r reloads")
		case s.ct == nil:
			body = th.Muted.Render("computing crosstab…")
		default:
			body = s.ctTable.View()
		}
		footer := "a row attribute · b column attribute · x KPIs"
		if s.ct != nil && s.ctTable.HiddenRight() {
			footer = "→ l more · " + footer
		}
		right = components.Box(th, title, body, footer, rw, h, false)
	} else {
		title := "KPIs · index vs all customers (100 = average)"
		var body string
		switch {
		case s.kpiErr != nil:
			body = components.ErrorText(th, s.kpiErr, rw-2)
		case s.listCancelled && !s.loaded:
			body = th.Warn.Render("loading segments cancelled — r reloads")
		case !s.loaded && s.listErr == nil:
			body = th.Muted.Render("loading segments…")
		case s.kpiCancelled:
			body = th.Warn.Render("computing KPIs cancelled — r reloads")
		case s.kpis == nil:
			body = th.Muted.Render("computing KPIs…")
		default:
			body = s.kpiTable.View() + "\n"
			f := s.compared()
			if len(f) == 1 {
				body += "\n" + th.Muted.Render(components.Truncate("filter: "+oneLine(f[0].Filter), rw-4))
			}
			if b := s.basisLine(f); b != "" {
				body += "\n" + th.Muted.Render(components.Truncate(b, rw-4))
			}
		}
		footer := "▲ ≥105 · ▼ ≤95 · x crosstab"
		if s.chartReady() {
			footer = "▲ ≥105 · ▼ ≤95 · e export · x crosstab"
		}
		if s.kpis != nil && s.kpiTable.HiddenRight() {
			footer = "→ l more · " + footer
		}
		right = components.Box(th, title, body, footer, rw, h, false)
	}
	if s.exportPrompt.IsOpen() && s.builder == nil {
		s.exportPrompt.Footer = "enter export · tab complete · esc close"
		right += "\n" + s.exportPrompt.View(th, rw)
	}
	return components.JoinH(left, right)
}

// basisLine says what ranks the value segments when one of segs is a value segment:
// "value segments ranked by monthly revenue".
func (s *Screen) basisLine(segs []services.Segment) string {
	t := services.BasisText(s.basis)
	if t == "" {
		return ""
	}
	for _, sg := range segs {
		if sg.Builtin {
			return "value segments ranked by " + t
		}
	}
	return ""
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (s *Screen) listView(w, h int) string {
	th := s.c.Theme
	if s.listErr != nil {
		return components.ErrorText(th, s.listErr, w)
	}
	if !s.loaded {
		return th.Muted.Render("loading…")
	}
	var lines []string
	start := components.ScrollStart(s.cursor, h)
	for i := start; i < len(s.segs) && len(lines) < h; i++ {
		sg := s.segs[i]
		mark := "[ ]"
		for _, m := range s.marked {
			if m == sg.Name {
				mark = "[x]"
			}
		}
		kind := ""
		if sg.Builtin {
			kind = " value"
		}
		line := components.PadRight(mark+" "+sg.Name, w-len(kind)) + th.Muted.Render(kind)
		if i == s.cursor {
			line = th.Selected.Render(components.PadRight(">"+mark+" "+sg.Name, w-len(kind)) + kind)
		}
		lines = append(lines, line)
	}
	if len(s.segs) <= 3 && h-len(lines) > 3 {
		lines = append(lines, "", th.Muted.Render(components.Truncate("no saved segments yet:", w)), th.Muted.Render(components.Truncate("n builds one, t types SQL", w)))
	}
	return strings.Join(lines, "\n")
}
