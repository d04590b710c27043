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
}

type binnedSet struct {
	once sync.Once
	bn   *binner
	bins []uint8
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
		s.bn = newBinner(b.X, nil, maxBins, b.seed, max(b.workers, 1))
		s.bins = s.bn.transform(b.X, max(b.workers, 1))
	})
	return s
}

// FitRows is Fit on the rows train of b.X (labels y indexed like b.X's rows), with the
// rows val as the validation set (nil: none; gbdt then grows Options.Rounds trees when
// EarlyStopping is 0, or carves its own split as Fit does). Tree and gbdt reuse b's bins;
// logit fits on the copied rows.
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
	var yVa []float64
	if val != nil {
		yVa = subsetFloats(y, val)
	}
	switch opt.Algo {
	case Tree, GBDT:
		if err := checkLabels(yTr, "training"); err != nil {
			return nil, err
		}
		if err := checkNoInf(b.X, "training"); err != nil {
			return nil, err
		}
	default:
		var vX *Matrix
		if val != nil {
			vX = b.X.Subset(val)
		}
		return Fit(ctx, b.X.Subset(train), yTr, vX, yVa, opt, report)
	}
	def := DefaultOptions(opt.Algo)
	if opt.Bins <= 0 {
		opt.Bins = def.Bins
	}
	s := b.set(min(opt.Bins, 255))
	p := b.X.Cols
	bins := gatherRows(s.bins, p, train)
	if opt.Algo == Tree {
		return growTree(ctx, s.bn, bins, yTr, b.X.Names, opt, report)
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
	if val == nil && opt.EarlyStopping > 0 {
		return Fit(ctx, b.X.Subset(train), yTr, nil, nil, opt, report)
	}
	var vbins []uint8
	if val != nil {
		vbins = gatherRows(s.bins, p, val)
	}
	return growGBDT(ctx, s.bn, bins, yTr, vbins, yVa, b.X.Names, opt, report)
}
