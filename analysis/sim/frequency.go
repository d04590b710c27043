package sim

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gonum.org/v1/gonum/stat"

	"github.com/acrm-dev/acrm/analysis/progress"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// DefaultBoot and DefaultSeed are the bootstrap settings of the frequency analysis when a
// caller gives none: the CLI (simulate frequency, chart frequency/scenarios/deck) and the
// workbench use them alike, so the same what-if prints the same interval everywhere.
const (
	DefaultBoot        = 200
	DefaultSeed uint64 = 1
)

// Progress is the one progress report of long calls (analysis/progress).
type Progress = progress.Progress

// FrequencyOptions say what LoadFrequency analyses.
type FrequencyOptions struct {
	Segment      string         // saved segment name, or top, middle, low, all ("" = all)
	PeriodMonths int            // 3, 6 (half year, default) or 12
	Boot         int            // bootstrap replicates (default 200; at least 20)
	Seed         uint64         // bootstrap seed
	Refresh      bool           // recompute even when a cached analysis matches
	Report       func(Progress) // optional; called one at a time, possibly from worker goroutines
}

// ParsePeriod reads a period flag: 6m, 3m, 12m (also "half year", "quarter", "year").
func ParsePeriod(s string) (int, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "6m", "6", "half year", "halfyear", "half-year":
		return 6, nil
	case "3m", "3", "quarter":
		return 3, nil
	case "12m", "12", "year", "1y":
		return 12, nil
	}
	return 0, fmt.Errorf("period %q: want 3m, 6m or 12m", s)
}

// PeriodName is "half year", "quarter" or "year".
func PeriodName(months int) string {
	switch months {
	case 3:
		return "quarter"
	case 12:
		return "year"
	}
	return "half year"
}

// Estimate is a point estimate with its 95 % bootstrap percentile interval.
type Estimate struct {
	Estimate float64 `json:"estimate"`
	Lo       float64 `json:"lo"`
	Hi       float64 `json:"hi"`
}

// Contains reports whether v lies inside the interval.
func (e Estimate) Contains(v float64) bool { return v >= e.Lo && v <= e.Hi }

// BinStat is the per-contact response at one value of n (offers in the last 12 months).
type BinStat struct {
	N                 int      `json:"n"`
	Contacts          float64  `json:"contacts"`
	Accepts           float64  `json:"accepts"`
	Rate              Estimate `json:"rate"`
	RevenuePerContact Estimate `json:"revenue_per_contact"`
	OptOutRate        Estimate `json:"opt_out_rate"`
	Fitted            float64  `json:"fitted"` // r̂(n) of the fitted curve
}

// PeriodStat is what a customer yields in one period at K offers in that period.
type PeriodStat struct {
	K          int      `json:"k"`
	Randomized bool     `json:"randomized"` // a randomized frequency cell (k = 0: the global hold-out)
	Rows       int      `json:"rows"`       // customer-periods
	Contracts  Estimate `json:"contracts"`  // accepted offers per customer-period
	Revenue    Estimate `json:"revenue"`    // revenue per customer-period
	OptOuts    Estimate `json:"opt_outs"`   // opt-outs per customer-period
}

// Frequency is the contact-frequency analysis of one segment: the response curve with its
// uncertainty, and the cached per-customer aggregates and bootstrap replicates from which
// WhatIf recomputes instantly.
type Frequency struct {
	Segment       SegmentInfo   `json:"segment"`
	PeriodMonths  int           `json:"period_months"`
	Randomized    bool          `json:"randomized"` // the curve comes from randomized frequency cells
	Source        string        `json:"source"`
	Periods       int           `json:"periods"`  // full periods in the history
	Contacts      float64       `json:"contacts"` // offers the curve is fitted on
	Bins          []BinStat     `json:"bins"`
	PerPeriod     []PeriodStat  `json:"per_period"`
	Curve         ResponseCurve `json:"curve"`
	Peak          Estimate      `json:"peak"`            // n* offers per 12 months at which one offer converts best
	BestPerPeriod Estimate      `json:"best_per_period"` // offers per period that maximize contracts (steady state)
	OptOut        OptOutCurve   `json:"opt_out_curve"`
	Boot          int           `json:"boot"`
	Seed          uint64        `json:"seed"`
	FailedBoot    int           `json:"failed_boot"` // replicates whose curve could not be fitted
	// PeriodNote is set when the curve comes from randomized frequency cells but the period is
	// not the half year those cells (and the global hold-out) were assigned for: per quarter or
	// year the cells are no randomized levels, so the per-period levels are observational and
	// the what-if has no randomized check (WhatIf.Experiment is nil). The curve per offer is
	// unaffected: it counts offers in 12 months whatever the period.
	PeriodNote string        `json:"period_note,omitempty"`
	Elapsed    time.Duration `json:"-"`

	point rep
	reps  []rep
}

// kMax caps the offers per period and maxN the offers per 12 months that are told apart.
const (
	kMax = 24
	maxN = 30
	sMax = 15 // prior offers (outside the current frequency cell) told apart as strata
)

type levelSum struct{ rows, acc, rev, opt float64 }

const (
	kindBAU = iota
	kindCell
	kindHoldout
)

// rep holds the totals and fits of the data (point) or of one bootstrap replicate.
type rep struct {
	strata  *[sMax + 1][maxN + 1]CurveBin // by prior offers s, then by n; dropped once fitted
	bins    [maxN + 1]CurveBin            // marginal over s
	level   [kMax + 1][3]levelSum
	curve   ResponseCurve
	curveOK bool
	opt     OptOutCurve
}

// freqRows are the per-customer aggregates read from DuckDB, stored column-wise with
// offsets per customer (CSR) so a bootstrap replicate is one pass over flat arrays.
type freqRows struct {
	cOff                          []int32 // len customers+1, into the b* arrays
	bS, bN                        []uint8
	bContacts, bAccepts, bOptouts []float64
	bRevenue                      []float64
	pOff                          []int32 // len customers+1, into the p* arrays
	pK, pKind                     []uint8
	pAccepts, pOptouts, pRevenue  []float64
	customers                     int
}

// LoadFrequency reads the contact history of a segment and estimates response, revenue and
// opt-outs against contact frequency, with bootstrap confidence intervals. Results are cached
// in memory per workspace, segment, period, bootstrap settings and a fingerprint of the
// history, so loading the same analysis again is immediate; WhatIf then recomputes without
// touching the workspace.
//
// Aggregation runs in DuckDB: for every outbound offer contact (direction outbound, product
// set) n = the customer's outbound offers in the 365 days up to and including it (a window
// count); offers are summed per customer × n, and per customer × period (periods of
// PeriodMonths calendar months ending with the month of the last contact). Opt-outs are
// attributed to the offer made on their since date. When the history has randomized
// frequency cells (campaigns.selection = 'frequency', cells freq-k) only their offers feed the
// curve, so n is assigned by design rather than chosen by a targeting model; otherwise every
// offer is used and the result is flagged observational.
//
// The bootstrap resamples customers with replacement (seeded), recomputes every total and
// refits the curves per replicate; intervals are 2.5 % and 97.5 % percentiles.
func LoadFrequency(ctx context.Context, ws *workspace.Workspace, opts FrequencyOptions) (*Frequency, error) {
	start := time.Now()
	if opts.PeriodMonths == 0 {
		opts.PeriodMonths = 6
	}
	if opts.PeriodMonths != 3 && opts.PeriodMonths != 6 && opts.PeriodMonths != 12 {
		return nil, fmt.Errorf("sim: period of %d months: want 3, 6 or 12", opts.PeriodMonths)
	}
	if opts.Boot == 0 {
		opts.Boot = DefaultBoot
	}
	if opts.Boot < 20 {
		return nil, fmt.Errorf("sim: %d bootstrap replicates are too few for a 95 %% interval; use at least 20", opts.Boot)
	}
	report := opts.Report
	if report == nil {
		report = func(Progress) {}
	}
	fp, has, err := fingerprint(ctx, ws, opts.Segment)
	if err != nil {
		return nil, err
	}
	for _, t := range []string{"customers", "contacts"} {
		if !has[t] {
			return nil, fmt.Errorf("sim: contact frequency needs a %s table; load the datamart first (acrm sample or acrm import)", t)
		}
	}
	key := fmt.Sprintf("%p|%s|%s|%d|%d|%d|%s", ws, ws.Path(), segmentKey(opts.Segment), opts.PeriodMonths, opts.Boot, opts.Seed, fp)
	if f := cacheGet(key); f != nil && !opts.Refresh {
		return f, nil
	}
	segSQL, info, err := resolveSegment(ctx, ws, opts.Segment)
	if err != nil {
		return nil, err
	}
	report(Progress{Stage: "aggregating contacts in DuckDB"})
	rows, meta, err := loadRows(ctx, ws, segSQL, info, opts.PeriodMonths)
	if err != nil {
		return nil, err
	}
	f := &Frequency{Segment: info, PeriodMonths: opts.PeriodMonths, Randomized: meta.randomized, Periods: meta.periods,
		Boot: opts.Boot, Seed: opts.Seed}
	if meta.randomized {
		f.Source = fmt.Sprintf("randomized frequency cells (freq-1 … freq-%d): offers per period assigned at random", meta.maxCell)
	} else {
		f.Source = "observational: every outbound offer — customers with more contacts were chosen for them, so the curve may be confounded"
	}
	if meta.randomized && opts.PeriodMonths != cellMonths {
		per := PeriodName(opts.PeriodMonths)
		f.PeriodNote = fmt.Sprintf("the randomized frequency and hold-out cells set offers per half year, not per %s: "+
			"per %s the levels are observational (frequency-test customers count as business as usual) and there is no randomized check of the what-if; "+
			"the response curve per offer is still fitted on the randomized cells", per, per)
	}
	f.point = rows.totals(nil)
	f.point.curve, err = FitResponseCurve(f.point.strataSlices(), nil)
	f.point.strata = nil // only the fit needs them; the cache keeps the rest
	if err != nil {
		return nil, fmt.Errorf("sim: segment %q: %w", info.Name, err)
	}
	f.point.curveOK = true
	f.point.opt, err = FitOptOutCurve(f.point.binSlice(), nil)
	if err != nil {
		return nil, fmt.Errorf("sim: segment %q: %w", info.Name, err)
	}
	f.Curve, f.OptOut = f.point.curve, f.point.opt
	if err := f.bootstrap(ctx, rows, report); err != nil {
		return nil, err
	}
	f.summarize()
	f.Elapsed = time.Since(start)
	cachePut(key, f)
	return f, nil
}

// segmentKey names a segment in the cache key: built-in names case-insensitively, saved
// segment names exactly as acrm_segments matches them.
func segmentKey(name string) string {
	name = strings.TrimSpace(name)
	switch l := strings.ToLower(name); l {
	case "", "all", "top", "middle", "low":
		if l == "" {
			l = "all"
		}
		return "builtin:" + l
	}
	return "saved:" + name
}

// totals sums the rows with customer weights w (nil = every customer once).
func (d *freqRows) totals(w []int32) rep {
	r := rep{strata: new([sMax + 1][maxN + 1]CurveBin)}
	for n := range r.bins {
		r.bins[n].N = n
		for s := range r.strata {
			r.strata[s][n].N = n
		}
	}
	for c := 0; c < d.customers; c++ {
		wc := 1.0
		if w != nil {
			if w[c] == 0 {
				continue
			}
			wc = float64(w[c])
		}
		for j := d.cOff[c]; j < d.cOff[c+1]; j++ {
			b := &r.strata[d.bS[j]][d.bN[j]]
			b.Contacts += wc * d.bContacts[j]
			b.Accepts += wc * d.bAccepts[j]
			b.Revenue += wc * d.bRevenue[j]
			b.OptOuts += wc * d.bOptouts[j]
		}
		for j := d.pOff[c]; j < d.pOff[c+1]; j++ {
			l := &r.level[d.pK[j]][d.pKind[j]]
			l.rows += wc
			l.acc += wc * d.pAccepts[j]
			l.rev += wc * d.pRevenue[j]
			l.opt += wc * d.pOptouts[j]
		}
	}
	for s := range r.strata {
		for n, b := range r.strata[s] {
			m := &r.bins[n]
			m.Contacts += b.Contacts
			m.Accepts += b.Accepts
			m.Revenue += b.Revenue
			m.OptOuts += b.OptOuts
		}
	}
	return r
}

// strataSlices lists the non-empty strata, each as its non-empty bins.
func (r *rep) strataSlices() [][]CurveBin {
	var out [][]CurveBin
	for s := range r.strata {
		var st []CurveBin
		for _, b := range r.strata[s][1:] {
			if b.Contacts > 0 {
				st = append(st, b)
			}
		}
		if len(st) > 0 {
			out = append(out, st)
		}
	}
	return out
}

func (r *rep) binSlice() []CurveBin {
	out := make([]CurveBin, 0, maxN)
	for _, b := range r.bins[1:] {
		if b.Contacts > 0 {
			out = append(out, b)
		}
	}
	return out
}

// bootstrap draws opts.Boot replicates, resampling customers with replacement; replicate i
// uses its own PCG stream (seed, i), so results do not depend on scheduling.
func (f *Frequency) bootstrap(ctx context.Context, d *freqRows, report func(Progress)) error {
	f.reps = make([]rep, f.Boot)
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	var next, done int64
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := make([]int32, d.customers)
			for {
				mu.Lock()
				if firstErr != nil || next >= int64(f.Boot) {
					mu.Unlock()
					return
				}
				i := next
				next++
				mu.Unlock()
				if err := ctx.Err(); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				rng := rand.New(rand.NewPCG(f.Seed, uint64(i)+1))
				clear(w)
				for range d.customers {
					w[rng.IntN(d.customers)]++
				}
				r := d.totals(w)
				pc := f.point.curve
				if c, err := FitResponseCurve(r.strataSlices(), &pc); err == nil {
					r.curve, r.curveOK = c, true
				}
				r.strata = nil
				po := f.point.opt
				r.opt, _ = FitOptOutCurve(r.binSlice(), &po)
				f.reps[i] = r
				mu.Lock()
				done++
				report(Progress{Done: done, Total: int64(f.Boot), Stage: "bootstrap"}) // serialized: one call at a time
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	for _, r := range f.reps {
		if !r.curveOK {
			f.FailedBoot++
		}
	}
	if f.FailedBoot > f.Boot/2 {
		return fmt.Errorf("sim: segment %q: the response curve could not be fitted in %d of %d bootstrap samples: too little history for an interval",
			f.Segment.Name, f.FailedBoot, f.Boot)
	}
	return nil
}

// interval computes the point value and its 95 % percentile interval over the replicates;
// replicates for which g reports false (or NaN) are skipped.
func (f *Frequency) interval(g func(r *rep) (float64, bool)) Estimate {
	p, _ := g(&f.point)
	vals := make([]float64, 0, len(f.reps))
	for i := range f.reps {
		if v, ok := g(&f.reps[i]); ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return Estimate{p, p, p}
	}
	sort.Float64s(vals)
	return Estimate{Estimate: p, Lo: stat.Quantile(0.025, stat.Empirical, vals, nil), Hi: stat.Quantile(0.975, stat.Empirical, vals, nil)}
}

func ratio(a, b float64) (float64, bool) {
	if b == 0 {
		return 0, false
	}
	return a / b, true
}

func (f *Frequency) summarize() {
	f.Bins = nil
	f.Contacts = 0
	for n := 1; n <= maxN; n++ {
		b := f.point.bins[n]
		if b.Contacts == 0 {
			continue
		}
		f.Contacts += b.Contacts
		f.Bins = append(f.Bins, BinStat{
			N: n, Contacts: b.Contacts, Accepts: b.Accepts,
			Rate:              f.interval(func(r *rep) (float64, bool) { return ratio(r.bins[n].Accepts, r.bins[n].Contacts) }),
			RevenuePerContact: f.interval(func(r *rep) (float64, bool) { return ratio(r.bins[n].Revenue, r.bins[n].Contacts) }),
			OptOutRate:        f.interval(func(r *rep) (float64, bool) { return ratio(r.bins[n].OptOuts, r.bins[n].Contacts) }),
			Fitted:            f.Curve.At(float64(n)),
		})
	}
	f.PerPeriod = nil
	for _, kind := range []int{kindHoldout, kindCell, kindBAU} {
		for k := 0; k <= kMax; k++ {
			l := f.point.level[k][kind]
			if l.rows == 0 || (kind == kindBAU && k == 0) {
				continue // customer-periods without any offer are only complete for the hold-out
			}
			f.PerPeriod = append(f.PerPeriod, PeriodStat{
				K: k, Randomized: kind != kindBAU, Rows: int(l.rows),
				Contracts: f.interval(func(r *rep) (float64, bool) { return ratio(r.level[k][kind].acc, r.level[k][kind].rows) }),
				Revenue:   f.interval(func(r *rep) (float64, bool) { return ratio(r.level[k][kind].rev, r.level[k][kind].rows) }),
				OptOuts:   f.interval(func(r *rep) (float64, bool) { return ratio(r.level[k][kind].opt, r.level[k][kind].rows) }),
			})
		}
	}
	f.Peak = f.interval(func(r *rep) (float64, bool) { return r.curve.Peak(), r.curveOK && r.curve.C > 0 })
	f.BestPerPeriod = f.interval(func(r *rep) (float64, bool) {
		return r.curve.BestPerPeriod(f.PeriodMonths), r.curveOK && r.curve.C > -1
	})
}

// WhatIf is the effect of moving a segment from From to To offers per period.
type WhatIf struct {
	Segment      SegmentInfo `json:"segment"`
	PeriodMonths int         `json:"period_months"`
	From         int         `json:"from"`
	To           int         `json:"to"`
	Randomized   bool        `json:"randomized"`
	Source       string      `json:"source"`
	// LevelRows customer-periods with exactly From offers measure today's level; LevelSource
	// says which (business-as-usual periods, or the randomized freq-From cell).
	LevelRows   int    `json:"level_rows"`
	LevelSource string `json:"level_source"`

	NowContracts    Estimate `json:"now_contracts"`
	WhatIfContracts Estimate `json:"whatif_contracts"`
	ExtraContracts  Estimate `json:"extra_contracts"`
	NowRevenue      Estimate `json:"now_revenue"`
	WhatIfRevenue   Estimate `json:"whatif_revenue"`
	ExtraRevenue    Estimate `json:"extra_revenue"`
	// RevenueEffect is relative: WhatIfRevenue / NowRevenue − 1. It is nil (JSON null) when
	// undefined: the segment earns nothing now, or the fitted curve yields nothing at From.
	RevenueEffect *Estimate `json:"revenue_effect"`
	NowOptOuts    Estimate  `json:"now_opt_outs"`
	WhatIfOptOuts Estimate  `json:"whatif_opt_outs"`
	ExtraOptOuts  Estimate  `json:"extra_opt_outs"`
	// Experiment is the direct, one-period contrast of the randomized cells freq-To and
	// freq-From scaled to the segment (nil when either cell is missing, and for periods other
	// than the half year the cells were assigned for: see PeriodNote). It is short-run: the
	// customers' earlier periods were not at the new frequency yet.
	Experiment *Experiment `json:"experiment,omitempty"`
	// PeriodNote is Frequency.PeriodNote: why there is no randomized check at this period.
	PeriodNote string `json:"period_note,omitempty"`
}

// Experiment is the randomized contrast of two frequency cells, scaled to the segment size.
type Experiment struct {
	RowsFrom       int      `json:"rows_from"`
	RowsTo         int      `json:"rows_to"`
	ExtraContracts Estimate `json:"extra_contracts"`
	ExtraRevenue   Estimate `json:"extra_revenue"`
	ExtraOptOuts   Estimate `json:"extra_opt_outs"`
}

// ErrNoLevel is returned by WhatIf when no customer-period of the segment had the starting
// number of offers, so there is no "now" to start from.
var ErrNoLevel = errors.New("no period with that many offers")

// minLevelRows is the fewest business-as-usual customer-periods a level is read from before
// the randomized cell of the same k is added.
const minLevelRows = 30

// WhatIf recomputes, without touching the workspace, what moving the segment from `from` to
// `to` offers per period gives, per period and for the whole segment:
//
//	now      = S · ȳ(from)                         S segment customers, ȳ the mean per customer-period
//	what-if  = now · y(to) / y(from)               y(k) = k·r(k·12/months), the fitted steady state
//	opt-outs: the same with k·q(k·12/months)
//
// ȳ(from) is measured on business-as-usual periods with exactly `from` offers (adding the
// randomized freq-from cell when there are fewer than 30). Each bootstrap replicate carries its
// own level and curves, so the intervals include the uncertainty of both.
func (f *Frequency) WhatIf(from, to int) (WhatIf, error) {
	w := WhatIf{Segment: f.Segment, PeriodMonths: f.PeriodMonths, From: from, To: to, Randomized: f.Randomized, Source: f.Source, PeriodNote: f.PeriodNote}
	per := PeriodName(f.PeriodMonths)
	if from < 1 || from > kMax {
		return w, fmt.Errorf("sim: --from %d: offers per %s must be between 1 and %d", from, per, kMax)
	}
	if to < 0 || to > kMax {
		return w, fmt.Errorf("sim: --to %d: offers per %s must be between 0 and %d", to, per, kMax)
	}
	kinds := []int{kindBAU}
	lvl := f.point.level[from]
	if lvl[kindBAU].rows < minLevelRows {
		kinds = append(kinds, kindCell)
	}
	levelOf := func(r *rep) levelSum {
		var s levelSum
		for _, k := range kinds {
			l := r.level[from][k]
			s.rows += l.rows
			s.acc += l.acc
			s.rev += l.rev
			s.opt += l.opt
		}
		return s
	}
	pl := levelOf(&f.point)
	if pl.rows == 0 {
		var seen []string
		for k := 1; k <= kMax; k++ {
			if f.point.level[k][kindBAU].rows+f.point.level[k][kindCell].rows > 0 {
				seen = append(seen, strconv.Itoa(k))
			}
		}
		return w, fmt.Errorf("sim: segment %q: %w: no customer had exactly %d offers in a %s, so there is no level to start from (offers per %s seen: %s)",
			f.Segment.Name, ErrNoLevel, from, per, per, strings.Join(seen, ", "))
	}
	w.LevelRows = int(pl.rows)
	w.LevelSource = fmt.Sprintf("%s periods with exactly %d offers", FormatCount(pl.rows), from)
	if len(kinds) > 1 {
		w.LevelSource += " (business as usual and the randomized freq-" + strconv.Itoa(from) + " cell)"
	} else {
		w.LevelSource += " (business as usual)"
	}
	S := float64(f.Segment.Customers)
	m := f.PeriodMonths
	yieldRatio := func(r *rep) (float64, bool) {
		if !r.curveOK {
			return 0, false
		}
		return ratio(r.curve.PeriodYield(float64(to), m), r.curve.PeriodYield(float64(from), m))
	}
	optRatio := func(r *rep) float64 {
		if v, ok := ratio(r.opt.PeriodOptOuts(float64(to), m), r.opt.PeriodOptOuts(float64(from), m)); ok {
			return v
		}
		return float64(to) / float64(from)
	}
	type pick func(l levelSum) float64
	acc := func(l levelSum) float64 { return l.acc }
	rev := func(l levelSum) float64 { return l.rev }
	opt := func(l levelSum) float64 { return l.opt }
	now := func(p pick) func(r *rep) (float64, bool) {
		return func(r *rep) (float64, bool) {
			l := levelOf(r)
			v, ok := ratio(p(l), l.rows)
			return S * v, ok
		}
	}
	then := func(p pick, optOuts, extra bool) func(r *rep) (float64, bool) {
		return func(r *rep) (float64, bool) {
			n, ok := now(p)(r)
			if !ok {
				return 0, false
			}
			var q float64
			if optOuts {
				q = optRatio(r)
			} else if q, ok = yieldRatio(r); !ok {
				return 0, false
			}
			if extra {
				return n * (q - 1), true
			}
			return n * q, true
		}
	}
	w.NowContracts = f.interval(now(acc))
	w.WhatIfContracts = f.interval(then(acc, false, false))
	w.ExtraContracts = f.interval(then(acc, false, true))
	w.NowRevenue = f.interval(now(rev))
	w.WhatIfRevenue = f.interval(then(rev, false, false))
	w.ExtraRevenue = f.interval(then(rev, false, true))
	// Growth relative to zero revenue means nothing: the effect is defined only where
	// today's revenue and today's yield are positive, in the estimate and in each replicate.
	growth := func(r *rep) (float64, bool) {
		if n, ok := now(rev)(r); !ok || !(n > 0) {
			return 0, false
		}
		q, ok := yieldRatio(r)
		return q - 1, ok
	}
	if _, ok := growth(&f.point); ok {
		e := f.interval(growth)
		w.RevenueEffect = &e
	}
	w.NowOptOuts = f.interval(now(opt))
	w.WhatIfOptOuts = f.interval(then(opt, true, false))
	w.ExtraOptOuts = f.interval(then(opt, true, true))

	if to >= 1 && f.point.level[from][kindCell].rows > 0 && f.point.level[to][kindCell].rows > 0 {
		diff := func(p pick) func(r *rep) (float64, bool) {
			return func(r *rep) (float64, bool) {
				a, okA := ratio(p(r.level[from][kindCell]), r.level[from][kindCell].rows)
				b, okB := ratio(p(r.level[to][kindCell]), r.level[to][kindCell].rows)
				return S * (b - a), okA && okB
			}
		}
		w.Experiment = &Experiment{
			RowsFrom: int(f.point.level[from][kindCell].rows), RowsTo: int(f.point.level[to][kindCell].rows),
			ExtraContracts: f.interval(diff(acc)), ExtraRevenue: f.interval(diff(rev)), ExtraOptOuts: f.interval(diff(opt)),
		}
	}
	return w, nil
}

// fingerprint summarizes what a cached analysis depends on, cheaply enough to check on every
// lookup: the row counts of the history tables (DuckDB answers count(*) from its metadata),
// the segment's saved filter and the number of scores. Appending contacts, opt-outs or
// members, re-scoring or editing the segment's filter invalidates the cache; an in-place
// UPDATE of history rows does not — pass FrequencyOptions.Refresh (the screen's refresh key)
// after one.
func fingerprint(ctx context.Context, ws *workspace.Workspace, segment string) (string, map[string]bool, error) {
	rows, err := ws.QueryContext(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'main' AND table_name IN ('contacts', 'optouts', 'campaign_members', 'customers', 'acrm_segments', 'acrm_scores')`)
	if err != nil {
		return "", nil, fmt.Errorf("sim: fingerprint: %w", err)
	}
	has := map[string]bool{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return "", nil, fmt.Errorf("sim: fingerprint: %w", err)
		}
		has[t] = true
	}
	rows.Close()
	var parts []string
	for _, t := range []string{"contacts", "optouts", "campaign_members", "customers", "acrm_scores"} {
		if has[t] {
			parts = append(parts, fmt.Sprintf("(SELECT count(*) FROM %s)::VARCHAR", t))
		} else {
			parts = append(parts, "'-'")
		}
	}
	if has["acrm_segments"] {
		parts = append(parts, "coalesce((SELECT max(filter_sql) FROM acrm_segments WHERE name = "+workspace.QuoteString(segment)+"), '')")
	}
	var fp string
	if err := ws.QueryRowContext(ctx, "SELECT concat_ws('|', "+strings.Join(parts, ", ")+")").Scan(&fp); err != nil {
		return "", nil, fmt.Errorf("sim: fingerprint: %w", err)
	}
	return fp, has, nil
}

var freqCache = struct {
	sync.Mutex
	m     map[string]*Frequency
	order []string
}{m: map[string]*Frequency{}}

const freqCacheSize = 16

func cacheGet(key string) *Frequency {
	freqCache.Lock()
	defer freqCache.Unlock()
	return freqCache.m[key]
}

func cachePut(key string, f *Frequency) {
	freqCache.Lock()
	defer freqCache.Unlock()
	if _, ok := freqCache.m[key]; !ok {
		freqCache.order = append(freqCache.order, key)
	}
	freqCache.m[key] = f
	for len(freqCache.order) > freqCacheSize {
		delete(freqCache.m, freqCache.order[0])
		freqCache.order = freqCache.order[1:]
	}
}

// ClearFrequencyCache forgets every cached frequency analysis.
func ClearFrequencyCache() {
	freqCache.Lock()
	defer freqCache.Unlock()
	freqCache.m = map[string]*Frequency{}
	freqCache.order = nil
}

// CurvePoint is the fitted response per offer at N offers a year with its 95 % band.
type CurvePoint struct {
	N   float64 `json:"n"`
	Fit float64 `json:"fit"`
	Lo  float64 `json:"lo"`
	Hi  float64 `json:"hi"`
}

// CurveBand evaluates the fitted curve r(n) and its pointwise 95 % bootstrap band at
// n = step, 2·step, … up to maxN, for charts (the band is the 2.5 % and 97.5 % percentiles
// of the replicates' curves at each n).
func (f *Frequency) CurveBand(maxN, step float64) []CurvePoint {
	if step <= 0 || maxN <= 0 || math.IsNaN(step) || math.IsNaN(maxN) {
		return nil
	}
	var out []CurvePoint
	for n := step; n <= maxN+1e-9; n += step {
		e := f.interval(func(r *rep) (float64, bool) { return r.curve.At(n), r.curveOK })
		out = append(out, CurvePoint{N: n, Fit: e.Estimate, Lo: e.Lo, Hi: e.Hi})
	}
	return out
}
