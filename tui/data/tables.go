package data

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/keys"
	"github.com/acrm-dev/acrm/tui/services"
)

// tablesPane is the left pane: the workspace's tables with their row counts, datamart
// tables first.
type tablesPane struct {
	common.PaneBase
	c   *common.Common
	nav keys.Nav

	tables    []services.TableInfo
	err       error
	loaded    bool
	cancelled bool // the list load was cancelled with esc; r reloads
	cursor    int
	gen       int // lists taken so far, so the screen sees a reload of the same selection

	// importing is the running import's stage and progress, in the footer ("" when none).
	importing string
}

var _ common.Pane = (*tablesPane)(nil)

// tablesResult is the result of the list job.
type tablesResult struct{ tables []services.TableInfo }

// selection identifies what the pane selects: the screen reloads the other panes when it
// changes (another table, or a new list).
type selection struct{ gen, cursor int }

func (p *tablesPane) selection() selection { return selection{p.gen, p.cursor} }

func (p *tablesPane) load() tea.Cmd {
	svc := p.c.Services
	p.cancelled = false
	_, cmd := common.Start(p.c.Jobs, ID, "listing tables", func(ctx context.Context, _ func(common.Progress)) (tablesResult, error) {
		t, err := svc.Tables(ctx)
		return tablesResult{t}, err
	})
	return cmd
}

// Selected is the table under the cursor.
func (p *tablesPane) Selected() (services.TableInfo, bool) {
	if p.cursor < 0 || p.cursor >= len(p.tables) {
		return services.TableInfo{}, false
	}
	return p.tables[p.cursor], true
}

// Update takes the table list and moves the cursor.
func (p *tablesPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.Done[tablesResult]:
		switch {
		case msg.Cancelled:
			p.cancelled = true
			return common.FlashReload("tables")
		case msg.Err != nil:
			p.err = msg.Err
			return common.FlashError(msg.Err)
		}
		prev := ""
		if t, ok := p.Selected(); ok {
			prev = t.Name
		}
		p.tables, p.err, p.loaded = OrderTables(msg.Value.tables), nil, true
		p.cursor = 0
		for i, t := range p.tables {
			if t.Name == prev {
				p.cursor = i
			}
		}
		p.gen++
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, p.nav.Up):
			p.cursor--
		case key.Matches(msg, p.nav.Down):
			p.cursor++
		case key.Matches(msg, p.nav.Top):
			p.cursor = 0
		case key.Matches(msg, p.nav.Bottom):
			p.cursor = len(p.tables) - 1
		}
		p.cursor = min(max(p.cursor, 0), max(len(p.tables)-1, 0))
	}
	return nil
}

// View draws the list in its box.
func (p *tablesPane) View() string {
	footer := "i import · s sql"
	if p.importing != "" {
		footer = "importing · " + p.importing
	}
	return components.Box(p.c.Theme, "Tables", p.body(p.Width-2, p.Height-2), footer, p.Width, p.Height, p.Focused())
}

func (p *tablesPane) body(w, h int) string {
	th := p.c.Theme
	if p.err != nil {
		return components.ErrorText(th, p.err, w)
	}
	if !p.loaded && p.cancelled {
		return th.Warn.Render(components.Wrap("listing tables cancelled — r reloads", w))
	}
	if !p.loaded {
		return th.Muted.Render("loading…")
	}
	var lines []string
	start := components.ScrollStart(p.cursor, h)
	for i := start; i < len(p.tables) && len(lines) < h; i++ {
		t := p.tables[i]
		n := components.Int(t.Rows)
		if t.IsView {
			n = "view"
		}
		mark := "  "
		if i == p.cursor {
			mark = "> "
		}
		line := components.PadRight(mark+t.Name, w-components.Width(n)-1) + " " + n
		switch {
		case i == p.cursor && p.Focused():
			line = th.Selected.Render(line)
		case t.Acrm:
			line = th.Muted.Render(line)
		}
		lines = append(lines, line)
	}
	if !p.hasUserTables() && len(lines)+6 <= h {
		lines = append(lines, "", th.Muted.Render(components.Wrap("No data yet. i imports a CSV, Parquet or JSON file; acrm sample creates the sample datamart.", w)))
	}
	return strings.Join(lines, "\n")
}

func (p *tablesPane) hasUserTables() bool {
	for _, t := range p.tables {
		if !t.Acrm {
			return true
		}
	}
	return false
}
