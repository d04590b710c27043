// Package nbo is the next-best-offer layer: the total model over every product's kept
// propensity model, the business rules file, batch scoring of the whole base, campaign
// selection and the budget plan across the portfolio.
//
// Every rule decision goes through one pure function (Decide) that returns the offers kept
// and a trace of every offer removed or demoted and why, so the batch, the selection, the plan
// and a live contact explain themselves the same way.
package nbo

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/datamart"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Progress reports how far a long computation is.
type Progress struct {
	Done, Total int64
	Stage       string
}

// Product is a product with its economics (the products table, with rules overrides).
type Product struct {
	ID        int
	Code      string
	Name      string
	Objective string
	Margin    float64
	Cost      map[string]float64 // cost of one contact per channel
	ChurnRisk float64            // retention products: share of the margin at risk (1 = all)
}

// Products is the catalogue in product_id order.
type Products struct {
	List []Product
	byID map[int]int
}

// Get returns the product with id.
func (p *Products) Get(id int) (*Product, bool) {
	i, ok := p.byID[id]
	if !ok {
		return nil, false
	}
	return &p.List[i], true
}

// Index is the position of product id in List, or -1.
func (p *Products) Index(id int) int {
	if i, ok := p.byID[id]; ok {
		return i
	}
	return -1
}

// ReadProducts reads the products with their economics (datamart.Products).
func ReadProducts(ctx context.Context, ws *workspace.Workspace) (*Products, error) {
	list, err := datamart.Products(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("nbo: %w", err)
	}
	out := &Products{byID: map[int]int{}}
	for _, d := range list {
		p := Product{ID: d.ID, Code: d.Code, Name: d.Name, Objective: d.Objective, Margin: d.Margin,
			Cost: map[string]float64{}, ChurnRisk: 1}
		if p.Objective == "" {
			p.Objective = ObjCrossSell
		}
		for ch, c := range d.ChannelCost {
			if isOutbound(ch) {
				p.Cost[ch] = c
			}
		}
		out.byID[p.ID] = len(out.List)
		out.List = append(out.List, p)
	}
	return out, nil
}

// withRules applies the rules' margin, churn-risk and channel-cost overrides.
func (p *Products) withRules(r *Rules) *Products {
	out := &Products{byID: p.byID, List: make([]Product, len(p.List))}
	for i, q := range p.List {
		q.Cost = map[string]float64{}
		for ch, c := range p.List[i].Cost {
			q.Cost[ch] = c
		}
		if o, ok := r.product(q.ID); ok {
			if o.Margin > 0 {
				q.Margin = o.Margin
			}
			if o.ChurnRisk > 0 {
				q.ChurnRisk = o.ChurnRisk
			}
		}
		for ch, c := range r.Channels {
			if c.Cost > 0 {
				q.Cost[ch] = c.Cost
			}
		}
		out.List[i] = q
	}
	return out
}

// Snapshot is the date the workspace describes: acrm_meta snapshot_date, else the date of
// the latest contact, else today. Offers are decided as of the day after.
func Snapshot(ctx context.Context, ws *workspace.Workspace) (time.Time, error) {
	var s string
	q := `SELECT CAST(coalesce((SELECT max(try_cast(value AS DATE)) FROM acrm_meta WHERE key = 'snapshot_date'),
		(SELECT max(ts)::DATE FROM contacts), current_date) AS VARCHAR)`
	if ok, _ := ws.HasTable(ctx, "contacts"); !ok {
		q = `SELECT CAST(coalesce((SELECT max(try_cast(value AS DATE)) FROM acrm_meta WHERE key = 'snapshot_date'), current_date) AS VARCHAR)`
	}
	if err := ws.QueryRowContext(ctx, q).Scan(&s); err != nil {
		return time.Time{}, fmt.Errorf("nbo: snapshot date: %w", err)
	}
	t, err := time.Parse(time.DateOnly, s[:min(10, len(s))])
	if err != nil {
		return time.Time{}, fmt.Errorf("nbo: snapshot date %q: %w", s, err)
	}
	return t, nil
}

// tagOf returns the toml key of the Go field name of struct value v, or "".
func tagOf(v any, goName string) string {
	t := reflect.TypeOf(v)
	f, ok := t.FieldByName(goName)
	if !ok {
		return ""
	}
	tag := f.Tag.Get("toml")
	if i := strings.IndexByte(tag, ','); i >= 0 {
		tag = tag[:i]
	}
	return tag
}
