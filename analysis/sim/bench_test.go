package sim

import (
	"context"
	"flag"
	"runtime"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

var bench1MPath = flag.String("sim.bench1m", "", "workspace file with a 1,000,000-customer history for BenchmarkRecompute1M (default: build the fixture in memory)")

// BenchmarkRecompute1M measures what a screen pays when an input of the frequency what-if is
// edited on a 1,000,000-customer history: the cached analysis is looked up (the fingerprint
// queries run against the workspace) and the what-if is recomputed from the cached aggregates
// and bootstrap replicates. The cold load (DuckDB aggregation + 200 bootstrap refits) is
// reported as cold-load-s. Target: ≤ 200 ms per recompute.
func BenchmarkRecompute1M(b *testing.B) {
	ctx := context.Background()
	var ws *workspace.Workspace
	if *bench1MPath != "" {
		var err error
		ws, err = workspace.Open(ctx, *bench1MPath)
		if err != nil {
			b.Fatal(err)
		}
		defer ws.Close()
	} else {
		ws = memWorkspace(b)
		start := time.Now()
		buildFixture(b, ws, 1_000_000, 1, defaultTruth)
		b.Logf("fixture: 1,000,000 customers in %v", time.Since(start))
	}
	var offers int64
	if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM contacts WHERE direction = 'outbound'`).Scan(&offers); err != nil {
		b.Fatal(err)
	}
	ClearFrequencyCache()
	last := time.Now()
	stage := ""
	opts := FrequencyOptions{Segment: "top", Boot: 200, Seed: 1, Report: func(p Progress) {
		if p.Stage != stage {
			b.Logf("%s starts after %v", p.Stage, time.Since(last))
			stage = p.Stage
		}
	}}
	start := time.Now()
	f, err := LoadFrequency(ctx, ws, opts)
	if err != nil {
		b.Fatal(err)
	}
	cold := time.Since(start)
	b.Logf("%d outbound offers; cold load of segment top (%d customers): %v; peak %.2f", offers, f.Segment.Customers, cold, f.Peak.Estimate)
	b.ReportMetric(cold.Seconds(), "cold-load-s")
	runtime.GC() // the fixture's garbage is not the recompute's cost
	b.ResetTimer()
	i := 0
	for b.Loop() {
		g, err := LoadFrequency(ctx, ws, opts)
		if err != nil {
			b.Fatal(err)
		}
		if g != f {
			b.Fatal("the analysis was not served from the cache")
		}
		if _, err := g.WhatIf(3, 1+i%8); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkWhatIf is the pure recompute alone (no workspace access) on a 20,000-customer
// fixture.
func BenchmarkWhatIf(b *testing.B) {
	ws := memWorkspace(b)
	buildFixture(b, ws, 20000, 1, defaultTruth)
	ClearFrequencyCache()
	f, err := LoadFrequency(context.Background(), ws, FrequencyOptions{Segment: "top", Boot: 200, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		if _, err := f.WhatIf(3, 1+i%8); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
