package nbo

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/datamart"
	"github.com/acrm-dev/acrm/analysis/features"
)

// TestLiveTotalsMatchSQL: the totals without a product that Lookup computes in memory from a
// customer's contacts and opt-outs are the view's ProductTotalsSQL row, column by column, for
// every customer of the fixture and every product with a model.
func TestLiveTotalsMatchSQL(t *testing.T) {
	ws := scoredWorkspace(t)
	ctx := context.Background()
	l, err := NewLive(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	view, err := features.Load(ctx, ws, features.LoadSpec{Query: l.View.SQL, ID: "customer_id"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	all, err := datamart.Contacts(ctx, ws, datamart.ContactFilter{})
	if err != nil {
		t.Fatal(err)
	}
	contacts := map[int64][]datamart.Contact{}
	for _, k := range all {
		contacts[k.CustomerID] = append(contacts[k.CustomerID], k)
	}
	oo, err := datamart.OptOuts(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	opts := map[int64][]datamart.OptOut{}
	for _, o := range oo {
		opts[o.CustomerID] = append(opts[o.CustomerID], o)
	}
	compared, differentFromView := 0, 0
	for pid := range l.models {
		tot, err := features.Load(ctx, ws, features.LoadSpec{Query: l.View.ProductTotalsSQL(pid), ID: "customer_id"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tot.Rows != view.Rows {
			t.Fatalf("product %d: %d total rows, view %d", pid, tot.Rows, view.Rows)
		}
		for r := 0; r < view.Rows; r++ {
			id, _ := strconv.ParseInt(view.IDs[r], 10, 64)
			one := view.Subset([]int{r})
			got := l.totalsWithout(one, contacts[id], opts[id], pid)
			if got != one {
				differentFromView++
			}
			for _, c := range tot.Cols {
				g := got.Col(c.Name)
				if g == nil {
					t.Fatalf("product %d customer %d: no column %s in memory", pid, id, c.Name)
				}
				want, have := c.Num[r], g.Num[0]
				if !(want == have || math.IsNaN(want) && math.IsNaN(have)) {
					t.Fatalf("product %d customer %d %s: in memory %v, SQL %v", pid, id, c.Name, have, want)
				}
				compared++
			}
		}
	}
	if compared == 0 || differentFromView == 0 {
		t.Fatalf("compared %d values, %d customer×product totals differ from the view's: the test checked nothing", compared, differentFromView)
	}
}

// TestLiveIndexEqualsWorkspace: a Lookup from the in-memory index decides exactly what a
// Lookup from the workspace decides — ranking, scores, reasons, trace, history — for random
// customers with random live facts, and an outcome recorded after the index was built counts
// at once (its customer is read from the workspace again).
func TestLiveIndexEqualsWorkspace(t *testing.T) {
	ctx := context.Background()
	ws, err := newScored(ctx, 1500)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	mem, err := NewLive(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	st, err := mem.BuildIndex(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Customers != 1500 || st.Contacts == 0 || st.Bytes == 0 {
		t.Fatalf("index stats %+v", st)
	}
	disk, err := NewLive(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if len(disk.plans) == 0 {
		t.Fatal("no product plan: every decision takes the slow path")
	}
	// The reference: no plans, so product frames by View.ForProductWith and Encoder.Transform.
	slow, err := NewLive(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	slow.plans = nil
	rng := rand.New(rand.NewPCG(3, 4))
	numeric := []string{"employees", "locations", "nps", "contract_end_months", "ct12_in", "days_since_contact", "n_products", "own_p7", "acc_p2"}
	withOffers := 0
	check := func(id int64, facts []Fact, channel string) {
		t.Helper()
		a, err := mem.Lookup(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		b, err := disk.Lookup(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a.History, b.History) || a.Segment != b.Segment {
			t.Fatalf("customer %d: history from memory %+v, from the workspace %+v", id, a.History, b.History)
		}
		da, err := mem.Offers(a, facts, channel)
		if err != nil {
			t.Fatal(err)
		}
		db, err := disk.Offers(b, facts, channel)
		if err != nil {
			t.Fatal(err)
		}
		ja, _ := json.Marshal(mem.JSON(da))
		jb, _ := json.Marshal(disk.JSON(db))
		if string(ja) != string(jb) {
			t.Fatalf("customer %d facts %v: from memory\n%s\nfrom the workspace\n%s", id, facts, ja, jb)
		}
		sc, err := slow.Lookup(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := slow.Offers(sc, facts, channel)
		if err != nil {
			t.Fatal(err)
		}
		if js, _ := json.Marshal(slow.JSON(ds)); string(js) != string(jb) {
			t.Fatalf("customer %d facts %v: by the plans\n%s\nby ForProductWith and Transform\n%s", id, facts, jb, js)
		}
		if len(da.Offers) > 0 {
			withOffers++
		}
	}
	for i := 0; i < 200; i++ {
		id := int64(1 + rng.IntN(1500))
		var facts []Fact
		for _, f := range numeric {
			if rng.IntN(3) == 0 {
				facts = append(facts, Fact{f, strconv.Itoa(rng.IntN(40))})
			}
		}
		channel := ""
		if rng.IntN(4) == 0 {
			channel = mem.Scoring.Channels[rng.IntN(len(mem.Scoring.Channels))]
		}
		check(id, facts, channel)
	}
	if withOffers < 50 {
		t.Fatalf("only %d of 200 decisions had offers", withOffers)
	}
	if _, err := mem.Lookup(ctx, 999999); err == nil {
		t.Fatal("unknown customer found in the index")
	}
	// An outcome through the indexed Live: the next lookup sees it (the cap counts it).
	var id int64
	var d *LiveDecision
	for id = 1; id < 1500; id++ {
		c, err := mem.Lookup(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if d, err = mem.Offers(c, nil, ""); err != nil {
			t.Fatal(err)
		}
		if len(d.Offers) > 0 {
			break
		}
	}
	o := d.Offers[0]
	if _, err := mem.Record(ctx, nil, LiveOutcome{Customer: id, Product: o.Product, Channel: o.Channel, Outcome: OutcomeDeclined}); err != nil {
		t.Fatal(err)
	}
	c, err := mem.Lookup(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := mem.Offers(c, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if d2.Usage.Total != d.Usage.Total+1 {
		t.Fatalf("after an outcome the customer has used %d offers, before %d", d2.Usage.Total, d.Usage.Total)
	}
	check(id, nil, "")
}

// TestLiveScoreCache: an indexed customer's fact-free scores are cached; a decision from the
// cache (ranking, scores, reasons, trace) is the one computed afresh, and an outcome makes
// the customer's next decision ignore the cache.
func TestLiveScoreCache(t *testing.T) {
	ws := scoredWorkspace(t)
	ctx := context.Background()
	mem, err := NewLive(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mem.BuildIndex(ctx, nil); err != nil {
		t.Fatal(err)
	}
	fresh, err := NewLive(ctx, ws) // no index: never caches
	if err != nil {
		t.Fatal(err)
	}
	decide := func(l *Live, id int64) string {
		t.Helper()
		c, err := l.Lookup(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		d, err := l.Offers(c, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		return string(l.AppendJSON(nil, d))
	}
	withOffers := 0
	for id := int64(1); id <= 60; id++ {
		first := decide(mem, id)
		if _, ok := mem.scoreCache.Load(id); !ok {
			t.Fatalf("customer %d: no cached scores after a fact-free decision", id)
		}
		if again, want := decide(mem, id), decide(fresh, id); again != first || again != want {
			t.Fatalf("customer %d: from the cache\n%s\nfirst\n%s\nwithout index\n%s", id, again, first, want)
		}
		if strings.Contains(first, `"rank":1`) {
			withOffers++
		}
	}
	if withOffers == 0 || mem.scoreCached.Load() != 60 {
		t.Fatalf("%d customers with offers, %d cached", withOffers, mem.scoreCached.Load())
	}
	// Poison a cached entry: a customer with an outcome since no longer reads it.
	v, _ := mem.scoreCache.Load(int64(5))
	bad := slices.Clone(v.([]float64))
	for k := range bad {
		bad[k] = 0.999
	}
	mem.scoreCache.Store(int64(5), bad)
	if decide(mem, 5) == decide(fresh, 5) {
		t.Fatal("the poisoned cache entry was not read: the test proves nothing")
	}
	mem.touch(5)
	if got, want := decide(mem, 5), decide(fresh, 5); got != want {
		t.Fatalf("after an outcome the cache is still read:\n%s\nwant\n%s", got, want)
	}
}
