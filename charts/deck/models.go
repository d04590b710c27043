package deck

import (
	"context"
	"fmt"
	"sort"

	"github.com/acrm-dev/acrm/analysis/datamart"
	"github.com/acrm-dev/acrm/analysis/profiles"
)

// Model is a registered model with a readable product name.
type Model struct {
	profiles.Entry
	Product string // "Mobile data-only SIM" (or the model name for table models)
}

// Label is "Mobile data-only SIM · gbdt v3".
func (m Model) Label() string {
	return fmt.Sprintf("%s · %s v%d", m.Product, m.Algo, m.Version)
}

func (m Model) short() string { return fmt.Sprintf("%s v%d", m.Algo, m.Version) }

// Models lists the registry with product names.
func (s *Source) Models(ctx context.Context) ([]Model, error) {
	ok, err := s.WS.HasTable(ctx, "acrm_models")
	if err != nil || !ok {
		return nil, err
	}
	es, err := profiles.List(ctx, s.WS)
	if err != nil {
		return nil, err
	}
	names, err := datamart.ProductNames(ctx, s.WS)
	if err != nil {
		return nil, fmt.Errorf("deck: product names: %w", err)
	}
	out := make([]Model, 0, len(es))
	s.Unreadable = nil
	for _, e := range es {
		if e.Problem != "" {
			// One damaged row leaves that model out, not the whole deck.
			s.Unreadable = append(s.Unreadable, e.ModelID+": "+e.Problem)
			continue
		}
		m := Model{Entry: e, Product: e.Name}
		if n, ok := names[e.ProductID]; ok && e.ProductID != 0 {
			m.Product = n
		}
		out = append(out, m)
	}
	return out, nil
}

// Resolve finds a model by id (name@vN) or name (its best, else latest version).
func Resolve(models []Model, ref string) (Model, error) {
	var found *Model
	for i := range models {
		m := &models[i]
		if m.ModelID == ref {
			return *m, nil
		}
		if m.Name == ref && (found == nil || better(*m, *found)) {
			found = m
		}
	}
	if found == nil {
		return Model{}, noData("model %q is not in the registry (acrm models lists them)", ref)
	}
	return *found, nil
}

func better(a, b Model) bool {
	if a.IsBest != b.IsBest {
		return a.IsBest
	}
	return a.Version > b.Version
}

// Headline returns the best model of each product, strongest top-decile lift first.
func Headline(models []Model) []Model {
	best := map[string]Model{}
	for _, m := range models {
		if cur, ok := best[m.Name]; !ok || better(m, cur) {
			best[m.Name] = m
		}
	}
	out := make([]Model, 0, len(best))
	for _, m := range best {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Metrics.Lift != out[j].Metrics.Lift {
			return out[i].Metrics.Lift > out[j].Metrics.Lift
		}
		return out[i].ModelID < out[j].ModelID
	})
	return out
}

// Challenger is the strongest other version (by holdout AUC) of the same model name.
func Challenger(models []Model, m Model) (Model, bool) {
	var c Model
	ok := false
	for _, o := range models {
		if o.Name == m.Name && o.ModelID != m.ModelID && (!ok || o.Metrics.AUC > c.Metrics.AUC) {
			c, ok = o, true
		}
	}
	return c, ok
}
