package nbo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/segment"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// SelectSpec says what campaign to select.
type SelectSpec struct {
	Product int     // product_id; 0 = each customer's best offer
	Channel string  // outbound channel
	Size    int     // customers to contact (exclusive with Budget)
	Budget  float64 // contact budget in € (exclusive with Size)
	Segment string  // saved segment or value segment top/middle/low by expected value ("" = everyone)
	Control float64 // share of the selection held out as a control cell, [0, 0.5]
	Seed    uint64  // control-cell draw
	Weeks   int     // campaign length in weeks (default 4); channel capacity is per week
}

// Validate checks the spec's own ranges (not the workspace).
func (s SelectSpec) Validate() error {
	switch {
	case !isOutbound(s.Channel):
		return fmt.Errorf("nbo: select: channel %q: want one of %s", s.Channel, strings.Join(OutboundChannels, ", "))
	case s.Size > 0 && s.Budget > 0, s.Size == 0 && s.Budget == 0:
		if s.Size < 0 || s.Budget < 0 {
			break
		}
		return errors.New("nbo: select: give exactly one of --size N or --budget AMOUNT")
	case s.Product < 0:
		return fmt.Errorf("nbo: select: product %d: want a product_id or best", s.Product)
	}
	if s.Size < 0 {
		return fmt.Errorf("nbo: select: --size %d: want a positive number of customers", s.Size)
	}
	if s.Budget < 0 || math.IsNaN(s.Budget) || math.IsInf(s.Budget, 0) {
		return fmt.Errorf("nbo: select: --budget %v: want a positive amount", s.Budget)
	}
	if !(s.Control >= 0 && s.Control <= 0.5) {
		return fmt.Errorf("nbo: select: --control %v: want a share between 0 and 0.5", s.Control)
	}
	if s.Weeks < 0 || s.Weeks > 52 {
		return fmt.Errorf("nbo: select: campaign length %d weeks: want 1 … 52", s.Weeks)
	}
	return nil
}

// Pick is one selected customer with the offer made (or held back for the control cell).
type Pick struct {
	CustomerID int64
	Segment    string
	Offer      Offer
	Control    bool
}

// GainPoint is one point of the cumulative gains of a ranked selection: the share of the
// expected contracts of all eligible customers found in the top Depth share.
type GainPoint struct {
	Depth, Share float64
}

// SelectResult is a selection, computed but not yet registered.
type SelectResult struct {
	Spec       SelectSpec
	RunID      int64
	Start, End time.Time
	Considered int            // customers in the segment
	Eligible   int            // customers left with an offer after every rule
	Removed    map[string]int // customers whose offer a rule removed, per rule
	Capacity   int            // channel capacity for the campaign (0 = unlimited)
	CutByCap   int            // eligible customers beyond the channel capacity
	Picks      []Pick         // target and control, best first
	Contacted  int
	Controls   int
	Cost       float64 // contacts × cost
	Contracts  float64 // Σ P(accept) over the contacted
	Profit     float64 // Σ expected value over the contacted (after contact cost)
	Gains      []GainPoint
	BySegment  map[string]int // contacted customers per value segment
	Basis      string         // what the value segments rank by
	Campaigns  []int          // campaign ids once registered
}

// Select picks a campaign by expected value with every rule applied, from the current
// complete scoring. It writes nothing; Register does.
func Select(ctx context.Context, ws *workspace.Workspace, spec SelectSpec, report func(Progress)) (*SelectResult, error) {
	if report == nil {
		report = func(Progress) {}
	}
	if spec.Weeks == 0 {
		spec.Weeks = 4
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	rules, _, err := LoadRules(ctx, ws)
	if err != nil {
		return nil, err
	}
	report(Progress{Stage: "reading the scoring"})
	if spec.Product > 0 {
		prods, err := ReadProducts(ctx, ws)
		if err != nil {
			return nil, err
		}
		if _, ok := prods.Get(spec.Product); !ok {
			return nil, fmt.Errorf("nbo: select: product %d is not in the products table", spec.Product)
		}
	}
	// One product's campaign reads that product's scores only.
	s, err := loadScoring(ctx, ws, rules, spec.Product)
	if err != nil {
		return nil, err
	}
	if spec.Product > 0 && s.Cal[spec.Product] == nil {
		return nil, fmt.Errorf("nbo: select: product %d has no model in scoring run %d (acrm train --product %d, then acrm score --all)", spec.Product, s.RunID, spec.Product)
	}
	known := false
	for _, ch := range s.Channels {
		known = known || ch == spec.Channel
	}
	if !known {
		return nil, fmt.Errorf("nbo: select: channel %q has no contact cost in the products table (scored channels: %s)", spec.Channel, strings.Join(s.Channels, ", "))
	}
	inSeg, err := segmentRows(ctx, ws, s, spec.Segment)
	if err != nil {
		return nil, err
	}
	at := s.AsOf
	var eligIDs []int64
	hasElig := strings.TrimSpace(rules.Eligibility) != ""
	if hasElig {
		report(Progress{Stage: "evaluating eligibility"})
		if eligIDs, err = filterIDs(ctx, ws, rules.Eligibility); err != nil {
			return nil, fmt.Errorf("nbo: eligibility %q: %w", rules.Eligibility, err)
		}
	}
	res := &SelectResult{Spec: spec, RunID: s.RunID, Start: at, End: at.AddDate(0, 0, 7*spec.Weeks-1), Removed: map[string]int{},
		BySegment: map[string]int{}, Basis: SegmentBasis(s.RunID)}
	// The customers left with an offer, compactly (row, product, value, P): the offers of
	// those picked are rebuilt from the scoring (pick). The history is read slice by slice.
	type cand struct {
		row, prod int32
		v, p      float64
	}
	var eligible []cand
	var buf []Candidate
	ch := []string{spec.Channel}
	N := len(s.IDs)
	for a := 0; a < N; a += DefaultScoreChunk {
		b := min(N, a+DefaultScoreChunk)
		if inSeg != nil && !slices.Contains(inSeg[a:b], true) {
			continue
		}
		report(Progress{Done: int64(a), Total: int64(N), Stage: "reading contact history"})
		hist, err := loadHistories(ctx, ws, rules, s, at, a, b, eligIDs, hasElig)
		if err != nil {
			return nil, err
		}
		for i := a; i < b; i++ {
			if inSeg != nil && !inSeg[i] {
				continue
			}
			if i%8192 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				report(Progress{Done: int64(i), Total: int64(N), Stage: "applying rules"})
			}
			res.Considered++
			buf = s.Candidates(i, spec.Product, ch, buf[:0])
			d := rules.Decide(at, &hist[i-a], buf, 1, false)
			for r := range d.Removed {
				if r != RuleMaxOffers {
					res.Removed[r]++
				}
			}
			if len(d.Offers) == 0 {
				continue
			}
			eligible = append(eligible, cand{row: int32(i), prod: int32(d.Offers[0].Product), v: d.Offers[0].Value, p: d.Offers[0].P})
		}
	}
	res.Eligible = len(eligible)
	sort.SliceStable(eligible, func(a, b int) bool { return eligible[a].v > eligible[b].v })
	// Gains over every eligible customer ranked by value.
	total := 0.0
	for _, p := range eligible {
		total += p.p
	}
	cum := 0.0
	next := 1
	for k, p := range eligible {
		cum += p.p
		for next <= 20 && float64(k+1) >= float64(next)*float64(len(eligible))/20 {
			res.Gains = append(res.Gains, GainPoint{Depth: float64(next) / 20, Share: cum / math.Max(total, 1e-12)})
			next++
		}
	}
	if cap := rules.Channels[spec.Channel].CapacityPerWeek; cap > 0 {
		res.Capacity = cap * spec.Weeks
	}
	// The list: contacted + control, the control share drawn at random from it. A picked
	// customer's offer is its candidate for the product kept (what Decide kept, rank 1).
	keepShare := 1 - spec.Control
	var list []Pick
	cost := 0.0
	for _, e := range eligible {
		p, err := s.pick(int(e.row), int(e.prod), ch, rules, buf[:0])
		if err != nil {
			return nil, err
		}
		contacted := float64(len(list)+1) * keepShare
		if spec.Size > 0 && math.Round(contacted) > float64(spec.Size) {
			break
		}
		c := p.Offer.Cost
		if spec.Budget > 0 && (cost+c)*keepShare > spec.Budget {
			break
		}
		if res.Capacity > 0 && math.Round(contacted) > float64(res.Capacity) {
			res.CutByCap = len(eligible) - len(list)
			break
		}
		cost += c
		list = append(list, p)
	}
	nCtl := int(math.Round(spec.Control * float64(len(list))))
	if spec.Size > 0 && len(list)-nCtl > spec.Size {
		nCtl = len(list) - spec.Size
	}
	r := rand.New(rand.NewPCG(spec.Seed, 0x5e1ec7))
	for _, j := range r.Perm(len(list))[:nCtl] {
		list[j].Control = true
	}
	res.Picks = list
	for _, p := range list {
		if p.Control {
			res.Controls++
			continue
		}
		res.Contacted++
		res.Cost += p.Offer.Cost
		res.Contracts += p.Offer.P
		res.Profit += p.Offer.Value
		res.BySegment[p.Segment]++
	}
	return res, nil
}

// pick is the offer Decide kept for scoring row i when offering product through ch (one
// channel): the product's candidate, rank 1.
func (s *Scoring) pick(i, product int, ch []string, rules *Rules, buf []Candidate) (Pick, error) {
	for _, c := range s.Candidates(i, product, ch, buf) {
		if c.Product == product {
			return Pick{CustomerID: s.IDs[i], Segment: s.Segment[i], Offer: Offer{Candidate: c, Rank: 1, Tier: rules.Tier(c.Objective)}}, nil
		}
	}
	return Pick{}, fmt.Errorf("nbo: select: customer %d: no candidate for product %d", s.IDs[i], product)
}

// segmentRows marks the scoring rows in the named segment; nil = everyone. The value segments
// top, middle and low are those of the scoring (by expected value); other names are saved
// segments over customer_view.
func segmentRows(ctx context.Context, ws *workspace.Workspace, s *Scoring, name string) ([]bool, error) {
	name = strings.TrimSpace(name)
	if name == "" || strings.EqualFold(name, "all") {
		return nil, nil
	}
	in := make([]bool, len(s.IDs))
	switch strings.ToLower(name) {
	case "top", "middle", "low":
		for i, seg := range s.Segment {
			in[i] = seg == strings.ToLower(name)
		}
		return in, nil
	}
	seg, err := segment.Get(ctx, ws, name)
	if err != nil {
		return nil, fmt.Errorf("nbo: select: segment %q: %w (acrm segments list shows them; top, middle and low are the value segments)", name, err)
	}
	ids, err := filterIDs(ctx, ws, seg.Filter)
	if err != nil {
		return nil, fmt.Errorf("nbo: select: segment %q: %w", name, err)
	}
	for _, id := range ids {
		if i := s.Row(id); i >= 0 {
			in[i] = true
		}
	}
	return in, nil
}

// Register writes the selection as campaigns (one per product offered: campaigns.product_id
// is one product) with their members — cell target (contacted) and control (not contacted) —
// and what each member was offered (acrm_campaign_offers), in one transaction (see
// registerCampaigns). acrm sample respond --campaign ID then draws the outcomes.
func (r *SelectResult) Register(ctx context.Context, ws *workspace.Workspace, name string) error {
	if len(r.Picks) == 0 {
		return errors.New("nbo: select: no customer passes the rules; nothing to register")
	}
	members := make([]regMember, len(r.Picks))
	for i, p := range r.Picks {
		members[i] = regMember{CustomerID: p.CustomerID, Offer: p.Offer.Candidate, Control: p.Control}
	}
	camps, err := registerCampaigns(ctx, ws, name, r.Start, r.End, members)
	if err != nil {
		return fmt.Errorf("nbo: select: %w", err)
	}
	r.Campaigns = r.Campaigns[:0]
	for _, c := range camps {
		r.Campaigns = append(r.Campaigns, c.ID)
	}
	return nil
}

// CheckOutput checks an export path before anything is written: .csv or .parquet, in an
// existing directory.
func CheckOutput(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".parquet":
	default:
		return fmt.Errorf("nbo: select: -o %s: want a .csv or .parquet file", path)
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("nbo: select: -o %s: directory %s does not exist", path, dir)
	}
	return nil
}

// Export writes the contacted customers of the registered selection (not the control cell)
// to a CSV or Parquet file: customer_id, product_id, channel, p_accept, expected_value,
// campaign_id, model_version, best first. Temporary file + rename.
func (r *SelectResult) Export(ctx context.Context, ws *workspace.Workspace, path string) (int64, error) {
	if len(r.Campaigns) == 0 {
		return 0, errors.New("nbo: select: register the selection before exporting it")
	}
	in := make([]string, len(r.Campaigns))
	for i, id := range r.Campaigns {
		in[i] = fmt.Sprint(id)
	}
	q := `SELECT customer_id, product_id, channel, p_accept, expected_value, campaign_id, model_version
		FROM acrm_campaign_offers WHERE cell = 'target' AND campaign_id IN (` + strings.Join(in, ",") + `)
		ORDER BY expected_value DESC, customer_id`
	return ws.ExportQuery(ctx, q, path)
}
