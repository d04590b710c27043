package data_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/data"
	"github.com/acrm-dev/acrm/tui/internal/tuitest"
	"github.com/acrm-dev/acrm/tui/keys"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/theme"
)

// slowServices makes Profile and Preview wait for cancellation while slow is set.
type slowServices struct {
	services.Services
	slow atomic.Bool
}

func (s *slowServices) Profile(ctx context.Context, table string, report func(services.Progress)) ([]services.ColumnProfile, error) {
	if s.slow.Load() {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return s.Services.Profile(ctx, table, report)
}

func (s *slowServices) Preview(ctx context.Context, table string, offset, limit int, filter string) (*services.Page, error) {
	if s.slow.Load() {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return s.Services.Preview(ctx, table, offset, limit, filter)
}

// TestCancelledLoadsSayHowToReload: esc on a running profile and preview leaves both panes
// saying they were cancelled (not "profiling…" forever), and r loads them again.
func TestCancelledLoadsSayHowToReload(t *testing.T) {
	ws := tuitest.OpenFixture(t, 1000)
	svc := &slowServices{Services: services.New(ws)}
	svc.slow.Store(true)
	c := common.NewCommon(theme.New(true), svc)
	s := data.New(c)
	m, d := tuitest.NewScreen(s, c, 120, 34)
	d.Init()
	d.WaitFor(t, 20*time.Second, func() bool { return len(c.Jobs.Running()) == 2 }) // profile + preview
	if v := view(s); !strings.Contains(v, "profiling customers…") || !strings.Contains(v, "reading customers…") {
		t.Fatalf("loads not running:\n%s", v)
	}
	// What the shell does on esc (twice: both jobs).
	c.Jobs.CancelLatest(data.ID)
	c.Jobs.CancelLatest(data.ID)
	d.Settle(t, 10*time.Second)
	v := view(s)
	if strings.Contains(v, "profiling customers…") || strings.Contains(v, "reading customers…") {
		t.Fatalf("a cancelled load still says it is running:\n%s", v)
	}
	for _, want := range []string{"profiling customers cancelled — r reloads", "reading customers cancelled — r reloads"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if f := m.LastFlash(); f.Error || !strings.Contains(f.Text, "cancelled") {
		t.Errorf("flash %+v: want a cancelled status, not an error", f)
	}
	svc.slow.Store(false)
	d.Press(data.DefaultKeyMap(keys.DefaultNav()).Refresh)
	d.Settle(t, 20*time.Second)
	v = view(s)
	if strings.Contains(v, "cancelled") || !strings.Contains(v, "monthly_revenue") || !strings.Contains(v, "rows 1–") {
		t.Fatalf("r did not reload the profile and the preview:\n%s", v)
	}
}

// TestExportColumnChart: e is offered only on a column with a chart (not on customer_id),
// and e, a path and enter write that column's histogram as a PNG file.
func TestExportColumnChart(t *testing.T) {
	ws, s, m, d := setup(t)
	nav := keys.DefaultNav()
	k := data.DefaultKeyMap(nav)
	if tuitest.Enabled(s.KeyMap(), "e") {
		t.Fatal("e offered on customer_id, an identifier column that is never charted")
	}
	d.Press(k.Export)
	if s.InputFocused() {
		t.Fatal("e opened the export prompt on an identifier column")
	}
	pos := tuitest.Count(t, ws, "SELECT ordinal_position FROM information_schema.columns WHERE table_name = 'customers' AND column_name = 'monthly_revenue'")
	d.Press(k.Focus) // tables → columns
	for i := int64(1); i < pos; i++ {
		d.Press(nav.Down)
	}
	if !tuitest.Enabled(s.KeyMap(), "e") {
		t.Fatal("e not offered on monthly_revenue, which has a histogram")
	}
	d.Press(k.Export)
	if !s.InputFocused() || !strings.Contains(view(s), "customers-monthly_revenue.png") {
		t.Fatalf("export prompt not open with the default file name:\n%s", view(s))
	}
	img := tuitest.ExportPNG(t, d, m, filepath.Join(t.TempDir(), "revenue.png"), k.Apply)
	if b := img.Bounds(); b.Dx() != 1920 || b.Dy() != 1080 {
		t.Errorf("chart is %dx%d, want the deck's 1920x1080", b.Dx(), b.Dy())
	}
	if s.InputFocused() {
		t.Error("prompt still open after the export")
	}
}

// recordingServices records the stages an import reports through ImportOptions.Progress.
type recordingServices struct {
	services.Services
	stages []string
}

func (r *recordingServices) Import(ctx context.Context, opts services.ImportOptions) (*services.ImportResult, error) {
	inner := opts.Progress
	opts.Progress = func(done, total int64, stage string) {
		if len(r.stages) == 0 || r.stages[len(r.stages)-1] != stage {
			r.stages = append(r.stages, stage)
		}
		if inner != nil {
			inner(done, total, stage)
		}
	}
	return r.Services.Import(ctx, opts)
}

// TestImportReportsProgress: the Data screen's import passes a progress callback, so the
// job's progress line follows the import's stages.
func TestImportReportsProgress(t *testing.T) {
	ws := tuitest.OpenFixture(t, 200)
	rec := &recordingServices{Services: services.New(ws)}
	c := common.NewCommon(theme.New(true), rec)
	s := data.New(c)
	_, d := tuitest.NewScreen(s, c, 120, 34)
	d.Init()
	d.Settle(t, 20*time.Second)
	path := filepath.Join(t.TempDir(), "leads.csv")
	if err := os.WriteFile(path, []byte("customer_id,score\n1,0.5\n2,0.25\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	k := data.DefaultKeyMap(keys.DefaultNav())
	d.Press(k.Import)
	d.Type(path)
	d.Press(k.Apply)
	d.Settle(t, 20*time.Second)
	if got := strings.Join(rec.stages, ","); got != "checking,reading,committing" {
		t.Fatalf("import stages %q, want checking,reading,committing", got)
	}
	if n := tuitest.Count(t, ws, "SELECT count(*) FROM leads"); n != 2 {
		t.Fatalf("imported %d rows", n)
	}
}
