package model

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Rule is one segment of a rule profile: the rows that meet all Conditions.
type Rule struct {
	Conditions []string
	Text       string // the conditions joined with " and "
	N          int    // rows in the segment
	Positives  int
	Coverage   float64 // N / all rows
	Rate       float64 // Positives / N
	Lift       float64 // Rate / base rate
}

// Surrogate tree limits for Rules on logit and gbdt models.
const (
	surrogateDepth      = 3
	surrogateLeaves     = 8
	surrogateMinSupport = 0.02
)

// Rules returns a readable rule profile in the manner of SPSS's Decision List: the
// segments with a raised rate (lift > 1), ordered by lift, each with its coverage
// share, response rate and lift measured on X and y. The segments are leaves of a tree,
// so they do not overlap. For a tree model they are its own leaves; for logit and gbdt
// a shallow surrogate tree (depth 3, 8 leaves, each ≥ 2 % of the rows) is fitted on X
// with the model's predicted probabilities as target, so the segments describe where
// the model puts high scores, while their rates are the observed ones in y. When y is
// nil the predicted probabilities stand in for it (Positives is then the rounded
// expected count). maxRules ≤ 0 returns all segments with lift > 1.
func Rules(c Classifier, X *Matrix, y []float64, maxRules int) []Rule {
	if X == nil || X.Rows == 0 {
		return nil
	}
	var t *tree
	switch m := c.(type) {
	case *treeModel:
		t = &m.T
	default:
		p := c.Predict(X)
		t = surrogate(X, p)
		if y == nil {
			y = p
		}
	}
	if y == nil {
		y = c.Predict(X)
	}
	if len(y) != X.Rows {
		return nil
	}
	cnt := make([]int, len(t.Nodes))
	sum := make([]float64, len(t.Nodes))
	total := 0.0
	for i := 0; i < X.Rows; i++ {
		k := t.leaf(X.Row(i))
		cnt[k]++
		sum[k] += y[i]
		total += y[i]
	}
	base := total / float64(X.Rows)
	paths := leafPaths(t)
	var out []Rule
	for k, conds := range paths {
		if cnt[k] == 0 || base <= 0 {
			continue
		}
		r := Rule{N: cnt[k], Positives: int(math.Round(sum[k]))}
		r.Coverage = float64(r.N) / float64(X.Rows)
		r.Rate = sum[k] / float64(r.N)
		r.Lift = r.Rate / base
		if r.Lift <= 1 {
			continue
		}
		r.Conditions = describe(conds, X)
		if len(r.Conditions) == 0 {
			r.Conditions = []string{"all customers"}
		}
		r.Text = strings.Join(r.Conditions, " and ")
		out = append(out, r)
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Lift != out[b].Lift {
			return out[a].Lift > out[b].Lift
		}
		return out[a].N > out[b].N
	})
	if maxRules > 0 && len(out) > maxRules {
		out = out[:maxRules]
	}
	return out
}

// surrogate fits a shallow regression tree of p on X (squared error = Gini-like variance split).
func surrogate(X *Matrix, p []float64) *tree {
	opt := DefaultOptions(Tree)
	opt.MaxDepth, opt.MaxLeaves, opt.MinSupport = surrogateDepth, surrogateLeaves, surrogateMinSupport
	opt.Workers = workersOr(0)
	bn := newBinner(X, nil, opt.Bins, opt.Seed, opt.Workers)
	gr := newGrower(bn.transform(X, opt.Workers), X.Rows, bn, opt.Workers)
	gr.useSparse(maxSparseDensity)
	for i, v := range p {
		gr.gh[i] = gpair{-v, 1}
	}
	minLeaf := max(opt.MinLeaf, int(math.Ceil(opt.MinSupport*float64(X.Rows))))
	gp := growParams{maxDepth: opt.MaxDepth, maxLeaves: opt.MaxLeaves, minLeaf: minLeaf, shrink: 1, unitHess: true}
	t := gr.grow(&gp, nil)
	return &t
}

// cond is one step on the path to a leaf.
type cond struct {
	feature    int
	left       bool // x < threshold
	threshold  float64
	withNaN    bool // NaN rows take this branch
	hasMissing bool // NaN occurred at training
}

// leafPaths returns, for every leaf index, the conditions on its path.
func leafPaths(t *tree) map[int][]cond {
	out := map[int][]cond{}
	var walk func(k int, path []cond)
	walk = func(k int, path []cond) {
		nd := &t.Nodes[k]
		if nd.Feature < 0 {
			out[k] = append([]cond(nil), path...)
			return
		}
		c := cond{feature: nd.Feature, threshold: nd.Threshold, hasMissing: nd.HasMissing}
		c.left, c.withNaN = true, nd.MissingLeft
		walk(int(nd.Left), append(path, c))
		c.left, c.withNaN = false, !nd.MissingLeft
		walk(int(nd.Right), append(path, c))
	}
	walk(0, nil)
	return out
}

// describe merges the conditions per feature into readable text, in order of first use:
// "x ≥ a", "x < b", "a ≤ x < b"; a one-hot column named "col=value" reads "col = value"
// or "col ≠ value"; "(… or missing)" is added when NaN rows seen in training also qualify.
func describe(conds []cond, X *Matrix) []string {
	type bound struct {
		lo, hi      float64
		nan, sawNaN bool
	}
	var order []int
	bs := map[int]*bound{}
	for _, c := range conds {
		b, ok := bs[c.feature]
		if !ok {
			b = &bound{lo: math.Inf(-1), hi: math.Inf(1), nan: true}
			bs[c.feature] = b
			order = append(order, c.feature)
		}
		if c.left {
			b.hi = math.Min(b.hi, c.threshold)
		} else {
			b.lo = math.Max(b.lo, c.threshold)
		}
		b.nan = b.nan && c.withNaN
		b.sawNaN = b.sawNaN || c.hasMissing
	}
	var out []string
	for _, j := range order {
		b := bs[j]
		name := X.name(j)
		var s string
		if col, val, ok := strings.Cut(name, "="); ok && (b.lo > 0 && b.lo <= 1 && math.IsInf(b.hi, 1) || b.hi > 0 && b.hi <= 1 && math.IsInf(b.lo, -1)) {
			if math.IsInf(b.hi, 1) {
				s = col + " = " + val
			} else {
				s = col + " ≠ " + val
			}
		} else {
			switch {
			case !math.IsInf(b.lo, -1) && !math.IsInf(b.hi, 1):
				s = fmt.Sprintf("%s ≤ %s < %s", num(b.lo), name, num(b.hi))
			case !math.IsInf(b.lo, -1):
				s = fmt.Sprintf("%s ≥ %s", name, num(b.lo))
			default:
				s = fmt.Sprintf("%s < %s", name, num(b.hi))
			}
		}
		if b.nan && b.sawNaN {
			s = "(" + s + " or " + name + " missing)"
		}
		out = append(out, s)
	}
	return out
}

// num formats a threshold compactly: integers without decimals, others with 4 significant digits.
func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}
