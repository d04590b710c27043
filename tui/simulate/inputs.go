package simulate

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
)

// unit says how an input is shown, typed and stepped.
type unit int

const (
	count unit = iota // a number of contacts or contracts
	share             // a fraction, shown and typed as a percentage
	money             // an amount in euros
)

// Field is one editable input of a panel.
type Field struct {
	Name  string // key in the scenario JSON
	Label string
	Unit  unit
	Step  float64 // what ←/→ add or subtract
}

// OutboundFields are the inputs of one outbound campaign, in screen order.
var OutboundFields = []Field{
	{"volume", "volume (contacts)", count, 10_000},
	{"conversion", "conversion", share, 0.001},
	{"profit", "profit / contract", money, 100},
	{"cost_per_contact", "cost / contact", money, 0.25},
	{"fixed_cost", "fixed cost", money, 1_000},
}

// InboundFields are the inputs of the inbound opportunity, in screen order.
var InboundFields = []Field{
	{"contacts", "inbound contacts / month", count, 10_000},
	{"interesting", "worth an offer", share, 0.01},
	{"close", "close rate", share, 0.01},
	{"margin", "margin / contract", money, 100},
}

// SeedMass and SeedTargeted are the seed article's campaigns: 150,000 × 1.5 % × 3,000 against
// 100,000 × 2.5 % × 3,500 (6.75 M against 8.75 M, +2.0 M).
var (
	SeedMass     = sim.Outbound{Volume: 150_000, Conversion: 0.015, Profit: 3_000}
	SeedTargeted = sim.Outbound{Volume: 100_000, Conversion: 0.025, Profit: 3_500}
	// SeedInbound is 100,000 contacts × 5 % × 10 % × 3,500 = 500 contracts, 1.75 M a month.
	SeedInbound = sim.Inbound{Contacts: 100_000, Interesting: 0.05, Close: 0.10, Margin: 3_500}
)

// outboundInputs are the inputs of o in OutboundFields order, to read or set.
func outboundInputs(o *sim.Outbound) []*float64 {
	return []*float64{&o.Volume, &o.Conversion, &o.Profit, &o.CostPerContact, &o.FixedCost}
}

// outboundValue reads input i of o (in OutboundFields order).
func outboundValue(o sim.Outbound, i int) float64 { return *outboundInputs(&o)[i] }

// withOutboundValue returns o with input i set to v (o unchanged for an i out of range).
func withOutboundValue(o sim.Outbound, i int, v float64) sim.Outbound {
	if in := outboundInputs(&o); i >= 0 && i < len(in) {
		*in[i] = v
	}
	return o
}

// inboundInputs are the inputs of in in InboundFields order, to read or set.
func inboundInputs(in *sim.Inbound) []*float64 {
	return []*float64{&in.Contacts, &in.Interesting, &in.Close, &in.Margin}
}

func inboundValue(in sim.Inbound, i int) float64 { return *inboundInputs(&in)[i] }

func withInboundValue(in sim.Inbound, i int, v float64) sim.Inbound {
	if f := inboundInputs(&in); i >= 0 && i < len(f) {
		*f[i] = v
	}
	return in
}

// Step moves v by n steps of f, never below zero and, for shares, never above 100 %. Steps
// land on multiples of the step so that repeated presses give round numbers.
func (f Field) StepValue(v float64, n int) float64 {
	x := math.Round(v/f.Step)*f.Step + float64(n)*f.Step
	if math.Abs(math.Round(v/f.Step)*f.Step-v) > 1e-9*math.Max(1, math.Abs(v)) {
		// v was typed off the grid: the first step goes to the neighbouring grid point.
		if n > 0 {
			x = math.Ceil(v/f.Step) * f.Step
		} else {
			x = math.Floor(v/f.Step) * f.Step
		}
	}
	x = math.Round(x/f.Step) * f.Step // no drift from repeated float addition
	x = math.Max(x, 0)
	if f.Unit == share {
		x = math.Min(x, 1)
	}
	return round12(x)
}

func round12(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 12, 64), 64)
	return v
}

// Format shows a value of the field: 150,000; 1.50 %; 3,000 (money with cents only when it
// has them).
func (f Field) Format(v float64) string {
	switch f.Unit {
	case share:
		return components.Float(100*v, 2) + " %"
	case money:
		if v != math.Trunc(v) {
			return "€ " + components.Float(v, 2)
		}
		return "€ " + components.Float(v, 0)
	}
	if v != math.Trunc(v) {
		return components.Float(v, 1)
	}
	return components.Float(v, 0)
}

// Edit is how a value is prefilled in the input box: plain digits in the shown unit.
func (f Field) Edit(v float64) string {
	if f.Unit == share {
		v *= 100
	}
	return strconv.FormatFloat(round12(v), 'f', -1, 64)
}

// Parse reads a typed value: thousands separators, spaces, "€" and "%" are ignored; shares
// are typed in percent ("2.5" or "2.5 %" is 0.025); k and M multiply by 1,000 and 1,000,000.
func (f Field) Parse(text string) (float64, error) {
	t := strings.NewReplacer(",", "", " ", "", "€", "", "%", "", "_", "").Replace(strings.TrimSpace(text))
	mult := 1.0
	switch {
	case strings.HasSuffix(t, "k") || strings.HasSuffix(t, "K"):
		mult, t = 1e3, t[:len(t)-1]
	case strings.HasSuffix(t, "M") || strings.HasSuffix(t, "m"):
		mult, t = 1e6, t[:len(t)-1]
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s: %q is not a number", f.Label, text)
	}
	v *= mult
	if v < 0 {
		return 0, fmt.Errorf("%s must not be negative, got %s", f.Label, strings.TrimSpace(text))
	}
	if f.Unit == share {
		if v > 100 {
			return 0, fmt.Errorf("%s: %q is out of range; expected 0 to 100 %%", f.Label, text)
		}
		v /= 100
	} else if v > sim.MaxAmount {
		return 0, fmt.Errorf("%s: %q is out of range; expected 0 to 1,000,000,000,000", f.Label, text)
	}
	return round12(v), nil
}

// ProfitCurveFor is the profit curve over selection depth of a model's base, response rate
// and gains curve (in) at the targeted campaign's profit per contract, cost per contact and
// fixed cost: what the ROI panel draws after every edit.
func ProfitCurveFor(in sim.ProfitInput, targeted sim.Outbound) (sim.ProfitCurve, error) {
	in.Profit, in.CostPerContact, in.FixedCost = targeted.Profit, targeted.CostPerContact, targeted.FixedCost
	c, err := in.Curve()
	if err != nil {
		return c, fmt.Errorf("profit curve: %w", err)
	}
	return c, nil
}

// ModelCampaigns reads both campaigns from a model's profit curve (as loaded, at the
// product's economics): the mass mailing goes to every eligible customer at the response
// rate of the randomly selected offers, the targeted one to the profit-optimal top by the
// model, at the conversion its holdout gains curve gives at that volume
// (sim.TargetedConversion); both at the product's margin and mean cost per contact. It fails
// when no selection depth pays (no targeted campaign to take).
func ModelCampaigns(p *services.ProfitView) (mass, targeted sim.Outbound, err error) {
	in, opt := p.Curve.Input, p.Curve.Optimum
	mass = sim.Outbound{Volume: math.Round(in.Base), Conversion: in.ResponseRate, Profit: in.Profit, CostPerContact: in.CostPerContact}
	vol := math.Round(opt.Volume)
	if vol <= 0 {
		return mass, targeted, fmt.Errorf("no selection depth of %s pays at € %s per contract and € %.2f per contact: there is no targeted campaign to take",
			p.Model.ModelID, sim.FormatMoney(in.Profit), in.CostPerContact)
	}
	c, err := sim.TargetedConversion(in.Gains, in.Base, vol, in.ResponseRate)
	if err != nil {
		return mass, targeted, fmt.Errorf("%s: %w", p.Model.ModelID, err)
	}
	targeted = sim.Outbound{Volume: vol, Conversion: round12(c), Profit: in.Profit, CostPerContact: in.CostPerContact}
	return mass, targeted, nil
}
