// Package profiles trains, registers and applies propensity profiles: one model per product
// (look-alike or response target) over the customer feature view, or a model on any table
// with an id column and a SQL boolean target. Models, their encoder and calibrator live in the
// workspace's acrm_models registry; scores go to acrm_scores or to a CSV file.
package profiles

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/model"
	"github.com/acrm-dev/acrm/analysis/progress"
)

// Target kinds.
const (
	Lookalike = "lookalike" // owns product P vs not, over the whole base
	Response  = "response"  // accepted an outbound offer of P, over customers offered P
	Expr      = "expr"      // a SQL boolean expression over a generic table
)

// Progress is the one progress report of long calls (analysis/progress).
type Progress = progress.Progress

// Spec describes one training run.
type Spec struct {
	// Name is the registry name (model ids are Name@vN). Product runs default to
	// "P<id>-<target>" (e.g. P07-lookalike).
	Name string
	// ProductID > 0 trains a product model on the customer view with Kind Lookalike or
	// Response; otherwise Source, ID and Target describe a generic table.
	ProductID int
	Kind      string
	Source    string   // table name or SELECT for generic runs
	ID        string   // id column for generic runs ("" = rows numbered in table order)
	Target    string   // SQL boolean expression for generic runs
	Exclude   []string // columns that are not features
	// Algo is auto (logit, tree, gbdt and the logit+gbdt blend, the best mean CV AUC kept),
	// logit, tree, gbdt or blend.
	Algo string
	// Seed drives the folds, the encoder folds and the algorithms.
	Seed uint64
	// Folds is the number of stratified cross-validation folds the candidates are compared
	// on (0 = 5). Fewer are used when the smaller class has too few rows for them.
	Folds int
	// Workers bounds the goroutines of one run (0 = GOMAXPROCS); folds are fitted in
	// parallel up to it.
	Workers int
	// Options overrides the model defaults per algorithm (optional).
	Options map[model.Algo]model.Options
	// SampleRows bounds the labelled rows a run holds in memory: a source with more is
	// trained on a stratified sample of this many rows drawn inside DuckDB (see Sample).
	// 0 = DefaultSampleRows; negative = every row.
	SampleRows int
	// Files, for a table model, is a Parquet or CSV file or glob read in place of Source
	// (sampled inside DuckDB like a table; recorded as the model's source).
	Files string
	// Challenger registers the new version without making it serve: the version serving
	// the name keeps serving until acrm models promote (champion/challenger).
	Challenger bool
	// Since limits a response target to the outbound offers made at or after it (zero: all):
	// retraining on the newest outcomes.
	Since time.Time
}

// DefaultName is the registry name of a product model.
func DefaultName(productID int, kind string) string {
	return fmt.Sprintf("P%02d-%s", productID, kind)
}

func (s *Spec) normalize() error {
	if s.Algo == "" {
		s.Algo = "auto"
	}
	switch s.Algo {
	case "auto", "logit", "tree", "gbdt", "blend":
	default:
		return fmt.Errorf("profiles: --algo %q: want auto, logit, tree, gbdt or blend", s.Algo)
	}
	if s.Folds == 0 {
		s.Folds = DefaultFolds
	}
	if s.Folds < 2 || s.Folds > 20 {
		return fmt.Errorf("profiles: --folds %d: want 2 to 20", s.Folds)
	}
	if s.ProductID > 0 {
		if s.Kind == "" {
			s.Kind = Lookalike
		}
		if !s.Since.IsZero() && s.Kind != Response {
			return fmt.Errorf("profiles: --since goes with --target response (the offers made since then), not %s", s.Kind)
		}
		if s.Kind != Lookalike && s.Kind != Response && s.Kind != Uplift {
			return fmt.Errorf("profiles: --target %q for a product: want lookalike, response or uplift", s.Kind)
		}
		if s.Name == "" {
			s.Name = DefaultName(s.ProductID, s.Kind)
		}
	} else {
		s.Kind = Expr
		if s.Source == "" || s.Target == "" || s.Name == "" {
			return fmt.Errorf("profiles: a table model needs --table, --target and --name")
		}
	}
	if s.SampleRows > MaxSampleRows {
		return fmt.Errorf("profiles: --sample-rows %d: want at most %d (0 = every row)", s.SampleRows, MaxSampleRows)
	}
	if strings.ContainsAny(s.Name, "@ ") {
		return fmt.Errorf("profiles: model name %q must not contain '@' or spaces", s.Name)
	}
	return nil
}

// DefaultFolds is the number of cross-validation folds when Spec.Folds is 0.
const DefaultFolds = 5

func (s *Spec) algos() []model.Algo {
	if s.Algo == "auto" {
		return []model.Algo{model.Logit, model.Tree, model.GBDT, model.Blend}
	}
	return []model.Algo{model.Algo(s.Algo)}
}

// Trained is one candidate of a run: its cross-validated evaluation and, for the kept
// candidate, the model refitted on every labelled row.
type Trained struct {
	Algo model.Algo
	// CVAUC is the AUC of each fold's held-out rows (the model fitted on the other folds).
	CVAUC []float64
	// OOF are the metrics of the calibrated out-of-fold predictions of all rows: every row
	// scored by the fold model that did not see it (gains, lift, calibration).
	OOF model.Metrics
	// Params says what cross-validation chose (logit L2, gbdt rounds).
	Params string
	// CVTime is the candidate's share of the cross-validation, TrainTime the refit (kept
	// candidate only) plus its CV time.
	CVTime, TrainTime time.Duration
	IsBest            bool
	// Calibrator maps the raw scores to probabilities (fitted on the out-of-fold scores).
	Calibrator  *model.Calibrator
	Calibration string

	// Set on the kept candidate only.
	Classifier model.Classifier
	Encoder    *features.Encoder
	Options    model.Options
	Rules      []model.Rule
	Importance []Importance
	ModelID    string // set when registered
	Version    int
}

// CVMean is the mean fold AUC, the number the kept model is chosen on.
func (t *Trained) CVMean() float64 { m, _ := meanSD(t.CVAUC); return m }

// CVSD is the standard deviation of the fold AUCs (n−1 denominator).
func (t *Trained) CVSD() float64 { _, sd := meanSD(t.CVAUC); return sd }

// Importance is one feature's share of the model's importance.
type Importance struct {
	Feature string  `json:"feature"`
	Weight  float64 `json:"weight"`
}

// Result is a finished training run.
type Result struct {
	Spec      Spec
	Rows      int
	Positives int
	// Folds is the number of cross-validation folds used (Spec.Folds, or fewer for a tiny class).
	Folds int
	// Models are the candidates in Spec.algos() order; Best is the kept one (the only one
	// with a classifier, and the only one registered).
	Models      []*Trained
	Best        int
	Warnings    []string
	Oracle      float64 // the generator's oracle AUC for look-alike targets; NaN if unknown
	Source      string
	Fingerprint string
	// IDs are the ids of the labelled rows the folds were dealt from.
	IDs []string
	// Sample is set when the run was trained on a sample of its source; the kept model's
	// calibration is then corrected for it.
	Sample *Sample
}

// BestModel is the model kept by the run.
func (r *Result) BestModel() *Trained { return r.Models[r.Best] }

// FewPositives is the number of positives under which a run's AUC is flagged as resting
// on few positives ("< 200 positives").
const FewPositives = 200

// SelectedBy names the metric the kept model is chosen on.
const SelectedBy = "cv_auc"

// Errors for bad targets (wrapped with details).
var (
	ErrConstantTarget = errors.New("constant target")
	ErrNoPositives    = errors.New("target has no positives")
	ErrTooFew         = errors.New("too few rows of a class")
)

// minClass is the fewest rows of each class a run accepts (train, validation and test
// must all see both classes).
const minClass = 10

func checkTarget(what string, y []float64) (int, error) {
	pos := 0
	for _, v := range y {
		if v == 1 {
			pos++
		}
	}
	switch {
	case len(y) == 0:
		return 0, fmt.Errorf("profiles: %s: no rows to train on (the target is NULL on every row: a blank column?)", what)
	case pos == 0:
		return 0, fmt.Errorf("profiles: %s has no positives: it is false for all %d rows: %w", what, len(y), ErrNoPositives)
	case pos == len(y):
		return 0, fmt.Errorf("profiles: %s is constant: it is true for all %d rows, nothing to learn: %w", what, len(y), ErrConstantTarget)
	case pos < minClass || len(y)-pos < minClass:
		return 0, fmt.Errorf("profiles: %s has %d positive and %d negative rows; need at least %d of each: %w", what, pos, len(y)-pos, minClass, ErrTooFew)
	}
	return pos, nil
}

// minPerFold is the fewest rows of the smaller class each cross-validation fold should hold;
// runs with fewer positives (or negatives) use fewer folds.
const minPerFold = 5

// foldsFor returns the folds a run uses: the requested k, lowered when the smaller class
// has fewer than minPerFold·k rows (never below 2).
func foldsFor(k, minority int) int {
	return max(2, min(k, minority/minPerFold))
}

// logitL2 is the L2 path logit's penalty is chosen on (per mean log-loss on standardized
// features, strongest first for warm starts); 1/(C·n) in scikit-learn's terms.
var logitL2 = []float64{1e-2, 1e-3, 1e-4, 1e-5}

// Fit trains the spec's candidates on frame f with labels y (1/0), entirely in memory:
//
//  1. one encoder fitted on all labelled rows (raw units, so tree rules read in the data's
//     units; the logit standardizes internally; text levels with many values are target
//     encoded out-of-fold);
//  2. stratified k-fold cross-validation (Spec.Folds, fewer when the smaller class is tiny).
//     The first fold is fitted first with every worker and chooses what the other folds
//     and the refit reuse: the logit's L2 (best held-out AUC on a warm-started L2 path) and
//     the gbdt's number of rounds (early stopping on its held-out log-loss). The other folds
//     are then fitted in parallel: logit at that L2 started from the first fold's solution,
//     tree, gbdt for that many rounds; the blend averages the out-of-fold Platt-calibrated
//     logit and gbdt. Every candidate gets its AUC per fold and out-of-fold predictions of
//     every row;
//  3. the candidate with the best mean fold AUC is refitted on every labelled row (with
//     the chosen L2 / rounds), calibrated on its out-of-fold predictions (Platt or isotonic,
//     chosen by 2-fold cross-fitting) and described by rules and importances.
//
// The metrics of each candidate (Trained.OOF) are those of its calibrated out-of-fold
// predictions; Trained.CVAUC holds the fold AUCs.
func Fit(ctx context.Context, f *features.Frame, y []float64, spec Spec, report func(Progress)) (*Result, error) {
	if err := spec.normalize(); err != nil {
		return nil, err
	}
	what := "target " + targetLabel(spec)
	pos, err := checkTarget(what, y)
	if err != nil {
		return nil, err
	}
	if report == nil {
		report = func(Progress) {}
	}
	res := &Result{Spec: spec, Rows: f.Rows, Positives: pos, Oracle: math.NaN(), IDs: f.IDs}
	res.Folds = foldsFor(spec.Folds, min(pos, len(y)-pos))
	if res.Folds < spec.Folds {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d folds instead of %d: only %d rows of the smaller class", res.Folds, spec.Folds, min(pos, len(y)-pos)))
	}
	k := res.Folds
	total := int64(k + 2)
	report(Progress{Done: 0, Total: total, Stage: "encode"})
	enc, X, err := features.Fit(f, y, features.EncoderOptions{Seed: spec.Seed})
	if err != nil {
		return nil, fmt.Errorf("profiles: %s: %w", spec.Name, err)
	}
	for _, n := range enc.Dropped {
		res.Warnings = append(res.Warnings, "feature "+n.String())
	}
	algos := spec.algos()
	need := map[model.Algo]bool{}
	for _, a := range algos {
		need[a] = true
		if a == model.Blend {
			need[model.Logit], need[model.GBDT] = true, true
		}
	}
	workers := spec.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	par := min(workers, k)
	fitWorkers := max(1, workers/par)
	folds := model.StratifiedKFold(y, k, spec.Seed+11)
	B := model.NewBinned(X, spec.Seed+7, fitWorkers) // tree and gbdt bins, shared by the folds and the refit
	frs := make([]foldResult, k)
	var done atomic.Int64
	report(Progress{Done: 1, Total: total, Stage: fmt.Sprintf("cv 0/%d folds", k)})
	// The first fold's logit path, fitted with every worker, chooses the penalty (the best
	// held-out AUC on the path); the other folds fit that penalty only, starting from the
	// first fold's solution (the folds share most of their rows), and so does the refit.
	l2idx := -1
	var logitStart []float64
	if need[model.Logit] {
		lp, err := fitLogitFold(ctx, B.X, y, folds[0], spec, workers, logitL2, nil)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("profiles: %s: fold 1: logit: %w", spec.Name, err)
		}
		l2idx = bestAUC(lp.scores, pick(y, folds[0]))
		frs[0].logit, frs[0].logitTime, logitStart = lp.scores[l2idx], lp.took, lp.sols[l2idx]
	}
	// The first fold's gbdt, fitted with every worker, grows until its held-out log-loss
	// stops improving; the round of its minimum is the number of rounds every other fold
	// grows (early stopping found once), scored at and refitted with.
	rounds := 0
	if need[model.GBDT] {
		t0 := time.Now()
		o := options(spec, model.GBDT)
		o.Workers = workers
		c, err := model.FitRows(ctx, B, y, complement(len(y), folds[0]), folds[0], o, nil)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("profiles: %s: fold 1: gbdt: %w", spec.Name, err)
		}
		frs[0].gbdt, frs[0].gbdtTime = c, time.Since(t0)
		if b, ok := c.(interface{ NumTrees() int }); ok {
			rounds = max(1, b.NumTrees())
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(par)
	for fk := range folds {
		g.Go(func() error {
			fr, err := fitFold(gctx, B, y, folds[fk], need, spec, fitWorkers, fk == 0, l2idx, logitStart, rounds)
			if err != nil {
				return fmt.Errorf("fold %d: %w", fk+1, err)
			}
			if fk == 0 {
				fr.logit, fr.logitTime = frs[0].logit, frs[0].logitTime
				fr.gbdt, fr.gbdtTime = frs[0].gbdt, frs[0].gbdtTime
			}
			frs[fk] = fr
			d := done.Add(1)
			report(Progress{Done: 1 + d, Total: total, Stage: fmt.Sprintf("cv %d/%d folds", d, k)})
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("profiles: %s: %w", spec.Name, err)
	}
	cands, err := combineFolds(ctx, B, y, folds, frs, need, spec, l2idx, rounds)
	if err != nil {
		return nil, fmt.Errorf("profiles: %s: %w", spec.Name, err)
	}
	if c := cands[model.Logit]; c != nil {
		c.x0 = logitStart
	}
	for _, a := range algos {
		res.Models = append(res.Models, cands[a].t)
	}
	for i, t := range res.Models {
		if t.CVMean() > res.Models[res.Best].CVMean() {
			res.Best = i
		}
	}
	best := res.Models[res.Best]
	best.IsBest = true
	report(Progress{Done: int64(k + 1), Total: total, Stage: "refit " + string(best.Algo)})
	start := time.Now()
	if err := refit(ctx, B, y, best, cands, spec, workers); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("profiles: %s: refit %s: %w", spec.Name, best.Algo, err)
	}
	best.Encoder = enc
	best.TrainTime = best.CVTime + time.Since(start)
	report(Progress{Done: total, Total: total, Stage: "done"})
	return res, nil
}

// foldResult is what one fold's fits give: out-of-fold scores of the fold's held-out rows
// per logit penalty and for the tree, and the fold's gbdt (scored later, at the number of
// rounds chosen on all folds).
type foldResult struct {
	logit          []float64 // at the penalty chosen on the first fold
	logitTime      time.Duration
	tree           []float64
	treeTime       time.Duration
	gbdt           model.Classifier
	gbdtTime       time.Duration
	predictWorkers int
}

// cvTol is the logit's convergence threshold in cross-validation (the refit uses the
// model default): fold scores are only ranked, and a tighter optimum does not move them.
const cvTol = 1e-4

// logitPath is one fold's logit path: held-out scores and solutions per logitL2.
type logitPath struct {
	scores [][]float64
	sols   [][]float64
	took   time.Duration
}

// fitLogitFold fits the logit path l2s on the rows not in test (each penalty started
// from starts[k] when given, else from the previous solution) and scores the test rows.
func fitLogitFold(ctx context.Context, X *model.Matrix, y []float64, test []int, spec Spec, workers int, l2s []float64, starts [][]float64) (logitPath, error) {
	t0 := time.Now()
	train := complement(len(y), test)
	o := options(spec, model.Logit)
	o.Workers = workers
	if o.Tol == 0 {
		o.Tol = cvTol
	}
	ms, sols, err := model.FitLogitPath(ctx, X, y, train, l2s, o, starts)
	if err != nil {
		return logitPath{}, err
	}
	lp := logitPath{sols: sols}
	for _, m := range ms {
		lp.scores = append(lp.scores, model.PredictRows(m, X, test))
	}
	lp.took = time.Since(t0)
	return lp, nil
}

// bestAUC returns the index of the scores with the highest AUC against y (the first of
// equal ones).
func bestAUC(scores [][]float64, y []float64) int {
	best, bestAUC := 0, math.Inf(-1)
	for k, p := range scores {
		if a := model.AUC(p, y); a > bestAUC+1e-9 {
			best, bestAUC = k, a
		}
	}
	return best
}

// complement returns the rows 0…n−1 not in test, in order.
func complement(n int, test []int) []int {
	inTest := make([]bool, n)
	for _, i := range test {
		inTest[i] = true
	}
	train := make([]int, 0, n-len(test))
	for i := range n {
		if !inTest[i] {
			train = append(train, i)
		}
	}
	return train
}

// fitFold fits the fold's candidates on the other folds' rows; first for the first fold,
// whose logit path and gbdt are already fitted. The other folds fit the logit at
// logitL2[l2idx] started from start, and the gbdt for rounds rounds (both found on the
// first fold).
func fitFold(ctx context.Context, B *model.Binned, y []float64, test []int, need map[model.Algo]bool, spec Spec, workers int, first bool, l2idx int, start []float64, rounds int) (foldResult, error) {
	X := B.X
	fr := foldResult{predictWorkers: workers}
	train := complement(len(y), test)
	if need[model.Logit] && !first {
		lp, err := fitLogitFold(ctx, X, y, test, spec, workers, logitL2[l2idx:l2idx+1], [][]float64{start})
		if err != nil {
			return fr, fmt.Errorf("logit: %w", err)
		}
		fr.logit, fr.logitTime = lp.scores[0], lp.took
	}
	if need[model.Tree] {
		t0 := time.Now()
		o := options(spec, model.Tree)
		o.Workers = workers
		c, err := model.FitRows(ctx, B, y, train, nil, o, nil)
		if err != nil {
			return fr, fmt.Errorf("tree: %w", err)
		}
		fr.tree = model.PredictRows(c, X, test)
		fr.treeTime = time.Since(t0)
	}
	if need[model.GBDT] && !first {
		t0 := time.Now()
		o := options(spec, model.GBDT)
		o.Workers = workers
		o.Rounds, o.EarlyStopping = rounds, 0
		c, err := model.FitRows(ctx, B, y, train, nil, o, nil)
		if err != nil {
			return fr, fmt.Errorf("gbdt: %w", err)
		}
		fr.gbdt = c
		fr.gbdtTime = time.Since(t0)
	}
	return fr, nil
}

// candidate is a candidate's cross-validation outcome: raw out-of-fold scores of every row
// plus what the refit needs.
type candidate struct {
	t      *Trained
	oof    []float64 // raw (uncalibrated) out-of-fold scores
	l2     float64   // logit
	l2idx  int       // logit: index of l2 in logitL2
	x0     []float64 // logit: the first fold's solution at l2, where the refit starts
	rounds int       // gbdt
	platt  *model.Calibrator
}

// combineFolds turns the folds' fits into candidates: the logit at the penalty and the gbdt
// at the rounds found on the first fold, the blend of both.
func combineFolds(ctx context.Context, B *model.Binned, y []float64, folds [][]int, frs []foldResult, need map[model.Algo]bool, spec Spec, l2idx, rounds int) (map[model.Algo]*candidate, error) {
	n := len(y)
	out := map[model.Algo]*candidate{}
	scatter := func(get func(k int) []float64) []float64 {
		oof := make([]float64, n)
		for k, rows := range folds {
			p := get(k)
			for j, i := range rows {
				oof[i] = p[j]
			}
		}
		return oof
	}
	foldAUC := func(oof []float64) []float64 {
		var a []float64
		for _, rows := range folds {
			a = append(a, model.AUC(pick(oof, rows), pick(y, rows)))
		}
		return a
	}
	if need[model.Logit] {
		var d time.Duration
		for _, fr := range frs {
			d += fr.logitTime
		}
		out[model.Logit] = &candidate{t: &Trained{Algo: model.Logit, CVTime: d, Params: fmt.Sprintf("L2 %g", logitL2[l2idx])},
			oof: scatter(func(k int) []float64 { return frs[k].logit }), l2: logitL2[l2idx], l2idx: l2idx}
	}
	if need[model.Tree] {
		var d time.Duration
		for _, fr := range frs {
			d += fr.treeTime
		}
		out[model.Tree] = &candidate{t: &Trained{Algo: model.Tree, CVTime: d}, oof: scatter(func(k int) []float64 { return frs[k].tree })}
	}
	if need[model.GBDT] {
		var d time.Duration
		oof := make([]float64, n)
		for k, rows := range folds {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			p := B.PredictRows(model.Truncate(frs[k].gbdt, rounds), rows)
			for j, i := range rows {
				oof[i] = p[j]
			}
			d += frs[k].gbdtTime
		}
		out[model.GBDT] = &candidate{t: &Trained{Algo: model.GBDT, CVTime: d, Params: fmt.Sprintf("%d rounds", rounds)}, oof: oof, rounds: rounds}
	}
	if need[model.Blend] {
		l, g := out[model.Logit], out[model.GBDT]
		var err error
		if l.platt, err = model.FitCalibrator("platt", l.oof, y); err != nil {
			return nil, fmt.Errorf("blend: %w", err)
		}
		if g.platt, err = model.FitCalibrator("platt", g.oof, y); err != nil {
			return nil, fmt.Errorf("blend: %w", err)
		}
		pl, pg := l.platt.ApplyAll(l.oof), g.platt.ApplyAll(g.oof)
		oof := make([]float64, n)
		for i := range oof {
			oof[i] = (pl[i] + pg[i]) / 2
		}
		out[model.Blend] = &candidate{t: &Trained{Algo: model.Blend, CVTime: l.t.CVTime + g.t.CVTime,
			Params: l.t.Params + " + " + g.t.Params}, oof: oof}
	}
	for a, c := range out {
		c.t.CVAUC = foldAUC(c.oof)
		cal, method, err := pickCalibrator(c.oof, y, spec.Seed)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a, err)
		}
		c.t.Calibrator, c.t.Calibration = cal, method
		c.t.OOF = model.Evaluate(cal.ApplyAll(c.oof), y)
	}
	return out, nil
}

// refit fits the kept candidate on every labelled row with what cross-validation chose.
func refit(ctx context.Context, B *model.Binned, y []float64, best *Trained, cands map[model.Algo]*candidate, spec Spec, workers int) error {
	X := B.X
	all := make([]int, len(y))
	for i := range all {
		all[i] = i
	}
	fit := func(a model.Algo) (model.Classifier, model.Options, error) {
		o := options(spec, a)
		o.Workers = workers
		switch a {
		case model.Logit:
			o.L2 = cands[model.Logit].l2
		case model.GBDT:
			o.Rounds, o.EarlyStopping = cands[model.GBDT].rounds, 0
		}
		if a == model.Logit {
			c, err := model.FitLogitFrom(ctx, X, y, o, cands[model.Logit].x0)
			return c, o, err
		}
		c, err := model.FitRows(ctx, B, y, all, nil, o, nil)
		return c, o, err
	}
	var err error
	if best.Algo == model.Blend {
		l, o, err1 := fit(model.Logit)
		g, _, err2 := fit(model.GBDT)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		best.Options = o
		best.Classifier, err = model.NewBlend([]model.Classifier{l, g}, []*model.Calibrator{cands[model.Logit].platt, cands[model.GBDT].platt}, nil)
		if err != nil {
			return err
		}
	} else if best.Classifier, best.Options, err = fit(best.Algo); err != nil {
		return err
	}
	best.Rules = model.Rules(best.Classifier, X, y, 10) // a gbdt still reads the shared bins here
	model.Detach(best.Classifier)                       // the kept model must not hold them
	best.Importance = topImportance(X.Names, best.Classifier.Importance(), 15)
	return nil
}

// pickCalibrator chooses Platt or isotonic calibration by 2-fold cross-fitting on the
// out-of-fold scores (fit on one half, Brier score on the other, both ways), then refits
// the winner on all of them.
func pickCalibrator(p, y []float64, seed uint64) (*model.Calibrator, string, error) {
	folds := model.StratifiedKFold(y, 2, seed+3)
	best, bestBrier := "", math.Inf(1)
	for _, m := range []string{"platt", "isotonic"} {
		var sse float64
		ok := true
		for k := 0; k < 2; k++ {
			fitRows, evalRows := folds[1-k], folds[k]
			c, err := model.FitCalibrator(m, pick(p, fitRows), pick(y, fitRows))
			if err != nil {
				ok = false
				break
			}
			for _, i := range evalRows {
				d := c.Apply(p[i]) - y[i]
				sse += d * d
			}
		}
		if ok && sse < bestBrier {
			best, bestBrier = m, sse
		}
	}
	if best == "" {
		best = "platt"
	}
	c, err := model.FitCalibrator(best, p, y)
	if err != nil {
		return nil, "", fmt.Errorf("calibration: %w", err)
	}
	return c, best, nil
}

// meanSD returns the mean and the sample standard deviation (n−1) of v (0 sd for n < 2).
func meanSD(v []float64) (float64, float64) {
	if len(v) == 0 {
		return math.NaN(), math.NaN()
	}
	var s float64
	for _, x := range v {
		s += x
	}
	m := s / float64(len(v))
	if len(v) < 2 {
		return m, 0
	}
	var ss float64
	for _, x := range v {
		ss += (x - m) * (x - m)
	}
	return m, math.Sqrt(ss / float64(len(v)-1))
}

func topImportance(names []string, w []float64, n int) []Importance {
	var out []Importance
	for j, v := range w {
		if v > 0 && j < len(names) {
			out = append(out, Importance{Feature: names[j], Weight: v})
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Weight > out[b].Weight })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func pick(v []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for k, i := range idx {
		out[k] = v[i]
	}
	return out
}

func mapIdx(base, idx []int) []int {
	out := make([]int, len(idx))
	for k, i := range idx {
		out[k] = base[i]
	}
	return out
}

func workersFor(parallel int) int {
	w := runtime.GOMAXPROCS(0) / max(parallel, 1)
	return max(w, 1)
}

func targetLabel(s Spec) string {
	if s.ProductID > 0 {
		return fmt.Sprintf("%s of product %d", s.Kind, s.ProductID)
	}
	return fmt.Sprintf("%q", s.Target)
}

func options(spec Spec, a model.Algo) model.Options {
	if o, ok := spec.Options[a]; ok {
		return o
	}
	o := model.DefaultOptions(a)
	o.Seed = spec.Seed + 7
	o.Workers = spec.Workers
	return o
}
