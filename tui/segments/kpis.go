package segments

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
)

// kpiPane is the right pane's KPI view: the KPIs of the compared segments, each indexed
// against the whole base, with the filter and the value basis under the table.
type kpiPane struct {
	common.PaneBase
	c    *common.Common
	list *listPane // what is compared, and whether the list is in

	kpis      []services.KPIRow
	err       error
	cancelled bool // the load was cancelled with esc; r reloads
	tbl       *components.Table
}

var _ common.Pane = (*kpiPane)(nil)

// kpisLoaded is the result of a KPI job.
type kpisLoaded []services.KPIRow

func newKPIPane(c *common.Common, list *listPane) *kpiPane {
	p := &kpiPane{c: c, list: list, tbl: components.NewTable(c.Theme)}
	p.tbl.ShowCursor = false
	p.tbl.WidestCell = true
	return p
}

func (p *kpiPane) load() tea.Cmd {
	segs := p.list.compared()
	if len(segs) == 0 {
		return nil
	}
	svc := p.c.Services
	p.cancelled = false
	return start(p.c, "computing KPIs", func(ctx context.Context, _ func(common.Progress)) (kpisLoaded, error) {
		return svc.KPIs(ctx, segs)
	})
}

// ready reports whether the pane shows a loaded table of at least one segment whose chart
// the services can write.
func (p *kpiPane) ready() bool {
	return len(p.kpis) >= 2 && p.err == nil && !p.cancelled && p.c.Exports != nil
}

// SetSize makes the table as tall as its rows, so the lines under it (the filter, the value
// basis) show.
func (p *kpiPane) SetSize(w, h int) {
	p.PaneBase.SetSize(w, h)
	p.tbl.SetSize(w-2, max(min(h-2, len(p.tbl.Rows)+1), 1))
}

// Update takes KPIs and scrolls the columns.
func (p *kpiPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.Done[kpisLoaded]:
		switch {
		case msg.Cancelled:
			p.cancelled = true
			return common.FlashReload("kpis")
		case msg.Err != nil:
			p.err = msg.Err
			return common.FlashError(msg.Err)
		}
		p.kpis, p.err = msg.Value, nil
		h, rows := KPITable(p.kpis)
		p.tbl.SetRows(h, rows)
		p.tbl.RightAlign = make([]bool, len(h))
		for i := 1; i < len(h); i++ {
			p.tbl.RightAlign[i] = true
		}
		p.SetSize(p.Width, p.Height)
	case tea.KeyMsg:
		p.tbl.HandleKey(msg, p.c.Nav)
	}
	return nil
}

// View draws the KPI table in its box.
func (p *kpiPane) View() string {
	th := p.c.Theme
	w := p.Width
	l := p.list
	var body string
	switch {
	case p.err != nil:
		body = components.ErrorText(th, p.err, w-2)
	case l.cancelled && !l.loaded:
		body = th.Warn.Render("loading segments cancelled — r reloads")
	case !l.loaded && l.err == nil:
		body = th.Muted.Render("loading segments…")
	case p.cancelled:
		body = th.Warn.Render("computing KPIs cancelled — r reloads")
	case p.kpis == nil:
		body = th.Muted.Render("computing KPIs…")
	default:
		body = p.tbl.View() + "\n"
		f := l.compared()
		if len(f) == 1 {
			body += "\n" + th.Muted.Render(components.Truncate("filter: "+oneLine(f[0].Filter), w-4))
		}
		if b := basisLine(l.basis, f); b != "" {
			body += "\n" + th.Muted.Render(components.Truncate(b, w-4))
		}
	}
	footer := "▲ ≥105 · ▼ ≤95 · x crosstab"
	if p.ready() {
		footer = "▲ ≥105 · ▼ ≤95 · e export · x crosstab"
	}
	if p.kpis != nil && p.tbl.HiddenRight() {
		footer = "→ l more · " + footer
	}
	return components.Box(th, "KPIs · index vs all customers (100 = average)", body, footer, w, p.Height, false)
}

// basisLine says what ranks the value segments when one of segs is a value segment:
// "value segments ranked by monthly revenue".
func basisLine(basis string, segs []services.Segment) string {
	t := services.BasisText(basis)
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
