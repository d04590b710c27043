// Package sampletest is the one test fixture of the repository: in-memory workspaces with
// the sample datamart (sampledata.Generate, shared per size and seed within a test binary or
// fresh), the fast hash-built datamart for screen tests and the million-customer benchmarks
// (Build), and the model-registry snapshots golden screens load instead of training.
// Import it from _test.go files and test helpers only.
package sampletest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata"
)

// Memory opens an empty in-memory workspace, closed when the test or benchmark ends.
func Memory(tb testing.TB) *workspace.Workspace {
	tb.Helper()
	ws, err := workspace.Open(context.Background(), workspace.Memory)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ws.Close() })
	return ws
}

// Generate opens an in-memory workspace holding the sample datamart of opt (the workspace
// `acrm sample` writes); the caller closes it.
func Generate(ctx context.Context, opt sampledata.Options) (*workspace.Workspace, error) {
	ws, err := workspace.Open(ctx, workspace.Memory)
	if err != nil {
		return nil, err
	}
	if _, err := sampledata.Generate(ctx, ws, opt, nil); err != nil {
		ws.Close()
		return nil, fmt.Errorf("sampletest: %w", err)
	}
	return ws, nil
}

// Fresh is Generate for one test: its own workspace (the test may change it), closed when
// the test ends.
func Fresh(tb testing.TB, customers int, seed uint64) *workspace.Workspace {
	tb.Helper()
	ws, err := Generate(context.Background(), sampledata.Options{Customers: customers, Seed: seed})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ws.Close() })
	return ws
}

type key struct {
	customers int
	seed      uint64
}

type shared struct {
	once sync.Once
	ws   *workspace.Workspace
	err  error
}

var (
	mu     sync.Mutex
	shares = map[key]*shared{}
)

// Shared returns the sample datamart of that size and seed, generated once per test binary
// and shared by its tests: they must not change its data.
func Shared(tb testing.TB, customers int, seed uint64) *workspace.Workspace {
	tb.Helper()
	mu.Lock()
	s := shares[key{customers, seed}]
	if s == nil {
		s = &shared{}
		shares[key{customers, seed}] = s
	}
	mu.Unlock()
	s.once.Do(func() {
		s.ws, s.err = Generate(context.Background(), sampledata.Options{Customers: customers, Seed: seed})
	})
	if s.err != nil {
		tb.Fatal(s.err)
	}
	return s.ws
}

// SampleCustomers and SampleSeed size the default shared sample datamart.
const (
	SampleCustomers = 3000
	SampleSeed      = 1
)

// Sample is Shared(SampleCustomers, SampleSeed), skipped in -short mode.
func Sample(tb testing.TB) *workspace.Workspace {
	tb.Helper()
	if testing.Short() {
		tb.Skip("sample datamart skipped in -short mode")
	}
	return Shared(tb, SampleCustomers, SampleSeed)
}

// u(i, k) is a deterministic pseudo-uniform in [0,1) from row i and stream k.
const u = `((hash(%s * 7919 + %d) %% 1000003) / 1000003.0)`

func uf(col string, k int) string { return fmt.Sprintf(u, col, k) }

// Build creates the datamart tables with n customers in ws.
func Build(ctx context.Context, ws *workspace.Workspace, n int) error {
	stmts := []string{
		fmt.Sprintf(`CREATE OR REPLACE TABLE customers AS
		SELECT i::BIGINT AS customer_id,
		       'Customer ' || i AS name,
		       ['retail','horeca','transport','construction','services','health'][1 + floor(%[2]s * 6)::INT] AS sector,
		       ['micro','small','medium','large'][1 + floor(%[3]s * %[3]s * 4)::INT] AS size_class,
		       (1 + floor(%[4]s * %[4]s * 200))::INTEGER AS employees,
		       ['Utrecht','Noord-Holland','Zuid-Holland','Noord-Brabant','Gelderland'][1 + floor(%[5]s * 5)::INT] AS region,
		       (1 + floor(%[6]s * 120))::INTEGER AS tenure_months,
		       round(20 + %[7]s * %[7]s * 2000, 2)::DOUBLE AS monthly_revenue,
		       floor(%[8]s * 30)::INTEGER AS mobile_subs,
		       round(%[9]s * 80, 1)::DOUBLE AS data_gb_month,
		       floor(%[10]s * 6)::INTEGER AS fixed_lines,
		       (1 + floor(%[11]s * %[11]s * 5))::INTEGER AS locations,
		       CASE WHEN %[12]s < 0.1 THEN NULL ELSE floor(%[12]s * 36)::INTEGER END AS contract_end_months,
		       floor(%[13]s * 40)::INTEGER AS payment_delay_days,
		       CASE WHEN %[14]s < 0.3 THEN NULL ELSE floor(%[14]s * 21 - 10)::INTEGER END AS nps,
		       round(%[15]s, 3)::DOUBLE AS digital_affinity
		FROM range(1, %[1]d + 1) t(i)`, n, uf("i", 1), uf("i", 2), uf("i", 3), uf("i", 4), uf("i", 5), uf("i", 6), uf("i", 7), uf("i", 8), uf("i", 9), uf("i", 10), uf("i", 11), uf("i", 12), uf("i", 13), uf("i", 14)),
		`CREATE OR REPLACE TABLE products AS
		SELECT * FROM (VALUES
		  (1, 'MOB-M', 'Mobile Data M', 'mobile', 'upsell', 800.0, 2, 25.0),
		  (2, 'MOB-XL', 'Mobile Data XL', 'mobile', 'upsell', 1200.0, 2, 45.0),
		  (3, 'FIX-VOIP', 'Fixed VoIP', 'fixed', 'cross-sell', 2500.0, 3, 30.0),
		  (4, 'SDWAN', 'SD-WAN', 'network', 'cross-sell', 4100.0, 3, 120.0),
		  (5, 'RENEW', 'Contract renewal', 'loyalty', 'retention', 2900.0, 2, 0.0)
		) p(product_id, code, name, family, objective, margin, horizon_years, monthly_price)`,
		fmt.Sprintf(`CREATE OR REPLACE TABLE holdings AS
		SELECT c.customer_id, p.product_id::INTEGER AS product_id, DATE '2024-01-01' + floor(%[1]s * 700)::INT AS start_date,
		       CASE WHEN %[2]s < 0.15 THEN DATE '2026-06-01' ELSE NULL END AS end_date
		FROM customers c, range(1, 6) p(product_id)
		WHERE %[3]s < 0.25 + 0.1 * (c.mobile_subs > 10)::INT`, uf("c.customer_id*10+p.product_id", 20), uf("c.customer_id*10+p.product_id", 21), uf("c.customer_id*10+p.product_id", 22)),
		fmt.Sprintf(`CREATE OR REPLACE TABLE contacts AS
		SELECT row_number() OVER (ORDER BY c.customer_id, k.j)::BIGINT AS contact_id, c.customer_id,
		       TIMESTAMP '2025-01-01' + to_days(floor(%[1]s * 600)::INT) AS ts,
		       ['mail','email','phone','inbound','web','account_manager'][1 + floor(%[2]s * 6)::INT] AS channel,
		       CASE WHEN %[3]s < 0.7 THEN 'outbound' ELSE 'inbound' END AS direction,
		       NULL::INTEGER AS campaign_id, (1 + floor(%[4]s * 5))::INTEGER AS product_id,
		       CASE WHEN %[5]s < 0.08 THEN 'accepted' WHEN %[5]s < 0.5 THEN 'declined' ELSE 'no_response' END AS outcome,
		       0.0::DOUBLE AS revenue, NULL::VARCHAR AS reason
		FROM customers c, range(0, 3) k(j)
		WHERE %[6]s < 0.6`, uf("c.customer_id*10+k.j", 30), uf("c.customer_id*10+k.j", 31), uf("c.customer_id*10+k.j", 32), uf("c.customer_id*10+k.j", 33), uf("c.customer_id*10+k.j", 34), uf("c.customer_id*10+k.j", 35)),
		fmt.Sprintf(`CREATE OR REPLACE TABLE optouts AS
		SELECT customer_id, NULL::INTEGER AS product_id, 'phone' AS channel, DATE '2025-03-01' AS since
		FROM customers WHERE %s < 0.05`, uf("customer_id", 40)),
	}
	for _, s := range stmts {
		if _, err := ws.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("sampletest: %w", err)
		}
	}
	return nil
}

// Open returns an in-memory workspace with the hash-built datamart of n customers.
func Open(ctx context.Context, n int) (*workspace.Workspace, error) {
	ws, err := workspace.Open(ctx, workspace.Memory)
	if err != nil {
		return nil, err
	}
	if err := Build(ctx, ws, n); err != nil {
		ws.Close()
		return nil, err
	}
	return ws, nil
}
