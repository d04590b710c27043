package model

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"

	"github.com/acrm-dev/acrm/analysis/progress"
)

// Algo names a learning algorithm.
type Algo string

// The algorithms Fit knows.
const (
	Logit Algo = "logit"
	Tree  Algo = "tree"
	GBDT  Algo = "gbdt"
)

// Options configures Fit. Fields that do not apply to the chosen algorithm are ignored.
// Start from DefaultOptions and change what you need.
type Options struct {
	Algo    Algo
	Seed    uint64
	Workers int // goroutines; 0 = GOMAXPROCS

	// Logistic regression: mean log-loss + L2/2·‖w‖² + L1·Σ|w| on standardized
	// features, intercept unpenalized. For gbdt L2 is the L2 penalty λ on leaf values.
	L2, L1 float64

	// Tree and gbdt.
	// MinLeaf is the minimum rows per leaf of a tree; gbdt does not split nodes with
	// fewer than 2·MinLeaf rows and bounds its children by MinChildWeight.
	MaxDepth, MinLeaf, MaxLeaves int
	// MinChildWeight is the minimum sum of hessians in a child (gbdt), like xgboost's min_child_weight.
	MinChildWeight float64

	// Gbdt.
	Rounds, Bins, EarlyStopping int
	LearningRate                float64
	// ValFraction is the share of training rows held out for early stopping when Fit
	// gets no validation set (0 = 0.1).
	ValFraction float64
	// GOSSTop and GOSSOther sample the rows each gbdt tree is grown on by their gradient
	// (LightGBM's gradient-based one-side sampling): the GOSSTop share of the rows with the
	// largest |g| are all kept, and of the others a random GOSSOther share of all rows,
	// their gradients and hessians scaled by (1−GOSSTop)/GOSSOther so that every sum stays
	// unbiased. A fit samples only when it grows on at least GOSSMinRows rows, and only
	// after its first 1/LearningRate rounds; predictions of every row are updated with
	// each tree. 0 = off.
	GOSSTop, GOSSOther float64 `json:",omitempty"`
	GOSSMinRows        int     `json:",omitempty"`

	// MinSupport is the minimum coverage share of a rule in a decision list (tree
	// leaves and surrogate trees have at least this share of the rows).
	MinSupport float64

	// PruneChi2 prunes tree splits whose chi-square statistic (1 df) is below it
	// (0 = no pruning); the default 10.83 corresponds to p = 0.001.
	PruneChi2 float64

	// MaxIter bounds the LBFGS iterations of logistic regression (0 = 500).
	MaxIter int
	// Tol is logistic regression's convergence threshold on the largest component of the
	// gradient of the mean penalized loss over standardized features (0 = 1e−6).
	Tol float64
}

// DefaultOptions returns the defaults for the algorithm:
//
//	logit: L2 = 1e−4 (on standardized features), no L1, ≤ 500 LBFGS iterations
//	tree:  depth ≤ 5, ≤ 16 leaves, leaves ≥ max(50 rows, 1 % of rows), 64 bins,
//	       splits kept when χ² ≥ 10.83 (p = 0.001)
//	gbdt:  depth ≤ 6, ≤ 31 leaves, min child weight 1, λ = 1, learning rate 0.1,
//	       ≤ 500 rounds, 255 bins, early stopping after 20 rounds without a better
//	       validation log-loss (10 % held out when no validation set is given);
//	       fits on 50,000 rows or more grow each tree on a gradient-based sample
//	       (GOSS: the 20 % largest |g| and 10 % of the rows drawn from the rest)
func DefaultOptions(a Algo) Options {
	o := Options{Algo: a, Seed: 1}
	switch a {
	case Logit:
		o.L2 = 1e-4
		o.MaxIter = 500
	case Tree:
		o.MaxDepth = 5
		o.MaxLeaves = 16
		o.MinLeaf = 50
		o.Bins = 64
		o.MinSupport = 0.01
		o.PruneChi2 = 10.83
	case GBDT:
		o.MaxDepth = 6
		o.MaxLeaves = 31
		o.MinLeaf = 20
		o.MinChildWeight = 1
		o.L2 = 1
		o.Rounds = 500
		o.Bins = 255
		o.EarlyStopping = 20
		o.LearningRate = 0.1
		o.ValFraction = 0.1
		o.GOSSTop, o.GOSSOther, o.GOSSMinRows = 0.2, 0.1, 50_000
	}
	return o
}

// Progress reports how far a fit has come (analysis/progress).
type Progress = progress.Progress

// Classifier is a trained binary classifier.
type Classifier interface {
	Algo() Algo
	// Predict returns the probability of class 1 for every row of X (uncalibrated),
	// computed in parallel over rows for big X.
	Predict(X *Matrix) []float64
	// Importance returns one non-negative weight per feature summing to 1
	// (|coef|·sd for logit, total split gain for trees). All zeros when the model
	// uses no feature.
	Importance() []float64
}

// Linear is implemented by the logit classifier: its intercept and coefficients on
// the original feature scale, log-odds = intercept + Σ_j coef[j]·x_j.
type Linear interface {
	Classifier
	Coefficients() (intercept float64, coef []float64)
}

// Boosted is implemented by the gbdt classifier: the number of trees kept (after early
// stopping) and the validation log-loss after each round grown (nil without validation).
type Boosted interface {
	Classifier
	NumTrees() int
	ValidationLoss() []float64
}

// Errors returned for bad input; the returned errors wrap them with details.
var (
	ErrEmpty          = errors.New("empty matrix")
	ErrLength         = errors.New("length mismatch")
	ErrConstantTarget = errors.New("constant target")
	ErrBadTarget      = errors.New("target not 0/1")
	ErrNaN            = errors.New("missing or infinite value")
	ErrAlgo           = errors.New("unknown algorithm")
)

// Fit trains a binary classifier on X with labels y in {0,1}. valX/valY are an optional
// validation set; gbdt uses it for early stopping and carves its own stratified split
// from the training rows (Options.ValFraction) when it is nil. report, when not nil, is
// called with progress. Fit returns ctx.Err() when the context is cancelled.
func Fit(ctx context.Context, X *Matrix, y []float64, valX *Matrix, valY []float64, opt Options, report func(Progress)) (Classifier, error) {
	if err := checkXY(X, y, "training"); err != nil {
		return nil, err
	}
	if valX != nil || valY != nil {
		if valX == nil || valY == nil {
			return nil, fmt.Errorf("model: validation set needs both X and y: %w", ErrLength)
		}
		if err := checkXY(valX, valY, "validation"); err != nil && !errors.Is(err, ErrConstantTarget) {
			return nil, err
		}
		if valX.Cols != X.Cols {
			return nil, fmt.Errorf("model: validation matrix has %d columns, training has %d: %w", valX.Cols, X.Cols, ErrLength)
		}
	}
	if report == nil {
		report = func(Progress) {}
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	switch opt.Algo {
	case Logit:
		if err := checkFinite(X, "training"); err != nil {
			return nil, err
		}
		return fitLogit(ctx, X, y, opt, report)
	case Tree:
		if err := checkNoInf(X, "training"); err != nil {
			return nil, err
		}
		return fitTree(ctx, X, y, opt, report)
	case GBDT:
		if err := checkNoInf(X, "training"); err != nil {
			return nil, err
		}
		return fitGBDT(ctx, X, y, valX, valY, opt, report)
	}
	return nil, fmt.Errorf("model: %q (want logit, tree or gbdt): %w", opt.Algo, ErrAlgo)
}

// checkXY validates shapes and labels.
func checkXY(X *Matrix, y []float64, what string) error {
	if X == nil || X.Rows == 0 || X.Cols == 0 {
		r, c := 0, 0
		if X != nil {
			r, c = X.Rows, X.Cols
		}
		return fmt.Errorf("model: %s matrix is %d×%d: %w", what, r, c, ErrEmpty)
	}
	if len(X.Data) != X.Rows*X.Cols {
		return fmt.Errorf("model: %s matrix holds %d values for %d×%d: %w", what, len(X.Data), X.Rows, X.Cols, ErrLength)
	}
	if len(y) != X.Rows {
		return fmt.Errorf("model: %s matrix has %d rows but y has %d labels: %w", what, X.Rows, len(y), ErrLength)
	}
	return checkLabels(y, what)
}

// checkLabels requires labels in {0,1} with both classes present.
func checkLabels(y []float64, what string) error {
	pos := 0
	for i, v := range y {
		switch v {
		case 1:
			pos++
		case 0:
		default:
			return fmt.Errorf("model: %s label %d is %v, want 0 or 1: %w", what, i, v, ErrBadTarget)
		}
	}
	if pos == 0 {
		return fmt.Errorf("model: %s target has no positives (all %d labels are 0): %w", what, len(y), ErrConstantTarget)
	}
	if pos == len(y) {
		return fmt.Errorf("model: %s target has no negatives (all %d labels are 1): %w", what, len(y), ErrConstantTarget)
	}
	return nil
}

// checkFinite rejects NaN and ±Inf, naming the first offending cell.
func checkFinite(X *Matrix, what string) error {
	for k, v := range X.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			i, j := k/X.Cols, k%X.Cols
			return fmt.Errorf("model: %s row %d column %q is %v; logit needs encoded input without missing values: %w", what, i, X.name(j), v, ErrNaN)
		}
	}
	return nil
}

// checkNoInf rejects ±Inf (NaN is allowed: trees treat it as missing).
func checkNoInf(X *Matrix, what string) error {
	for k, v := range X.Data {
		if math.IsInf(v, 0) {
			i, j := k/X.Cols, k%X.Cols
			return fmt.Errorf("model: %s row %d column %q is %v; trees accept NaN as missing but not infinities: %w", what, i, X.name(j), v, ErrNaN)
		}
	}
	return nil
}

// parallelRows runs fn over [0,n) in up to workers contiguous chunks.
func parallelRows(n, workers int, fn func(lo, hi int)) {
	if workers <= 1 || n < 4096 {
		fn(0, n)
		return
	}
	if workers > n {
		workers = n
	}
	done := make(chan struct{}, workers)
	chunk := (n + workers - 1) / workers
	cnt := 0
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		cnt++
		go func(lo, hi int) {
			fn(lo, hi)
			done <- struct{}{}
		}(lo, hi)
	}
	for range cnt {
		<-done
	}
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// softplusSigmoid returns log(1+e^z) and σ(z) with one exponential, both stable for any z.
func softplusSigmoid(z float64) (sp, q float64) {
	e := math.Exp(-math.Abs(z))
	sp = math.Log1p(e)
	if z >= 0 {
		return z + sp, 1 / (1 + e)
	}
	return sp, e / (1 + e)
}

func logitOf(p float64) float64 {
	const eps = 1e-12
	p = math.Min(math.Max(p, eps), 1-eps)
	return math.Log(p / (1 - p))
}

func normalize(v []float64) []float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	if s > 0 {
		for i := range v {
			v[i] /= s
		}
	}
	return v
}

// checkCols panics when X does not have the model's number of features: scoring must
// apply the same encoding as training (a programmer error, not bad data).
func checkCols(X *Matrix, want int) {
	if X.Cols != want {
		panic(fmt.Sprintf("model: Predict on %d columns, the model has %d features", X.Cols, want))
	}
}

// Sigmoid is σ(z) = 1/(1+e^{−z}) as the classifiers compute it (stable for any z).
func Sigmoid(z float64) float64 { return sigmoid(z) }
