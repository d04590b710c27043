package simulate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/tui/common"
	"github.com/acrm-dev/acrm/tui/components"
	"github.com/acrm-dev/acrm/tui/services"
)

// freqPanel is the contact-frequency what-if (f): a segment's response per offer against
// offers a year, and what moving its customers from one contact level to another would
// yield. The aggregates load once per segment and period; the what-if recomputes at once.
type freqPanel struct {
	common.PaneBase
	c   *common.Common
	svc services.SimulateService

	segments  []string
	segIdx    int
	periodIdx int
	from, to  int
	freq      *sim.Frequency
	err       error
	busy      bool
	whatIf    *sim.WhatIf
	whatIfErr error
	cursor    int // 0 segment, 1 now, 2 what-if, 3 period
}

var _ panel = (*freqPanel)(nil)

// segmentsLoaded is the result of the segment list job (the aggregates come back as
// *sim.Frequency).
type segmentsLoaded []string

func (p *freqPanel) segment() string {
	if p.segIdx < len(p.segments) {
		return p.segments[p.segIdx]
	}
	return "top"
}

func (p *freqPanel) months() int { return Periods[p.periodIdx%len(Periods)] }

func (p *freqPanel) options() sim.FrequencyOptions {
	return sim.FrequencyOptions{Segment: p.segment(), PeriodMonths: p.months(), Boot: Boot, Seed: Seed}
}

func (p *freqPanel) loadSegments() tea.Cmd {
	svc := p.svc
	return start(p.c, "listing segments", func(ctx context.Context, _ func(common.Progress)) (segmentsLoaded, error) {
		return svc.SimSegments(ctx)
	})
}

func (p *freqPanel) load() tea.Cmd {
	svc, opts := p.svc, p.options()
	p.busy = true
	return start(p.c, "contact frequency of "+opts.Segment, func(ctx context.Context, report func(common.Progress)) (*sim.Frequency, error) {
		opts.Report = report
		return svc.LoadFrequency(ctx, opts)
	})
}

// recompute reruns the what-if on the cached aggregates (pure, no workspace).
func (p *freqPanel) recompute() {
	p.whatIf, p.whatIfErr = nil, nil
	if p.freq == nil {
		return
	}
	w, err := p.freq.WhatIf(p.from, p.to)
	if err != nil {
		p.whatIfErr = err
		return
	}
	p.whatIf = &w
}

// Update takes the segment list and the aggregates.
func (p *freqPanel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.Done[segmentsLoaded]:
		if cmd, ok := failed(msg, "segments"); !ok {
			return cmd
		}
		prev := p.segment()
		p.segments = msg.Value
		p.segIdx = 0
		for i, n := range p.segments {
			if n == prev {
				p.segIdx = i
			}
		}
	case common.Done[*sim.Frequency]:
		p.busy = false
		switch {
		case msg.Cancelled:
			return common.Refuse("frequency cancelled")
		case msg.Err != nil:
			p.freq, p.err, p.whatIf, p.whatIfErr = nil, msg.Err, nil, nil
			return nil // shown in the panel
		}
		p.freq, p.err = msg.Value, nil
		p.recompute()
	}
	return nil
}

func (p *freqPanel) move(d int) { p.cursor = (p.cursor + d + 4) % 4 }

// MaxContacts bounds the contacts per period the what-if accepts from ←/→.
const MaxContacts = 24

func (p *freqPanel) change(d int) tea.Cmd {
	switch p.cursor {
	case 0:
		if len(p.segments) == 0 {
			return nil
		}
		p.segIdx = (p.segIdx + d + len(p.segments)) % len(p.segments)
		return p.load()
	case 1:
		p.from = min(max(p.from+d, 0), MaxContacts)
	case 2:
		p.to = min(max(p.to+d, 0), MaxContacts)
	case 3:
		p.periodIdx = (p.periodIdx + d + len(Periods)) % len(Periods)
		return p.load()
	}
	p.recompute()
	return nil
}

// nextPeriod is p: the next period length.
func (p *freqPanel) nextPeriod() tea.Cmd {
	p.periodIdx = (p.periodIdx + 1) % len(Periods)
	return p.load()
}

func (p *freqPanel) field() (Field, float64, bool) {
	switch p.cursor {
	case 1:
		return Field{Name: "from", Label: "contacts now", Unit: count, Step: 1}, float64(p.from), true
	case 2:
		return Field{Name: "to", Label: "contacts in the what-if", Unit: count, Step: 1}, float64(p.to), true
	}
	return Field{}, 0, false
}

// notTyped says which ←/→ choice the input under the cursor is.
func (p *freqPanel) notTyped() string {
	if p.cursor == 0 {
		return "segment"
	}
	return "period"
}

func (p *freqPanel) apply(f Field, text string, v float64) error {
	if v != float64(int(v)) || v < 0 || v > MaxContacts {
		return fmt.Errorf("%s: %s is not a whole number of contacts between 0 and %d", f.Label, text, MaxContacts)
	}
	if p.cursor == 1 {
		p.from = int(v)
	} else {
		p.to = int(v)
	}
	p.recompute()
	return nil
}

func (p *freqPanel) reset() {
	p.from, p.to = 3, 4
	p.recompute()
}

func (p *freqPanel) scenario(name string) (sim.Scenario, error) {
	if p.whatIf == nil {
		if p.whatIfErr != nil {
			return sim.Scenario{}, fmt.Errorf("nothing to save: %w", p.whatIfErr)
		}
		return sim.Scenario{}, errors.New("nothing to save yet: the frequency analysis is still loading")
	}
	inputs := map[string]any{"segment": p.whatIf.Segment.Name, "period": fmt.Sprintf("%dm", p.months()),
		"boot": Boot, "seed": Seed, "from": p.from, "to": p.to}
	return sim.NewScenario(name, sim.KindFrequency, inputs, p.whatIf)
}

func (p *freqPanel) scenarioName() string {
	return fmt.Sprintf("%s %d→%d per %s", p.segment(), p.from, p.to, sim.PeriodName(p.months()))
}

func (p *freqPanel) exportName() string {
	return components.FileName(fmt.Sprintf("simulate-frequency-%s-%dm", p.segment(), p.months())) + ".png"
}

func (p *freqPanel) export(ctx context.Context, path string, opts sim.FrequencyOptions) (string, error) {
	return p.svc.ExportFrequency(ctx, path, opts)
}

// View draws the what-if beside (or above) the response curve.
func (p *freqPanel) View() string {
	th := p.c.Theme
	w, h := p.Width, p.Height
	// Side by side from 140 columns: the results take the width they need (the what-if
	// table is not cut; the notes wrap) and the chart gets what is left, at least 44 columns.
	side := w >= 140
	lw, inner := w, w-2
	if side {
		lw = min(max(w/2, 76), 96)
		if p.freq != nil {
			need := 0
			for _, l := range WhatIfLines(p.whatIf, p.whatIfErr, p.freq.PeriodMonths, w-2) {
				need = max(need, components.Width(strings.TrimRight(l, " ")))
			}
			lw = max(lw, need+2)
		}
		lw = min(lw, w-44)
		inner = lw - 2
	}
	var lines []string
	lines = append(lines, p.inputsLine(inner))
	title := "Contact frequency"
	switch {
	case p.err != nil:
		lines = append(lines, "", th.Error.Render(ansi.Wordwrap("✗ "+p.err.Error(), max(inner-2, 10), "")))
		if strings.Contains(p.err.Error(), "segment") {
			lines = append(lines, th.Muted.Render("←/→ on the segment picks another one"))
		}
	case p.freq == nil:
		lines = append(lines, "", th.Muted.Render("reading the contact history of "+p.segment()+"… (esc cancels)"))
	default:
		f := p.freq
		title = fmt.Sprintf("Segment %s · %s customers · period: %s", f.Segment.Name, components.Int(f.Segment.Customers), sim.PeriodName(f.PeriodMonths))
		notes := p.notes(inner, side)
		if wide(w) || h >= 30 {
			lines = append(lines, th.Muted.Render(components.Truncate(f.Segment.Definition, inner)), "")
			lines = append(lines, WhatIfLines(p.whatIf, p.whatIfErr, f.PeriodMonths, inner)...)
			lines = append(lines, "")
			lines = append(lines, notes...)
		} else {
			// Short terminal: the table, whether the estimate is causal and the optimum;
			// the chart needs the rest.
			lines = append(lines, WhatIfLines(p.whatIf, p.whatIfErr, f.PeriodMonths, inner)...)
			keep := 2
			if f.PeriodNote != "" {
				keep = 3 // the period note is the second line; the optimum stays
			}
			lines = append(lines, notes[:min(keep, len(notes))]...)
		}
	}
	footer := "↑/↓ input · ←/→ change · s save · e export"
	if side {
		// The per-level table fills the room under the what-if when there is enough of it.
		if room := h - 2 - len(lines) - 2; room >= 5 && p.freq != nil {
			lines = append(lines, "", th.PaneTitle.Render("Per offer at each level of offers a year (95 % CI)"))
			lines = append(lines, LevelLines(p.freq, lw-2, room)...)
		}
		left := components.Box(th, title, strings.Join(lines, "\n"), footer, lw, h, true)
		right := components.Box(th, "Response per offer vs offers a year", p.chart(w-lw-2, h-2), "░ 95 % band · ◆ optimum", w-lw, h, false)
		return components.JoinH(left, right)
	}
	th2 := min(len(lines)+2, h-7)
	top := components.Box(th, title, strings.Join(lines, "\n"), footer, w, max(th2, 3), true)
	bottom := components.Box(th, "Response per offer vs offers a year", p.chart(w-2, h-max(th2, 3)-2), "░ 95 % band · ◆ optimum", w, h-max(th2, 3), false)
	return top + "\n" + bottom
}

func (p *freqPanel) inputsLine(w int) string {
	th := p.c.Theme
	items := []string{
		"segment " + p.segment(),
		fmt.Sprintf("now %d", p.from),
		fmt.Sprintf("what-if %d", p.to),
		"per " + sim.PeriodName(p.months()),
	}
	var parts []string
	for i, it := range items {
		if i == p.cursor && p.Focused() {
			parts = append(parts, th.Selected.Render("◂ "+it+" ▸"))
		} else {
			parts = append(parts, "  "+it+"  ")
		}
	}
	return components.Truncate(strings.Join(parts, " "), w)
}

// notes are the lines under the what-if: whether the effect is measured, the optimum, what
// the levels rest on and the randomized check. wrap breaks them at words to width w (the
// side-by-side layout, where results come first); otherwise each is one line cut at w.
func (p *freqPanel) notes(w int, wrap bool) []string {
	th := p.c.Theme
	f := p.freq
	var out []string
	add := func(style func(...string) string, s string) {
		if !wrap {
			out = append(out, style(components.Truncate(s, w)))
			return
		}
		for _, l := range strings.Split(ansi.Wordwrap(s, w, ""), "\n") {
			out = append(out, style(l))
		}
	}
	plain := func(s ...string) string { return strings.Join(s, "") }
	if f.Randomized {
		add(th.Good.Render, IdentificationNote(f))
	} else {
		add(th.Warn.Render, IdentificationNote(f))
	}
	if n := PeriodNote(f); n != "" {
		add(th.Warn.Render, n)
	}
	if f.Curve.C > 0 {
		add(plain, fmt.Sprintf("response per offer peaks at %.1f offers a year (95 %% CI %.1f … %.1f); most contracts at %.1f per %s (%.1f … %.1f)",
			f.Peak.Estimate, f.Peak.Lo, f.Peak.Hi, f.BestPerPeriod.Estimate, sim.PeriodName(f.PeriodMonths), f.BestPerPeriod.Lo, f.BestPerPeriod.Hi))
	} else {
		add(plain, "the fitted response only falls with more offers: no optimum above zero")
	}
	if wi := p.whatIf; wi != nil {
		add(th.Muted.Render, fmt.Sprintf("now measured on %s customer-periods (%s); %d bootstrap resamples of customers",
			components.Int(int64(wi.LevelRows)), wi.LevelSource, f.Boot))
		if e := wi.Experiment; e != nil {
			add(plain, fmt.Sprintf("randomized cells freq-%d vs freq-%d, one period: %s contracts (%s … %s)",
				wi.From, wi.To, sim.FormatSigned(math.Round(e.ExtraContracts.Estimate), sim.FormatCount),
				sim.FormatSigned(math.Round(e.ExtraContracts.Lo), sim.FormatCount), sim.FormatSigned(math.Round(e.ExtraContracts.Hi), sim.FormatCount)))
		}
	}
	return out
}

func (p *freqPanel) chart(w, h int) string {
	th := p.c.Theme
	if p.freq == nil {
		if p.err != nil {
			return th.Muted.Render("no curve: " + p.err.Error())
		}
		return th.Muted.Render("loading…")
	}
	var now, what float64 = -1, -1
	if p.whatIf != nil {
		now = float64(p.from) * 12 / float64(p.months())
		what = float64(p.to) * 12 / float64(p.months())
	}
	return FrequencyChart(th, p.freq, now, what, w, h)
}
