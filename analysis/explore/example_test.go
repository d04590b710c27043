package explore_test

import (
	"context"
	"fmt"
	"log"

	"github.com/acrm-dev/acrm/analysis/explore"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// exampleWorkspace holds a small customers table: 1,000 customers in four sectors with a
// revenue that grows with the id and an NPS that is missing for every third customer.
func exampleWorkspace() *workspace.Workspace {
	ctx := context.Background()
	ws, err := workspace.Open(ctx, workspace.Memory)
	if err != nil {
		log.Fatal(err)
	}
	_, err = ws.ExecContext(ctx, `CREATE TABLE customers AS
		SELECT i AS customer_id,
		       ['retail', 'ict', 'construction', 'retail'][1 + i % 4] AS sector,
		       (50 + i * 1.5)::DOUBLE AS monthly_revenue,
		       CASE WHEN i % 3 = 0 THEN NULL ELSE (i % 21) - 10 END::INTEGER AS nps
		FROM range(1, 1001) r(i)`)
	if err != nil {
		log.Fatal(err)
	}
	return ws
}

func ExampleProfile() {
	ws := exampleWorkspace()
	defer ws.Close()
	profiles, err := explore.Profile(context.Background(), ws, "customers", nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range profiles {
		fmt.Printf("%-15s %-7s null %5.1f%%  distinct %4d  min %-6s max %-6s", p.Name, p.Kind, p.NullPct, p.Distinct, p.Min, p.Max)
		if p.Mean != nil {
			fmt.Printf("  mean %.2f  median %.2f", *p.Mean, p.Quantiles[2])
		}
		if len(p.TopValues) > 0 {
			fmt.Printf("  top %s (%d)", p.TopValues[0].Value, p.TopValues[0].Count)
		}
		fmt.Println()
	}
	// Output:
	// customer_id     numeric null   0.0%  distinct 1000  min 1      max 1000    mean 500.50  median 500.50
	// sector          categorical null   0.0%  distinct    3  min construction max retail  top retail (500)
	// monthly_revenue numeric null   0.0%  distinct 1000  min 51.5   max 1550    mean 800.75  median 800.75
	// nps             numeric null  33.3%  distinct   14  min -9     max 10      mean 0.45  median 0.00  top -9 (48)
}

func ExamplePreview() {
	ws := exampleWorkspace()
	defer ws.Close()
	page, err := explore.Preview(context.Background(), ws, "customers", explore.PreviewOptions{
		Filter:  "where sector = 'ict' and monthly_revenue > 1000",
		OrderBy: "monthly_revenue desc",
		Limit:   3,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(page.Columns, "matching:", page.Total)
	for _, r := range page.Rows {
		fmt.Println(r)
	}
	// Output:
	// [customer_id sector monthly_revenue nps] matching: 91
	// [997 ict 1545.5 0]
	// [993 ict 1539.5 ∅]
	// [989 ict 1533.5 -8]
}
