package nbo

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestServeUnroutedPathAnswersJSON: a path the API does not have answers 404 with the API's
// JSON error naming the method and path, as every other refusal does.
func TestServeUnroutedPathAnswersJSON(t *testing.T) {
	h := NewServer(nil, "").Handler() // unrouted paths never reach the workspace
	for _, p := range []string{"/", "/v1/customers/%2F/offers", "/v1/nothing", "/v2/customers/1/offers"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		if rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, rec.Code)
			continue
		}
		var out map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || !strings.Contains(out["error"], "no endpoint GET") {
			t.Errorf("GET %s: body %q, want a JSON error naming the endpoint", p, rec.Body.String())
		}
	}
}
