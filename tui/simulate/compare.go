package simulate

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
)

// comparePanel is the scenario comparison (c): the saved scenarios, two of them marked A and
// B side by side with B − A.
type comparePanel struct {
	common.PaneBase
	c    *common.Common
	svc  services.SimulateService
	keys KeyMap

	open      bool
	scenarios []sim.Scenario
	cursor    int
	marked    []string
	err       error
}

var _ common.Pane = (*comparePanel)(nil)

// scenariosLoaded is the result of the scenario list job.
type scenariosLoaded []sim.Scenario

func (p *comparePanel) load() tea.Cmd {
	svc := p.svc
	return start(p.c, "listing scenarios", func(ctx context.Context, _ func(common.Progress)) (scenariosLoaded, error) {
		return svc.Scenarios(ctx)
	})
}

// Update takes the scenario list and, while open, the keys.
func (p *comparePanel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.Done[scenariosLoaded]:
		if msg.Err != nil && !msg.Cancelled {
			p.err = msg.Err
		}
		if cmd, ok := failed(msg, "scenarios"); !ok {
			return cmd
		}
		p.scenarios, p.err = msg.Value, nil
		var keep []string
		for _, m := range p.marked {
			for _, sc := range p.scenarios {
				if sc.Name == m {
					keep = append(keep, m)
				}
			}
		}
		p.marked = keep
		p.cursor = min(p.cursor, max(len(p.scenarios)-1, 0))
	case tea.KeyMsg:
		return p.key(msg)
	}
	return nil
}

func (p *comparePanel) key(msg tea.KeyMsg) tea.Cmd {
	k := p.keys
	switch {
	case key.Matches(msg, k.Close), key.Matches(msg, k.Compare):
		p.open = false
	case key.Matches(msg, k.Up):
		p.cursor = max(p.cursor-1, 0)
	case key.Matches(msg, k.Down):
		p.cursor = min(p.cursor+1, max(len(p.scenarios)-1, 0))
	case key.Matches(msg, k.Mark), key.Matches(msg, k.Confirm):
		if p.cursor >= len(p.scenarios) {
			return nil
		}
		name := p.scenarios[p.cursor].Name
		for i, m := range p.marked {
			if m == name {
				p.marked = append(p.marked[:i], p.marked[i+1:]...)
				return nil
			}
		}
		if len(p.marked) == 2 {
			p.marked = p.marked[1:]
		}
		p.marked = append(p.marked, name)
	}
	return nil
}

// View draws the list beside the comparison.
func (p *comparePanel) View() string {
	th := p.c.Theme
	w, h := p.Width, p.Height
	lw := min(max(w/3, 28), 44)
	var list []string
	switch {
	case p.err != nil:
		list = append(list, th.Error.Render("✗ "+p.err.Error()))
	case p.scenarios == nil:
		list = append(list, th.Muted.Render("loading…"))
	case len(p.scenarios) == 0:
		list = append(list, th.Muted.Render("no saved scenarios: s saves the one on screen"))
	}
	start := components.ScrollStart(p.cursor, h-2)
	for i := start; i < len(p.scenarios) && len(list) < h-2; i++ {
		sc := p.scenarios[i]
		mark := "[ ]"
		for j, m := range p.marked {
			if m == sc.Name {
				mark = fmt.Sprintf("[%c]", 'A'+j)
			}
		}
		line := components.PadRight(fmt.Sprintf("%s %s · %s", mark, sc.Name, sc.Kind), lw-2)
		if i == p.cursor {
			line = th.Selected.Render(line)
		}
		list = append(list, line)
	}
	left := components.Box(th, "Saved scenarios", strings.Join(list, "\n"), "space mark A/B · esc back", lw, h, true)
	var body []string
	title := "Side by side"
	if len(p.marked) < 2 {
		body = append(body, th.Muted.Render("mark two scenarios with space to put them side by side"))
	} else {
		a, b := p.find(p.marked[0]), p.find(p.marked[1])
		title = "A " + a.Name + " ↔ B " + b.Name
		rows, err := sim.CompareScenarios(a, b)
		if err != nil {
			body = append(body, th.Error.Render("✗ "+err.Error()))
		} else {
			body = append(body, CompareLines(th, rows, w-lw-2)...)
		}
	}
	right := components.Box(th, title, strings.Join(body, "\n"), "", w-lw, h, false)
	return components.JoinH(left, right)
}

func (p *comparePanel) find(name string) sim.Scenario {
	for _, sc := range p.scenarios {
		if sc.Name == name {
			return sc
		}
	}
	return sim.Scenario{Name: name}
}
