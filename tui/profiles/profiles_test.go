package profiles_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/internal/tuitest"
	"github.com/acrm-dev/acrm/tui/profiles"
	"github.com/acrm-dev/acrm/tui/profiles/screentest"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/theme"
)

var _ = flag.Bool // golden registers -update

var (
	sharedOnce sync.Once
	sharedWS   *workspace.Workspace
)

// shared is a read-only workspace with products 1 and 2 trained (train times pinned).
func shared(t *testing.T) *workspace.Workspace {
	t.Helper()
	sharedOnce.Do(func() {
		// The workspace outlives the test that builds it; closed by TestMain's exit.
		sharedWS = screentest.Open(&keepAlive{T: t}, screentest.Customers, []int{1, 2})
		screentest.PinTrainTimes(t, sharedWS)
	})
	if sharedWS == nil {
		t.Fatal("shared fixture failed")
	}
	return sharedWS
}

// keepAlive swallows Cleanup so the shared workspace stays open for later tests.
type keepAlive struct{ *testing.T }

func (k *keepAlive) Cleanup(func()) {}

func drive(t *testing.T, ws *workspace.Workspace, w, h int) (*screentest.Host, *tuitest.Driver) {
	t.Helper()
	host := screentest.NewHost(ws, profiles.New)
	d := tuitest.New(host, host.Busy)
	d.Send(tea.WindowSizeMsg{Width: w, Height: h})
	d.Init()
	d.Settle(t, 30*time.Second)
	return host, d
}

func view(h *screentest.Host) string { return ansi.Strip(h.View()) }

// TestGolden runs the screen as a program (teatest) on the fixture at 80×24 and 140×45 and
// compares the final frame with testdata/TestGolden/*.golden (go test ./tui/profiles -update).
// The registry comes from testdata/registry.ndjson, a snapshot of analysis/profiles trained
// on this fixture (rewritten by -update), so model-code changes do not move the goldens.
func TestGolden(t *testing.T) {
	ws := screentest.OpenSnapshot(t, screentest.Customers, []int{1, 2}, "testdata/registry.ndjson")
	for _, size := range [][2]int{{80, 24}, {140, 45}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			host := screentest.NewHost(ws, profiles.New)
			tm := teatest.NewTestModel(t, host, teatest.WithInitialTermSize(size[0], size[1]))
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
				return bytes.Contains(b, []byte("2 model(s)")) && bytes.Contains(b, []byte("e export"))
			}, teatest.WithDuration(tuitest.Patience(20*time.Second)))
			if err := tm.Quit(); err != nil {
				t.Fatal(err)
			}
			fm := tm.FinalModel(t, teatest.WithFinalTimeout(tuitest.Patience(10*time.Second)))
			golden.RequireEqual(t, []byte(ansi.Strip(fm.View())))
		})
	}
}

// TestLeaderboard checks what the leaderboard says against the registry: per product the
// latest version of each algorithm, one ★ per product (the registry's is_best), AUCs as
// stored, and a "not trained" line for every other product.
func TestLeaderboard(t *testing.T) {
	ws := shared(t)
	host, _ := drive(t, ws, 140, 45)
	b, err := services.New(ws).ProfileBoard(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rows := profiles.Rows(b)
	stars := map[int]int{}
	models := 0
	for _, r := range rows {
		if r.Model == nil {
			continue
		}
		models++
		if r.Model.IsBest {
			stars[r.Product.ID]++
		}
	}
	if models != 2 || stars[1] != 1 || stars[2] != 1 {
		t.Fatalf("models %d, stars %v; want the kept model and its ★ for products 1 and 2", models, stars)
	}
	if len(rows) != len(b.Products) {
		t.Fatalf("%d rows for %d products: want one line per product", len(rows), len(b.Products))
	}
	v := view(host)
	first := rows[0].Model
	want := fmt.Sprintf("%s v%d", first.Algo, first.Version)
	line := lineWith(v, "> "+rows[0].Product.Name[:10])
	cv := profiles.CVAUC(first.Metrics.AUC, first.Metrics.AUCSD, first.Metrics.Folds)
	if !strings.Contains(line, want) || !strings.Contains(line, cv) || first.Metrics.Folds != 5 || !strings.Contains(cv, "±") {
		t.Fatalf("first leaderboard line %q does not show %s with CV AUC %s", line, want, cv)
	}
	if !strings.Contains(v, "not trained · t trains it") {
		t.Fatal("untrained products are not listed")
	}
	// The first rule's first condition, in words (the pane wraps it: compare word by word).
	words := strings.Fields(features.Plain(first.Metrics.Rules[0].Conditions[0], func(id int) string {
		for _, r := range rows {
			if r.Product.ID == id {
				return r.Product.Name
			}
		}
		return ""
	}))
	if !strings.Contains(v, "Rule profile") || !strings.Contains(strings.Join(strings.Fields(ruleBox(v)), " "), strings.Join(words, " ")) {
		t.Fatalf("rule profile of the selected model (%q) missing:\n%s", strings.Join(words, " "), v)
	}
}

func lineWith(v, sub string) string {
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

func TestFormatters(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{{0.861, ".861"}, {0.0044, ".004"}, {1, "1.000"}, {nan(), "–"}} {
		if got := profiles.Dec3(c.v); got != c.want {
			t.Errorf("Dec3(%v) = %q, want %q", c.v, got, c.want)
		}
	}
	for _, c := range []struct {
		ms   float64
		want string
	}{{340, "340ms"}, {2400, "2.4s"}, {65000, "1m05s"}, {-1, "–"}} {
		if got := profiles.Duration(c.ms); got != c.want {
			t.Errorf("Duration(%v) = %q, want %q", c.ms, got, c.want)
		}
	}
}

func nan() float64 { var z float64; return z / z }

// TestCompare pins the first model with c, moves to the second and checks the side-by-side
// table shows both AUCs and their difference; c again closes it.
func TestCompare(t *testing.T) {
	ws := shared(t)
	host, d := drive(t, ws, 140, 45)
	k := profiles.DefaultKeyMap()
	s := host.Screen.(*profiles.Screen)
	a := s.Selected()
	d.Press(k.Compare)
	d.Press(k.Down)
	b := s.Selected()
	v := view(host)
	if !strings.Contains(v, "Compare "+a.Algo) {
		t.Fatalf("no comparison pane:\n%s", v)
	}
	diff := b.Metrics.AUC - a.Metrics.AUC
	sign := "+"
	if diff < 0 {
		sign, diff = "−", -diff
	}
	line := lineWith(v, "AUC   ")
	for _, want := range []string{profiles.Dec3(a.Metrics.AUC), profiles.Dec3(b.Metrics.AUC), sign + profiles.Dec3(diff)} {
		if !strings.Contains(line, want) {
			t.Fatalf("comparison AUC line %q lacks %q", line, want)
		}
	}
	d.Press(k.Compare)
	if strings.Contains(view(host), "Compare ") {
		t.Fatal("c did not close the comparison")
	}
}

// TestExportPNG presses e, types a path and checks the PNG: it decodes at 1920×1080 and no
// temporary file is left next to it.
func TestExportPNG(t *testing.T) {
	ws := shared(t)
	host, d := drive(t, ws, 140, 45)
	dir := t.TempDir()
	path := filepath.Join(dir, "gains.png")
	d.Press(profiles.DefaultKeyMap().Export)
	if !host.Screen.InputFocused() {
		t.Fatal("e did not open the file name input")
	}
	if !strings.Contains(view(host), "-gains.png") {
		t.Fatal("no default file name offered")
	}
	d.Send(tuitest.Key("ctrl+u"))
	d.Type(path)
	d.Send(tuitest.Key("enter"))
	d.Settle(t, 30*time.Second)
	assertFlash(t, d, "wrote "+path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width != 1920 || cfg.Height != 1080 {
		t.Fatalf("PNG is %d×%d, want 1920×1080", cfg.Width, cfg.Height)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("directory holds %v, want only gains.png", names)
	}
}

// assertFlash checks that a FlashMsg containing text was delivered.
func assertFlash(t *testing.T, d *tuitest.Driver, text string) {
	t.Helper()
	var seen []string
	for _, m := range d.Seen {
		if f, ok := m.(common.FlashMsg); ok {
			if strings.Contains(f.Text, text) {
				return
			}
			seen = append(seen, f.Text)
		}
	}
	t.Fatalf("no flash containing %q; flashes: %q", text, seen)
}

// TestTrainDeleteCancel works on its own workspace: t trains an untrained product (three
// models appear, one ★), d asks before deleting and deletes on y, and esc cancels a running
// training job (status cancelled, nothing registered for that product).
func TestTrainDeleteCancel(t *testing.T) {
	ws := screentest.Open(t, screentest.Customers, nil)
	host, d := drive(t, ws, 140, 45)
	s := host.Screen.(*profiles.Screen)
	k := profiles.DefaultKeyMap()
	if !strings.Contains(view(host), "0 model(s)") {
		t.Fatalf("fresh workspace shows models:\n%s", view(host))
	}
	// one box says there is no model, not two identical ones (issue 11 bug 5)
	if v := view(host); strings.Count(v, "has no model yet") != 1 {
		t.Fatalf("%d 'has no model yet' boxes before any model exists:\n%s", strings.Count(v, "has no model yet"), v)
	}
	// Cancel: start training product 1 and press esc at once.
	d.Press(k.Train)
	if !host.C.Jobs.Busy() {
		t.Fatal("t started no job")
	}
	d.Send(tuitest.Key("esc"))
	d.Settle(t, 30*time.Second)
	cancelled := false
	for _, m := range d.Seen {
		if done, ok := m.(common.Done[*services.TrainSummary]); ok {
			cancelled = done.Cancelled && done.Err == nil
		}
	}
	if !cancelled {
		t.Fatal("esc did not cancel the training job")
	}
	assertFlash(t, d, "cancelled")
	if n := countModels(t, ws); n != 0 {
		t.Fatalf("%d models registered after cancelling", n)
	}
	// Train product 1.
	d.Press(k.Train)
	d.Settle(t, 60*time.Second)
	if n := countModels(t, ws); n != 1 {
		t.Fatalf("%d models after t, want 1 (the kept candidate)", n)
	}
	v := view(host)
	if !strings.Contains(v, "1 model(s)") || strings.Count(v, "★") < 2 { // column header + best
		t.Fatalf("leaderboard after training:\n%s", v)
	}
	assertFlash(t, d, "trained 1 product(s), 1 model(s)")
	// Delete asks first; n keeps the model.
	victim := s.Selected().ModelID
	d.Press(k.Delete)
	if !strings.Contains(view(host), "Delete "+victim+" and its scores?") {
		t.Fatalf("d did not ask:\n%s", view(host))
	}
	d.Type("n")
	d.Settle(t, 10*time.Second)
	if n := countModels(t, ws); n != 1 {
		t.Fatalf("n deleted a model (%d left)", n)
	}
	d.Press(k.Delete)
	d.Type("y")
	d.Settle(t, 10*time.Second)
	if n := countModels(t, ws); n != 0 {
		t.Fatalf("%d models after y, want 0", n)
	}
	if strings.Contains(view(host), victim) {
		t.Fatalf("deleted model %s still on screen", victim)
	}
}

func countModels(t *testing.T, ws *workspace.Workspace) int {
	t.Helper()
	var n int
	if err := ws.QueryRowContext(context.Background(), `SELECT count(*) FROM acrm_models`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// bare offers the workbench's base services only (no propensity profiles).
type bare struct{ services.Services }

// TestNoService shows a clear message instead of a blank screen when the services lack
// profiles, and ignores keys.
func TestNoService(t *testing.T) {
	c := common.NewCommon(theme.New(true), bare{})
	s := profiles.New(c)
	s.SetSize(80, 22)
	if cmd := s.Init(); cmd != nil {
		t.Fatal("Init started work without a profile service")
	}
	if cmd := s.Update(tuitest.Key("T")); cmd != nil {
		t.Fatal("T started work without a profile service")
	}
	if v := ansi.Strip(s.View()); !strings.Contains(v, "do not offer propensity profiles") {
		t.Fatalf("no explanation:\n%s", v)
	}
}

// ruleBox is the text of the rule profile pane: the last box's column of the lines below its
// title, without the coverage/rate/lift figures, so a rule wrapped over lines reads as one.
func ruleBox(v string) string {
	var out []string
	in := false
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, "Rule profile") {
			in = true
			continue
		}
		end := strings.LastIndex(l, "│")
		if !in || end < 0 {
			continue
		}
		start := strings.LastIndex(l[:end], "│")
		if start < 0 {
			continue
		}
		for _, f := range strings.Fields(l[start+len("│") : end]) {
			if strings.HasSuffix(f, "%") || strings.HasSuffix(f, "×") {
				continue
			}
			out = append(out, f)
		}
	}
	return strings.Join(out, " ")
}
