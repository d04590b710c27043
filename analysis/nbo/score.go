package nbo

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// ScoreOptions configure ScoreAll.
type ScoreOptions struct {
	Keep   int            // ranked offers kept per customer (default 5)
	Chunk  int            // customers read, scored and decided at once (default DefaultScoreChunk)
	Report func(Progress) // optional
}

// SegmentSummary describes one value segment of a scoring.
type SegmentSummary struct {
	Name      string
	Customers int
	EVTotal   float64
	EVMin     float64 // the lowest expected value in the segment
}

// ScoreResult summarises a complete scoring.
type ScoreResult struct {
	RunID     int64
	AsOf      time.Time
	Customers int
	Products  int
	Offers    int64
	Models    map[int]string // product → model version used
	Skipped   []string       // products without a model, with the reason
	Removed   map[string]int // candidate offers removed per rule
	Segments  []SegmentSummary
	Basis     string // what the segments rank by (always named)
	Elapsed   time.Duration
	Cal       []Calib
}

// ErrNoModels is returned when no product has a registered model.
var ErrNoModels = errors.New("no product model in the registry (train first: acrm train --all)")

// keptModels picks per product the model to score with: the best response model when one
// exists (it predicts acceptance directly), else the best look-alike model.
func keptModels(ctx context.Context, ws *workspace.Workspace) (map[int]profiles.Entry, error) {
	list, err := profiles.List(ctx, ws)
	if err != nil {
		return nil, err
	}
	out := map[int]profiles.Entry{}
	rank := func(e profiles.Entry) int {
		r := 0
		if e.Target == profiles.Response {
			r += 4
		}
		if e.IsBest {
			r += 2
		}
		return r
	}
	for _, e := range list {
		if e.ProductID <= 0 || (e.Target != profiles.Response && e.Target != profiles.Lookalike) {
			continue
		}
		cur, ok := out[e.ProductID]
		if !ok || rank(e) > rank(cur) || rank(e) == rank(cur) && e.Version > cur.Version {
			out[e.ProductID] = e
		}
	}
	return out, nil
}

// DefaultScoreChunk is the number of customers ScoreAll reads, scores and decides at once.
const DefaultScoreChunk = 131072

// ScoreAll scores the whole base with the total model: every product's kept model, calibrated
// to acceptance per channel on the product's past campaign outcomes; expected value per
// customer, product and channel; the business rules in force; the ranked offers. It writes
// acrm_nbo_scores, _offers, _customers and _calibration and a new acrm_nbo_runs row in one
// transaction: until it commits the previous scoring stays readable, and a failed or
// cancelled run leaves it in place.
//
// The base is read in slices of opt.Chunk customers (consecutive customer ids; the range is
// filtered below the customer view's aggregates, so DuckDB reads each slice of the tables
// alone): a slice is loaded, scored for every product and its scores appended to a staging
// table; the calibration observations (the scores of the customers behind past outcomes)
// are kept. What needs the whole base — the calibration fit, the expected values' value
// segments — is computed from compact arrays (one float32 score per customer and product,
// one expected value per customer); then each slice's contact history is read, the rules
// applied and its ranked offers appended. Memory grows with the slice, not with the base,
// beyond those arrays; the result does not depend on the slice size.
func ScoreAll(ctx context.Context, ws *workspace.Workspace, opt ScoreOptions) (*ScoreResult, error) {
	start := time.Now()
	report := opt.Report
	if report == nil {
		report = func(Progress) {}
	}
	if opt.Keep <= 0 {
		opt.Keep = 5
	}
	if opt.Chunk <= 0 {
		opt.Chunk = DefaultScoreChunk
	}
	rules, rulesVersion, err := LoadRules(ctx, ws)
	if err != nil {
		return nil, err
	}
	kept, err := keptModels(ctx, ws)
	if err != nil {
		return nil, err
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("nbo: score --all: %w", ErrNoModels)
	}
	prods, err := ReadProducts(ctx, ws)
	if err != nil {
		return nil, err
	}
	prods = prods.withRules(rules)
	snap, err := Snapshot(ctx, ws)
	if err != nil {
		return nil, err
	}
	at := snap.AddDate(0, 0, 1)
	view, err := features.CustomerView(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("nbo: %w", err)
	}
	report(Progress{Stage: "reading customer ids"})
	ids, err := customerIDs(ctx, ws)
	if err != nil {
		return nil, err
	}
	N, K := len(ids), len(prods.List)
	if K > math.MaxUint16 {
		return nil, fmt.Errorf("nbo: score --all: %d products: at most %d", K, math.MaxUint16)
	}
	s := &Scoring{Products: prods, Models: map[int]string{}, Cal: map[int]map[string]Calib{}, AsOf: at, IDs: ids}
	for _, ch := range OutboundChannels {
		for _, p := range prods.List {
			if _, ok := p.Cost[ch]; ok {
				s.Channels = append(s.Channels, ch)
				break
			}
		}
	}
	res := &ScoreResult{AsOf: at, Customers: N, Products: K, Models: map[int]string{}}
	models, sources, err := loadKept(ctx, ws, prods, kept, res)
	if err != nil {
		return nil, err
	}
	sort.Strings(res.Skipped)
	st, err := newScoreStage(ctx, ws)
	if err != nil {
		return nil, err
	}
	defer st.drop()
	chIdx := map[string]int{}
	for i, ch := range s.Channels {
		chIdx[ch] = i
	}
	// Pass 1: scores per slice; the calibration observations (allocated at once: growing
	// the largest array of a scoring would hold two copies of it for a moment).
	s.Score = make([]float32, N*K)
	var scored []string
	for k, p := range prods.List {
		if models[k] != nil {
			scored = append(scored, strconv.Itoa(p.ID))
		}
	}
	nObs, err := countObservations(ctx, ws, scored)
	if err != nil {
		return nil, err
	}
	obs := make([]calObs, 0, nObs)
	for a := 0; a < N; a += opt.Chunk {
		b := min(N, a+opt.Chunk)
		raw, err := scoreSlice(ctx, ws, view, s, a, b, models, func(done, total int) {
			report(Progress{Done: int64(a) + int64(done)*int64(b-a)/int64(max(total, 1)), Total: int64(N), Stage: "scoring customers"})
		})
		if err != nil {
			return nil, err
		}
		if obs, err = sliceObservations(ctx, ws, s, a, b, raw, chIdx, obs); err != nil {
			return nil, err
		}
		if err := st.appendScores(ctx, s, a, b, models); err != nil {
			return nil, err
		}
	}
	report(Progress{Done: int64(N), Total: int64(N), Stage: "scoring customers"})
	report(Progress{Stage: "calibrating to past outcomes"})
	// The observations in contact order, as one read of the contacts would give them.
	slices.SortFunc(obs, compareObs)
	calibrate(s, obs, models, sources, res)
	s.prepare()
	s.EV = expectedValues(s)
	s.Segment = segmentsByEV(s.IDs, s.EV)
	// Pass 2: the rules per slice, the ranked offers.
	var elig []int64
	if e := strings.TrimSpace(rules.Eligibility); e != "" {
		if elig, err = filterIDs(ctx, ws, e); err != nil {
			return nil, fmt.Errorf("nbo: eligibility %q: %w", e, err)
		}
		slices.Sort(elig)
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	res.Removed = map[string]int{}
	removed := make([]map[string]int, workers)
	for w := range removed {
		removed[w] = map[string]int{}
	}
	for a := 0; a < N; a += opt.Chunk {
		b := min(N, a+opt.Chunk)
		report(Progress{Done: int64(a), Total: int64(N), Stage: "applying business rules"})
		hist, err := loadHistories(ctx, ws, rules, s, at, a, b, elig, rules.Eligibility != "")
		if err != nil {
			return nil, err
		}
		offers := make([][]Offer, b-a)
		var wg sync.WaitGroup
		part := (b - a + workers - 1) / workers
		for w := 0; w < workers; w++ {
			lo, hi := a+w*part, min(b, a+(w+1)*part)
			wg.Add(1)
			go func(w, lo, hi int) {
				defer wg.Done()
				var buf []Candidate
				var work []Offer
				for i := lo; i < hi; i++ {
					if i%4096 == 0 && ctx.Err() != nil {
						return
					}
					buf = s.Candidates(i, 0, nil, buf[:0])
					offers[i-a] = rules.decide(at, &hist[i-a], buf, opt.Keep, false, &work, removed[w]).Offers
				}
			}(w, lo, hi)
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := st.appendOffers(ctx, s, a, offers, res); err != nil {
			return nil, err
		}
	}
	for _, m := range removed {
		for r, n := range m {
			res.Removed[r] += n
		}
	}
	report(Progress{Stage: "writing scores"})
	if err := st.commit(ctx, s, rulesVersion, res); err != nil {
		return nil, err
	}
	res.RunID = s.RunID
	res.Basis = SegmentBasis(s.RunID)
	res.Segments = summarizeSegments(s)
	res.Elapsed = time.Since(start)
	return res, nil
}

// customerIDs reads every customer id in order.
func customerIDs(ctx context.Context, ws *workspace.Workspace) ([]int64, error) {
	var n int64
	if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM customers`).Scan(&n); err != nil {
		return nil, fmt.Errorf("nbo: read customers: %w", err)
	}
	ids := make([]int64, 0, n)
	rows, err := ws.QueryContext(ctx, `SELECT customer_id FROM customers ORDER BY customer_id`)
	if err != nil {
		return nil, fmt.Errorf("nbo: read customers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id sql.NullInt64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("nbo: read customers: customer_id: %w", err)
		}
		if !id.Valid {
			return nil, errors.New("nbo: read customers: a customer_id is NULL")
		}
		if len(ids) > 0 && ids[len(ids)-1] == id.Int64 {
			return nil, fmt.Errorf("nbo: read customers: customer_id %d appears more than once", id.Int64)
		}
		ids = append(ids, id.Int64)
	}
	return ids, rows.Err()
}

// expectedValues is every customer's expected value: over the products it can be offered,
// the best channel's P × margin (× churn risk). A product's channels share the slope of the
// calibration, so its best channel for every score is the one with the highest intercept:
// only that one is evaluated (all of them if the slopes differ).
func expectedValues(s *Scoring) []float64 {
	prods, K, N := s.Products, s.K(), len(s.IDs)
	evCals := make([][]Calib, K)
	for k, p := range prods.List {
		cal := s.Cal[p.ID]
		var best *Calib
		same := true
		for _, ch := range s.Channels {
			c, ok := cal[ch]
			if !ok {
				continue
			}
			evCals[k] = append(evCals[k], c)
			if best == nil || c.Intercept > best.Intercept {
				best = &c
			}
			same = same && c.Slope == evCals[k][0].Slope
		}
		if same && best != nil {
			evCals[k] = []Calib{*best}
		}
	}
	ev := make([]float64, N)
	for i := 0; i < N; i++ {
		v := 0.0
		for k := range prods.List {
			sc := s.Score[i*K+k]
			if math.IsNaN(float64(sc)) || len(evCals[k]) == 0 {
				continue
			}
			best := 0.0
			for _, c := range evCals[k] {
				best = math.Max(best, c.P(float64(sc)))
			}
			m := prods.List[k].Margin
			if prods.List[k].Objective == ObjRetention {
				m *= prods.List[k].ChurnRisk
			}
			v += best * m
		}
		ev[i] = v
	}
	return ev
}

// loadKept loads each product's kept model (nil where a product has none: listed in
// res.Skipped) and the kind of model behind it.
func loadKept(ctx context.Context, ws *workspace.Workspace, prods *Products, kept map[int]profiles.Entry, res *ScoreResult) ([]*profiles.Stored, []string, error) {
	K := len(prods.List)
	models := make([]*profiles.Stored, K)
	sources := make([]string, K)
	for k, p := range prods.List {
		e, ok := kept[p.ID]
		if !ok {
			res.Skipped = append(res.Skipped, fmt.Sprintf("P%02d %s: no model (acrm train --product %d)", p.ID, p.Name, p.ID))
			continue
		}
		m, err := profiles.Load(ctx, ws, e.ModelID)
		if err != nil {
			return nil, nil, err
		}
		models[k], sources[k] = m, e.Target
		res.Models[p.ID] = e.ModelID
	}
	return models, sources, nil
}

// scoreSlice loads the customer view of rows a … b-1 of s.IDs, scores every product with a
// model on it and stores the scores in s.Score (NaN where the product cannot be offered:
// cross-sell and upsell go to non-holders, retention to holders). It returns the raw scores
// per product (nil without a model), rows a … b-1.
func scoreSlice(ctx context.Context, ws *workspace.Workspace, view *features.View, s *Scoring, a, b int,
	models []*profiles.Stored, progress func(done, total int)) ([][]float64, error) {
	v := view.Between(s.IDs[a], s.IDs[b-1])
	f, err := features.Load(ctx, ws, features.LoadSpec{Query: v.SQL, ID: "customer_id", Rows: b - a}, nil)
	if err != nil {
		return nil, fmt.Errorf("nbo: customer view: %w", err)
	}
	if f.Rows != b-a {
		return nil, fmt.Errorf("nbo: customer view has %d rows for customers %d … %d, the customers table %d", f.Rows, s.IDs[a], s.IDs[b-1], b-a)
	}
	for i, id := range f.IDs {
		if strconv.FormatInt(s.IDs[a+i], 10) != id {
			return nil, fmt.Errorf("nbo: customer view row %d is customer %s, the customers table has %d", a+i+1, id, s.IDs[a+i])
		}
	}
	totals, err := v.ProductTotals(ctx, ws, f)
	if err != nil {
		return nil, err
	}
	raw, err := scoreProducts(ctx, &profiles.Base{View: v, Frame: f}, totals, s.Products, models, progress)
	if err != nil {
		return nil, err
	}
	K := s.K()
	for k, p := range s.Products.List {
		own := f.Col(features.OwnCol(p.ID))
		for i := 0; i < b-a; i++ {
			v := math.NaN()
			if raw[k] != nil {
				held := own != nil && own.Num[i] > 0
				if held == (p.Objective == ObjRetention) {
					v = raw[k][i]
				}
			}
			s.Score[(a+i)*K+k] = float32(v)
		}
	}
	return raw, nil
}

// scoreChunk is the number of customer rows scored at once (bounds the encoded matrix).
const scoreChunk = 32768

// scoreProducts scores every product that has a model for every customer row of the base:
// the product's frame (ForProductWith on the totals without the product) is built once
// per product, and the rows are scored in chunks of scoreChunk, (product, chunk) pieces spread
// over the workers; each piece writes its own rows, so the result does not depend on the
// order the pieces run in.
func scoreProducts(ctx context.Context, base *profiles.Base, totals *features.ProductTotals,
	prods *Products, models []*profiles.Stored, progress func(done, total int)) ([][]float64, error) {
	K, N := len(prods.List), base.Frame.Rows
	raw := make([][]float64, K)
	frames := make([]*features.Frame, K)
	for k := range prods.List {
		if models[k] != nil {
			raw[k] = make([]float64, N)
		}
	}
	type piece struct{ k, lo, hi int }
	var pieces []piece
	for k := range prods.List {
		if models[k] == nil {
			continue
		}
		for lo := 0; lo < N; lo += scoreChunk {
			pieces = append(pieces, piece{k, lo, min(N, lo+scoreChunk)})
		}
	}
	var mu sync.Mutex
	var firstErr error
	var done int
	// Level codes and parsed numbers of the view's columns, shared by the products' frames.
	cache := features.NewLinearCache()
	// A product's frame is built by the first piece that needs it.
	var frameOnce = make([]sync.Once, K)
	frameErr := make([]error, K)
	frameOf := func(k int) (*features.Frame, error) {
		frameOnce[k].Do(func() {
			pid := prods.List[k].ID
			frames[k], frameErr[k] = base.View.ForProductWith(base.Frame, pid, totals.Without(pid))
			if frameErr[k] != nil {
				frameErr[k] = fmt.Errorf("nbo: product %d: %w", pid, frameErr[k])
			}
		})
		return frames[k], frameErr[k]
	}
	// Release a product's frame once all its pieces are scored.
	left := make([]int, K)
	for _, pc := range pieces {
		left[pc.k]++
	}
	jobs := make(chan piece)
	var wg sync.WaitGroup
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pc := range jobs {
				f, err := frameOf(pc.k)
				var sc []float64
				if err == nil {
					sc, err = models[pc.k].PredictRows(f, pc.lo, pc.hi, cache)
					if err != nil {
						err = fmt.Errorf("nbo: product %d: %w", prods.List[pc.k].ID, err)
					}
				}
				if err == nil {
					copy(raw[pc.k][pc.lo:pc.hi], sc)
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if left[pc.k]--; left[pc.k] == 0 {
					frames[pc.k] = nil
				}
				done++
				progress(done, len(pieces))
				mu.Unlock()
			}
		}()
	}
	for _, pc := range pieces {
		if ctx.Err() != nil {
			break
		}
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop {
			break
		}
		jobs <- pc
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return raw, nil
}

// calObs is one past outbound offer with its outcome and the customer's score now: product
// row k, channel index ch, x = logit(score), y = accepted; cid orders them as the contacts.
type calObs struct {
	cid int64
	x   float64
	k   uint16
	ch  uint8
	y   bool
}

// yf is the outcome as 0 or 1.
func (o *calObs) yf() float64 {
	if o.y {
		return 1
	}
	return 0
}

// compareObs orders observations by contact id (what one read ORDER BY contact_id gives),
// ties — only when ids repeat or are NULL — by their content, so the order never depends on
// the slices they were read in.
func compareObs(a, b calObs) int {
	if a.cid != b.cid {
		return cmp.Compare(a.cid, b.cid) // ids are unique: the rest is the rare tie
	}
	return cmp.Or(cmp.Compare(a.k, b.k), cmp.Compare(a.ch, b.ch), cmp.Compare(a.x, b.x), cmp.Compare(a.yf(), b.yf()))
}

// countObservations counts the past outbound offers with an outcome of the products scored
// (product ids; the calibration's observations at most).
func countObservations(ctx context.Context, ws *workspace.Workspace, products []string) (int, error) {
	if ok, _ := ws.HasTable(ctx, "contacts"); !ok || len(products) == 0 {
		return 0, nil
	}
	var n int64
	if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM contacts WHERE direction = 'outbound' AND outcome IS NOT NULL
		AND product_id IN (`+strings.Join(products, ", ")+`)`).Scan(&n); err != nil {
		return 0, fmt.Errorf("nbo: count past outcomes: %w", err)
	}
	return int(n), nil
}

// sliceObservations appends the past outbound offers with an outcome of the customers of
// rows a … b-1 (raw: their raw scores) to obs.
func sliceObservations(ctx context.Context, ws *workspace.Workspace, s *Scoring, a, b int, raw [][]float64, chIdx map[string]int, obs []calObs) ([]calObs, error) {
	if ok, _ := ws.HasTable(ctx, "contacts"); !ok {
		return obs, nil
	}
	rows, err := ws.QueryContext(ctx, `SELECT contact_id, customer_id, product_id, channel, outcome = 'accepted' FROM contacts
		WHERE direction = 'outbound' AND product_id IS NOT NULL AND outcome IS NOT NULL AND customer_id BETWEEN ? AND ?`, s.IDs[a], s.IDs[b-1])
	if err != nil {
		return nil, fmt.Errorf("nbo: read past outcomes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cid sql.NullInt64
		var id int64
		var pid int
		var ch string
		var acc bool
		if err := rows.Scan(&cid, &id, &pid, &ch, &acc); err != nil {
			return nil, fmt.Errorf("nbo: read past outcomes: %w", err)
		}
		i, k := s.Row(id), s.Products.Index(pid)
		c, ok := chIdx[ch]
		if i < a || i >= b || k < 0 || !ok || raw[k] == nil {
			continue
		}
		o := calObs{cid: cid.Int64, k: uint16(k), ch: uint8(c), x: logit(raw[k][i-a]), y: acc}
		if !cid.Valid {
			o.cid = math.MaxInt64 // NULLs last, as ORDER BY contact_id puts them
		}
		obs = append(obs, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("nbo: read past outcomes: %w", err)
	}
	return obs, ctx.Err()
}

// calibrate fits Calib per product and channel on past outbound offers (obs, in contact
// order): first the channels' shifts on every product's offers at once (product intercepts,
// one shared slope on the score's logit, channel dummies; up to 300,000 offers), then per
// product its intercept and slope with the channel shift as an offset. A product with fewer
// than 20 acceptances keeps the shared slope and gets its intercept alone.
func calibrate(s *Scoring, all []calObs, models []*profiles.Stored, sources []string, res *ScoreResult) {
	K := s.K()
	C := len(s.Channels)
	// Pooled fit: [product dummies K][slope][channel dummies C-1].
	p := K + 1 + max(0, C-1)
	stride := max(1, len(all)/300000)
	var X, Y []float64
	for j := 0; j < len(all); j += stride {
		o := all[j]
		row := make([]float64, p)
		row[o.k] = 1
		row[K] = o.x
		if o.ch > 0 {
			row[K+int(o.ch)] = 1
		}
		X = append(X, row...)
		Y = append(Y, o.yf())
	}
	delta := make([]float64, C)
	sharedSlope := 1.0
	var pooled []float64
	if len(Y) > 0 {
		pooled = logistic(X, p, Y, nil, 1e-3)
		sharedSlope = pooled[K]
		for c := 1; c < C; c++ {
			delta[c] = pooled[K+c]
		}
	}
	// Each product's observations, in contact order: one product at a time (a copy of all of
	// them at once would double the largest array of a scoring).
	var obsK []calObs
	for k, pr := range s.Products.List {
		if models[k] == nil {
			continue
		}
		obsK = obsK[:0]
		for _, o := range all {
			if int(o.k) == k {
				obsK = append(obsK, o)
			}
		}
		var acc int64
		for _, o := range obsK {
			if o.y {
				acc++
			}
		}
		var a, b float64
		switch {
		case acc >= 20:
			X := make([]float64, 0, 2*len(obsK))
			Y := make([]float64, len(obsK))
			off := make([]float64, len(obsK))
			for j, o := range obsK {
				X = append(X, 1, o.x)
				Y[j], off[j] = o.yf(), delta[o.ch]
			}
			beta := logistic(X, 2, Y, off, 1e-3)
			a, b = beta[0], beta[1]
		case len(obsK) > 0:
			X := make([]float64, len(obsK))
			Y := make([]float64, len(obsK))
			off := make([]float64, len(obsK))
			for j, o := range obsK {
				X[j] = 1
				Y[j], off[j] = o.yf(), delta[o.ch]+sharedSlope*o.x
			}
			a, b = logistic(X, 1, Y, off, 0)[0], sharedSlope
		default:
			// Never offered: the pooled average intercept and slope.
			for j := 0; j < K && pooled != nil; j++ {
				a += pooled[j] / float64(K)
			}
			b = sharedSlope
			if pooled == nil {
				a, b = math.Log(0.03/0.97), 1
			}
		}
		s.Cal[pr.ID] = map[string]Calib{}
		for c, ch := range s.Channels {
			if _, ok := pr.Cost[ch]; !ok {
				continue
			}
			cb := Calib{Product: pr.ID, Channel: ch, Intercept: a + delta[c], Slope: b, ModelID: res.Models[pr.ID],
				Source: sources[k], Contacts: int64(len(obsK)), Accepts: acc}
			s.Cal[pr.ID][ch] = cb
			res.Cal = append(res.Cal, cb)
		}
	}
}

// scoreTables are the tables of a scoring, written through staging tables.
var scoreTables = []string{"acrm_nbo_scores", "acrm_nbo_offers", "acrm_nbo_customers", "acrm_nbo_calibration"}

// scoreStage is a scoring being written: staging tables filled slice by slice and swapped
// in with the run row in one transaction (commit); drop removes what is left of them.
type scoreStage struct {
	ws *workspace.Workspace
}

func stageOf(t string) string { return "acrm_stage_" + t }

func newScoreStage(ctx context.Context, ws *workspace.Workspace) (*scoreStage, error) {
	st := &scoreStage{ws: ws}
	st.drop()
	for _, t := range scoreTables {
		if _, err := ws.ExecContext(ctx, "CREATE TABLE "+stageOf(t)+" AS SELECT * FROM "+t+" WHERE false"); err != nil {
			st.drop()
			return nil, fmt.Errorf("nbo: write scoring: %w", err)
		}
	}
	return st, nil
}

func (st *scoreStage) drop() {
	for _, t := range scoreTables {
		_, _ = st.ws.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+stageOf(t))
	}
}

// appendScores appends the scores of rows a … b-1 (products with a model, where offerable).
func (st *scoreStage) appendScores(ctx context.Context, s *Scoring, a, b int, models []*profiles.Stored) error {
	K := s.K()
	err := st.ws.Append(ctx, stageOf("acrm_nbo_scores"), func(add workspace.AppendFunc) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		for i := a; i < b; i++ {
			id := s.IDs[i]
			for k := 0; k < K; k++ {
				v := s.Score[i*K+k]
				if math.IsNaN(float64(v)) || models[k] == nil {
					continue
				}
				if err := add(id, int32(s.Products.List[k].ID), float64(v)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("nbo: write scores: %w", err)
	}
	return nil
}

// appendOffers appends the ranked offers of rows a … a+len(offers)-1.
func (st *scoreStage) appendOffers(ctx context.Context, s *Scoring, a int, offers [][]Offer, res *ScoreResult) error {
	err := st.ws.Append(ctx, stageOf("acrm_nbo_offers"), func(add workspace.AppendFunc) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		for j, os := range offers {
			id := s.IDs[a+j]
			for _, o := range os {
				if err := add(id, int32(o.Rank), int32(o.Product), o.Channel, o.P, o.Value, o.Model, o.Reason); err != nil {
					return err
				}
				res.Offers++
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("nbo: write offers: %w", err)
	}
	return nil
}

// commit writes the customers and the calibration and swaps the staging tables in with the
// run row in one transaction.
func (st *scoreStage) commit(ctx context.Context, s *Scoring, rulesVersion int, res *ScoreResult) error {
	ws := st.ws
	K := s.K()
	err := ws.Append(ctx, stageOf("acrm_nbo_customers"), func(add workspace.AppendFunc) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		for i, id := range s.IDs {
			if err := add(id, s.EV[i], s.Segment[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("nbo: write customers: %w", err)
	}
	err = ws.Append(ctx, stageOf("acrm_nbo_calibration"), func(add workspace.AppendFunc) error {
		for _, c := range res.Cal {
			if err := add(int32(c.Product), c.Channel, c.Intercept, c.Slope, c.ModelID, c.Source, c.Contacts, c.Accepts); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("nbo: write calibration: %w", err)
	}
	models := map[string]string{}
	for k, v := range res.Models {
		models[strconv.Itoa(k)] = v
	}
	mj, _ := json.Marshal(models)
	var rv any
	if rulesVersion > 0 {
		rv = rulesVersion
	}
	return ws.Tx(ctx, func(tx *sql.Tx) error {
		for _, t := range scoreTables {
			if _, err := tx.ExecContext(ctx, "DROP TABLE "+t); err != nil {
				return fmt.Errorf("nbo: swap %s: %w", t, err)
			}
			if _, err := tx.ExecContext(ctx, "ALTER TABLE "+stageOf(t)+" RENAME TO "+t); err != nil {
				return fmt.Errorf("nbo: swap %s: %w", t, err)
			}
		}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(run_id), 0) + 1 FROM acrm_nbo_runs`).Scan(&s.RunID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO acrm_nbo_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, s.RunID, time.Now().UTC(),
			s.AsOf, int64(len(s.IDs)), int32(K), res.Offers, rv, string(mj))
		return err
	})
}

func summarizeSegments(s *Scoring) []SegmentSummary {
	out := []SegmentSummary{{Name: "top", EVMin: math.Inf(1)}, {Name: "middle", EVMin: math.Inf(1)}, {Name: "low", EVMin: math.Inf(1)}}
	for i, seg := range s.Segment {
		for j := range out {
			if out[j].Name == seg {
				out[j].Customers++
				out[j].EVTotal += s.EV[i]
				out[j].EVMin = math.Min(out[j].EVMin, s.EV[i])
			}
		}
	}
	for j := range out {
		if out[j].Customers == 0 {
			out[j].EVMin = 0
		}
	}
	return out
}
