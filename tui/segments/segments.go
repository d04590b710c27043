// Package segments is the Segments screen: the built-in value segments and the saved
// segments, a KPI table per segment with an index against the whole base (100 = average,
// ▲/▼), side-by-side comparison of up to four segments, a crosstab of two attributes with
// counts and row %, a guided builder (column → operator → value picked from the column's
// values) and typed SQL filters. All work runs as jobs through services.
//
// The screen is this file plus its panes: list.go (the segments), kpis.go and crosstab.go
// (the two views of the right pane), builder.go (the new-segment form in the right pane's
// place) and the export prompt (common.Export); render.go holds the pure model→strings code
// and keys.go the keys.
package segments

import (
	"context"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
)

// ID is the screen's owner id.
const ID = "segments"

// MaxCompare is how many segments can be compared side by side.
const MaxCompare = 4

const (
	viewKPIs = iota
	viewCrosstab
)

// Screen is the Segments screen.
type Screen struct {
	c    *common.Common
	keys KeyMap

	width, height int
	view          int // viewKPIs or viewCrosstab

	list     *listPane
	kpi      *kpiPane
	crosstab *crosstabPane
	builder  *builder // the new-segment form, nil when closed
	export   *common.Export

	// confirmDelete is the segment d was pressed on once; a second d deletes it.
	confirmDelete string
}

// segmentDeleted is the result of a delete job: the segment's name.
type segmentDeleted string

// New builds the Segments screen.
func New(c *common.Common) *Screen {
	s := &Screen{c: c, keys: DefaultKeyMap()}
	s.list = &listPane{c: c}
	s.kpi = newKPIPane(c, s.list)
	s.crosstab = newCrosstabPane(c, s.list)
	s.export = common.NewExport(c, ID, components.PathPromptKeys{Apply: s.keys.Next, Cancel: s.keys.Back, Complete: s.keys.Complete}, s.relayout)
	s.export.Cancelled = "chart cancelled — r reloads"
	s.export.ErrPrefix = "export: "
	return s
}

func (s *Screen) ID() string         { return ID }
func (s *Screen) Title() string      { return "Segments" }
func (s *Screen) InputFocused() bool { return s.builder != nil || s.export.IsOpen() }

// Init loads the segment list and the customer columns.
func (s *Screen) Init() tea.Cmd { return tea.Batch(s.list.load(), s.crosstab.loadColumns()) }

// start runs fn as a job of the screen.
func start[T any](c *common.Common, label string, fn common.JobFunc[T]) tea.Cmd {
	_, cmd := common.Start(c.Jobs, ID, label, fn)
	return cmd
}

// refreshView loads the view on screen for the segments compared.
func (s *Screen) refreshView() tea.Cmd {
	if s.view == viewCrosstab {
		return s.crosstab.load()
	}
	return s.kpi.load()
}

// SetSize lays out the panes.
func (s *Screen) SetSize(w, h int) {
	s.width, s.height = w, h
	lw := s.leftWidth()
	ph := h - s.export.Height()
	s.list.SetSize(lw, h)
	s.kpi.SetSize(w-lw, ph)
	s.crosstab.SetSize(w-lw, ph)
}

func (s *Screen) relayout() { s.SetSize(s.width, s.height) }

func (s *Screen) leftWidth() int { return min(max(s.width/4, 24), 36) }

// Update handles messages.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.JobMsg:
		return s.done(msg)
	case common.RefreshMsg:
		if msg.Source != ID {
			return tea.Batch(s.list.load(), s.crosstab.loadColumns())
		}
		return nil
	case tea.KeyMsg:
		if s.builder != nil {
			return s.builderKey(msg)
		}
		if s.export.IsOpen() {
			return s.export.Update(msg)
		}
		return s.key(msg)
	}
	if s.export.Prompt.Owns(msg) || s.export.IsOpen() {
		return s.export.Update(msg)
	}
	if s.builder != nil {
		return s.builder.update(msg)
	}
	return nil
}

// done hands a job message to the panes: each takes its own results. A new list reloads
// the view; new columns reach an open builder.
func (s *Screen) done(msg common.JobMsg) tea.Cmd {
	gen := s.list.gen
	cmds := []tea.Cmd{s.list.Update(msg), s.kpi.Update(msg), s.crosstab.Update(msg), s.export.Update(msg), s.builderDone(msg)}
	if s.list.gen != gen {
		cmds = append(cmds, s.refreshView())
	}
	switch msg := msg.(type) {
	case common.Done[columnsLoaded]:
		if s.builder != nil && msg.Err == nil && !msg.Cancelled {
			s.builder.cols = s.crosstab.cols
		}
	case common.Done[segmentDeleted]:
		switch {
		case msg.Cancelled:
			cmds = append(cmds, common.FlashReload("delete"))
		case msg.Err != nil:
			cmds = append(cmds, common.FlashError(msg.Err))
		default:
			cmds = append(cmds, common.Flash("deleted segment "+string(msg.Value)), s.list.load(), common.Refresh(ID))
		}
	}
	return tea.Batch(cmds...)
}

// chartReady reports whether the KPI chart of the segments on screen can be exported: the
// KPI view shows a loaded table of at least one segment and the services can write charts.
func (s *Screen) chartReady() bool { return s.view == viewKPIs && s.kpi.ready() }

func (s *Screen) openExport() tea.Cmd {
	if !s.chartReady() {
		return common.Refuse("no chart to export: the KPI table of a segment must be on screen")
	}
	svc := s.c.Exports
	rows, basis := append([]services.KPIRow(nil), s.kpi.kpis...), s.list.basis
	return s.export.Open("Export the segment KPI chart (.png/.svg/.pdf)", ChartFileName(rows), "exporting the segment KPI chart",
		func(ctx context.Context, path string) (string, error) {
			return svc.ExportSegmentKPIs(ctx, path, rows, basis)
		})
}

func (s *Screen) toggleView() tea.Cmd {
	s.view = 1 - s.view
	return s.refreshView()
}

func (s *Screen) key(msg tea.KeyMsg) tea.Cmd {
	k := s.keys
	confirm := s.confirmDelete
	s.confirmDelete = ""
	switch {
	case key.Matches(msg, k.Up):
		if s.list.move(-1) {
			return s.refreshView()
		}
	case key.Matches(msg, k.Down):
		if s.list.move(1) {
			return s.refreshView()
		}
	case key.Matches(msg, k.Mark):
		changed, cmd := s.list.toggleMark()
		if changed {
			return s.refreshView()
		}
		return cmd
	case key.Matches(msg, k.Crosstab):
		return s.toggleView()
	case key.Matches(msg, k.RowAttr), key.Matches(msg, k.ColAttr):
		if s.view == viewCrosstab && s.crosstab.nextAttr(key.Matches(msg, k.RowAttr)) {
			return s.crosstab.load()
		}
	case key.Matches(msg, k.ScrollLeft, k.ScrollRight):
		if s.view == viewCrosstab {
			return s.crosstab.Update(msg)
		}
		return s.kpi.Update(msg)
	case key.Matches(msg, k.New):
		return s.openBuilder(false)
	case key.Matches(msg, k.Typed):
		return s.openBuilder(true)
	case key.Matches(msg, k.Delete):
		return s.delete(confirm)
	case key.Matches(msg, k.Refresh):
		return tea.Batch(s.list.load(), s.crosstab.loadColumns())
	case key.Matches(msg, k.Export):
		return s.openExport()
	}
	return nil
}

// delete asks once, and deletes the saved segment under the cursor when d is pressed on it
// again (confirm is the segment the last d was pressed on).
func (s *Screen) delete(confirm string) tea.Cmd {
	sg, ok := s.list.selected()
	switch {
	case !ok:
		return nil
	case sg.Builtin:
		return common.Refuse(sg.Name + " is a built-in value segment and cannot be deleted")
	case confirm != sg.Name:
		s.confirmDelete = sg.Name
		return common.Flash("press d again to delete segment " + sg.Name)
	}
	svc := s.c.Services
	return start(s.c, "deleting "+sg.Name, func(ctx context.Context, _ func(common.Progress)) (segmentDeleted, error) {
		return segmentDeleted(sg.Name), svc.DeleteSegment(ctx, sg.Name)
	})
}

// Actions are the palette commands.
func (s *Screen) Actions() []common.Action {
	return []common.Action{
		{Owner: ID, Title: "new segment with the guided builder", Key: "n", Do: func() tea.Cmd { return s.openBuilder(false) }},
		{Owner: ID, Title: "new segment from a SQL filter", Key: "t", Do: func() tea.Cmd { return s.openBuilder(true) }},
		{Owner: ID, Title: "toggle KPIs / crosstab", Key: "x", Do: s.toggleView},
		{Owner: ID, Title: "export the segment KPI chart", Key: "e", Do: s.openExport},
	}
}

// View draws the segment list and the KPI or crosstab pane (or the builder).
func (s *Screen) View() string {
	th := s.c.Theme
	rw := s.width - s.leftWidth()
	if s.builder == nil {
		s.list.Focus()
	} else {
		s.list.Blur()
	}
	var right string
	switch {
	case s.builder != nil:
		right = s.builder.view(th, rw, s.height)
	case s.view == viewCrosstab:
		right = s.crosstab.View()
	default:
		right = s.kpi.View()
	}
	if s.export.IsOpen() && s.builder == nil {
		right += "\n" + s.export.View(th, rw)
	}
	return components.JoinH(s.list.View(), right)
}
