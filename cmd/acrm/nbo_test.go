package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// acrm nbo on a small scored sample: table and json agree, bad input names what was wrong.
func TestNBOCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ws.duckdb")
	for _, args := range [][]string{
		{"sample", "--db", db, "--customers", "2000", "--seed", "7"},
		{"train", "--db", db, "--all", "--algo", "logit", "--products", "1,2,5,7,24"},
		{"score", "--db", db, "--all"},
	} {
		if _, err := run(t, args...); err != nil {
			t.Fatal(args, err)
		}
	}
	id := strings.TrimSpace(mustRun(t, "sql", "--db", db, "--format", "csv", "SELECT min(customer_id) AS id FROM acrm_nbo_offers"))
	id = strings.TrimPrefix(id, "id\n")
	out := mustRun(t, "nbo", "--db", db, "--customer", id, "--set", "locations=3", "--format", "json")
	var d struct {
		Customer int64             `json:"customer_id"`
		Facts    map[string]string `json:"facts"`
		Offers   []struct {
			Rank    int     `json:"rank"`
			Product int     `json:"product_id"`
			P       float64 `json:"p_accept"`
			Model   string  `json:"model_version"`
			Why     string  `json:"why"`
		} `json:"offers"`
		Trace []struct {
			Rule string `json:"rule"`
		} `json:"trace"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if len(d.Offers) == 0 || d.Offers[0].Rank != 1 || d.Offers[0].Model == "" || !(d.Offers[0].P > 0) || d.Offers[0].Why == "" {
		t.Fatalf("offers %+v", d.Offers)
	}
	if d.Facts["locations"] != "3" || len(d.Trace) == 0 {
		t.Fatalf("facts %v, trace %v", d.Facts, d.Trace)
	}
	tab := mustRun(t, "nbo", "--db", db, "--customer", id, "--set", "locations=3")
	for _, want := range []string{"RANK", "why P", "decision trace", d.Trace[0].Rule, d.Offers[0].Model} {
		if !strings.Contains(tab, want) {
			t.Errorf("table lacks %q:\n%s", want, tab)
		}
	}
	count := func() string {
		return mustRun(t, "sql", "--db", db, "--format", "csv", "SELECT (SELECT count(*) FROM contacts) AS contacts, (SELECT count(*) FROM optouts) AS optouts")
	}
	before := count()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--customer", "99999999"}, "customer 99999999"},
		{[]string{"--customer", "abc"}, `--customer "abc"`},
		{[]string{}, "--customer ID is required"},
		{[]string{"--customer", id, "--set", "nosuchfield=1"}, "nosuchfield"},
		{[]string{"--customer", id, "--set", "employees=lots"}, "employees"},
		{[]string{"--customer", id, "--set", "employees"}, "field=value"},
		{[]string{"--customer", id, "--channel", "pigeon"}, "pigeon"},
		{[]string{"--customer", id, "--format", "xml"}, "--format"},
		{[]string{"--customer", id, "--set", "own_p999=1"}, "own_p999"},
		{[]string{"--customer", id, "--set", "nps=NaN"}, "nps"},
	} {
		_, err := run(t, append([]string{"nbo", "--db", db}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("nbo %v: error %v, want one naming %q", c.args, err, c.want)
		}
	}
	if after := count(); after != before {
		t.Errorf("bad input wrote rows: before %q, after %q", before, after)
	}
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := run(t, args...)
	if err != nil {
		t.Fatal(args, err)
	}
	return out
}
