package sampledata

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Drifts of NextPeriod: what changes in the market at the start of the new period.
const (
	DriftNone          = "none"           // the market stays as it is (customers only age)
	DriftSegmentShift  = "segment-shift"  // the customer mix moves: more data, more subscriptions, more digital
	DriftAppealChange  = "appeal-change"  // one product's appeal turns towards digital customers, and customers turn more digital
	DriftNewCompetitor = "new-competitor" // a competitor enters three provinces: mobile and broadband sell less there and churn more
)

// Drifts lists the --drift values of acrm sample next-period.
var Drifts = []string{DriftNone, DriftSegmentShift, DriftAppealChange, DriftNewCompetitor}

// DefaultAppealProduct is the product whose appeal changes when no campaign of the period
// names one (ICT-M365).
const DefaultAppealProduct = 16

// competitorRegions are the provinces a new competitor enters (indices into regions).
var competitorRegions = map[int]bool{0: true, 1: true, 2: true} // Noord-Holland, Zuid-Holland, Utrecht

// Organic (unprompted) purchases: a customer who does not hold product k buys it within a
// half-year period, without being offered it, with probability
//
//	o(c, k) = min(0.5, organicScale · r_k · p_true(c, k) · (p_true(c, k) / base_k) · d(c))
//
// times the product's appeal multiplier under drift, on a uniform day of the period. The
// product's own propensity enters twice (those most likely to hold it are the ones who go and
// buy it), and d(c) is the customer's self-service disposition (SelfService), driven by
// attributes the offer response does not use: digital affinity, satisfaction (NPS), tenure
// and payment behaviour. So the customers who buy anyway ("sure things") are not simply the
// most likely to accept an offer.
const organicScale = 4.0

// SelfService is d(c) = σ(−4 + 12·(digital_affinity − 0.5) + 0.8·(nps − 7)/2 +
// 0.6·tenure_months/60 − min(payment_delay_days, 60)/30), NPS 7 when not surveyed: the
// disposition to buy unprompted (about 0.02 at the median customer, above 0.5 for one in
// twenty). It is also the chance that an outbound offer the customer does not accept puts
// them off buying the product on their own later in the period (PutOff): self-directed
// buyers do not like being sold to ("do-not-disturbs").
func SelfService(c *Customer) float64 {
	f := featuresOf(c, false, false, false)
	return sigmoid(-4 + 12*(c.Digital-0.5) + 0.8*f.npsz + 0.6*f.ten - f.delay)
}

// PutOff is the chance that an outbound offer customer c does not accept cancels their
// organic purchase of that product later in the period: d(c) (SelfService).
func PutOff(c *Customer) float64 { return SelfService(c) }

// OrganicRate is o(c, k) for product k (1-based) with p_true p, before any drift.
func (t *Truth) OrganicRate(k int, p float64, c *Customer) float64 {
	return math.Min(0.5, organicScale*t.response[k-1]*p*(p/t.products[k-1].BaseRate)*SelfService(c))
}

// Segments of a campaign member by its true effect (sample_truth_uplift.segment).
const (
	SegPersuadable  = "persuadable"    // converts mostly because of the offer
	SegSureThing    = "sure thing"     // would convert about as much without it
	SegLostCause    = "lost cause"     // converts rarely either way (below 1 %)
	SegDoNotDisturb = "do-not-disturb" // the offer lowers the chance to convert
)

// UpliftSegment classifies a member by P(convert | offered) and P(convert | not offered):
// do-not-disturb when the offer lowers it, lost cause when both are below 1 %, sure thing
// when the chance without the offer is at least the offer's effect, else persuadable.
func UpliftSegment(treated, control float64) string {
	switch u := treated - control; {
	case u < 0:
		return SegDoNotDisturb
	case treated < 0.01:
		return SegLostCause
	case control >= u:
		return SegSureThing
	}
	return SegPersuadable
}

// convertProbs are a campaign member's true chances to convert in the campaign's window (its
// start to followDays after its end) with and without the offer: a = P(accept), o the organic
// rate over the period [p0, p1), the campaign's start s, the contact tt, the window's end u,
// κ the put-off. With q0, q1, q2 the organic chances before the start, between the start and
// the contact and between the contact and u:
//
//	treated = q1 + (1 − q0 − q1)·a + q2·(1 − a)·(1 − κ),   control = q1 + q2.
func convertProbs(a, o, kappa float64, p0, p1, s, tt, u int64) (treated, control float64) {
	span := float64(p1 - p0)
	q0 := o * float64(max(0, s-p0)) / span
	q1 := o * float64(max(0, tt-s)) / span
	q2 := o * float64(max(0, u-tt)) / span
	return q1 + (1-q0-q1)*a + q2*(1-a)*(1-kappa), q1 + q2
}

// market is the truth's drift: products whose appeal changed and whether the competitor is in.
type market struct {
	appeal     map[int]bool
	competitor bool
	organic    float64 // scale of the organic rates (1 = OrganicRate as it stands)
}

// organicRate is customer c's organic rate of product k in this market: OrganicRate times the
// market's organic scale, times the drift's factor, at most 0.5.
func (m *market) organicRate(t *Truth, k int, p float64, c *Customer) float64 {
	scale := 1.0
	if m != nil && m.organic > 0 {
		scale = m.organic
	}
	return math.Min(0.5, t.OrganicRate(k, p, c)*scale*m.acceptMult(k, c))
}

// acceptMult is the factor drift puts on customer c's chance to take product k (offered or
// organically). appeal-change: exp(3 · (digital_affinity − 0.6)) (0.41 at 0.3, 1 at 0.6, 1.8 at
// 0.8); new-competitor: 0.5 for the mobile and broadband families in its provinces.
func (m *market) acceptMult(k int, c *Customer) float64 {
	if m == nil {
		return 1
	}
	f := 1.0
	if m.appeal[k] {
		f *= math.Exp(3 * (c.Digital - 0.6))
	}
	if m.competitor && competitorRegions[c.Region] {
		if fam := catalog[k-1].Family; fam == "mobile" || fam == "broadband" {
			f *= 0.5
		}
	}
	return f
}

// catalog is the product list the market draws from.
var catalog = Products()

// NextOptions are the options of NextPeriod.
type NextOptions struct {
	Drift      string // one of Drifts; "" = none
	Product    int    // appeal-change: the product whose appeal changes; 0 = the product of the period's first campaign, else DefaultAppealProduct
	Seed       uint64 // random seed of the period's draws
	FollowDays int    // days after a campaign's end its conversions are counted in the true uplift (0 = 30, as acrm monitor)
	// Organic scales every organic rate from this period on (0 = keep the scale in force,
	// 1 at first): a market where more customers buy unprompted ("sure things"), so that
	// ranking by propensity and ranking by uplift differ more. Recorded in sample_truth_meta
	// (key organic_scale).
	Organic float64
}

// TrueUplift is the true effect of one campaign of the period: the mean over its contacted
// members of P(convert | offered) − P(convert | not offered) within the campaign's window and
// follow-up, from the truth (accept probability and organic rate).
type TrueUplift struct {
	CampaignID int
	ProductID  int
	Contacted  int
	Treated    float64 // mean P(convert | offered)
	Control    float64 // mean P(convert | not offered)
	Uplift     float64
}

// NextSummary counts what NextPeriod wrote.
type NextSummary struct {
	Period       int // 5 for the first period after the history, …
	Start, End   time.Time
	Drift        string
	DriftProduct int // appeal-change: the product
	Campaigns    []RespondSummary
	Uplift       []TrueUplift
	Inbound      int // inbound contacts
	InboundOffer int // of which carried the workspace's best offer
	InboundAcc   int
	Organic      int // unprompted purchases
	PutOff       int // organic purchases an unaccepted campaign offer cancelled
	NewHoldings  int // holdings opened (accepted offers and organic purchases)
	Churned      int // holdings ended
	OptOuts      int
	Events       int
	Customers    int
	Holdout      int // customers in the period's global hold-out
	HoldoutID    int // its campaign (selection 'control', no product)
	Withheld     int // members of the period's campaigns withheld because they are in it
}

// withheldMember is a contacted member of a period's campaign who falls in the period's
// global hold-out: the member row becomes cell 'holdout', not contacted.
type withheldMember struct {
	campaign int
	customer int64
}

// ErrNoHistory is returned by NextPeriod when the workspace has no sample history to extend.
var ErrNoHistory = errors.New("no sample datamart to extend")

type nextCampaign struct {
	id         int
	product    int
	channel    string
	start, end time.Time
}

// NextPeriod appends one half year of history to the sample datamart in ws, drawn from the
// ground truth: the period starts the day after the snapshot (the latest contact).
//
//   - Drift first (customers change at the start of the period, recorded in sample_truth_meta
//     key 'drift'; appeal-change and new-competitor stay in force in later periods), then every
//     customer ages by six months (tenure_months; contract_end_months runs down, an ended
//     contract is renewed or lapses).
//   - The campaigns registered for the period (start_date in it, one product, contacted members
//     without a contact: what acrm select and acrm plan registered from the workspace's scored
//     offers and rules) are answered by the market simulator as acrm sample respond does,
//     with the contact-frequency curve over the history and the period's other campaigns.
//   - Inbound contacts (about 10 % of customers a month), some telling an event as in the
//     history, and the contract-end events of the contract administration; a third carry the customer's best
//     offer from acrm_nbo_offers when the workspace has scored offers, except for members of
//     the period's campaigns (their conversion is the campaign's to measure).
//   - Organic purchases (OrganicRate): control customers buy too; an offer made after the
//     customer bought the product unprompted does not convert.
//   - Holdings: accepted cross-sell/upsell offers and organic purchases open one; churn ends
//     open holdings (retention products 5 % a half year, more with payment delays, less after a
//     renewal, three times as much where the competitor is; other products 3 %).
//   - sample_truth: p_true is recomputed for the customers as they are now and p_organic (the
//     period's organic rate) is added; sample_truth_uplift holds every contacted member's
//     true P(convert) with and without the offer, and sample_truth_meta key 'true_uplift' the
//     mean per campaign (note 'campaign ID').
//
// Everything is written in one transaction: the period is appended whole or not at all.
func NextPeriod(ctx context.Context, ws *workspace.Workspace, opt NextOptions) (NextSummary, error) {
	var sum NextSummary
	if opt.Drift == "" {
		opt.Drift = DriftNone
	}
	known := false
	for _, d := range Drifts {
		known = known || d == opt.Drift
	}
	if !known {
		return sum, fmt.Errorf("sampledata: next period: drift %q: want one of %s", opt.Drift, strings.Join(Drifts, ", "))
	}
	if opt.Product < 0 || opt.Product > NumProducts {
		return sum, fmt.Errorf("sampledata: next period: product %d: want 1..%d", opt.Product, NumProducts)
	}
	if opt.FollowDays <= 0 {
		opt.FollowDays = 30
	}
	for _, t := range []string{"customers", "holdings", "contacts", "campaigns", "campaign_members", "optouts", "events", "sample_truth", "sample_truth_meta"} {
		ok, err := ws.HasTable(ctx, t)
		if err != nil {
			return sum, fmt.Errorf("sampledata: next period: %w", err)
		}
		if !ok {
			return sum, fmt.Errorf("sampledata: next period: %s has no %s table: %w (create one with acrm sample)", ws.Path(), t, ErrNoHistory)
		}
	}
	var last sql.NullTime
	if err := ws.QueryRowContext(ctx, `SELECT CAST(max(ts) AS TIMESTAMP) FROM contacts`).Scan(&last); err != nil {
		return sum, fmt.Errorf("sampledata: next period: %w", err)
	}
	if !last.Valid {
		return sum, fmt.Errorf("sampledata: next period: %s: contacts is empty: %w", ws.Path(), ErrNoHistory)
	}
	p0 := last.Time.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	p1 := p0.AddDate(0, 6, 0)
	sum.Start, sum.End = p0, p1.AddDate(0, 0, -1)
	var done int
	if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM sample_truth_meta WHERE key = 'period'`).Scan(&done); err != nil {
		return sum, fmt.Errorf("sampledata: next period: %w", err)
	}
	sum.Period = Periods + done + 1
	sum.Drift = opt.Drift

	// The market as earlier periods left it.
	mk, err := readMarket(ctx, ws)
	if err != nil {
		return sum, err
	}

	// The period's registered campaigns.
	camps, err := periodCampaigns(ctx, ws, p0, p1)
	if err != nil {
		return sum, err
	}
	if opt.Drift == DriftAppealChange {
		sum.DriftProduct = opt.Product
		if sum.DriftProduct == 0 {
			sum.DriftProduct = DefaultAppealProduct
			if len(camps) > 0 {
				sum.DriftProduct = camps[0].product
			}
		}
		mk.appeal[sum.DriftProduct] = true
	}
	if opt.Drift == DriftNewCompetitor {
		mk.competitor = true
	}
	if opt.Organic < 0 || math.IsNaN(opt.Organic) || opt.Organic > 100 {
		return sum, fmt.Errorf("sampledata: next period: organic scale %v: want 0 (keep) or a factor up to 100", opt.Organic)
	}
	if opt.Organic > 0 {
		mk.organic = opt.Organic
	}

	profiles, err := LoadProfiles(ctx, ws)
	if err != nil {
		return sum, fmt.Errorf("sampledata: next period: %w", err)
	}
	sum.Customers = len(profiles)
	ids := make([]int64, 0, len(profiles))
	for id := range profiles {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	pseed := opt.Seed ^ uint64(sum.Period)*0x9e3779b97f4a7c15
	// Drift of the customers, then six months of age.
	for _, id := range ids {
		c := &profiles[id].Customer
		r := rand.New(rand.NewPCG(pseed^0xd1f7, uint64(id)))
		u := r.Float64()
		switch opt.Drift {
		case DriftSegmentShift:
			if u < 0.4 {
				c.DataGB = math.Round(c.DataGB*1.8*10) / 10
				c.MobileSubs += 1 + c.MobileSubs/3
				c.Digital = math.Round(clamp01(c.Digital+0.1)*1000) / 1000
			}
		case DriftAppealChange:
			if u < 0.5 {
				c.Digital = math.Round(clamp01(c.Digital+0.2)*1000) / 1000
			}
		}
		c.Tenure += 6
		// The running contract runs six months down; an ended one is renewed (70 %) or lapses.
		if c.ContractEnd >= 0 {
			c.ContractEnd -= 6
			if c.ContractEnd < 0 {
				if r.Float64() < 0.7 {
					c.ContractEnd += 12 + 12*r.IntN(3)
				} else {
					c.ContractEnd = -1
				}
			}
		}
	}

	t := GetTruth()
	span := p1.Unix() - p0.Unix()
	// Organic purchases, drawn per customer from its own stream.
	organic := map[int64]int64{}
	pOrg := make(map[int64][]float64, len(ids))
	ptrue := make(map[int64][]float64, len(ids))
	for _, id := range ids {
		pr := profiles[id]
		has := func(k int) bool { return pr.Owned[k] }
		p := t.PTrueCustomer(&pr.Customer, has(ProdMobileVoice), has(ProdFixedVoice), has(ProdInternet), nil)
		ptrue[id] = p
		po := make([]float64, NumProducts)
		r := rand.New(rand.NewPCG(pseed^0x0a9a, uint64(id)))
		for k := 1; k <= NumProducts; k++ {
			o := mk.organicRate(t, k, p[k-1], &pr.Customer)
			po[k-1] = o
			u, v := r.Float64(), r.Float64()
			if !pr.Owned[k] && u < o {
				organic[id*64+int64(k)] = p0.Unix() + int64(v*float64(span))
			}
		}
		pOrg[id] = po
	}

	// The period's global hold-out: a random HoldoutShare of the base, drawn afresh each period,
	// gets no offer in the period (no campaign contact, no inbound offer).
	holdout := map[int64]bool{}
	for _, id := range ids {
		if rand.New(rand.NewPCG(pseed^0x401d, uint64(id))).Float64() < HoldoutShare {
			holdout[id] = true
		}
	}
	sum.Holdout = len(holdout)

	// Campaign contacts, as Respond plans them; members in the hold-out are withheld.
	var plans []PlannedContact
	var withheld []withheldMember
	members := map[int64]bool{}
	campIdx := map[int]int{}
	for i, c := range camps {
		campIdx[c.id] = i
		ms, err := pendingMembers(ctx, ws, c.id)
		if err != nil {
			return sum, err
		}
		kept := ms[:0]
		for _, id := range ms {
			if holdout[id] {
				withheld = append(withheld, withheldMember{c.id, id})
			} else {
				kept = append(kept, id)
			}
		}
		ms = kept
		all, err := allMembers(ctx, ws, c.id)
		if err != nil {
			return sum, err
		}
		for _, id := range all {
			members[id] = true
		}
		end := c.end
		if !end.Before(p1) {
			end = p1.AddDate(0, 0, -1)
		}
		days := int(end.Sub(c.start).Hours()/24) + 1
		for _, id := range ms {
			if profiles[id] == nil {
				return sum, fmt.Errorf("sampledata: next period: campaign %d: member %d is not in customers; nothing written", c.id, id)
			}
			plans = append(plans, PlannedContact{CustomerID: id, ProductID: c.product, Channel: c.channel,
				TS: contactTime(c.id, id, c.start, days), CampaignID: c.id})
		}
	}
	nCampaignPlans := len(plans)
	// Inbound contacts, a third with the workspace's best offer for the customer.
	best, err := bestOffers(ctx, ws)
	if err != nil {
		return sum, err
	}
	var events []eventRow
	type inboundRow struct {
		i       int // index into plans; -1 = no offer
		cust    int64
		ts      time.Time
		channel string
		reason  string
	}
	var inbound []inboundRow
	for _, id := range ids {
		r := rand.New(rand.NewPCG(pseed^0x1b0d, uint64(id)))
		for m := range 6 {
			if r.Float64() >= 0.1 {
				continue
			}
			ms := p0.AddDate(0, m, 0)
			ts := ms.Add(time.Duration(r.Int64N(ms.AddDate(0, 1, 0).Unix()-ms.Unix())) * time.Second)
			ch := ChannelInbound
			if r.Float64() < 0.25 {
				ch = ChannelWeb
			}
			reason := inboundReasons[pickWeighted(r, len(inboundReasons), func(i int) float64 { return inboundReasons[i].w })].name
			row := inboundRow{i: -1, cust: id, ts: ts, channel: ch, reason: reason}
			// An event told in the contact, as in the history.
			pe := 0.08
			if reason == "new_need" || reason == "move" {
				pe = 0.4
			}
			if r.Float64() < pe {
				c := &profiles[id].Customer
				ev := eventRow{cust: id, ts: tsT(ts.Unix())}
				switch u := r.Float64(); {
				case u < 0.3 && c.Locations >= 2:
					ev.kind, ev.value = "new_location", float64(c.Locations)
				case u < 0.65:
					ev.kind, ev.value = "more_employees", float64(c.Employees)
				case u < 0.9 && c.ContractEnd >= 0:
					ev.kind, ev.value = "contract_end", float64(c.ContractEnd)
				default:
					ev.kind = "moved"
				}
				events = append(events, ev)
			}
			if k := best[id]; k > 0 && !members[id] && r.Float64() < 1.0/3 && !holdout[id] {
				row.i = len(plans)
				plans = append(plans, PlannedContact{CustomerID: id, ProductID: k, Channel: ch, TS: ts})
			}
			inbound = append(inbound, row)
		}
	}
	// Contract-end events known from the contract administration, in the last 45 days.
	for _, id := range ids {
		c := &profiles[id].Customer
		if c.ContractEnd >= 0 && c.ContractEnd <= 6 {
			r := rand.New(rand.NewPCG(pseed^0xce0d, uint64(id)))
			d := p1.AddDate(0, 0, -1-r.IntN(45))
			events = append(events, eventRow{cust: id, ts: tsT(d.Unix() + int64(9*3600+r.IntN(8*3600))), kind: "contract_end", value: float64(c.ContractEnd)})
		}
	}
	sum.Events = len(events)
	prior, err := LoadPrior(ctx, ws, p0.AddDate(-1, 0, -1))
	if err != nil {
		return sum, fmt.Errorf("sampledata: next period: %w", err)
	}
	outs, err := simulateWith(ctx, plans, profiles, prior, pseed, mk, organic)
	if err != nil {
		return sum, fmt.Errorf("sampledata: next period: %w", err)
	}
	// An outbound offer not accepted puts the customer off a later organic purchase of the
	// product with probability PutOff.
	for i := 0; i < nCampaignPlans; i++ {
		o := outs[i]
		key := o.CustomerID*64 + int64(o.ProductID)
		ots, ok := organic[key]
		if !ok || o.Result == "accepted" || ots <= o.TS.Unix() {
			continue
		}
		r := rand.New(rand.NewPCG(pseed^0x0ff0, uint64(key)))
		if r.Float64() < PutOff(&profiles[o.CustomerID].Customer) {
			delete(organic, key)
			sum.PutOff++
		}
	}
	sum.Organic = len(organic)

	// New holdings (earliest per customer × product) and renewals.
	opened := map[int64]int64{}
	open := func(id int64, k int, ts int64) {
		key := id*64 + int64(k)
		if v, ok := opened[key]; !ok || ts < v {
			opened[key] = ts
		}
	}
	renewed := map[int64]bool{}
	for i, o := range outs {
		if o.Result != "accepted" {
			continue
		}
		if catalog[o.ProductID-1].IsRetention() {
			renewed[o.CustomerID*64+int64(o.ProductID)] = true
		} else {
			open(o.CustomerID, o.ProductID, o.TS.Unix())
		}
		if i >= nCampaignPlans {
			sum.InboundAcc++
		}
	}
	for key, ts := range organic {
		open(key/64, int(key%64), ts)
	}
	sum.NewHoldings = len(opened)

	// Churn of the holdings open at the start.
	type churnRow struct {
		cust int64
		prod int
		end  time.Time
	}
	var churn []churnRow
	for _, id := range ids {
		pr := profiles[id]
		r := rand.New(rand.NewPCG(pseed^0xc4a9, uint64(id)))
		for k := 1; k <= NumProducts; k++ {
			if !pr.Owned[k] {
				continue
			}
			q := 0.03
			if catalog[k-1].IsRetention() {
				q = 0.05 * (1 + math.Min(float64(pr.Customer.PaymentDelay), 60)/30)
				if renewed[id*64+int64(k)] {
					q *= 0.3
				}
				if mk.competitor && competitorRegions[pr.Customer.Region] {
					q *= 3
				}
			}
			u, v := r.Float64(), r.Float64()
			if u < q {
				churn = append(churn, churnRow{id, k, p0.Add(time.Duration(v*float64(span)) * time.Second).Truncate(24 * time.Hour)})
			}
		}
	}
	sum.Churned = len(churn)

	// The true uplift of the period's campaigns.
	upl := make([]TrueUplift, len(camps))
	type memberTruth struct {
		camp       int
		cust       int64
		prod       int
		pt, pc     float64
		contactUTC time.Time
		segment    string
	}
	var mtruth []memberTruth
	for i := range camps {
		upl[i] = TrueUplift{CampaignID: camps[i].id, ProductID: camps[i].product}
	}
	for i := 0; i < nCampaignPlans; i++ {
		o := outs[i]
		c := camps[campIdx[o.CampaignID]]
		pr := profiles[o.CustomerID]
		var pt, pc float64
		if pr.Owned[o.ProductID] {
			pt = o.PAccept
		} else {
			u := min(c.end.AddDate(0, 0, 1+opt.FollowDays).Unix(), p1.Unix())
			pt, pc = convertProbs(o.PAccept, pOrg[o.CustomerID][o.ProductID-1], PutOff(&pr.Customer), p0.Unix(), p1.Unix(), c.start.Unix(), o.TS.Unix(), u)
		}
		mtruth = append(mtruth, memberTruth{c.id, o.CustomerID, o.ProductID, pt, pc, o.TS, UpliftSegment(pt, pc)})
		x := &upl[campIdx[o.CampaignID]]
		x.Contacted++
		x.Treated += pt
		x.Control += pc
	}
	for i := range upl {
		if n := float64(upl[i].Contacted); n > 0 {
			upl[i].Treated /= n
			upl[i].Control /= n
			upl[i].Uplift = upl[i].Treated - upl[i].Control
		}
	}

	// Write it all.
	var maxID sql.NullInt64
	if err := ws.QueryRowContext(ctx, `SELECT max(contact_id) FROM contacts`).Scan(&maxID); err != nil {
		return sum, fmt.Errorf("sampledata: next period: %w", err)
	}
	stage := func(t string) string { return workspace.QuoteIdent("acrm_stage_next_" + t) }
	stageDDL := map[string]string{
		"contacts":  tableDDL["contacts"],
		"optouts":   tableDDL["optouts"],
		"holdings":  tableDDL["holdings"],
		"churn":     `(customer_id BIGINT, product_id INTEGER, end_date DATE)`,
		"customers": `(customer_id BIGINT, tenure_months INTEGER, mobile_subs INTEGER, data_gb_month DOUBLE, digital_affinity DOUBLE, contract_end_months INTEGER)`,
		"events":    tableDDL["events"],
		"truth":     `(customer_id BIGINT, product_id INTEGER, p_true DOUBLE, p_organic DOUBLE)`,
		"uplift":    `(campaign_id INTEGER, customer_id BIGINT, product_id INTEGER, contact_ts TIMESTAMP, p_treated DOUBLE, p_control DOUBLE, segment VARCHAR)`,
		"holdout":   tableDDL["campaign_members"],
		"withheld":  `(campaign_id INTEGER, customer_id BIGINT)`,
	}
	names := []string{"contacts", "optouts", "holdings", "churn", "customers", "truth", "uplift", "events", "holdout", "withheld"}
	drop := func() {
		for _, n := range names {
			_, _ = ws.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+stage(n))
		}
	}
	drop()
	defer drop()
	for _, n := range names {
		if _, err := ws.ExecContext(ctx, "CREATE TABLE "+stage(n)+" "+stageDDL[n]); err != nil {
			return sum, fmt.Errorf("sampledata: next period: %w", err)
		}
	}
	nextID := maxID.Int64
	err = ws.Append(ctx, "acrm_stage_next_contacts", func(add workspace.AppendFunc) error {
		for i := 0; i < nCampaignPlans; i++ {
			o := outs[i]
			nextID++
			if err := add(nextID, o.CustomerID, o.TS, o.Channel, "outbound", int32(o.CampaignID), int32(o.ProductID), o.Result, o.Revenue, nil); err != nil {
				return err
			}
		}
		for _, in := range inbound {
			nextID++
			var prod, outcome any
			rev := 0.0
			if in.i >= 0 {
				o := outs[in.i]
				prod, outcome, rev = int32(o.ProductID), o.Result, o.Revenue
				sum.InboundOffer++
			}
			if err := add(nextID, in.cust, in.ts, in.channel, "inbound", nil, prod, outcome, rev, in.reason); err != nil {
				return err
			}
		}
		sum.Inbound = len(inbound)
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("sampledata: next period: %w", err)
	}
	err = ws.Append(ctx, "acrm_stage_next_optouts", func(add workspace.AppendFunc) error {
		for _, o := range outs {
			if o.OptOut {
				sum.OptOuts++
				if err := add(o.CustomerID, nullInt(o.OptOutProduct), nullStr(o.OptOutChannel), o.TS.Truncate(24*time.Hour)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("sampledata: next period: %w", err)
	}
	err = ws.Append(ctx, "acrm_stage_next_holdings", func(add workspace.AppendFunc) error {
		keys := make([]int64, 0, len(opened))
		for k := range opened {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		for _, key := range keys {
			if err := add(key/64, int32(key%64), time.Unix(opened[key], 0).UTC().Truncate(24*time.Hour), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("sampledata: next period: %w", err)
	}
	err = ws.Append(ctx, "acrm_stage_next_churn", func(add workspace.AppendFunc) error {
		for _, c := range churn {
			if err := add(c.cust, int32(c.prod), c.end); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("sampledata: next period: %w", err)
	}
	err = ws.Append(ctx, "acrm_stage_next_customers", func(add workspace.AppendFunc) error {
		for _, id := range ids {
			c := &profiles[id].Customer
			var ce any // NULL: no running contract
			if c.ContractEnd >= 0 {
				ce = int32(c.ContractEnd)
			}
			if err := add(id, int32(c.Tenure), int32(c.MobileSubs), c.DataGB, c.Digital, ce); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("sampledata: next period: %w", err)
	}
	err = ws.Append(ctx, "acrm_stage_next_truth", func(add workspace.AppendFunc) error {
		for _, id := range ids {
			for k := 1; k <= NumProducts; k++ {
				if err := add(id, int32(k), ptrue[id][k-1], pOrg[id][k-1]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("sampledata: next period: %w", err)
	}
	err = ws.Append(ctx, "acrm_stage_next_events", func(add workspace.AppendFunc) error {
		sort.SliceStable(events, func(i, j int) bool { return events[i].cust < events[j].cust })
		for _, e := range events {
			if err := add(e.cust, e.ts.Time(), e.kind, e.value); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("sampledata: next period: %w", err)
	}
	err = ws.Append(ctx, "acrm_stage_next_uplift", func(add workspace.AppendFunc) error {
		for _, m := range mtruth {
			if err := add(int32(m.camp), m.cust, int32(m.prod), m.contactUTC, m.pt, m.pc, m.segment); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("sampledata: next period: %w", err)
	}
	periodNote := fmt.Sprintf("%s … %s, drift %s", sum.Start.Format(time.DateOnly), sum.End.Format(time.DateOnly), opt.Drift)
	var maxCamp sql.NullInt64
	if err := ws.QueryRowContext(ctx, `SELECT max(campaign_id) FROM campaigns`).Scan(&maxCamp); err != nil {
		return sum, fmt.Errorf("sampledata: next period: %w", err)
	}
	sum.HoldoutID = int(maxCamp.Int64) + 1
	sum.Withheld = len(withheld)
	err = ws.Append(ctx, "acrm_stage_next_holdout", func(add workspace.AppendFunc) error {
		for _, id := range ids {
			if holdout[id] {
				if err := add(int32(sum.HoldoutID), id, CellHoldout, false); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("sampledata: next period: %w", err)
	}
	err = ws.Append(ctx, "acrm_stage_next_withheld", func(add workspace.AppendFunc) error {
		for _, w := range withheld {
			if err := add(int32(w.campaign), w.customer); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("sampledata: next period: %w", err)
	}
	err = ws.Tx(ctx, func(tx *sql.Tx) error {
		stmts := []string{
			`INSERT INTO contacts (contact_id, customer_id, ts, channel, direction, campaign_id, product_id, outcome, revenue, reason)
				SELECT * FROM ` + stage("contacts"),
			`INSERT INTO optouts (customer_id, product_id, channel, since) SELECT * FROM ` + stage("optouts"),
			`UPDATE holdings SET end_date = s.end_date FROM ` + stage("churn") + ` s
				WHERE holdings.customer_id = s.customer_id AND holdings.product_id = s.product_id AND holdings.end_date IS NULL`,
			`INSERT INTO holdings (customer_id, product_id, start_date, end_date) SELECT * FROM ` + stage("holdings"),
			`INSERT INTO events (customer_id, ts, kind, value) SELECT * FROM ` + stage("events"),
			`UPDATE customers SET tenure_months = s.tenure_months, mobile_subs = s.mobile_subs, data_gb_month = s.data_gb_month,
				digital_affinity = s.digital_affinity, contract_end_months = s.contract_end_months FROM ` + stage("customers") + ` s WHERE customers.customer_id = s.customer_id`,
			`ALTER TABLE sample_truth ADD COLUMN IF NOT EXISTS p_organic DOUBLE`,
			`DELETE FROM sample_truth`,
			`INSERT INTO sample_truth (customer_id, product_id, p_true, p_organic) SELECT * FROM ` + stage("truth"),
			`CREATE TABLE IF NOT EXISTS sample_truth_uplift (campaign_id INTEGER, customer_id BIGINT, product_id INTEGER,
				contact_ts TIMESTAMP, p_treated DOUBLE, p_control DOUBLE, segment VARCHAR)`,
			`ALTER TABLE sample_truth_uplift ADD COLUMN IF NOT EXISTS segment VARCHAR`,
			`INSERT INTO sample_truth_uplift (campaign_id, customer_id, product_id, contact_ts, p_treated, p_control, segment)
				SELECT * FROM ` + stage("uplift"),
			`INSERT INTO campaign_members SELECT * FROM ` + stage("holdout"),
			`UPDATE campaign_members SET cell = '` + CellHoldout + `', contacted = false FROM ` + stage("withheld") + ` w
				WHERE campaign_members.campaign_id = w.campaign_id AND campaign_members.customer_id = w.customer_id AND campaign_members.contacted`,
		}
		hname := fmt.Sprintf("P%d %s global hold-out", sum.Period, sum.Start.Format("2006-01"))
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaigns (campaign_id, name, product_id, channel, start_date, end_date, cost_per_contact, selection, period)
			VALUES (?, ?, NULL, NULL, ?::DATE, ?::DATE, 0, ?, ?)`, sum.HoldoutID, hname, sum.Start, sum.End, SelControl, sum.Period); err != nil {
			return err
		}
		for _, q := range stmts {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		meta := `INSERT INTO sample_truth_meta (key, product_id, value, note) VALUES (?, ?, ?, ?)`
		if _, err := tx.ExecContext(ctx, meta, "period", nil, float64(sum.Period), periodNote); err != nil {
			return err
		}
		if opt.Drift != DriftNone {
			if _, err := tx.ExecContext(ctx, meta, "drift", nullInt(sum.DriftProduct), float64(sum.Period), opt.Drift); err != nil {
				return err
			}
		}
		if opt.Organic > 0 {
			if _, err := tx.ExecContext(ctx, meta, "organic_scale", nil, opt.Organic, fmt.Sprintf("from period %d", sum.Period)); err != nil {
				return err
			}
		}
		for _, u := range upl {
			if u.Contacted == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, meta, "true_uplift", u.ProductID, u.Uplift, fmt.Sprintf("campaign %d", u.CampaignID)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return NextSummary{}, fmt.Errorf("sampledata: next period: write period %d: %w", sum.Period, err)
	}
	// Per-campaign counts.
	for _, c := range camps {
		rs := RespondSummary{CampaignID: c.id, Product: c.product, Channel: c.channel}
		for i := 0; i < nCampaignPlans; i++ {
			o := outs[i]
			if o.CampaignID != c.id {
				continue
			}
			rs.Contacts++
			switch o.Result {
			case "accepted":
				rs.Accepted++
			case "declined":
				rs.Declined++
			default:
				rs.NoResp++
			}
			if o.OptOut {
				rs.OptOuts++
			}
			rs.Revenue += o.Revenue
		}
		if rs.Contacts > 0 {
			sum.Campaigns = append(sum.Campaigns, rs)
		}
	}
	for _, u := range upl {
		if u.Contacted > 0 {
			sum.Uplift = append(sum.Uplift, u)
		}
	}
	return sum, nil
}

// periodCampaigns lists the registered one-product campaigns starting in [p0, p1), by id.
func periodCampaigns(ctx context.Context, ws *workspace.Workspace, p0, p1 time.Time) ([]nextCampaign, error) {
	rows, err := ws.QueryContext(ctx, `SELECT campaign_id, product_id, channel, start_date::TIMESTAMP, end_date::TIMESTAMP FROM campaigns
		WHERE product_id IS NOT NULL AND start_date >= ?::DATE AND start_date < ?::DATE ORDER BY campaign_id`, p0, p1)
	if err != nil {
		return nil, fmt.Errorf("sampledata: next period: read campaigns: %w", err)
	}
	defer rows.Close()
	var out []nextCampaign
	for rows.Next() {
		var c nextCampaign
		var ch sql.NullString
		if err := rows.Scan(&c.id, &c.product, &ch, &c.start, &c.end); err != nil {
			return nil, fmt.Errorf("sampledata: next period: read campaigns: %w", err)
		}
		c.channel = ch.String
		if c.product < 1 || c.product > NumProducts {
			return nil, fmt.Errorf("sampledata: next period: campaign %d has product_id %d; want 1..%d", c.id, c.product, NumProducts)
		}
		if _, ok := ChannelMult[c.channel]; !ok || c.channel == ChannelInbound || c.channel == ChannelWeb {
			return nil, fmt.Errorf("sampledata: next period: campaign %d has channel %q; want an outbound channel (mail, email, phone, account_manager)", c.id, c.channel)
		}
		if c.end.Before(c.start) {
			return nil, fmt.Errorf("sampledata: next period: campaign %d ends (%s) before it starts (%s)", c.id,
				c.end.Format(time.DateOnly), c.start.Format(time.DateOnly))
		}
		c.start, c.end = c.start.UTC(), c.end.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// pendingMembers are the contacted members of a campaign without a contact row for it.
func pendingMembers(ctx context.Context, ws *workspace.Workspace, id int) ([]int64, error) {
	return memberIDs(ctx, ws, `SELECT DISTINCT m.customer_id FROM campaign_members m WHERE m.campaign_id = ? AND m.contacted
		AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.campaign_id = m.campaign_id AND c.customer_id = m.customer_id)
		ORDER BY 1`, id)
}

// allMembers are all members of a campaign, either cell.
func allMembers(ctx context.Context, ws *workspace.Workspace, id int) ([]int64, error) {
	return memberIDs(ctx, ws, `SELECT DISTINCT customer_id FROM campaign_members WHERE campaign_id = ? ORDER BY 1`, id)
}

func memberIDs(ctx context.Context, ws *workspace.Workspace, q string, id int) ([]int64, error) {
	rows, err := ws.QueryContext(ctx, q, id)
	if err != nil {
		return nil, fmt.Errorf("sampledata: next period: campaign %d members: %w", id, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("sampledata: next period: campaign %d members: %w", id, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// bestOffers reads each customer's rank-1 offer from acrm_nbo_offers (the scored offers after
// the business rules), when the workspace has them.
func bestOffers(ctx context.Context, ws *workspace.Workspace) (map[int64]int, error) {
	ok, err := ws.HasTable(ctx, "acrm_nbo_offers")
	if err != nil || !ok {
		return nil, err
	}
	rows, err := ws.QueryContext(ctx, `SELECT customer_id, product_id FROM acrm_nbo_offers WHERE rank = 1 AND product_id BETWEEN 1 AND ?`, NumProducts)
	if err != nil {
		return nil, fmt.Errorf("sampledata: next period: read the best offers: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var k int
		if err := rows.Scan(&id, &k); err != nil {
			return nil, fmt.Errorf("sampledata: next period: read the best offers: %w", err)
		}
		out[id] = k
	}
	return out, rows.Err()
}

// MemberTruth is what the truth says of one campaign member's offer.
type MemberTruth struct {
	Accept  float64 // P(accept | offered)
	Convert float64 // P(convert | offered): accepts, or buys unprompted, between the campaign's start and followDays after its end
	Control float64 // P(convert | not offered): buys unprompted in that window
}

// CampaignTruth is the truth of campaign id's offer for each of its members (either cell),
// contacted when acrm sample respond or next-period would contact them, in the market as it
// is now (the drifts recorded in sample_truth_meta, the customers' current attributes, their
// outbound offers in the year before), with the organic purchases of the next period (which
// starts the day after the snapshot): what a perfect model would predict. For tests and
// evaluation, like sample_truth.
func CampaignTruth(ctx context.Context, ws *workspace.Workspace, id, followDays int) (map[int64]MemberTruth, error) {
	var c nextCampaign
	var ch sql.NullString
	err := ws.QueryRowContext(ctx, `SELECT campaign_id, product_id, channel, start_date::TIMESTAMP, end_date::TIMESTAMP FROM campaigns WHERE campaign_id = ?`, id).
		Scan(&c.id, &c.product, &ch, &c.start, &c.end)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sampledata: campaign truth: campaign %d: %w", id, ErrNoCampaign)
	}
	if err != nil {
		return nil, fmt.Errorf("sampledata: campaign truth: campaign %d: %w", id, err)
	}
	if c.product < 1 || c.product > NumProducts {
		return nil, fmt.Errorf("sampledata: campaign truth: campaign %d has product_id %d; want 1..%d", id, c.product, NumProducts)
	}
	c.channel = ch.String
	c.start, c.end = c.start.UTC(), c.end.UTC()
	var last sql.NullTime
	if err := ws.QueryRowContext(ctx, `SELECT CAST(max(ts) AS TIMESTAMP) FROM contacts`).Scan(&last); err != nil || !last.Valid {
		return nil, fmt.Errorf("sampledata: campaign truth: no contacts (%v): %w", err, ErrNoHistory)
	}
	p0 := last.Time.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	p1 := p0.AddDate(0, 6, 0)
	mk, err := readMarket(ctx, ws)
	if err != nil {
		return nil, err
	}
	ms, err := allMembers(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	profiles, err := LoadProfiles(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("sampledata: campaign truth: %w", err)
	}
	prior, err := LoadPrior(ctx, ws, c.start.AddDate(-1, 0, -1))
	if err != nil {
		return nil, fmt.Errorf("sampledata: campaign truth: %w", err)
	}
	days := int(c.end.Sub(c.start).Hours()/24) + 1
	plans := make([]PlannedContact, 0, len(ms))
	for _, m := range ms {
		if profiles[m] == nil {
			return nil, fmt.Errorf("sampledata: campaign truth: campaign %d: member %d is not in customers", id, m)
		}
		plans = append(plans, PlannedContact{CustomerID: m, ProductID: c.product, Channel: c.channel, TS: contactTime(id, m, c.start, days), CampaignID: id})
	}
	outs, err := simulateWith(ctx, plans, profiles, prior, 0, mk, nil)
	if err != nil {
		return nil, fmt.Errorf("sampledata: campaign truth: %w", err)
	}
	t := GetTruth()
	out := make(map[int64]MemberTruth, len(outs))
	u := min(c.end.AddDate(0, 0, 1+followDays).Unix(), p1.Unix())
	for _, o := range outs {
		pr := profiles[o.CustomerID]
		mt := MemberTruth{Accept: o.PAccept, Convert: o.PAccept}
		if !pr.Owned[c.product] {
			has := func(k int) bool { return pr.Owned[k] }
			p := t.PTrueCustomer(&pr.Customer, has(ProdMobileVoice), has(ProdFixedVoice), has(ProdInternet), nil)
			orate := mk.organicRate(t, c.product, p[c.product-1], &pr.Customer)
			mt.Convert, mt.Control = convertProbs(o.PAccept, orate, PutOff(&pr.Customer), p0.Unix(), p1.Unix(), c.start.Unix(), o.TS.Unix(), u)
		}
		out[o.CustomerID] = mt
	}
	return out, nil
}

// readMarket reads the drifts earlier periods put in force (sample_truth_meta key 'drift').
func readMarket(ctx context.Context, ws *workspace.Workspace) (*market, error) {
	mk := &market{appeal: map[int]bool{}}
	ok, err := ws.HasTable(ctx, "sample_truth_meta")
	if err != nil || !ok {
		return mk, err
	}
	rows, err := ws.QueryContext(ctx, `SELECT note, coalesce(product_id, 0) FROM sample_truth_meta WHERE key = 'drift'`)
	if err != nil {
		return nil, fmt.Errorf("sampledata: read drift: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var k int
		if err := rows.Scan(&kind, &k); err != nil {
			return nil, fmt.Errorf("sampledata: read drift: %w", err)
		}
		switch kind {
		case DriftAppealChange:
			mk.appeal[k] = true
		case DriftNewCompetitor:
			mk.competitor = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sampledata: read drift: %w", err)
	}
	// The organic scale in force: the latest period's (key organic_scale, value the scale).
	var scale sql.NullFloat64
	if err := ws.QueryRowContext(ctx, `SELECT arg_max(value, rowid) FROM sample_truth_meta WHERE key = 'organic_scale'`).Scan(&scale); err != nil {
		return nil, fmt.Errorf("sampledata: read organic scale: %w", err)
	}
	if scale.Valid {
		mk.organic = scale.Float64
	}
	return mk, nil
}
