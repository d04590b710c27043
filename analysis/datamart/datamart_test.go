package datamart_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/datamart"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

func exec(t *testing.T, ws *workspace.Workspace, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := ws.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// tiny is a hand-written datamart small enough to check every value read.
func tiny(t *testing.T) *workspace.Workspace {
	ws := sampletest.Memory(t)
	exec(t, ws,
		`CREATE TABLE products (product_id INTEGER, code VARCHAR, name VARCHAR, family VARCHAR, objective VARCHAR,
			margin DOUBLE, horizon_years INTEGER, monthly_price DOUBLE, cost_mail DOUBLE, cost_phone DOUBLE)`,
		`INSERT INTO products VALUES (2, 'FIX', 'Fixed VoIP', 'fixed', 'cross-sell', 2500, 3, 30, 0.9, 6.5),
			(1, 'MOB', 'Mobile', 'mobile', 'upsell', 800, 2, 25, 0.9, NULL)`,
		`CREATE TABLE customers (customer_id BIGINT, sector VARCHAR, employees INTEGER)`,
		`INSERT INTO customers VALUES (10, 'retail', 4), (11, 'horeca', 12)`,
		`CREATE TABLE holdings (customer_id BIGINT, product_id INTEGER, start_date DATE, end_date DATE)`,
		`INSERT INTO holdings VALUES (11, 2, DATE '2024-01-01', NULL), (10, 1, DATE '2023-05-01', DATE '2025-01-01')`,
		`CREATE TABLE contacts (contact_id BIGINT, customer_id BIGINT, ts TIMESTAMP, channel VARCHAR, direction VARCHAR,
			campaign_id INTEGER, product_id INTEGER, outcome VARCHAR, revenue DOUBLE)`,
		`INSERT INTO contacts VALUES (1, 10, TIMESTAMP '2025-03-01 10:00', 'mail', 'outbound', 7, 2, 'declined', 0),
			(2, 10, TIMESTAMP '2025-06-01 09:30', 'inbound', 'inbound', NULL, NULL, 'no_response', NULL),
			(3, 11, TIMESTAMP '2025-04-01', 'phone', 'outbound', 7, 2, 'accepted', 120)`,
		`CREATE TABLE campaigns (campaign_id INTEGER, name VARCHAR, product_id INTEGER, channel VARCHAR, start_date DATE,
			end_date DATE, cost_per_contact DOUBLE, selection VARCHAR, period INTEGER)`,
		`INSERT INTO campaigns VALUES (7, 'VoIP spring', 2, 'mail', DATE '2025-03-01', DATE '2025-04-30', 1.25, 'random', 3)`,
		`CREATE TABLE optouts (customer_id BIGINT, product_id INTEGER, channel VARCHAR, since DATE)`,
		`INSERT INTO optouts VALUES (10, NULL, 'phone', DATE '2025-02-01')`,
		`CREATE TABLE events (customer_id BIGINT, ts TIMESTAMP, kind VARCHAR, value DOUBLE)`,
		`INSERT INTO events VALUES (11, TIMESTAMP '2025-05-05', 'moving', 1)`,
	)
	return ws
}

func TestReadersTiny(t *testing.T) {
	ctx := context.Background()
	ws := tiny(t)
	ps, err := datamart.Products(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].ID != 1 || ps[1].ID != 2 {
		t.Fatalf("products not ordered by id: %+v", ps)
	}
	fix := ps[1]
	if fix.Name != "Fixed VoIP" || fix.Family != "fixed" || fix.Objective != datamart.CrossSell || fix.Margin != 2500 ||
		fix.HorizonYears != 3 || fix.MonthlyPrice != 30 || fix.ChannelCost["phone"] != 6.5 || fix.ChannelCost["mail"] != 0.9 {
		t.Errorf("Fixed VoIP read as %+v", fix)
	}
	if ps[0].ChannelCost["phone"] != 0 {
		t.Errorf("a NULL cost reads as 0, got %v", ps[0].ChannelCost["phone"])
	}
	if got := fix.Label(); got != "FIX Fixed VoIP" {
		t.Errorf("Label = %q", got)
	}
	if _, err := datamart.ProductByID(ctx, ws, 9); !errors.Is(err, datamart.ErrNoProduct) {
		t.Errorf("ProductByID(9) err = %v, want ErrNoProduct", err)
	}

	hs, err := datamart.Holdings(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 2 || hs[0].CustomerID != 10 || !hs[1].End.IsZero() {
		t.Fatalf("holdings = %+v", hs)
	}
	snap, ok, err := datamart.Snapshot(ctx, ws)
	if err != nil || !ok || !snap.Equal(time.Date(2025, 6, 1, 9, 30, 0, 0, time.UTC)) {
		t.Fatalf("Snapshot = %v %v %v", snap, ok, err)
	}
	if hs[0].Active(snap) || !hs[1].Active(snap) {
		t.Errorf("Active at snapshot: ended %v running %v", hs[0].Active(snap), hs[1].Active(snap))
	}

	cs, err := datamart.Contacts(ctx, ws, datamart.ContactFilter{CustomerID: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].CampaignID != 7 || cs[1].CampaignID != 0 || cs[1].ProductID != 0 || cs[1].Direction != "inbound" {
		t.Fatalf("contacts of 10 = %+v", cs)
	}
	cs, _ = datamart.Contacts(ctx, ws, datamart.ContactFilter{ProductID: 2, Since: time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC)})
	if len(cs) != 1 || cs[0].Outcome != "accepted" || cs[0].Revenue != 120 {
		t.Fatalf("contacts of product 2 since 15 March = %+v", cs)
	}

	camps, err := datamart.Campaigns(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if len(camps) != 1 || camps[0].CostPerContact != 1.25 || camps[0].Selection != datamart.SelectionRandom || camps[0].Channel != "mail" {
		t.Fatalf("campaigns = %+v", camps)
	}
	oo, err := datamart.OptOutsOf(ctx, ws, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(oo) != 1 || oo[0].ProductID != 0 || !oo[0].Covers(2, "phone") || oo[0].Covers(2, "mail") {
		t.Fatalf("opt-outs of 10 = %+v", oo)
	}
	var evs []datamart.Event
	if err := datamart.EachEvent(ctx, ws, 0, func(e datamart.Event) error { evs = append(evs, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Kind != "moving" {
		t.Fatalf("events = %+v", evs)
	}
	c, err := datamart.CustomerByID(ctx, ws, 11)
	if err != nil {
		t.Fatal(err)
	}
	if c.Attrs["sector"] != "horeca" || fmt.Sprint(c.Attrs["employees"]) != "12" {
		t.Errorf("customer 11 = %+v", c)
	}
	if _, err := datamart.CustomerByID(ctx, ws, 99); !errors.Is(err, datamart.ErrNoCustomer) {
		t.Errorf("CustomerByID(99) err = %v", err)
	}
	chs, err := datamart.Distinct(ctx, ws, "contacts", "channel")
	if err != nil || fmt.Sprint(chs) != "[inbound mail phone]" {
		t.Errorf("Distinct channels = %v %v", chs, err)
	}
}

// An imported products table need only have product_id and name.
func TestImportedMinimalTables(t *testing.T) {
	ctx := context.Background()
	ws := sampletest.Memory(t)
	exec(t, ws, `CREATE TABLE products (product_id BIGINT, name VARCHAR)`, `INSERT INTO products VALUES (3, 'Router')`)
	ps, err := datamart.Products(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Name != "Router" || ps[0].Objective != "" || ps[0].Margin != 0 || ps[0].ChannelCost != nil {
		t.Fatalf("minimal products = %+v", ps)
	}
	if _, err := datamart.Holdings(ctx, ws); !errors.Is(err, datamart.ErrMissingTable) {
		t.Errorf("Holdings without the table: %v, want ErrMissingTable", err)
	}
	if _, ok, err := datamart.Snapshot(ctx, ws); ok || err != nil {
		t.Errorf("Snapshot without contacts = %v %v", ok, err)
	}
	exec(t, ws, `CREATE TABLE holdings (customer_id BIGINT)`)
	if _, err := datamart.Holdings(ctx, ws); err == nil || err.Error() != "datamart: the holdings table has no product_id column" {
		t.Errorf("holdings without product_id: %v", err)
	}
}

// The readers agree with the sample datamart's own counts.
func TestReadersSample(t *testing.T) {
	ctx := context.Background()
	ws := sampletest.Sample(t)
	count := func(q string) int {
		var n int
		if err := ws.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ps, err := datamart.Products(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != count(`SELECT count(*) FROM products`) {
		t.Errorf("%d products read", len(ps))
	}
	for _, p := range ps {
		if p.Name == "" || p.Family == "" || p.Margin <= 0 || p.HorizonYears <= 0 || len(p.ChannelCost) == 0 {
			t.Errorf("sample product incomplete: %+v", p)
		}
		switch p.Objective {
		case datamart.Retention, datamart.CrossSell, datamart.Upsell:
		default:
			t.Errorf("product %d objective %q", p.ID, p.Objective)
		}
	}
	ids, err := datamart.CustomerIDs(ctx, ws)
	if err != nil || len(ids) != sampletest.SampleCustomers {
		t.Fatalf("CustomerIDs: %d %v", len(ids), err)
	}
	n, err := datamart.CustomerCount(ctx, ws)
	if err != nil || n != int64(sampletest.SampleCustomers) {
		t.Fatalf("CustomerCount = %d %v", n, err)
	}
	hs, err := datamart.Holdings(ctx, ws)
	if err != nil || len(hs) != count(`SELECT count(*) FROM holdings`) {
		t.Fatalf("Holdings: %d %v", len(hs), err)
	}
	camps, err := datamart.Campaigns(ctx, ws)
	if err != nil || len(camps) != count(`SELECT count(*) FROM campaigns`) {
		t.Fatalf("Campaigns: %d %v", len(camps), err)
	}
	outbound := 0
	err = datamart.EachContact(ctx, ws, datamart.ContactFilter{}, func(c datamart.Contact) error {
		if c.Direction == "outbound" {
			outbound++
		}
		return nil
	})
	if err != nil || outbound != count(`SELECT count(*) FROM contacts WHERE direction = 'outbound'`) {
		t.Fatalf("outbound contacts %d %v", outbound, err)
	}
	oo, err := datamart.OptOuts(ctx, ws)
	if err != nil || len(oo) != count(`SELECT count(*) FROM optouts`) {
		t.Fatalf("OptOuts: %d %v", len(oo), err)
	}
}

// Example reads the products with their economics and what one customer holds.
func Example() {
	ctx := context.Background()
	ws, _ := workspace.Open(ctx, workspace.Memory)
	defer ws.Close()
	_, _ = ws.ExecContext(ctx, `CREATE TABLE products AS SELECT * FROM (VALUES
		(1, 'Mobile', 'mobile', 'upsell', 800.0, 2), (2, 'Fixed VoIP', 'fixed', 'cross-sell', 2500.0, 3))
		p(product_id, name, family, objective, margin, horizon_years)`)
	_, _ = ws.ExecContext(ctx, `CREATE TABLE holdings AS SELECT 42::BIGINT AS customer_id, 2 AS product_id,
		DATE '2024-01-01' AS start_date, NULL::DATE AS end_date`)

	products, err := datamart.Products(ctx, ws)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range products {
		fmt.Printf("%d %s (%s, %s): €%.0f over %d years\n", p.ID, p.Name, p.Family, p.Objective, p.Margin, p.HorizonYears)
	}
	held, _ := datamart.HoldingsOf(ctx, ws, 42)
	fmt.Println("customer 42 holds product", held[0].ProductID, "running:", held[0].End.IsZero())
	_, err = datamart.OptOuts(ctx, ws)
	fmt.Println(err)
	// Output:
	// 1 Mobile (mobile, upsell): €800 over 2 years
	// 2 Fixed VoIP (fixed, cross-sell): €2500 over 3 years
	// customer 42 holds product 2 running: true
	// the workspace has no optouts table (run acrm sample, or acrm import --as optouts)
}
