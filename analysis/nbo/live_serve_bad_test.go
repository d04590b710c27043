package nbo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// written counts the rows a live outcome could add: contacts, opt-outs and acrm_nbo_outcomes.
func written(t *testing.T, ws *workspace.Workspace) string {
	t.Helper()
	ctx := context.Background()
	var out []string
	for _, tbl := range []string{"contacts", "optouts", "acrm_nbo_outcomes"} {
		ok, err := ws.HasTable(ctx, tbl)
		if err != nil {
			t.Fatal(err)
		}
		n := -1
		if ok {
			if err := ws.QueryRowContext(ctx, "SELECT count(*) FROM "+tbl).Scan(&n); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, fmt.Sprintf("%s %d", tbl, n))
	}
	return strings.Join(out, ", ")
}

func do(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
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
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return res.StatusCode, b.String()
}

// TestServeBadInput: every kind of bad request — unknown customer or product, a fact of the
// wrong type or an unknown field, malformed JSON, a body over 1 MB, a missing or wrong token —
// gets a clear 4xx naming what was wrong, and nothing is written (contacts, opt-outs and
// acrm_nbo_outcomes keep their row counts). Served from the index, as acrm serve does.
func TestServeBadInput(t *testing.T) {
	ws := scoredWorkspace(t)
	ctx := context.Background()
	l, err := NewLive(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.BuildIndex(ctx, nil); err != nil {
		t.Fatal(err)
	}
	var id int64
	var pid int
	if err := ws.QueryRowContext(ctx, `SELECT customer_id, product_id FROM acrm_nbo_offers ORDER BY customer_id LIMIT 1`).Scan(&id, &pid); err != nil {
		t.Fatal(err)
	}
	ch := l.Scoring.Channels[0]
	before := written(t, ws)
	big := `{"facts": {"employees": 1}, "channel": "` + strings.Repeat("x", MaxBodyBytes) + `"}`
	offers := fmt.Sprintf("/v1/customers/%d/offers", id)
	outcome := func(cust int64, prod int, channel, oc string) string {
		return fmt.Sprintf(`{"customer_id": %d, "product_id": %d, "channel": %q, "outcome": %q}`, cust, prod, channel, oc)
	}
	for _, token := range []string{"", "s3cret"} {
		srv := httptest.NewServer(NewServer(l, token).Handler())
		cases := []struct {
			method, path, token, body string
			code                      int
			want                      string
		}{
			{"GET", "/v1/customers/99999999/offers", token, "", 404, "customer 99999999"},
			{"GET", "/v1/customers/abc/offers", token, "", 400, `customer id "abc"`},
			{"POST", offers, token, `{"facts": {"nosuchfield": 1}}`, 400, "nosuchfield"},
			{"POST", offers, token, `{"facts": {"employees": "lots"}}`, 400, "employees"},
			{"POST", offers, token, `{"facts": {"employees": [1, 2]}}`, 400, "employees"},
			{"POST", offers, token, `{"facts": {"employees": 1}`, 400, "malformed JSON"},
			{"POST", offers, token, `{"fact": {"employees": 1}}`, 400, "fact"},
			{"POST", offers, token, ``, 400, "empty body"},
			{"POST", offers, token, `{"channel": "pigeon"}`, 400, "pigeon"},
			{"POST", offers, token, big, 413, "over 1048576 bytes"},
			{"POST", "/v1/outcomes", token, outcome(id, 999, ch, "accepted"), 400, "product_id 999"},
			{"POST", "/v1/outcomes", token, outcome(99999999, pid, ch, "accepted"), 404, "customer 99999999"},
			{"POST", "/v1/outcomes", token, outcome(id, pid, ch, "maybe"), 400, `outcome "maybe"`},
			{"POST", "/v1/outcomes", token, outcome(id, pid, "pigeon", "accepted"), 400, `channel "pigeon"`},
			{"POST", "/v1/outcomes", token, `{"customer_id": "one"}`, 400, "malformed JSON"},
			{"POST", "/v1/outcomes", token, fmt.Sprintf(`{"customer_id": %d, "product_id": %d, "channel": %q, "outcome": "accepted", "p_accept": 2}`, id, pid, ch), 400, "p_accept"},
			{"POST", "/v1/outcomes", token, big, 413, "over 1048576 bytes"},
		}
		if token != "" {
			cases = append(cases,
				struct {
					method, path, token, body string
					code                      int
					want                      string
				}{"GET", offers, "", "", 401, "bearer token"},
				struct {
					method, path, token, body string
					code                      int
					want                      string
				}{"GET", offers, "wrong", "", 401, "bearer token"},
				struct {
					method, path, token, body string
					code                      int
					want                      string
				}{"POST", "/v1/outcomes", "wrong", outcome(id, pid, ch, "accepted"), 401, "bearer token"})
		}
		for _, c := range cases {
			code, body := do(t, c.method, srv.URL+c.path, c.token, c.body)
			var e struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal([]byte(body), &e); err != nil || code != c.code || !strings.Contains(e.Error, c.want) {
				t.Errorf("%s %s (token %q) %.60s: %d %s, want %d naming %q", c.method, c.path, c.token, c.body, code, body, c.code, c.want)
			}
		}
		// The good requests still answer (the bad ones broke nothing); /healthz needs no token.
		if code, body := do(t, "GET", srv.URL+offers, token, ""); code != 200 {
			t.Errorf("GET %s with the right token: %d %s", offers, code, body)
		}
		if code, _ := do(t, "GET", srv.URL+"/healthz", "", ""); code != 200 {
			t.Errorf("/healthz: %d", code)
		}
		srv.Close()
	}
	if after := written(t, ws); after != before {
		t.Fatalf("bad requests wrote rows: before %s, after %s", before, after)
	}
}
