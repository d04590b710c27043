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
	"time"

	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/model"
)

// Target kinds.
const (
	Lookalike = "lookalike" // owns product P vs not, over the whole base
	Response  = "response"  // accepted an outbound offer of P, over customers offered P
	Expr      = "expr"      // a SQL boolean expression over a generic table
)

// Progress reports how far training or scoring is.
type Progress struct {
	Done, Total int64
	Stage       string
}

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
	ID        string   // id column for generic runs
	Target    string   // SQL boolean expression for generic runs
	Exclude   []string // columns that are not features
	// Algo is auto (all three, keep the best on validation), logit, tree or gbdt.
	Algo string
	// Seed drives the split, the encoder folds and the algorithms.
	Seed uint64
	// Validation and Test are the shares of rows held out (stratified) for model choice,
	// early stopping and calibration (Validation) and for the reported metrics (Test).
	// Defaults 0.2 and 0.2.
	Validation, Test float64
	// Folds > 1 adds a stratified k-fold cross-validated AUC of the chosen algorithm.
	Folds int
	// Workers bounds the goroutines of one fit (0 = GOMAXPROCS).
	Workers int
	// Options overrides the model defaults per algorithm (optional).
	Options map[model.Algo]model.Options
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
	case "auto", "logit", "tree", "gbdt":
	default:
		return fmt.Errorf("profiles: --algo %q: want auto, logit, tree or gbdt", s.Algo)
	}
	if s.Validation <= 0 {
		s.Validation = 0.2
	}
	if s.Test <= 0 {
		s.Test = 0.2
	}
	if s.Validation+s.Test >= 0.9 {
		return fmt.Errorf("profiles: validation %.2f + test %.2f leave too little to train on", s.Validation, s.Test)
	}
	if s.ProductID > 0 {
		if s.Kind == "" {
			s.Kind = Lookalike
		}
		if s.Kind != Lookalike && s.Kind != Response {
			return fmt.Errorf("profiles: --target %q for a product: want lookalike or response", s.Kind)
		}
		if s.Name == "" {
			s.Name = DefaultName(s.ProductID, s.Kind)
		}
	} else {
		s.Kind = Expr
		if s.Source == "" || s.ID == "" || s.Target == "" || s.Name == "" {
			return fmt.Errorf("profiles: a table model needs --table, --id, --target and --name")
		}
	}
	if strings.ContainsAny(s.Name, "@ ") {
		return fmt.Errorf("profiles: model name %q must not contain '@' or spaces", s.Name)
	}
	return nil
}

func (s *Spec) algos() []model.Algo {
	if s.Algo == "auto" {
		return []model.Algo{model.Logit, model.Tree, model.GBDT}
	}
	return []model.Algo{model.Algo(s.Algo)}
}

// Trained is one fitted model of a run, with its held-out evaluation.
type Trained struct {
	Algo        model.Algo
	Classifier  model.Classifier
	Encoder     *features.Encoder
	Calibrator  *model.Calibrator
	ValAUC      float64 // uncalibrated, on the validation rows (model choice)
	Test        model.Metrics
	TrainTime   time.Duration
	Options     model.Options
	Rules       []model.Rule
	Importance  []Importance
	CVAUC       []float64 // per fold when Spec.Folds > 1
	IsBest      bool
	ModelID     string // set when registered
	Version     int
	Calibration string
}

// Importance is one feature's share of the model's importance.
type Importance struct {
	Feature string  `json:"feature"`
	Weight  float64 `json:"weight"`
}

// Result is a finished training run.
type Result struct {
	Spec        Spec
	Rows        int
	Positives   int
	NTrain      int
	NVal        int
	NTest       int
	Models      []*Trained
	Best        int
	Warnings    []string
	Oracle      float64 // the generator's oracle AUC for look-alike targets; NaN if unknown
	Source      string
	Fingerprint string
	// TestIDs are the ids of the test rows the metrics were measured on.
	TestIDs []string
}

// BestModel is the model kept by the run.
func (r *Result) BestModel() *Trained { return r.Models[r.Best] }

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
		return 0, fmt.Errorf("profiles: %s: no rows to train on", what)
	case pos == 0:
		return 0, fmt.Errorf("profiles: %s has no positives: it is false for all %d rows: %w", what, len(y), ErrNoPositives)
	case pos == len(y):
		return 0, fmt.Errorf("profiles: %s is constant: it is true for all %d rows, nothing to learn: %w", what, len(y), ErrConstantTarget)
	case pos < minClass || len(y)-pos < minClass:
		return 0, fmt.Errorf("profiles: %s has %d positive and %d negative rows; need at least %d of each: %w", what, pos, len(y)-pos, minClass, ErrTooFew)
	}
	return pos, nil
}

// Fit trains the spec's algorithms on frame f with labels y (1/0), entirely in memory: a
// stratified seeded split into train / validation / test; per algorithm an encoder fitted on
// the training rows (standardized for logit, raw values for the trees so their rules read in
// the data's units), the model (gbdt stops early on validation), a calibrator (Platt or
// isotonic, chosen by 2-fold cross-fitting on validation, then refit on all of it) and the
// test metrics of the calibrated scores. The best algorithm is the highest validation AUC.
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
	res := &Result{Spec: spec, Rows: f.Rows, Positives: pos, Oracle: math.NaN()}
	rest, test := model.StratifiedSplit(y, spec.Test, spec.Seed)
	yRest := pick(y, rest)
	trIdx, vaIdx := model.StratifiedSplit(yRest, spec.Validation/(1-spec.Test), spec.Seed+1)
	train, val := mapIdx(rest, trIdx), mapIdx(rest, vaIdx)
	res.NTrain, res.NVal, res.NTest = len(train), len(val), len(test)
	for _, i := range test {
		res.TestIDs = append(res.TestIDs, f.IDs[i])
	}
	fTr, fVa, fTe := f.Subset(train), f.Subset(val), f.Subset(test)
	yTr, yVa, yTe := pick(y, train), pick(y, val), pick(y, test)
	for _, s := range []struct {
		name string
		y    []float64
	}{{"training", yTr}, {"validation", yVa}, {"test", yTe}} {
		if _, err := checkTarget(what+" in the "+s.name+" rows", s.y); err != nil {
			return nil, err
		}
	}
	algos := spec.algos()
	// Progress counts fitUnits per algorithm, so a bar moves during each fit (a gbdt's
	// rounds, a logit's iterations), not only between them.
	const fitUnits = 100
	total := int64(len(algos)) * fitUnits
	warned := map[string]bool{}
	for k, a := range algos {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		base := int64(k) * fitUnits
		report(Progress{Done: base, Total: total, Stage: string(a)})
		t, err := fitOne(ctx, a, fTr, yTr, fVa, yVa, fTe, yTe, spec, func(p model.Progress) {
			var within int64
			if p.Total > 0 {
				within = min(fitUnits*int64(p.Done)/int64(p.Total), fitUnits)
			}
			stage := p.Stage
			if !strings.HasPrefix(stage, string(a)) {
				stage = string(a) + " " + stage
			}
			report(Progress{Done: base + within, Total: total, Stage: fmt.Sprintf("%s %d/%d", stage, p.Done, p.Total)})
		})
		if err != nil {
			return nil, fmt.Errorf("profiles: %s: %s: %w", spec.Name, a, err)
		}
		for _, n := range t.Encoder.Dropped {
			if !warned[n.Column] {
				warned[n.Column] = true
				res.Warnings = append(res.Warnings, "feature "+n.String())
			}
		}
		if spec.Folds > 1 {
			if t.CVAUC, err = crossValidate(ctx, a, f.Subset(rest), yRest, spec); err != nil {
				return nil, err
			}
		}
		res.Models = append(res.Models, t)
	}
	for k, t := range res.Models {
		if t.ValAUC > res.Models[res.Best].ValAUC {
			res.Best = k
		}
	}
	res.Models[res.Best].IsBest = true
	report(Progress{Done: total, Total: total, Stage: "done"})
	return res, nil
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

func fitOne(ctx context.Context, a model.Algo, fTr *features.Frame, yTr []float64, fVa *features.Frame, yVa []float64,
	fTe *features.Frame, yTe []float64, spec Spec, report func(model.Progress)) (*Trained, error) {
	start := time.Now()
	enc, Xtr, err := features.Fit(fTr, yTr, features.EncoderOptions{Standardize: a == model.Logit, Seed: spec.Seed})
	if err != nil {
		return nil, err
	}
	Xva, err := enc.Transform(fVa)
	if err != nil {
		return nil, err
	}
	opt := options(spec, a)
	c, err := model.Fit(ctx, Xtr, yTr, Xva, yVa, opt, report)
	if err != nil {
		return nil, err
	}
	pVa := c.Predict(Xva)
	cal, method, err := pickCalibrator(pVa, yVa, spec.Seed)
	if err != nil {
		return nil, err
	}
	elapsed := time.Since(start)
	Xte, err := enc.Transform(fTe)
	if err != nil {
		return nil, err
	}
	pTe := cal.ApplyAll(c.Predict(Xte))
	t := &Trained{
		Algo: a, Classifier: c, Encoder: enc, Calibrator: cal, Calibration: method,
		ValAUC: model.AUC(pVa, yVa), Test: model.Evaluate(pTe, yTe), TrainTime: elapsed, Options: opt,
	}
	t.Importance = topImportance(enc.Names, c.Importance(), 15)
	if a == model.Logit {
		// Rules read in the data's units: describe the logit's scores on the raw encoding.
		_, Xraw, err := features.Fit(fTr, yTr, features.EncoderOptions{Seed: spec.Seed})
		if err != nil {
			return nil, err
		}
		t.Rules = model.Rules(fixedScores{c, c.Predict(Xtr)}, Xraw, yTr, 10)
	} else {
		t.Rules = model.Rules(c, Xtr, yTr, 10)
	}
	return t, nil
}

// fixedScores is a classifier whose predictions were computed elsewhere (on another
// encoding of the same rows); Rules fits its surrogate tree on them.
type fixedScores struct {
	model.Classifier
	p []float64
}

func (f fixedScores) Predict(*model.Matrix) []float64 { return f.p }

// pickCalibrator chooses Platt or isotonic calibration by 2-fold cross-fitting on the
// validation scores (fit on one half, Brier score on the other, both ways), then refits the
// winner on all validation rows.
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

// crossValidate returns the AUC per fold of algorithm a under stratified k-fold on f, y.
func crossValidate(ctx context.Context, a model.Algo, f *features.Frame, y []float64, spec Spec) ([]float64, error) {
	folds := model.StratifiedKFold(y, spec.Folds, spec.Seed+11)
	var out []float64
	for k, test := range folds {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		inTest := make([]bool, len(y))
		for _, i := range test {
			inTest[i] = true
		}
		var train []int
		for i := range y {
			if !inTest[i] {
				train = append(train, i)
			}
		}
		yTr := pick(y, train)
		enc, Xtr, err := features.Fit(f.Subset(train), yTr, features.EncoderOptions{Standardize: a == model.Logit, Seed: spec.Seed})
		if err != nil {
			return nil, err
		}
		Xte, err := enc.Transform(f.Subset(test))
		if err != nil {
			return nil, err
		}
		c, err := model.Fit(ctx, Xtr, yTr, nil, nil, options(spec, a), nil)
		if err != nil {
			return nil, fmt.Errorf("fold %d: %w", k+1, err)
		}
		out = append(out, model.AUC(c.Predict(Xte), pick(y, test)))
	}
	return out, nil
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
