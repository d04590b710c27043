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

// compactNode is a tree node packed for one-row prediction (24 bytes instead of node's 64,
// so that a gbdt's trees stay in cache): a leaf has feature −1 and its value in threshold.
type compactNode struct {
	threshold   float64
	feature     int32
	left, right int32
	missingLeft bool
}

type compactTree []compactNode

// value is the leaf value row reaches: tree.leaf's routing, node for node.
func (t compactTree) value(row []float64) float64 {
	k := 0
	for {
		nd := &t[k]
		if nd.feature < 0 {
			return nd.threshold
		}
		v := row[nd.feature]
		var left bool
		if v != v { // NaN
			left = nd.missingLeft
		} else {
			left = v < nd.threshold
		}
		if left {
			k = int(nd.left)
		} else {
			k = int(nd.right)
		}
	}
}

// compact is the model's trees packed for PredictOne, built once.
func (m *gbdtModel) compact() []compactTree {
	m.compactOnce.Do(func() {
		m.packed = make([]compactTree, len(m.Trees))
		for k := range m.Trees {
			t := make(compactTree, len(m.Trees[k].Nodes))
			for i, nd := range m.Trees[k].Nodes {
				if nd.Feature < 0 {
					t[i] = compactNode{threshold: nd.Value, feature: -1}
					continue
				}
				t[i] = compactNode{threshold: nd.Threshold, feature: int32(nd.Feature), left: nd.Left, right: nd.Right, missingLeft: nd.MissingLeft}
			}
			m.packed[k] = t
		}
	})
	return m.packed
}
