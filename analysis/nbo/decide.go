package nbo

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// History is what the rules need to know of one customer at the moment of deciding.
type History struct {
	Segment string // value segment (top, middle, low; "" = unknown)
	// PeriodStart is the start of the contact-cap period the decision falls in (periods are
	// consecutive blocks of Rules.PeriodMonths from the scoring date); zero = the rolling
	// window of PeriodMonths before the decision.
	PeriodStart time.Time
	Eligible    bool        // the rules' eligibility expression holds for the customer
	OptOuts     []OptOut    // every opt-out row of the customer
	Offers      []PastOffer // outbound offers made or planned (recent enough to matter)
}

// OptOut is one opt-out: Product 0 = all products, Channel "" = all channels.
type OptOut struct {
	Product int
	Channel string
	Since   time.Time
}

// Covers reports whether the opt-out forbids offering product through channel.
func (o OptOut) Covers(product int, channel string) bool {
	return (o.Product == 0 || o.Product == product) && (o.Channel == "" || o.Channel == channel)
}

// PastOffer is an outbound offer made (Outcome accepted, declined, no_response) or planned
// (Outcome "", a registered campaign member not yet contacted).
type PastOffer struct {
	TS      time.Time
	Product int
	Channel string
	Outcome string
}

// Candidate is one possible offer: a product through a channel with its total-model score.
type Candidate struct {
	Product   int
	Objective string
	Owned     bool // the customer holds the product now
	Channel   string
	P         float64 // P(accept | offered through Channel)
	Value     float64 // expected value = P × margin (× churn risk) − contact cost
	Cost      float64 // the contact cost
	Model     string  // model version(s) behind P
	Reason    string  // reason code
}

// Offer is a candidate that passed every rule, with its rank (1 = next best offer) and tier.
type Offer struct {
	Candidate
	Rank int
	Tier int
}

// The rules a candidate can fail, in the order they are checked.
const (
	RuleOwned         = "already owned"
	RuleNotHeld       = "not held (retention)"
	RuleOptOut        = "opt-out"
	RuleEligibility   = "eligibility"
	RuleCoolDown      = "cool-down"
	RulePending       = "offer pending"
	RuleCap           = "cap per period"
	RuleChannelCap    = "channel cap"
	RuleMinPropensity = "minimum propensity"
	RuleNoValue       = "no positive value"
	RuleMaxOffers     = "max offers per contact"
	RuleDemoted       = "tier priority" // not a removal: ranked below an earlier tier
)

// RuleOrder lists the rules in the order Decide applies them (for reports).
var RuleOrder = []string{RuleOwned, RuleNotHeld, RuleOptOut, RuleEligibility, RuleCoolDown, RulePending, RuleCap,
	RuleChannelCap, RuleMinPropensity, RuleNoValue, RuleMaxOffers}

// Step is one line of a decision trace: a rule that removed or demoted an offer.
type Step struct {
	Product int
	Channel string
	Rule    string
	Detail  string
}

func (s Step) String() string {
	return fmt.Sprintf("P%02d %s: %s — %s", s.Product, s.Channel, s.Rule, s.Detail)
}

// Usage is how much of the contact policy a customer has used at a moment.
type Usage struct {
	Total     int
	ByChannel map[string]int
	Cap       int // the customer's cap per period
}

// Usage counts the customer's outbound offers (made or planned) in the cap period ending at
// at (and planned ones after it).
func (r *Rules) Usage(at time.Time, h *History) Usage {
	from := at.AddDate(0, -r.PeriodMonths, 0)
	if !h.PeriodStart.IsZero() {
		from = h.PeriodStart.Add(-time.Nanosecond)
	}
	u := Usage{Cap: r.Cap(h.Segment)}
	for _, o := range h.Offers {
		if o.TS.After(from) {
			if u.ByChannel == nil {
				u.ByChannel = map[string]int{}
			}
			u.Total++
			u.ByChannel[o.Channel]++
		}
	}
	return u
}

// check returns the first rule cand fails at time at, with a detail in words; "" when it passes.
func (r *Rules) check(at time.Time, w cutoffs, h *History, u Usage, c *Candidate, trace bool) (string, string) {
	if c.Objective == ObjRetention {
		if !c.Owned {
			return RuleNotHeld, "retention offers go to holders of the product"
		}
	} else if c.Owned {
		return RuleOwned, "the customer holds the product"
	}
	for _, o := range h.OptOuts {
		if o.Covers(c.Product, c.Channel) {
			what := "all contact"
			switch {
			case o.Product != 0 && o.Channel != "":
				what = fmt.Sprintf("product %d by %s", o.Product, o.Channel)
			case o.Product != 0:
				what = fmt.Sprintf("product %d", o.Product)
			case o.Channel != "":
				what = o.Channel
			}
			if !trace {
				return RuleOptOut, ""
			}
			return RuleOptOut, "opted out of " + what + " since " + o.Since.Format(time.DateOnly)
		}
	}
	if !h.Eligible {
		return RuleEligibility, "the rules' eligibility expression is not true for the customer"
	}
	if r.CoolDownDays > 0 {
		for _, o := range h.Offers {
			if o.Product == c.Product && o.Outcome == "declined" && o.TS.After(w.coolDown) {
				if !trace {
					return RuleCoolDown, ""
				}
				return RuleCoolDown, fmt.Sprintf("declined on %s, no new offer until %s", o.TS.Format(time.DateOnly),
					o.TS.AddDate(0, 0, r.CoolDownDays).Format(time.DateOnly))
			}
		}
	}
	for _, o := range h.Offers {
		if o.Product == c.Product && o.Outcome == "" && !o.TS.Before(w.pending) {
			if !trace {
				return RulePending, ""
			}
			return RulePending, "already in a registered campaign from " + o.TS.Format(time.DateOnly) + " without an outcome yet"
		}
	}
	if u.Total >= u.Cap {
		if !trace {
			return RuleCap, ""
		}
		return RuleCap, strconv.Itoa(u.Total) + " of " + strconv.Itoa(u.Cap) + " offers in this " + strconv.Itoa(r.PeriodMonths) + "-month period"
	}
	if cc := r.channelCap(c.Channel); cc > 0 && u.ByChannel[c.Channel] >= cc {
		if !trace {
			return RuleChannelCap, ""
		}
		return RuleChannelCap, fmt.Sprintf("%d of %d %s offers in this %d-month period", u.ByChannel[c.Channel], cc, c.Channel, r.PeriodMonths)
	}
	if c.P < r.MinPropensity {
		if !trace {
			return RuleMinPropensity, ""
		}
		return RuleMinPropensity, "P(accept) " + strconv.FormatFloat(100*c.P, 'f', 3, 64) + "% below the minimum " + strconv.FormatFloat(100*r.MinPropensity, 'f', 3, 64) + "%"
	}
	if !(c.Value > 0) {
		if !trace {
			return RuleNoValue, ""
		}
		return RuleNoValue, "expected value " + strconv.FormatFloat(c.Value, 'f', 2, 64) + " after the contact cost"
	}
	return "", ""
}

// cutoffs are the moments check compares past offers with, computed once per decision.
type cutoffs struct {
	coolDown time.Time // a refusal after it is inside the cool-down
	pending  time.Time // a planned offer from it on is still pending
}

// cutoffsAt are the cutoffs of a decision at at.
func (r *Rules) cutoffsAt(at time.Time) cutoffs {
	w := cutoffs{pending: at.AddDate(0, 0, -7*8)}
	if r.CoolDownDays > 0 {
		w.coolDown = at.AddDate(0, 0, -r.CoolDownDays)
	}
	return w
}

// channelCap is ChannelCap without a map lookup when no channel has rules.
func (r *Rules) channelCap(ch string) int {
	if len(r.Channels) == 0 {
		return 0
	}
	return r.Channels[ch].CapPerPeriod
}

// Decision is the outcome of the rules for one customer.
type Decision struct {
	Offers  []Offer // ranked: by tier, then expected value; one channel per product
	Trace   []Step  // every removal and demotion, in candidate order
	Removed map[string]int
	Usage   Usage
}

// Decide applies the rules at time at to a customer's candidates (any number of channels per
// product). It keeps, per product, the passing channel of highest value, ranks the kept
// offers by tier and then by value, and cuts the list at limit (0 = no cut). With trace the
// Decision lists every removal and demotion; Removed counts removals by rule either way.
// Decide is pure: the same inputs give the same decision.
func (r *Rules) Decide(at time.Time, h *History, cands []Candidate, limit int, trace bool) Decision {
	return r.decide(at, h, cands, limit, trace, nil, nil)
}

// decide is Decide with a work buffer for the ranking (reused between calls; the returned
// offers are a copy) and, when removed is not nil, the removals counted into it instead of
// Decision.Removed (a batch over a million customers allocates neither per customer).
func (r *Rules) decide(at time.Time, h *History, cands []Candidate, limit int, trace bool, work *[]Offer, removed map[string]int) Decision {
	d := Decision{Usage: r.Usage(at, h)}
	if work != nil {
		d.Offers = (*work)[:0]
	} else {
		d.Offers = make([]Offer, 0, min(len(cands), 32))
	}
	count := func(rule string) {
		if removed != nil {
			removed[rule]++
			return
		}
		if d.Removed == nil {
			d.Removed = map[string]int{}
		}
		d.Removed[rule]++
	}
	w := r.cutoffsAt(at)
	for i := range cands {
		c := &cands[i]
		rule, detail := r.check(at, w, h, d.Usage, c, trace)
		if rule != "" {
			count(rule)
			if trace {
				d.Trace = append(d.Trace, Step{Product: c.Product, Channel: c.Channel, Rule: rule, Detail: detail})
			}
			continue
		}
		j := -1
		for x := range d.Offers {
			if d.Offers[x].Product == c.Product {
				j = x
				break
			}
		}
		if j >= 0 {
			if c.Value > d.Offers[j].Value {
				d.Offers[j].Candidate = *c
			}
			continue
		}
		d.Offers = append(d.Offers, Offer{Candidate: *c, Tier: r.Tier(c.Objective)})
	}
	slices.SortStableFunc(d.Offers, func(a, b Offer) int {
		if a.Tier != b.Tier {
			return cmp.Compare(a.Tier, b.Tier)
		}
		if a.Value != b.Value {
			return -cmp.Compare(a.Value, b.Value)
		}
		return cmp.Compare(a.Product, b.Product)
	})
	if trace {
		// A demotion: an offer ranked below one of an earlier tier although worth more.
		for i := range d.Offers {
			for j := 0; j < i; j++ {
				if d.Offers[j].Tier < d.Offers[i].Tier && d.Offers[j].Value < d.Offers[i].Value {
					d.Trace = append(d.Trace, Step{Product: d.Offers[i].Product, Channel: d.Offers[i].Channel, Rule: RuleDemoted,
						Detail: fmt.Sprintf("worth %.2f but ranked after product %d (tier %s first)", d.Offers[i].Value,
							d.Offers[j].Product, r.tierName(d.Offers[j].Tier))})
					break
				}
			}
		}
	}
	for i := range d.Offers {
		d.Offers[i].Rank = i + 1
	}
	// Cut the list: at most limit offers, and every kept offer counts against the cap and
	// the channel cap as if made now.
	// detail is formatted only for a trace (a batch of a million customers builds no strings).
	remove := func(o Offer, rule string, detail func() string) {
		count(rule)
		if trace {
			d.Trace = append(d.Trace, Step{Product: o.Product, Channel: o.Channel, Rule: rule, Detail: detail()})
		}
	}
	keep := d.Offers[:0]
	var perCh map[string]int
	if len(r.Channels) > 0 && limit != 1 {
		perCh = map[string]int{}
	}
	for _, o := range d.Offers {
		switch {
		case limit > 0 && len(keep) >= limit:
			remove(o, RuleMaxOffers, func() string { return fmt.Sprintf("rank %d; a contact carries at most %d", o.Rank, limit) })
		case d.Usage.Total+len(keep) >= d.Usage.Cap:
			n := d.Usage.Total + len(keep)
			remove(o, RuleCap, func() string {
				return fmt.Sprintf("rank %d; %d of %d offers in this %d-month period with the ones above", o.Rank, n, d.Usage.Cap, r.PeriodMonths)
			})
		case r.channelCap(o.Channel) > 0 && d.Usage.ByChannel[o.Channel]+perCh[o.Channel] >= r.channelCap(o.Channel):
			remove(o, RuleChannelCap, func() string {
				return fmt.Sprintf("rank %d; %s cap %d reached with the ones above", o.Rank, o.Channel, r.ChannelCap(o.Channel))
			})
		default:
			if perCh != nil {
				perCh[o.Channel]++
			}
			keep = append(keep, o)
		}
	}
	d.Offers = keep
	for i := range d.Offers {
		d.Offers[i].Rank = i + 1
	}
	if work != nil {
		*work = d.Offers[:0]
		d.Offers = slices.Clone(d.Offers)
	}
	return d
}

func (r *Rules) tierName(i int) string {
	if i < len(r.Tiers) {
		return r.Tiers[i].Name
	}
	return "other"
}
