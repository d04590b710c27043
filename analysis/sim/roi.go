// Package sim simulates the money side of analytical CRM: outbound campaign ROI (mass
// against model-targeted), profit curves over selection depth, the inbound opportunity of a
// call centre, and contact-frequency response curves with what-if scenarios.
//
// The calculators (Outbound, CompareOutbound, ProfitCurve, Inbound, FrequencyWhatIf) are pure
// functions of their inputs, so a screen can recompute instantly whenever an input is edited.
// Only the frequency estimator (LoadFrequency) reads the workspace; it returns aggregates
// that the pure functions work on and that are cached per workspace, segment and period.
package sim

import (
	"fmt"
	"math"
)

// Outbound is the input of an outbound (direct marketing) campaign calculation.
type Outbound struct {
	Volume         float64 `json:"volume"`           // contacts made (mailings, calls)
	Conversion     float64 `json:"conversion"`       // share of contacts that sign a contract, in [0, 1]
	Profit         float64 `json:"profit"`           // profit per contract over its horizon
	CostPerContact float64 `json:"cost_per_contact"` // variable cost of one contact
	FixedCost      float64 `json:"fixed_cost"`       // fixed campaign cost (design, set-up)
}

// OutboundResult is what an outbound campaign yields.
type OutboundResult struct {
	Outbound
	Contracts   float64 `json:"contracts"`    // Volume × Conversion
	GrossProfit float64 `json:"gross_profit"` // Contracts × Profit
	ContactCost float64 `json:"contact_cost"` // Volume × CostPerContact
	TotalCost   float64 `json:"total_cost"`   // ContactCost + FixedCost
	NetProfit   float64 `json:"net_profit"`   // GrossProfit − TotalCost
	// ROI is NetProfit / TotalCost; HasROI is false when the campaign costs nothing
	// (ROI undefined), so no NaN or Inf ever reaches a screen.
	ROI    float64 `json:"roi"`
	HasROI bool    `json:"has_roi"`
	// BreakEvenConversion is the conversion at which NetProfit is zero:
	// TotalCost / (Volume × Profit). Zero when Volume or Profit is zero.
	BreakEvenConversion float64 `json:"break_even_conversion"`
}

// Validate reports the first input that makes no sense, naming the field.
func (o Outbound) Validate() error {
	if err := finiteNonNeg("volume", o.Volume); err != nil {
		return err
	}
	if err := share("conversion", o.Conversion); err != nil {
		return err
	}
	if err := finiteNonNeg("profit per contract", o.Profit); err != nil {
		return err
	}
	if err := finiteNonNeg("cost per contact", o.CostPerContact); err != nil {
		return err
	}
	return finiteNonNeg("fixed cost", o.FixedCost)
}

// Calculate computes an outbound campaign:
//
//	contracts  = volume × conversion
//	gross      = contracts × profit
//	cost       = volume × cost_per_contact + fixed
//	net        = gross − cost
//	ROI        = net / cost                      (only when cost > 0)
//	break-even = cost / (volume × profit)        (the conversion at which net = 0)
//
// Counts are rounded to 1e-6 and money to the cent so that decimal inputs such as
// 150,000 × 1.5 % give exactly 2,250 contracts instead of 2,249.9999999999995.
func (o Outbound) Calculate() (OutboundResult, error) {
	if err := o.Validate(); err != nil {
		return OutboundResult{}, err
	}
	r := OutboundResult{Outbound: o}
	r.Contracts = roundCount(o.Volume * o.Conversion)
	r.GrossProfit = roundMoney(r.Contracts * o.Profit)
	r.ContactCost = roundMoney(o.Volume * o.CostPerContact)
	r.TotalCost = roundMoney(r.ContactCost + o.FixedCost)
	r.NetProfit = roundMoney(r.GrossProfit - r.TotalCost)
	if r.TotalCost > 0 {
		r.ROI = r.NetProfit / r.TotalCost
		r.HasROI = true
	}
	if o.Volume > 0 && o.Profit > 0 {
		r.BreakEvenConversion = r.TotalCost / (o.Volume * o.Profit)
	}
	return r, nil
}

// OutboundComparison puts a mass campaign next to a model-targeted one.
type OutboundComparison struct {
	Mass     OutboundResult `json:"mass"`
	Targeted OutboundResult `json:"targeted"`
	// Differences targeted − mass.
	ExtraContracts   float64 `json:"extra_contracts"`
	ExtraGrossProfit float64 `json:"extra_gross_profit"`
	ExtraCost        float64 `json:"extra_cost"`
	ExtraNetProfit   float64 `json:"extra_net_profit"`
}

// CompareOutbound calculates both campaigns and their difference (targeted − mass).
// Errors name which side was wrong.
func CompareOutbound(mass, targeted Outbound) (OutboundComparison, error) {
	m, err := mass.Calculate()
	if err != nil {
		return OutboundComparison{}, fmt.Errorf("mass campaign: %w", err)
	}
	t, err := targeted.Calculate()
	if err != nil {
		return OutboundComparison{}, fmt.Errorf("targeted campaign: %w", err)
	}
	return OutboundComparison{
		Mass: m, Targeted: t,
		ExtraContracts:   roundCount(t.Contracts - m.Contracts),
		ExtraGrossProfit: roundMoney(t.GrossProfit - m.GrossProfit),
		ExtraCost:        roundMoney(t.TotalCost - m.TotalCost),
		ExtraNetProfit:   roundMoney(t.NetProfit - m.NetProfit),
	}, nil
}

// Inbound is the input of the inbound-opportunity calculation: every month customers contact
// the company (call centre, web); a share of those contacts is worth an offer, and a share of
// the offers closes.
type Inbound struct {
	Contacts    float64 `json:"contacts"`    // inbound contacts per month
	Interesting float64 `json:"interesting"` // share of contacts worth an offer, in [0, 1]
	Close       float64 `json:"close"`       // share of offers that close, in [0, 1]
	Margin      float64 `json:"margin"`      // profit per contract over its horizon
}

// InboundResult is the monthly (and yearly) yield of offering on inbound contacts.
type InboundResult struct {
	Inbound
	Offers          float64 `json:"offers"`           // Contacts × Interesting
	Contracts       float64 `json:"contracts"`        // Offers × Close
	MonthlyProfit   float64 `json:"monthly_profit"`   // Contracts × Margin
	YearlyProfit    float64 `json:"yearly_profit"`    // 12 × MonthlyProfit
	YearlyContracts float64 `json:"yearly_contracts"` // 12 × Contracts
}

// Validate reports the first input that makes no sense, naming the field.
func (in Inbound) Validate() error {
	if err := finiteNonNeg("inbound contacts", in.Contacts); err != nil {
		return err
	}
	if err := share("interesting share", in.Interesting); err != nil {
		return err
	}
	if err := share("close rate", in.Close); err != nil {
		return err
	}
	return finiteNonNeg("margin", in.Margin)
}

// Calculate computes the inbound opportunity:
//
//	offers    = contacts × interesting
//	contracts = offers × close
//	profit    = contracts × margin            (per month; ×12 per year)
func (in Inbound) Calculate() (InboundResult, error) {
	if err := in.Validate(); err != nil {
		return InboundResult{}, err
	}
	r := InboundResult{Inbound: in}
	r.Offers = roundCount(in.Contacts * in.Interesting)
	r.Contracts = roundCount(r.Offers * in.Close)
	r.MonthlyProfit = roundMoney(r.Contracts * in.Margin)
	r.YearlyProfit = roundMoney(12 * r.MonthlyProfit)
	r.YearlyContracts = roundCount(12 * r.Contracts)
	return r, nil
}

// InboundFromScores derives the inbound inputs from a model's live-scoring threshold: the
// interesting share is the share of customers whose calibrated score is at least threshold,
// and the close rate is the mean score among them (the expected acceptance of an offer made
// to exactly those customers):
//
//	interesting = #{s ≥ t} / n
//	close       = Σ_{s ≥ t} s / #{s ≥ t}
//
// scores are the calibrated propensities of the customers who contact the company (or of the
// whole base as a proxy). It errors when scores is empty, a score lies outside [0, 1], or no
// score reaches the threshold.
func InboundFromScores(scores []float64, threshold float64) (interesting, closeRate float64, err error) {
	if len(scores) == 0 {
		return 0, 0, fmt.Errorf("inbound: no scores to derive the interesting share from")
	}
	if err := share("threshold", threshold); err != nil {
		return 0, 0, err
	}
	var n int
	var sum float64
	for i, s := range scores {
		if math.IsNaN(s) || s < 0 || s > 1 {
			return 0, 0, fmt.Errorf("inbound: score %d is %v, want a probability in [0, 1]", i, s)
		}
		if s >= threshold {
			n++
			sum += s
		}
	}
	if n == 0 {
		return 0, 0, fmt.Errorf("inbound: no customer scores at or above the threshold %.3f", threshold)
	}
	return float64(n) / float64(len(scores)), sum / float64(n), nil
}

func finiteNonNeg(name string, v float64) error {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Errorf("%s must be a number, got %v", name, v)
	case v < 0:
		return fmt.Errorf("%s must not be negative, got %s", name, trimFloat(v))
	case v > MaxAmount:
		return fmt.Errorf("%s must be at most 1e12 (%s), got %s", name, "1,000,000,000,000", trimFloat(v))
	}
	return nil
}

// MaxAmount bounds every count and money input of a simulation (volume, profit, cost, fixed
// cost, base, contacts, margin): products of two inputs stay far from overflow, so every
// result prints as a number and saves as JSON.
const MaxAmount = 1e12

func share(name string, v float64) error {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Errorf("%s must be a number, got %v", name, v)
	case v < 0:
		return fmt.Errorf("%s must be between 0 and 1 (0 %% … 100 %%), got %s", name, trimFloat(v))
	case v > 1:
		return fmt.Errorf("%s must be between 0 and 1 (0 %% … 100 %%), got %s (%s %%)", name, trimFloat(v), trimFloat(v*100))
	}
	return nil
}

func trimFloat(v float64) string { return fmt.Sprintf("%g", v) }

// roundCount rounds a count to 1e-6, removing binary floating-point noise from products of
// decimal inputs.
func roundCount(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// roundMoney rounds an amount to the cent.
func roundMoney(v float64) float64 { return math.Round(v*100) / 100 }
