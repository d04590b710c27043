package monitor_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	analysis "github.com/acrm-dev/acrm/analysis/monitor"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/sampledata"
	"github.com/acrm-dev/acrm/sampledata/sampletest"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/internal/tuitest"
	"github.com/acrm-dev/acrm/tui/monitor"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/theme"
)

// pinned is the real workbench over a fixture workspace with the drift baseline's date
// pinned, so the golden views do not change with the clock.
type pinned struct{ *services.Workspace }

func (p pinned) MonitorReport(ctx context.Context, opt analysis.Options, report func(services.Progress)) (*analysis.Report, error) {
	r, err := p.Workspace.MonitorReport(ctx, opt, report)
	if r != nil && r.Drift != nil {
		r.Drift.TakenAt = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
		for i, f := range r.Flags {
			r.Flags[i].Text = strings.ReplaceAll(f.Text, time.Now().UTC().Format(time.DateOnly), "2026-11-01")
		}
	}
	return r, err
}

var (
	fixOnce sync.Once
	fixWS   *workspace.Workspace
	fixErr  error
)

// fixture: a 1,200-customer sample with the history's campaigns, one campaign 9001 whose
// registered prediction is the truth (outcomes drawn by the market simulator), a drift
// baseline, and then a shift of digital_affinity in the base.
func fixture(t *testing.T) *services.Workspace {
	t.Helper()
	fixOnce.Do(func() {
		ctx := context.Background()
		fixWS, fixErr = sampletest.Generate(ctx, sampledataOptions())
		if fixErr != nil {
			return
		}
		if fixErr = sampletest.TrueCampaign(ctx, fixWS, 9001, 16, "account_manager", 1, 13); fixErr != nil {
			return
		}
		if _, fixErr = analysis.TakeBaseline(ctx, fixWS, "customers at snapshot 2026-10-31"); fixErr != nil {
			return
		}
		_, fixErr = fixWS.ExecContext(ctx, `UPDATE customers SET digital_affinity = 0.5 + digital_affinity / 2 WHERE customer_id % 2 = 0`)
	})
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return services.New(fixWS)
}

func open(t *testing.T, w, h int) (*tuitest.ScreenModel, *tuitest.Driver) {
	t.Helper()
	svc := pinned{fixture(t)}
	c := common.NewCommon(theme.New(true), svc)
	m, d := tuitest.NewScreen(monitor.New(c), c, w, h)
	d.Init()
	d.Settle(t, 60*time.Second)
	if v := ansi.Strip(m.View()); strings.Contains(v, "drift since") {
		t.Fatalf("drift measured on opening:\n%s", v)
	}
	d.Press(monitor.DefaultKeyMap().Refresh) // campaigns and drift
	d.Settle(t, 60*time.Second)
	return m, d
}

// TestGolden: the campaign with a prediction in each view at 140×45 and 80×24
// (go test ./tui/monitor -update rewrites testdata/TestGolden/*.golden).
func TestGolden(t *testing.T) {
	k := monitor.DefaultKeyMap()
	for _, size := range [][2]int{{140, 45}, {80, 24}} {
		m, d := open(t, size[0], size[1])
		d.Press(k.Bottom) // campaign 9001, the last
		for _, view := range []string{"deciles", "time", "qini", "drift"} {
			t.Run(fmt.Sprintf("%s_%dx%d", view, size[0], size[1]), func(t *testing.T) {
				v := ansi.Strip(m.View())
				if !strings.Contains(v, "Campaign 9001") && view != "drift" {
					t.Fatalf("campaign 9001 not on screen:\n%s", v)
				}
				golden.RequireEqual(t, []byte(v))
			})
			d.Press(k.View)
		}
	}
}

func TestScreenShowsTheReport(t *testing.T) {
	m, d := open(t, 140, 45)
	k := monitor.DefaultKeyMap()
	v := ansi.Strip(m.View())
	for _, want := range []string{"49 campaigns", "drift since 2026-11-01", "no registered prediction"} {
		if !strings.Contains(v, want) {
			t.Errorf("%q not on screen:\n%s", want, v)
		}
	}
	// Exports refuse what has no chart, then write the decile chart of campaign 9001.
	d.Press(k.Export)
	d.Settle(t, 10*time.Second)
	if fl := m.LastFlash(); !fl.Refused {
		t.Errorf("export of a campaign without prediction: %+v", fl)
	}
	d.Press(k.Bottom)
	d.Press(k.Export)
	path := filepath.Join(t.TempDir(), "deciles.png")
	img := tuitest.ExportPNG(t, d, m, path, enter)
	if img.Bounds().Dx() < 400 {
		t.Errorf("chart %v", img.Bounds())
	}
	d.Press(k.View) // over time
	d.Press(k.Export)
	tuitest.ExportPNG(t, d, m, filepath.Join(t.TempDir(), "time.png"), enter)
	d.Press(k.View) // Qini
	d.Press(k.Export)
	tuitest.ExportPNG(t, d, m, filepath.Join(t.TempDir(), "qini.png"), enter)
	// The drift view lists digital_affinity first, shifted; it has no chart to export.
	d.Press(k.View)
	v = ansi.Strip(m.View())
	if !strings.Contains(v, "digital_affinity") || !strings.Contains(v, "▲ shifted") {
		t.Errorf("drift view:\n%s", v)
	}
	d.Press(k.Export)
	d.Settle(t, 10*time.Second)
	if fl := m.LastFlash(); !fl.Refused || !strings.Contains(fl.Text, "drift") {
		t.Errorf("drift export: %+v", fl)
	}
}

var enter = key.NewBinding(key.WithKeys("enter"))

func sampledataOptions() sampledata.Options { return sampledata.Options{Customers: 1200, Seed: 5} }

// challengeFake answers c with a fixed comparison and records what p promotes.
type challengeFake struct {
	pinned
	promoted *string
}

func (f challengeFake) ChallengeNewest(ctx context.Context, id int) (*analysis.Challenge, error) {
	return &analysis.Challenge{CampaignID: id, ProductID: 16, Members: 500, Converted: 40,
		Champion:   analysis.ModelOnOutcomes{Model: "P16-response@v1", AUC: 0.59},
		Challenger: analysis.ModelOnOutcomes{Model: "P16-response@v2", AUC: 0.85},
		Diff:       0.26, SE: 0.05, Z: 5.2, P: 1e-7}, nil
}

func (f challengeFake) PromoteModel(ctx context.Context, ref string) (string, error) {
	*f.promoted = ref
	return "P16-response@v1", nil
}

// c compares the campaign's model with its challenger (shown under the detail); p promotes
// the challenger, and refuses before a comparison.
func TestChallengeAndPromoteKeys(t *testing.T) {
	var got string
	svc := challengeFake{pinned{fixture(t)}, &got}
	c := common.NewCommon(theme.New(true), svc)
	m, d := tuitest.NewScreen(monitor.New(c), c, 140, 45)
	d.Init()
	d.Settle(t, 60*time.Second)
	k := monitor.DefaultKeyMap()
	d.Press(k.Bottom) // campaign 9001, with a prediction
	d.Press(k.Promote)
	d.Settle(t, 10*time.Second)
	if fl := m.LastFlash(); !fl.Refused || got != "" {
		t.Errorf("p before c: %+v, promoted %q", fl, got)
	}
	d.Press(k.Challenge)
	d.Settle(t, 10*time.Second)
	v := ansi.Strip(m.View())
	for _, want := range []string{"champion   P16-response@v1: AUC 0.5900 on 500 outcomes", "challenger P16-response@v2: AUC 0.8500", "diff +0.2600 (DeLong z 5.20, p < 0.0001)", "challenger better · p promotes it"} {
		if !strings.Contains(v, want) {
			t.Errorf("%q not on screen:\n%s", want, v)
		}
	}
	d.Press(k.Promote)
	d.Settle(t, 60*time.Second)
	if got != "P16-response@v2" {
		t.Errorf("promoted %q", got)
	}
	if fl := m.LastFlash(); !strings.Contains(fl.Text, "P16-response@v2 serves now (was P16-response@v1)") {
		t.Errorf("flash after promote: %+v", fl)
	}
}
