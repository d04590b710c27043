package offers_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/acrm-dev/acrm/analysis/nbo"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/internal/tuitest"
	"github.com/acrm-dev/acrm/tui/offers"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/theme"
)

// fake is a workbench whose campaign selection returns a fixed result computed from the
// spec (so the screen's inputs visibly reach the use case) and records exports.
type fake struct {
	services.Services
	mu       sync.Mutex
	specs    []nbo.SelectSpec
	exported []string
	block    chan struct{} // when set, SelectCampaign waits for it or for cancellation
	outcomes []nbo.LiveOutcome
	// thresholds are the inbound thresholds asked for, in order
	thresholds []float64
}

// Path is an in-memory workspace's: the export dialog suggests a file in ./exports (the
// dialog asks for the workspace path since exports default to a folder beside it).
func (f *fake) Path() string { return ":memory:" }

func (f *fake) OfferProducts(context.Context) ([]services.OfferProduct, error) {
	return []services.OfferProduct{{ID: 2, Label: "P02 Mobile data-only SIM"}, {ID: 24, Label: "P24 SOC monitoring"}}, nil
}

func (f *fake) ScoreAll(context.Context, func(services.Progress)) (*nbo.ScoreResult, error) {
	return &nbo.ScoreResult{RunID: 2, Offers: 1234}, nil
}

func (f *fake) SelectCampaign(ctx context.Context, spec nbo.SelectSpec, report func(services.Progress)) (*nbo.SelectResult, error) {
	f.mu.Lock()
	f.specs = append(f.specs, spec)
	block := f.block
	f.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	n := spec.Size
	r := &nbo.SelectResult{Spec: spec, RunID: 1, Considered: 20000, Eligible: 15000, Contacted: n, Controls: n / 9,
		Cost: 1.5 * float64(n), Contracts: 0.04 * float64(n), Profit: 95 * float64(n),
		Removed:   map[string]int{nbo.RuleOwned: 3100, nbo.RuleOptOut: 740, nbo.RuleCoolDown: 380, nbo.RuleMinPropensity: 12},
		BySegment: map[string]int{"top": n / 2, "middle": n / 3, "low": n - n/2 - n/3}, Basis: nbo.SegmentBasis(1),
		Picks: []nbo.Pick{{CustomerID: 1}}}
	for d := 1; d <= 20; d++ {
		x := float64(d) / 20
		r.Gains = append(r.Gains, nbo.GainPoint{Depth: x, Share: 1 - (1-x)*(1-x)})
	}
	return r, nil
}

func (f *fake) ExportSelection(_ context.Context, sel *nbo.SelectResult, path string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.exported = append(f.exported, path)
	return fmt.Sprintf("campaign [57] registered; %d customers to contact written to %s", sel.Contacted, path), nil
}

func open(t *testing.T, f *fake, w, h int) (*tuitest.ScreenModel, *tuitest.Driver) {
	c := common.NewCommon(theme.New(true), f)
	m, d := tuitest.NewScreen(offers.New(c), c, w, h)
	d.Init()
	d.Settle(t, 10*time.Second)
	return m, d
}

// TestGolden: the campaign panel after a selection at 80×24 and 140×45
// (go test ./tui/offers -update rewrites testdata/TestGolden/*.golden).
func TestGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {140, 45}} {
		t.Run(fmt.Sprintf("selection_%dx%d", size[0], size[1]), func(t *testing.T) {
			f := &fake{}
			m, d := open(t, f, size[0], size[1])
			k := offers.DefaultKeyMap()
			d.Press(k.Down)  // channel
			d.Press(k.Right) // email
			d.Press(k.Run)
			d.Settle(t, 10*time.Second)
			v := ansi.Strip(m.View())
			if !strings.Contains(v, "expected profit € 475,000") {
				t.Fatalf("no result on screen:\n%s", v)
			}
			golden.RequireEqual(t, []byte(v))
		})
	}
}

func TestInputsReachTheSelection(t *testing.T) {
	f := &fake{}
	m, d := open(t, f, 140, 45)
	k := offers.DefaultKeyMap()
	d.Press(k.Right) // product: P02
	d.Press(k.Down)
	d.Press(k.Down)
	d.Press(k.Right) // budget
	d.Press(k.Amount)
	d.Send(tuitest.Key("ctrl+u"))
	d.Type("12000")
	d.Send(tuitest.Key("enter"))
	d.Settle(t, 10*time.Second)
	f.mu.Lock()
	last := f.specs[len(f.specs)-1]
	f.mu.Unlock()
	if last.Product != 2 || last.Budget != 12000 || last.Size != 0 || last.Channel != "mail" || last.Control != 0.1 {
		t.Errorf("spec %+v, want product 2, budget 12000 by mail with a 10 %% control cell", last)
	}
	// Export registers the selection and writes the file.
	d.Press(k.Export)
	path := filepath.Join(t.TempDir(), "sel.csv")
	d.Send(tuitest.Key("ctrl+u"))
	d.Type(path)
	d.Send(tuitest.Key("enter"))
	d.Settle(t, 10*time.Second)
	if len(f.exported) != 1 || f.exported[0] != path {
		t.Fatalf("exported %v, want %s", f.exported, path)
	}
	if fl := m.LastFlash(); !strings.Contains(fl.Text, "registered") {
		t.Errorf("flash %+v", fl)
	}
}

func TestCancelKeepsScreenUsable(t *testing.T) {
	f := &fake{block: make(chan struct{})}
	m, d := open(t, f, 140, 45)
	d.Press(offers.DefaultKeyMap().Run)
	if v := ansi.Strip(m.View()); !strings.Contains(v, "selecting") {
		t.Fatalf("no progress shown:\n%s", v)
	}
	m.C.Jobs.CancelAll()
	d.Settle(t, 10*time.Second)
	if v := ansi.Strip(m.View()); strings.Contains(v, "selecting…") || strings.Contains(v, "error") {
		t.Fatalf("after cancel:\n%s", v)
	}
}
