package simulate

import (
	"context"
	"fmt"
	"sort"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
)

// inboundPanel is the inbound opportunity (i): offers made when customers contact us. With a
// model's scores of the base loaded (u, live scoring) the share worth an offer and the close
// rate are read from a score threshold.
type inboundPanel struct {
	common.PaneBase
	c   *common.Common
	svc services.SimulateService
	roi *roiPanel // the models, and the margin of the scored product

	inbound sim.Inbound
	cursor  int
	// Live scoring: the model's calibrated scores of the base (a proxy for the customers who
	// contact us) and the threshold above which an inbound contact gets an offer.
	scores    []float64
	model     string
	threshold float64
	fromModel bool
	result    *sim.InboundResult
	err       error
}

var _ panel = (*inboundPanel)(nil)

// scored is the result of a scoring job.
type scored struct {
	model  string
	scores []float64
}

// ThresholdField is the live-scoring threshold on the inbound panel.
var ThresholdField = Field{Name: "threshold", Label: "score threshold", Unit: share, Step: 0.01}

// loadScores scores the base with the model of the profit panel for live-scoring inbound.
func (p *inboundPanel) loadScores() tea.Cmd {
	m, ok := p.roi.model()
	if !ok {
		return nil
	}
	svc, id := p.svc, m.ModelID
	return start(p.c, "scoring the base with "+id, func(ctx context.Context, report func(common.Progress)) (scored, error) {
		sc, err := svc.ScoreModel(ctx, id, report)
		if err != nil {
			return scored{}, err
		}
		return scored{id, sc}, nil
	})
}

// useModel is u: score the base with the profit panel's model.
func (p *inboundPanel) useModel() tea.Cmd {
	if !p.roi.modelsLoaded || len(p.roi.models) == 0 {
		return common.Refuse(p.roi.whyNoProfit())
	}
	return p.loadScores()
}

func (p *inboundPanel) recompute() {
	r, err := p.inbound.Calculate()
	if err != nil {
		p.result, p.err = nil, err
		return
	}
	p.result, p.err = &r, nil
}

// Update takes the scores.
func (p *inboundPanel) Update(msg tea.Msg) tea.Cmd {
	done, ok := msg.(common.Done[scored])
	if !ok {
		return nil
	}
	if cmd, ok := failed(done, "scores"); !ok {
		return cmd
	}
	sc := done.Value
	if len(sc.scores) == 0 {
		return common.FlashError(fmt.Errorf("%s scored no customers", sc.model))
	}
	p.scores, p.model = sc.scores, sc.model
	if pv := p.roi.profit; pv != nil && pv.Model.ModelID == sc.model && pv.Economics.Margin > 0 {
		p.inbound.Margin = pv.Economics.Margin // the scored product's own margin
	}
	// Start where the seed starts: the top 5 % of scores are worth an offer.
	// Rounded for display, but never above the percentile's own score: rounding up would
	// drop the customers tied at it (calibrated scores tie) below the top 5 %.
	q := quantile(sc.scores, 0.95)
	p.threshold = min(round12(q), q)
	p.cursor = len(InboundFields)
	p.applyThreshold()
	return common.Flash(fmt.Sprintf("scored %s customers with %s; ←/→ moves the threshold", sim.FormatCount(float64(len(sc.scores))), sc.model))
}

// fieldCount is how many inputs the panel has now (the threshold appears once a model's
// scores are loaded).
func (p *inboundPanel) fieldCount() int {
	if p.scores != nil {
		return len(InboundFields) + 1
	}
	return len(InboundFields)
}

// applyThreshold derives the interesting share and the close rate from the scores at the
// threshold (sim.InboundFromScores) and recomputes the opportunity.
func (p *inboundPanel) applyThreshold() {
	interesting, closeRate, err := sim.InboundFromScores(p.scores, p.threshold)
	if err != nil {
		p.result, p.err = nil, fmt.Errorf("threshold %s: %w", ThresholdField.Format(p.threshold), err)
		return
	}
	p.inbound.Interesting, p.inbound.Close = round12(interesting), round12(closeRate)
	p.fromModel = true
	p.recompute()
}

// quantile is the q-quantile of xs (sorted copy, nearest rank).
func quantile(xs []float64, q float64) float64 {
	c := append([]float64(nil), xs...)
	sort.Float64s(c)
	if len(c) == 0 {
		return 0
	}
	return c[min(int(q*float64(len(c))), len(c)-1)]
}

func (p *inboundPanel) move(d int) {
	n := p.fieldCount()
	p.cursor = (p.cursor + d + n) % n
}

func (p *inboundPanel) change(d int) tea.Cmd {
	if p.cursor >= len(InboundFields) {
		p.threshold = ThresholdField.StepValue(p.threshold, d)
		p.applyThreshold()
		return nil
	}
	f := InboundFields[p.cursor]
	p.inbound = withInboundValue(p.inbound, p.cursor, f.StepValue(inboundValue(p.inbound, p.cursor), d))
	if p.cursor == 1 || p.cursor == 2 {
		p.fromModel = false
	}
	p.recompute()
	return nil
}

func (p *inboundPanel) field() (Field, float64, bool) {
	if p.cursor >= len(InboundFields) {
		return ThresholdField, p.threshold, true
	}
	return InboundFields[p.cursor], inboundValue(p.inbound, p.cursor), true
}

func (p *inboundPanel) apply(f Field, text string, v float64) error {
	if p.cursor >= len(InboundFields) {
		if v < 0 || v > 1 {
			return fmt.Errorf("%s: %s is not between 0 and 100 %%", f.Label, text)
		}
		if _, _, err := sim.InboundFromScores(p.scores, v); err != nil {
			return fmt.Errorf("%s: %w", f.Label, err)
		}
		p.threshold = v
		p.applyThreshold()
		return nil
	}
	if p.cursor == 1 || p.cursor == 2 {
		p.fromModel = false
	}
	in := withInboundValue(p.inbound, p.cursor, v)
	if err := in.Validate(); err != nil {
		return fmt.Errorf("inbound %s: %w", f.Label, err)
	}
	p.inbound = in
	p.recompute()
	return nil
}

func (p *inboundPanel) reset() {
	p.inbound = SeedInbound
	p.scores, p.model, p.fromModel, p.cursor = nil, "", false, 0
	p.recompute()
}

func (p *inboundPanel) scenario(name string) (sim.Scenario, error) {
	if p.result == nil {
		return sim.Scenario{}, fmt.Errorf("nothing to save: %w", p.err)
	}
	return sim.NewScenario(name, sim.KindInbound, p.inbound, p.result)
}

func (p *inboundPanel) scenarioName() string {
	return fmt.Sprintf("inbound %s contacts", compact(p.inbound.Contacts))
}

// View draws the inputs and the yield.
func (p *inboundPanel) View() string {
	th := p.c.Theme
	w := p.Width
	var live *LiveScoring
	if p.scores != nil {
		live = &LiveScoring{Model: p.model, Threshold: p.threshold, Customers: len(p.scores), FromModel: p.fromModel}
	}
	lines := InboundLines(th, p.inbound, p.result, p.err, p.cursor, p.Focused(), w-2, live)
	if m, ok := p.roi.model(); live == nil && ok {
		lines = append(lines, "", th.Muted.Render(components.Truncate(fmt.Sprintf("u scores the base with %s to read the share worth an offer and the close rate from a score threshold", m.ModelID), w-2)))
	}
	return components.Box(th, "Inbound opportunity: offers made when customers contact us", strings.Join(lines, "\n"), "↑/↓ input · ←/→ change · enter type · 0 seed numbers", w, p.Height, true)
}
