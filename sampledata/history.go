package sampledata

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// dateT is a day number (days since 1970-01-01, UTC); tsT is a time in Unix seconds.
type (
	dateT int32
	tsT   int64
)

func dayOf(t time.Time) dateT   { return dateT(t.Unix() / 86400) }
func (d dateT) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }
func (t tsT) Time() time.Time   { return time.Unix(int64(t), 0).UTC() }
func (t tsT) Day() dateT        { return dateT(int64(t) / 86400) }
func dayStart(d dateT) tsT      { return tsT(int64(d) * 86400) }

const (
	secondsPerDay = 86400
	yearSeconds   = 365 * secondsPerDay
)

var (
	periodDays [Periods + 2]dateT // periodDays[p] = first day of period p (1..5)
	monthDays  [25]dateT          // first day of history month m (0..24)
)

func init() {
	for p := 1; p <= Periods+1; p++ {
		periodDays[p] = dayOf(PeriodStart(p))
	}
	for m := range monthDays {
		monthDays[m] = dayOf(HistoryStart.AddDate(0, m, 0))
	}
}

// periodOfDay is PeriodOf for a day number.
func periodOfDay(d dateT) int {
	for p := 1; p <= Periods; p++ {
		if d >= periodDays[p] && d < periodDays[p+1] {
			return p
		}
	}
	return 0
}

var (
	snapshotDay = dayOf(Snapshot)
	historyDay0 = dayOf(HistoryStart)
)

type holdingRow struct {
	cust       int64
	prod       int32
	start, end dateT // end 0 = NULL (held at the snapshot)
}

type contactRow struct {
	id, cust int64
	ts       tsT
	channel  string
	inbound  bool
	campaign int32 // 0 = NULL
	prod     int32 // 0 = NULL
	outcome  string
	revenue  float64
	reason   string
}

type memberRow struct {
	campaign  int32
	cust      int64
	cell      string
	contacted bool
}

type optoutRow struct {
	cust    int64
	prod    int32  // 0 = NULL (all products)
	channel string // "" = NULL (all channels)
	since   dateT
}

type eventRow struct {
	cust  int64
	ts    tsT
	kind  string
	value float64
}

// chunk holds the rows generated for a contiguous range of customers.
type chunk struct {
	customers []Customer
	holdings  []holdingRow
	contacts  []contactRow
	members   []memberRow
	optouts   []optoutRow
	events    []eventRow
	ptrue     []float64 // NumProducts per customer
	owned     []bool    // NumProducts per customer, at the snapshot
}

// optoutState answers whether an outbound offer is allowed at a time.
type optoutState struct{ rows []optoutRow }

func (o *optoutState) blocked(prod int, channel string, day dateT) bool {
	for _, r := range o.rows {
		if r.since > day {
			continue
		}
		if (r.prod == 0 || int(r.prod) == prod) && (r.channel == "" || r.channel == channel) {
			return true
		}
	}
	return false
}

// own tracks a customer's holdings of one product over time.
type own struct {
	start     dateT // open holding start; 0 = none
	pastStart dateT
	pastEnd   dateT // 0 = no past holding
	hasOpen   bool
}

func (o *own) heldAt(day dateT) bool {
	if o.hasOpen && o.start <= day {
		return true
	}
	return o.pastEnd != 0 && o.pastStart <= day && day < o.pastEnd
}

// acquire records a purchase on day: the open holding starts then (or earlier if it already did).
func (o *own) acquire(day dateT) {
	if !o.hasOpen || day < o.start {
		o.start = day
	}
	o.hasOpen = true
}

type plannedKind uint8

const (
	planBAU plannedKind = iota
	planFreq
	planInbound
)

type planned struct {
	ts   tsT
	kind plannedKind
	camp int // index into campaignPlan.all (BAU, freq)
	k    int // freq: assigned contacts (for the cell)
}

// customerGen carries the shared, read-only inputs of the per-customer generation.
type customerGen struct {
	seed  uint64
	truth *Truth
	prods []Product
	camps *campaignPlan
}

// generate appends every row of customer id to out. All draws come from one PCG stream
// seeded with (seed, id), so the result does not depend on chunking or goroutines.
func (g *customerGen) generate(id int64, out *chunk) {
	r := rand.New(rand.NewPCG(g.seed, uint64(id)))
	var c Customer
	genAttributes(r, id, &c)
	t := g.truth
	nP := NumProducts
	join := snapshotDay - dateT(int(float64(c.Tenure)*30.44))
	top := t.IsTop(c.MonthlyRevenue)

	// Ownership of the retention products, then p_true of everything.
	f0 := featuresOf(&c, false, false, false)
	hold := make([]own, nP+1)
	pick := func(k int, p float64) {
		if r.Float64() < p {
			// Bought between joining and the snapshot, more often early on.
			span := float64(snapshotDay - join)
			hold[k].hasOpen = true
			hold[k].start = join + dateT(span*math.Pow(r.Float64(), 1.6))
		} else if k != ProdMobileVoice && k != ProdFixedVoice && k != ProdInternet && r.Float64() < 0.25*p {
			if span := int(snapshotDay - join - 150); span > 0 {
				hold[k].pastStart = join + dateT(r.IntN(span))
				hold[k].pastEnd = hold[k].pastStart + dateT(90+r.IntN(600))
				if hold[k].pastEnd >= snapshotDay {
					hold[k].pastEnd = snapshotDay - 1
				}
			}
		}
	}
	for _, k := range []int{ProdMobileVoice, ProdFixedVoice, ProdInternet} {
		pick(k, t.PTrue(k, &f0))
	}
	p := make([]float64, nP+1)
	f := featuresOf(&c, hold[ProdMobileVoice].hasOpen, hold[ProdFixedVoice].hasOpen, hold[ProdInternet].hasOpen)
	for k := 1; k <= nP; k++ {
		p[k] = t.PTrue(k, &f)
		if k != ProdMobileVoice && k != ProdFixedVoice && k != ProdInternet {
			pick(k, p[k])
		}
	}

	// Registered opt-outs (not caused by contacts).
	var oo optoutState
	if r.Float64() < 0.022 {
		from := join
		if from < historyDay0-365 {
			from = historyDay0 - 365
		}
		since := from + dateT(r.IntN(int(snapshotDay-from)+1))
		row := optoutRow{cust: id, since: since}
		switch u := r.Float64(); {
		case u < 0.4:
		case u < 0.8:
			row.channel = []string{ChannelMail, ChannelEmail, ChannelPhone}[r.IntN(3)]
		default:
			row.prod = int32(1 + r.IntN(nP))
		}
		oo.rows = append(oo.rows, row)
		out.optouts = append(out.optouts, row)
	}

	// Contract-end events known from the contract administration.
	if c.ContractEnd >= 0 && c.ContractEnd <= 6 {
		d := max(snapshotDay-dateT(r.IntN(45)), join)
		out.events = append(out.events, eventRow{cust: id, ts: dayStart(d) + tsT(9*3600+r.IntN(8*3600)),
			kind: "contract_end", value: float64(c.ContractEnd)})
	}

	// The plan of the 24 months: BAU campaign slots, frequency-test contacts, inbound contacts.
	var plan []planned
	var members []memberRow
	inFreq := [Periods + 1]bool{}
	holdout := [Periods + 1]bool{}
	joinTs := dayStart(join)
	for per := 1; per <= Periods; per++ {
		ps, pe := periodDays[per], periodDays[per+1]
		if join >= pe {
			continue
		}
		if r.Float64() < HoldoutShare {
			holdout[per] = true
			members = append(members, memberRow{campaign: int32(g.camps.all[g.camps.holdout[per]].ID), cust: id, cell: CellHoldout})
		} else {
			share := freqShareBase
			if top {
				share = freqShareTop
			}
			if r.Float64() < share && join <= ps && !oo.blocked(0, ChannelMail, ps) {
				k := 1 + r.IntN(freqMaxK)
				inFreq[per] = true
				fc := g.camps.freq[per]
				members = append(members, memberRow{campaign: int32(g.camps.all[fc].ID), cust: id, cell: FreqCell(k), contacted: true})
				span := float64(pe-ps) * secondsPerDay
				for i := 0; i < k; i++ {
					at := dayStart(ps) + tsT((float64(i)+0.5)*span/float64(k)) + tsT(r.IntN(6*secondsPerDay)) - 3*secondsPerDay
					at = at - at%secondsPerDay + tsT(9*3600+r.IntN(8*3600))
					plan = append(plan, planned{ts: at, kind: planFreq, camp: fc, k: k})
				}
			}
		}
		for _, ci := range g.camps.bau[per] {
			cm := &g.camps.all[ci]
			day := cm.Start + dateT(r.IntN(int(cm.End-cm.Start)+1))
			plan = append(plan, planned{ts: dayStart(day) + tsT(9*3600+r.IntN(8*3600)), kind: planBAU, camp: ci})
		}
	}
	// Inbound: about 10 % of customers a month.
	h := 0.108 + 0.05*b2f(c.PaymentDelay > 0) + 0.01*float64(c.Size)
	for m := 0; m < 24; m++ {
		d0, d1 := monthDays[m], monthDays[m+1]
		if r.Float64() >= h {
			continue
		}
		cnt := 1
		if r.Float64() < 0.2 {
			cnt = 2
		}
		for i := 0; i < cnt; i++ {
			at := dayStart(d0) + tsT(r.IntN(int(d1-d0)*secondsPerDay))
			at = at - at%secondsPerDay + tsT(8*3600+r.IntN(12*3600))
			if at < joinTs {
				continue
			}
			plan = append(plan, planned{ts: at, kind: planInbound})
		}
	}
	slices.SortStableFunc(plan, func(a, b planned) int { return cmp.Compare(a.ts, b.ts) })

	// Walk the plan in time order.
	var outbound []tsT // outbound offer contacts so far
	bauCount := [Periods + 1]int{}
	seq := int64(0)
	nextID := func() int64 { seq++; return id*1000 + seq }
	offer := func(row *contactRow, k int, acc float64) {
		day := row.ts.Day()
		if r.Float64() < acc {
			row.outcome = "accepted"
			row.revenue = g.prods[k-1].Margin
			if !g.prods[k-1].IsRetention() {
				hold[k].acquire(day)
			}
		} else if r.Float64() < 0.35 {
			row.outcome = "declined"
		} else {
			row.outcome = "no_response"
		}
	}
	outboundOffer := func(pl planned, k int, ch string, campID int32) {
		n := 1
		for i := len(outbound) - 1; i >= 0 && outbound[i] > pl.ts-yearSeconds; i-- {
			n++
		}
		row := contactRow{id: nextID(), cust: id, ts: pl.ts, channel: ch, campaign: campID, prod: int32(k)}
		offer(&row, k, t.AcceptProb(k, p[k], ch, n, top))
		outbound = append(outbound, pl.ts)
		out.contacts = append(out.contacts, row)
		// A customer who just bought does not opt out (the draw is made either way).
		if r.Float64() < OptoutProb(n, top) && row.outcome != "accepted" {
			o := optoutRow{cust: id, since: pl.ts.Day()}
			switch u := r.Float64(); {
			case u < 0.6:
				o.channel = ch
			case u < 0.8:
				o.prod = int32(k)
			}
			oo.rows = append(oo.rows, o)
			out.optouts = append(out.optouts, o)
		}
	}
	eligible := func(k int, ch string, day dateT) bool {
		if oo.blocked(k, ch, day) {
			return false
		}
		if g.prods[k-1].IsRetention() {
			return hold[k].heldAt(day)
		}
		return !hold[k].heldAt(day)
	}
	var cand []int
	for _, pl := range plan {
		day := pl.ts.Day()
		per := periodOfDay(day)
		if pl.ts < joinTs || per == 0 {
			continue
		}
		switch pl.kind {
		case planBAU:
			if holdout[per] || inFreq[per] || bauCount[per] >= bauCap {
				continue
			}
			cm := &g.camps.all[pl.camp]
			k := cm.ProductID
			if !eligible(k, cm.Channel, day) {
				continue
			}
			var selected bool
			cell := CellRandom
			if cm.Selection == SelModel {
				cell = CellTarget
				// The historical model: a noisy view of the propensity; the top segment is
				// always served up to the cap.
				selected = top || p[k]*math.Exp(0.5*r.NormFloat64()) >= t.modelThr[k-1]
			} else {
				selected = r.Float64() < randomSelShare
			}
			if !selected {
				continue
			}
			if r.Float64() < controlShare {
				members = append(members, memberRow{campaign: int32(cm.ID), cust: id, cell: CellControl})
				continue
			}
			members = append(members, memberRow{campaign: int32(cm.ID), cust: id, cell: cell, contacted: true})
			bauCount[per]++
			outboundOffer(pl, k, cm.Channel, int32(cm.ID))
		case planFreq:
			cand = cand[:0]
			for k := 1; k <= nP; k++ {
				if !g.prods[k-1].IsRetention() && eligible(k, ChannelMail, day) {
					cand = append(cand, k)
				}
			}
			if len(cand) == 0 {
				continue
			}
			k := cand[r.IntN(len(cand))]
			outboundOffer(pl, k, ChannelMail, int32(g.camps.all[pl.camp].ID))
		case planInbound:
			g.inbound(r, &c, pl.ts, p, hold, &oo, top, nextID, offer, out)
		}
	}
	out.members = append(out.members, members...)

	// Holdings rows, truth, ownership at the snapshot.
	for k := 1; k <= nP; k++ {
		hk := &hold[k]
		if hk.pastEnd != 0 {
			out.holdings = append(out.holdings, holdingRow{cust: id, prod: int32(k), start: hk.pastStart, end: hk.pastEnd})
		}
		if hk.hasOpen {
			out.holdings = append(out.holdings, holdingRow{cust: id, prod: int32(k), start: hk.start})
		}
		out.ptrue = append(out.ptrue, p[k])
		out.owned = append(out.owned, hk.hasOpen)
	}
	out.customers = append(out.customers, c)
}

var inboundReasons = []struct {
	name string
	w    float64
}{{"billing", 0.25}, {"technical", 0.30}, {"contract", 0.15}, {"move", 0.08}, {"new_need", 0.12}, {"complaint", 0.10}}

// inbound generates one inbound contact at ts, possibly with an event told and an offer made.
func (g *customerGen) inbound(r *rand.Rand, c *Customer, ts tsT, p []float64, hold []own, oo *optoutState,
	top bool, nextID func() int64, offer func(*contactRow, int, float64), out *chunk) {
	ch := ChannelInbound
	if r.Float64() < 0.25 {
		ch = ChannelWeb
	}
	reason := inboundReasons[pickWeighted(r, len(inboundReasons), func(i int) float64 { return inboundReasons[i].w })].name
	row := contactRow{id: nextID(), cust: c.ID, ts: ts, channel: ch, inbound: true, reason: reason}
	// An event told in the contact.
	event := ""
	pe := 0.08
	if reason == "new_need" || reason == "move" {
		pe = 0.4
	}
	if r.Float64() < pe {
		switch u := r.Float64(); {
		case u < 0.3 && c.Locations >= 2:
			event = "new_location"
			out.events = append(out.events, eventRow{cust: c.ID, ts: ts, kind: event, value: float64(c.Locations)})
		case u < 0.65:
			event = "more_employees"
			out.events = append(out.events, eventRow{cust: c.ID, ts: ts, kind: event, value: float64(c.Employees)})
		case u < 0.9 && c.ContractEnd >= 0:
			event = "contract_end"
			out.events = append(out.events, eventRow{cust: c.ID, ts: ts, kind: event, value: float64(c.ContractEnd)})
		default:
			event = "moved"
			out.events = append(out.events, eventRow{cust: c.ID, ts: ts, kind: event, value: 0})
		}
	}
	// The agent makes an offer in some contacts: a product drawn in proportion to its
	// expected conversion among those the customer does not hold and has not opted out of.
	po := 0.15
	if event != "" || reason == "new_need" {
		po = 0.5
	}
	if r.Float64() < po {
		day := ts.Day()
		var tot float64
		w := make([]float64, len(p))
		for k := 1; k < len(p); k++ {
			if g.prods[k-1].IsRetention() || hold[k].heldAt(day) || oo.blocked(k, ch, day) {
				continue
			}
			w[k] = g.truth.response[k-1] * p[k] * eventBoost(event, g.prods[k-1].Family)
			tot += w[k]
		}
		if tot > 0 {
			u := r.Float64() * tot
			k := 1
			for ; k < len(p)-1; k++ {
				u -= w[k]
				if u < 0 && w[k] > 0 {
					break
				}
			}
			if w[k] > 0 {
				row.prod = int32(k)
				acc := math.Min(maxAccept, g.truth.AcceptProb(k, p[k], ch, 0, top)*eventBoost(event, g.prods[k-1].Family))
				offer(&row, k, acc)
			}
		}
	}
	out.contacts = append(out.contacts, row)
}

// eventBoost raises the chance of relevant offers right after an event (a new location needs
// connectivity, more employees need mobiles and workplaces).
func eventBoost(event, family string) float64 {
	switch event {
	case "new_location", "moved":
		if family == "broadband" || family == "fixed" || family == "iot" {
			return 2
		}
	case "more_employees":
		if family == "mobile" || family == "cloud_ict" || family == "collaboration" {
			return 2
		}
	}
	return 1
}
