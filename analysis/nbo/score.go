package nbo

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// ScoreOptions configure ScoreAll.
type ScoreOptions struct {
	Keep   int            // ranked offers kept per customer (default 5)
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

// ScoreAll scores the whole base with the total model: every product's kept model, calibrated
// to acceptance per channel on the product's past campaign outcomes; expected value per
// customer, product and channel; the business rules in force; the ranked offers. It writes
// acrm_nbo_scores, _offers, _customers and _calibration and a new acrm_nbo_runs row in one
// transaction: until it commits the previous scoring stays readable, and a failed or
// cancelled run leaves it in place.
func ScoreAll(ctx context.Context, ws *workspace.Workspace, opt ScoreOptions) (*ScoreResult, error) {
	start := time.Now()
	report := opt.Report
	if report == nil {
		report = func(Progress) {}
	}
	if opt.Keep <= 0 {
		opt.Keep = 5
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
	base, err := profiles.LoadBase(ctx, ws, func(p profiles.Progress) {
		report(Progress{Done: p.Done, Total: p.Total, Stage: "loading customer view"})
	})
	if err != nil {
		return nil, err
	}
	N, K := base.Frame.Rows, len(prods.List)
	s := &Scoring{Products: prods, Models: map[int]string{}, Cal: map[int]map[string]Calib{}, AsOf: at,
		IDs: make([]int64, N), index: make(map[int64]int, N)}
	for i, id := range base.Frame.IDs {
		v, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("nbo: customer id %q is not an integer", id)
		}
		s.IDs[i] = v
		s.index[v] = i
	}
	for _, ch := range OutboundChannels {
		for _, p := range prods.List {
			if _, ok := p.Cost[ch]; ok {
				s.Channels = append(s.Channels, ch)
				break
			}
		}
	}
	res := &ScoreResult{AsOf: at, Customers: N, Products: K, Models: map[int]string{}}
	// The contact and opt-out totals without each product, read once for all products.
	report(Progress{Stage: "loading contact totals per product"})
	totals, err := base.View.ProductTotals(ctx, ws, base.Frame)
	if err != nil {
		return nil, err
	}
	// Raw scores per product (float64 while calibrating), NaN where not offerable.
	raw, sources, err := scoreProducts(ctx, ws, base, totals, prods, kept, res, report)
	if err != nil {
		return nil, err
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	sort.Strings(res.Skipped)
	// Ownership: cross-sell and upsell go to non-holders, retention to holders.
	s.Score = make([]float32, N*K)
	for k, p := range prods.List {
		own := base.Frame.Col(features.OwnCol(p.ID))
		for i := 0; i < N; i++ {
			v := math.NaN()
			if raw[k] != nil {
				held := own != nil && own.Num[i] > 0
				if held == (p.Objective == ObjRetention) {
					v = raw[k][i]
				}
			}
			s.Score[i*K+k] = float32(v)
		}
	}
	report(Progress{Stage: "calibrating to past outcomes"})
	if err := calibrate(ctx, ws, s, raw, sources, res); err != nil {
		return nil, err
	}
	s.prepare()
	// Expected value and value segments. A product's channels share the slope of the
	// calibration, so its best channel for every score is the one with the highest intercept:
	// only that one is evaluated (all of them if the slopes differ).
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
	s.EV = make([]float64, N)
	for i := 0; i < N; i++ {
		ev := 0.0
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
			ev += best * m
		}
		s.EV[i] = ev
	}
	s.Segment = segmentsByEV(s.IDs, s.EV)
	report(Progress{Stage: "applying business rules"})
	hist, err := LoadHistories(ctx, ws, rules, s, at)
	if err != nil {
		return nil, err
	}
	offers := make([][]Offer, N)
	res.Removed = map[string]int{}
	{
		var wg sync.WaitGroup
		chunk := (N + workers - 1) / workers
		removed := make([]map[string]int, workers)
		for w := 0; w < workers; w++ {
			lo, hi := w*chunk, min(N, (w+1)*chunk)
			removed[w] = map[string]int{}
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
					offers[i] = rules.decide(at, &hist[i], buf, opt.Keep, false, &work, removed[w]).Offers
				}
			}(w, lo, hi)
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for _, m := range removed {
			for r, n := range m {
				res.Removed[r] += n
			}
		}
	}
	report(Progress{Stage: "writing scores"})
	if err := writeScoring(ctx, ws, s, offers, rulesVersion, res); err != nil {
		return nil, err
	}
	res.RunID = s.RunID
	res.Basis = SegmentBasis(s.RunID)
	res.Segments = summarizeSegments(s)
	res.Elapsed = time.Since(start)
	return res, nil
}

// scoreChunk is the number of customer rows scored at once (bounds the encoded matrix).
const scoreChunk = 32768

// scoreProducts scores every product that has a kept model for every customer row of the
// base: the product's frame (ForProductWith on the totals without the product) is built once
// per product, and the rows are scored in chunks of scoreChunk, (product, chunk) pieces spread
// over the workers; each piece writes its own rows, so the result does not depend on the
// order the pieces run in. A product without a model is listed in res.Skipped.
func scoreProducts(ctx context.Context, ws *workspace.Workspace, base *profiles.Base, totals *features.ProductTotals,
	prods *Products, kept map[int]profiles.Entry, res *ScoreResult, report func(Progress)) ([][]float64, []string, error) {
	K, N := len(prods.List), base.Frame.Rows
	raw := make([][]float64, K)
	sources := make([]string, K)
	models := make([]*profiles.Stored, K)
	frames := make([]*features.Frame, K)
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
		raw[k] = make([]float64, N)
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
	var done int64
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
				report(Progress{Done: done, Total: int64(len(pieces)), Stage: "scoring products"})
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
		return nil, nil, err
	}
	if firstErr != nil {
		return nil, nil, firstErr
	}
	return raw, sources, nil
}

// calibrate fits Calib per product and channel on past outbound offers: first the channels'
// shifts on every product's offers at once (product intercepts, one shared slope on the
// score's logit, channel dummies; up to 300,000 offers), then per product its intercept and
// slope with the channel shift as an offset. A product with fewer than 20 acceptances keeps
// the shared slope and gets its intercept alone.
func calibrate(ctx context.Context, ws *workspace.Workspace, s *Scoring, raw [][]float64, sources []string, res *ScoreResult) error {
	K := s.K()
	chIdx := map[string]int{}
	for i, ch := range s.Channels {
		chIdx[ch] = i
	}
	type obs struct {
		k, ch int
		x, y  float64
	}
	var all []obs
	if ok, _ := ws.HasTable(ctx, "contacts"); ok {
		rows, err := ws.QueryContext(ctx, `SELECT customer_id, product_id, channel, outcome = 'accepted' FROM contacts
			WHERE direction = 'outbound' AND product_id IS NOT NULL AND outcome IS NOT NULL ORDER BY contact_id`)
		if err != nil {
			return fmt.Errorf("nbo: read past outcomes: %w", err)
		}
		for rows.Next() {
			var id int64
			var pid int
			var ch string
			var acc bool
			if err := rows.Scan(&id, &pid, &ch, &acc); err != nil {
				rows.Close()
				return fmt.Errorf("nbo: read past outcomes: %w", err)
			}
			i, k := s.Row(id), s.Products.Index(pid)
			c, ok := chIdx[ch]
			if i < 0 || k < 0 || !ok || raw[k] == nil {
				continue
			}
			y := 0.0
			if acc {
				y = 1
			}
			all = append(all, obs{k, c, logit(raw[k][i]), y})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("nbo: read past outcomes: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
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
			row[K+o.ch] = 1
		}
		X = append(X, row...)
		Y = append(Y, o.y)
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
	byK := make([][]obs, K)
	for _, o := range all {
		byK[o.k] = append(byK[o.k], o)
	}
	for k, pr := range s.Products.List {
		if raw[k] == nil {
			continue
		}
		obsK := byK[k]
		var acc int64
		for _, o := range obsK {
			acc += int64(o.y)
		}
		var a, b float64
		switch {
		case acc >= 20:
			X := make([]float64, 0, 2*len(obsK))
			Y := make([]float64, len(obsK))
			off := make([]float64, len(obsK))
			for j, o := range obsK {
				X = append(X, 1, o.x)
				Y[j], off[j] = o.y, delta[o.ch]
			}
			beta := logistic(X, 2, Y, off, 1e-3)
			a, b = beta[0], beta[1]
		case len(obsK) > 0:
			X := make([]float64, len(obsK))
			Y := make([]float64, len(obsK))
			off := make([]float64, len(obsK))
			for j, o := range obsK {
				X[j] = 1
				Y[j], off[j] = o.y, delta[o.ch]+sharedSlope*o.x
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
	return nil
}

// writeScoring writes the scoring into staging tables and swaps them in with the run row in
// one transaction.
func writeScoring(ctx context.Context, ws *workspace.Workspace, s *Scoring, offers [][]Offer, rulesVersion int, res *ScoreResult) error {
	db := ws
	tables := []string{"acrm_nbo_scores", "acrm_nbo_offers", "acrm_nbo_customers", "acrm_nbo_calibration"}
	stage := func(t string) string { return "acrm_stage_" + t }
	drop := func() {
		for _, t := range tables {
			_, _ = db.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+stage(t))
		}
	}
	drop()
	defer drop()
	for _, t := range tables {
		if _, err := db.ExecContext(ctx, "CREATE TABLE "+stage(t)+" AS SELECT * FROM "+t+" WHERE false"); err != nil {
			return fmt.Errorf("nbo: write scoring: %w", err)
		}
	}
	K := s.K()
	err := ws.Append(ctx, stage("acrm_nbo_scores"), func(add workspace.AppendFunc) error {
		for i, id := range s.IDs {
			if i%65536 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			for k := 0; k < K; k++ {
				v := s.Score[i*K+k]
				if math.IsNaN(float64(v)) || s.Cal[s.Products.List[k].ID] == nil {
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
	err = ws.Append(ctx, stage("acrm_nbo_offers"), func(add workspace.AppendFunc) error {
		for i, id := range s.IDs {
			for _, o := range offers[i] {
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
	err = ws.Append(ctx, stage("acrm_nbo_customers"), func(add workspace.AppendFunc) error {
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
	err = ws.Append(ctx, stage("acrm_nbo_calibration"), func(add workspace.AppendFunc) error {
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
		for _, t := range tables {
			if _, err := tx.ExecContext(ctx, "DROP TABLE "+t); err != nil {
				return fmt.Errorf("nbo: swap %s: %w", t, err)
			}
			if _, err := tx.ExecContext(ctx, "ALTER TABLE "+stage(t)+" RENAME TO "+t); err != nil {
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
