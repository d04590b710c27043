package sampledata_test

import (
	"context"
	"fmt"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata"
)

func ExampleGenerate() {
	ctx := context.Background()
	ws, err := workspace.Open(ctx, workspace.Memory)
	if err != nil {
		panic(err)
	}
	defer ws.Close()
	sum, err := sampledata.Generate(ctx, ws, sampledata.Options{Customers: 1000, Seed: 1}, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("customers:", sum.Rows["customers"], "products:", sum.Rows["products"])
	fmt.Println("truth rows:", sum.Rows["sample_truth"])
	// Output:
	// customers: 1000 products: 32
	// truth rows: 32000
}

func ExampleFatigue() {
	// The contact-frequency factor: the base peaks at 6–7 offers a year, the top segment near 10.
	for _, n := range []int{3, 6, 7, 10, 14} {
		fmt.Printf("n=%2d base %.2f top %.2f\n", n, sampledata.Fatigue(n, false), sampledata.Fatigue(n, true))
	}
	fmt.Printf("top 3→4 per half year: %+.0f %%\n", 100*sampledata.SteadyStateEffect(3, 4, true))
	// Output:
	// n= 3 base 0.31 top 0.35
	// n= 6 base 0.98 top 0.79
	// n= 7 base 0.99 top 0.89
	// n=10 base 0.58 top 1.00
	// n=14 base 0.14 top 0.88
	// top 3→4 per half year: +60 %
}

func ExampleSimulate() {
	ctx := context.Background()
	ws, err := workspace.Open(ctx, workspace.Memory)
	if err != nil {
		panic(err)
	}
	defer ws.Close()
	if _, err := sampledata.Generate(ctx, ws, sampledata.Options{Customers: 500, Seed: 1}, nil); err != nil {
		panic(err)
	}
	profiles, err := sampledata.LoadProfiles(ctx, ws)
	if err != nil {
		panic(err)
	}
	prior, err := sampledata.LoadPrior(ctx, ws, sampledata.Snapshot.AddDate(-1, 0, 0))
	if err != nil {
		panic(err)
	}
	// Offer Microsoft 365 (product 16) by phone to customer 7 on three days after the snapshot.
	var plans []sampledata.PlannedContact
	for i := 0; i < 3; i++ {
		plans = append(plans, sampledata.PlannedContact{CustomerID: 7, ProductID: 16, Channel: sampledata.ChannelPhone,
			TS: time.Date(2026, 11, 2+7*i, 10, 0, 0, 0, time.UTC)})
	}
	outs, err := sampledata.Simulate(ctx, plans, profiles, prior, 1)
	if err != nil {
		panic(err)
	}
	for i := 1; i < len(outs); i++ {
		fmt.Println("n grows by one per offer:", outs[i].N == outs[i-1].N+1)
	}
	// Output:
	// n grows by one per offer: true
	// n grows by one per offer: true
}
