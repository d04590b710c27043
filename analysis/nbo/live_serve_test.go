package nbo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

func parityN(t *testing.T) int {
	n := 25
	if s := os.Getenv("ACRM_PARITY_N"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		n = v
	}
	return n
}

func post(t *testing.T, url, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// TestServeSurfacesAgree: for random customers with random live facts (and sometimes a
// channel), acrm serve answers exactly what the in-process decision gives — the function
// acrm nbo --format json and the Offers screen call — ranking, scores, reasons and trace;
// and the slow path (View.ForProductWith and Encoder.Transform, every product scored)
// decides the same; without facts the live ranking is the batch's (acrm score --all).
// ACRM_PARITY_N sets the number of customers (25 in the suite; the 1,000 with
// ACRM_PARITY_N=1000), ACRM_PARITY_DB a scored workspace to run on (a copy: serve's index
// is built, nothing is written) instead of the package fixture.
func TestServeSurfacesAgree(t *testing.T) {
	ctx := context.Background()
	var ws *workspace.Workspace
	if p := os.Getenv("ACRM_PARITY_DB"); p != "" {
		w, err := workspace.Open(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		ws = w
	} else {
		ws = scoredWorkspace(t)
	}
	l, err := NewLive(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	served, err := NewLive(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := served.BuildIndex(ctx, nil); err != nil { // as acrm serve does
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewServer(served, "").Handler())
	defer srv.Close()
	slow, err := NewLive(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	slow.plans = nil
	if _, err := slow.BuildIndex(ctx, nil); err != nil { // l reads from the workspace, as acrm nbo does
		t.Fatal(err)
	}
	batch, err := NewLive(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	batch.Limit = 5 // the batch keeps 5 offers per customer
	n := parityN(t)
	rows, err := ws.QueryContext(ctx, `SELECT customer_id FROM customers ORDER BY hash(customer_id * 31) LIMIT ?`, n)
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
	if len(ids) < n {
		t.Fatalf("%d customers, want %d", len(ids), n)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	numeric := []string{"employees", "locations", "mobile_subs", "nps", "contract_end_months", "monthly_revenue"}
	withOffers, batchCompared := 0, 0
	for _, id := range ids {
		facts := map[string]any{}
		for _, f := range numeric {
			if rng.IntN(3) == 0 {
				facts[f] = rng.IntN(60)
			}
		}
		channel := ""
		if rng.IntN(4) == 0 {
			channel = l.Scoring.Channels[rng.IntN(len(l.Scoring.Channels))]
		}
		body, _ := json.Marshal(OffersRequest{Facts: facts, Channel: channel})
		code, got := post(t, fmt.Sprintf("%s/v1/customers/%d/offers", srv.URL, id), "", string(body))
		if code != http.StatusOK {
			t.Fatalf("customer %d: %d %s", id, code, got)
		}
		// In process, as acrm nbo and the screen do.
		c, err := l.Lookup(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		ff, err := factsOf(roundTrip(t, facts))
		if err != nil {
			t.Fatal(err)
		}
		d, err := l.Offers(c, ff, channel)
		if err != nil {
			t.Fatal(err)
		}
		var a, b LiveJSON
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(l.JSON(d))
		if err := json.Unmarshal(want, &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) || string(got) != string(want)+"\n" {
			t.Fatalf("customer %d facts %v channel %q:\nserve  %s\nnbo    %s", id, facts, channel, got, want)
		}
		sc, err := slow.Lookup(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := slow.Offers(sc, ff, channel)
		if err != nil {
			t.Fatal(err)
		}
		if js, _ := json.Marshal(slow.JSON(ds)); string(js) != string(want) {
			t.Fatalf("customer %d facts %v channel %q:\nby the plans %s\nslow path    %s", id, facts, channel, want, js)
		}
		if len(a.Offers) > 0 {
			withOffers++
		}
		// Without facts: the batch's ranking.
		if bo, scored := batchOffers(t, ws, id); scored {
			d0, err := batch.Offers(c, nil, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(bo) != len(d0.Offers) {
				t.Fatalf("customer %d: live %d offers, batch %d", id, len(d0.Offers), len(bo))
			}
			for i, o := range d0.Offers {
				if w := bo[i]; o.Rank != w.Rank || o.Product != w.Product || o.Channel != w.Channel || o.Model != w.Model || abs(o.P-w.P) > 1e-6 {
					t.Fatalf("customer %d offer %d: live %+v, batch %+v", id, i, o.Offer, w)
				}
			}
			batchCompared++
		}
	}
	if withOffers == 0 || batchCompared == 0 {
		t.Fatalf("%d customers with offers, %d compared with the batch: the comparison proves nothing", withOffers, batchCompared)
	}
	t.Logf("%d customers: serve = in-process for all (%d with offers); live = batch for %d", len(ids), withOffers, batchCompared)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func roundTrip(t *testing.T, m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

type batchOffer struct {
	Rank, Product int
	Channel       string
	P             float64
	Model         string
}

// batchOffers are the customer's offers in acrm_nbo_offers; scored reports whether the batch
// scored the customer at all.
func batchOffers(t *testing.T, ws *workspace.Workspace, id int64) ([]batchOffer, bool) {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM acrm_nbo_customers WHERE customer_id = ?`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	rows, err := ws.QueryContext(ctx, `SELECT rank, product_id, channel, p_accept, model_version FROM acrm_nbo_offers WHERE customer_id = ? ORDER BY rank`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []batchOffer
	for rows.Next() {
		var b batchOffer
		if err := rows.Scan(&b.Rank, &b.Product, &b.Channel, &b.P, &b.Model); err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out, n > 0
}
