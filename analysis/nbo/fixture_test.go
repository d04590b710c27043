package nbo

import (
	"context"
	"sync"
	"testing"

	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata"
)

// fixtureSize keeps the package's workspace tests within seconds.
const fixtureSize = 4000

// fixtureProducts are trained in the fixture: two retention and four cross-sell/upsell products.
var fixtureProducts = []int{1, 7, 2, 5, 20, 24}

var (
	fixOnce sync.Once
	fixWS   *workspace.Workspace
	fixErr  error
)

// scoredWorkspace is one in-memory sample with logit look-alike models for fixtureProducts and
// one complete scoring, shared by the tests of this package (tests that write use their own).
func scoredWorkspace(t testing.TB) *workspace.Workspace {
	t.Helper()
	fixOnce.Do(func() { fixWS, fixErr = newScored(context.Background(), fixtureSize) })
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return fixWS
}

func newScored(ctx context.Context, n int) (*workspace.Workspace, error) {
	ws, err := workspace.Open(ctx, workspace.Memory)
	if err != nil {
		return nil, err
	}
	if _, err := sampledata.Generate(ctx, ws, sampledata.Options{Customers: n, Seed: 7}, nil); err != nil {
		return nil, err
	}
	// A product too rare for a small sample fails alone (a *ProductError); the others train.
	res, err := profiles.TrainAll(ctx, ws, profiles.AllSpec{Algo: "logit", Products: fixtureProducts, Seed: 1}, nil)
	if len(res) == 0 {
		return nil, err
	}
	if _, err := ScoreAll(ctx, ws, ScoreOptions{}); err != nil {
		return nil, err
	}
	return ws, nil
}
