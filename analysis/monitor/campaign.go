package monitor

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/datamart"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// DefaultFollowDays is how long after a campaign's end a purchase of its product still counts
// as its conversion (for both cells alike).
const DefaultFollowDays = 30

// Cell is a group of a campaign's members and its conversion.
type Cell struct {
	Members   int
	Converted int
	Rate      Interval // conversion, Wilson 95 %
	Revenue   float64
	// Accepted counts the members who accepted the campaign's own offer (contacted members
	// only: the control cell gets no offer); AcceptRate is their share, Wilson 95 %.
	Accepted   int
	AcceptRate Interval
}

// Decile is one tenth of the contacted members ranked by predicted P(accept) (1 = highest).
type Decile struct {
	Decile    int
	Members   int
	Accepted  int
	Predicted Interval // the P(accept) the model predicts and where the actual should fall
	Actual    Interval // the share who accepted the offer, Wilson 95 %
	Outside   bool     // the actual rate lies outside the predicted interval
}

// TimePoint is the campaign's cumulative state Day days after its start: the contacted
// members so far and the share of them who accepted the offer by then, actual against
// predicted.
type TimePoint struct {
	Day       int
	Contacted int
	Accepted  int
	Actual    float64
	Predicted Interval
}

// SegmentGrowth is the revenue of the contacted members of one value segment over the
// campaign's follow-up, against the model's expected revenue Σ P(accept) · margin.
type SegmentGrowth struct {
	Segment   string
	Members   int
	Revenue   float64
	Predicted Interval // € (not a rate): Σp·m ± z·√Σp(1−p)·m
}

// Campaign is the evaluation of one campaign.
type Campaign struct {
	ID          int
	Name        string
	ProductID   int
	ProductName string
	Channel     string
	Selection   string
	Start, End  time.Time
	Until       time.Time // end of the follow-up window (exclusive)

	Treated Cell // contacted members with a contact row (cells target, random, freq-*)
	Pending int  // contacted members without an outcome yet (no contact row for the campaign)
	Control Cell // the campaign's control cell (selected, not contacted)
	Holdout Cell // the global hold-out of the period, eligible for the product at the start

	// Model prediction (from what the selection registered in acrm_campaign_offers): each
	// member's calibrated P(accept the offer). It is compared with what it predicts — the
	// share of the contacted who accepted the campaign's offer (Treated.AcceptRate) — not with
	// the conversion, which also counts purchases the customers make on their own (the
	// control cell converts too); the offer's effect on conversion is the uplift.
	HasPrediction bool
	ModelVersion  string
	Predicted     Interval // the treated cell's mean P(accept) and its 95 % band
	Deciles       []Decile
	OverTime      []TimePoint
	Segments      []SegmentGrowth

	Uplift        Interval // treated − control, Newcombe 95 %
	UpliftHoldout Interval // treated − global hold-out
	Qini          []QiniPoint
	QiniCoef      float64 // NaN without a score for both cells

	Flags []Flag
}

// member is one campaign_members row with what happened.
type member struct {
	customer  int64
	cell      string
	contacted bool
	p         float64 // NaN: no prediction
	contactTS time.Time
	acceptTS  time.Time // zero: did not accept the campaign's offer
	convTS    time.Time // zero: not converted
	revenue   float64
	segment   string
	model     string
}

func (m *member) converted() bool { return !m.convTS.IsZero() }

func (m *member) accepted() bool { return !m.acceptTS.IsZero() }

// campaignsToEvaluate lists the campaigns with one product (hold-out and multi-product
// frequency tests are not evaluated on their own), optionally only id.
func campaignsToEvaluate(ctx context.Context, ws *workspace.Workspace, id int) ([]datamart.Campaign, error) {
	all, err := datamart.Campaigns(ctx, ws)
	if err != nil {
		return nil, err
	}
	var out []datamart.Campaign
	for _, c := range all {
		if id != 0 && c.ID != id {
			continue
		}
		if c.ProductID == 0 {
			if id != 0 {
				return nil, fmt.Errorf("monitor: campaign %d (%s) offers no single product (a hold-out or frequency test); pick a product campaign", id, c.Name)
			}
			continue
		}
		out = append(out, c)
	}
	if id != 0 && len(out) == 0 {
		return nil, fmt.Errorf("monitor: campaign %d: %w", id, ErrNoCampaign)
	}
	return out, nil
}

// ErrNoCampaign is returned for a campaign id the workspace does not have.
var ErrNoCampaign = errors.New("no such campaign in the campaigns table")

// evWindows is the VALUES list of the campaigns evaluated: id, product, window start and end
// (exclusive), and whether the product is a retention product.
func evWindows(cs []datamart.Campaign, until map[int]time.Time, retention map[int]bool) string {
	var b strings.Builder
	b.WriteString("(VALUES ")
	for i, c := range cs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%d, %d, TIMESTAMP '%s', TIMESTAMP '%s', %t)", c.ID, c.ProductID, c.Start.Format("2006-01-02 15:04:05"),
			until[c.ID].Format("2006-01-02 15:04:05"), retention[c.ProductID])
	}
	b.WriteString(") ev(campaign_id, product_id, s, u, retention)")
	return b.String()
}

// readMembers reads the members of the campaigns with their contact, acceptance of the
// campaign's offer, conversion in the window [start, until), revenue, prediction and value
// segment, in one query. A conversion is an accepted offer of the campaign's product (any
// channel, any source) or a holding of it starting in the window.
func readMembers(ctx context.Context, ws *workspace.Workspace, evs string) (map[int][]member, error) {
	q := `WITH ev AS (SELECT * FROM ` + evs + `),
		m AS (SELECT campaign_id, customer_id, any_value(cell) AS cell, bool_or(contacted) AS contacted
			FROM campaign_members WHERE campaign_id IN (SELECT campaign_id FROM ev) GROUP BY ALL),
		k AS (SELECT campaign_id, customer_id, min(ts) AS ts, min(ts) FILTER (WHERE outcome = 'accepted') AS acc FROM contacts
			WHERE campaign_id IN (SELECT campaign_id FROM ev) GROUP BY ALL),
		a AS (SELECT m.campaign_id, m.customer_id, min(c.ts) AS ts, sum(coalesce(c.revenue, 0)) AS revenue
			FROM m JOIN ev USING (campaign_id) JOIN contacts c ON c.customer_id = m.customer_id AND c.product_id = ev.product_id
			WHERE c.outcome = 'accepted' AND c.ts >= ev.s AND c.ts < ev.u GROUP BY ALL),
		h AS (SELECT m.campaign_id, m.customer_id, min(x.start_date)::TIMESTAMP AS ts
			FROM m JOIN ev USING (campaign_id) JOIN holdings x ON x.customer_id = m.customer_id AND x.product_id = ev.product_id
			WHERE x.start_date >= ev.s AND x.start_date < ev.u GROUP BY ALL),
		o AS (SELECT campaign_id, customer_id, any_value(p_accept) AS p, any_value(model_version) AS model
			FROM acrm_campaign_offers WHERE campaign_id IN (SELECT campaign_id FROM ev) GROUP BY ALL),
		sg AS (SELECT customer_id, any_value(value_segment) AS seg FROM acrm_nbo_customers GROUP BY customer_id)
		SELECT m.campaign_id, m.customer_id, coalesce(m.cell, ''), coalesce(m.contacted, false), o.p, k.ts, k.acc,
			CASE WHEN a.ts IS NULL THEN h.ts WHEN h.ts IS NULL THEN a.ts ELSE least(a.ts, h.ts) END,
			coalesce(a.revenue, 0), coalesce(sg.seg, ''), coalesce(o.model, '')
		FROM m LEFT JOIN k USING (campaign_id, customer_id) LEFT JOIN a USING (campaign_id, customer_id)
		LEFT JOIN h USING (campaign_id, customer_id) LEFT JOIN o USING (campaign_id, customer_id) LEFT JOIN sg USING (customer_id)
		ORDER BY m.campaign_id, m.customer_id`
	rows, err := ws.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("monitor: read campaign members: %w", err)
	}
	defer rows.Close()
	out := map[int][]member{}
	for rows.Next() {
		var m member
		var id int
		var p *float64
		var kts, ats, cts *time.Time
		if err := rows.Scan(&id, &m.customer, &m.cell, &m.contacted, &p, &kts, &ats, &cts, &m.revenue, &m.segment, &m.model); err != nil {
			return nil, fmt.Errorf("monitor: read campaign members: %w", err)
		}
		m.p = math.NaN()
		if p != nil {
			m.p = *p
		}
		if kts != nil {
			m.contactTS = *kts
		}
		if ats != nil {
			m.acceptTS = *ats
		}
		if cts != nil {
			m.convTS = *cts
		}
		out[id] = append(out[id], m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("monitor: read campaign members: %w", err)
	}
	return out, nil
}

// readHoldouts counts, per campaign, the global hold-out of its period: members of a control
// campaign running at the campaign's start who could take the product then (cross-sell and
// upsell: not holding it; retention: holding it), and their conversions in the window.
func readHoldouts(ctx context.Context, ws *workspace.Workspace, evs string) (map[int]Cell, error) {
	q := `WITH ev AS (SELECT * FROM ` + evs + `),
		hm AS (SELECT DISTINCT ev.campaign_id, ev.product_id, ev.s, ev.u, ev.retention, m.customer_id
			FROM ev JOIN campaigns hc ON hc.selection = 'control' AND hc.product_id IS NULL
				AND hc.start_date <= ev.s AND hc.end_date >= ev.s::DATE
			JOIN campaign_members m ON m.campaign_id = hc.campaign_id),
		held AS (SELECT DISTINCT hm.campaign_id, hm.customer_id FROM hm JOIN holdings x
			ON x.customer_id = hm.customer_id AND x.product_id = hm.product_id
			WHERE x.start_date < hm.s AND (x.end_date IS NULL OR x.end_date >= hm.s)),
		el AS (SELECT hm.* FROM hm LEFT JOIN held USING (campaign_id, customer_id)
			WHERE (held.customer_id IS NOT NULL) = hm.retention),
		a AS (SELECT el.campaign_id, el.customer_id, sum(coalesce(c.revenue, 0)) AS revenue
			FROM el JOIN contacts c ON c.customer_id = el.customer_id AND c.product_id = el.product_id
			WHERE c.outcome = 'accepted' AND c.ts >= el.s AND c.ts < el.u GROUP BY ALL),
		h AS (SELECT DISTINCT el.campaign_id, el.customer_id FROM el JOIN holdings x
			ON x.customer_id = el.customer_id AND x.product_id = el.product_id
			WHERE x.start_date >= el.s AND x.start_date < el.u)
		SELECT el.campaign_id, count(*), count(*) FILTER (WHERE a.customer_id IS NOT NULL OR h.customer_id IS NOT NULL),
			coalesce(sum(a.revenue), 0)
		FROM el LEFT JOIN a USING (campaign_id, customer_id) LEFT JOIN h USING (campaign_id, customer_id)
		GROUP BY el.campaign_id`
	rows, err := ws.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("monitor: read the global hold-out: %w", err)
	}
	defer rows.Close()
	out := map[int]Cell{}
	for rows.Next() {
		var id int
		var c Cell
		if err := rows.Scan(&id, &c.Members, &c.Converted, &c.Revenue); err != nil {
			return nil, fmt.Errorf("monitor: read the global hold-out: %w", err)
		}
		c.Rate = Wilson(c.Converted, c.Members)
		out[id] = c
	}
	return out, rows.Err()
}

// evaluate computes a campaign's evaluation from its members.
func evaluate(c datamart.Campaign, prod datamart.Product, until time.Time, ms []member, holdout Cell) *Campaign {
	ev := &Campaign{ID: c.ID, Name: c.Name, ProductID: c.ProductID, ProductName: prod.Name, Channel: c.Channel,
		Selection: c.Selection, Start: c.Start, End: c.End, Until: until, Holdout: holdout, QiniCoef: math.NaN()}
	var treated []member
	var units []Unit
	scored := true
	for _, m := range ms {
		switch {
		case m.contacted && m.contactTS.IsZero():
			ev.Pending++
			continue
		case m.contacted:
			ev.Treated.add(m)
			treated = append(treated, m)
		case m.cell == "control":
			ev.Control.add(m)
		default:
			continue
		}
		if math.IsNaN(m.p) {
			scored = false
		}
		units = append(units, Unit{Score: m.p, Treated: m.contacted, Converted: m.converted()})
	}
	ev.Treated.Rate = Wilson(ev.Treated.Converted, ev.Treated.Members)
	ev.Treated.AcceptRate = Wilson(ev.Treated.Accepted, ev.Treated.Members)
	ev.Control.Rate = Wilson(ev.Control.Converted, ev.Control.Members)
	ev.Control.AcceptRate = Wilson(ev.Control.Accepted, ev.Control.Members)
	ev.Uplift = Diff(ev.Treated.Converted, ev.Treated.Members, ev.Control.Converted, ev.Control.Members)
	ev.UpliftHoldout = Diff(ev.Treated.Converted, ev.Treated.Members, holdout.Converted, holdout.Members)
	if scored && len(units) > 0 {
		ev.Qini, ev.QiniCoef = Qini(units)
	}
	var ps []float64
	for _, m := range treated {
		if !math.IsNaN(m.p) {
			ps = append(ps, m.p)
			if ev.ModelVersion == "" {
				ev.ModelVersion = m.model
			}
		}
	}
	if len(ps) > 0 && len(ps) == len(treated) {
		ev.HasPrediction = true
		ev.Predicted = Predicted(ps)
		ev.Deciles = deciles(treated)
		ev.OverTime = overTime(treated, c.Start, until)
		ev.Segments = segments(treated, prod.Margin)
	}
	return ev
}

func (cl *Cell) add(m member) {
	cl.Members++
	if m.converted() {
		cl.Converted++
	}
	if m.accepted() {
		cl.Accepted++
	}
	cl.Revenue += m.revenue
}

// deciles ranks the treated members by predicted P(accept), highest first, into ten groups
// as equal as possible (the first len%10 one larger), each with its share who accepted.
func deciles(ms []member) []Decile {
	s := append([]member(nil), ms...)
	sort.SliceStable(s, func(i, j int) bool {
		if s[i].p != s[j].p {
			return s[i].p > s[j].p
		}
		return s[i].customer < s[j].customer
	})
	n := len(s)
	var out []Decile
	start := 0
	for d := 0; d < 10 && start < n; d++ {
		size := n / 10
		if d < n%10 {
			size++
		}
		if size == 0 {
			continue
		}
		g := s[start : start+size]
		start += size
		ps := make([]float64, len(g))
		k := 0
		for i, m := range g {
			ps[i] = m.p
			if m.accepted() {
				k++
			}
		}
		dec := Decile{Decile: d + 1, Members: len(g), Accepted: k, Predicted: Predicted(ps), Actual: Wilson(k, len(g))}
		dec.Outside = !dec.Predicted.Contains(dec.Actual.Est)
		out = append(out, dec)
	}
	return out
}

// overTime is the cumulative acceptance since the start, one point per day on which a member
// was contacted or accepted (and the last day of the window): among the members contacted by
// that day, the share who accepted by then against their predicted P(accept).
func overTime(ms []member, start, until time.Time) []TimePoint {
	day := func(t time.Time) int { return int(t.Sub(start).Hours() / 24) }
	last := day(until.Add(-time.Nanosecond))
	type ev struct {
		day     int
		contact bool
		p       float64
	}
	var evs []ev
	for _, m := range ms {
		cd := 0
		if !m.contactTS.IsZero() {
			cd = day(m.contactTS)
		}
		evs = append(evs, ev{day: cd, contact: true, p: m.p})
		if m.accepted() {
			d := day(m.acceptTS)
			if d < cd {
				d = cd
			}
			evs = append(evs, ev{day: d})
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].day < evs[j].day })
	var out []TimePoint
	var ps []float64
	conv := 0
	for i := 0; i < len(evs); {
		d := evs[i].day
		for i < len(evs) && evs[i].day == d {
			if evs[i].contact {
				ps = append(ps, evs[i].p)
			} else {
				conv++
			}
			i++
		}
		out = append(out, TimePoint{Day: d, Contacted: len(ps), Accepted: conv, Actual: float64(conv) / float64(len(ps)), Predicted: Predicted(ps)})
	}
	if len(out) > 0 && out[len(out)-1].Day < last {
		p := out[len(out)-1]
		p.Day = last
		out = append(out, p)
	}
	return out
}

// segments sums revenue and predicted revenue (Σ p · margin, variance Σ p(1−p) · margin²) per
// value segment of the contacted members, in the order top, middle, low, then others.
func segments(ms []member, margin float64) []SegmentGrowth {
	by := map[string]*SegmentGrowth{}
	vars := map[string]float64{}
	for _, m := range ms {
		seg := m.segment
		if seg == "" {
			seg = "unscored"
		}
		g := by[seg]
		if g == nil {
			g = &SegmentGrowth{Segment: seg}
			by[seg] = g
		}
		g.Members++
		g.Revenue += m.revenue
		g.Predicted.Est += m.p * margin
		vars[seg] += m.p * (1 - m.p) * margin * margin
	}
	rank := map[string]int{"top": 0, "middle": 1, "low": 2}
	var out []SegmentGrowth
	for seg, g := range by {
		h := Z95 * math.Sqrt(vars[seg])
		g.Predicted.Lo, g.Predicted.Hi = math.Max(0, g.Predicted.Est-h), g.Predicted.Est+h
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		ri, ok := rank[out[i].Segment]
		if !ok {
			ri = 3
		}
		rj, ok := rank[out[j].Segment]
		if !ok {
			rj = 3
		}
		if ri != rj {
			return ri < rj
		}
		return out[i].Segment < out[j].Segment
	})
	return out
}

// oneCampaignMembers reads one campaign, the products and the campaign's members with their
// outcomes over the monitor's window (followDays after its end).
func oneCampaignMembers(ctx context.Context, ws *workspace.Workspace, campaignID, followDays int) (datamart.Campaign, []datamart.Product, []member, error) {
	cs, err := campaignsToEvaluate(ctx, ws, campaignID)
	if err != nil {
		return datamart.Campaign{}, nil, nil, err
	}
	c := cs[0]
	prods, err := datamart.Products(ctx, ws)
	if err != nil {
		return c, nil, nil, fmt.Errorf("monitor: %w", err)
	}
	retention := map[int]bool{}
	for _, p := range prods {
		retention[p.ID] = p.Objective == "retention"
	}
	until := map[int]time.Time{c.ID: c.End.AddDate(0, 0, followDays+1)}
	members, err := readMembers(ctx, ws, evWindows(cs, until, retention))
	if err != nil {
		return c, nil, nil, err
	}
	return c, prods, members[c.ID], nil
}
