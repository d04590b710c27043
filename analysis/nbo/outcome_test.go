package nbo

import (
	"context"
	"errors"
	"testing"
)

func hasStep(d *LiveDecision, product int, rule string) bool {
	for _, s := range d.Trace {
		if (product == 0 || s.Product == product) && s.Rule == rule {
			return true
		}
	}
	return false
}

// A recorded decline puts the product in cool-down at once (in memory and for a fresh lookup),
// outcomes fill the cap, an opt-out removes every offer, undo takes each back, bad outcomes
// write nothing.
func TestLiveOutcomesTakeEffectAndUndo(t *testing.T) {
	ctx := context.Background()
	ws, err := newScored(ctx, 2000)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	l, err := NewLive(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	l.Limit = 10
	count := func(q string) int {
		t.Helper()
		var n int
		if err := ws.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// A customer with an offer and nothing used of the cap.
	var id int64
	var c *Customer
	var d *LiveDecision
	rows, err := ws.QueryContext(ctx, `SELECT DISTINCT customer_id FROM acrm_nbo_offers ORDER BY 1 LIMIT 50`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id = range ids {
		if c, err = l.Lookup(ctx, id); err != nil {
			t.Fatal(err)
		}
		if d, err = l.Offers(c, nil, ""); err != nil {
			t.Fatal(err)
		}
		if len(d.Offers) > 0 && d.Usage.Total == 0 {
			break
		}
	}
	if d == nil || len(d.Offers) == 0 || d.Usage.Total != 0 {
		t.Fatal("no customer with an offer and an unused cap")
	}
	contacts := count(`SELECT count(*) FROM contacts`)
	top := d.Offers[0]
	if hasStep(d, top.Product, RuleCoolDown) {
		t.Fatal("the top offer is in cool-down before any outcome")
	}
	// Bad outcomes write nothing.
	for _, bad := range []LiveOutcome{
		{Customer: id, Product: top.Product, Channel: top.Channel, Outcome: "maybe"},
		{Customer: id, Product: 999, Channel: top.Channel, Outcome: OutcomeDeclined},
		{Customer: id, Product: top.Product, Channel: "pigeon", Outcome: OutcomeDeclined},
		{Customer: 987654321, Product: top.Product, Channel: top.Channel, Outcome: OutcomeDeclined},
	} {
		if _, err := l.Record(ctx, nil, bad); err == nil {
			t.Errorf("outcome %+v recorded", bad)
		}
	}
	if n := count(`SELECT count(*) FROM contacts`); n != contacts {
		t.Fatalf("bad outcomes wrote %d contacts", n-contacts)
	}
	// Decline → cool-down.
	r, err := l.Record(ctx, c, LiveOutcome{Customer: id, Product: top.Product, Channel: top.Channel, Outcome: OutcomeDeclined, P: top.P, Model: top.Model})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT count(*) FROM contacts`); n != contacts+1 {
		t.Fatalf("decline wrote %d contacts", n-contacts)
	}
	if n := count(`SELECT count(*) FROM acrm_nbo_outcomes o JOIN contacts k USING (contact_id) WHERE k.outcome = 'declined' AND o.model_version <> '' AND o.p_accept > 0`); n != 1 {
		t.Fatalf("%d outcome rows with score and model", n)
	}
	d2, _ := l.Offers(c, nil, "")
	fresh, err := l.Lookup(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	d3, _ := l.Offers(fresh, nil, "")
	for _, x := range []*LiveDecision{d2, d3} {
		if !hasStep(x, top.Product, RuleCoolDown) {
			t.Fatalf("after a decline product %d is not in cool-down: %v", top.Product, x.Trace)
		}
		if x.Usage.Total != 1 {
			t.Fatalf("after one offer the usage is %d", x.Usage.Total)
		}
	}
	// Undo → no cool-down.
	u, err := l.Undo(ctx, c)
	if err != nil || u.ContactID != r.ContactID {
		t.Fatalf("undo %+v, %v (recorded %d)", u, err, r.ContactID)
	}
	fresh, _ = l.Lookup(ctx, id)
	for _, cc := range []*Customer{c, fresh} {
		x, _ := l.Offers(cc, nil, "")
		if hasStep(x, top.Product, RuleCoolDown) || x.Usage.Total != 0 {
			t.Fatalf("after undo: usage %d, trace %v", x.Usage.Total, x.Trace)
		}
	}
	// "Later" outcomes fill the cap: then every offer is removed by it.
	for i := 0; i < d.Usage.Cap; i++ {
		x, _ := l.Offers(c, nil, "")
		if len(x.Offers) == 0 {
			t.Fatalf("no offer left after %d outcomes (cap %d): %v", i, d.Usage.Cap, x.Trace)
		}
		o := x.Offers[0]
		if _, err := l.Record(ctx, c, LiveOutcome{Customer: id, Product: o.Product, Channel: o.Channel, Outcome: OutcomeLater, P: o.P, Model: o.Model}); err != nil {
			t.Fatal(err)
		}
	}
	x, _ := l.Offers(c, nil, "")
	if len(x.Offers) != 0 || !hasStep(x, 0, RuleCap) {
		t.Fatalf("cap %d reached but offers %v, trace %v", d.Usage.Cap, x.Offers, x.Trace)
	}
	for i := 0; i < d.Usage.Cap; i++ {
		if _, err := l.Undo(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	// An opt-out of everything: no offer, every candidate removed by the opt-out; undo restores.
	optouts := count(`SELECT count(*) FROM optouts`)
	if _, err := l.Record(ctx, c, LiveOutcome{Customer: id, Product: top.Product, Channel: top.Channel, Outcome: OutcomeOptOut}); err != nil {
		t.Fatal(err)
	}
	fresh, _ = l.Lookup(ctx, id)
	x, _ = l.Offers(fresh, nil, "")
	if len(x.Offers) != 0 || !hasStep(x, top.Product, RuleOptOut) || count(`SELECT count(*) FROM optouts`) != optouts+1 {
		t.Fatalf("after an opt-out: offers %v, trace %v", x.Offers, x.Trace)
	}
	if _, err := l.Undo(ctx, c); err != nil {
		t.Fatal(err)
	}
	if count(`SELECT count(*) FROM optouts`) != optouts || count(`SELECT count(*) FROM contacts`) != contacts {
		t.Fatal("undo left rows behind")
	}
	if _, err := l.Undo(ctx, c); !errors.Is(err, ErrNothingToUndo) {
		t.Fatalf("undo with nothing recorded: %v", err)
	}
}
