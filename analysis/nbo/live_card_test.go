package nbo

import (
	"context"
	"testing"
)

// TestCardShowsMissingAsDash: a value missing in the customer's data (nps unanswered) shows
// as "—" on the card, never as NaN.
func TestCardShowsMissingAsDash(t *testing.T) {
	ws := scoredWorkspace(t)
	ctx := context.Background()
	l, err := NewLive(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := ws.QueryRowContext(ctx, `SELECT min(customer_id) FROM customers WHERE nps IS NULL`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	c, err := l.Lookup(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	card, err := l.Card(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range card.Attrs {
		if a[1] == "NaN" {
			t.Errorf("customer %d: %s shows NaN", id, a[0])
		}
		if a[0] == "nps" {
			found = true
			if a[1] != "—" {
				t.Errorf("customer %d: nps = %q, want — (missing)", id, a[1])
			}
		}
	}
	if !found {
		t.Errorf("customer %d: no nps on the card: %v", id, card.Attrs)
	}
}
