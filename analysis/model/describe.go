package model

import "fmt"

// TreeNode is one node of a fitted tree as Describe returns it: a split (Feature ≥ 0; rows
// with x < Threshold go to Left, x ≥ Threshold to Right, NaN to Left when MissingLeft) or a
// leaf (Feature < 0) with its Value.
type TreeNode struct {
	Feature     int
	Threshold   float64
	MissingLeft bool
	Left, Right int
	Value       float64
}

// Structure is the arithmetic of a fitted classifier, for code that evaluates it elsewhere
// (analysis/sqlgen compiles it to SQL):
//
//	logit: P = σ(Intercept + Σ_j Coef[j]·x_j)
//	tree:  P = the leaf value of Trees[0]
//	gbdt:  P = σ(Base + Σ_t leaf_t(x)), trees summed in order
//	blend: P = Σ_k Weights[k] · Calibrators[k](P_k(x)), P_k the Parts
//	uplift: P_0(x) − P_1(x) (Method TwoModel: treated, control) or 2·P_0(x) − 1
//	        (Method ClassTransformation)
type Structure struct {
	Algo        Algo
	Method      string // uplift: TwoModel or ClassTransformation
	Features    int
	Intercept   float64
	Coef        []float64
	Base        float64
	Trees       [][]TreeNode
	Parts       []Structure
	Calibrators []*Calibrator
	Weights     []float64
}

// Describe returns the structure of c. A classifier type it does not know is an error that
// names the type.
func Describe(c Classifier) (Structure, error) {
	switch m := c.(type) {
	case *logitModel:
		return Structure{Algo: Logit, Features: len(m.Coef), Intercept: m.Intercept, Coef: append([]float64(nil), m.Coef...)}, nil
	case *treeModel:
		return Structure{Algo: Tree, Features: len(m.Gain), Trees: [][]TreeNode{exportTree(m.T)}}, nil
	case *gbdtModel:
		s := Structure{Algo: GBDT, Features: len(m.Gain), Base: m.Base}
		for _, t := range m.Trees {
			s.Trees = append(s.Trees, exportTree(t))
		}
		return s, nil
	case *upliftModel:
		return withParts(Structure{Algo: Uplift, Method: m.method}, m.parts)
	case *blendModel:
		return withParts(Structure{Algo: Blend, Calibrators: m.cals, Weights: append([]float64(nil), m.weights...)}, m.parts)
	}
	if c == nil {
		return Structure{}, fmt.Errorf("model: describe: no classifier")
	}
	return Structure{}, fmt.Errorf("model: describe: classifier kind %q (%T) has no known structure: %w", c.Algo(), c, ErrAlgo)
}

func exportTree(t tree) []TreeNode {
	out := make([]TreeNode, len(t.Nodes))
	for k, nd := range t.Nodes {
		out[k] = TreeNode{Feature: nd.Feature, Threshold: nd.Threshold, MissingLeft: nd.MissingLeft,
			Left: int(nd.Left), Right: int(nd.Right), Value: nd.Value}
	}
	return out
}

// withParts adds the structure of each part to s (a blend's or an uplift model's), its
// feature count the widest part's.
func withParts(s Structure, parts []Classifier) (Structure, error) {
	for _, p := range parts {
		ps, err := Describe(p)
		if err != nil {
			return Structure{}, err
		}
		s.Features = max(s.Features, ps.Features)
		s.Parts = append(s.Parts, ps)
	}
	return s, nil
}
