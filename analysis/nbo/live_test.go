package nbo

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

// Live offers without facts are the batch's offers: same products, ranks, channels and P.
func TestLiveOffersMatchBatch(t *testing.T) {
	ws := scoredWorkspace(t)
	ctx := context.Background()
	l, err := NewLive(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	l.Limit = 5 // the batch keeps 5 per customer
	rows, err := ws.QueryContext(ctx, `SELECT customer_id FROM acrm_nbo_customers ORDER BY hash(customer_id) LIMIT 40`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	withOffers := 0
	for _, id := range ids {
		c, err := l.Lookup(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		d, err := l.Offers(c, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		type bo struct {
			rank, product int
			channel       string
			p             float64
			model         string
		}
		var want []bo
		r2, err := ws.QueryContext(ctx, `SELECT rank, product_id, channel, p_accept, model_version FROM acrm_nbo_offers WHERE customer_id = ? ORDER BY rank`, id)
		if err != nil {
			t.Fatal(err)
		}
		for r2.Next() {
			var b bo
			if err := r2.Scan(&b.rank, &b.product, &b.channel, &b.p, &b.model); err != nil {
				t.Fatal(err)
			}
			want = append(want, b)
		}
		r2.Close()
		if len(want) != len(d.Offers) {
			t.Fatalf("customer %d: live %d offers, batch %d (trace %v)", id, len(d.Offers), len(want), d.Trace)
		}
		for i, w := range want {
			o := d.Offers[i]
			if o.Rank != w.rank || o.Product != w.product || o.Channel != w.channel || o.Model != w.model || math.Abs(o.P-w.p) > 1e-6 {
				t.Fatalf("customer %d offer %d: live %+v, batch %+v", id, i, o.Candidate, w)
			}
			if o.Why == "" || (len(o.Reasons) > 0 && !strings.HasPrefix(o.Why, "pushed up by ")) {
				t.Errorf("customer %d: reason %q", id, o.Why)
			}
		}
		if len(want) > 0 {
			withOffers++
		}
	}
	if withOffers == 0 {
		t.Fatal("no sampled customer has an offer: the comparison proves nothing")
	}
}

func TestLiveFactsAreTypeCheckedAndMoveScores(t *testing.T) {
	ws := scoredWorkspace(t)
	ctx := context.Background()
	l, err := NewLive(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Lookup(ctx, 987654321); !errors.Is(err, ErrUnknownCustomer) || !strings.Contains(err.Error(), "987654321") {
		t.Errorf("unknown customer: %v", err)
	}
	var id int64
	if err := ws.QueryRowContext(ctx, `SELECT min(customer_id) FROM acrm_nbo_offers`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	c, err := l.Lookup(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var fe *FactError
	if _, err := l.Offers(c, []Fact{{"no_such_field", "1"}}, ""); !errors.As(err, &fe) || !strings.Contains(err.Error(), "no_such_field") {
		t.Errorf("unknown field: %v", err)
	}
	if _, err := l.Offers(c, []Fact{{"employees", "many"}}, ""); !errors.As(err, &fe) || !strings.Contains(err.Error(), "employees") {
		t.Errorf("wrong type: %v", err)
	}
	if _, err := l.Offers(c, nil, "pigeon"); err == nil || !strings.Contains(err.Error(), "pigeon") {
		t.Errorf("unknown channel: %v", err)
	}
	if _, err := ParseFact("employees"); err == nil {
		t.Error("a fact without = parsed")
	}
	// Some numeric fact moves some product's score: the live view really feeds the models.
	l.Limit = 10
	base, err := l.Offers(c, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	moved := false
	for _, f := range []string{"employees", "locations", "mobile_subs", "monthly_revenue", "nps", "contract_end_months"} {
		d, err := l.Offers(c, []Fact{{f, "100000"}}, "")
		if err != nil {
			t.Fatal(f, err)
		}
		if len(d.Offers) != len(base.Offers) {
			moved = true
			break
		}
		for i := range d.Offers {
			if d.Offers[i].Product != base.Offers[i].Product || d.Offers[i].Score != base.Offers[i].Score {
				moved = true
			}
		}
	}
	if !moved {
		t.Error("no live fact changed any score or ranking")
	}
	// The customer frame is not modified by facts.
	again, _ := l.Offers(c, nil, "")
	for i := range again.Offers {
		if again.Offers[i].Score != base.Offers[i].Score {
			t.Fatal("a live fact leaked into the customer's stored row")
		}
	}
}
