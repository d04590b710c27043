package nbo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"sync"
	"testing"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

var (
	fuzzSrvOnce sync.Once
	fuzzSrv     http.Handler
	fuzzSrvWS   *workspace.Workspace
	fuzzSrvErr  error
)

// fuzzServer is acrm serve's handler over a scored workspace of its own (accepted outcomes
// write to it, so it is not the package's shared fixture), built once per fuzzing process.
func fuzzServer(t testing.TB) (http.Handler, *workspace.Workspace) {
	fuzzSrvOnce.Do(func() {
		ctx := context.Background()
		fuzzSrvWS, fuzzSrvErr = newScored(ctx, 1500)
		if fuzzSrvErr != nil {
			return
		}
		l, err := NewLive(ctx, fuzzSrvWS)
		if err != nil {
			fuzzSrvErr = err
			return
		}
		fuzzSrv = NewServer(l, "").Handler()
	})
	if fuzzSrvErr != nil {
		t.Fatal(fuzzSrvErr)
	}
	return fuzzSrv, fuzzSrvWS
}

// FuzzServeBodies sends arbitrary request bodies, customer ids and channels to acrm serve's
// two routes that read input (POST /v1/customers/{id}/offers, GET with ?channel=, POST
// /v1/outcomes). Whatever arrives, the answer is a 2xx or a 4xx (never a panic, never a 500),
// its body is one JSON object (an error names what is wrong), and nothing is written to the
// workspace unless an outcome was accepted (201: exactly one contact more).
func FuzzServeBodies(f *testing.F) {
	// Built here, not in the first call: the fuzzing worker gives one input 10 seconds.
	fuzzServer(f)
	for _, s := range []struct {
		route uint8
		id    string
		body  string
	}{
		{0, "16", `{"facts": {"locations": 2}}`},
		{0, "16", `{"facts": {"locations": 3, "nps": 9}, "channel": "phone"}`},
		{0, "17", `{"facts": {"region": "north", "locations": null}}`},
		{0, "18", `{"facts": {"locations": "1e309"}}`},
		{0, "18", `{"facts": {"locations": 1e309}}`},
		{0, "19", `{"facts": {"customer_id": 5}}`},
		{0, "20", `{"facts": {"nps": [1, 2]}}`},
		{0, "21", `{"facts": {"nps": true}, "channel": "carrier pigeon"}`},
		{0, "16", `{"facts": {}}{"facts": {}}`},
		{0, "16", `{"unknown": 1}`},
		{0, "16", ``},
		{0, "99999999", `{}`},
		{0, "-1", `{}`},
		{0, "x'; DROP TABLE customers; --", `{}`},
		{1, "", `{"customer_id": 16, "product_id": 1, "channel": "phone", "outcome": "declined"}`},
		{1, "", `{"customer_id": 16, "product_id": 1, "channel": "phone", "outcome": "accepted", "p_accept": 0.4, "model_version": "x"}`},
		{1, "", `{"customer_id": 16, "product_id": 1, "channel": "mail", "outcome": "opt_out", "opt_out_product_id": 1, "opt_out_channel": "mail"}`},
		{1, "", `{"customer_id": 16, "product_id": 1, "channel": "phone", "outcome": "declined", "p_accept": 1.5}`},
		{1, "", `{"customer_id": 16, "product_id": 99999, "channel": "phone", "outcome": "declined"}`},
		{1, "", `{"customer_id": 9223372036854775807, "product_id": 1, "channel": "phone", "outcome": "later"}`},
		{1, "", `{"customer_id": 1.5, "product_id": 1}`},
		{1, "", `[1, 2, 3]`},
		{1, "", `null`},
		{2, "16", `phone`},
		{2, "16", `nowhere`},
		{2, "abc", ``},
	} {
		f.Add(s.route, s.id, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, route uint8, id string, body []byte) {
		h, ws := fuzzServer(t)
		var req *http.Request
		switch route % 3 {
		case 0:
			req = httptest.NewRequest(http.MethodPost, "/v1/customers/"+url.PathEscape(id)+"/offers", strings.NewReader(string(body)))
		case 1:
			req = httptest.NewRequest(http.MethodPost, "/v1/outcomes", strings.NewReader(string(body)))
		default:
			req = httptest.NewRequest(http.MethodGet, "/v1/customers/"+url.PathEscape(id)+"/offers?channel="+url.QueryEscape(string(body)), nil)
		}
		contacts := func() int64 {
			var n int64
			if err := ws.QueryRowContext(context.Background(), `SELECT (SELECT count(*) FROM contacts) + (SELECT count(*) FROM optouts)`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := contacts()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		code := rec.Code
		if p := req.URL.EscapedPath(); path.Clean(p) != p {
			// "/v1/customers//offers", "/v1/customers/../offers": the router redirects to the
			// clean path and runs nothing.
			if code != http.StatusTemporaryRedirect && code != http.StatusMovedPermanently || contacts() != before {
				t.Fatalf("%s %s: status %d for an unclean path", req.Method, req.URL, code)
			}
			return
		}
		switch code {
		case http.StatusOK, http.StatusCreated, http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("%s %s %q: status %d: %s", req.Method, req.URL, body, code, rec.Body.Bytes())
		}
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s %q: status %d, the body is not one JSON object (%v): %q", req.Method, req.URL, body, code, err, rec.Body.Bytes())
		}
		if code >= 400 {
			if msg, _ := out["error"].(string); msg == "" {
				t.Fatalf("%s %s %q: status %d without an error message: %s", req.Method, req.URL, body, code, rec.Body.Bytes())
			}
		}
		after := contacts()
		switch {
		case code == http.StatusCreated && after <= before:
			t.Fatalf("outcome %q: 201 but nothing written", body)
		case code != http.StatusCreated && after != before:
			t.Fatalf("%s %s %q: status %d, yet %d rows were written", req.Method, req.URL, body, code, after-before)
		}
		if code == http.StatusOK && out["offers"] == nil {
			t.Fatalf("%s %s: 200 without offers: %s", req.Method, req.URL, fmt.Sprint(out))
		}
	})
}
