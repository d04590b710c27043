package sim

import (
	"fmt"
	"math"
	"sort"
)

// GainPoint is one point of a cumulative gains curve: selecting the top Depth share of the
// base (ranked by a model's score) finds Gain, the share of all responders.
// Both lie in [0, 1]; a random selection has Gain = Depth.
type GainPoint struct {
	Depth float64 `json:"depth"`
	Gain  float64 `json:"gain"`
}

// ProfitInput describes a campaign whose selection depth is to be chosen.
type ProfitInput struct {
	Base           float64     `json:"base"`             // customers that could be selected
	ResponseRate   float64     `json:"response_rate"`    // conversion if the whole base were contacted, in [0, 1]
	Profit         float64     `json:"profit"`           // profit per contract over its horizon
	CostPerContact float64     `json:"cost_per_contact"` // variable cost per contact
	FixedCost      float64     `json:"fixed_cost"`       // fixed cost, paid as soon as anyone is contacted
	Gains          []GainPoint `json:"gains,omitempty"`  // cumulative gains curve; nil means random selection
	Steps          int         `json:"steps,omitempty"`  // grid points over 0–100 % (default 100)
}

// ProfitPoint is the campaign at one selection depth.
type ProfitPoint struct {
	Depth      float64 `json:"depth"`      // share of the base selected
	Volume     float64 `json:"volume"`     // Depth × Base
	Contracts  float64 `json:"contracts"`  // Gain(Depth) × Base × ResponseRate
	Conversion float64 `json:"conversion"` // Contracts / Volume (0 at depth 0)
	Gross      float64 `json:"gross"`      // Contracts × Profit
	Cost       float64 `json:"cost"`       // Volume × CostPerContact + FixedCost (when Volume > 0)
	Net        float64 `json:"net"`        // Gross − Cost
}

// ProfitCurve is the net profit over selection depth, with its optimum and break-even points.
type ProfitCurve struct {
	Input   ProfitInput   `json:"-"`
	Points  []ProfitPoint `json:"points"`  // ascending depth, grid points plus every knot of the gains curve
	Optimum ProfitPoint   `json:"optimum"` // the depth with the highest net profit (depth 0 when nothing pays)
	// BreakEven lists the depths where the net profit crosses zero, ascending: typically one
	// where the campaign starts to pay (after the fixed cost) and one where deeper selection
	// stops paying.
	BreakEven []float64 `json:"break_even"`
	Random    bool      `json:"random"` // no gains curve given: a random (mass) selection
}

// Validate reports the first input that makes no sense, naming the field.
func (in ProfitInput) Validate() error {
	if err := finiteNonNeg("base", in.Base); err != nil {
		return err
	}
	if err := share("response rate", in.ResponseRate); err != nil {
		return err
	}
	if err := finiteNonNeg("profit per contract", in.Profit); err != nil {
		return err
	}
	if err := finiteNonNeg("cost per contact", in.CostPerContact); err != nil {
		return err
	}
	if err := finiteNonNeg("fixed cost", in.FixedCost); err != nil {
		return err
	}
	if in.Steps < 0 {
		return fmt.Errorf("steps must not be negative, got %d", in.Steps)
	}
	_, err := normalizeGains(in.Gains)
	return err
}

// normalizeGains checks a gains curve and returns it sorted, anchored at (0,0) and (1,1).
func normalizeGains(g []GainPoint) ([]GainPoint, error) {
	if len(g) == 0 {
		return []GainPoint{{0, 0}, {1, 1}}, nil
	}
	out := make([]GainPoint, 0, len(g)+2)
	for i, p := range g {
		if math.IsNaN(p.Depth) || p.Depth < 0 || p.Depth > 1 {
			return nil, fmt.Errorf("gains point %d: depth %v outside 0 … 1", i, p.Depth)
		}
		if math.IsNaN(p.Gain) || p.Gain < 0 || p.Gain > 1 {
			return nil, fmt.Errorf("gains point %d: gain %v outside 0 … 1", i, p.Gain)
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Depth < out[j].Depth })
	for i := 1; i < len(out); i++ {
		if out[i].Gain < out[i-1].Gain-1e-12 {
			return nil, fmt.Errorf("gains curve decreases: %.3f at depth %.3f after %.3f at depth %.3f",
				out[i].Gain, out[i].Depth, out[i-1].Gain, out[i-1].Depth)
		}
	}
	if out[0].Depth > 0 {
		out = append([]GainPoint{{0, 0}}, out...)
	} else if out[0].Gain != 0 {
		return nil, fmt.Errorf("gains curve must start at 0 responders at depth 0, got %.3f", out[0].Gain)
	}
	if last := out[len(out)-1]; last.Depth < 1 {
		out = append(out, GainPoint{1, 1})
	}
	return out, nil
}

// gainAt interpolates a normalized gains curve linearly at depth d.
func gainAt(g []GainPoint, d float64) float64 {
	i := sort.Search(len(g), func(i int) bool { return g[i].Depth >= d })
	if i == 0 {
		return g[0].Gain
	}
	if i >= len(g) {
		return g[len(g)-1].Gain
	}
	a, b := g[i-1], g[i]
	if b.Depth == a.Depth {
		return b.Gain
	}
	return a.Gain + (b.Gain-a.Gain)*(d-a.Depth)/(b.Depth-a.Depth)
}

// At is the campaign at selection depth d ∈ [0, 1]:
//
//	volume    = d × base
//	contracts = G(d) × base × response_rate       (G the gains curve, G(d) = d when random)
//	net       = contracts × profit − volume × cost_per_contact − fixed·[volume > 0]
func (in ProfitInput) At(d float64) (ProfitPoint, error) {
	if err := in.Validate(); err != nil {
		return ProfitPoint{}, err
	}
	if math.IsNaN(d) || d < 0 || d > 1 {
		return ProfitPoint{}, fmt.Errorf("depth must be between 0 and 1, got %v", d)
	}
	g, _ := normalizeGains(in.Gains)
	return in.at(g, d), nil
}

func (in ProfitInput) at(g []GainPoint, d float64) ProfitPoint {
	p := ProfitPoint{Depth: d}
	p.Volume = roundCount(d * in.Base)
	p.Contracts = roundCount(gainAt(g, d) * in.Base * in.ResponseRate)
	if p.Volume > 0 {
		p.Conversion = p.Contracts / p.Volume
		p.Cost = roundMoney(p.Volume*in.CostPerContact + in.FixedCost)
	}
	p.Gross = roundMoney(p.Contracts * in.Profit)
	p.Net = roundMoney(p.Gross - p.Cost)
	return p
}

// Curve computes the profit curve over selection depth 0 … 100 %. Between knots of the
// gains curve the net profit is linear in depth, so evaluating on the grid plus every knot
// finds the exact optimum, and break-even depths are found by linear interpolation between
// neighbouring points (exact for the same reason).
func (in ProfitInput) Curve() (ProfitCurve, error) {
	if err := in.Validate(); err != nil {
		return ProfitCurve{}, err
	}
	g, _ := normalizeGains(in.Gains)
	steps := in.Steps
	if steps == 0 {
		steps = 100
	}
	depths := make([]float64, 0, steps+1+len(g))
	for i := 0; i <= steps; i++ {
		depths = append(depths, float64(i)/float64(steps))
	}
	for _, k := range g {
		depths = append(depths, k.Depth)
	}
	sort.Float64s(depths)
	c := ProfitCurve{Input: in, Random: len(in.Gains) == 0}
	for i, d := range depths {
		if i > 0 && d-depths[i-1] < 1e-12 {
			continue
		}
		c.Points = append(c.Points, in.at(g, d))
	}
	c.Optimum = c.Points[0]
	for _, p := range c.Points[1:] {
		if p.Net > c.Optimum.Net {
			c.Optimum = p
		}
	}
	// Break-even crossings. Right after depth 0 the net profit jumps to −fixed and then
	// rises linearly to the first grid point, so a crossing there lies at
	// d₁·fixed / (net₁ + fixed).
	if len(c.Points) > 1 && in.FixedCost > 0 && c.Points[1].Net >= 0 {
		p1 := c.Points[1]
		c.BreakEven = append(c.BreakEven, p1.Depth*in.FixedCost/(p1.Net+in.FixedCost))
	}
	for i := 2; i < len(c.Points); i++ {
		a, b := c.Points[i-1], c.Points[i]
		if (a.Net < 0 && b.Net >= 0) || (a.Net >= 0 && b.Net < 0) {
			t := a.Net / (a.Net - b.Net)
			c.BreakEven = append(c.BreakEven, a.Depth+t*(b.Depth-a.Depth))
		}
	}
	return c, nil
}
