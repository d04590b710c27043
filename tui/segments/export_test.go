package segments_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/acrm-dev/acrm/charts"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/internal/tuitest"
	"github.com/acrm-dev/acrm/tui/segments"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/theme"
)

// TestExportKPIChart: with two segments compared, e, a path and enter write the segment
// KPI chart as a PNG; in the crosstab view e is not offered.
func TestExportKPIChart(t *testing.T) {
	_, s, m, d := setup(t)
	k := segments.DefaultKeyMap()
	d.Press(k.Mark) // top
	d.Press(k.Down)
	d.Press(k.Down)
	d.Press(k.Mark) // low
	d.Settle(t, 10*time.Second)
	if !tuitest.Enabled(s.KeyMap(), "e") {
		t.Fatal("e not offered with the KPI table on screen")
	}
	d.Press(k.Export)
	if !s.InputFocused() || !strings.Contains(view(s), "segments-top-low-kpis.png") {
		t.Fatalf("export prompt not open with the default name:\n%s", view(s))
	}
	tuitest.ExportPNG(t, d, m, filepath.Join(t.TempDir(), "kpis.png"), k.Next)
	d.Press(k.Crosstab)
	d.Settle(t, 10*time.Second)
	if tuitest.Enabled(s.KeyMap(), "e") {
		t.Error("e offered in the crosstab view, which has no chart")
	}
}

// TestSegmentChartOfTwoSegments: the chart of a 2-segment comparison indexes each KPI with
// a positive base on the base and names the segments and the value basis.
func TestSegmentChartOfTwoSegments(t *testing.T) {
	rows := []services.KPIRow{
		{Segment: "all customers", Customers: 1000},
		{Segment: "top", Filter: "value_segment = 'top'", Customers: 100},
		{Segment: "low", Filter: "value_segment = 'low'", Customers: 500},
	}
	rows[0].AvgRevenue, rows[1].AvgRevenue, rows[2].AvgRevenue = 1000, 5000, 200
	rows[0].ProductsPerCustomer, rows[1].ProductsPerCustomer, rows[2].ProductsPerCustomer = 3, 9, 1
	c, err := services.SegmentKPIChart(rows, services.BasisRevenue, charts.Header{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Segments) != 2 || len(c.KPIs) != 2 {
		t.Fatalf("chart has %d segments and %d KPIs, want 2 and 2 (KPIs with a zero base left out)", len(c.Segments), len(c.KPIs))
	}
	if c.KPIs[0].Index(0) != 500 || c.KPIs[0].Index(1) != 20 {
		t.Errorf("revenue indices %v, %v; want 500 and 20", c.KPIs[0].Index(0), c.KPIs[0].Index(1))
	}
	if !strings.Contains(c.Subtitle, "value segments by monthly revenue") || !strings.Contains(c.Subtitle, "top and low") {
		t.Errorf("subtitle %q does not name the segments and the value basis", c.Subtitle)
	}
}

// slowServices makes KPIs wait for cancellation while slow is set; everything else
// (including the chart export service) is the workspace's.
type slowServices struct {
	*services.Workspace
	slow atomic.Bool
}

func (s *slowServices) Crosstab(ctx context.Context, rowCol, colCol, filter string) (*services.CrossTable, error) {
	if s.slow.Load() {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return s.Workspace.Crosstab(ctx, rowCol, colCol, filter)
}

// TestCancelledCrosstabSaysHowToReload: the crosstab pane says it was cancelled, and r
// computes it.
func TestCancelledCrosstabSaysHowToReload(t *testing.T) {
	ws := tuitest.OpenFixture(t, 1000)
	svc := &slowServices{Workspace: services.New(ws)}
	c := common.NewCommon(theme.New(true), svc)
	s := segments.New(c)
	_, d := tuitest.NewScreen(s, c, 140, 40)
	d.Init()
	d.Settle(t, 20*time.Second)
	svc.slow.Store(true)
	d.Press(segments.DefaultKeyMap().Crosstab)
	d.WaitFor(t, 20*time.Second, func() bool { return c.Jobs.Busy() })
	c.Jobs.CancelLatest(segments.ID)
	d.Settle(t, 10*time.Second)
	if v := view(s); strings.Contains(v, "computing crosstab…") || !strings.Contains(v, "crosstab cancelled — r reloads") {
		t.Fatalf("cancelled crosstab not said:\n%s", v)
	}
	svc.slow.Store(false)
	d.Press(segments.DefaultKeyMap().Refresh)
	d.Settle(t, 20*time.Second)
	if v := view(s); strings.Contains(v, "cancelled") || !strings.Contains(lineWith(v, "│total"), "100") {
		t.Fatalf("r did not compute the crosstab:\n%s", v)
	}
}

func (s *slowServices) KPIs(ctx context.Context, segs []services.Segment) ([]services.KPIRow, error) {
	if s.slow.Load() {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return s.Workspace.KPIs(ctx, segs)
}

// TestCancelledKPIsSayHowToReload: esc on the KPI job of the next segment leaves "cancelled
// — r reloads" (not "computing KPIs…", nor the previous segment's table) and no e, and r
// computes them.
func TestCancelledKPIsSayHowToReload(t *testing.T) {
	ws := tuitest.OpenFixture(t, 1000)
	svc := &slowServices{Workspace: services.New(ws)}
	c := common.NewCommon(theme.New(true), svc)
	s := segments.New(c)
	m, d := tuitest.NewScreen(s, c, 140, 40)
	d.Init()
	d.Settle(t, 20*time.Second)
	k := segments.DefaultKeyMap()
	if !tuitest.Enabled(s.KeyMap(), "e") {
		t.Fatal("e not offered with the KPIs of top on screen")
	}
	svc.slow.Store(true)
	d.Press(k.Down) // middle
	d.WaitFor(t, 20*time.Second, func() bool {
		for _, j := range c.Jobs.Running() {
			if j.Label == "computing KPIs" {
				return true
			}
		}
		return false
	})
	c.Jobs.CancelLatest(segments.ID) // what the shell does on esc
	d.Settle(t, 10*time.Second)
	v := view(s)
	if strings.Contains(v, "computing KPIs…") || !strings.Contains(v, "computing KPIs cancelled — r reloads") || headerHas(v, "top") {
		t.Fatalf("cancelled KPIs not said:\n%s", v)
	}
	if f := m.LastFlash(); f.Error || !strings.Contains(f.Text, "cancelled") {
		t.Errorf("flash %+v: want a cancelled status", f)
	}
	if tuitest.Enabled(s.KeyMap(), "e") {
		t.Error("e offered while the KPI table is cancelled")
	}
	svc.slow.Store(false)
	d.Press(k.Refresh)
	d.Settle(t, 20*time.Second)
	if v := view(s); strings.Contains(v, "cancelled") || !headerHas(v, "middle") {
		t.Fatalf("r did not compute the KPIs of middle:\n%s", v)
	}
}

// TestGolden draws the screen at 80×24 and 140×45 in its main states and compares the
// frames with testdata/TestGolden/*.golden (go test ./tui/segments -update).
func TestGolden(t *testing.T) {
	ws := tuitest.OpenFixture(t, 1000)
	k := segments.DefaultKeyMap()
	states := []struct {
		name  string
		drive func(d *tuitest.Driver)
	}{
		{"kpis", func(d *tuitest.Driver) {}},
		{"compare", func(d *tuitest.Driver) {
			d.Press(k.Mark)
			d.Press(k.Down)
			d.Press(k.Down)
			d.Press(k.Mark)
		}},
		{"crosstab", func(d *tuitest.Driver) { d.Press(k.Crosstab) }},
		{"builder", func(d *tuitest.Driver) {
			d.Press(k.New)
			d.Press(k.Down)
			d.Press(k.Down)
		}},
		{"builder_values", func(d *tuitest.Driver) {
			d.Press(k.New)
			for _, b := range []key.Binding{k.Down, k.Down, k.Down} {
				d.Press(b)
			}
			d.Press(k.Next) // operator
			d.Settle(t, 10*time.Second)
			d.Press(k.Next) // value, picked from the column's values
		}},
	}
	for _, size := range [][2]int{{80, 24}, {140, 45}} {
		for _, st := range states {
			t.Run(fmt.Sprintf("%s_%dx%d", st.name, size[0], size[1]), func(t *testing.T) {
				c := common.NewCommon(theme.New(true), services.New(ws))
				s := segments.New(c)
				_, d := tuitest.NewScreen(s, c, size[0], size[1])
				d.Init()
				d.Settle(t, 20*time.Second)
				st.drive(d)
				d.Settle(t, 20*time.Second)
				golden.RequireEqual(t, []byte(view(s)))
			})
		}
	}
}
