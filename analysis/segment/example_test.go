package segment_test

import (
	"context"
	"fmt"
	"log"

	"github.com/acrm-dev/acrm/analysis/explore"
	"github.com/acrm-dev/acrm/analysis/segment"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// exampleWorkspace holds 100 customers (sector by id, revenue 10·id, a contract ending
// within 3 months for every 4th), one product held by every 5th and one outbound offer to
// every even customer, accepted by every 6th.
func exampleWorkspace() *workspace.Workspace {
	ctx := context.Background()
	ws, err := workspace.Open(ctx, workspace.Memory)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range []string{
		`CREATE TABLE customers AS SELECT i::BIGINT AS customer_id,
		   CASE WHEN i <= 30 THEN 'retail' WHEN i <= 70 THEN 'ict' ELSE 'construction' END AS sector,
		   (10.0 * i)::DOUBLE AS monthly_revenue, (i % 12)::INTEGER AS mobile_subs,
		   CASE WHEN i % 4 = 0 THEN 2 ELSE 24 END::INTEGER AS contract_end_months
		 FROM range(1, 101) r(i)`,
		`CREATE TABLE holdings AS SELECT i::BIGINT AS customer_id, 1 AS product_id, DATE '2025-01-01' AS start_date, NULL::DATE AS end_date
		 FROM range(5, 101, 5) r(i)`,
		`CREATE TABLE contacts AS SELECT i::BIGINT AS contact_id, i::BIGINT AS customer_id, TIMESTAMP '2026-06-01' AS ts,
		   'mail' AS channel, 'outbound' AS direction, 1 AS campaign_id, 1 AS product_id,
		   CASE WHEN i % 6 = 0 THEN 'accepted' ELSE 'no_response' END AS outcome, 0.0 AS revenue, NULL AS reason
		 FROM range(2, 101, 2) r(i)`,
	} {
		if _, err := ws.ExecContext(ctx, s); err != nil {
			log.Fatal(err)
		}
	}
	return ws
}

func ExampleKPIs() {
	ws := exampleWorkspace()
	defer ws.Close()
	ctx := context.Background()
	segs := append([]segment.Segment{{Name: "retail", Filter: "sector = 'retail'"}}, segment.ValueSegments()[0])
	rows, err := segment.KPIs(ctx, ws, segs)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("segment        customers share  revenue (idx)   products (idx)  response (idx)  contract end (idx)")
	for _, r := range rows {
		fmt.Printf("%-14s %9d %5.0f%% %7.1f (%3.0f) %8.2f (%3.0f) %7.1f%% (%3.0f) %11.0f%% (%3.0f)\n",
			r.Segment, r.Customers, 100*r.Share, r.AvgRevenue, r.Index.AvgRevenue,
			r.ProductsPerCustomer, r.Index.ProductsPerCustomer, 100*r.ResponseRate, r.Index.ResponseRate,
			100*r.ContractEndShare, r.Index.ContractEndShare)
	}
	// Output:
	// segment        customers share  revenue (idx)   products (idx)  response (idx)  contract end (idx)
	// all customers        100   100%   505.0 (100)     0.20 (100)    32.0% (100)          25% (100)
	// retail                30    30%   155.0 ( 31)     0.20 (100)    33.3% (104)          23% ( 93)
	// top                   10    10%   955.0 (189)     0.20 (100)    20.0% ( 62)          30% (120)
}

func ExampleBuildFilter() {
	col := segment.ColumnInfo{Name: "sector", Type: "VARCHAR", Kind: explore.Categorical}
	f, err := segment.BuildFilter(col, segment.OpIn, "retail", "bed & breakfast's")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f)
	// Output:
	// "sector" IN ('retail', 'bed & breakfast''s')
}

func ExampleCrosstab() {
	ws := exampleWorkspace()
	defer ws.Close()
	x, err := segment.Crosstab(context.Background(), ws, "sector", "contract_end", "")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%-13s", "")
	for _, c := range x.ColLabels {
		fmt.Printf("%20s", "contract_end="+c)
	}
	fmt.Println()
	for i, r := range x.RowLabels {
		fmt.Printf("%-13s", r)
		for j := range x.ColLabels {
			fmt.Printf("%12d (%4.1f%%)", x.Counts[i][j], x.RowPct[i][j])
		}
		fmt.Println()
	}
	// Output:
	//                contract_end=false   contract_end=true
	// ict                    30 (75.0%)          10 (25.0%)
	// construction           22 (73.3%)           8 (26.7%)
	// retail                 23 (76.7%)           7 (23.3%)
}

func ExampleSave() {
	ws := exampleWorkspace()
	defer ws.Close()
	ctx := context.Background()
	err := segment.Save(ctx, ws, segment.Segment{Name: "big spenders", Filter: "monthly_revenue > 800 AND"})
	fmt.Println(err != nil)
	if err := segment.Save(ctx, ws, segment.Segment{Name: "big spenders", Filter: "monthly_revenue > 800"}); err != nil {
		log.Fatal(err)
	}
	n, _ := segment.Validate(ctx, ws, "monthly_revenue > 800")
	list, _ := segment.List(ctx, ws)
	fmt.Println(list[0].Name, list[0].Filter, n)
	// Output:
	// true
	// big spenders monthly_revenue > 800 20
}
