package simulate

import (
	"context"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
)

// roiPanel is the outbound panel (o): a mass mailing against a model-targeted campaign, with
// the profit curve of the best model of a product over selection depth beside it. Every
// edit recomputes both at once (pure arithmetic on the loaded curve).
type roiPanel struct {
	common.PaneBase
	c   *common.Common
	svc services.SimulateService

	mass, targeted sim.Outbound
	cursor         int // 0..4 mass, 5..9 targeted
	roi            *sim.OutboundComparison
	roiErr         error

	models       []services.ProfileModel
	modelIdx     int
	modelChosen  bool // m picked the model: a reload keeps it; else the list's first (most gained by targeting)
	modelsLoaded bool
	profit       *services.ProfitView // the model's curve at the product's economics, as loaded
	profitErr    error
	// curve is profit's curve recomputed at once (sim.ProfitInput.Curve, pure) with the
	// targeted campaign's profit per contract, cost per contact and fixed cost.
	curve    *sim.ProfitCurve
	curveErr error
	// tgModel is the model whose holdout gains give the targeted conversion (set by u; ""
	// once the conversion is edited by hand): every targeted volume edit re-reads it.
	tgModel string
}

var _ panel = (*roiPanel)(nil)

// modelsLoaded is the result of the model list job (the profit curve comes back as
// *services.ProfitView).
type modelList []services.ProfileModel

func (p *roiPanel) loadModels() tea.Cmd {
	svc := p.svc
	return start(p.c, "listing models for the profit curve", func(ctx context.Context, _ func(common.Progress)) (modelList, error) {
		return svc.ProfitModels(ctx)
	})
}

func (p *roiPanel) loadProfit() tea.Cmd {
	if p.modelIdx >= len(p.models) {
		return nil
	}
	svc, id := p.svc, p.models[p.modelIdx].ModelID
	return start(p.c, "profit curve of "+id, func(ctx context.Context, _ func(common.Progress)) (*services.ProfitView, error) {
		return svc.ProfitCurve(ctx, id)
	})
}

// model is the model of the profit curve (ok false before the models are in).
func (p *roiPanel) model() (services.ProfileModel, bool) {
	if p.modelIdx < len(p.models) {
		return p.models[p.modelIdx], true
	}
	return services.ProfileModel{}, false
}

// recompute reruns the comparison and the profit curve on the inputs (pure arithmetic).
func (p *roiPanel) recompute() {
	p.recomputeProfit()
	c, err := sim.CompareOutbound(p.mass, p.targeted)
	if err != nil {
		p.roi, p.roiErr = nil, err
		return
	}
	p.roi, p.roiErr = &c, nil
}

// recomputeProfit redraws the profit curve of the loaded model with the targeted campaign's
// economics.
func (p *roiPanel) recomputeProfit() {
	p.curve, p.curveErr = nil, nil
	if p.profit == nil {
		return
	}
	c, err := ProfitCurveFor(p.profit.Curve.Input, p.targeted)
	if err != nil {
		p.curveErr = err
		return
	}
	p.curve = &c
}

// modelConversion is the targeted conversion at volume read from the gains of the model on
// screen: G(volume/base) · base · response / volume (sim.TargetedConversion).
func (p *roiPanel) modelConversion(volume float64) (float64, error) {
	if p.profit == nil || p.profit.Model.ModelID != p.tgModel {
		return 0, fmt.Errorf("the gains curve of %s is not loaded", p.tgModel)
	}
	in := p.profit.Curve.Input
	c, err := sim.TargetedConversion(in.Gains, in.Base, volume, in.ResponseRate)
	if err != nil {
		return 0, err
	}
	return round12(c), nil
}

// Update takes the model list and the profit curve.
func (p *roiPanel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.Done[modelList]:
		switch {
		case msg.Cancelled:
			return common.Refuse("models cancelled")
		case msg.Err != nil:
			p.modelsLoaded = true
			p.profitErr = msg.Err
			return nil
		}
		p.modelsLoaded = true
		prev := ""
		if m, ok := p.model(); ok {
			prev = m.Name
		}
		p.models = msg.Value
		p.modelIdx = 0
		for i, m := range p.models {
			if p.modelChosen && m.Name == prev {
				p.modelIdx = i
			}
		}
		p.profit, p.profitErr = nil, nil
		p.recomputeProfit()
		return p.loadProfit()
	case common.Done[*services.ProfitView]:
		switch {
		case msg.Cancelled:
			return common.Refuse("profit cancelled")
		case msg.Err != nil:
			p.profit, p.profitErr = nil, msg.Err
			p.recomputeProfit()
			return nil
		}
		p.profit, p.profitErr = msg.Value, nil
		if p.tgModel != p.profit.Model.ModelID {
			p.tgModel = "" // the targeted conversion came from another model's gains
		}
		p.recomputeProfit()
	}
	return nil
}

func (p *roiPanel) move(d int) {
	n := 2 * len(OutboundFields)
	p.cursor = (p.cursor + d + n) % n
}

func (p *roiPanel) change(d int) tea.Cmd {
	i := p.cursor % len(OutboundFields)
	f := OutboundFields[i]
	if p.cursor == len(OutboundFields) && p.tgModel != "" && p.profit != nil {
		// Along the model's gains: steps of about 1 % of the eligible base.
		f.Step = niceStep(p.profit.Curve.Input.Base / 100)
	}
	if p.cursor < len(OutboundFields) {
		p.mass = withOutboundValue(p.mass, i, f.StepValue(outboundValue(p.mass, i), d))
	} else {
		tg, err := p.withTargeted(i, f.StepValue(outboundValue(p.targeted, i), d))
		if err != nil {
			return common.FlashError(err)
		}
		p.targeted = tg
	}
	p.recompute()
	return nil
}

// nextModel is m: the profit curve of the next model.
func (p *roiPanel) nextModel() tea.Cmd {
	if len(p.models) <= 1 {
		return nil
	}
	p.modelIdx = (p.modelIdx + 1) % len(p.models)
	p.modelChosen = true
	p.profit, p.profitErr, p.tgModel = nil, nil, ""
	p.recomputeProfit()
	return p.loadProfit()
}

// useModel is u: both campaigns from the model's profit curve (ModelCampaigns).
func (p *roiPanel) useModel() tea.Cmd {
	if p.profit == nil {
		return common.Refuse(p.whyNoProfit())
	}
	mass, tg, err := ModelCampaigns(p.profit)
	if err != nil {
		return common.FlashError(err)
	}
	p.mass, p.targeted, p.tgModel = mass, tg, p.profit.Model.ModelID
	p.recompute()
	return common.Flash(fmt.Sprintf("inputs from %s: mass = every eligible customer, targeted = the profit-optimal top %.0f %%; its conversion follows the gains when the volume changes",
		p.profit.Model.ModelID, 100*p.profit.Curve.Optimum.Depth))
}

func (p *roiPanel) field() (Field, float64, bool) {
	i := p.cursor % len(OutboundFields)
	o := p.mass
	if p.cursor >= len(OutboundFields) {
		o = p.targeted
	}
	return OutboundFields[i], outboundValue(o, i), true
}

func (p *roiPanel) apply(_ Field, _ string, v float64) error {
	i := p.cursor % len(OutboundFields)
	side, o := "mass", p.mass
	if p.cursor >= len(OutboundFields) {
		side, o = "targeted", p.targeted
	}
	o = withOutboundValue(o, i, v)
	if err := o.Validate(); err != nil {
		return fmt.Errorf("%s: %w", side, err) // the prompt's label names the input
	}
	if side == "mass" {
		p.mass = o
	} else {
		tg, err := p.withTargeted(i, v)
		if err != nil {
			return err
		}
		p.targeted = tg
	}
	p.recompute()
	return nil
}

// withTargeted is the targeted campaign with input i set to v. While its conversion comes
// from a model (u), a new volume re-reads the conversion from the gains at that depth (an
// error when the gains cannot give one: nothing changes then), and a conversion set by hand
// ends the link to the model.
func (p *roiPanel) withTargeted(i int, v float64) (sim.Outbound, error) {
	tg := withOutboundValue(p.targeted, i, v)
	switch {
	case p.tgModel == "":
	case OutboundFields[i].Name == "volume":
		c, err := p.modelConversion(v)
		if err != nil {
			return p.targeted, fmt.Errorf("conversion from %s's gains: %w", p.tgModel, err)
		}
		tg.Conversion = c
	case OutboundFields[i].Name == "conversion":
		p.tgModel = ""
	}
	return tg, nil
}

func (p *roiPanel) reset() {
	p.mass, p.targeted, p.tgModel = SeedMass, SeedTargeted, ""
	p.recompute()
}

func (p *roiPanel) scenario(name string) (sim.Scenario, error) {
	if p.roi == nil {
		return sim.Scenario{}, fmt.Errorf("nothing to save: %w", p.roiErr)
	}
	inputs := map[string]any{"mass": p.mass, "targeted": p.targeted}
	if p.tgModel != "" {
		inputs["model"] = p.tgModel // the targeted conversion is read from its gains
	}
	return sim.NewScenario(name, sim.KindROI, inputs, p.roi)
}

func (p *roiPanel) scenarioName() string {
	return fmt.Sprintf("roi %s vs %s", compact(p.mass.Volume), compact(p.targeted.Volume))
}

// export writes the ROI chart and, with a profit curve on screen, the profit curve next to
// it (name-profit.png); ok is false when there is nothing to export.
func (p *roiPanel) export() (write func(ctx context.Context, path string) (string, error), err error) {
	if p.roi == nil {
		return nil, fmt.Errorf("nothing to export: %w", p.roiErr)
	}
	svc, cmp := p.svc, *p.roi
	var pv *services.ProfitView
	if p.profit != nil && p.curve != nil {
		v := *p.profit
		v.Curve = *p.curve // the curve on screen, at the economics entered
		pv = &v
	}
	return func(ctx context.Context, path string) (string, error) {
		out, err := svc.ExportROI(ctx, path, cmp)
		if err != nil || pv == nil {
			return out, err
		}
		ext := strings.LastIndex(path, ".")
		pp := path[:max(ext, 0)] + "-profit" + path[max(ext, 0):]
		if ext < 0 {
			pp = path + "-profit"
		}
		out2, err := svc.ExportProfit(ctx, pp, *pv)
		if err != nil {
			return "", err
		}
		return out + " and " + out2, nil
	}, nil
}

// View draws the two campaigns beside (or above) the profit curve.
func (p *roiPanel) View() string {
	th := p.c.Theme
	w, h := p.Width, p.Height
	lines := ROILines(th, p.mass, p.targeted, p.roi, p.roiErr, p.cursor, p.Focused(), w)
	if n := p.gainsNote(); n != "" {
		// Under the input rows: the targeted conversion is read from the model's gains.
		at := 1 + len(OutboundFields)
		lines = append(lines[:at], append([]string{th.Muted.Render(components.Truncate(n, w-2))}, lines[at:]...)...)
	}
	title := "Outbound campaign: mass mailing against model-targeted"
	footer := "↑/↓ input · ←/→ change · enter type · 0 seed numbers"
	if wide(w) {
		lw := min(max(w*11/20, 72), 96)
		left := components.Box(th, title, strings.Join(lines, "\n"), footer, lw, h, true)
		return components.JoinH(left, p.profitBox(w-lw, h))
	}
	th2 := min(len(lines)+2, h-6)
	return components.Box(th, title, strings.Join(lines, "\n"), footer, w, th2, true) + "\n" + p.profitBox(w, h-th2)
}

// gainsNote says where the targeted conversion comes from while it follows a model's gains.
func (p *roiPanel) gainsNote() string {
	if p.tgModel == "" || p.profit == nil {
		return ""
	}
	return GainsNote(p.tgModel, p.targeted.Volume, p.profit.Curve.Input.Base)
}

// whyNoProfit says truthfully why there is no profit curve to take inputs from.
func (p *roiPanel) whyNoProfit() string {
	switch {
	case !p.modelsLoaded:
		return "u: the trained models are still loading; press u again in a moment"
	case p.profitErr != nil:
		return "u: the profit curve could not be computed (see the profit panel)"
	case len(p.models) == 0:
		return "u needs a trained product model: none is registered yet (Profiles screen: t or T)"
	default:
		return "u: the profit curve of the model is still being computed; press u again in a moment"
	}
}

func (p *roiPanel) profitBox(w, h int) string {
	th := p.c.Theme
	title := "Profit curve (€) over selection depth"
	footer := ""
	var body string
	switch {
	case p.profitErr != nil:
		body = th.Error.Render(ansi.Wordwrap("✗ "+p.profitErr.Error(), max(w-2, 10), ""))
	case !p.modelsLoaded:
		body = th.Muted.Render("looking for trained models…")
	case len(p.models) == 0:
		body = th.Muted.Render("no trained product model yet: train one on the Profiles screen (3, then t or T) to see net profit against selection depth, with its optimum and break-even")
	case p.profit == nil:
		body = th.Muted.Render("computing the profit curve…")
	case p.curve == nil:
		body = th.Error.Render(ansi.Wordwrap("✗ "+fmt.Sprint(p.curveErr), max(w-2, 10), ""))
	default:
		pv := p.profit
		title = fmt.Sprintf("Profit curve (€) · %s · %s v%d", pv.Model.Product, pv.Model.Algo, pv.Model.Version)
		mark := -1.0
		if b := p.curve.Input.Base; b > 0 && p.targeted.Volume <= b {
			mark = p.targeted.Volume / b
		}
		body = ProfitChart(th, pv, *p.curve, mark, w-2, h-2)
		if len(p.models) > 1 {
			footer = fmt.Sprintf("m next model (%d/%d)", p.modelIdx+1, len(p.models))
		}
	}
	return components.Box(th, title, body, footer, w, h, false)
}
