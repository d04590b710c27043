package nbo

import "testing"

// TestGreedyFullChannelFallsBackToNextOffer: when a channel's capacity is used up, a customer
// whose best offer goes through it is offered its next offers on other channels rather than
// dropped from the plan; without a fallback the customer stays empty.
func TestGreedyFullChannelFallsBackToNextOffer(t *testing.T) {
	build := func() [][]option {
		phone := []option{{}, {k: 1, cost: 1, val: 10, byChannel: map[string]int{"phone": 1}}}
		return [][]option{phone, append([]option(nil), phone...)}
	}
	capacity := map[string]int{"phone": 1}
	var calls int
	reopt := func(cust, from int, full map[string]bool) []option {
		calls++
		if cust != 1 || from != 0 || !full["phone"] || full["mail"] {
			t.Errorf("reopt(%d, %d, %v): want customer 1 from option 0 with phone full", cust, from, full)
		}
		return []option{{}, {k: 1, cost: 1, val: 4, byChannel: map[string]int{"mail": 1}}}
	}
	opts := build()
	choice, lp := solveGreedy(opts, 100, capacity, reopt)
	if calls != 1 {
		t.Fatalf("reopt called %d times, want 1", calls)
	}
	if choice[0] != 1 || opts[0][choice[0]].byChannel["phone"] != 1 {
		t.Errorf("customer 0: choice %d, want its phone offer", choice[0])
	}
	if choice[1] != 1 || opts[1][choice[1]].byChannel["mail"] != 1 {
		t.Errorf("customer 1: choice %d (%v), want the mail offer after phone filled up", choice[1], opts[1][choice[1]].byChannel)
	}
	if lp != 20 {
		t.Errorf("LP bound without capacities = %v, want 20", lp)
	}

	opts = build()
	choice, _ = solveGreedy(opts, 100, capacity, nil)
	if choice[0] != 1 || choice[1] != 0 {
		t.Errorf("without a fallback: choices %v, want [1 0]", choice)
	}

	// The budget still binds: room for one contact only.
	opts = build()
	choice, _ = solveGreedy(opts, 1, capacity, reopt)
	if choice[0]+choice[1] != 1 {
		t.Errorf("budget 1: choices %v, want exactly one contact", choice)
	}
}
