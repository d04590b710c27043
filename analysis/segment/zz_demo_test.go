package segment

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/acrm-dev/acrm/analysis/explore"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

func TestZZDemo(t *testing.T) {
	path := os.Getenv("DEMO_DB")
	if path == "" {
		t.Skip()
	}
	ctx := context.Background()
	ws, err := workspace.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	profs, err := explore.Profile(ctx, ws, "customers", nil)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%-20s %-12s %6s %8s %10s %10s %10s %10s\n", "column", "kind", "null%", "distinct", "min", "median", "max", "mean")
	for _, p := range profs {
		med, mean := "", ""
		if p.Quantiles != nil {
			med = explore.FormatFloat(p.Quantiles[2])
		}
		if p.Mean != nil {
			mean = explore.FormatFloat(*p.Mean)
		}
		mn, mx := p.Min, p.Max
		if len(mn) > 10 {
			mn = mn[:10]
		}
		if len(mx) > 10 {
			mx = mx[:10]
		}
		fmt.Printf("%-20s %-12s %6.1f %8d %10s %10s %10s %10s\n", p.Name, p.Kind, p.NullPct, p.Distinct, mn, med, mx, mean)
	}
	for _, p := range profs {
		if p.Name == "monthly_revenue" {
			fmt.Println("monthly_revenue histogram:", p.Histogram, "over", p.HistMin, p.HistMax)
		}
		if p.Name == "sector" {
			fmt.Println("sector top values:", p.TopValues)
		}
	}
	page, err := explore.Preview(ctx, ws, "contacts", explore.PreviewOptions{Filter: "where outcome = 'accepted'", OrderBy: "ts desc", Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(strings.Join(page.Columns, " | "), "— matching", page.Total)
	for _, r := range page.Rows {
		fmt.Println(strings.Join(r, " | "))
	}
	segs := append(ValueSegments(), Segment{Name: "retail 5+ subs", Filter: "sector = 'retail' AND mobile_subs >= 5"})
	rows, err := KPIs(ctx, ws, segs)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%-16s %9s %6s %14s %12s %13s %14s %12s\n", "segment", "customers", "share", "avg revenue", "products", "response", "contract end", "opt-out")
	for _, r := range rows {
		fmt.Printf("%-16s %9d %5.1f%% %8.0f (%3.0f) %6.2f (%3.0f) %6.2f%% (%3.0f) %7.1f%% (%3.0f) %5.1f%% (%3.0f)\n", r.Segment, r.Customers, 100*r.Share,
			r.AvgRevenue, r.Index.AvgRevenue, r.ProductsPerCustomer, r.Index.ProductsPerCustomer, 100*r.ResponseRate, r.Index.ResponseRate,
			100*r.ContractEndShare, r.Index.ContractEndShare, 100*r.OptOutShare, r.Index.OptOutShare)
	}
	x, err := Crosstab(ctx, ws, "size_class", "value_segment", "")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%-10s", "size_class")
	for _, c := range x.ColLabels {
		fmt.Printf("%16s", c)
	}
	fmt.Println()
	for i, r := range x.RowLabels {
		fmt.Printf("%-10s", r)
		for j := range x.ColLabels {
			fmt.Printf("%8d (%4.1f%%)", x.Counts[i][j], x.RowPct[i][j])
		}
		fmt.Println()
	}
	f, _ := BuildFilter(ColumnInfo{Name: "sector", Kind: explore.Categorical}, OpIn, "retail", "ict")
	n, err := Validate(ctx, ws, f)
	fmt.Println(f, "→", n, "customers", err)
	_, err = Validate(ctx, ws, "monthly_revenue + 1")
	fmt.Println(err)
	_, err = Validate(ctx, ws, "sectr = 'retail'")
	fmt.Println(err)
}
