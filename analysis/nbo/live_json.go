package nbo

// LiveJSON is one customer's live decision as acrm nbo --format json and acrm serve write it:
// one shape for every surface, so the CLI, the service and the screen agree field by field.
type LiveJSON struct {
	Customer int64             `json:"customer_id"`
	AsOf     string            `json:"as_of"`
	Segment  string            `json:"value_segment"`
	Facts    map[string]string `json:"facts"`
	Used     int               `json:"offers_used"`
	Cap      int               `json:"cap"`
	Offers   []LiveJSONOffer   `json:"offers"`
	Trace    []LiveJSONStep    `json:"trace"`
}

// LiveJSONOffer is one ranked offer of a LiveJSON.
type LiveJSONOffer struct {
	Rank    int      `json:"rank"`
	Product int      `json:"product_id"`
	Name    string   `json:"product"`
	Channel string   `json:"channel"`
	P       float64  `json:"p_accept"`
	Value   float64  `json:"expected_value"`
	Score   float64  `json:"score"`
	Model   string   `json:"model_version"`
	Why     string   `json:"why"`
	Reasons []Reason `json:"reasons"`
}

// LiveJSONStep is one step of the decision trace.
type LiveJSONStep struct {
	Product int    `json:"product_id"`
	Channel string `json:"channel"`
	Rule    string `json:"rule"`
	Detail  string `json:"detail"`
}

// ProductName is the product's name ("" for an unknown id).
func (l *Live) ProductName(id int) string {
	if p, ok := l.Scoring.Products.Get(id); ok {
		return p.Name
	}
	return ""
}

// JSON is d in the shape every surface writes.
func (l *Live) JSON(d *LiveDecision) LiveJSON {
	out := LiveJSON{Customer: d.Customer, AsOf: d.At.Format("2006-01-02"), Segment: d.Segment, Facts: map[string]string{},
		Used: d.Usage.Total, Cap: d.Usage.Cap, Offers: []LiveJSONOffer{}, Trace: []LiveJSONStep{}}
	for _, f := range d.Facts {
		out.Facts[f.Field] = f.Value
	}
	for _, o := range d.Offers {
		rs := o.Reasons
		if rs == nil {
			rs = []Reason{}
		}
		out.Offers = append(out.Offers, LiveJSONOffer{Rank: o.Rank, Product: o.Product, Name: l.ProductName(o.Product), Channel: o.Channel,
			P: o.P, Value: o.Value, Score: o.Score, Model: o.Model, Why: o.Why, Reasons: rs})
	}
	for _, s := range d.Trace {
		out.Trace = append(out.Trace, LiveJSONStep(s))
	}
	return out
}
