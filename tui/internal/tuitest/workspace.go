package tuitest

import (
	"context"
	"testing"

	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/tui/internal/fixture"
)

// OpenFixture opens an in-memory workspace with the hash-built datamart of n customers
// (fixture.Open), closed when the test ends.
func OpenFixture(tb testing.TB, n int) *workspace.Workspace {
	tb.Helper()
	ws, err := fixture.Open(context.Background(), n)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ws.Close() })
	return ws
}

// Count runs a query that returns one integer (a count) and fails the test on error.
func Count(tb testing.TB, ws *workspace.Workspace, q string) int64 {
	tb.Helper()
	var n int64
	if err := ws.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return n
}
