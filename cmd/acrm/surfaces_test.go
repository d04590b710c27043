package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/nbo"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/tui/services"
)

// surfacesN is the number of random customers TestNBOSurfacesAgree checks: ACRM_SURFACES_N,
// 20 by default (ACRM_SURFACES_N=1000 for the thousand).
func surfacesN(t *testing.T) int {
	if s := os.Getenv("ACRM_SURFACES_N"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("ACRM_SURFACES_N=%q: want a positive number", s)
		}
		return n
	}
	return 20
}

// The three surfaces of a live decision — the command (acrm nbo --format json), the
// workbench's Offers panel (services.LiveOffers, what the screen draws) and acrm serve's HTTP
// answer from its in-memory index — give the same customer, facts, ranking (product, channel,
// P, value, model, reason) and decision trace for random customers with random live facts
// and channels. ACRM_SURFACES_DB runs it on a copy of a scored workspace of your own.
func TestNBOSurfacesAgree(t *testing.T) {
	db := os.Getenv("ACRM_SURFACES_DB")
	if db == "" {
		db = filepath.Join(t.TempDir(), "ws.duckdb")
		for _, args := range [][]string{
			{"sample", "--db", db, "--customers", "2000", "--seed", "11"},
			{"train", "--db", db, "--all", "--algo", "logit", "--products", "1,2,5,7,24"},
			{"train", "--db", db, "--product", "3", "--algo", "gbdt"},
			{"train", "--db", db, "--product", "20", "--algo", "tree"},
			{"score", "--db", db, "--all"},
		} {
			if _, err := run(t, args...); err != nil {
				t.Fatal(args, err)
			}
		}
	}
	n := surfacesN(t)
	ids := strings.Fields(strings.TrimPrefix(mustRun(t, "sql", "--db", db, "--format", "csv",
		fmt.Sprintf("SELECT customer_id AS id FROM customers ORDER BY hash(customer_id * 7) LIMIT %d", n)), "id\n"))
	if len(ids) != n {
		t.Fatalf("%d customers, want %d", len(ids), n)
	}
	type call struct {
		id      int64
		facts   []nbo.Fact
		channel string
		cli     string
	}
	rng := rand.New(rand.NewPCG(14, 1000))
	channels := []string{"", "", "mail", "phone", "email", "account_manager"}
	var calls []call
	for _, s := range ids {
		id, _ := strconv.ParseInt(s, 10, 64)
		c := call{id: id, channel: channels[rng.IntN(len(channels))]}
		pool := []nbo.Fact{{Field: "locations", Value: strconv.Itoa(1 + rng.IntN(6))}, {Field: "employees", Value: strconv.Itoa(1 + rng.IntN(400))},
			{Field: "nps", Value: strconv.Itoa(rng.IntN(11))}, {Field: "contract_end_months", Value: strconv.Itoa(rng.IntN(25))}}
		for _, f := range pool {
			if rng.IntN(2) == 0 {
				c.facts = append(c.facts, f)
			}
		}
		args := []string{"nbo", "--db", db, "--customer", s, "--format", "json"}
		for _, f := range c.facts {
			args = append(args, "--set", f.Field+"="+f.Value)
		}
		if c.channel != "" {
			args = append(args, "--channel", c.channel)
		}
		out, err := run(t, args...)
		if err != nil && !strings.Contains(err.Error(), "channel") {
			t.Fatal(args, err)
		}
		if err != nil { // a channel the scoring has no calibration for: every surface refuses it
			c.cli = "error: " + err.Error()
		} else {
			c.cli = out
		}
		calls = append(calls, c)
	}

	// The command has closed the workspace: the screen and serve open it now (one process).
	ctx := context.Background()
	ws, err := workspace.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	served, err := nbo.NewLive(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := served.BuildIndex(ctx, nil); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(nbo.NewServer(served, "").Handler())
	defer srv.Close()
	screen := services.New(ws)

	decode := func(what, s string) any {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatalf("%s: %v\n%s", what, err, s)
		}
		return v
	}
	withOffers := 0
	for _, c := range calls {
		facts := map[string]any{}
		for _, f := range c.facts {
			v, _ := strconv.Atoi(f.Value)
			facts[f.Field] = v
		}
		body, _ := json.Marshal(map[string]any{"facts": facts, "channel": c.channel})
		res, err := http.Post(fmt.Sprintf("%s/v1/customers/%d/offers", srv.URL, c.id), "application/json", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if strings.HasPrefix(c.cli, "error: ") {
			if res.StatusCode != http.StatusBadRequest {
				t.Errorf("customer %d channel %q: acrm nbo refused (%s), serve answered %d %s", c.id, c.channel, c.cli, res.StatusCode, got)
			}
			continue
		}
		if res.StatusCode != http.StatusOK {
			t.Fatalf("customer %d: serve %d %s", c.id, res.StatusCode, got)
		}
		cli := decode("acrm nbo", c.cli)
		if !reflect.DeepEqual(cli, decode("serve", string(got))) {
			t.Errorf("customer %d facts %v channel %q:\nacrm nbo: %s\nserve:    %s", c.id, c.facts, c.channel, c.cli, got)
		}
		if len(cli.(map[string]any)["offers"].([]any)) > 0 {
			withOffers++
		}
		if c.channel != "" { // the screen offers through every channel
			continue
		}
		v, err := screen.LiveOffers(ctx, c.id, c.facts)
		if err != nil {
			t.Fatalf("customer %d: screen: %v", c.id, err)
		}
		b, _ := json.Marshal(served.JSON(v.Decision))
		if !reflect.DeepEqual(cli, decode("screen", string(b))) {
			t.Errorf("customer %d facts %v:\nacrm nbo: %s\nscreen:   %s", c.id, c.facts, c.cli, b)
		}
		// What the panel draws comes from that decision: its offers in rank order and every trace step.
		if len(v.Decision.Trace) == 0 {
			t.Errorf("customer %d: the screen's decision has no trace", c.id)
		}
	}
	t.Logf("%d customers, %d with offers: acrm nbo = serve = the Offers panel", len(calls), withOffers)
	if withOffers == 0 {
		t.Error("no customer had an offer: the comparison saw only empty rankings")
	}
}
