package segments

import (
	"context"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
)

// crosstabPane is the right pane's crosstab view: two customer attributes against each
// other within the first compared segment, counts and row %.
type crosstabPane struct {
	common.PaneBase
	c    *common.Common
	list *listPane // the segment the crosstab is within

	cols             []services.ColumnInfo // the customer columns
	rowAttr, colAttr int                   // indexes into attrNames
	ct               *services.CrossTable
	err              error
	cancelled        bool // the load was cancelled with esc; r reloads
	tbl              *components.Table
}

var _ common.Pane = (*crosstabPane)(nil)

// The results of the crosstab's jobs.
type (
	columnsLoaded  []services.ColumnInfo
	crosstabLoaded struct{ *services.CrossTable }
)

func newCrosstabPane(c *common.Common, list *listPane) *crosstabPane {
	p := &crosstabPane{c: c, list: list, tbl: components.NewTable(c.Theme)}
	p.tbl.ShowCursor = false
	p.tbl.WidestCell = true
	return p
}

func (p *crosstabPane) loadColumns() tea.Cmd {
	svc := p.c.Services
	return start(p.c, "reading customer columns", func(ctx context.Context, _ func(common.Progress)) (columnsLoaded, error) {
		return svc.SegmentColumns(ctx)
	})
}

// attrNames are the columns a crosstab can use (not the id or the name).
func (p *crosstabPane) attrNames() []string {
	var out []string
	for _, c := range p.cols {
		if c.Name == "customer_id" || c.Name == "name" {
			continue
		}
		out = append(out, c.Name)
	}
	return out
}

func (p *crosstabPane) load() tea.Cmd {
	attrs := p.attrNames()
	if len(attrs) < 2 {
		return nil
	}
	r, c := attrs[p.rowAttr%len(attrs)], attrs[p.colAttr%len(attrs)]
	filter := ""
	if segs := p.list.compared(); len(segs) > 0 {
		filter = segs[0].Filter
	}
	svc := p.c.Services
	p.cancelled = false
	return start(p.c, "crosstab "+r+" × "+c, func(ctx context.Context, _ func(common.Progress)) (crosstabLoaded, error) {
		ct, err := svc.Crosstab(ctx, r, c, filter)
		return crosstabLoaded{ct}, err
	})
}

// nextAttr moves the row (row true) or column attribute on, never onto the other one; it
// reports whether there was another to move to.
func (p *crosstabPane) nextAttr(row bool) bool {
	n := len(p.attrNames())
	if n <= 1 {
		return false
	}
	a, other := &p.colAttr, p.rowAttr
	if row {
		a, other = &p.rowAttr, p.colAttr
	}
	*a = (*a + 1) % n
	if *a == other {
		*a = (*a + 1) % n
	}
	return true
}

// SetSize sizes the table.
func (p *crosstabPane) SetSize(w, h int) {
	p.PaneBase.SetSize(w, h)
	p.tbl.SetSize(w-2, h-2)
}

// Update takes the columns and crosstabs and scrolls the columns.
func (p *crosstabPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.Done[columnsLoaded]:
		switch {
		case msg.Cancelled:
			return common.FlashReload("columns")
		case msg.Err != nil:
			return common.FlashError(msg.Err)
		}
		p.cols = msg.Value
		p.rowAttr, p.colAttr = defaultAttrs(p.attrNames())
	case common.Done[crosstabLoaded]:
		switch {
		case msg.Cancelled:
			p.cancelled = true
			return common.FlashReload("crosstab")
		case msg.Err != nil:
			p.err = msg.Err
			return common.FlashError(msg.Err)
		}
		p.ct, p.err = msg.Value.CrossTable, nil
		h, rows := CrosstabTable(p.ct)
		p.tbl.SetRows(h, rows)
		p.tbl.RightAlign = make([]bool, len(h))
		for i := 1; i < len(h); i++ {
			p.tbl.RightAlign[i] = true
		}
	case tea.KeyMsg:
		p.tbl.HandleKey(msg, p.c.Nav)
	}
	return nil
}

// View draws the crosstab in its box.
func (p *crosstabPane) View() string {
	th := p.c.Theme
	title := "Crosstab"
	if p.ct != nil {
		title = fmt.Sprintf("Crosstab %s × %s · count and row %%", p.ct.RowCol, p.ct.ColCol)
		if segs := p.list.compared(); len(segs) > 0 {
			title += " · within " + segs[0].Name
		}
	}
	var body string
	switch {
	case p.err != nil:
		body = components.ErrorText(th, p.err, p.Width-2)
	case p.cancelled:
		body = th.Warn.Render("crosstab cancelled — r reloads")
	case p.ct == nil:
		body = th.Muted.Render("computing crosstab…")
	default:
		body = p.tbl.View()
	}
	footer := "a row attribute · b column attribute · x KPIs"
	if p.ct != nil && p.tbl.HiddenRight() {
		footer = "→ l more · " + footer
	}
	return components.Box(th, title, body, footer, p.Width, p.Height, false)
}
