package model

import (
	"errors"
	"fmt"
)

// ErrNoContributions is returned for a classifier whose score does not decompose into
// per-feature contributions.
var ErrNoContributions = errors.New("model has no per-feature contributions")

// Contributions decomposes the raw score of one row into a bias and one contribution per
// feature, bias + Σ contrib[j] = Raw(c, row):
//
//   - logit: raw = log-odds b₀ + Σ β_j x_j; bias = b₀, contrib[j] = β_j·x_j (exact);
//   - tree: raw = the leaf's rate; bias = the root's rate, and each split on the row's path
//     adds to its feature the change of the node's rate from parent to child (path
//     contributions; a node's rate is the training-row-weighted mean of its leaves);
//   - gbdt: raw = log-odds Base + Σ_t f_t(x); bias = Base plus each tree's root value, and
//     the path contributions of every tree summed per feature;
//   - blend: raw = the log-odds of the blend's probability P = Σ_k w_k·cal_k(p_k(x)). Each
//     part k moves P by d_k = w_k·(cal_k(p_k(x)) − cal_k(p_k(bias_k))) from its own bias; the
//     part's own contributions (logit exactly, trees by their paths) share d_k in proportion,
//     and the shares, summed per feature over the parts, are put on the log-odds scale by
//     the one factor (raw − bias)/(P − P₀), P₀ = Σ_k w_k·cal_k(p_k(bias_k)), bias = logit P₀.
//     A feature's sign and rank are its parts' weighted, calibrated push; the sum is exact.
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
		return m.T.pathContrib(row, contrib, m.means()[0]), contrib, nil
	case *gbdtModel:
		if len(row) != len(m.Gain) {
			return 0, nil, fmt.Errorf("model: contributions: %d values for %d features: %w", len(row), len(m.Gain), ErrLength)
		}
		contrib = make([]float64, len(row))
		bias = m.Base
		means := m.means()
		for k := range m.Trees {
			bias += m.Trees[k].pathContrib(row, contrib, means[k])
		}
		return bias, contrib, nil
	case *blendModel:
		return m.contributions(row)
	}
	return 0, nil, fmt.Errorf("model: %s: %w", c.Algo(), ErrNoContributions)
}

// contributions is Contributions of a blend (see there).
func (m *blendModel) contributions(row []float64) (float64, []float64, error) {
	share := make([]float64, len(row)) // per feature, on the probability scale
	var p, p0, sum float64
	for k, part := range m.parts {
		b, con, err := Contributions(part, row)
		if err != nil {
			return 0, nil, fmt.Errorf("model: blend part %d: %w", k, err)
		}
		q := m.cals[k].Apply(PredictOne(part, row))
		atBias := b
		if part.Algo() != Tree { // the part's raw score is a log-odds
			atBias = sigmoid(b)
		}
		q0 := m.cals[k].Apply(atBias)
		p += m.weights[k] * q
		p0 += m.weights[k] * q0
		var s float64
		for _, v := range con {
			s += v
		}
		if d := m.weights[k] * (q - q0); s != 0 && d != 0 {
			for j, v := range con {
				if v != 0 {
					share[j] += d * v / s
					sum += d * v / s
				}
			}
		}
	}
	raw, bias := logitOf(p), logitOf(p0) // logitOf keeps p off 0 and 1
	f := 0.0
	if sum != 0 {
		f = (raw - bias) / sum
	}
	for j := range share {
		share[j] *= f
	}
	return bias, share, nil
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
	case *blendModel:
		return logitOf(PredictOne(m, row)), nil
	}
	return 0, fmt.Errorf("model: %s: %w", c.Algo(), ErrNoContributions)
}

// pathContrib adds to contrib the path contributions of row and returns the root's value;
// mean is t.nodeMeans().
func (t *tree) pathContrib(row []float64, contrib []float64, mean []float64) float64 {
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

// means is the tree's node means, worked out once.
func (m *treeModel) means() [][]float64 {
	m.meansOnce.Do(func() { m.nodeMean = [][]float64{m.T.nodeMeans()} })
	return m.nodeMean
}

// means is every tree's node means, worked out once.
func (m *gbdtModel) means() [][]float64 {
	m.meansOnce.Do(func() {
		m.nodeMean = make([][]float64, len(m.Trees))
		for k := range m.Trees {
			m.nodeMean[k] = m.Trees[k].nodeMeans()
		}
	})
	return m.nodeMean
}
