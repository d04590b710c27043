package model

import (
	"encoding/json"
	"fmt"
)

// formatVersion is bumped when the serialized form changes incompatibly.
const formatVersion = 1

type envelope struct {
	Format  string          `json:"format"`
	Version int             `json:"version"`
	Algo    Algo            `json:"algo"`
	Model   json.RawMessage `json:"model"`
}

// Marshal encodes a classifier as JSON tagged with its algorithm and a format version:
//
//	{"format":"acrm-model","version":1,"algo":"gbdt","model":{...}}
func Marshal(c Classifier) ([]byte, error) {
	var body any
	switch m := c.(type) {
	case *logitModel:
		body = m
	case *treeModel:
		body = m
	case *gbdtModel:
		body = m
	case *blendModel:
		body = m
	case *upliftModel:
		body = m
	default:
		return nil, fmt.Errorf("model: cannot marshal %T", c)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("model: marshal %s: %w", c.Algo(), err)
	}
	return json.Marshal(envelope{Format: "acrm-model", Version: formatVersion, Algo: c.Algo(), Model: b})
}

// Unmarshal decodes what Marshal wrote.
func Unmarshal(b []byte) (Classifier, error) {
	var e envelope
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("model: unmarshal: %w", err)
	}
	if e.Format != "acrm-model" {
		return nil, fmt.Errorf("model: unmarshal: format %q, want acrm-model", e.Format)
	}
	if e.Version != formatVersion {
		return nil, fmt.Errorf("model: unmarshal: format version %d, this build reads %d", e.Version, formatVersion)
	}
	var (
		c   Classifier
		err error
	)
	switch e.Algo {
	case Logit:
		m := &logitModel{}
		err = json.Unmarshal(e.Model, m)
		if err == nil && (len(m.Coef) != len(m.SD) || len(m.Coef) != len(m.Mean)) {
			err = fmt.Errorf("%d coefficients, %d sd, %d means", len(m.Coef), len(m.SD), len(m.Mean))
		}
		c = m
	case Tree:
		m := &treeModel{}
		err = json.Unmarshal(e.Model, m)
		if err == nil {
			err = m.T.check(len(m.Gain))
		}
		c = m
	case GBDT:
		m := &gbdtModel{}
		err = json.Unmarshal(e.Model, m)
		if err == nil {
			for k := range m.Trees {
				if err = m.Trees[k].check(len(m.Gain)); err != nil {
					break
				}
			}
		}
		c = m
	case Blend:
		m := &blendModel{}
		err = json.Unmarshal(e.Model, m)
		c = m
	case Uplift:
		m := &upliftModel{}
		err = json.Unmarshal(e.Model, m)
		c = m
	default:
		return nil, fmt.Errorf("model: unmarshal: %q: %w", e.Algo, ErrAlgo)
	}
	if err != nil {
		return nil, fmt.Errorf("model: unmarshal %s: %w", e.Algo, err)
	}
	return c, nil
}
