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
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/acrm-dev/acrm/analysis/datamart"
	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/model"
	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"golang.org/x/sync/errgroup"
)

// Live decides the offers of one customer at a time, at the moment of an inbound contact:
// the kept models of the latest total-model scoring (the same versions and calibration as
// the batch), the rules in force, the customer's current view row with the live facts the
// customer just told. NewLive loads everything but the customer; Lookup reads one
// customer; Offers is pure and in-process (no SQL), so re-ranking after a new fact is cheap.
type Live struct {
	ws      *workspace.Workspace
	Rules   *Rules
	Scoring *Scoring // products, calibration, channels, as-of day and model versions (no per-customer rows)
	View    *features.View
	models  map[int]*profiles.Stored
	fields  map[string]*features.Column // the customer view's columns (name → type), lower-case keys
	At      time.Time                   // the decision day (the scoring's as-of day)
	Limit   int                         // offers one contact carries (the rules' max_offers_per_contact)
	MaxWhy  int                         // features named in an offer's reason (3)

	custCols  map[string]bool // columns of the customers table (lower case)
	hasEvents bool

	viewNames    []string                  // the customer view's columns in order
	viewPos      map[string]int            // lower-case column name → its (first) position in the view
	totalPos     []int                     // view position of each of totalNames (-1: not in the view)
	plans        map[int]*productPlan      // product id → its encoder bound to the view and the values it swaps in
	scratchWidth int                       // the planned products' encoded values together
	scratch      sync.Pool                 // *liveScratch
	scoreCache   sync.Map                  // customer id → fact-free scores per product ([]float64, NaN = not scored)
	scoreCached  atomic.Int64              // entries in scoreCache
	index        atomic.Pointer[liveIndex] // BuildIndex's in-memory copy of every customer, or nil
	touchedMu    sync.RWMutex
	touchedID    map[int64]bool // customers with an outcome recorded or undone since the index was built
}

// maxCachedScores bounds the fact-free score cache (32 products: about 300 bytes a customer).
const maxCachedScores = 200_000

// ErrUnknownCustomer is returned by Lookup for an id not in the customer view.
var ErrUnknownCustomer = errors.New("no such customer")

// NewLive prepares live decisions on ws: the rules, the latest scoring's calibration and model
// versions (ErrNoScoring before acrm score --all), the models themselves and the customer view.
func NewLive(ctx context.Context, ws *workspace.Workspace) (*Live, error) {
	rules, _, err := LoadRules(ctx, ws)
	if err != nil {
		return nil, err
	}
	s, err := loadCalibration(ctx, ws, rules)
	if err != nil {
		return nil, err
	}
	v, err := features.CustomerView(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("nbo: live: %w", err)
	}
	l := &Live{ws: ws, Rules: rules, Scoring: s, View: v, models: map[int]*profiles.Stored{}, At: s.AsOf,
		Limit: rules.MaxOffersPerContact, MaxWhy: 3}
	for pid, id := range s.Models {
		m, err := profiles.Load(ctx, ws, id)
		if err != nil {
			return nil, fmt.Errorf("nbo: live: product %d: %w", pid, err)
		}
		l.models[pid] = m
	}
	// The view's columns and types: one empty read.
	f, err := features.Load(ctx, ws, features.LoadSpec{Query: "SELECT * FROM (" + v.SQL + ") WHERE false", ID: "customer_id"}, nil)
	if err != nil {
		return nil, fmt.Errorf("nbo: live: customer view: %w", err)
	}
	l.fields = map[string]*features.Column{}
	for _, c := range f.Cols {
		l.fields[strings.ToLower(c.Name)] = c
	}
	l.planProducts(f.Cols)
	l.custCols = map[string]bool{}
	for _, t := range []string{"name", "sector"} {
		var n int
		if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.columns WHERE table_name = 'customers' AND lower(column_name) = ?`, t).Scan(&n); err != nil {
			return nil, fmt.Errorf("nbo: live: customers: %w", err)
		}
		l.custCols[t] = n > 0
	}
	if l.hasEvents, err = ws.HasTable(ctx, "events"); err != nil {
		return nil, fmt.Errorf("nbo: live: %w", err)
	}
	return l, nil
}

// loadCalibration reads the latest scoring's run, model versions and calibration (LoadScoring
// without the per-customer scores).
func loadCalibration(ctx context.Context, ws *workspace.Workspace, rules *Rules) (*Scoring, error) {
	db := ws
	s := &Scoring{Cal: map[int]map[string]Calib{}, Models: map[int]string{}}
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
	defer rows.Close()
	chans := map[string]bool{}
	for rows.Next() {
		var c Calib
		if err := rows.Scan(&c.Product, &c.Channel, &c.Intercept, &c.Slope, &c.ModelID, &c.Source, &c.Contacts, &c.Accepts); err != nil {
			return nil, err
		}
		if s.Cal[c.Product] == nil {
			s.Cal[c.Product] = map[string]Calib{}
		}
		s.Cal[c.Product][c.Channel] = c
		chans[c.Channel] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, ch := range OutboundChannels {
		if chans[ch] {
			s.Channels = append(s.Channels, ch)
		}
	}
	s.prepare()
	return s, nil
}

// Customer is one customer as Lookup read it: the view row, the frame each product's model
// sees, and what the rules need.
type Customer struct {
	ID       int64
	Name     string
	Segment  string // value segment of the latest scoring ("" when the customer is newer)
	View     *features.Frame
	History  History
	Holdings []datamart.Holding
	Contacts []datamart.Contact // the latest contacts over all channels, newest first (at most 20)
	Events   []datamart.Event   // the customer's events, oldest first

	all  []datamart.Contact // every contact (the totals without a product)
	opts []datamart.OptOut
}

// Lookup reads customer id: the customer view row, the per-product totals, segment,
// holdings, contacts, opt-outs, planned offers and eligibility. With an index (BuildIndex)
// it reads the customer from memory instead (what the decision needs; no card details), unless
// an outcome was recorded for the customer since the index was built.
func (l *Live) Lookup(ctx context.Context, id int64) (*Customer, error) {
	if x := l.index.Load(); x != nil && !l.touched(id) {
		return x.customer(l, id)
	}
	return l.lookupSQL(ctx, id)
}

// lookupSQL is Lookup from the workspace: one-customer reads, run side by side on the
// workspace's connections (each waits on DuckDB, not on the others); the view row is the
// view restricted to the customer inside every table's aggregate (View.Between), and the
// totals without each product are computed from the customer's contacts and opt-outs in
// memory.
func (l *Live) lookupSQL(ctx context.Context, id int64) (*Customer, error) {
	ws := l.ws
	has, err := l.tablesPresent(ctx, "contacts", "optouts", "campaign_members", "campaigns")
	if err != nil {
		return nil, fmt.Errorf("nbo: customer %d: %w", id, err)
	}
	c := &Customer{ID: id}
	var (
		all      []datamart.Contact
		opts     []datamart.OptOut
		members  []plannedMember
		eligible = true
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4) // the workspace's connection pool
	g.Go(func() error {
		f, err := features.Load(gctx, ws, features.LoadSpec{Query: l.View.Between(id, id).SQL, ID: "customer_id"}, nil)
		if err != nil {
			return fmt.Errorf("nbo: customer %d: %w", id, err)
		}
		c.View = f
		return nil
	})
	if has["contacts"] {
		g.Go(func() (err error) {
			if all, err = datamart.Contacts(gctx, ws, datamart.ContactFilter{CustomerID: id}); err != nil {
				return fmt.Errorf("nbo: customer %d: %w", id, err)
			}
			return nil
		})
	}
	if has["optouts"] {
		g.Go(func() (err error) {
			if opts, err = datamart.OptOutsOf(gctx, ws, id); err != nil {
				return fmt.Errorf("nbo: customer %d: %w", id, err)
			}
			return nil
		})
	}
	g.Go(func() error {
		if err := ws.QueryRowContext(gctx, `SELECT value_segment FROM acrm_nbo_customers WHERE customer_id = ?`, id).Scan(&c.Segment); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("nbo: customer %d: segment: %w", id, err)
		}
		return nil
	})
	g.Go(func() (err error) {
		if c.Holdings, err = datamart.HoldingsOf(gctx, ws, id); err != nil {
			return fmt.Errorf("nbo: customer %d: %w", id, err)
		}
		return nil
	})
	if has["contacts"] && has["campaign_members"] && has["campaigns"] {
		g.Go(func() (err error) {
			members, err = l.plannedMembers(gctx, id)
			return err
		})
	}
	if e := strings.TrimSpace(l.Rules.Eligibility); e != "" {
		g.Go(func() error {
			ids, err := filterIDs(gctx, ws, "customer_id = "+strconv.FormatInt(id, 10)+" AND ("+e+")")
			if err != nil {
				return fmt.Errorf("nbo: eligibility %q: %w", e, err)
			}
			eligible = len(ids) > 0
			return nil
		})
	}
	g.Go(func() error {
		if err := l.lookupCard(gctx, c); err != nil && !errors.Is(err, sql.ErrNoRows) { // no such customer: said below
			return err
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if c.View.Rows == 0 {
		return nil, fmt.Errorf("nbo: customer %d: %w in the customers table", id, ErrUnknownCustomer)
	}
	c.all, c.opts = all, opts
	c.History = l.historyOf(c.Segment, all, opts, l.plannedOf(members, all), eligible)
	for i := len(all) - 1; i >= 0 && len(c.Contacts) < 20; i-- {
		c.Contacts = append(c.Contacts, all[i])
	}
	return c, nil
}

// tablesPresent says which of the named tables (or views) the workspace holds, in one query.
func (l *Live) tablesPresent(ctx context.Context, names ...string) (map[string]bool, error) {
	rows, err := l.ws.QueryContext(ctx, `SELECT DISTINCT lower(table_name) FROM information_schema.tables WHERE table_schema = 'main' AND lower(table_name) IN (SELECT unnest(?::VARCHAR[]))`, names)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}

// windowStart is the earliest contact the rules look at: the start of the cap period or of
// the cool-down window, whichever is earlier.
func (l *Live) windowStart() time.Time {
	from := l.At.AddDate(0, -l.Rules.PeriodMonths, 0)
	if cd := l.At.AddDate(0, 0, -l.Rules.CoolDownDays); cd.Before(from) {
		from = cd
	}
	return from
}

// plannedMember is one registered campaign that contacted customer id (as planned), about a
// product, not over before the rules' window.
type plannedMember struct {
	campaign int
	offer    PastOffer
}

// plannedMembers reads the campaigns that planned an offer to customer id and end within
// the rules' window; plannedOf keeps those that have not contacted the customer yet.
func (l *Live) plannedMembers(ctx context.Context, id int64) ([]plannedMember, error) {
	rows, err := l.ws.QueryContext(ctx, `SELECT c.campaign_id, c.start_date::TIMESTAMP, c.product_id, coalesce(c.channel, '')
		FROM campaign_members m JOIN campaigns c USING (campaign_id)
		WHERE m.customer_id = ? AND m.contacted AND c.product_id IS NOT NULL AND c.end_date >= ?::DATE`, id, l.windowStart())
	if err != nil {
		return nil, fmt.Errorf("nbo: customer %d: planned offers: %w", id, err)
	}
	defer rows.Close()
	var out []plannedMember
	for rows.Next() {
		var m plannedMember
		if err := rows.Scan(&m.campaign, &m.offer.TS, &m.offer.Product, &m.offer.Channel); err != nil {
			return nil, fmt.Errorf("nbo: customer %d: planned offers: %w", id, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("nbo: customer %d: planned offers: %w", id, err)
	}
	return out, nil
}

// plannedOf is the offers registered campaigns planned for the customer and have not
// contacted them about yet (no contact of the customer carries the campaign), dated l.At
// when planned before it, as LoadHistories gives them for all.
func (l *Live) plannedOf(members []plannedMember, contacts []datamart.Contact) []PastOffer {
	var out []PastOffer
	for _, m := range members {
		if slices.ContainsFunc(contacts, func(k datamart.Contact) bool { return k.CampaignID == m.campaign }) {
			continue
		}
		o := m.offer
		if !o.TS.After(l.At) {
			o.TS = l.At
		}
		out = append(out, o)
	}
	return out
}

// historyOf is what the rules need of one customer as of l.At, as LoadHistories gives it for
// all: opt-outs, outbound offers in the window (contacts in time order), then planned offers.
func (l *Live) historyOf(segment string, contacts []datamart.Contact, opts []datamart.OptOut, planned []PastOffer, eligible bool) History {
	h := History{Segment: segment, PeriodStart: PeriodStart(l.Scoring.AsOf, l.At, l.Rules.PeriodMonths), Eligible: eligible}
	for _, o := range opts {
		h.OptOuts = append(h.OptOuts, OptOut{Product: o.ProductID, Channel: o.Channel, Since: o.Since})
	}
	from := l.windowStart()
	for _, k := range contacts {
		if k.Direction == "outbound" && k.ProductID != 0 && k.TS.After(from) {
			out := k.Outcome
			if out == "" {
				out = "no_response"
			}
			h.Offers = append(h.Offers, PastOffer{TS: k.TS, Product: k.ProductID, Channel: k.Channel, Outcome: out})
		}
	}
	h.Offers = append(h.Offers, planned...)
	return h
}

// Fact is one thing the customer told: a customer-view field and its new value.
type Fact struct {
	Field string
	Value string // "null" (any case) or "" makes the field missing
}

// ParseFact parses "field=value".
func ParseFact(s string) (Fact, error) {
	k, v, ok := strings.Cut(s, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" {
		return Fact{}, fmt.Errorf("live fact %q: want field=value", s)
	}
	return Fact{Field: k, Value: strings.TrimSpace(v)}, nil
}

// FactError names a live fact that cannot apply.
type FactError struct {
	Fact Fact
	Msg  string
}

func (e *FactError) Error() string {
	return fmt.Sprintf("live fact %s=%s: %s", e.Fact.Field, e.Fact.Value, e.Msg)
}

type typedFact struct {
	col  string
	num  bool
	v    float64
	s    string
	null bool
}

// checkFacts type-checks facts against the customer view: an unknown field, the id, or a
// value that is not a number for a numeric field is a *FactError.
func (l *Live) checkFacts(facts []Fact) ([]typedFact, error) {
	out := make([]typedFact, 0, len(facts))
	for _, f := range facts {
		c, ok := l.fields[strings.ToLower(f.Field)]
		if !ok || strings.EqualFold(f.Field, "customer_id") {
			return nil, &FactError{f, "unknown field of the customer view (acrm nbo --fields lists them)"}
		}
		t := typedFact{col: c.Name, num: c.Numeric, s: f.Value}
		switch {
		case f.Value == "" || strings.EqualFold(f.Value, "null"):
			t.null = true
		case c.Numeric:
			v, err := strconv.ParseFloat(f.Value, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, &FactError{f, fmt.Sprintf("%s is %s: want a number", c.Name, c.Type)}
			}
			t.v = v
		}
		out = append(out, t)
	}
	return out, nil
}

// Fields lists the customer-view fields a live fact may set, with their types, sorted.
func (l *Live) Fields() [][2]string {
	var out [][2]string
	for _, c := range l.fields {
		if c.Name != "customer_id" {
			out = append(out, [2]string{c.Name, c.Type})
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a][0] < out[b][0] })
	return out
}

// withFacts returns a copy of the one-row frame f with the facts' columns replaced.
func withFacts(f *features.Frame, facts []typedFact) *features.Frame {
	if len(facts) == 0 {
		return f
	}
	out := *f
	out.Cols = append([]*features.Column(nil), f.Cols...)
	for _, t := range facts {
		for i, c := range out.Cols {
			if strings.EqualFold(c.Name, t.col) {
				out.Cols[i] = factColumn(c, t)
			}
		}
	}
	return &out
}

// factColumn is column c (one row) holding the fact's value instead.
func factColumn(c *features.Column, t typedFact) *features.Column {
	nc := &features.Column{Name: c.Name, Type: c.Type, Numeric: c.Numeric, Null: []bool{t.null}}
	if c.Numeric {
		v := t.v
		if t.null {
			v = math.NaN()
		}
		nc.Num = []float64{v}
	} else {
		nc.Str = []string{t.s}
	}
	return nc
}

// Reason is one feature that pushed an offer's score up for this customer.
type Reason struct {
	Feature      string  `json:"feature"`
	Value        float64 `json:"value"`
	Contribution float64 `json:"contribution"` // in the model's raw score (log-odds for logit, gbdt and blend; rate for a tree)
}

// LiveOffer is a ranked offer with the model version behind it and its reason.
type LiveOffer struct {
	Offer
	Score   float64  `json:"score"` // the model's calibrated score before the channel calibration
	Reasons []Reason `json:"reasons"`
	Why     string   `json:"why"` // the reason in words
}

// LiveDecision is one customer's live offers.
type LiveDecision struct {
	Customer int64
	At       time.Time
	Segment  string
	Facts    []Fact
	Offers   []LiveOffer
	Trace    []Step
	Usage    Usage
}

// Offers scores every product for customer c with facts applied, through channel (""= every
// outbound channel), applies the rules (Decide with its trace) and explains each offer. It
// reads nothing from the workspace. A product that the rules remove whatever its score —
// owned (or not held, for retention), opted out, not eligible, in cool-down, pending, over
// the cap or the channel cap on every channel — is not scored: the trace says why all the
// same. The rest are encoded straight from the customer's view row (the product plans) into
// pooled buffers and scored without allocating.
func (l *Live) Offers(c *Customer, facts []Fact, channel string) (*LiveDecision, error) {
	tf, err := l.checkFacts(facts)
	if err != nil {
		return nil, err
	}
	s := l.Scoring
	chans := s.Channels
	if channel != "" {
		chans = nil
		for i, ch := range s.Channels {
			if ch == channel {
				chans = s.Channels[i : i+1]
			}
		}
		if chans == nil {
			return nil, fmt.Errorf("nbo: channel %q: want one of %s", channel, strings.Join(s.Channels, ", "))
		}
	}
	planned := l.plans != nil && l.sameLayout(c.View) // the view row has the plans' layout
	var sc *liveScratch
	var encode func(pl *productPlan, pid, k int) error
	if planned {
		sc = l.scratch.Get().(*liveScratch)
		defer l.scratch.Put(sc)
		sc.setFacts(l, c.View, tf)
		clear(sc.encoded)
		// encode writes product pid's encoded row into the scratch buffer.
		encode = func(pl *productPlan, pid, k int) error {
			touched := touches(c.all, c.opts, pid)
			if touched {
				l.totalsInto(sc.totals, c.all, c.opts, pid)
			}
			if err := pl.bound.Encode(sc.productCols(l, pl, c.View, touched), 0, sc.X[pl.offset:pl.offset+pl.width]); err != nil {
				return fmt.Errorf("nbo: customer %d: product %d: %w", c.ID, pid, err)
			}
			sc.encoded[k] = true
			return nil
		}
	}
	// The fact-free scores of an indexed customer are cached (the answer to a GET; an
	// outcome for the customer makes it read from the workspace and ignore the cache).
	cacheable := planned && len(tf) == 0 && channel == "" && l.index.Load() != nil && !l.touched(c.ID)
	var cached []float64
	if cacheable {
		if v, ok := l.scoreCache.Load(c.ID); ok {
			cached = v.([]float64)
		}
	}
	var view *features.Frame // the view with the facts, for products decided the slow way
	slowX := map[int]*model.Matrix{}
	slowF := map[int]*features.Frame{}
	usage := l.Rules.Usage(l.At, &c.History)
	cut := l.Rules.cutoffsAt(l.At)
	K := s.K()
	raw := make([]float64, K)
	cands := make([]Candidate, 0, K*len(chans))
	if sc != nil {
		cands = sc.cands[:0]
	}
	for k := range s.Products.List {
		p := &s.Products.List[k]
		raw[k] = math.NaN()
		m, ok := l.models[p.ID]
		_, inView := l.View.Product(p.ID)
		pl := l.plans[p.ID]
		if !planned {
			pl = nil
		}
		var held bool
		switch {
		case !ok || !inView:
		case pl != nil:
			own := sc.cols[pl.own]
			held = len(own.Num) > 0 && own.Num[0] > 0
		default:
			if view == nil {
				view = withFacts(c.View, tf)
			}
			own := view.Col(features.OwnCol(p.ID))
			held = own != nil && len(own.Num) > 0 && own.Num[0] > 0
		}
		cal := s.Cal[p.ID]
		if !ok || !inView || held != (p.Objective == ObjRetention) {
			// Not offerable: one candidate, so that the rules say why.
			cands = append(cands, Candidate{Product: p.ID, Objective: p.Objective, Owned: p.Objective != ObjRetention, Channel: chans[0]})
			continue
		}
		if cal == nil {
			continue
		}
		// The rules that do not need the score: when they remove the product on every channel,
		// its candidates go to the rules unscored (the trace is the same).
		first := len(cands)
		needed := false
		for _, ch := range chans {
			cb, ok := cal[ch]
			if !ok {
				continue
			}
			cand := Candidate{Product: p.ID, Objective: p.Objective, Owned: p.Objective == ObjRetention, Channel: ch,
				P: math.NaN(), Value: math.NaN(), Cost: p.Cost[ch], Model: cb.ModelID, Reason: s.reason(p.Objective, cb.Source)}
			if rule, _ := l.Rules.check(l.At, cut, &c.History, usage, &cand, false); rule == "" || rule == RuleMinPropensity || rule == RuleNoValue {
				needed = true
			}
			cands = append(cands, cand)
		}
		if !needed {
			for i := first; i < len(cands); i++ {
				cands[i].P, cands[i].Value = 0, 0
			}
			continue
		}
		var score float64
		switch {
		case pl != nil && cached != nil && !math.IsNaN(cached[k]):
			score = cached[k]
		case pl != nil:
			if err := encode(pl, p.ID, k); err != nil {
				return nil, err
			}
			score = m.Calibrator.Apply(model.PredictOne(m.Classifier, sc.X[pl.offset:pl.offset+pl.width]))
		default:
			pf, err := l.View.ForProductWith(c.View, p.ID, l.totalsWithout(c.View, c.all, c.opts, p.ID))
			if err != nil {
				return nil, fmt.Errorf("nbo: customer %d: product %d: %w", c.ID, p.ID, err)
			}
			pf = withFacts(pf, tf)
			X, err := m.Encoder.Transform(pf)
			if err != nil {
				return nil, fmt.Errorf("nbo: customer %d: product %d: %w", c.ID, p.ID, err)
			}
			score = m.Calibrator.Apply(m.Classifier.Predict(X)[0])
			slowX[p.ID], slowF[p.ID] = X, pf
		}
		sc32 := float64(float32(score)) // the batch keeps scores as float32
		if math.IsNaN(sc32) {           // no score after all: not offerable, as the batch treats it
			cands = append(cands[:first], Candidate{Product: p.ID, Objective: p.Objective, Owned: p.Objective != ObjRetention, Channel: chans[0]})
			continue
		}
		raw[k] = score
		for i := first; i < len(cands); i++ {
			cand := &cands[i]
			cand.P = cal[cand.Channel].P(sc32)
			cand.Value = value(p, cand.Channel, cand.P)
		}
	}
	if sc != nil {
		sc.cands = cands[:0]
	}
	if cacheable && cached == nil && l.scoreCached.Load() < maxCachedScores && !l.touched(c.ID) {
		if _, loaded := l.scoreCache.LoadOrStore(c.ID, slices.Clone(raw)); !loaded {
			l.scoreCached.Add(1)
		}
	}
	d := l.Rules.Decide(l.At, &c.History, cands, l.Limit, true)
	out := &LiveDecision{Customer: c.ID, At: l.At, Segment: c.Segment, Facts: facts, Trace: d.Trace, Usage: d.Usage}
	for _, o := range d.Offers {
		k := s.Products.Index(o.Product)
		lo := LiveOffer{Offer: o, Score: raw[k]}
		cls := l.models[o.Product].Classifier
		if pl := l.plans[o.Product]; planned && pl != nil {
			if !sc.encoded[k] { // scored from the cache
				if err := encode(pl, o.Product, k); err != nil {
					return nil, err
				}
			}
			x := sc.X[pl.offset : pl.offset+pl.width]
			lo.Reasons = topReasons(cls, x, l.models[o.Product].Encoder.Names, l.MaxWhy)
			// A reason names a column of the product's frame: show the customer's value, not the encoded one.
			touched := touches(c.all, c.opts, o.Product)
			if touched {
				l.totalsInto(sc.totals, c.all, c.opts, o.Product)
			}
			cols := sc.productCols(l, pl, c.View, touched)
			for i, r := range lo.Reasons {
				if j, ok := l.viewPos[strings.ToLower(r.Feature)]; ok && j != pl.own {
					if col := cols[j]; col.Numeric && len(col.Num) > 0 && !math.IsNaN(col.Num[0]) {
						lo.Reasons[i].Value = col.Num[0]
					}
				}
			}
		} else if X := slowX[o.Product]; X != nil {
			lo.Reasons = topReasons(cls, X.Row(0), X.Names, l.MaxWhy)
			pf := slowF[o.Product]
			for i, r := range lo.Reasons {
				if col := pf.Col(r.Feature); col != nil && col.Numeric && len(col.Num) > 0 && !math.IsNaN(col.Num[0]) {
					lo.Reasons[i].Value = col.Num[0]
				}
			}
		}
		lo.Why = why(lo.Reasons)
		out.Offers = append(out.Offers, lo)
	}
	return out, nil
}

// topReasons are the n features with the largest positive contributions to the model's raw
// score for the one row of X (none when the model has no contributions).
func topReasons(c model.Classifier, row []float64, names []string, n int) []Reason {
	_, con, err := model.Contributions(c, row)
	if err != nil {
		return nil
	}
	var out []Reason
	for j, v := range con {
		if v > 0 {
			name := fmt.Sprintf("x%d", j)
			if j < len(names) {
				name = names[j]
			}
			out = append(out, Reason{Feature: name, Value: row[j], Contribution: v})
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Contribution > out[b].Contribution })
	return out[:min(n, len(out))]
}

// why puts reasons in words: "contract_end_months = 3 (+0.81), nps = 9 (+0.40)".
func why(rs []Reason) string {
	if len(rs) == 0 {
		return "no feature pushed this offer up for the customer"
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		if strings.Contains(r.Feature, "=") { // a one-hot level: the customer is in it
			parts[i] = fmt.Sprintf("%s (%+.2f)", r.Feature, r.Contribution)
		} else {
			parts[i] = fmt.Sprintf("%s = %s (%+.2f)", r.Feature, strconv.FormatFloat(r.Value, 'g', 4, 64), r.Contribution)
		}
	}
	return "pushed up by " + strings.Join(parts, ", ")
}
