// Package exploretest holds the test fixtures the analysis packages over the datamart
// (explore, segment) share: an in-memory workspace closed with the test, the sample
// datamart generated once per test binary, and the process CPU time benchmarks report.
package exploretest

import (
	"context"
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

// SampleCustomers and SampleSeed size the shared sample datamart.
const (
	SampleCustomers = 3000
	SampleSeed      = 1
)

var (
	sampleOnce sync.Once
	sampleWS   *workspace.Workspace
	sampleErr  error
)

// Sample returns a shared in-memory workspace with the sample datamart (SampleCustomers
// customers, seed SampleSeed), generated once per test binary. Tests must not change its
// data. It is skipped in -short mode.
func Sample(tb testing.TB) *workspace.Workspace {
	tb.Helper()
	if testing.Short() {
		tb.Skip("sample datamart skipped in -short mode")
	}
	sampleOnce.Do(func() {
		ctx := context.Background()
		sampleWS, sampleErr = workspace.Open(ctx, workspace.Memory)
		if sampleErr != nil {
			return
		}
		_, sampleErr = sampledata.Generate(ctx, sampleWS, sampledata.Options{Customers: SampleCustomers, Seed: SampleSeed}, nil)
	})
	if sampleErr != nil {
		tb.Fatal(sampleErr)
	}
	return sampleWS
}
