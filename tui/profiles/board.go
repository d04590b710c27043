package profiles

import (
	"fmt"
	"sort"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
)

// boardPane is the leaderboard: per product the latest model of each algorithm, best
// first, with the cursor and the model pinned for comparison (c). The gains chart, the lift
// chart and the rule profile (or comparison) beside it show the model under the cursor.
type boardPane struct {
	common.PaneBase
	c *common.Common

	board  *services.ProfileBoard
	loaded bool
	err    error
	rows   []row
	cursor int
	offset int
	// pinned is the model compared with the one under the cursor (c).
	pinned *services.ProfileModel
	// wide: the gains and lift charts fit next to the leaderboard together.
	wide bool
}

var _ common.Pane = (*boardPane)(nil)

// row is one leaderboard line: a model of a product, or a product without models.
type row struct {
	Product services.ProfileProduct
	Model   *services.ProfileModel
}

// Update takes the registry.
func (p *boardPane) Update(msg tea.Msg) tea.Cmd {
	done, ok := msg.(common.Done[*services.ProfileBoard])
	if !ok {
		return nil
	}
	switch {
	case done.Cancelled:
		return common.Refuse("board cancelled")
	case done.Err != nil:
		p.err = done.Err
		return common.FlashError(done.Err)
	}
	p.setBoard(done.Value)
	return nil
}

// View draws the leaderboard in its box.
func (p *boardPane) View() string {
	return components.Box(p.c.Theme, p.boardTitle(), p.boardView(p.Width-2, p.Height-2), p.boardFooter(), p.Width, p.Height, true)
}

// Selected is the model under the cursor (nil on a product without models).
func (p *boardPane) Selected() *services.ProfileModel {
	if p.cursor < 0 || p.cursor >= len(p.rows) {
		return nil
	}
	return p.rows[p.cursor].Model
}

func (p *boardPane) selectedProduct() (services.ProfileProduct, bool) {
	if p.cursor < 0 || p.cursor >= len(p.rows) {
		return services.ProfileProduct{}, false
	}
	return p.rows[p.cursor].Product, true
}

// Rows builds the leaderboard from the registry: per product (in product order) the latest
// version of each algorithm, highest holdout AUC first; a product without models gets one
// line so it can be trained; table models (no product) come last.
func Rows(b *services.ProfileBoard) []row {
	if b == nil {
		return nil
	}
	type key struct {
		name, algo string
	}
	latest := map[key]int{}
	for i, m := range b.Models {
		k := key{m.Name, m.Algo}
		if j, ok := latest[k]; !ok || b.Models[j].Version < m.Version {
			latest[k] = i
		}
	}
	byProduct := map[int][]*services.ProfileModel{}
	var tables []*services.ProfileModel
	for _, i := range latest {
		m := &b.Models[i]
		if m.ProductID > 0 {
			byProduct[m.ProductID] = append(byProduct[m.ProductID], m)
		} else {
			tables = append(tables, m)
		}
	}
	order := func(ms []*services.ProfileModel) {
		sort.Slice(ms, func(a, c int) bool {
			if ms[a].Name != ms[c].Name {
				return ms[a].Name < ms[c].Name
			}
			if ms[a].Metrics.AUC != ms[c].Metrics.AUC {
				return ms[a].Metrics.AUC > ms[c].Metrics.AUC
			}
			return ms[a].Algo < ms[c].Algo
		})
	}
	var out []row
	known := map[int]bool{}
	for _, p := range b.Products {
		known[p.ID] = true
		ms := byProduct[p.ID]
		if len(ms) == 0 {
			out = append(out, row{Product: p})
			continue
		}
		order(ms)
		for _, m := range ms {
			out = append(out, row{Product: p, Model: m})
		}
	}
	// Models of products the products table does not list (any more).
	var orphans []int
	for id := range byProduct {
		if !known[id] {
			orphans = append(orphans, id)
		}
	}
	sort.Ints(orphans)
	for _, id := range orphans {
		ms := byProduct[id]
		order(ms)
		for _, m := range ms {
			out = append(out, row{Product: services.ProfileProduct{ID: id, Name: m.Product, Oracle: nan()}, Model: m})
		}
	}
	order(tables)
	for _, m := range tables {
		out = append(out, row{Product: services.ProfileProduct{Name: m.Name, Oracle: nan()}, Model: m})
	}
	return out
}

// setBoard replaces the registry, keeping the cursor on the same model (or product).
func (p *boardPane) setBoard(b *services.ProfileBoard) {
	prevID, prevProduct := "", -1
	if m := p.Selected(); m != nil {
		prevID = m.Name + "/" + m.Algo
	}
	if p, ok := p.selectedProduct(); ok {
		prevProduct = p.ID
	}
	p.board, p.loaded, p.err = b, true, nil
	p.rows = Rows(b)
	p.cursor = 0
	found := false
	for i, r := range p.rows {
		if r.Model != nil && r.Model.Name+"/"+r.Model.Algo == prevID {
			p.cursor, found = i, true
			break
		}
	}
	if !found && prevProduct >= 0 {
		for i, r := range p.rows {
			if r.Product.ID == prevProduct {
				p.cursor = i
				break
			}
		}
	}
	if p.pinned != nil {
		id := p.pinned.Name + "/" + p.pinned.Algo
		p.pinned = nil
		for _, r := range p.rows {
			if r.Model != nil && r.Model.Name+"/"+r.Model.Algo == id {
				p.pinned = r.Model
			}
		}
	}
}

func (p *boardPane) move(d int) {
	p.cursor = min(max(p.cursor+d, 0), max(len(p.rows)-1, 0))
}

func (p *boardPane) boardTitle() string {
	if !p.loaded {
		return "Leaderboard"
	}
	n := 0
	for _, r := range p.rows {
		if r.Model != nil {
			n++
		}
	}
	title := fmt.Sprintf("Leaderboard · %d model(s)", n)
	if m := p.Selected(); m != nil && m.Metrics.NTest > 0 {
		if m.Metrics.Folds > 0 {
			title += fmt.Sprintf(" · %d-fold CV, out-of-fold %s customers", m.Metrics.Folds, components.Int(int64(m.Metrics.NTest)))
		} else {
			title += fmt.Sprintf(" · holdout %s customers", components.Int(int64(m.Metrics.NTest)))
		}
	}
	return title
}

func (p *boardPane) boardFooter() string {
	if len(p.rows) == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d · ★ best of product (chosen on mean CV AUC) · AUC ± spread over folds · pos = positives", p.cursor+1, len(p.rows))
}

func (p *boardPane) boardView(w, h int) string {
	th := p.c.Theme
	switch {
	case p.err != nil:
		return th.Error.Render("✗ " + p.err.Error())
	case !p.loaded:
		return th.Muted.Render("reading the model registry…")
	case len(p.rows) == 0:
		return th.Muted.Render("no products and no models in this workspace.\nacrm sample creates a datamart; T trains every product.")
	}
	lines := LeaderboardLines(p.rows, p.cursor, p.pinned, w)
	body := h - 1
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if body > 0 && p.cursor >= p.offset+body {
		p.offset = p.cursor - body + 1
	}
	p.offset = min(p.offset, max(len(p.rows)-body, 0))
	out := []string{th.Header.Render(components.PadRight(lines[0], w))}
	for i := p.offset; i < len(p.rows) && len(out) < h; i++ {
		l := components.PadRight(lines[i+1], w)
		if i == p.cursor {
			l = th.Selected.Render(l)
		} else if p.rows[i].Model == nil {
			l = th.Muted.Render(l)
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// productName is the datamart's name of a product id ("" when unknown).
func (p *boardPane) productName(id int) string {
	if p.board == nil {
		return ""
	}
	for _, p := range p.board.Products {
		if p.ID == id {
			return p.Name
		}
	}
	return ""
}

// chartBox draws the gains chart (or lift per decile) of the selected model, with the
// pinned model as comparison.
func (p *boardPane) chartBox(lift bool, w, h int) string {
	th := p.c.Theme
	m := p.Selected()
	if m == nil {
		msg := "select a trained model to see its gains"
		if p, ok := p.selectedProduct(); ok && p.ID > 0 {
			msg = p.Name + " has no model yet: t trains it (logit, tree and gbdt; the best is kept)"
		}
		return components.Box(th, "Cumulative gains", th.Muted.Render(msg), "", w, h, false)
	}
	iw, ih := w-2, h-2
	if lift {
		title := fmt.Sprintf("%s · lift per decile", label(m))
		return components.Box(th, title, LiftView(th, m, iw, ih), "1 = random", w, h, false)
	}
	title := fmt.Sprintf("%s · cumulative gains", label(m))
	var others []*services.ProfileModel
	if p.pinned != nil && p.pinned != m {
		others = append(others, p.pinned)
	}
	footer := "e export"
	if !p.wide {
		footer = "v lift · e export"
	}
	return components.Box(th, title, GainsView(th, m, others, iw, ih), footer, w, h, false)
}

// detailBox is the rule profile of the selected model, or the side-by-side comparison.
func (p *boardPane) detailBox(w, h int) string {
	th := p.c.Theme
	m := p.Selected()
	if m == nil {
		return components.Box(th, "Rule profile", "", "", w, h, false)
	}
	if p.pinned != nil && p.pinned != m {
		return components.Box(th, "Compare "+short(p.pinned)+" ↔ "+short(m), strings.Join(CompareLines(p.pinned, m, w-2), "\n"), "c closes", w, h, false)
	}
	title := "Rule profile · " + m.Product
	return components.Box(th, title, strings.Join(RuleLines(m, p.productName, w-2, h-2), "\n"), "rate vs base "+components.Pct(m.Metrics.BaseRate, 1), w, h, false)
}
