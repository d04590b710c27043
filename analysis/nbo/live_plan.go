package nbo

import (
	"strings"

	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/model"
	"github.com/acrm-dev/acrm/analysis/profiles"
)

// productPlan is where each column of a product's frame comes from in the customer view's
// layout — View.ForProductWith worked out once, by position — and the product's encoder bound
// to that layout, so that a live decision looks up no column by name.
type productPlan struct {
	layout []planCol
	names  []string
	pos    map[string]int // lower-case column name → position in layout (live facts)
	own    int            // the view's own_p<id> column
	bound  *features.Bound
}

type planCol struct {
	view     int  // the view column it comes from
	minusOwn bool // the product's family count or n_products: less the product's own holding
	total    bool // a contact or opt-out total: recomputed without the product's contacts
}

// totalsCols are the columns of View.ProductTotalsSQL (besides the id), lower case.
func (l *Live) totalsCols() map[string]bool {
	m := map[string]bool{}
	for _, n := range []string{"ct12_in", "ct12_out", "n_accepted", "n_declined", "n_no_response", "contact_revenue",
		"days_since_contact", "days_since_outbound", "optout_all", "optout_n"} {
		m[n] = true
	}
	for _, ch := range l.View.Channels {
		m[strings.ToLower("ct12_"+features.Ident(ch))] = true
	}
	return m
}

// planProducts prepares every product's plan over the view's columns (viewCols, the view's
// layout); a product whose encoder does not bind keeps no plan and is decided the slow way.
func (l *Live) planProducts(viewCols []*features.Column) {
	l.viewNames = make([]string, len(viewCols))
	idx := map[string]int{}
	for i := len(viewCols) - 1; i >= 0; i-- {
		l.viewNames[i] = viewCols[i].Name
		idx[strings.ToLower(viewCols[i].Name)] = i
	}
	totals := l.totalsCols()
	l.plans = map[int]*productPlan{}
	for pid, m := range l.models {
		p, ok := l.View.Product(pid)
		if !ok {
			continue
		}
		own, ok := idx[strings.ToLower(features.OwnCol(pid))]
		if !ok {
			continue
		}
		drop := map[string]bool{strings.ToLower(features.OwnCol(pid)): true, strings.ToLower(features.AcceptedCol(pid)): true,
			strings.ToLower(features.DeclinedCol(pid)): true}
		pl := &productPlan{pos: map[string]int{}, own: own}
		for j, c := range viewCols {
			lc := strings.ToLower(c.Name)
			if drop[lc] {
				continue
			}
			pc := planCol{view: j}
			switch {
			case strings.EqualFold(c.Name, features.FamilyCol(p.Family)) || c.Name == "n_products":
				pc.minusOwn = true
			case totals[lc]:
				pc.total = true
			}
			if _, dup := pl.pos[lc]; !dup {
				pl.pos[lc] = len(pl.layout)
			}
			pl.layout = append(pl.layout, pc)
			pl.names = append(pl.names, c.Name)
		}
		b, err := m.Encoder.Bind(pl.names)
		if err != nil {
			continue
		}
		pl.bound = b
		l.plans[pid] = pl
	}
}

// sameLayout reports whether the one-row view frame f has the planned view layout.
func (l *Live) sameLayout(f *features.Frame) bool {
	if len(f.Cols) != len(l.viewNames) {
		return false
	}
	for i, c := range f.Cols {
		if c.Name != l.viewNames[i] {
			return false
		}
	}
	return true
}

// frame is View.ForProductWith(f, pid, totals) by the plan: the product's one-row frame.
func (pl *productPlan) frame(f, totals *features.Frame) *features.Frame {
	cols := make([]*features.Column, len(pl.layout))
	own := f.Cols[pl.own]
	for i, pc := range pl.layout {
		c := f.Cols[pc.view]
		switch {
		case pc.minusOwn:
			cols[i] = &features.Column{Name: c.Name, Type: c.Type, Numeric: true, Num: []float64{c.Num[0] - own.Num[0]}}
		case pc.total && totals != f:
			if t := totals.Col(c.Name); t != nil {
				c = t
			}
			cols[i] = c
		default:
			cols[i] = c
		}
	}
	return &features.Frame{IDName: f.IDName, IDs: f.IDs, Rows: 1, Cols: cols}
}

// score encodes the product frame pf with the facts applied and returns the model's
// calibrated score and the encoded row.
func (pl *productPlan) score(m *profiles.Stored, pf *features.Frame, facts []typedFact) (float64, *model.Matrix, error) {
	cols := pf.Cols
	if len(facts) > 0 {
		cols = append([]*features.Column(nil), cols...)
		for _, t := range facts {
			if j, ok := pl.pos[strings.ToLower(t.col)]; ok {
				cols[j] = factColumn(cols[j], t)
			}
		}
	}
	X := &model.Matrix{Rows: 1, Cols: pl.bound.Width(), Data: make([]float64, pl.bound.Width()), Names: m.Encoder.Names}
	if err := pl.bound.Encode(cols, 0, X.Data); err != nil {
		return 0, nil, err
	}
	return m.Calibrator.Apply(m.Classifier.Predict(X)[0]), X, nil
}
