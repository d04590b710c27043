// Package screentest builds the small seeded workspace the Profiles and Simulate screen
// tests share: the sample datamart (sampledata) at a few thousand customers with one or two
// products trained by analysis/profiles, so the leaderboard, the gains charts, the rule
// profiles and the frequency what-if all have real numbers behind them.
package screentest

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/theme"
)

// Customers is the fixture's size: small enough to generate and train in seconds.
const Customers = 3000

// Seed is the sample generator's seed.
const Seed = 7

// Open returns an in-memory workspace with the sample datamart of n customers and look-alike
// profiles (all three algorithms) for the given products; it is closed when the test ends.
func Open(tb testing.TB, n int, products []int) *workspace.Workspace {
	tb.Helper()
	ctx := context.Background()
	ws, err := sampletest.Generate(ctx, sampledata.Options{Customers: n, Seed: Seed, Workers: 2})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ws.Close() })
	if len(products) == 0 {
		return ws
	}
	// One worker per fit so the models (and the golden screens) are the same on every run.
	b, err := profiles.LoadBase(ctx, ws, nil)
	if err != nil {
		tb.Fatal(err)
	}
	oracle, err := profiles.OracleAUC(ctx, ws)
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range products {
		spec := profiles.Spec{ProductID: p, Kind: profiles.Lookalike, Algo: "auto", Seed: 1, Workers: 1}
		if _, err := profiles.TrainProduct(ctx, ws, b, spec, oracle, nil); err != nil {
			tb.Fatal(err)
		}
	}
	return ws
}

// Host runs one screen the way the app shell does for the parts a screen relies on: job
// messages go through Jobs.Accept (stale ones dropped) to the screen, window sizes become
// SetSize, everything else goes to Update. It lets screen tests drive a screen with
// tuitest without the rest of the workbench.
type Host struct {
	C      *common.Common
	Screen common.Screen
}

// NewHost builds the screen with newScreen on a Common over ws (no colour, fixed clock).
func NewHost(ws *workspace.Workspace, newScreen func(*common.Common) common.Screen) *Host {
	c := common.NewCommon(theme.New(true), services.New(ws))
	c.Now = func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }
	return &Host{C: c, Screen: newScreen(c)}
}

// Init implements tea.Model.
func (h *Host) Init() tea.Cmd { return h.Screen.Init() }

// Update implements tea.Model.
func (h *Host) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case common.JobMsg:
		deliver, next := h.C.Jobs.Accept(msg)
		if !deliver {
			return h, next
		}
		return h, tea.Batch(next, h.Screen.Update(msg))
	case tea.WindowSizeMsg:
		h.Screen.SetSize(m.Width, m.Height)
		return h, nil
	case tea.KeyMsg:
		// The shell's esc: cancel the screen's latest job when one runs.
		if m.Type == tea.KeyEsc && h.C.Jobs.Busy() && !h.Screen.InputFocused() {
			h.C.Jobs.CancelLatest(h.Screen.ID())
			return h, nil
		}
	}
	return h, h.Screen.Update(msg)
}

// View implements tea.Model.
func (h *Host) View() string { return h.Screen.View() }

// Busy reports whether a job runs (for tuitest.New).
func (h *Host) Busy() bool { return h.C.Jobs.Busy() }

// PinTrainTimes sets every registered model's train time to zero (sampletest.PinTrainTimes).
func PinTrainTimes(tb testing.TB, ws *workspace.Workspace) {
	tb.Helper()
	if err := sampletest.PinTrainTimes(context.Background(), ws); err != nil {
		tb.Fatal(err)
	}
}

// OpenSnapshot returns the sample workspace of n customers with the model registry loaded
// from the snapshot file at path (newline-delimited JSON in testdata). When the file is
// missing, or the test runs with -update, it trains the products with analysis/profiles
// first (train times pinned) and writes the snapshot. Golden screens use it so that they
// change when the screen changes, not whenever the model code's numbers move; regenerate
// with go test ./tui/profiles ./tui/simulate -update after a change to the models.
func OpenSnapshot(tb testing.TB, n int, products []int, path string) *workspace.Workspace {
	tb.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		tb.Fatal(err)
	}
	update := false
	if f := flag.Lookup("update"); f != nil {
		update = f.Value.String() == "true"
	}
	if _, err := os.Stat(abs); err != nil || update {
		ws := Open(tb, n, products)
		PinTrainTimes(tb, ws)
		if err := sampletest.SaveRegistry(context.Background(), ws, abs); err != nil {
			tb.Fatal(err)
		}
		return ws
	}
	ws := Open(tb, n, nil)
	if err := sampletest.LoadRegistry(context.Background(), ws, abs); err != nil {
		tb.Fatalf("load registry snapshot %s: %v", path, err)
	}
	return ws
}
