package segments

import (
	"context"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
)

// listPane is the left pane: the value segments and the saved ones, with the cursor and
// the segments marked to compare.
type listPane struct {
	common.PaneBase
	c *common.Common

	segs      []services.Segment
	loaded    bool
	err       error
	cancelled bool // the load was cancelled with esc; r reloads
	// basis is what ranks the value segments (services.BasisRevenue or
	// BasisExpectedValue; "" when unknown).
	basis  string
	cursor int
	marked []string // names, in marking order
	gen    int      // lists taken so far

	// pendingSelect is a segment to put the cursor on when the list reloads.
	pendingSelect string
}

var _ common.Pane = (*listPane)(nil)

// listResult is what the list job returns: the segments and the value basis.
type listResult struct {
	segs  []services.Segment
	basis string
}

func (p *listPane) load() tea.Cmd {
	svc, exp := p.c.Services, p.c.Exports
	p.cancelled = false
	return start(p.c, "loading segments", func(ctx context.Context, _ func(common.Progress)) (listResult, error) {
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

// selected is the segment under the cursor.
func (p *listPane) selected() (services.Segment, bool) {
	if p.cursor < len(p.segs) {
		return p.segs[p.cursor], true
	}
	return services.Segment{}, false
}

// compared is the set of segments shown: the marked ones, or the one under the cursor.
func (p *listPane) compared() []services.Segment {
	var out []services.Segment
	for _, name := range p.marked {
		for _, sg := range p.segs {
			if sg.Name == name {
				out = append(out, sg)
			}
		}
	}
	if len(out) == 0 && p.cursor < len(p.segs) {
		out = append(out, p.segs[p.cursor])
	}
	return out
}

// move moves the cursor by d; it reports whether the segments compared changed.
func (p *listPane) move(d int) bool {
	c := p.cursor + d
	if c < 0 || c >= len(p.segs) {
		return false
	}
	p.cursor = c
	return len(p.marked) == 0
}

// toggleMark marks or unmarks the segment under the cursor; it reports whether the marks
// changed, with a flash when they could not.
func (p *listPane) toggleMark() (bool, tea.Cmd) {
	sg, ok := p.selected()
	if !ok {
		return false, nil
	}
	for i, m := range p.marked {
		if m == sg.Name {
			p.marked = append(p.marked[:i], p.marked[i+1:]...)
			return true, nil
		}
	}
	if len(p.marked) >= MaxCompare {
		return false, common.Refuse(fmt.Sprintf("compare at most %d segments: unmark one first (space)", MaxCompare))
	}
	p.marked = append(p.marked, sg.Name)
	return true, nil
}

// Update takes a new list, keeping the selection and the marks that still exist.
func (p *listPane) Update(msg tea.Msg) tea.Cmd {
	done, ok := msg.(common.Done[listResult])
	if !ok {
		return nil
	}
	switch {
	case done.Cancelled:
		p.cancelled = true
		return common.FlashReload("segments")
	case done.Err != nil:
		p.err = done.Err
		return common.FlashError(done.Err)
	}
	r := done.Value
	prev := ""
	if sg, ok := p.selected(); ok {
		prev = sg.Name
	}
	p.segs, p.basis, p.loaded, p.err = r.segs, r.basis, true, nil
	if p.pendingSelect != "" {
		prev, p.pendingSelect = p.pendingSelect, ""
	}
	p.cursor = 0
	for i, sg := range p.segs {
		if sg.Name == prev {
			p.cursor = i
		}
	}
	var keep []string
	for _, m := range p.marked {
		for _, sg := range p.segs {
			if sg.Name == m {
				keep = append(keep, m)
			}
		}
	}
	p.marked = keep
	p.gen++
	return nil
}

// View draws the list in its box.
func (p *listPane) View() string {
	return components.Box(p.c.Theme, "Segments", p.body(p.Width-2, p.Height-2), "n new · t SQL", p.Width, p.Height, p.Focused())
}

func (p *listPane) body(w, h int) string {
	th := p.c.Theme
	if p.err != nil {
		return components.ErrorText(th, p.err, w)
	}
	if !p.loaded {
		return th.Muted.Render("loading…")
	}
	var lines []string
	start := components.ScrollStart(p.cursor, h)
	for i := start; i < len(p.segs) && len(lines) < h; i++ {
		sg := p.segs[i]
		mark := "[ ]"
		for _, m := range p.marked {
			if m == sg.Name {
				mark = "[x]"
			}
		}
		kind := ""
		if sg.Builtin {
			kind = " value"
		}
		line := components.PadRight(mark+" "+sg.Name, w-len(kind)) + th.Muted.Render(kind)
		if i == p.cursor {
			line = th.Selected.Render(components.PadRight(">"+mark+" "+sg.Name, w-len(kind)) + kind)
		}
		lines = append(lines, line)
	}
	if len(p.segs) <= 3 && h-len(lines) > 3 {
		lines = append(lines, "", th.Muted.Render(components.Truncate("no saved segments yet:", w)), th.Muted.Render(components.Truncate("n builds one, t types SQL", w)))
	}
	return strings.Join(lines, "\n")
}
