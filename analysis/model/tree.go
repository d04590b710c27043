package model

import (
	"context"
	"math"
	"sync"
)

// treeModel is a single classification tree whose leaves are the readable segments
// of a decision list.
type treeModel struct {
	T          tree      `json:"tree"`
	Names      []string  `json:"names,omitempty"`
	Gain       []float64 `json:"gain"`
	BaseRate   float64   `json:"base_rate"`
	MinSupport float64   `json:"min_support"`
	workers    int

	meansOnce sync.Once // Contributions: node means, worked out once
	nodeMean  [][]float64
}

func (m *treeModel) Algo() Algo { return Tree }

// Predict returns the training response rate of the leaf each row falls in.
func (m *treeModel) Predict(X *Matrix) []float64 { return m.predictRows(X, nil) }

func (m *treeModel) predictRows(X *Matrix, rows []int) []float64 {
	checkCols(X, len(m.Gain))
	out := make([]float64, numRows(X, rows))
	parallelRows(len(out), workersOr(m.workers), func(lo, hi int) {
		for k := lo; k < hi; k++ {
			out[k] = m.T.Nodes[m.T.leaf(X.Row(rowAt(rows, k)))].Value
		}
	})
	return out
}

// Importance returns the total impurity decrease of each feature, normalized.
func (m *treeModel) Importance() []float64 { return normalize(append([]float64(nil), m.Gain...)) }

// fitTree grows one CART-style classification tree best-first. With g_i = −y_i and
// h_i = 1 the histogram gain G_L²/N_L + G_R²/N_R − G²/N equals N times the decrease of
// the Gini impurity 2·r(1−r) divided by two, so the split criterion is Gini, and a
// leaf value −G/H is the leaf's response rate r. Numeric thresholds come from quantile
// bins (Options.Bins); each leaf holds at least max(MinLeaf, MinSupport·n) rows.
func fitTree(ctx context.Context, X *Matrix, y []float64, opt Options, report func(Progress)) (Classifier, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	def := DefaultOptions(Tree)
	if opt.Bins <= 0 {
		opt.Bins = def.Bins
	}
	report(Progress{Done: 0, Total: 2, Stage: "tree: binning"})
	bn := newBinner(X, nil, opt.Bins, opt.Seed, opt.Workers)
	ly := newLayout(bn.transform(X, opt.Workers), X.Rows, bn)
	ly.useSparse(maxSparseDensity, opt.Workers)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return growTree(ctx, ly, y, nil, X.Names, opt, report)
}

// growTree grows the tree on the rows train (nil = all) of the layout ly, whose rows have
// the labels y; see fitTree.
func growTree(ctx context.Context, ly *layout, y []float64, train []int32, names []string, opt Options, report func(Progress)) (Classifier, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	report(Progress{Done: 1, Total: 2, Stage: "tree: growing"})
	gr := newRowGrower(ly, train, opt.Workers)
	rows := gr.m
	pos := 0.0
	if train == nil {
		for i, v := range y {
			gr.gh[i] = gpair{-v, 1}
			pos += v
		}
	} else {
		for _, r := range train {
			v := y[r]
			gr.gh[r] = gpair{-v, 1}
			pos += v
		}
	}
	minLeaf := max(opt.MinLeaf, int(math.Ceil(opt.MinSupport*float64(rows))), 1)
	gp := growParams{maxDepth: opt.MaxDepth, maxLeaves: opt.MaxLeaves, minLeaf: minLeaf, shrink: 1, unitHess: true}
	t := gr.grow(&gp, nil)
	if opt.PruneChi2 > 0 {
		t = pruneTree(t, opt.PruneChi2, gr.gainSum)
	}
	report(Progress{Done: 2, Total: 2, Stage: "tree"})
	return &treeModel{T: t, Names: names, Gain: gr.gainSum, BaseRate: pos / float64(rows), MinSupport: opt.MinSupport, workers: opt.Workers}, nil
}

// pruneTree collapses, bottom-up, every split of two leaves whose 2×2 table
// (child × label) has a chi-square statistic below minChi2. For a split grown with
// g = −y, h = 1 the gain is the between-children sum of squares, so
//
//	χ² = gain / (r̄(1 − r̄)),  r̄ = the node's response rate,
//
// with 1 degree of freedom (10.83 ≈ p = 0.001, strict because the split was the best of
// many candidates). It subtracts the gain of pruned splits from gainSum and returns the
// compacted tree.
func pruneTree(t tree, minChi2 float64, gainSum []float64) tree {
	nodes := t.Nodes
	for changed := true; changed; {
		changed = false
		for k := range nodes {
			nd := &nodes[k]
			if nd.Feature < 0 {
				continue
			}
			l, r := &nodes[nd.Left], &nodes[nd.Right]
			if l.Feature >= 0 || r.Feature >= 0 {
				continue
			}
			rate := (float64(l.N)*l.Value + float64(r.N)*r.Value) / float64(l.N+r.N)
			v := rate * (1 - rate)
			if v > 0 && nd.Gain/v >= minChi2 {
				continue
			}
			gainSum[nd.Feature] -= nd.Gain
			*nd = node{Feature: -1, Value: rate, N: l.N + r.N}
			changed = true
		}
	}
	// compact: keep the nodes reachable from the root, parents before children
	out := tree{Nodes: make([]node, 0, len(nodes))}
	var copyNode func(k int) int32
	copyNode = func(k int) int32 {
		idx := int32(len(out.Nodes))
		out.Nodes = append(out.Nodes, nodes[k])
		if nodes[k].Feature >= 0 {
			l := copyNode(int(nodes[k].Left))
			r := copyNode(int(nodes[k].Right))
			out.Nodes[idx].Left, out.Nodes[idx].Right = l, r
		}
		return idx
	}
	copyNode(0)
	for j := range gainSum {
		gainSum[j] = math.Max(gainSum[j], 0)
	}
	return out
}
