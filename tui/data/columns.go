package data

import (
	"context"
	"fmt"
	"strings"

	"github.com/NimbleMarkets/ntcharts/sparkline"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/keys"
	"github.com/acrm-dev/acrm/tui/services"
)

// columnsPane is the upper right pane: the profile of the selected table, one row per
// column, with the selected column's histogram in a strip under it when there is room.
// Profiles are kept per table, so going back to a table shows it at once.
type columnsPane struct {
	common.PaneBase
	c   *common.Common
	nav keys.Nav

	table      services.TableInfo // the selected table
	has        bool               // a table is selected
	listLoaded bool               // the table list is in (else "loading tables…")

	profiles  map[string][]services.ColumnProfile
	errs      map[string]error
	cancelled map[string]bool // a profile cancelled with esc says so until r reloads it
	profiling string          // table of the latest profile job
	tbl       *components.Table
}

var _ common.Pane = (*columnsPane)(nil)

// profileResult is the result of a profile job.
type profileResult struct {
	table   string
	columns []services.ColumnProfile
}

func newColumnsPane(c *common.Common, nav keys.Nav) *columnsPane {
	p := &columnsPane{c: c, nav: nav, profiles: map[string][]services.ColumnProfile{},
		errs: map[string]error{}, cancelled: map[string]bool{}}
	p.tbl = components.NewTable(c.Theme)
	p.tbl.MaxColWidth = 24
	p.tbl.WidestCell = true
	return p
}

// show selects a table (ok false: none) and returns the command that profiles it when its
// profile is not known yet.
func (p *columnsPane) show(t services.TableInfo, ok, listLoaded bool) tea.Cmd {
	p.table, p.has, p.listLoaded = t, ok, listLoaded
	p.tbl.Cursor, p.tbl.Offset = 0, 0
	p.fill()
	if _, known := p.profiles[t.Name]; ok && !known {
		return p.load(t.Name)
	}
	return nil
}

func (p *columnsPane) load(table string) tea.Cmd {
	svc := p.c.Services
	delete(p.errs, table)
	delete(p.cancelled, table)
	p.profiling = table
	_, cmd := common.Start(p.c.Jobs, ID, "profiling "+table, func(ctx context.Context, report func(common.Progress)) (profileResult, error) {
		cols, err := svc.Profile(ctx, table, report)
		return profileResult{table, cols}, err
	})
	return cmd
}

// forget drops the known profiles (r with nothing cancelled reloads them all).
func (p *columnsPane) forget() {
	for name := range p.profiles {
		delete(p.profiles, name)
	}
}

// SetSize sizes the profile table, leaving room for the detail strip.
func (p *columnsPane) SetSize(w, h int) {
	p.PaneBase.SetSize(w, h)
	p.tbl.SetSize(w-2, h-2-detailHeight(h))
}

// detailHeight is the height of the selected column's histogram strip (ntcharts) under the
// profile table, when there is room.
func detailHeight(paneH int) int {
	if paneH >= 18 {
		return 6
	}
	return 0
}

// Update takes profiles and moves the cursor.
func (p *columnsPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.Done[profileResult]:
		switch {
		case msg.Cancelled:
			if p.profiling != "" {
				p.cancelled[p.profiling] = true
			}
			return common.FlashReload("profile")
		case msg.Err != nil:
			if p.has {
				p.errs[p.table.Name] = msg.Err
			}
			return common.FlashError(msg.Err)
		}
		p.profiles[msg.Value.table] = msg.Value.columns
		p.fill()
	case tea.KeyMsg:
		p.tbl.HandleKey(msg, p.nav)
	}
	return nil
}

func (p *columnsPane) fill() {
	if !p.has {
		p.tbl.SetRows(nil, nil)
		return
	}
	p.tbl.SetRows(ProfileHeaders(), ProfileRows(p.profiles[p.table.Name]))
	p.tbl.RightAlign = []bool{false, false, true, true, false, true, true, true}
}

// column is the profile of the selected column (ok false before the profile is in).
func (p *columnsPane) column() (services.ColumnProfile, bool) {
	cols, done := p.profiles[p.table.Name]
	if !p.has || !done || p.tbl.Cursor < 0 || p.tbl.Cursor >= len(cols) {
		return services.ColumnProfile{}, false
	}
	return cols[p.tbl.Cursor], true
}

// chartColumn is the selected column of the selected table when it has a chart to export.
func (p *columnsPane) chartColumn() (string, services.ColumnProfile, bool) {
	if !p.has || p.c.Exports == nil {
		return "", services.ColumnProfile{}, false
	}
	col, ok := p.column()
	if !ok {
		return "", services.ColumnProfile{}, false
	}
	return p.table.Name, col, services.ChartableColumn(col)
}

// View draws the profile in its box.
func (p *columnsPane) View() string {
	th := p.c.Theme
	w := p.Width
	title, body := "Columns", ""
	t := p.table
	switch {
	case !p.has && !p.listLoaded:
		body = th.Muted.Render("loading tables…")
	case !p.has:
		body = th.Muted.Render("The workspace has no tables yet.\n\nPress i to import a file, or run\n  acrm sample --db " + p.c.Services.Path())
	default:
		title = fmt.Sprintf("%s · %s · %s", t.Name, components.Count(t.Rows, "row"), components.Count(int64(t.Columns), "column"))
		if err := p.errs[t.Name]; err != nil {
			body = components.ErrorText(th, err, w-2)
		} else if _, done := p.profiles[t.Name]; !done && p.cancelled[t.Name] {
			body = th.Warn.Render("profiling " + t.Name + " cancelled — r reloads")
		} else if !done {
			body = th.Muted.Render("profiling " + t.Name + "…")
		} else {
			p.tbl.Focused = p.Focused()
			body = p.tbl.View()
			if dh := detailHeight(p.Height); dh > 0 {
				body += "\n" + p.detailView(w-2, dh, false)
			}
		}
	}
	footer := ""
	if _, _, chart := p.chartColumn(); chart {
		footer = "e export chart"
	}
	return components.Box(th, title, body, footer, w, p.Height, p.Focused())
}

// distribution is the selected column's distribution as a pane of its own (w×h, border
// included), which a short terminal shows in the Preview pane's place; ok is false when
// the pane has a detail strip of its own or no profiled column is selected.
func (p *columnsPane) distribution(w, h int) (string, bool) {
	col, ok := p.column()
	if !ok || !p.Focused() || detailHeight(p.Height) > 0 {
		return "", false
	}
	return components.Box(p.c.Theme, "Distribution of "+col.Name, p.detailView(w-2, h-2, true), "enter: the rows preview", w, h, false), true
}

// detailView draws the selected column's histogram with ntcharts and its quantiles: as a
// strip under the profile table (a rule above it, one line of figures), or as a pane of its
// own (inPane: the figures wrap).
func (p *columnsPane) detailView(w, h int, inPane bool) string {
	th := p.c.Theme
	col, ok := p.column()
	if !ok {
		return ""
	}
	head := th.Subtle.Render(strings.Repeat("─", w))
	if len(col.Histogram) == 0 {
		return topValuesView(th, col, w, h, inPane, head)
	}
	info := col.Name + "  "
	if col.Mean != nil {
		info += fmt.Sprintf("min %s · mean %s · max %s · ", shortNum(col.Min, true), components.Float(*col.Mean, 2), shortNum(col.Max, true))
	}
	if q := col.Quantiles; q != nil {
		info += fmt.Sprintf("p5 %s · p25 %s · median %s · p75 %s · p95 %s", components.Float(q[0], 2), components.Float(q[1], 2),
			components.Float(q[2], 2), components.Float(q[3], 2), components.Float(q[4], 2))
	}
	info += fmt.Sprintf("\n%d bins over %s … %s", len(col.Histogram), components.Float(col.HistMin, 2), components.Float(col.HistMax, 2))
	l1, l2, _ := strings.Cut(info, "\n")
	top := head + "\n" + components.Truncate(l1, w) + "\n" + th.Muted.Render(components.Truncate(l2, w))
	if inPane {
		top = components.Wrap(strings.TrimPrefix(l1, col.Name+"  "), w) + "\n" + th.Muted.Render(components.Truncate(l2, w))
	}
	chartH := h - strings.Count(top, "\n") - 1
	if chartH < 1 {
		return top
	}
	per := max(min(w, len(col.Histogram)*4)/len(col.Histogram), 1)
	chartW := per * len(col.Histogram)
	sl := sparkline.New(chartW, chartH, sparkline.WithStyle(th.Bar))
	data := make([]float64, 0, chartW)
	for _, c := range col.Histogram {
		for i := 0; i < per; i++ {
			data = append(data, float64(c))
		}
	}
	sl.PushAll(data)
	sl.DrawColumnsOnly()
	return top + "\n" + sl.View()
}
