package model

import (
	"encoding/json"
	"fmt"
)

// Blend is the algorithm name of a blend of calibrated classifiers (see NewBlend).
const Blend Algo = "blend"

// blendModel averages the calibrated probabilities of its parts:
//
//	P(y=1|x) = Σ_k w_k · cal_k(p_k(x)),  Σ_k w_k = 1.
type blendModel struct {
	parts   []Classifier
	cals    []*Calibrator
	weights []float64
}

// NewBlend returns the weighted average of the calibrated probabilities of parts (all on
// the same feature matrix). weights are normalized to sum 1; nil means equal weights.
func NewBlend(parts []Classifier, cals []*Calibrator, weights []float64) (Classifier, error) {
	if len(parts) == 0 || len(cals) != len(parts) || (weights != nil && len(weights) != len(parts)) {
		return nil, fmt.Errorf("model: blend of %d parts, %d calibrators, %d weights: %w", len(parts), len(cals), len(weights), ErrLength)
	}
	w := make([]float64, len(parts))
	for k := range w {
		w[k] = 1
		if weights != nil {
			w[k] = weights[k]
		}
		if w[k] < 0 || parts[k] == nil || cals[k] == nil {
			return nil, fmt.Errorf("model: blend part %d is missing or has a negative weight: %w", k, ErrLength)
		}
	}
	return &blendModel{parts: parts, cals: cals, weights: normalize(w)}, nil
}

func (m *blendModel) Algo() Algo { return Blend }

// Predict returns Σ_k w_k · cal_k(p_k(x)) per row.
func (m *blendModel) Predict(X *Matrix) []float64 {
	out := make([]float64, X.Rows)
	for k, c := range m.parts {
		p := m.cals[k].ApplyAll(c.Predict(X))
		for i, v := range p {
			out[i] += m.weights[k] * v
		}
	}
	return out
}

// Importance is the weighted average of the parts' importances.
func (m *blendModel) Importance() []float64 {
	var out []float64
	for k, c := range m.parts {
		imp := c.Importance()
		if out == nil {
			out = make([]float64, len(imp))
		}
		for j := range imp {
			if j < len(out) {
				out[j] += m.weights[k] * imp[j]
			}
		}
	}
	return normalize(out)
}

// Parts returns the blended classifiers, their calibrators and weights.
func (m *blendModel) Parts() ([]Classifier, []*Calibrator, []float64) {
	return m.parts, m.cals, m.weights
}

type blendJSON struct {
	Parts   []json.RawMessage `json:"parts"`
	Cals    []*Calibrator     `json:"calibrators"`
	Weights []float64         `json:"weights"`
}

func (m *blendModel) MarshalJSON() ([]byte, error) {
	b := blendJSON{Cals: m.cals, Weights: m.weights}
	parts, err := marshalParts(m.parts)
	if err != nil {
		return nil, err
	}
	b.Parts = parts
	return json.Marshal(b)
}

func (m *blendModel) UnmarshalJSON(data []byte) error {
	var b blendJSON
	if err := json.Unmarshal(data, &b); err != nil {
		return err
	}
	if len(b.Parts) == 0 || len(b.Cals) != len(b.Parts) || len(b.Weights) != len(b.Parts) {
		return fmt.Errorf("blend of %d parts, %d calibrators, %d weights", len(b.Parts), len(b.Cals), len(b.Weights))
	}
	parts, err := unmarshalParts(b.Parts)
	if err != nil {
		return err
	}
	m.parts = parts
	m.cals, m.weights = b.Cals, b.Weights
	return nil
}

// marshalParts writes each part of a composite model (blend, uplift) with its kind.
func marshalParts(parts []Classifier) ([]json.RawMessage, error) {
	out := make([]json.RawMessage, 0, len(parts))
	for _, c := range parts {
		raw, err := Marshal(c)
		if err != nil {
			return nil, err
		}
		out = append(out, raw)
	}
	return out, nil
}

// unmarshalParts reads the parts marshalParts wrote.
func unmarshalParts(raws []json.RawMessage) ([]Classifier, error) {
	out := make([]Classifier, 0, len(raws))
	for _, raw := range raws {
		c, err := Unmarshal(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
