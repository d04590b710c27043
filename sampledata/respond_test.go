package sampledata

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// registerCampaign adds campaign 9001 (ICT-M365 by phone) with a contacted cell and a control cell.
func registerCampaign(t *testing.T, ws *workspace.Workspace) (contacted int) {
	t.Helper()
	ctx := context.Background()
	db := ws
	stmts := []string{
		`INSERT INTO campaigns VALUES (9001, 'test M365 phone', 16, 'phone', DATE '2026-11-02', DATE '2026-11-20', 6.5, 'model', NULL)`,
		`INSERT INTO campaign_members SELECT 9001, customer_id, CASE WHEN customer_id % 10 = 0 THEN 'control' ELSE 'target' END,
			customer_id % 10 <> 0 FROM customers
			WHERE customer_id % 2 = 0 AND customer_id NOT IN (SELECT customer_id FROM holdings WHERE product_id = 16 AND end_date IS NULL)`,
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	return int(queryFloat(t, ws, `SELECT count(*) FROM campaign_members WHERE campaign_id = 9001 AND contacted`))
}

func respondFixture(t *testing.T, seed uint64) (*workspace.Workspace, RespondSummary, int) {
	t.Helper()
	ws := openMem(t)
	if _, err := Generate(context.Background(), ws, Options{Customers: 4000, Seed: 3}, nil); err != nil {
		t.Fatal(err)
	}
	n := registerCampaign(t, ws)
	sum, err := Respond(context.Background(), ws, 9001, seed)
	if err != nil {
		t.Fatal(err)
	}
	return ws, sum, n
}

func campaignHash(t *testing.T, ws *workspace.Workspace) string {
	t.Helper()
	var h string
	err := ws.QueryRowContext(context.Background(), `SELECT md5(string_agg(customer_id || ts::VARCHAR || outcome || revenue::VARCHAR, ','
		ORDER BY customer_id)) FROM contacts WHERE campaign_id = 9001`).Scan(&h)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestRespond(t *testing.T) {
	ctx := context.Background()
	ws, sum, contacted := respondFixture(t, 7)
	if sum.Contacts != contacted || contacted == 0 {
		t.Fatalf("Respond wrote %d contacts, %d members are contacted", sum.Contacts, contacted)
	}
	if got := int(queryFloat(t, ws, `SELECT count(*) FROM contacts WHERE campaign_id = 9001`)); got != contacted {
		t.Fatalf("%d contact rows for the campaign, want %d", got, contacted)
	}
	if n := queryFloat(t, ws, `SELECT count(*) FROM contacts c JOIN campaign_members m USING (campaign_id, customer_id)
		WHERE c.campaign_id = 9001 AND NOT m.contacted`); n != 0 {
		t.Fatalf("%v contacts for control-cell members", n)
	}
	if n := queryFloat(t, ws, `SELECT count(*) FROM contacts WHERE campaign_id = 9001 AND
		(ts < TIMESTAMP '2026-11-02' OR ts >= TIMESTAMP '2026-11-21' OR channel <> 'phone' OR product_id <> 16
		 OR direction <> 'outbound' OR outcome NOT IN ('accepted','declined','no_response')
		 OR (outcome = 'accepted') <> (revenue > 0))`); n != 0 {
		t.Fatalf("%v contacts outside the campaign's window/channel/product or with inconsistent outcome", n)
	}
	if n := queryFloat(t, ws, `SELECT count(*) - count(DISTINCT contact_id) FROM contacts`); n != 0 {
		t.Fatalf("%v duplicate contact ids", n)
	}
	if sum.Accepted+sum.Declined+sum.NoResp != sum.Contacts || sum.Accepted == 0 {
		t.Fatalf("summary does not add up: %+v", sum)
	}
	t.Logf("respond: %+v", sum)
	h1 := campaignHash(t, ws)
	// Running it again adds nothing.
	again, err := Respond(ctx, ws, 9001, 7)
	if err != nil || again.Contacts != 0 {
		t.Fatalf("second Respond: %+v, %v; want 0 contacts", again, err)
	}
	// Reproducible for a seed, different for another.
	ws2, _, _ := respondFixture(t, 7)
	if h2 := campaignHash(t, ws2); h2 != h1 {
		t.Fatal("same data and seed gave different outcomes")
	}
	ws3, _, _ := respondFixture(t, 8)
	if h3 := campaignHash(t, ws3); h3 == h1 {
		t.Fatal("seeds 7 and 8 gave identical outcomes")
	}
}

func TestRespondErrors(t *testing.T) {
	ctx := context.Background()
	ws := openMem(t)
	if _, err := Generate(ctx, ws, Options{Customers: 300, Seed: 1}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Respond(ctx, ws, 424242, 1); !errors.Is(err, ErrNoCampaign) {
		t.Fatalf("unknown campaign: %v", err)
	}
	var freq int
	if err := ws.QueryRowContext(ctx, `SELECT min(campaign_id) FROM campaigns WHERE selection = 'frequency'`).Scan(&freq); err != nil {
		t.Fatal(err)
	}
	_, err := Respond(ctx, ws, freq, 1)
	if err == nil || !strings.Contains(err.Error(), "product_id") {
		t.Fatalf("multi-product campaign: err = %v, want a message about product_id", err)
	}
	// A member who is not a customer is named, and nothing is written.
	if _, err := ws.ExecContext(ctx, `INSERT INTO campaigns VALUES (9100, 'dangling', 2, 'mail', DATE '2026-11-02', DATE '2026-11-09', 1.2, 'random', NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.ExecContext(ctx, `INSERT INTO campaign_members VALUES (9100, 1, 'random', true), (9100, 999999, 'random', true)`); err != nil {
		t.Fatal(err)
	}
	n0 := queryFloat(t, ws, `SELECT count(*) FROM contacts`)
	if _, err := Respond(ctx, ws, 9100, 1); err == nil || !strings.Contains(err.Error(), "customer_id 999999") {
		t.Fatalf("dangling member: err = %v", err)
	}
	if queryFloat(t, ws, `SELECT count(*) FROM contacts`) != n0 {
		t.Fatal("failed Respond wrote contacts")
	}
	// A history campaign has outcomes for every contacted member: nothing to do.
	var bau int
	if err := ws.QueryRowContext(ctx, `SELECT min(campaign_id) FROM campaigns WHERE selection = 'model'`).Scan(&bau); err != nil {
		t.Fatal(err)
	}
	before := queryFloat(t, ws, `SELECT count(*) FROM contacts`)
	sum, err := Respond(ctx, ws, bau, 1)
	if err != nil || sum.Contacts != 0 || queryFloat(t, ws, `SELECT count(*) FROM contacts`) != before {
		t.Fatalf("history campaign: %+v, %v", sum, err)
	}
}

func TestSimulateRejectsBadPlans(t *testing.T) {
	profiles := map[int64]*Profile{1: {Customer: Customer{ID: 1, Employees: 3, Locations: 1, MonthlyRevenue: 100}, Owned: make([]bool, NumProducts+1)}}
	cases := []struct {
		pl   PlannedContact
		want string
	}{
		{PlannedContact{CustomerID: 1, ProductID: 99, Channel: ChannelMail}, "unknown product_id 99"},
		{PlannedContact{CustomerID: 1, ProductID: 2, Channel: "fax"}, `unknown channel "fax"`},
		{PlannedContact{CustomerID: 2, ProductID: 2, Channel: ChannelMail}, "customer 2 is not in the customers table"},
	}
	for _, c := range cases {
		_, err := Simulate(context.Background(), []PlannedContact{c.pl}, profiles, nil, 1)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v, want %q", c.pl, err, c.want)
		}
	}
}
