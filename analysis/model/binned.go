package model

import (
	"context"
	"fmt"
	"sync"
)

// Binned is a feature matrix cut into quantile bins once per bin count, so that several
// tree or gbdt fits on subsets of its rows (cross-validation folds and the refit on all
// rows) share the binning instead of each repeating it. The cut points come from all rows
// of X: they use no labels. Safe for concurrent use.
type Binned struct {
	X       *Matrix
	seed    uint64
	workers int
	mu      sync.Mutex
	sets    map[int]*binnedSet

	cutsOnce sync.Once
	cuts     map[int]*binner // cut points per bin count (under mu after cutsOnce)
}

type binnedSet struct {
	once sync.Once
	ly   *layout
}

// NewBinned prepares X for FitRows (the bins are computed on first use).
func NewBinned(X *Matrix, seed uint64, workers int) *Binned {
	return &Binned{X: X, seed: seed, workers: workers, sets: map[int]*binnedSet{}}
}

func (b *Binned) set(maxBins int) *binnedSet {
	b.mu.Lock()
	s, ok := b.sets[maxBins]
	if !ok {
		s = &binnedSet{}
		b.sets[maxBins] = s
	}
	b.mu.Unlock()
	s.once.Do(func() {
		w := max(b.workers, 1)
		bn := b.binner(maxBins)
		s.ly = newLayout(bn.transform(b.X, w), b.X.Rows, bn)
		s.ly.src = b.X
		s.ly.useSparse(maxSparseDensity, w)
	})
	return s
}

// binner returns the cut points for maxBins bins. The first call finds them for the
// tree's and the gbdt's default bin counts too, sorting each feature's values once.
func (b *Binned) binner(maxBins int) *binner {
	b.cutsOnce.Do(func() {
		counts := []int{maxBins, DefaultOptions(Tree).Bins, DefaultOptions(GBDT).Bins}
		bs := newBinners(b.X, nil, counts, b.seed, max(b.workers, 1))
		b.cuts = map[int]*binner{}
		for k := len(counts) - 1; k >= 0; k-- {
			b.cuts[counts[k]] = bs[k]
		}
	})
	b.mu.Lock()
	bn, ok := b.cuts[maxBins]
	b.mu.Unlock()
	if !ok {
		bn = newBinner(b.X, nil, maxBins, b.seed, max(b.workers, 1))
		b.mu.Lock()
		b.cuts[maxBins] = bn
		b.mu.Unlock()
	}
	return bn
}

// FitRows is Fit on the rows train of b.X (labels y indexed like b.X's rows), with the
// rows val as the validation set (nil: none; gbdt then grows Options.Rounds trees when
// EarlyStopping is 0, or carves its own split as Fit does). Tree and gbdt grow on b's
// bins and layout, shared by every fit; logit reads the rows in place. No fit copies the
// rows of b.X.
func FitRows(ctx context.Context, b *Binned, y []float64, train, val []int, opt Options, report func(Progress)) (Classifier, error) {
	if len(y) != b.X.Rows {
		return nil, fmt.Errorf("model: %d labels for %d rows: %w", len(y), b.X.Rows, ErrLength)
	}
	if report == nil {
		report = func(Progress) {}
	}
	if opt.Workers <= 0 {
		opt.Workers = workersOr(0)
	}
	yTr := subsetFloats(y, train)
	if err := checkLabels(yTr, "training"); err != nil {
		return nil, err
	}
	switch opt.Algo {
	case Tree, GBDT:
		if err := checkNoInf(b.X, "training"); err != nil {
			return nil, err
		}
	case Logit: // no validation rows
		if err := checkFinite(b.X, "training"); err != nil {
			return nil, err
		}
		opt.Algo = Logit
		m, _, err := fitLogitFrom(ctx, b.X, y, train, opt, nil, report)
		if err != nil {
			return nil, err
		}
		return m, nil
	default:
		return nil, fmt.Errorf("model: %q (want logit, tree or gbdt): %w", opt.Algo, ErrAlgo)
	}
	def := DefaultOptions(opt.Algo)
	if opt.Bins <= 0 {
		opt.Bins = def.Bins
	}
	if opt.Algo == GBDT && val == nil && opt.EarlyStopping > 0 {
		return Fit(ctx, b.X.Subset(train), yTr, nil, nil, opt, report)
	}
	s := b.set(min(opt.Bins, 255))
	rows := allRows(train, b.X.Rows)
	if opt.Algo == Tree {
		return growTree(ctx, s.ly, y, rows, b.X.Names, opt, report)
	}
	if opt.Rounds <= 0 {
		opt.Rounds = def.Rounds
	}
	if opt.LearningRate <= 0 {
		opt.LearningRate = def.LearningRate
	}
	if opt.MaxLeaves <= 0 && opt.MaxDepth <= 0 {
		opt.MaxLeaves, opt.MaxDepth = def.MaxLeaves, def.MaxDepth
	}
	var vs *valSet
	if val != nil {
		vs = &valSet{bins: s.ly.bins, rows: allRows(val, -1), y: y}
	}
	return growGBDT(ctx, s.ly, y, rows, vs, b.X.Names, opt, report)
}

// PredictRows is PredictRows(c, b.X, rows): a gbdt fitted by FitRows on b is routed
// through b's bins, which gives the same predictions at less cost.
func (b *Binned) PredictRows(c Classifier, rows []int) []float64 {
	return PredictRows(c, b.X, rows)
}

// Detach drops the reference to b's bins that a gbdt fitted by FitRows keeps for
// Binned.PredictRows (also inside a blend), so that a model kept after cross-validation
// does not hold the bins in memory. Other classifiers are left as they are.
func Detach(c Classifier) {
	switch m := c.(type) {
	case *gbdtModel:
		m.ly = nil
	case *blendModel:
		for _, p := range m.parts {
			Detach(p)
		}
	}
}
