package nbo

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var objectives = []string{ObjRetention, ObjCrossSell, ObjUpsell}

// randomRules draws a valid rules set: caps, channel caps, cool-down, minimum propensity,
// offers per contact, a shuffled tier order and segment caps.
func randomRules(r *rand.Rand) *Rules {
	rl := DefaultRules()
	rl.CapPerPeriod = 1 + r.IntN(5)
	rl.CoolDownDays = r.IntN(181)
	rl.MinPropensity = r.Float64() * 0.05
	rl.MaxOffersPerContact = 1 + r.IntN(3)
	obj := append([]string(nil), objectives...)
	r.Shuffle(len(obj), func(i, j int) { obj[i], obj[j] = obj[j], obj[i] })
	rl.Tiers = []Tier{{Name: "a", Objectives: obj[:1]}, {Name: "b", Objectives: obj[1:]}}
	rl.Channels = map[string]ChannelRule{}
	for _, ch := range OutboundChannels {
		rl.Channels[ch] = ChannelRule{CapPerPeriod: r.IntN(3)}
	}
	if r.IntN(2) == 0 {
		rl.CapBySegment = map[string]int{"top": 1 + r.IntN(6)}
	}
	return rl
}

// randomCustomer draws a history (opt-outs, offers made in the last 200 days, segment,
// eligibility) and candidates for 8 products through 4 channels.
func randomCustomer(r *rand.Rand, at time.Time) (*History, []Candidate) {
	h := &History{Segment: []string{"top", "middle", "low"}[r.IntN(3)], Eligible: r.IntN(10) > 0,
		PeriodStart: at.AddDate(0, -r.IntN(4), 0)}
	for n := r.IntN(3); n > 0; n-- {
		o := OptOut{Since: at.AddDate(0, 0, -r.IntN(400))}
		if r.IntN(2) == 0 {
			o.Product = 1 + r.IntN(8)
		}
		if r.IntN(2) == 0 {
			o.Channel = OutboundChannels[r.IntN(4)]
		}
		h.OptOuts = append(h.OptOuts, o)
	}
	for n := r.IntN(6); n > 0; n-- {
		h.Offers = append(h.Offers, PastOffer{TS: at.Add(-time.Duration(r.IntN(200*24)) * time.Hour), Product: 1 + r.IntN(8),
			Channel: OutboundChannels[r.IntN(4)], Outcome: []string{"accepted", "declined", "no_response", "declined"}[r.IntN(4)]})
	}
	var cands []Candidate
	for k := 1; k <= 8; k++ {
		obj := objectives[k%3]
		owned := r.IntN(3) == 0
		for _, ch := range OutboundChannels {
			p := r.Float64() * 0.2
			cands = append(cands, Candidate{Product: k, Objective: obj, Owned: owned, Channel: ch, P: p,
				Value: p*1000 - 20*r.Float64() - 2})
		}
	}
	return h, cands
}

// violations lists every rule the decision breaks for the customer.
func violations(rl *Rules, at time.Time, h *History, d Decision, limit int) []string {
	var bad []string
	u := rl.Usage(at, h)
	if len(d.Offers) > 0 && u.Total+len(d.Offers) > u.Cap {
		bad = append(bad, "cap exceeded")
	}
	if limit > 0 && len(d.Offers) > limit {
		bad = append(bad, "more offers than a contact carries")
	}
	perCh := map[string]int{}
	seen := map[int]bool{}
	for i, o := range d.Offers {
		if seen[o.Product] {
			bad = append(bad, "product offered twice")
		}
		seen[o.Product] = true
		perCh[o.Channel]++
		if cc := rl.ChannelCap(o.Channel); cc > 0 && u.ByChannel[o.Channel]+perCh[o.Channel] > cc {
			bad = append(bad, "channel cap exceeded")
		}
		for _, x := range h.OptOuts {
			if x.Covers(o.Product, o.Channel) {
				bad = append(bad, "opted-out product/channel offered")
			}
		}
		if (o.Objective == ObjRetention) != o.Owned {
			bad = append(bad, "owned product offered (or retention to a non-holder)")
		}
		if !h.Eligible {
			bad = append(bad, "ineligible customer offered")
		}
		for _, p := range h.Offers {
			if p.Product == o.Product && p.Outcome == "declined" && p.TS.After(at.AddDate(0, 0, -rl.CoolDownDays)) {
				bad = append(bad, "offer inside a cool-down")
			}
		}
		if o.P < rl.MinPropensity || !(o.Value > 0) {
			bad = append(bad, "below minimum propensity or without value")
		}
		if i > 0 && o.Tier < d.Offers[i-1].Tier {
			bad = append(bad, "tier order broken")
		}
		if o.Rank != i+1 {
			bad = append(bad, "rank out of sequence")
		}
	}
	return bad
}

// TestDecidePropertyRulesHold runs 100,000 randomized customers, rule sets and histories,
// each through three successive contacts in the same period (the offers of one contact become
// history for the next): no rule is ever broken.
func TestDecidePropertyRulesHold(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	r := rand.New(rand.NewPCG(13, 17))
	at0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	offered := 0
	for c := 0; c < n; c++ {
		rl := randomRules(r)
		h, cands := randomCustomer(r, at0)
		at := at0
		for step := 0; step < 3; step++ {
			limit := rl.MaxOffersPerContact
			d := rl.Decide(at, h, cands, limit, step == 0)
			if bad := violations(rl, at, h, d, limit); len(bad) > 0 {
				t.Fatalf("customer %d step %d: %s\nrules %+v\nhistory %+v\noffers %+v", c, step, strings.Join(bad, "; "), rl, h, d.Offers)
			}
			if step == 0 && len(d.Trace) == 0 && len(d.Offers) < len(cands) {
				t.Fatalf("customer %d: candidates removed without a trace", c)
			}
			for _, o := range d.Offers {
				h.Offers = append(h.Offers, PastOffer{TS: at, Product: o.Product, Channel: o.Channel})
				offered++
			}
			at = at.AddDate(0, 0, 7)
		}
	}
	if offered < n/2 {
		t.Errorf("only %d offers over %d customers: the generator hardly tests anything", offered, n)
	}
}

func TestDecideTraceNamesEachRule(t *testing.T) {
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rl := DefaultRules()
	h := &History{Eligible: true, Segment: "middle", PeriodStart: at,
		OptOuts: []OptOut{{Product: 3, Channel: "mail", Since: at.AddDate(0, -1, 0)}},
		Offers:  []PastOffer{{TS: at.AddDate(0, 0, -10), Product: 4, Channel: "email", Outcome: "declined"}}}
	cands := []Candidate{
		{Product: 1, Objective: ObjRetention, Owned: true, Channel: "mail", P: 0.05, Value: 10},
		{Product: 2, Objective: ObjCrossSell, Owned: true, Channel: "mail", P: 0.2, Value: 300},
		{Product: 3, Objective: ObjCrossSell, Channel: "mail", P: 0.2, Value: 300},
		{Product: 4, Objective: ObjCrossSell, Channel: "mail", P: 0.2, Value: 300},
		{Product: 5, Objective: ObjCrossSell, Channel: "mail", P: 0.0001, Value: 1},
		{Product: 6, Objective: ObjCrossSell, Channel: "mail", P: 0.01, Value: -3},
		{Product: 7, Objective: ObjUpsell, Channel: "mail", P: 0.1, Value: 50},
		{Product: 8, Objective: ObjRetention, Owned: false, Channel: "mail", P: 0.1, Value: 50},
	}
	d := rl.Decide(at, h, cands, 1, true)
	if len(d.Offers) != 1 || d.Offers[0].Product != 1 {
		t.Fatalf("offers %+v, want product 1 (retention tier first)", d.Offers)
	}
	want := map[int]string{2: RuleOwned, 3: RuleOptOut, 4: RuleCoolDown, 5: RuleMinPropensity, 6: RuleNoValue, 7: RuleMaxOffers, 8: RuleNotHeld}
	got := map[int]string{}
	for _, s := range d.Trace {
		if s.Rule != RuleDemoted {
			got[s.Product] = s.Rule
		}
	}
	for p, rule := range want {
		if got[p] != rule {
			t.Errorf("product %d: trace rule %q, want %q (trace %v)", p, got[p], rule, d.Trace)
		}
	}
	demoted := false
	for _, s := range d.Trace {
		if s.Rule == RuleDemoted && s.Product == 7 {
			demoted = true
		}
	}
	if !demoted {
		t.Errorf("the upsell offer worth more than the retention offer is not traced as demoted: %v", d.Trace)
	}
}
