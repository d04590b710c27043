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
		for k := range m.Trees {
			z += m.Trees[k].Nodes[m.Trees[k].leaf(row)].Value
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
