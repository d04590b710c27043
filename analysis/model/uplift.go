package model

import (
	"encoding/json"
	"fmt"
)

// Uplift is the algorithm name of an uplift model (see NewUplift): its Predict is the
// estimated effect of a treatment (an offer) on the chance of class 1, in [−1, 1].
const Uplift Algo = "uplift"

// The uplift methods.
const (
	// TwoModel fits one classifier on the treated rows and one on the control rows; the
	// uplift is P(y=1 | x, treated) − P(y=1 | x, control).
	TwoModel = "two-model"
	// ClassTransformation fits one classifier of z = y for treated rows and 1 − y for control
	// rows, on rows weighted so that treated and control count equally; then
	// P(z=1 | x) = (1 + uplift(x)) / 2, so the uplift is 2·P(z=1 | x) − 1.
	ClassTransformation = "class-transformation"
)

// upliftModel is an uplift model: two parts (treated, control) for TwoModel, one (the z
// classifier) for ClassTransformation.
type upliftModel struct {
	method string
	parts  []Classifier
}

// NewUplift returns an uplift model: NewUplift(TwoModel, treated, control) or
// NewUplift(ClassTransformation, z).
func NewUplift(method string, parts ...Classifier) (Classifier, error) {
	want := map[string]int{TwoModel: 2, ClassTransformation: 1}[method]
	if want == 0 {
		return nil, fmt.Errorf("model: uplift method %q (want %s or %s)", method, TwoModel, ClassTransformation)
	}
	if len(parts) != want {
		return nil, fmt.Errorf("model: uplift %s needs %d classifiers, got %d: %w", method, want, len(parts), ErrLength)
	}
	for k, p := range parts {
		if p == nil {
			return nil, fmt.Errorf("model: uplift part %d is missing: %w", k, ErrLength)
		}
	}
	return &upliftModel{method: method, parts: parts}, nil
}

func (m *upliftModel) Algo() Algo { return Uplift }

// Method is TwoModel or ClassTransformation.
func (m *upliftModel) Method() string { return m.method }

// Predict returns the estimated uplift of every row, in [−1, 1].
func (m *upliftModel) Predict(X *Matrix) []float64 {
	if m.method == ClassTransformation {
		p := m.parts[0].Predict(X)
		for i := range p {
			p[i] = 2*p[i] - 1
		}
		return p
	}
	t, c := m.parts[0].Predict(X), m.parts[1].Predict(X)
	for i := range t {
		t[i] -= c[i]
	}
	return t
}

// Importance is the mean of the parts' importances.
func (m *upliftModel) Importance() []float64 {
	var out []float64
	for _, c := range m.parts {
		imp := c.Importance()
		if out == nil {
			out = make([]float64, len(imp))
		}
		for j := range imp {
			if j < len(out) {
				out[j] += imp[j]
			}
		}
	}
	return normalize(out)
}

type upliftJSON struct {
	Method string            `json:"method"`
	Parts  []json.RawMessage `json:"parts"`
}

func (m *upliftModel) MarshalJSON() ([]byte, error) {
	b := upliftJSON{Method: m.method}
	parts, err := marshalParts(m.parts)
	if err != nil {
		return nil, err
	}
	b.Parts = parts
	return json.Marshal(b)
}

func (m *upliftModel) UnmarshalJSON(data []byte) error {
	var b upliftJSON
	if err := json.Unmarshal(data, &b); err != nil {
		return err
	}
	parts, err := unmarshalParts(b.Parts)
	if err != nil {
		return err
	}
	u, err := NewUplift(b.Method, parts...)
	if err != nil {
		return err
	}
	*m = *u.(*upliftModel)
	return nil
}
