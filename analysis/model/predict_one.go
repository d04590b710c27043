package model

import (
	"fmt"

	"gonum.org/v1/gonum/floats"
)

// PredictOne is c.Predict of the one row row, without allocating: the same arithmetic in the
// same order, so the result equals Predict's bit for bit. Live scoring of one customer calls
// it once per product and request.
func PredictOne(c Classifier, row []float64) float64 {
	switch m := c.(type) {
	case *logitModel:
		checkLen(len(row), len(m.Coef))
		return sigmoid(m.Intercept + floats.Dot(m.Coef, row))
	case *treeModel:
		checkLen(len(row), len(m.Gain))
		return m.T.Nodes[m.T.leaf(row)].Value
	case *gbdtModel:
		checkLen(len(row), len(m.Gain))
		z := m.Base
		for _, t := range m.compact() {
			z += t.value(row)
		}
		return sigmoid(z)
	case *blendModel:
		var out float64
		for k, p := range m.parts {
			out += m.weights[k] * m.cals[k].Apply(PredictOne(p, row))
		}
		return out
	}
	return c.Predict(&Matrix{Rows: 1, Cols: len(row), Data: row})[0]
}

func checkLen(got, want int) {
	if got != want {
		panic(fmt.Sprintf("model: PredictOne of %d values, the model has %d features", got, want))
	}
}

// compactNode is a tree node packed for prediction in 16 bytes (node has 64), so that a
// gbdt's trees stay in cache. A split's children are next to each other, at left and
// left+1; a leaf has left 0 (the root is nobody's child) and its value in threshold. The
// feature's top bit says where NaN goes (set: left).
type compactNode struct {
	threshold float64
	feature   uint32
	left      int32
}

const missingLeftBit = 1 << 31

type compactTree []compactNode

// value is the leaf value row reaches: tree.leaf's routing, node for node.
func (t compactTree) value(row []float64) float64 {
	nd := &t[0]
	for nd.left != 0 {
		v := row[nd.feature&^missingLeftBit]
		k := nd.left
		if v != v { // NaN
			if nd.feature&missingLeftBit == 0 {
				k++
			}
		} else if !(v < nd.threshold) {
			k++
		}
		nd = &t[k]
	}
	return nd.threshold
}

// packTree lays t's nodes out as a compactTree, breadth first, each split's children side
// by side.
func packTree(t *tree) compactTree {
	out := make(compactTree, 1, len(t.Nodes))
	queue := []int32{0} // nodes to place (index in t)…
	at := []int32{0}    // …and where they go (index in out)
	for len(queue) > 0 {
		old, pos := queue[0], at[0]
		queue, at = queue[1:], at[1:]
		nd := &t.Nodes[old]
		if nd.Feature < 0 {
			out[pos] = compactNode{threshold: nd.Value}
			continue
		}
		f := uint32(nd.Feature)
		if nd.MissingLeft {
			f |= missingLeftBit
		}
		l := int32(len(out))
		out = append(out, compactNode{}, compactNode{})
		out[pos] = compactNode{threshold: nd.Threshold, feature: f, left: l}
		queue = append(queue, nd.Left, nd.Right)
		at = append(at, l, l+1)
	}
	return out
}

// compact is the model's trees packed for prediction, built once.
func (m *gbdtModel) compact() []compactTree {
	m.compactOnce.Do(func() {
		m.packed = make([]compactTree, len(m.Trees))
		for k := range m.Trees {
			m.packed[k] = packTree(&m.Trees[k])
		}
	})
	return m.packed
}

// predictBlock is the rows' log-odds Base + Σ_t f_t(x) into z, tree by tree over the
// block (each tree stays in cache while it routes every row of the block; each row's sum
// is taken in tree order, as PredictOne takes it).
func predictBlock(trees []compactTree, base float64, rows [][]float64, z []float64) {
	for r := range rows {
		z[r] = base
	}
	for _, t := range trees {
		for r, row := range rows {
			z[r] += t.value(row)
		}
	}
}
