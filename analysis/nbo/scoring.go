package nbo

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Calib is the calibration of one product's model score to acceptance through one channel:
//
//	P(accept | offered through channel) = σ(Intercept + Slope · logit(score))
//
// fitted on the product's past outbound offers and their outcomes (the channel's shift is
// shared by all products, fitted on every product's offers at once).
type Calib struct {
	Product   int
	Channel   string
	Intercept float64
	Slope     float64
	ModelID   string
	Source    string // response | lookalike
	Contacts  int64
	Accepts   int64
}

// P is the calibrated acceptance probability of a model score.
func (c Calib) P(score float64) float64 { return sigmoid(c.Intercept + c.Slope*logit(score)) }

// Scoring is a complete total-model scoring: every customer's model score per product (NaN
// where the product cannot be offered: held for cross-sell/upsell, not held for retention),
// the calibration per product and channel, each customer's expected value and value segment.
type Scoring struct {
	RunID    int64
	AsOf     time.Time // offers are decided as of this day (snapshot + 1)
	Products *Products
	Models   map[int]string
	Cal      map[int]map[string]Calib
	Channels []string // outbound channels with a cost in the products table
	IDs      []int64
	Score    []float32 // len(IDs) × len(Products.List), row-major; NaN = not offerable
	reasons  map[[2]string]string
	cals     [][]chanCal // per product, the calibrated channels in Channels order (prepare)
	EV       []float64   // Σ over offerable products of the best channel's P × margin (× churn risk)
	Segment  []string    // top, middle, low by EV
	index    map[int64]int
}

// K is the number of products.
func (s *Scoring) K() int { return len(s.Products.List) }

// Row is the position of a customer id, or -1 (s.IDs ascending unless an index is built).
func (s *Scoring) Row(id int64) int {
	if s.index != nil {
		if i, ok := s.index[id]; ok {
			return i
		}
		return -1
	}
	if i, ok := slices.BinarySearch(s.IDs, id); ok {
		return i
	}
	return -1
}

// Candidates appends customer row i's candidates to buf: every product (or only product
// when > 0) through every channel in channels (nil = all of s.Channels). A product that
// cannot be offered still yields one candidate (P = 0) so that the rules say why.
func (s *Scoring) Candidates(i int, product int, channels []string, buf []Candidate) []Candidate {
	if channels == nil {
		if s.cals != nil {
			return s.allCandidates(i, product, buf)
		}
		channels = s.Channels
	}
	K := s.K()
	for k := 0; k < K; k++ {
		p := &s.Products.List[k]
		if product > 0 && p.ID != product {
			continue
		}
		sc := s.Score[i*K+k]
		cal := s.Cal[p.ID]
		if math.IsNaN(float64(sc)) || cal == nil {
			owned := p.Objective != ObjRetention
			if cal == nil && !math.IsNaN(float64(sc)) {
				continue
			}
			buf = append(buf, Candidate{Product: p.ID, Objective: p.Objective, Owned: owned, Channel: channels[0]})
			continue
		}
		for _, ch := range channels {
			c, ok := cal[ch]
			if !ok {
				continue
			}
			pa := c.P(float64(sc))
			buf = append(buf, Candidate{Product: p.ID, Objective: p.Objective, Owned: p.Objective == ObjRetention,
				Channel: ch, P: pa, Value: value(p, ch, pa), Cost: p.Cost[ch], Model: c.ModelID, Reason: s.reason(p.Objective, c.Source)})
		}
	}
	return buf
}

// chanCal is a product's calibration through one channel with what a candidate needs.
type chanCal struct {
	ch            string
	a, b          float64 // Calib.Intercept, Calib.Slope
	cost, margin  float64 // contact cost; margin (× churn risk for retention)
	model, reason string
}

// allCandidates is Candidates through every channel, from the tables prepare builds: the
// logit of the score is taken once per product, not once per channel.
func (s *Scoring) allCandidates(i int, product int, buf []Candidate) []Candidate {
	K := s.K()
	for k := 0; k < K; k++ {
		p := &s.Products.List[k]
		if product > 0 && p.ID != product {
			continue
		}
		sc := s.Score[i*K+k]
		cals := s.cals[k]
		if math.IsNaN(float64(sc)) || cals == nil {
			if cals == nil && !math.IsNaN(float64(sc)) {
				continue
			}
			buf = append(buf, Candidate{Product: p.ID, Objective: p.Objective, Owned: p.Objective != ObjRetention, Channel: s.Channels[0]})
			continue
		}
		l := logit(float64(sc))
		for _, c := range cals {
			pa := sigmoid(c.a + c.b*l)
			buf = append(buf, Candidate{Product: p.ID, Objective: p.Objective, Owned: p.Objective == ObjRetention,
				Channel: c.ch, P: pa, Value: pa*c.margin - c.cost, Cost: c.cost, Model: c.model, Reason: c.reason})
		}
	}
	return buf
}

// reason is the reason code of an offer: objective and the kind of model behind P. The codes
// are built once (prepare) so scoring a million customers does not build strings.
func (s *Scoring) reason(objective, source string) string {
	if r, ok := s.reasons[[2]string{objective, source}]; ok {
		return r
	}
	return objective + ":" + source
}

// prepare builds the reason codes and the per-product channel tables of allCandidates;
// call it once the calibration is known.
func (s *Scoring) prepare() {
	s.reasons = map[[2]string]string{}
	for _, p := range s.Products.List {
		for _, c := range s.Cal[p.ID] {
			s.reasons[[2]string{p.Objective, c.Source}] = p.Objective + ":" + c.Source
		}
	}
	s.cals = make([][]chanCal, s.K())
	for k := range s.Products.List {
		p := &s.Products.List[k]
		cal := s.Cal[p.ID]
		if cal == nil {
			continue
		}
		m := p.Margin
		if p.Objective == ObjRetention {
			m *= p.ChurnRisk
		}
		s.cals[k] = []chanCal{}
		for _, ch := range s.Channels {
			c, ok := cal[ch]
			if !ok {
				continue
			}
			s.cals[k] = append(s.cals[k], chanCal{ch: ch, a: c.Intercept, b: c.Slope, cost: p.Cost[ch], margin: m,
				model: c.ModelID, reason: s.reason(p.Objective, c.Source)})
		}
	}
}

// value is the expected value of offering product p through ch with acceptance pa:
// pa × margin − cost for cross-sell and upsell, pa × churn risk × margin − cost for retention
// (pa is then the save rate through ch).
func value(p *Product, ch string, pa float64) float64 {
	m := p.Margin
	if p.Objective == ObjRetention {
		m *= p.ChurnRisk
	}
	return pa*m - p.Cost[ch]
}

// ErrNoScoring is returned when no complete total-model scoring exists yet.
var ErrNoScoring = errors.New("no total-model scoring yet (run acrm score --all)")

// LoadScoring reads the current complete scoring from the workspace, with the products'
// economics under the given rules.
func LoadScoring(ctx context.Context, ws *workspace.Workspace, rules *Rules) (*Scoring, error) {
	return loadScoring(ctx, ws, rules, 0)
}

// loadScoring is LoadScoring, for one product only when product > 0: its Products then list
// that product alone and only its scores are read.
func loadScoring(ctx context.Context, ws *workspace.Workspace, rules *Rules, product int) (*Scoring, error) {
	s, err := loadRun(ctx, ws, rules)
	if err != nil {
		return nil, err
	}
	if product > 0 {
		k := s.Products.Index(product)
		if k < 0 {
			return nil, fmt.Errorf("nbo: product %d is not in the products table", product)
		}
		s.Products = &Products{List: []Product{s.Products.List[k]}, byID: map[int]int{product: 0}}
		s.prepare()
	}
	db := ws
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM acrm_nbo_customers`).Scan(&n); err != nil {
		return nil, fmt.Errorf("nbo: read scored customers: %w", err)
	}
	s.IDs, s.EV, s.Segment = make([]int64, 0, n), make([]float64, 0, n), make([]string, 0, n)
	rows, err := db.QueryContext(ctx, `SELECT customer_id, expected_value, value_segment FROM acrm_nbo_customers ORDER BY customer_id`)
	if err != nil {
		return nil, fmt.Errorf("nbo: read scored customers: %w", err)
	}
	segs := map[string]string{}
	for rows.Next() {
		var id int64
		var ev float64
		var seg string
		if err := rows.Scan(&id, &ev, &seg); err != nil {
			rows.Close()
			return nil, err
		}
		// One copy of each segment name, not one per customer.
		if v, ok := segs[seg]; ok {
			seg = v
		} else {
			segs[seg] = seg
		}
		s.IDs = append(s.IDs, id)
		s.EV = append(s.EV, ev)
		s.Segment = append(s.Segment, seg)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("nbo: read scored customers: %w", err)
	}
	K := s.K()
	s.Score = make([]float32, len(s.IDs)*K)
	nan := float32(math.NaN())
	for i := range s.Score {
		s.Score[i] = nan
	}
	q, args := `SELECT customer_id, product_id, score FROM acrm_nbo_scores`, []any(nil)
	if product > 0 {
		q, args = q+` WHERE product_id = ?`, []any{product}
	}
	rows, err = db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("nbo: read scores: %w", err)
	}
	defer rows.Close()
	// Scanned into any (the driver's own int64, int32 and float64): a million customers bring
	// tens of millions of scores, and database/sql would convert each value by reflection.
	var vid, vpid, vsc any
	for rows.Next() {
		if err := rows.Scan(&vid, &vpid, &vsc); err != nil {
			return nil, err
		}
		id, ok1 := vid.(int64)
		pid, ok2 := vpid.(int32)
		sc, ok3 := vsc.(float64)
		if !ok1 || !ok2 || !ok3 {
			return nil, fmt.Errorf("nbo: read scores: row (%v, %v, %v) is not (BIGINT, INTEGER, DOUBLE)", vid, vpid, vsc)
		}
		i, k := s.Row(id), s.Products.Index(int(pid))
		if i >= 0 && k >= 0 {
			s.Score[i*K+k] = float32(sc)
		}
	}
	return s, rows.Err()
}

// loadRun reads the latest complete scoring's run row, models and calibration, with the
// products' economics under rules (LoadScoring without the customers).
func loadRun(ctx context.Context, ws *workspace.Workspace, rules *Rules) (*Scoring, error) {
	db := ws
	s := &Scoring{Cal: map[int]map[string]Calib{}}
	var models string
	err := db.QueryRowContext(ctx, `SELECT run_id, as_of, models FROM acrm_nbo_runs ORDER BY run_id DESC LIMIT 1`).Scan(&s.RunID, &s.AsOf, &models)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("nbo: %w", ErrNoScoring)
	}
	if err != nil {
		return nil, fmt.Errorf("nbo: read scoring: %w", err)
	}
	mm := map[string]string{}
	if err := json.Unmarshal([]byte(models), &mm); err != nil {
		return nil, fmt.Errorf("nbo: scoring run %d: models: %w", s.RunID, err)
	}
	s.Models = map[int]string{}
	for k, v := range mm {
		id, _ := strconv.Atoi(k)
		s.Models[id] = v
	}
	prods, err := ReadProducts(ctx, ws)
	if err != nil {
		return nil, err
	}
	s.Products = prods.withRules(rules)
	rows, err := db.QueryContext(ctx, `SELECT product_id, channel, intercept, slope, model_id, source, contacts, accepts FROM acrm_nbo_calibration`)
	if err != nil {
		return nil, fmt.Errorf("nbo: read calibration: %w", err)
	}
	chans := map[string]bool{}
	for rows.Next() {
		var c Calib
		if err := rows.Scan(&c.Product, &c.Channel, &c.Intercept, &c.Slope, &c.ModelID, &c.Source, &c.Contacts, &c.Accepts); err != nil {
			rows.Close()
			return nil, err
		}
		if s.Cal[c.Product] == nil {
			s.Cal[c.Product] = map[string]Calib{}
		}
		s.Cal[c.Product][c.Channel] = c
		chans[c.Channel] = true
	}
	rows.Close()
	for _, ch := range OutboundChannels {
		if chans[ch] {
			s.Channels = append(s.Channels, ch)
		}
	}
	s.prepare()
	return s, nil
}

// segmentsByEV assigns top (first ⌈n/10⌉ by EV desc, ties by id), middle (up to ⌈n/2⌉) and low.
func segmentsByEV(ids []int64, ev []float64) []string {
	n := len(ids)
	ord := make([]int, n)
	for i := range ord {
		ord[i] = i
	}
	sort.Slice(ord, func(a, b int) bool {
		if ev[ord[a]] != ev[ord[b]] {
			return ev[ord[a]] > ev[ord[b]]
		}
		return ids[ord[a]] < ids[ord[b]]
	})
	seg := make([]string, n)
	for r, i := range ord {
		switch {
		case r < (n+9)/10:
			seg[i] = "top"
		case r < (n+1)/2:
			seg[i] = "middle"
		default:
			seg[i] = "low"
		}
	}
	return seg
}

// SegmentBasis names what the value segments of a scoring rank by.
func SegmentBasis(runID int64) string {
	return fmt.Sprintf("by expected value (total model, scoring run %d)", runID)
}
