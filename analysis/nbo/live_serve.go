package nbo

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// MaxBodyBytes is the largest request body acrm serve reads (1 MB); a larger one is a 413.
const MaxBodyBytes = 1 << 20

//go:embed openapi.json
var openAPI []byte

// Server is acrm serve's HTTP API over one Live: the same decisions, JSON and trace as
// acrm nbo and the Offers screen.
//
//	GET  /v1/customers/{id}/offers[?channel=C]   the customer's offers, no live facts
//	POST /v1/customers/{id}/offers               {"facts": {"field": value, …}, "channel": "C"}
//	POST /v1/outcomes                            {"customer_id", "product_id", "channel", "outcome", …}
//	GET  /healthz   GET /metrics (Prometheus text)   GET /openapi.json
//
// With a Token every route but /healthz needs "Authorization: Bearer <token>". Bad input is
// a 4xx with {"error": "…"} and writes nothing. Outcomes are written one at a time (DuckDB
// has one writer; the server is that writer's only process).
type Server struct {
	Live  *Live
	Token string

	writeMu sync.Mutex
	metrics serverMetrics
}

// NewServer returns the API over l; token "" turns authentication off.
func NewServer(l *Live, token string) *Server {
	return &Server{Live: l, Token: token, metrics: serverMetrics{counts: map[metricKey]*atomic.Int64{}}}
}

// Handler routes the API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/customers/{id}/offers", s.offers)
	mux.HandleFunc("POST /v1/customers/{id}/offers", s.offers)
	mux.HandleFunc("POST /v1/outcomes", s.outcome)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /metrics", s.serveMetrics)
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openAPI)
	})
	// Anything else answers the API's JSON error, not net/http's plain text.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no endpoint %s %s (the API is described at /openapi.json)", r.Method, r.URL.Path))
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		rec := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		route := routeOf(r.URL.Path)
		if s.Token != "" && r.URL.Path != "/healthz" && r.Header.Get("Authorization") != "Bearer "+s.Token {
			rec.Header().Set("WWW-Authenticate", `Bearer realm="acrm"`)
			writeError(rec, http.StatusUnauthorized, "missing or wrong bearer token (Authorization: Bearer <token>)")
		} else {
			if r.Body != nil {
				r.Body = http.MaxBytesReader(rec, r.Body, MaxBodyBytes)
			}
			mux.ServeHTTP(rec, r)
		}
		s.metrics.observe(route, rec.code, time.Since(t0))
	})
}

func routeOf(path string) string {
	switch {
	case strings.HasPrefix(path, "/v1/customers/") && strings.HasSuffix(path, "/offers"):
		return "/v1/customers/{id}/offers"
	case path == "/v1/outcomes", path == "/healthz", path == "/metrics", path == "/openapi.json":
		return path
	}
	return "other"
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

// decodeBody reads one JSON object into v: unknown fields, trailing data and a body over
// MaxBodyBytes are errors (code 400 or 413).
func decodeBody(r *http.Request, v any) (int, error) {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	dec.UseNumber()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value in the body")
	}
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return http.StatusRequestEntityTooLarge, fmt.Errorf("request body over %d bytes", MaxBodyBytes)
		}
		if errors.Is(err, io.EOF) {
			return http.StatusBadRequest, errors.New("empty body: want a JSON object")
		}
		return http.StatusBadRequest, fmt.Errorf("malformed JSON: %v", err)
	}
	return 0, nil
}

// OffersRequest is the body of POST /v1/customers/{id}/offers.
type OffersRequest struct {
	Facts   map[string]any `json:"facts"`
	Channel string         `json:"channel"`
}

// factsOf turns the JSON facts into Facts (sorted by field): a string, a number, a boolean
// or null per field.
func factsOf(m map[string]any) ([]Fact, error) {
	out := make([]Fact, 0, len(m))
	for k, v := range m {
		f := Fact{Field: k}
		switch x := v.(type) {
		case nil:
			f.Value = "null"
		case string:
			f.Value = x
		case json.Number:
			f.Value = x.String()
		case bool:
			f.Value = strconv.FormatBool(x)
		default:
			return nil, &FactError{Fact: Fact{Field: k, Value: fmt.Sprint(v)}, Msg: "want a string, a number, a boolean or null"}
		}
		out = append(out, f)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Field < out[b].Field })
	return out, nil
}

func (s *Server) offers(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("customer id %q: want an integer", r.PathValue("id")))
		return
	}
	req := OffersRequest{Channel: r.URL.Query().Get("channel")}
	if r.Method == http.MethodPost {
		if code, err := decodeBody(r, &req); err != nil {
			writeError(w, code, err.Error())
			return
		}
	}
	facts, err := factsOf(req.Facts)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	l := s.Live
	// Check the facts and channel before the lookup: bad input costs no query.
	if _, err := l.checkFacts(facts); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if req.Channel != "" && !l.knownChannel(req.Channel) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("channel %q: want one of %s", req.Channel, strings.Join(l.Scoring.Channels, ", ")))
		return
	}
	c, err := l.Lookup(r.Context(), id)
	if err != nil {
		if errors.Is(err, ErrUnknownCustomer) {
			writeError(w, http.StatusNotFound, err.Error())
			return
		}
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	d, err := l.Offers(c, facts, req.Channel)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	buf := jsonBufs.Get().(*[]byte)
	b := l.AppendJSON((*buf)[:0], d)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	*buf = b
	jsonBufs.Put(buf)
}

// jsonBufs are the answers' buffers, reused.
var jsonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// OutcomeRequest is the body of POST /v1/outcomes. P and model version default to the
// customer's current offer of the product by the channel (no live facts).
type OutcomeRequest struct {
	Customer      int64    `json:"customer_id"`
	Product       int      `json:"product_id"`
	Channel       string   `json:"channel"`
	Outcome       string   `json:"outcome"`
	P             *float64 `json:"p_accept,omitempty"`
	Model         string   `json:"model_version,omitempty"`
	OptOutProduct int      `json:"opt_out_product_id,omitempty"`
	OptOutChannel string   `json:"opt_out_channel,omitempty"`
}

// OutcomeResponse is what POST /v1/outcomes answers (201).
type OutcomeResponse struct {
	ContactID int64   `json:"contact_id"`
	Customer  int64   `json:"customer_id"`
	Product   int     `json:"product_id"`
	Channel   string  `json:"channel"`
	Outcome   string  `json:"outcome"`
	P         float64 `json:"p_accept"`
	Model     string  `json:"model_version"`
	At        string  `json:"at"`
}

func (s *Server) outcome(w http.ResponseWriter, r *http.Request) {
	var req OutcomeRequest
	if code, err := decodeBody(r, &req); err != nil {
		writeError(w, code, err.Error())
		return
	}
	l := s.Live
	switch req.Outcome {
	case OutcomeAccepted, OutcomeDeclined, OutcomeLater, OutcomeOptOut:
	default:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("outcome %q: want %s, %s, %s or %s", req.Outcome, OutcomeAccepted, OutcomeDeclined, OutcomeLater, OutcomeOptOut))
		return
	}
	if _, ok := l.Scoring.Products.Get(req.Product); !ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("product_id %d: no such product", req.Product))
		return
	}
	if req.OptOutProduct != 0 {
		if _, ok := l.Scoring.Products.Get(req.OptOutProduct); !ok {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("opt_out_product_id %d: no such product", req.OptOutProduct))
			return
		}
	}
	if !l.knownChannel(req.Channel) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("channel %q: want one of %s", req.Channel, strings.Join(l.Scoring.Channels, ", ")))
		return
	}
	if req.OptOutChannel != "" && !l.knownChannel(req.OptOutChannel) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("opt_out_channel %q: want one of %s", req.OptOutChannel, strings.Join(l.Scoring.Channels, ", ")))
		return
	}
	if req.P != nil && (math.IsNaN(*req.P) || *req.P < 0 || *req.P > 1) {
		writeError(w, http.StatusBadRequest, "p_accept: want a probability in [0, 1]")
		return
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	c, err := l.Lookup(r.Context(), req.Customer)
	if err != nil {
		if errors.Is(err, ErrUnknownCustomer) {
			writeError(w, http.StatusNotFound, err.Error())
			return
		}
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	o := LiveOutcome{Customer: req.Customer, Product: req.Product, Channel: req.Channel, Outcome: req.Outcome, Model: req.Model,
		OptOutProduct: req.OptOutProduct, OptOutChannel: req.OptOutChannel}
	if req.P != nil {
		o.P = *req.P
	}
	if req.P == nil || req.Model == "" {
		d, err := l.Offers(c, nil, req.Channel)
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		for _, of := range d.Offers {
			if of.Product == req.Product && of.Channel == req.Channel {
				if req.P == nil {
					o.P = of.P
				}
				if o.Model == "" {
					o.Model = of.Model
				}
			}
		}
		if o.Model == "" {
			o.Model = l.Scoring.Models[req.Product]
		}
	}
	rec, err := l.Record(r.Context(), c, o)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, OutcomeResponse{ContactID: rec.ContactID, Customer: rec.Customer, Product: rec.Product, Channel: rec.Channel,
		Outcome: rec.Outcome, P: rec.P, Model: rec.Model, At: rec.TS.Format("2006-01-02")})
}

// serverMetrics counts requests by route and status and sums their durations.
type serverMetrics struct {
	mu       sync.RWMutex
	counts   map[metricKey]*atomic.Int64
	durNanos atomic.Int64
	n        atomic.Int64
}

type metricKey struct {
	route string
	code  int
}

func (m *serverMetrics) observe(route string, code int, d time.Duration) {
	k := metricKey{route, code}
	m.mu.RLock()
	c := m.counts[k]
	m.mu.RUnlock()
	if c == nil {
		m.mu.Lock()
		if c = m.counts[k]; c == nil {
			c = &atomic.Int64{}
			m.counts[k] = c
		}
		m.mu.Unlock()
	}
	c.Add(1)
	m.durNanos.Add(int64(d))
	m.n.Add(1)
}

func (s *Server) serveMetrics(w http.ResponseWriter, _ *http.Request) {
	m := &s.metrics
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	fmt.Fprintln(w, "# HELP acrm_http_requests_total HTTP requests by route and status code.")
	fmt.Fprintln(w, "# TYPE acrm_http_requests_total counter")
	m.mu.RLock()
	keys := make([]metricKey, 0, len(m.counts))
	for k := range m.counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].route != keys[b].route {
			return keys[a].route < keys[b].route
		}
		return keys[a].code < keys[b].code
	})
	for _, k := range keys {
		fmt.Fprintf(w, "acrm_http_requests_total{route=%q,code=\"%d\"} %d\n", k.route, k.code, m.counts[k].Load())
	}
	m.mu.RUnlock()
	fmt.Fprintln(w, "# HELP acrm_http_request_duration_seconds Time spent serving requests.")
	fmt.Fprintln(w, "# TYPE acrm_http_request_duration_seconds summary")
	fmt.Fprintf(w, "acrm_http_request_duration_seconds_sum %g\n", float64(m.durNanos.Load())/1e9)
	fmt.Fprintf(w, "acrm_http_request_duration_seconds_count %d\n", m.n.Load())
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintln(w, "# HELP acrm_heap_alloc_bytes Bytes of allocated heap objects.")
	fmt.Fprintln(w, "# TYPE acrm_heap_alloc_bytes gauge")
	fmt.Fprintf(w, "acrm_heap_alloc_bytes %d\n", ms.HeapAlloc)
	fmt.Fprintln(w, "# HELP acrm_goroutines Goroutines that currently exist.")
	fmt.Fprintln(w, "# TYPE acrm_goroutines gauge")
	fmt.Fprintf(w, "acrm_goroutines %d\n", runtime.NumGoroutine())
}
