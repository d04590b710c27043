package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
)

// gbdtModel is an additive model of regression trees on the log-odds scale:
//
//	P(y=1|x) = σ(Base + Σ_t f_t(x)).
type gbdtModel struct {
	Base      float64   `json:"base"`
	Trees     []tree    `json:"trees"`
	Names     []string  `json:"names,omitempty"`
	Gain      []float64 `json:"gain"`
	BestRound int       `json:"best_round"` // rounds kept (early stopping)
	Rounds    int       `json:"rounds"`     // rounds grown
	ValLoss   []float64 `json:"val_loss,omitempty"`
	workers   int

	meansOnce sync.Once // Contributions: node means, worked out once
	nodeMean  [][]float64

	compactOnce sync.Once // PredictOne: the trees packed, once
	packed      []compactTree
	ly          *layout // the bins the trees were grown on (nil after Unmarshal)
}

func (m *gbdtModel) Algo() Algo { return GBDT }

// Predict returns σ(Base + Σ_t f_t(x)) for every row, in parallel over rows.
func (m *gbdtModel) Predict(X *Matrix) []float64 { return m.predictRows(X, nil) }

func (m *gbdtModel) predictRows(X *Matrix, rows []int) []float64 {
	checkCols(X, len(m.Gain))
	if m.ly != nil && m.ly.src == X {
		return m.predictBinned(rows)
	}
	out := make([]float64, numRows(X, rows))
	trees := m.compact()
	parallelRows(len(out), workersOr(m.workers), func(lo, hi int) {
		var block [predictBlockRows][]float64
		var z [predictBlockRows]float64
		for b := lo; b < hi; b += predictBlockRows {
			n := min(predictBlockRows, hi-b)
			for r := 0; r < n; r++ {
				block[r] = X.Row(rowAt(rows, b+r))
			}
			predictBlock(trees, m.Base, block[:n], z[:n])
			for r := 0; r < n; r++ {
				out[b+r] = sigmoid(z[r])
			}
		}
	})
	return out
}

// predictBlockRows is how many rows Predict routes through one tree before the next.
const predictBlockRows = 64

// predictBinned is predictRows for rows (nil = all) of the matrix the trees were grown
// on, routed by their bins (the same leaves as the thresholds give, reading a byte per
// split instead of a float).
func (m *gbdtModel) predictBinned(rows []int) []float64 {
	ly := m.ly
	nanBin := make([]uint8, ly.p)
	for j := range nanBin {
		nanBin[j] = uint8(ly.nb[j] - 1)
	}
	out := make([]float64, len(rows))
	if rows == nil {
		out = make([]float64, ly.n)
	}
	parallelRows(len(out), workersOr(m.workers), func(lo, hi int) {
		for k := lo; k < hi; k++ {
			z := m.Base
			i := rowAt(rows, k)
			for t := range m.Trees {
				z += m.Trees[t].Nodes[m.Trees[t].leafBinned(ly.bins, ly.p, i, nanBin)].Value
			}
			out[k] = sigmoid(z)
		}
	})
	return out
}

// NumTrees returns the number of trees kept.
func (m *gbdtModel) NumTrees() int { return len(m.Trees) }

// ValidationLoss returns the validation log-loss after each round grown.
func (m *gbdtModel) ValidationLoss() []float64 { return append([]float64(nil), m.ValLoss...) }

// Importance returns the total split gain of each feature over all trees, normalized.
func (m *gbdtModel) Importance() []float64 { return normalize(append([]float64(nil), m.Gain...)) }

// fitGBDT fits gradient-boosted trees for the log-loss
//
//	L = Σ_i [log(1+e^{F_i}) − y_i F_i],  g_i = σ(F_i) − y_i,  h_i = σ(F_i)(1 − σ(F_i)),
//
// starting from F = logit(ȳ). Each round grows one histogram tree on (g, h) best-first
// up to MaxLeaves leaves and MaxDepth levels with the split gain
// G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) and leaf values −η·G/(H+λ) (λ = Options.L2,
// η = LearningRate), as in xgboost's hist method. Features are cut into ≤ Bins
// quantile bins with NaN in a bin of its own whose direction is learned per split.
// Histograms are built in parallel across features; the larger child's histogram is
// the parent's minus the smaller child's. On big fits (Options.GOSSMinRows) each tree
// after the first 1/η is grown on a gradient-based sample of the rows (GOSS, as in
// LightGBM: the largest |g| and a scaled-up random share of the others), and every row's
// prediction is then moved by it. Training stops when the validation log-loss has not
// improved for EarlyStopping rounds and keeps the best round.
func fitGBDT(ctx context.Context, X *Matrix, y []float64, valX *Matrix, valY []float64, opt Options, report func(Progress)) (Classifier, error) {
	def := DefaultOptions(GBDT)
	if opt.Rounds <= 0 {
		opt.Rounds = def.Rounds
	}
	if opt.Bins <= 0 {
		opt.Bins = def.Bins
	}
	if opt.LearningRate <= 0 {
		opt.LearningRate = def.LearningRate
	}
	if opt.MaxLeaves <= 0 && opt.MaxDepth <= 0 {
		opt.MaxLeaves, opt.MaxDepth = def.MaxLeaves, def.MaxDepth
	}
	if opt.ValFraction <= 0 || opt.ValFraction >= 1 {
		opt.ValFraction = def.ValFraction
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	report(Progress{Done: int64(0), Total: int64(opt.Rounds), Stage: "gbdt: binning"})
	var (
		bn    *binner
		train []int32
		val   *valSet
	)
	if opt.EarlyStopping > 0 && valX == nil {
		// Carve a stratified validation split; bin once and grow on the training rows.
		tr, va := StratifiedSplit(y, opt.ValFraction, opt.Seed)
		if err := checkLabels(subsetFloats(y, tr), "training (after the validation split)"); err != nil {
			return nil, err
		}
		bn = newBinner(X, tr, opt.Bins, opt.Seed, opt.Workers)
		train = allRows(tr, X.Rows)
		val = &valSet{rows: allRows(va, -1), y: y}
	} else {
		bn = newBinner(X, nil, opt.Bins, opt.Seed, opt.Workers)
	}
	ly := newLayout(bn.transform(X, opt.Workers), X.Rows, bn)
	ly.src = X
	ly.useSparse(maxSparseDensity, opt.Workers)
	if val != nil {
		val.bins = ly.bins
	} else if valX != nil {
		val = &valSet{bins: bn.transform(valX, opt.Workers), y: valY}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return growGBDT(ctx, ly, y, train, val, X.Names, opt, report)
}

// valSet is the validation rows of a gbdt fit: rows (nil = all) of a row-major bin matrix
// with the fit's columns, and y, the labels of that matrix's rows.
type valSet struct {
	bins []uint8
	rows []int32
	y    []float64
}

func (v *valSet) len() int {
	if v == nil {
		return 0
	}
	if v.rows != nil {
		return len(v.rows)
	}
	return len(v.y)
}

// row returns the bin-matrix row of the k-th validation row.
func (v *valSet) row(k int) int {
	if v.rows != nil {
		return int(v.rows[k])
	}
	return k
}

// growGBDT boosts on the rows train (nil = all) of the layout ly, whose rows have the labels
// y, with the optional validation rows val; see fitGBDT.
func growGBDT(ctx context.Context, ly *layout, y []float64, train []int32, val *valSet, names []string, opt Options, report func(Progress)) (Classifier, error) {
	p := ly.p
	vn := val.len()
	nanBin := make([]uint8, p)
	for j := range nanBin {
		nanBin[j] = uint8(ly.nb[j] - 1)
	}
	gr := newRowGrower(ly, train, opt.Workers)
	n := gr.m
	rowOf := func(k int) int {
		if train != nil {
			return int(train[k])
		}
		return k
	}
	pos := 0.0
	for k := 0; k < n; k++ {
		pos += y[rowOf(k)]
	}
	base := logitOf(pos / float64(n))
	F := make([]float64, ly.n) // indexed by layout row; only the training rows are used
	for k := 0; k < n; k++ {
		F[rowOf(k)] = base
	}
	var Fv []float64
	if vn > 0 {
		Fv = make([]float64, vn)
		for i := range Fv {
			Fv[i] = base
		}
	}
	gp := growParams{maxDepth: opt.MaxDepth, maxLeaves: opt.MaxLeaves, minLeaf: max(opt.MinLeaf, 1),
		minChildWeight: opt.MinChildWeight, lambda: opt.L2, shrink: opt.LearningRate}
	m := &gbdtModel{Base: base, Names: names, workers: opt.Workers, ly: ly}
	bestLoss, bestRound := math.Inf(1), 0
	gainAt := make([][]float64, 0, opt.Rounds) // cumulative gain after each round
	update := func(rows []int32, v float64) {
		for _, r := range rows {
			F[r] += v
		}
	}
	goss := newGOSS(n, opt)
	for round := 0; round < opt.Rounds; round++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		parallelRows(n, opt.Workers, func(lo, hi int) {
			for k := lo; k < hi; k++ {
				i := rowOf(k)
				p := sigmoid(F[i])
				gr.gh[i] = gpair{p - y[i], math.Max(p*(1-p), 1e-16)}
			}
		})
		var t tree
		if goss != nil && round >= goss.warm {
			// grow on the gradient-based sample, then move every row's prediction by the
			// tree and count the rows of each node over all of them
			gr.rows = goss.sample(gr)
			gr.m = len(gr.rows)
			t = gr.grow(&gp, nil)
			gr.rows, gr.m = train, n
			goss.apply(&t, gr, F)
		} else {
			t = gr.grow(&gp, update)
		}
		m.Trees = append(m.Trees, t)
		gainAt = append(gainAt, append([]float64(nil), gr.gainSum...))
		m.Rounds = round + 1
		if vn > 0 {
			loss := 0.0
			parts := make([]float64, opt.Workers+1)
			chunk := (vn + opt.Workers - 1) / opt.Workers
			parallelRows(vn, opt.Workers, func(lo, hi int) {
				s := 0.0
				for i := lo; i < hi; i++ {
					r := val.row(i)
					Fv[i] += t.Nodes[t.leafBinned(val.bins, p, r, nanBin)].Value
					z := Fv[i]
					s += math.Max(z, 0) + math.Log1p(math.Exp(-math.Abs(z))) - val.y[r]*z
				}
				parts[lo/max(chunk, 1)] += s
			})
			for _, s := range parts {
				loss += s
			}
			loss /= float64(vn)
			m.ValLoss = append(m.ValLoss, loss)
			if loss < bestLoss-1e-9 {
				bestLoss, bestRound = loss, round+1
			} else if opt.EarlyStopping > 0 && round+1-bestRound >= opt.EarlyStopping {
				report(Progress{Done: int64(round + 1), Total: int64(opt.Rounds), Stage: fmt.Sprintf("gbdt: early stop at round %d", bestRound)})
				break
			}
		} else {
			bestRound = round + 1
		}
		report(Progress{Done: int64(round + 1), Total: int64(opt.Rounds), Stage: "gbdt"})
	}
	if opt.EarlyStopping > 0 && bestRound > 0 && bestRound < len(m.Trees) {
		m.Trees = m.Trees[:bestRound]
	}
	m.BestRound = len(m.Trees)
	if len(gainAt) > 0 {
		m.Gain = gainAt[len(m.Trees)-1]
	} else {
		m.Gain = make([]float64, p)
	}
	report(Progress{Done: int64(opt.Rounds), Total: int64(opt.Rounds), Stage: "gbdt"})
	return m, nil
}

// Truncate returns a gbdt classifier that keeps only the first n trees of c (the model
// after n boosting rounds), sharing the trees with c; any other classifier, or n not below
// c's number of trees, is returned unchanged. Cross-validation uses it to score each fold
// at the number of rounds chosen on all folds together.
func Truncate(c Classifier, n int) Classifier {
	m, ok := c.(*gbdtModel)
	if !ok || n >= len(m.Trees) || n < 0 {
		return c
	}
	return &gbdtModel{Base: m.Base, Trees: m.Trees[:n], Names: m.Names, Gain: m.Gain, BestRound: n, Rounds: m.Rounds,
		ValLoss: m.ValLoss, workers: m.workers, ly: m.ly}
}

// goss is a gbdt fit's gradient-based one-side sampling (Options.GOSSTop): each round
// after the first warm ones grows its tree on the rows of largest |g| and a random share
// of the others, scaled up.
type goss struct {
	top, other float64
	warm       int
	rng        *rand.Rand
	rows       []int32
	cnt        []int
}

// gossBuckets is the resolution of the |g| threshold: the top share is found by counting
// rows per bucket of |g|/max|g| (one pass, no sort); the rows of the threshold's bucket
// are all kept, so slightly more than the top share may be.
const gossBuckets = 4096

// newGOSS returns the sampler of a fit growing on n rows, nil when it does not sample.
func newGOSS(n int, opt Options) *goss {
	if opt.GOSSTop <= 0 || opt.GOSSOther <= 0 || opt.GOSSTop+opt.GOSSOther >= 1 || n < max(opt.GOSSMinRows, 1) {
		return nil
	}
	return &goss{top: opt.GOSSTop, other: opt.GOSSOther, warm: int(math.Ceil(1 / opt.LearningRate)),
		rng: rand.New(rand.NewPCG(opt.Seed, 0x6055)), cnt: make([]int, gossBuckets)}
}

// sample returns the rows (layout rows, ascending) the round's tree grows on: the grower's
// rows with the largest |g| and a random share of the others, whose gradient pairs it
// scales by (1−top)/other.
func (s *goss) sample(gr *grower) []int32 {
	gh := gr.gh
	n := gr.m
	rowOf := func(k int) int32 {
		if gr.rows != nil {
			return gr.rows[k]
		}
		return int32(k)
	}
	gmax := 0.0
	for k := 0; k < n; k++ {
		if g := math.Abs(gh[rowOf(k)].g); g > gmax {
			gmax = g
		}
	}
	if gmax == 0 {
		gmax = 1
	}
	scale := (gossBuckets - 1) / gmax
	clear(s.cnt)
	for k := 0; k < n; k++ {
		s.cnt[int(math.Abs(gh[rowOf(k)].g)*scale)]++
	}
	want := int(s.top * float64(n))
	thr, acc := gossBuckets, 0
	for thr > 0 && acc < want {
		thr--
		acc += s.cnt[thr]
	}
	// |g| ≥ cut puts a row in a bucket ≥ thr
	keep := s.other / (1 - s.top)
	amp := (1 - s.top) / s.other
	s.rows = s.rows[:0]
	for k := 0; k < n; k++ {
		i := rowOf(k)
		if int(math.Abs(gh[i].g)*scale) >= thr {
			s.rows = append(s.rows, i)
		} else if s.rng.Float64() < keep {
			gh[i].g *= amp
			gh[i].h *= amp
			s.rows = append(s.rows, i)
		}
	}
	return s.rows
}

// apply adds the tree t, grown on a sample, to the predictions F of all the grower's rows
// and sets each node's row count N to the rows (of all of them) that reach it. The rows
// are partitioned down the tree as growing does (reading the column-major bins forwards),
// not routed one by one.
func (s *goss) apply(t *tree, gr *grower, F []float64) {
	if gr.rows == nil {
		for i := range gr.idx {
			gr.idx[i] = int32(i)
		}
	} else {
		copy(gr.idx, gr.rows)
	}
	cols := gr.columns()
	var walk func(k, lo, hi int)
	walk = func(k, lo, hi int) {
		nd := &t.Nodes[k]
		nd.N = hi - lo
		if nd.Feature < 0 {
			for _, r := range gr.idx[lo:hi] {
				F[r] += nd.Value
			}
			return
		}
		f := nd.Feature
		nanBin := uint8(gr.nb[f] - 1)
		src, base, stride := gr.bins, f, gr.p
		if cols != nil {
			src, base, stride = cols, f*gr.n, 1
		}
		nl, nr := lo, 0
		for _, r := range gr.idx[lo:hi] {
			b := src[base+int(r)*stride]
			left := b <= nd.Bin
			if b == nanBin {
				left = nd.MissingLeft
			}
			if left {
				gr.idx[nl] = r
				nl++
			} else {
				gr.scratch[nr] = r
				nr++
			}
		}
		copy(gr.idx[nl:hi], gr.scratch[:nr])
		walk(int(nd.Left), lo, nl)
		walk(int(nd.Right), nl, hi)
	}
	walk(0, 0, gr.m)
}
