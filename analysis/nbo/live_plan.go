package nbo

import (
	"math"
	"strings"
	"sync"

	"github.com/acrm-dev/acrm/analysis/features"
)

// productPlan is View.ForProductWith worked out once, by position in the customer view's
// layout: the product's encoder bound to the view's columns (the product's own, accepted
// and declined columns, which its frame drops, are columns the encoder never reads), and
// the few positions whose value differs in the product's frame — the family count and
// n_products less the product's own holding, the contact and opt-out totals without the
// product's contacts. A live decision then encodes the customer's view row directly, with
// those few values swapped in, and looks up no column by name.
type productPlan struct {
	bound    *features.Bound
	own      int   // the view's own_p<id> column
	minusOwn []int // the family count and n_products: less the product's own holding
	width    int   // encoded values
	offset   int   // where the product's encoded row starts in a scratch buffer
}

// totalNames are the columns of View.ProductTotalsSQL (besides the id), lower case.
func (l *Live) totalNames() []string {
	names := []string{"ct12_in", "ct12_out", "n_accepted", "n_declined", "n_no_response", "contact_revenue",
		"days_since_contact", "days_since_outbound", "optout_all", "optout_n"}
	for _, ch := range l.View.Channels {
		names = append(names, strings.ToLower("ct12_"+features.Ident(ch)))
	}
	return names
}

// planProducts prepares every product's plan over the view's columns (viewCols, the view's
// layout); a product whose encoder does not bind keeps no plan and is decided the slow way
// (View.ForProductWith and Encoder.Transform).
func (l *Live) planProducts(viewCols []*features.Column) {
	l.viewNames = make([]string, len(viewCols))
	l.viewPos = map[string]int{}
	for i := len(viewCols) - 1; i >= 0; i-- { // the first of equal names wins, as in Frame.Col
		l.viewNames[i] = viewCols[i].Name
		l.viewPos[strings.ToLower(viewCols[i].Name)] = i
	}
	l.totalPos = l.totalPos[:0]
	for _, n := range l.totalNames() {
		j, ok := l.viewPos[n]
		if !ok {
			j = -1
		}
		l.totalPos = append(l.totalPos, j)
	}
	l.plans = map[int]*productPlan{}
	offset := 0
	for _, p := range l.Scoring.Products.List {
		m, ok := l.models[p.ID]
		if !ok {
			continue
		}
		vp, ok := l.View.Product(p.ID)
		if !ok {
			continue
		}
		own, ok := l.viewPos[strings.ToLower(features.OwnCol(p.ID))]
		if !ok {
			continue
		}
		b, err := m.Encoder.Bind(l.viewNames)
		if err != nil {
			continue
		}
		pl := &productPlan{bound: b, own: own, width: b.Width(), offset: offset}
		for j, c := range viewCols {
			if l.viewPos[strings.ToLower(c.Name)] != j {
				continue // a later column of an equal name: never read
			}
			if (strings.EqualFold(c.Name, features.FamilyCol(vp.Family)) || c.Name == "n_products") && c.Numeric {
				pl.minusOwn = append(pl.minusOwn, j)
			}
		}
		offset += pl.width
		l.plans[p.ID] = pl
	}
	l.scratchWidth = offset
	l.scratch = sync.Pool{New: func() any { return l.newScratch() }}
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

// liveScratch is one decision's working memory, reused through a pool so that a decision
// allocates little: the columns the encoders read (the view's, with the live facts and one
// product's own values swapped in), the encoded rows of every product, the candidates.
type liveScratch struct {
	cols    []*features.Column // the view's columns with the facts: what every product starts from
	work    []*features.Column // cols with one product's values swapped in
	isFact  []bool             // view position holds a live fact
	facts   []features.Column  // the facts' one-row columns
	fnum    []float64
	fnull   []bool
	fstr    []string
	swap    []features.Column // one product's swapped-in columns
	snum    []float64
	totals  []float64 // the totals without one product (Live.totalNames order)
	X       []float64 // every planned product's encoded row (productPlan.offset)
	raw     []float64 // per product: the calibrated model score (NaN: not scored)
	encoded []bool    // per product: its row is in X
	cands   []Candidate
}

func (l *Live) newScratch() *liveScratch {
	n := len(l.viewNames)
	k := len(l.Scoring.Products.List)
	return &liveScratch{cols: make([]*features.Column, n), work: make([]*features.Column, n), isFact: make([]bool, n),
		swap: make([]features.Column, n), snum: make([]float64, n), totals: make([]float64, len(l.totalPos)),
		X: make([]float64, l.scratchWidth), raw: make([]float64, k), encoded: make([]bool, k), cands: make([]Candidate, 0, 4*k)}
}

// setFacts fills s.cols with the view row f and the facts applied (f has the planned layout).
func (s *liveScratch) setFacts(l *Live, f *features.Frame, facts []typedFact) {
	copy(s.cols, f.Cols)
	for i := range s.isFact {
		s.isFact[i] = false
	}
	n := len(facts)
	if cap(s.facts) < n {
		s.facts, s.fnum, s.fnull, s.fstr = make([]features.Column, n), make([]float64, n), make([]bool, n), make([]string, n)
	}
	s.facts, s.fnum, s.fnull, s.fstr = s.facts[:n], s.fnum[:n], s.fnull[:n], s.fstr[:n]
	for i, t := range facts {
		j, ok := l.viewPos[strings.ToLower(t.col)]
		if !ok {
			continue
		}
		c := f.Cols[j]
		nc := &s.facts[i]
		*nc = features.Column{Name: c.Name, Type: c.Type, Numeric: c.Numeric}
		s.fnull[i] = t.null
		nc.Null = s.fnull[i : i+1 : i+1]
		if c.Numeric {
			s.fnum[i] = t.v
			if t.null {
				s.fnum[i] = math.NaN()
			}
			nc.Num = s.fnum[i : i+1 : i+1]
		} else {
			s.fstr[i] = t.s
			nc.Str = s.fstr[i : i+1 : i+1]
		}
		s.cols[j] = nc
		s.isFact[j] = true
	}
}

// productCols returns s.work: s.cols with product pl's own values swapped in (the family
// count and n_products less its own holding, the totals without its contacts (s.totals)
// when touched; a live fact keeps its value). base is the view row without facts.
func (s *liveScratch) productCols(l *Live, pl *productPlan, base *features.Frame, touched bool) []*features.Column {
	copy(s.work, s.cols)
	own := base.Cols[pl.own].Num[0]
	for _, j := range pl.minusOwn {
		if s.isFact[j] {
			continue
		}
		c := base.Cols[j]
		s.snum[j] = c.Num[0] - own
		s.swap[j] = features.Column{Name: c.Name, Type: c.Type, Numeric: true, Num: s.snum[j : j+1 : j+1]}
		s.work[j] = &s.swap[j]
	}
	if touched {
		for t, j := range l.totalPos {
			if j < 0 || s.isFact[j] {
				continue
			}
			c := base.Cols[j]
			s.snum[j] = s.totals[t]
			s.swap[j] = features.Column{Name: c.Name, Type: c.Type, Numeric: true, Num: s.snum[j : j+1 : j+1]}
			s.work[j] = &s.swap[j]
		}
	}
	return s.work
}
