package data

import (
	"context"
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/keys"
	"github.com/acrm-dev/acrm/tui/services"
)

// previewPane is the lower right pane: the rows of the selected table, optionally filtered.
// It pages through any table without loading it: a job reads a window of three screens
// around the rows shown, and scrolling within the window needs no query.
type previewPane struct {
	common.PaneBase
	c   *common.Common
	nav keys.Nav

	table services.TableInfo // the selected table
	has   bool

	tbl        *components.Table
	page       *services.Page // loaded rows
	pageTable  string
	pageFilter string
	offset     int // first row shown
	err        error
	cancelled  bool // the page load was cancelled with esc; r reloads

	// filter is the applied filter (FilterText); label is what the title shows for it.
	filter, label string
}

var _ common.Pane = (*previewPane)(nil)

// pageResult is the result of a page job.
type pageResult struct {
	table, filter string
	page          *services.Page
}

func newPreviewPane(c *common.Common, nav keys.Nav) *previewPane {
	p := &previewPane{c: c, nav: nav}
	p.tbl = components.NewTable(c.Theme)
	p.tbl.MaxColWidth = 28
	return p
}

// show selects a table (ok false: none), clearing the filter and the rows of the last one;
// the screen loads the first page after.
func (p *previewPane) show(t services.TableInfo, ok bool) {
	p.table, p.has = t, ok
	p.offset = 0
	p.tbl.Cursor, p.tbl.Offset, p.tbl.ColOffset = 0, 0, 0
	p.page, p.err, p.cancelled = nil, nil, false
	p.filter = ""
}

// setFilter applies a filter (FilterText form; "" clears it) from the first row.
func (p *previewPane) setFilter(f string) {
	p.filter = f
	p.offset = 0
	p.tbl.Cursor, p.tbl.Offset = 0, 0
	p.page = nil
}

func (p *previewPane) visibleRows() int { return max(p.tbl.PageSize(), 1) }

// load fetches a window of three screens around the first row shown, unless it is loaded
// already.
func (p *previewPane) load() tea.Cmd {
	if !p.has {
		return nil
	}
	vis := p.visibleRows()
	if pg := p.page; pg != nil && p.pageTable == p.table.Name && p.pageFilter == p.filter &&
		p.offset >= pg.Offset && (p.offset+vis <= pg.Offset+len(pg.Rows) || int64(pg.Offset+len(pg.Rows)) >= pg.Total) {
		return nil
	}
	from := max(p.offset-vis, 0)
	limit := 3 * vis
	svc := p.c.Services
	table, filter := p.table.Name, p.filter
	p.cancelled = false
	_, cmd := common.Start(p.c.Jobs, ID, "reading "+table, func(ctx context.Context, _ func(common.Progress)) (pageResult, error) {
		pg, err := svc.Preview(ctx, table, from, limit, filter)
		return pageResult{table, filter, pg}, err
	})
	return cmd
}

// SetSize sizes the rows table and refills it.
func (p *previewPane) SetSize(w, h int) {
	p.PaneBase.SetSize(w, h)
	p.tbl.SetSize(w-2, h-2)
	p.fill()
}

// Update takes pages and scrolls.
func (p *previewPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.Done[pageResult]:
		switch {
		case msg.Cancelled:
			p.cancelled = true
			return common.FlashReload("preview")
		case msg.Err != nil:
			p.err = msg.Err
			return common.FlashError(msg.Err)
		}
		r := msg.Value
		if !p.has || p.table.Name != r.table || r.filter != p.filter {
			return nil
		}
		p.page, p.pageTable, p.pageFilter, p.err = r.page, r.table, r.filter, nil
		p.fill()
	case tea.KeyMsg:
		return p.scroll(msg)
	}
	return nil
}

// scroll moves the window; rows come from the loaded window or a new page job, never from
// a blocking query.
func (p *previewPane) scroll(msg tea.KeyMsg) tea.Cmd {
	k := p.nav
	var total int
	if p.page != nil {
		total = int(p.page.Total)
	}
	vis := p.visibleRows()
	cur := p.offset + p.tbl.Cursor - p.tbl.Offset
	switch {
	case key.Matches(msg, k.Up):
		cur--
	case key.Matches(msg, k.Down):
		cur++
	case key.Matches(msg, k.PageUp):
		cur -= vis
		p.offset -= vis
	case key.Matches(msg, k.PageDown):
		cur += vis
		p.offset += vis
	case key.Matches(msg, k.Top):
		cur, p.offset = 0, 0
	case key.Matches(msg, k.Bottom):
		cur = total - 1
		p.offset = total - vis
	case key.Matches(msg, k.Left):
		p.tbl.ColOffset = max(p.tbl.ColOffset-1, 0)
		return nil
	case key.Matches(msg, k.Right):
		if p.tbl.HiddenRight() {
			p.tbl.ColOffset++
		}
		return nil
	default:
		return nil
	}
	cur = min(max(cur, 0), max(total-1, 0))
	if cur < p.offset {
		p.offset = cur
	}
	if cur >= p.offset+vis {
		p.offset = cur - vis + 1
	}
	p.offset = min(max(p.offset, 0), max(total-vis, 0))
	p.fill()
	p.tbl.Cursor = cur - p.offset
	p.tbl.Offset = 0
	return p.load()
}

// fill copies the visible window out of the loaded page.
func (p *previewPane) fill() {
	if p.page == nil {
		p.tbl.SetRows(nil, nil)
		return
	}
	vis := p.visibleRows()
	var rows [][]string
	for r := p.offset; r < p.offset+vis && int64(r) < p.page.Total; r++ {
		i := r - p.page.Offset
		if i >= 0 && i < len(p.page.Rows) {
			rows = append(rows, p.page.Rows[i])
		} else {
			rows = append(rows, []string{"…"})
		}
	}
	cur, off := p.tbl.Cursor, p.tbl.Offset
	p.tbl.SetRows(p.page.Columns, rows)
	p.tbl.Cursor, p.tbl.Offset = cur, off
	p.tbl.Move(0)
}

// View draws the rows in their box.
func (p *previewPane) View() string {
	th := p.c.Theme
	w := p.Width
	title, body, footer := "Preview", "", ""
	if p.has {
		if p.filter != "" {
			title += " · filter: " + p.label
		}
		t := p.table
		switch {
		case p.err != nil:
			body = components.ErrorText(th, p.err, w-2)
		case p.page == nil && p.cancelled:
			body = th.Warn.Render("reading " + t.Name + " cancelled — r reloads")
		case p.page == nil:
			body = th.Muted.Render("reading " + t.Name + "…")
		case p.page.Total == 0:
			body = th.Muted.Render("no rows match")
		default:
			p.tbl.Focused = p.Focused()
			body = p.tbl.View()
			first := int64(p.offset + 1)
			last := min(int64(p.offset+p.visibleRows()), p.page.Total)
			footer = fmt.Sprintf("rows %s–%s of %s · pgdn", components.Int(first), components.Int(last), components.Int(p.page.Total))
			if p.tbl.HiddenRight() {
				footer = "→ more columns · " + footer
			}
		}
	}
	return components.Box(th, title, body, footer, w, p.Height, p.Focused())
}
