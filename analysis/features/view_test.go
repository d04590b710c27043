package features

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// tinyMart is a hand-made datamart of three customers whose features are known.
const tinyMart = `
CREATE TABLE customers(customer_id BIGINT, name VARCHAR, sector VARCHAR, employees INTEGER, nps INTEGER);
INSERT INTO customers VALUES (1,'A','retail',10,7),(2,'B','ict',200,NULL),(3,'C','retail',3,9);
CREATE TABLE products(product_id INTEGER, code VARCHAR, name VARCHAR, family VARCHAR, objective VARCHAR);
INSERT INTO products VALUES (1,'MOB','Mobile','mobile','retention'),(2,'MOB+','Mobile data','mobile','upsell'),(3,'SEC','Firewall','security','cross-sell');
CREATE TABLE holdings(customer_id BIGINT, product_id INTEGER, start_date DATE, end_date DATE);
INSERT INTO holdings VALUES (1,1,'2020-01-01',NULL),(1,2,'2025-03-01',NULL),(1,3,'2021-01-01','2025-01-01'),
  (2,3,'2022-01-01',NULL),(3,1,'2019-01-01',NULL);
CREATE TABLE contacts(contact_id BIGINT, customer_id BIGINT, ts TIMESTAMP, channel VARCHAR, direction VARCHAR,
  campaign_id INTEGER, product_id INTEGER, outcome VARCHAR, revenue DOUBLE, reason VARCHAR);
INSERT INTO contacts VALUES
  (1,1,'2025-03-01 10:00','mail','outbound',1,2,'accepted',500,NULL),
  (2,1,'2026-10-01 10:00','phone','outbound',2,3,'declined',0,NULL),
  (3,1,'2026-10-20 10:00','inbound','inbound',NULL,NULL,NULL,0,'billing'),
  (4,2,'2026-10-31 12:00','mail','outbound',2,2,'no_response',0,NULL),
  (5,2,'2024-12-01 09:00','mail','outbound',1,3,'declined',0,NULL);
CREATE TABLE events(customer_id BIGINT, ts TIMESTAMP, kind VARCHAR, value DOUBLE);
INSERT INTO events VALUES (1,'2026-10-20 10:00','new_location',2),(1,'2026-06-01 10:00','new_location',3),(2,'2026-10-01 00:00','more_employees',250);
CREATE TABLE optouts(customer_id BIGINT, product_id INTEGER, channel VARCHAR, since DATE);
INSERT INTO optouts VALUES (3,NULL,NULL,'2025-01-01'),(2,3,'mail','2025-02-01');
`

func tinyWorkspace(t *testing.T) *workspace.Workspace {
	t.Helper()
	ctx := context.Background()
	ws, err := workspace.Open(ctx, workspace.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	if err := ws.ExecScript(ctx, tinyMart); err != nil {
		t.Fatal(err)
	}
	return ws
}

func TestCustomerView(t *testing.T) {
	ctx := context.Background()
	ws := tinyWorkspace(t)
	v, err := CustomerView(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Snapshot.Format("2006-01-02 15:04"); got != "2026-10-31 12:00" {
		t.Errorf("snapshot = %s", got)
	}
	f, err := Load(ctx, ws, LoadSpec{Query: v.SQL, ID: "customer_id"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Rows != 3 || strings.Join(f.IDs, ",") != "1,2,3" {
		t.Fatalf("rows = %d ids = %v", f.Rows, f.IDs)
	}
	if f.Col("name") != nil || f.Col("customer_id") != nil {
		t.Error("name and the id must not be features")
	}
	want := map[string][3]float64{
		"own_p1":                 {1, 0, 1},
		"own_p2":                 {1, 0, 0},
		"own_p3":                 {0, 1, 0}, // customer 1's holding of 3 ended
		"fam_mobile":             {2, 0, 1},
		"fam_security":           {0, 1, 0},
		"n_products":             {2, 1, 1},
		"ct12_mail":              {0, 1, 0}, // the 2025-03 mail is older than 12 months
		"ct12_phone":             {1, 0, 0},
		"ct12_inbound":           {1, 0, 0},
		"ct12_in":                {1, 0, 0},
		"ct12_out":               {1, 1, 0},
		"n_accepted":             {1, 0, 0},
		"n_declined":             {1, 1, 0},
		"n_no_response":          {0, 1, 0},
		"acc_p2":                 {1, 0, 0},
		"dec_p3":                 {1, 1, 0},
		"contact_revenue":        {500, 0, 0},
		"days_since_contact":     {11, 0, math.NaN()},
		"ev_new_location_n":      {2, 0, 0},
		"ev_new_location_days":   {11, math.NaN(), math.NaN()},
		"ev_more_employees_n":    {0, 1, 0},
		"ev_more_employees_days": {math.NaN(), 30, math.NaN()},
		"optout_all":             {0, 0, 1},
		"optout_n":               {0, 1, 1},
		"employees":              {10, 200, 3},
	}
	for name, w := range want {
		c := f.Col(name)
		if c == nil {
			t.Errorf("view has no column %s (has %v)", name, f.Names())
			continue
		}
		for i := 0; i < 3; i++ {
			g := c.Num[i]
			if !(g == w[i] || math.IsNaN(g) && math.IsNaN(w[i])) {
				t.Errorf("%s[customer %d] = %v, want %v", name, i+1, g, w[i])
			}
		}
	}
	if c := f.Col("sector"); c == nil || c.Numeric || c.Str[1] != "ict" {
		t.Errorf("sector should be text: %+v", c)
	}

	// ForProduct(2): own_p2/acc_p2/dec_p2 go, fam_mobile, n_products and n_accepted lose P2.
	g, err := v.ForProduct(ctx, ws, f, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"own_p2", "acc_p2", "dec_p2"} {
		if g.Col(gone) != nil {
			t.Errorf("ForProduct(2) kept %s", gone)
		}
	}
	if g.Col("own_p1") == nil {
		t.Error("ForProduct(2) dropped another product's ownership")
	}
	for name, w := range map[string][3]float64{"fam_mobile": {1, 0, 1}, "n_products": {1, 1, 1}, "n_accepted": {0, 0, 0}, "n_declined": {1, 1, 0},
		"contact_revenue": {0, 0, 0}, "ct12_mail": {0, 0, 0}, "ct12_out": {1, 0, 0}, "n_no_response": {0, 0, 0}, "optout_n": {0, 1, 1}} {
		for i := 0; i < 3; i++ {
			if got := g.Col(name).Num[i]; got != w[i] {
				t.Errorf("ForProduct(2) %s[%d] = %v, want %v", name, i+1, got, w[i])
			}
		}
	}
	if f.Col("fam_mobile").Num[0] != 2 {
		t.Error("ForProduct modified the shared frame")
	}
	// ForProduct(3): customer 1's declined phone offer of 3 and customer 2's opt-out of 3 go.
	g3, err := v.ForProduct(ctx, ws, f, 3)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range map[string][3]float64{"ct12_phone": {0, 0, 0}, "ct12_out": {0, 1, 0}, "n_declined": {0, 0, 0}, "optout_n": {0, 0, 1},
		"days_since_contact": {11, 0, math.NaN()}, "fam_security": {0, 0, 0}, "acc_p2": {1, 0, 0}} {
		for i := 0; i < 3; i++ {
			got := g3.Col(name).Num[i]
			if !(got == w[i] || math.IsNaN(got) && math.IsNaN(w[i])) {
				t.Errorf("ForProduct(3) %s[%d] = %v, want %v", name, i+1, got, w[i])
			}
		}
	}
	if _, err := v.ForProduct(ctx, ws, f, 99); err == nil {
		t.Error("unknown product should fail")
	}
}

func TestCustomerViewNeedsDatamart(t *testing.T) {
	ctx := context.Background()
	ws, err := workspace.Open(ctx, workspace.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_, err = CustomerView(ctx, ws)
	if err == nil || !strings.Contains(err.Error(), `datamart table "customers"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadTargetErrors(t *testing.T) {
	ctx := context.Background()
	ws := tinyWorkspace(t)
	_, err := Load(ctx, ws, LoadSpec{Query: "customers", ID: "customer_id", Target: "employees + 1"}, nil)
	var te *TargetError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), `"employees + 1"`) || !strings.Contains(err.Error(), "INTEGER") {
		t.Fatalf("err = %v, want a TargetError naming the expression and INTEGER", err)
	}
	_, err = Load(ctx, ws, LoadSpec{Query: "customers", ID: "customer_id", Target: "no_such_col = 1"}, nil)
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "no_such_col") {
		t.Fatalf("err = %v", err)
	}
	_, err = Load(ctx, ws, LoadSpec{Query: "customers", ID: "cust"}, nil)
	if err == nil || !strings.Contains(err.Error(), `no id column "cust"`) {
		t.Fatalf("err = %v", err)
	}
	_, err = Load(ctx, ws, LoadSpec{Query: "customers", ID: "customer_id", Exclude: []string{"nosuch"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("err = %v", err)
	}
	f, err := Load(ctx, ws, LoadSpec{Query: "customers", ID: "customer_id", Target: "sector = 'retail'", Exclude: []string{"name"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// sector feeds the target, so it is not a feature.
	if strings.Join(f.Names(), ",") != "employees,nps" || strings.Join(f.TargetInputs, ",") != "sector" || f.Target[0] != 1 || f.Target[1] != 0 {
		t.Fatalf("names %v target inputs %v target %v", f.Names(), f.TargetInputs, f.Target)
	}
}
