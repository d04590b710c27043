package segment

import (
	"context"
	"testing"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
)

// openHandFixture opens an in-memory workspace with ten customers whose KPIs are known by
// hand (see kpi_test.go):
//
//	id  sector   revenue  contract_end_months  products held   outbound contacts (acc)   opt-out
//	1   retail   100      2                    2               4 (1 acc, 1 dec) +1 old   yes
//	2   retail   200      2                    1 (+1 ended)    2 (2 acc)                 no
//	3   retail   300      3                    0               0 (1 inbound, ignored)   no
//	4   retail   400      NULL                 0               0                         no
//	5   finance  500      12                   1               0                         no
//	6   finance  600      12                   0               4 (0 acc)                 yes (twice)
//	7   finance  700      12                   0               0 (1 without product)     no
//	8   o'hare   800      12                   0               0                         no
//	9   o'hare   900      12                   0               0                         no
//	10  o'hare   1000     12                   0               0                         no
//
// Customer 1's old outbound contact (2022) counts in contacts_out, not contacts_12m; the
// snapshot is the latest contact, 2025-06-30.
func openHandFixture(t testing.TB) *workspace.Workspace {
	t.Helper()
	ctx := context.Background()
	ws := sampletest.Memory(t)
	stmts := []string{
		`CREATE TABLE customers AS SELECT i::BIGINT AS customer_id, 'cust ' || i AS name,
		   CASE WHEN i <= 4 THEN 'retail' WHEN i <= 7 THEN 'finance' ELSE 'o''hare' END AS sector,
		   CASE WHEN i <= 5 THEN 'small' ELSE 'large' END AS size_class,
		   (i * 3)::INTEGER AS employees, 'north' AS region, (i * 12)::INTEGER AS tenure_months,
		   (100.0 * i)::DOUBLE AS monthly_revenue, i::INTEGER AS mobile_subs,
		   CASE WHEN i <= 2 THEN 2 WHEN i = 3 THEN 3 WHEN i = 4 THEN NULL ELSE 12 END::INTEGER AS contract_end_months,
		   CASE WHEN i % 2 = 0 THEN NULL ELSE i END::INTEGER AS nps
		 FROM range(1, 11) r(i)`,
		`CREATE TABLE holdings (customer_id BIGINT, product_id INTEGER, start_date DATE, end_date DATE)`,
		`INSERT INTO holdings VALUES (1, 1, '2020-01-01', NULL), (1, 2, '2021-01-01', NULL),
		   (2, 1, '2020-01-01', NULL), (2, 2, '2020-01-01', '2023-01-01'), (5, 1, '2022-01-01', NULL)`,
		`CREATE TABLE contacts (contact_id BIGINT, customer_id BIGINT, ts TIMESTAMP, channel VARCHAR, direction VARCHAR,
		   campaign_id INTEGER, product_id INTEGER, outcome VARCHAR, revenue DOUBLE, reason VARCHAR)`,
		`INSERT INTO contacts VALUES
		   (1, 1, '2025-01-10 10:00', 'mail', 'outbound', 1, 1, 'accepted', 50, NULL),
		   (2, 1, '2025-02-10 10:00', 'mail', 'outbound', 1, 1, 'declined', 0, NULL),
		   (3, 1, '2025-03-10 10:00', 'phone', 'outbound', 2, 2, 'no_response', 0, NULL),
		   (4, 1, '2025-04-10 10:00', 'phone', 'outbound', 2, 2, NULL, 0, NULL),
		   (5, 1, '2022-04-10 10:00', 'mail', 'outbound', 3, 2, 'no_response', 0, NULL),
		   (6, 2, '2025-05-10 10:00', 'email', 'outbound', 1, 1, 'accepted', 30, NULL),
		   (7, 2, '2025-06-30 10:00', 'email', 'outbound', 1, 1, 'accepted', 20, NULL),
		   (8, 3, '2025-06-01 10:00', 'inbound', 'inbound', NULL, NULL, NULL, 0, 'question'),
		   (9, 6, '2025-01-01 10:00', 'mail', 'outbound', 1, 1, 'declined', 0, NULL),
		   (10, 6, '2025-02-01 10:00', 'mail', 'outbound', 1, 1, 'no_response', 0, NULL),
		   (11, 6, '2025-03-01 10:00', 'mail', 'outbound', 1, 1, 'no_response', 0, NULL),
		   (12, 6, '2025-04-01 10:00', 'mail', 'outbound', 1, 1, 'no_response', 0, NULL),
		   (13, 7, '2025-04-01 10:00', 'phone', 'outbound', NULL, NULL, NULL, 0, 'service call')`,
		`CREATE TABLE optouts (customer_id BIGINT, product_id INTEGER, channel VARCHAR, since DATE)`,
		`INSERT INTO optouts VALUES (1, NULL, NULL, '2024-01-01'), (6, 1, NULL, '2024-01-01'), (6, NULL, 'phone', '2024-02-01')`,
	}
	for _, s := range stmts {
		if _, err := ws.ExecContext(ctx, s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
	return ws
}
