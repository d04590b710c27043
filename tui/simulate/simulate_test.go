package simulate_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/charts/deck"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/internal/tuitest"
	"github.com/acrm-dev/acrm/tui/profiles/screentest"
	"github.com/acrm-dev/acrm/tui/services"
	"github.com/acrm-dev/acrm/tui/simulate"
	"github.com/acrm-dev/acrm/tui/theme"
)

var (
	sharedOnce sync.Once
	sharedWS   *workspace.Workspace
)

// keepAlive swallows Cleanup so the shared workspace stays open for later tests.
type keepAlive struct{ *testing.T }

func (k *keepAlive) Cleanup(func()) {}

// shared is the sample workspace with product 9 trained (it has randomly selected offers in
// the history, so its profit curve has a measured response rate).
func shared(t *testing.T) *workspace.Workspace {
	t.Helper()
	sharedOnce.Do(func() {
		sharedWS = screentest.Open(&keepAlive{T: t}, screentest.Customers, []int{9})
		screentest.PinTrainTimes(t, sharedWS)
	})
	if sharedWS == nil {
		t.Fatal("shared fixture failed")
	}
	return sharedWS
}

func drive(t *testing.T, ws *workspace.Workspace, w, h int) (*screentest.Host, *simulate.Screen, *tuitest.Driver) {
	t.Helper()
	host := screentest.NewHost(ws, simulate.New)
	d := tuitest.New(host, host.Busy)
	d.Send(tea.WindowSizeMsg{Width: w, Height: h})
	d.Init()
	d.Settle(t, 30*time.Second)
	return host, host.Screen.(*simulate.Screen), d
}

func view(h *screentest.Host) string { return ansi.Strip(h.View()) }

// TestGolden runs the screen as a program (teatest) at 80×24 and 140×45 and compares the
// final frame of each panel with testdata/TestGolden/*.golden (go test ./tui/simulate -update).
func TestGolden(t *testing.T) {
	// The registry is a snapshot of analysis/profiles trained on this fixture (rewritten by
	// -update), so model-code changes do not move the goldens.
	ws := screentest.OpenSnapshot(t, screentest.Customers, []int{9}, "testdata/registry.ndjson")
	k := simulate.DefaultKeyMap()
	for _, size := range [][2]int{{80, 24}, {140, 45}} {
		for _, panel := range []struct {
			name string
			key  string
			idle string
		}{{"frequency", "", "optimum"}, {"roi", k.ROI.Keys()[0], "optimum: top"}, {"inbound", k.Inbound.Keys()[0], "u scores the base"}} {
			t.Run(fmt.Sprintf("%s_%dx%d", panel.name, size[0], size[1]), func(t *testing.T) {
				host := screentest.NewHost(ws, simulate.New)
				tm := teatest.NewTestModel(t, host, teatest.WithInitialTermSize(size[0], size[1]))
				teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("peaks at")) },
					teatest.WithDuration(tuitest.Patience(30*time.Second)))
				if panel.key != "" {
					tm.Send(tuitest.Key(panel.key))
					teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(panel.idle)) },
						teatest.WithDuration(tuitest.Patience(30*time.Second)))
				}
				if err := tm.Quit(); err != nil {
					t.Fatal(err)
				}
				fm := tm.FinalModel(t, teatest.WithFinalTimeout(tuitest.Patience(10*time.Second)))
				golden.RequireEqual(t, []byte(ansi.Strip(fm.View())))
			})
		}
	}
}

// TestSeedNumbers: the ROI and inbound panels open on the seed article's numbers.
func TestSeedNumbers(t *testing.T) {
	host, s, d := drive(t, shared(t), 140, 45)
	k := simulate.DefaultKeyMap()
	d.Press(k.ROI)
	v := view(host)
	for _, want := range []string{"2,250", "2,500", "€ 6,750,000", "€ 8,750,000", "+€ 2,000,000"} {
		if !strings.Contains(v, want) {
			t.Errorf("ROI panel lacks %q", want)
		}
	}
	c, err := s.ROI()
	if err != nil || c.Mass.NetProfit != 6_750_000 || c.Targeted.NetProfit != 8_750_000 || c.ExtraNetProfit != 2_000_000 {
		t.Fatalf("ROI = %+v, %v", c, err)
	}
	d.Press(k.Inbound)
	r, err := s.Inbound()
	if err != nil || r.Contracts != 500 || r.MonthlyProfit != 1_750_000 {
		t.Fatalf("inbound = %+v, %v", r, err)
	}
	v = view(host)
	for _, want := range []string{"500", "€ 1,750,000", "€ 1.75 M a month"} {
		if !strings.Contains(v, want) {
			t.Errorf("inbound panel lacks %q", want)
		}
	}
}

// TestROIEdits: → steps the mass volume, a typed conversion replaces it, and each time the
// result is the one sim computes for the new inputs.
func TestROIEdits(t *testing.T) {
	host, s, d := drive(t, shared(t), 140, 45)
	k := simulate.DefaultKeyMap()
	d.Press(k.ROI)
	d.Press(k.Right) // mass volume 150,000 → 160,000
	c, err := s.ROI()
	if err != nil || c.Mass.Volume != 160_000 || c.Mass.Contracts != 2_400 {
		t.Fatalf("after →: %+v, %v; want volume 160,000 and 2,400 contracts", c.Mass, err)
	}
	if !strings.Contains(view(host), "2,400") || !strings.Contains(view(host), "€ 7,200,000") {
		t.Fatal("screen does not show 2,400 contracts and € 7,200,000")
	}
	d.Press(k.Down) // mass conversion
	d.Press(k.Edit)
	if !s.InputFocused() {
		t.Fatal("enter did not open the value input")
	}
	d.Send(tuitest.Key("ctrl+u"))
	d.Type("2")
	d.Send(tuitest.Key("enter"))
	c, err = s.ROI()
	want, _ := sim.CompareOutbound(sim.Outbound{Volume: 160_000, Conversion: 0.02, Profit: 3_000}, simulate.SeedTargeted)
	if err != nil || c.Mass != want.Mass || c.ExtraNetProfit != want.ExtraNetProfit {
		t.Fatalf("after typing 2 %%: %+v, want %+v", c, want)
	}
	if !strings.Contains(view(host), "€ 9,600,000") { // 160,000 × 2 % × 3,000
		t.Fatalf("screen does not show € 9,600,000:\n%s", view(host))
	}
	// Cost per contact makes ROI and break-even appear.
	d.Press(k.Down)
	d.Press(k.Down)
	for i := 0; i < 4; i++ { // 4 × € 0.25
		d.Press(k.Right)
	}
	c, _ = s.ROI()
	if c.Mass.TotalCost != 160_000 || !c.Mass.HasROI || math.Abs(c.Mass.ROI-(9_600_000-160_000)/160_000.0) > 1e-9 {
		t.Fatalf("cost € 1/contact: %+v", c.Mass)
	}
	if !strings.Contains(view(host), "5900 %") {
		t.Fatalf("ROI 5900 %% not shown:\n%s", view(host))
	}
}

// TestInvalidInput: a conversion above 100 % and text that is no number get a message
// naming the input, change nothing, and no NaN reaches the screen.
func TestInvalidInput(t *testing.T) {
	host, s, d := drive(t, shared(t), 80, 24)
	k := simulate.DefaultKeyMap()
	d.Press(k.ROI)
	d.Press(k.Down) // mass conversion
	for _, typed := range []string{"150", "abc", "-5"} {
		d.Press(k.Edit)
		d.Send(tuitest.Key("ctrl+u"))
		d.Type(typed)
		d.Send(tuitest.Key("enter"))
		v := view(host)
		if !s.InputFocused() {
			t.Fatalf("%q: the input closed on a bad value", typed)
		}
		if !strings.Contains(v, "conversion") || !strings.Contains(v, "✗") {
			t.Fatalf("%q: no message naming the conversion:\n%s", typed, v)
		}
		if strings.Contains(v, "NaN") || strings.Contains(v, "Inf") {
			t.Fatalf("%q: NaN on screen:\n%s", typed, v)
		}
		c, err := s.ROI()
		if err != nil || c.Mass.Conversion != 0.015 || c.Mass.Contracts != 2_250 {
			t.Fatalf("%q changed the inputs: %+v %v", typed, c.Mass, err)
		}
		d.Send(tuitest.Key("esc"))
		if s.InputFocused() {
			t.Fatal("esc did not close the input")
		}
	}
	// ← at 0 % stays at 0 % and the panel still computes (no division by zero).
	d.Press(k.Edit)
	d.Send(tuitest.Key("ctrl+u"))
	d.Type("0")
	d.Send(tuitest.Key("enter"))
	d.Press(k.Left)
	c, err := s.ROI()
	if err != nil || c.Mass.Conversion != 0 || c.Mass.Contracts != 0 {
		t.Fatalf("conversion 0: %+v %v", c.Mass, err)
	}
	if strings.Contains(view(host), "NaN") {
		t.Fatal("NaN on screen at 0 % conversion")
	}
}

// TestFrequencyWhatIf: → on "what-if" recomputes the what-if from the cached aggregates to
// exactly what sim.Frequency.WhatIf gives, and the table shows it.
func TestFrequencyWhatIf(t *testing.T) {
	ws := shared(t)
	host, s, d := drive(t, ws, 140, 45)
	k := simulate.DefaultKeyMap()
	w, err := s.WhatIf()
	if err != nil || w == nil || w.From != 3 || w.To != 4 || w.Segment.Name != "top" {
		t.Fatalf("initial what-if %+v %v; want top 3→4", w, err)
	}
	d.Press(k.Down) // now
	d.Press(k.Down) // what-if
	d.Press(k.Right)
	w, err = s.WhatIf()
	if err != nil || w.To != 5 {
		t.Fatalf("after →: %+v %v", w, err)
	}
	f, err := services.New(ws).LoadFrequency(t.Context(), sim.FrequencyOptions{Segment: "top", PeriodMonths: 6, Boot: simulate.Boot, Seed: simulate.Seed})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := f.WhatIf(3, 5)
	if err != nil {
		t.Fatal(err)
	}
	if w.ExtraContracts != ref.ExtraContracts || !reflect.DeepEqual(w.RevenueEffect, ref.RevenueEffect) {
		t.Fatalf("screen what-if %+v ≠ sim %+v", w.ExtraContracts, ref.ExtraContracts)
	}
	want := sim.FormatSigned(math.Round(ref.ExtraContracts.Estimate), sim.FormatCount)
	line := ""
	for _, l := range strings.Split(view(host), "\n") {
		if strings.Contains(l, "contracts / half year") {
			line = l
		}
	}
	if !strings.Contains(line, want) || !strings.Contains(line, "what-if") && !strings.Contains(line, "…") {
		t.Fatalf("contracts line %q lacks %s and its interval", line, want)
	}
	v := view(host)
	if f.Randomized != strings.Contains(v, "randomized frequency cells") || !f.Randomized && !strings.Contains(v, "observational only") {
		t.Fatalf("the screen does not say how the estimate was identified (randomized %v)", f.Randomized)
	}
}

// TestIdentificationNote: an observational estimate says so plainly, a randomized one too.
func TestIdentificationNote(t *testing.T) {
	if n := simulate.IdentificationNote(&sim.Frequency{Randomized: false}); !strings.Contains(n, "observational only") {
		t.Fatalf("observational note %q", n)
	}
	if n := simulate.IdentificationNote(&sim.Frequency{Randomized: true}); !strings.Contains(n, "randomized") || strings.Contains(n, "observational") {
		t.Fatalf("randomized note %q", n)
	}
}

// TestExportAndScenarios: e writes the frequency chart as a PNG (decoded, 1920×1080, no
// temporary file left); s saves two scenarios and c puts them side by side.
func TestExportAndScenarios(t *testing.T) {
	ws := screentest.Open(t, screentest.Customers, nil)
	host, s, d := drive(t, ws, 140, 45)
	k := simulate.DefaultKeyMap()
	dir := t.TempDir()
	path := filepath.Join(dir, "freq.png")
	d.Press(k.Export)
	d.Send(tuitest.Key("ctrl+u"))
	d.Type(path)
	d.Send(tuitest.Key("enter"))
	d.Settle(t, 30*time.Second)
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("e wrote no file: %v", err)
	}
	cfg, err := png.DecodeConfig(f)
	f.Close()
	if err != nil || cfg.Width != 1920 || cfg.Height != 1080 {
		t.Fatalf("PNG %d×%d, %v", cfg.Width, cfg.Height, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("%d files in the export directory, want 1", len(entries))
	}
	// Two ROI scenarios.
	d.Press(k.ROI)
	for i, name := range []string{"base", "more volume"} {
		if i == 1 {
			d.Press(k.Right)
		}
		d.Press(k.Save)
		d.Send(tuitest.Key("ctrl+u"))
		d.Type(name)
		d.Send(tuitest.Key("enter"))
		d.Settle(t, 10*time.Second)
	}
	list, err := sim.ListScenarios(t.Context(), ws)
	if err != nil || len(list) != 2 {
		t.Fatalf("scenarios %v %v", list, err)
	}
	// Saving under a taken name is refused with a message and changes nothing.
	d.Press(k.Save)
	d.Send(tuitest.Key("ctrl+u"))
	d.Type("base")
	d.Send(tuitest.Key("enter"))
	d.Settle(t, 10*time.Second)
	if list, _ := sim.ListScenarios(t.Context(), ws); len(list) != 2 {
		t.Fatal("a taken name was overwritten")
	}
	d.Press(k.Compare)
	d.Settle(t, 10*time.Second)
	d.Press(k.Mark)
	d.Press(k.Down)
	d.Press(k.Mark)
	v := view(host)
	if !strings.Contains(v, "A base ↔ B more volume") || !strings.Contains(v, "+10,000") {
		t.Fatalf("comparison not shown:\n%s", v)
	}
	d.Send(tuitest.Key("esc"))
	if s.Panel() != simulate.PanelROI || strings.Contains(view(host), "A base ↔") {
		t.Fatal("esc did not close the comparison")
	}
	// The tab strip shows f/o/i above the scenarios: they leave the scenarios for that panel.
	for _, b := range []struct {
		k     key.Binding
		panel simulate.Panel
	}{{k.Inbound, simulate.PanelInbound}, {k.Frequency, simulate.PanelFrequency}, {k.ROI, simulate.PanelROI}} {
		d.Press(k.Compare)
		d.Settle(t, 10*time.Second)
		if !strings.Contains(view(host), "Saved scenarios") {
			t.Fatalf("c did not open the scenarios:\n%s", view(host))
		}
		d.Press(b.k)
		if s.Panel() != b.panel || strings.Contains(view(host), "Saved scenarios") {
			t.Fatalf("%s in the scenarios view did not open its panel:\n%s", b.k.Keys()[0], view(host))
		}
	}
}

// bare offers the workbench's base services only.
type bare struct{ services.Services }

func TestNoService(t *testing.T) {
	s := simulate.New(common.NewCommon(theme.New(true), bare{}))
	s.SetSize(80, 22)
	if s.Init() != nil || s.Update(tuitest.Key("e")) != nil {
		t.Fatal("work started without a simulate service")
	}
	if v := ansi.Strip(s.View()); !strings.Contains(v, "do not offer simulations") {
		t.Fatalf("no explanation:\n%s", v)
	}
}

// BenchmarkWhatIfEdit is one ←/→ on the what-if level: the recompute the screen does
// synchronously in Update on the cached aggregates, plus drawing the view.
func BenchmarkWhatIfEdit(b *testing.B) {
	ws := screentest.Open(b, screentest.Customers, nil)
	host := screentest.NewHost(ws, simulate.New)
	d := tuitest.New(host, host.Busy)
	d.Send(tea.WindowSizeMsg{Width: 140, Height: 45})
	d.Init()
	d.Settle(b, 30*time.Second)
	s := host.Screen.(*simulate.Screen)
	k := simulate.DefaultKeyMap()
	s.Update(tuitest.Key(k.Down.Keys()[0]))
	s.Update(tuitest.Key(k.Down.Keys()[0]))
	for _, withView := range []bool{false, true} {
		name := "update"
		if withView {
			name = "update+view"
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				key := k.Right
				if i%2 == 1 {
					key = k.Left
				}
				s.Update(tuitest.Key(key.Keys()[0]))
				if withView {
					_ = s.View()
				}
			}
		})
	}
}

// BenchmarkROIEdit is one ←/→ on an ROI input: CompareOutbound recomputed in Update.
func BenchmarkROIEdit(b *testing.B) {
	ws, err := workspace.Open(b.Context(), workspace.Memory)
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	s := simulate.New(common.NewCommon(theme.New(true), services.New(ws))).(*simulate.Screen)
	s.SetSize(140, 43)
	k := simulate.DefaultKeyMap()
	s.Update(tuitest.Key(k.ROI.Keys()[0]))
	for i := 0; i < b.N; i++ {
		key := k.Right
		if i%2 == 1 {
			key = k.Left
		}
		s.Update(tuitest.Key(key.Keys()[0]))
	}
	if c, err := s.ROI(); err != nil || c.Mass.Volume < 150_000 {
		b.Fatalf("edits did not apply: %+v %v", c, err)
	}
}

// TestModelCampaigns: u fills the mass campaign with every eligible customer at the random
// response and the targeted one with the profit-optimal depth of the model, at the
// conversion the gains give there — so the targeted campaign is the curve's optimum.
func TestModelCampaigns(t *testing.T) {
	in := sim.ProfitInput{Base: 10_000, ResponseRate: 0.02, Profit: 500, CostPerContact: 10,
		Gains: []sim.GainPoint{{Depth: 0.1, Gain: 0.4}, {Depth: 0.3, Gain: 0.7}, {Depth: 0.6, Gain: 0.9}}}
	curve, err := in.Curve()
	if err != nil {
		t.Fatal(err)
	}
	p := &services.ProfitView{Economics: deckEconomics(10_000, 0.02, 500, 10), Curve: curve}
	mass, tg, err := simulate.ModelCampaigns(p)
	if err != nil {
		t.Fatal(err)
	}
	c, err := sim.CompareOutbound(mass, tg)
	if err != nil {
		t.Fatal(err)
	}
	// mass: 10,000 × 2 % = 200 contracts, 200 × 500 − 10,000 × 10 = 0. The gains' segments
	// add 80, 60, 40 and 20 contracts (€ 40 k, 30 k, 20 k, 10 k) for 1,000, 2,000, 3,000 and
	// 4,000 contacts (€ 10 k, 20 k, 30 k, 40 k): the optimum is the 30 % knot, 3,000
	// contacts, 0.7 × 200 = 140 contracts, 140 × 500 − 3,000 × 10 = 40,000.
	if c.Mass.Contracts != 200 || c.Mass.NetProfit != 0 || tg.Volume != 3_000 || c.Targeted.Contracts != 140 || c.Targeted.NetProfit != 40_000 {
		t.Fatalf("mass %+v targeted %+v", c.Mass, c.Targeted)
	}
	if c.Targeted.NetProfit != curve.Optimum.Net {
		t.Fatalf("targeted net %v is not the curve's optimum %v", c.Targeted.NetProfit, curve.Optimum.Net)
	}
	// Nothing pays: no targeted campaign to take, and it says so.
	in.CostPerContact = 1_000
	curve, _ = in.Curve()
	if _, _, err := simulate.ModelCampaigns(&services.ProfitView{Curve: curve}); err == nil || !strings.Contains(err.Error(), "no selection depth") {
		t.Fatalf("nothing pays: err = %v", err)
	}
}

func deckEconomics(base, response, margin, cost float64) deck.Economics {
	return deck.Economics{Base: base, Response: response, Margin: margin, Cost: cost}
}

func TestEuro(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{{6_750_000, "€ 6,750,000"}, {-11_954, "−€ 11,954"}, {0, "€ 0"}} {
		if got := simulate.Euro(c.v, sim.FormatMoney); got != c.want {
			t.Errorf("Euro(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

// TestInboundLiveScoring: u scores the base with the model; the share worth an offer and the
// close rate are then sim.InboundFromScores at the threshold, which starts at the 95th
// percentile of the scores and moves with ←/→.
func TestInboundLiveScoring(t *testing.T) {
	ws := shared(t)
	host, s, d := drive(t, ws, 140, 45)
	k := simulate.DefaultKeyMap()
	d.Press(k.Inbound)
	d.Press(k.UseModel)
	d.Settle(t, 60*time.Second)
	scores, err := services.New(ws).ScoreModel(t.Context(), "P09-lookalike", nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Inbound()
	if err != nil {
		t.Fatal(err)
	}
	thr := func() float64 {
		for _, l := range strings.Split(view(host), "\n") {
			if strings.Contains(l, "score threshold") {
				f := strings.Fields(strings.NewReplacer("◂", "", "▸", "", "┃", " ").Replace(l))
				v, err := simulate.ThresholdField.Parse(f[len(f)-2])
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
		}
		t.Fatalf("no threshold on screen:\n%s", view(host))
		return 0
	}
	check := func() {
		t.Helper()
		r, err = s.Inbound()
		if err != nil {
			t.Fatal(err)
		}
		// The screen shows the threshold rounded to 0.01 %: the screen's own threshold lies
		// within half of that of the value read, so its share lies between the shares there
		// (and equals sim's exactly when no score falls in between).
		const half = 0.5e-4
		v := thr()
		hi, hiClose, err := sim.InboundFromScores(scores, v-half)
		if err != nil {
			t.Fatal(err)
		}
		lo, loClose, err := sim.InboundFromScores(scores, v+half)
		if err != nil {
			t.Fatal(err)
		}
		if r.Interesting < lo-1e-9 || r.Interesting > hi+1e-9 ||
			(hi == lo && (math.Abs(r.Interesting-lo) > 1e-9 || math.Abs(r.Close-loClose) > 1e-9 || math.Abs(hiClose-loClose) > 1e-9)) {
			t.Fatalf("inbound %v / %v, sim says %v … %v / %v … %v at the threshold on screen", r.Interesting, r.Close, lo, hi, loClose, hiClose)
		}
	}
	check()
	// At least the top 5 % (more when scores tie at the threshold: calibrated scores take
	// few distinct values).
	if r.Interesting < 0.05 || r.Interesting > 1 {
		t.Fatalf("interesting share %v at the 95th percentile threshold", r.Interesting)
	}
	before := r.Interesting
	for i := 0; i < 40 && r.Interesting == before; i++ { // down to 0 % at most
		d.Press(k.Left) // lower threshold → at least as many customers worth an offer
		check()
		if r.Interesting < before {
			t.Fatalf("lowering the threshold lowered the share: %v → %v", before, r.Interesting)
		}
	}
	if r.Interesting == before {
		t.Fatal("lowering the threshold to 0 did not raise the share worth an offer")
	}
	if !strings.Contains(view(host), "live scoring: P09-lookalike") {
		t.Fatal("the screen does not say where the shares come from")
	}
}

// TestWhatIfNoLevel: a starting level no customer-period had gets a message, not NaN.
func TestWhatIfNoLevel(t *testing.T) {
	host, s, d := drive(t, shared(t), 80, 24)
	k := simulate.DefaultKeyMap()
	d.Press(k.Down) // now
	for i := 0; i < simulate.MaxContacts; i++ {
		d.Press(k.Right)
	}
	w, err := s.WhatIf()
	if w != nil || !errors.Is(err, sim.ErrNoLevel) {
		t.Fatalf("what-if from %d: %+v, %v; want sim.ErrNoLevel", simulate.MaxContacts, w, err)
	}
	v := view(host)
	if !strings.Contains(v, "✗") || !strings.Contains(v, "pick other contact levels") || strings.Contains(v, "NaN") {
		t.Fatalf("no clear message:\n%s", v)
	}
}

// TestObservationalHistory: the shell's small fixture has contacts but no campaigns, so the
// frequency estimate is observational: the screen says so plainly, shows no NaN and no
// "−100 %" growth from a segment that earns nothing; ROI and inbound still work.
func TestObservationalHistory(t *testing.T) {
	host, s, d := drive(t, tuitest.OpenFixture(t, 500), 80, 24)
	v := view(host)
	if !strings.Contains(v, "observational only") || strings.Contains(v, "NaN") {
		t.Fatalf("no plain observational note:\n%s", v)
	}
	if w, err := s.WhatIf(); err == nil && w.NowRevenue.Estimate == 0 && !strings.Contains(v, "no revenue now") {
		t.Fatalf("growth from zero revenue shown as a number:\n%s", v)
	}
	d.Press(simulate.DefaultKeyMap().ROI)
	if c, err := s.ROI(); err != nil || c.ExtraNetProfit != 2_000_000 {
		t.Fatalf("ROI without history: %+v %v", c, err)
	}
	if !strings.Contains(view(host), "no trained product model") {
		t.Fatalf("profit pane does not explain:\n%s", view(host))
	}
}

// TestExportROI: on the outbound panel e writes the ROI chart and, with a model's profit
// curve on screen, the profit curve next to it; both decode as 1920×1080 PNGs.
func TestExportROI(t *testing.T) {
	_, _, d := drive(t, shared(t), 140, 45)
	k := simulate.DefaultKeyMap()
	d.Press(k.ROI)
	d.Settle(t, 30*time.Second)
	dir := t.TempDir()
	d.Press(k.Export)
	d.Send(tuitest.Key("ctrl+u"))
	d.Type(filepath.Join(dir, "roi.png"))
	d.Send(tuitest.Key("enter"))
	d.Settle(t, 30*time.Second)
	for _, name := range []string{"roi.png", "roi-profit.png"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width != 1920 || cfg.Height != 1080 {
			t.Fatalf("%s: %d×%d %v", name, cfg.Width, cfg.Height, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("%d files, want roi.png and roi-profit.png only", len(entries))
	}
}

// roiTo moves the ROI cursor from the mass volume to input i (0–4 mass, 5–9 targeted).
func roiTo(d *tuitest.Driver, i int) {
	k := simulate.DefaultKeyMap()
	for j := 0; j < i; j++ {
		d.Press(k.Down)
	}
}

// typeValue types v into the input under the cursor.
func typeValue(d *tuitest.Driver, v string) {
	d.Press(simulate.DefaultKeyMap().Edit)
	d.Send(tuitest.Key("ctrl+u"))
	d.Type(v)
	d.Send(tuitest.Key("enter"))
}

// TestTargetedFollowsGains: after u the targeted conversion is read from the model's gains,
// and a new targeted volume re-reads it at the new depth (sim.TargetedConversion) instead
// of keeping the optimum's conversion; the screen says so. A volume the gains cannot serve
// is refused with a message; typing a conversion by hand ends the link.
func TestTargetedFollowsGains(t *testing.T) {
	host, s, d := drive(t, shared(t), 140, 45)
	k := simulate.DefaultKeyMap()
	d.Press(k.ROI)
	d.Settle(t, 30*time.Second)
	if s.TargetedFromModel() != "" || strings.Contains(view(host), "from model gains") {
		t.Fatal("the seed conversion claims to come from a model")
	}
	d.Press(k.UseModel)
	model := s.TargetedFromModel()
	if model == "" {
		t.Fatalf("u did not take the inputs from the model:\n%s", view(host))
	}
	pc, err := s.ProfitCurve()
	if err != nil || pc == nil {
		t.Fatalf("no profit curve: %v", err)
	}
	in := pc.Input
	fromGains := func(v float64) float64 {
		t.Helper()
		c, err := sim.TargetedConversion(in.Gains, in.Base, v, in.ResponseRate)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c0, err := s.ROI()
	if err != nil {
		t.Fatal(err)
	}
	pt0, _ := in.At(c0.Targeted.Volume / in.Base)
	if math.Abs(c0.Targeted.Conversion-fromGains(c0.Targeted.Volume)) > 1e-9 || math.Abs(c0.Targeted.NetProfit-pt0.Net) > 0.05 ||
		math.Abs(c0.Targeted.Volume-pc.Optimum.Volume) > 0.5 {
		t.Fatalf("after u: targeted %+v; want the optimum's volume %v, the gains' conversion %v and the curve's net %v",
			c0.Targeted, pc.Optimum.Volume, fromGains(c0.Targeted.Volume), pt0.Net)
	}
	if !strings.Contains(view(host), "conversion from model gains: "+model) {
		t.Fatalf("the screen does not say the conversion is from the model's gains:\n%s", view(host))
	}
	roiTo(d, 5) // targeted volume
	v1 := math.Round(c0.Targeted.Volume / 2)
	typeValue(d, fmt.Sprint(v1))
	c1, err := s.ROI()
	if err != nil || s.InputFocused() {
		t.Fatalf("typed volume %v: %v (input open %v)", v1, err, s.InputFocused())
	}
	if c1.Targeted.Volume != v1 || math.Abs(c1.Targeted.Conversion-fromGains(v1)) > 1e-9 {
		t.Fatalf("volume %v: conversion %v, gains say %v", c1.Targeted.Volume, c1.Targeted.Conversion, fromGains(v1))
	}
	if c1.Targeted.Conversion == c0.Targeted.Conversion {
		t.Fatalf("the conversion stayed at %v after halving the volume", c0.Targeted.Conversion)
	}
	if pt, _ := in.At(v1 / in.Base); math.Abs(c1.Targeted.Contracts-pt.Contracts) > 1e-5 {
		t.Fatalf("targeted contracts %v off the profit curve's %v at that depth", c1.Targeted.Contracts, pt.Contracts)
	}
	if !strings.Contains(view(host), sim.FormatPercent(c1.Targeted.Conversion)) {
		t.Fatalf("screen does not show the new conversion %s", sim.FormatPercent(c1.Targeted.Conversion))
	}
	// → steps along the gains (about 1 % of the base) and re-reads the conversion each time.
	for i := 0; i < 3; i++ {
		prev, _ := s.ROI()
		p := *prev
		d.Press(k.Right)
		c2, _ := s.ROI()
		if !(c2.Targeted.Volume > p.Targeted.Volume && c2.Targeted.Volume-p.Targeted.Volume <= in.Base/50) ||
			math.Abs(c2.Targeted.Conversion-fromGains(c2.Targeted.Volume)) > 1e-9 {
			t.Fatalf("→ from %v: volume %v, conversion %v, gains say %v", p.Targeted.Volume, c2.Targeted.Volume, c2.Targeted.Conversion, fromGains(c2.Targeted.Volume))
		}
	}
	// A volume beyond the eligible base: a message, nothing changes.
	c1b, _ := s.ROI()
	before := *c1b
	typeValue(d, fmt.Sprint(in.Base+1))
	if c2, _ := s.ROI(); *c2 != before || !s.InputFocused() || !strings.Contains(view(host), "✗") {
		t.Fatalf("a volume beyond the base: %+v (input open %v)\n%s", c2.Targeted, s.InputFocused(), view(host))
	}
	d.Send(tuitest.Key("esc"))
	// A conversion typed by hand ends the link: volume edits then keep it.
	d.Press(k.Down)
	typeValue(d, "1")
	if s.TargetedFromModel() != "" || strings.Contains(view(host), "from model gains") {
		t.Fatal("a typed conversion still follows the model")
	}
	d.Press(k.Up)
	typeValue(d, fmt.Sprint(math.Round(v1/2)))
	if c3, _ := s.ROI(); c3.Targeted.Conversion != 0.01 || c3.Targeted.Volume != math.Round(v1/2) {
		t.Fatalf("after typing 1 %% and a volume: %+v", c3.Targeted)
	}
}

// TestProfitCurveFollowsInputs: the profit curve is recomputed at once from the ROI panel's
// targeted profit per contract, cost per contact and fixed cost: a higher cost moves the
// optimum and the break-even, a fixed cost lowers the optimum by exactly that much and adds
// the break-even where the campaign starts to pay.
func TestProfitCurveFollowsInputs(t *testing.T) {
	host, s, d := drive(t, shared(t), 140, 45)
	k := simulate.DefaultKeyMap()
	d.Press(k.ROI)
	d.Settle(t, 30*time.Second)
	pc0, err := s.ProfitCurve()
	if err != nil || pc0 == nil {
		t.Fatalf("no profit curve: %v", err)
	}
	if pc0.Input.Profit != simulate.SeedTargeted.Profit || pc0.Input.CostPerContact != 0 {
		t.Fatalf("the curve does not use the targeted inputs: %+v", pc0.Input)
	}
	d.Press(k.UseModel)
	pc1, _ := s.ProfitCurve()
	c, _ := s.ROI()
	if pc1.Input.Profit != c.Targeted.Profit || pc1.Input.CostPerContact != c.Targeted.CostPerContact || pc1.Input.CostPerContact <= 0 {
		t.Fatalf("after u: curve input %+v, targeted %+v", pc1.Input, c.Targeted)
	}
	if len(pc1.BreakEven) == 0 || pc1.Optimum.Depth <= 0 || pc1.Optimum.Depth >= 1 {
		t.Fatalf("the product's curve has no interior optimum and break-even: %+v %v", pc1.Optimum, pc1.BreakEven)
	}
	// Halve the cost per contact.
	roiTo(d, 5+3)
	cost := c.Targeted.CostPerContact / 2
	typeValue(d, fmt.Sprintf("%.2f", cost))
	pc2, err := s.ProfitCurve()
	if err != nil || pc2.Input.CostPerContact != math.Round(cost*100)/100 {
		t.Fatalf("cost %v: curve input %+v, %v", cost, pc2.Input, err)
	}
	tg := c.Targeted.Outbound
	tg.CostPerContact = pc2.Input.CostPerContact
	want, _ := simulate.ProfitCurveFor(pc1.Input, tg)
	if pc2.Optimum != want.Optimum || !reflect.DeepEqual(pc2.BreakEven, want.BreakEven) {
		t.Fatalf("curve on screen %+v %v, sim says %+v %v", pc2.Optimum, pc2.BreakEven, want.Optimum, want.BreakEven)
	}
	if !(pc2.Optimum.Net > pc1.Optimum.Net) || pc2.Optimum.Depth < pc1.Optimum.Depth || reflect.DeepEqual(pc2.BreakEven, pc1.BreakEven) {
		t.Fatalf("halving the cost did not move the curve: optimum %+v → %+v, break-even %v → %v", pc1.Optimum, pc2.Optimum, pc1.BreakEven, pc2.BreakEven)
	}
	if len(pc2.BreakEven) > 0 && pc2.BreakEven[len(pc2.BreakEven)-1] <= pc1.BreakEven[len(pc1.BreakEven)-1] {
		t.Fatalf("the last break-even did not move out: %v → %v", pc1.BreakEven, pc2.BreakEven)
	}
	if !strings.Contains(view(host), fmt.Sprintf("optimum: top %.0f %%", 100*pc2.Optimum.Depth)) {
		t.Fatalf("the screen does not show the new optimum:\n%s", view(host))
	}
	// A fixed cost of half the optimum's net: same depth, net lower by the fixed cost, and a
	// first break-even where the campaign starts to pay.
	if pc2.Optimum.Net <= 0 {
		t.Fatalf("nothing pays at half the cost: %+v", pc2.Optimum)
	}
	fixed := math.Round(pc2.Optimum.Net / 2)
	d.Press(k.Down)
	typeValue(d, fmt.Sprint(fixed))
	pc3, _ := s.ProfitCurve()
	if pc3.Input.FixedCost != fixed || pc3.Optimum.Depth != pc2.Optimum.Depth || math.Abs(pc3.Optimum.Net-(pc2.Optimum.Net-fixed)) > 0.01 {
		t.Fatalf("fixed %v: optimum %+v, before %+v", fixed, pc3.Optimum, pc2.Optimum)
	}
	if len(pc3.BreakEven) != len(pc2.BreakEven)+1 || !(pc3.BreakEven[0] > 0 && pc3.BreakEven[0] < pc3.Optimum.Depth) {
		t.Fatalf("fixed cost: break-even %v (before %v)", pc3.BreakEven, pc2.BreakEven)
	}
	if strings.Contains(view(host), "NaN") {
		t.Fatal("NaN on screen")
	}
}

// TestInvalidVolumeAndSegment: a negative volume (mass or targeted) gets a message naming
// the volume and changes nothing; an empty saved segment gets a message on the frequency
// panel, no NaN, and the what-if inputs stay as they were.
func TestInvalidVolumeAndSegment(t *testing.T) {
	ws := shared(t)
	if _, err := ws.ExecContext(t.Context(), `INSERT INTO acrm_segments (name, filter_sql, description, created_at) VALUES ('zz-nobody', 'monthly_revenue < 0', '', now())`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.ExecContext(context.Background(), `DELETE FROM acrm_segments WHERE name = 'zz-nobody'`) })
	host, s, d := drive(t, ws, 80, 24)
	k := simulate.DefaultKeyMap()
	d.Press(k.ROI)
	b, _ := s.ROI()
	before := *b
	for _, i := range []int{0, 5} { // mass volume, targeted volume
		if i == 5 {
			roiTo(d, 5)
		}
		typeValue(d, "-5000")
		v := view(host)
		if !s.InputFocused() || !strings.Contains(v, "volume") || !strings.Contains(v, "✗") || !strings.Contains(v, "negative") {
			t.Fatalf("input %d: no message naming the negative volume:\n%s", i, v)
		}
		if strings.Contains(v, "NaN") || strings.Contains(v, "Inf") {
			t.Fatalf("NaN on screen:\n%s", v)
		}
		if c, err := s.ROI(); err != nil || *c != before {
			t.Fatalf("input %d: a negative volume changed the result: %+v %v", i, c, err)
		}
		d.Send(tuitest.Key("esc"))
	}
	// The empty saved segment is the last in the list: ← from top wraps to it.
	d.Press(k.Frequency) // the cursor is on the segment
	if !strings.Contains(view(host), "◂ segment top ▸") {
		t.Fatalf("cursor not on the segment:\n%s", view(host))
	}
	d.Press(k.Left)
	d.Settle(t, 30*time.Second)
	v := view(host)
	if !strings.Contains(v, "segment zz-nobody") || !strings.Contains(v, "✗") || !strings.Contains(v, "has no customers") || strings.Contains(v, "NaN") {
		t.Fatalf("empty segment: no clear message:\n%s", v)
	}
	if w, err := s.WhatIf(); w != nil || err != nil {
		t.Fatalf("a what-if for an empty segment: %+v %v", w, err)
	}
	d.Press(k.Right) // back to top: the what-if is there again, at the same inputs
	d.Settle(t, 30*time.Second)
	if w, err := s.WhatIf(); err != nil || w == nil || w.From != 3 || w.To != 4 || w.Segment.Name != "top" {
		t.Fatalf("back on top: %+v %v", w, err)
	}
}

// TestPeriodNote: per quarter the screen says plainly that the randomized cells are
// half-year cells (no randomized check), at 80×24 too; per half year it does not.
func TestPeriodNote(t *testing.T) {
	host, s, d := drive(t, shared(t), 80, 24)
	if strings.Contains(view(host), "half-year cells") {
		t.Fatal("half-year period carries the period note")
	}
	d.Press(simulate.DefaultKeyMap().Period) // 6 → 3 months
	d.Settle(t, 60*time.Second)
	w, err := s.WhatIf()
	if err != nil || w == nil || w.PeriodMonths != 3 {
		t.Fatalf("quarter what-if %+v %v", w, err)
	}
	if w.PeriodNote == "" || w.Experiment != nil {
		t.Fatalf("quarter what-if: note %q, experiment %+v", w.PeriodNote, w.Experiment)
	}
	v := view(host)
	if !strings.Contains(v, "half-year cells: per quarter the levels are observational") || strings.Contains(v, "NaN") {
		t.Fatalf("no period note at 80×24:\n%s", v)
	}
	for i, l := range strings.Split(v, "\n") {
		if ansi.StringWidth(l) > 80 {
			t.Fatalf("line %d is %d wide: %q", i, ansi.StringWidth(l), l)
		}
	}
}

// TestLevelLines: per level the response, the revenue and the opt-out rate per offer with
// their 95 % intervals; narrower tables drop the optional columns, never the intervals.
func TestLevelLines(t *testing.T) {
	f, err := services.New(shared(t)).LoadFrequency(t.Context(), sim.FrequencyOptions{Segment: "top", PeriodMonths: 6, Boot: simulate.Boot, Seed: simulate.Seed})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{56, 62, 74, 100} {
		lines := simulate.LevelLines(f, w, 40)
		if len(lines) < 3 {
			t.Fatalf("w=%d: %d lines", w, len(lines))
		}
		for _, h := range []string{"response", "revenue/offer", "opt-out/offer"} {
			if !strings.Contains(lines[0], h) {
				t.Errorf("w=%d: header %q lacks %q", w, lines[0], h)
			}
		}
		if (w >= 74) != strings.Contains(lines[0], "fitted") || (w >= 100) != strings.Contains(lines[0], "accepts") {
			t.Errorf("w=%d: optional columns %q", w, lines[0])
		}
		for _, l := range lines {
			if ansi.StringWidth(l) > w {
				t.Errorf("w=%d: line %q is %d wide", w, l, ansi.StringWidth(l))
			}
		}
		if w < 62 {
			continue // truncated: the interval columns are cut at the edge
		}
		rows, checked := 0, 0
		for _, b := range f.Bins {
			if b.Contacts < simulate.MinOffers || b.RevenuePerContact.Hi >= 1000 {
				continue
			}
			checked++
			rev := fmt.Sprintf("€ %.0f (%.0f–%.0f)", b.RevenuePerContact.Estimate, b.RevenuePerContact.Lo, b.RevenuePerContact.Hi)
			opt := fmt.Sprintf("%.2f %% (%.2f–%.2f)", 100*b.OptOutRate.Estimate, 100*b.OptOutRate.Lo, 100*b.OptOutRate.Hi)
			for _, l := range lines[1:] {
				if strings.HasPrefix(strings.TrimSpace(l), fmt.Sprint(b.N)+" ") && strings.Contains(l, rev) && strings.Contains(l, opt) {
					rows++
				}
			}
		}
		if checked == 0 || rows != checked {
			t.Errorf("w=%d: %d of %d rows carry revenue and opt-out intervals:\n%s", w, rows, checked, strings.Join(lines, "\n"))
		}
	}
}
