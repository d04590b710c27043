package model

import (
	"errors"
	"fmt"
)

// ErrNoContributions is returned for a classifier whose score does not decompose into
// per-feature contributions (a blend of calibrated parts).
var ErrNoContributions = errors.New("model has no per-feature contributions")

// Contributions decomposes the raw score of one row into a bias and one contribution per
// feature, bias + Σ contrib[j] = Raw(c, row):
//
//   - logit: raw = log-odds b₀ + Σ β_j x_j; bias = b₀, contrib[j] = β_j·x_j (exact);
//   - tree: raw = the leaf's rate; bias = the root's rate, and each split on the row's path
//     adds to its feature the change of the node's rate from parent to child (path
//     contributions; a node's rate is the training-row-weighted mean of its leaves);
//   - gbdt: raw = log-odds Base + Σ_t f_t(x); bias = Base plus each tree's root value, and
//     the path contributions of every tree summed per feature.
//
// A blend returns ErrNoContributions.
func Contributions(c Classifier, row []float64) (bias float64, contrib []float64, err error) {
	switch m := c.(type) {
	case *logitModel:
		if len(row) != len(m.Coef) {
			return 0, nil, fmt.Errorf("model: contributions: %d values for %d features: %w", len(row), len(m.Coef), ErrLength)
		}
		contrib = make([]float64, len(row))
		for j, b := range m.Coef {
			contrib[j] = b * row[j]
		}
		return m.Intercept, contrib, nil
	case *treeModel:
		if len(row) != len(m.Gain) {
			return 0, nil, fmt.Errorf("model: contributions: %d values for %d features: %w", len(row), len(m.Gain), ErrLength)
		}
		contrib = make([]float64, len(row))
		return m.T.pathContrib(row, contrib), contrib, nil
	case *gbdtModel:
		if len(row) != len(m.Gain) {
			return 0, nil, fmt.Errorf("model: contributions: %d values for %d features: %w", len(row), len(m.Gain), ErrLength)
		}
		contrib = make([]float64, len(row))
		bias = m.Base
		for k := range m.Trees {
			bias += m.Trees[k].pathContrib(row, contrib)
		}
		return bias, contrib, nil
	}
	return 0, nil, fmt.Errorf("model: %s: %w", c.Algo(), ErrNoContributions)
}

// Raw is the score Contributions decomposes: the log-odds for logit and gbdt, the leaf rate
// for a tree (Predict of one row, before the sigmoid where there is one).
func Raw(c Classifier, row []float64) (float64, error) {
	switch m := c.(type) {
	case *logitModel:
		z := m.Intercept
		for j, b := range m.Coef {
			z += b * row[j]
		}
		return z, nil
	case *treeModel:
		return m.T.Nodes[m.T.leaf(row)].Value, nil
	case *gbdtModel:
		z := m.Base
		for k := range m.Trees {
			z += m.Trees[k].Nodes[m.Trees[k].leaf(row)].Value
		}
		return z, nil
	}
	return 0, fmt.Errorf("model: %s: %w", c.Algo(), ErrNoContributions)
}

// pathContrib adds to contrib the path contributions of row and returns the root's value.
func (t *tree) pathContrib(row []float64, contrib []float64) float64 {
	mean := t.nodeMeans()
	k := 0
	for {
		nd := &t.Nodes[k]
		if nd.Feature < 0 {
			return mean[0]
		}
		v := row[nd.Feature]
		next := int(nd.Right)
		if v != v {
			if nd.MissingLeft {
				next = int(nd.Left)
			}
		} else if v < nd.Threshold {
			next = int(nd.Left)
		}
		contrib[nd.Feature] += mean[next] - mean[k]
		k = next
	}
}

// nodeMeans is every node's value: a leaf's own, an inner node's the training-row-weighted
// mean of its children (children always follow their parent in Nodes).
func (t *tree) nodeMeans() []float64 {
	mean := make([]float64, len(t.Nodes))
	n := make([]float64, len(t.Nodes))
	for k := len(t.Nodes) - 1; k >= 0; k-- {
		nd := &t.Nodes[k]
		if nd.Feature < 0 {
			mean[k], n[k] = nd.Value, float64(max(nd.N, 1))
			continue
		}
		l, r := nd.Left, nd.Right
		n[k] = n[l] + n[r]
		mean[k] = (n[l]*mean[l] + n[r]*mean[r]) / n[k]
	}
	return mean
}
