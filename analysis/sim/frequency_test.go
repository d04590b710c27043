package sim

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestFrequencyFixture(t *testing.T) {
	ctx := context.Background()
	ws := memWorkspace(t)
	buildFixture(t, ws, 20000, 3, defaultTruth)
	ClearFrequencyCache()
	start := time.Now()
	f, err := LoadFrequency(ctx, ws, FrequencyOptions{Segment: "top", Boot: 100, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("load top: %v, %d customers, %.0f offers, curve %+v, peak %+v, failed boot %d", time.Since(start), f.Segment.Customers, f.Contacts, f.Curve, f.Peak, f.FailedBoot)
	if !f.Randomized {
		t.Error("fixture has frequency cells but the analysis is not randomized")
	}
	if f.Segment.Customers != 2000 {
		t.Errorf("top segment has %d customers, want 2000", f.Segment.Customers)
	}
	if math.Abs(f.Peak.Estimate-defaultTruth.mTop) > 1 {
		t.Errorf("peak %.2f, true %.1f", f.Peak.Estimate, defaultTruth.mTop)
	}
	w, err := f.WhatIf(3, 4)
	if err != nil {
		t.Fatal(err)
	}
	truth := defaultTruth.effect(true, 3, 4)
	t.Logf("3→4 revenue effect %+v, truth %.3f; extra contracts %+v; now %+v; opt-outs %+v → %+v", w.RevenueEffect, truth, w.ExtraContracts, w.NowContracts, w.NowOptOuts, w.WhatIfOptOuts)
	if !w.RevenueEffect.Contains(truth) {
		t.Errorf("true effect %.3f outside CI [%.3f, %.3f]", truth, w.RevenueEffect.Lo, w.RevenueEffect.Hi)
	}
	if !(w.ExtraContracts.Lo <= w.ExtraContracts.Estimate && w.ExtraContracts.Estimate <= w.ExtraContracts.Hi) {
		t.Errorf("estimate outside its own CI: %+v", w.ExtraContracts)
	}
	if w.LevelRows == 0 || w.NowContracts.Estimate <= 0 {
		t.Errorf("no level: %+v", w)
	}
	if w.Experiment == nil {
		t.Error("no randomized experiment contrast although freq-3 and freq-4 exist")
	}
	// Recompute is pure and fast.
	start = time.Now()
	for k := 1; k <= 8; k++ {
		if _, err := f.WhatIf(3, k); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("8 what-ifs: %v", time.Since(start))
	// Cached: a second load is the same object.
	g, err := LoadFrequency(ctx, ws, FrequencyOptions{Segment: "top", Boot: 100, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if g != f {
		t.Error("second load not served from the cache")
	}
	band := f.CurveBand(16, 0.5)
	if len(band) != 32 {
		t.Fatalf("band has %d points, want 32", len(band))
	}
	for _, p := range band {
		if !(p.Lo <= p.Fit && p.Fit <= p.Hi) || math.IsNaN(p.Fit) {
			t.Errorf("band point %+v", p)
		}
	}
	if f.CurveBand(0, 1) != nil || f.CurveBand(10, -1) != nil {
		t.Error("degenerate band not empty")
	}
	txt := f.Text()
	if !strings.Contains(txt, "randomized") {
		t.Errorf("text does not say randomized:\n%s", txt)
	}
	t.Log("\n" + txt + "\n" + w.Text())

	// The base (low segment) peaks at 6.5.
	lo, err := LoadFrequency(ctx, ws, FrequencyOptions{Segment: "low", Boot: 50, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("low: peak %+v", lo.Peak)
	if math.Abs(lo.Peak.Estimate-defaultTruth.mBase) > 1 {
		t.Errorf("low peak %.2f, true %.1f", lo.Peak.Estimate, defaultTruth.mBase)
	}
	st, err := SegmentsText([]*Frequency{f, lo}, 3, 4)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(st, "contracts 3→4") || !strings.Contains(st, "top") || !strings.Contains(st, "low") {
		t.Errorf("segments table:\n%s", st)
	}
	// A what-if one segment cannot answer is a note, not a failure of the table.
	st, err = SegmentsText([]*Frequency{f, lo}, 20, 21)
	if err != nil || !strings.Contains(st, "no level to start from") {
		t.Errorf("segments table with an impossible what-if (%v):\n%s", err, st)
	}
	if _, err := SegmentsText(nil, 3, 4); err == nil {
		t.Error("no segments accepted")
	}
}

func TestFrequencyBadInput(t *testing.T) {
	ctx := context.Background()
	ws := memWorkspace(t)
	// Before any data: a clear message, not a panic.
	if _, err := LoadFrequency(ctx, ws, FrequencyOptions{Segment: "top"}); err == nil || !strings.Contains(err.Error(), "needs a customers table") {
		t.Errorf("empty workspace err = %v", err)
	}
	buildFixture(t, ws, 3000, 5, defaultTruth)
	ClearFrequencyCache()
	if _, err := LoadFrequency(ctx, ws, FrequencyOptions{Segment: "nosuch"}); !errors.Is(err, ErrUnknownSegment) {
		t.Errorf("unknown segment err = %v", err)
	}
	if _, err := ws.ExecContext(ctx, `INSERT INTO acrm_segments VALUES ('nobody', 'monthly_revenue < 0', '', now())`); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFrequency(ctx, ws, FrequencyOptions{Segment: "nobody"}); !errors.Is(err, ErrEmptySegment) {
		t.Errorf("empty segment err = %v", err)
	}
	if _, err := LoadFrequency(ctx, ws, FrequencyOptions{Segment: "top", PeriodMonths: 5}); err == nil {
		t.Error("5-month period accepted")
	}
	if _, err := LoadFrequency(ctx, ws, FrequencyOptions{Segment: "top", Boot: 3}); err == nil {
		t.Error("3 bootstrap replicates accepted")
	}
	if _, err := ParsePeriod("7m"); err == nil {
		t.Error("7m accepted")
	}
	f, err := LoadFrequency(ctx, ws, FrequencyOptions{Segment: "top", Boot: 20, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// The top segment always gets 3 in business as usual; 20 per half year was never seen.
	if _, err := f.WhatIf(20, 21); !errors.Is(err, ErrNoLevel) {
		t.Errorf("from 20 err = %v", err)
	}
	if _, err := f.WhatIf(-1, 4); err == nil {
		t.Error("negative from accepted")
	}
	if _, err := f.WhatIf(3, 99); err == nil {
		t.Error("to 99 accepted")
	}
	// A period with no contacts: a segment whose customers were never offered anything.
	if _, err := ws.ExecContext(ctx, `INSERT INTO customers VALUES (999999, 1.0)`); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.ExecContext(ctx, `INSERT INTO acrm_segments VALUES ('new', 'customer_id = 999999', '', now())`); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFrequency(ctx, ws, FrequencyOptions{Segment: "new"}); err == nil || !strings.Contains(err.Error(), "has no outbound offers") {
		t.Errorf("no-contact segment err = %v", err)
	}
	// No outbound offers at all.
	if _, err := ws.ExecContext(ctx, `DELETE FROM contacts`); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFrequency(ctx, ws, FrequencyOptions{Segment: "top"}); err == nil || !strings.Contains(err.Error(), "no outbound offers") {
		t.Errorf("no contacts err = %v", err)
	}
}

func TestFrequencyObservationalAndShortHistory(t *testing.T) {
	ctx := context.Background()
	ws := memWorkspace(t)
	buildFixture(t, ws, 8000, 9, defaultTruth)
	ClearFrequencyCache()
	// Without the frequency test the estimate is observational, and says so.
	if _, err := ws.ExecContext(ctx, `DELETE FROM campaigns WHERE selection = 'frequency'`); err != nil {
		t.Fatal(err)
	}
	f, err := LoadFrequency(ctx, ws, FrequencyOptions{Segment: "all", Boot: 20, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if f.Randomized {
		t.Error("no frequency cells, yet the estimate claims to be randomized")
	}
	w, err := f.WhatIf(2, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, txt := range []string{f.Text(), w.Text()} {
		if !strings.Contains(txt, "NOTE: observational estimate") {
			t.Errorf("output does not say it is observational:\n%s", txt)
		}
	}
	// Six months of history cannot fill a 12-month period.
	if _, err := ws.ExecContext(ctx, `DELETE FROM contacts WHERE ts < TIMESTAMP '2026-05-01'`); err != nil {
		t.Fatal(err)
	}
	_, err = LoadFrequency(ctx, ws, FrequencyOptions{Segment: "all", PeriodMonths: 12, Boot: 20})
	if err == nil || !strings.Contains(err.Error(), "shorter than one year period") {
		t.Errorf("12m on 6 months of history: err = %v", err)
	}
	// A cancelled load stops with the context's error.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := LoadFrequency(cctx, ws, FrequencyOptions{Segment: "all", Boot: 20, Refresh: true}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled load err = %v", err)
	}
}

func TestValueSegmentsByExpectedValue(t *testing.T) {
	ctx := context.Background()
	ws := memWorkspace(t)
	db := ws
	for _, q := range []string{
		`CREATE TABLE customers AS SELECT i AS customer_id, 1000.0 * i AS monthly_revenue FROM range(1, 101) t(i)`,
		`CREATE TABLE products AS SELECT 5 AS product_id, 2000.0 AS margin`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	_, info, err := resolveSegment(ctx, ws, "top")
	if err != nil {
		t.Fatal(err)
	}
	if info.By != "monthly_revenue" || info.Customers != 10 {
		t.Errorf("before scores: %+v", info)
	}
	// Scores that rank the customers in reverse of their revenue.
	for _, q := range []string{
		`INSERT INTO acrm_models (model_id, name, product_id, target, source, algo, version, is_best, created_at)
		 VALUES ('P05@v1', 'P05', 5, 'lookalike', 'customers', 'logit', 1, true, now())`,
		`INSERT INTO acrm_scores SELECT 'P05@v1', i, (101 - i) / 100.0, now() FROM range(1, 101) t(i)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	q, info, err := resolveSegment(ctx, ws, "top")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(info.By, "expected value") {
		t.Errorf("with scores the value segments are not by expected value: %+v", info)
	}
	var lo, hi int64
	if err := db.QueryRowContext(ctx, "SELECT min(customer_id), max(customer_id) FROM ("+q+")").Scan(&lo, &hi); err != nil {
		t.Fatal(err)
	}
	if lo != 1 || hi != 10 {
		t.Errorf("top by expected value = customers %d … %d, want 1 … 10", lo, hi)
	}
	_, mid, _ := resolveSegment(ctx, ws, "middle")
	_, low, _ := resolveSegment(ctx, ws, "low")
	if mid.Customers != 40 || low.Customers != 50 {
		t.Errorf("middle %d, low %d customers, want 40 and 50", mid.Customers, low.Customers)
	}
}

// TestWhatIfGrowthUndefinedWithoutRevenue: a segment that earns nothing now has no revenue
// growth (nil, shown as "–"), not −100 % or NaN; one that earns something keeps it.
func TestWhatIfGrowthUndefinedWithoutRevenue(t *testing.T) {
	ctx := context.Background()
	ws := memWorkspace(t)
	buildFixture(t, ws, 4000, 5, defaultTruth)
	ClearFrequencyCache()
	f, err := LoadFrequency(ctx, ws, FrequencyOptions{Segment: "all", Boot: 20, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	w, err := f.WhatIf(2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if w.NowRevenue.Estimate <= 0 || w.RevenueEffect == nil || !(w.RevenueEffect.Estimate > -1) {
		t.Fatalf("with revenue: now %+v, growth %+v; want a defined growth", w.NowRevenue, w.RevenueEffect)
	}
	// Accepted offers without revenue (e.g. a free product): the curve still fits, but
	// there is no revenue to grow from.
	if _, err := ws.ExecContext(ctx, `UPDATE contacts SET revenue = 0`); err != nil {
		t.Fatal(err)
	}
	f, err = LoadFrequency(ctx, ws, FrequencyOptions{Segment: "all", Boot: 20, Seed: 2, Refresh: true})
	if err != nil {
		t.Fatal(err)
	}
	if w, err = f.WhatIf(2, 3); err != nil {
		t.Fatal(err)
	}
	if w.NowRevenue.Estimate != 0 || w.NowContracts.Estimate <= 0 {
		t.Fatalf("now revenue %v, contracts %v; want 0 revenue from some contracts", w.NowRevenue.Estimate, w.NowContracts.Estimate)
	}
	if w.RevenueEffect != nil {
		t.Errorf("revenue growth %+v from zero revenue, want undefined (nil)", *w.RevenueEffect)
	}
	seg, err := SegmentsText([]*Frequency{f}, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, txt := range []string{w.Text(), seg} {
		if !strings.Contains(txt, UndefinedGrowth) || strings.Contains(txt, "100 %") || strings.Contains(txt, "NaN") {
			t.Errorf("growth not shown as undefined:\n%s", txt)
		}
	}
}

// TestFrequencyPeriods: the randomized cells are half-year cells. At 6m they are randomized
// levels with a randomized check; at 3m and 12m they are not, and the output says so plainly
// (Frequency/WhatIf.PeriodNote, NOTE lines) instead of quietly treating everything as
// business as usual. The curve per offer stays randomized at every period.
func TestFrequencyPeriods(t *testing.T) {
	ctx := context.Background()
	ws := memWorkspace(t)
	buildFixture(t, ws, 6000, 11, defaultTruth)
	ClearFrequencyCache()
	half, err := LoadFrequency(ctx, ws, FrequencyOptions{Segment: "all", PeriodMonths: 6, Boot: 20, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	if half.PeriodNote != "" || strings.Contains(half.Text(), "set offers per half year") {
		t.Errorf("half-year analysis carries a period note: %q", half.PeriodNote)
	}
	w6, err := half.WhatIf(2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if w6.Experiment == nil || w6.PeriodNote != "" {
		t.Errorf("6m what-if: experiment %v, note %q; want a randomized check and no note", w6.Experiment, w6.PeriodNote)
	}
	for _, months := range []int{3, 12} {
		f, err := LoadFrequency(ctx, ws, FrequencyOptions{Segment: "all", PeriodMonths: months, Boot: 20, Seed: 4})
		if err != nil {
			t.Fatal(err)
		}
		per := PeriodName(months)
		if !f.Randomized {
			t.Errorf("%s: the curve per offer no longer comes from the randomized cells", per)
		}
		if f.Curve != half.Curve {
			t.Errorf("%s: curve %+v differs from the half-year curve %+v although it does not depend on the period", per, f.Curve, half.Curve)
		}
		if !strings.Contains(f.PeriodNote, "not per "+per) || !strings.Contains(f.PeriodNote, "observational") {
			t.Errorf("%s: period note %q", per, f.PeriodNote)
		}
		for _, p := range f.PerPeriod {
			if p.Randomized {
				t.Errorf("%s: level %d is labelled randomized although the cells are half-year cells", per, p.K)
			}
		}
		// Pick the best-populated business-as-usual level as "now".
		from := 0
		rows := 0
		for _, p := range f.PerPeriod {
			if p.K >= 1 && p.Rows > rows {
				from, rows = p.K, p.Rows
			}
		}
		w, err := f.WhatIf(from, from+1)
		if err != nil {
			t.Fatal(err)
		}
		if w.Experiment != nil {
			t.Errorf("%s: a randomized check from half-year cells: %+v", per, w.Experiment)
		}
		if w.PeriodNote != f.PeriodNote {
			t.Errorf("%s: what-if note %q", per, w.PeriodNote)
		}
		for _, txt := range []string{f.Text(), w.Text()} {
			if !strings.Contains(txt, "NOTE: the randomized frequency and hold-out cells set offers per half year, not per "+per) ||
				!strings.Contains(txt, "--period 6m") {
				t.Errorf("%s: output does not say the cells are half-year cells:\n%s", per, txt)
			}
			if strings.Contains(txt, "randomized check, one") {
				t.Errorf("%s: output shows a randomized check:\n%s", per, txt)
			}
		}
		st, err := SegmentsText([]*Frequency{f}, from, from+1)
		if err != nil || !strings.Contains(st, "randomized*") || !strings.Contains(st, "* the randomized frequency and hold-out cells") {
			t.Errorf("%s: segments table (%v):\n%s", per, err, st)
		}
	}
}

// TestFrequencyTextIntervals: revenue and opt-outs per offer are printed with their 95 %
// intervals, not as points.
func TestFrequencyTextIntervals(t *testing.T) {
	ctx := context.Background()
	ws := memWorkspace(t)
	buildFixture(t, ws, 4000, 6, defaultTruth)
	ClearFrequencyCache()
	f, err := LoadFrequency(ctx, ws, FrequencyOptions{Segment: "all", Boot: 30, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	txt := f.Text()
	if !strings.Contains(txt, "revenue/offer (95% CI)") || !strings.Contains(txt, "opt-out/offer (95% CI)") {
		t.Fatalf("no interval headers:\n%s", txt)
	}
	wide := 0
	for _, b := range f.Bins {
		for _, e := range []Estimate{b.RevenuePerContact, b.OptOutRate} {
			if !(e.Lo <= e.Estimate && e.Estimate <= e.Hi) {
				t.Errorf("n=%d: estimate outside its interval %+v", b.N, e)
			}
		}
		want := ciText(b.Rate, pct) + "  " + pct(b.Fitted) + "  " + ciText(b.RevenuePerContact, FormatMoney) + "  " + ciText(b.OptOutRate, pct)
		found := false
		for _, l := range strings.Split(txt, "\n") {
			if strings.Contains(strings.Join(strings.Fields(l), " "), strings.Join(strings.Fields(want), " ")) {
				found = true
			}
		}
		if !found {
			t.Errorf("n=%d: no row with %q:\n%s", b.N, want, txt)
		}
		if b.RevenuePerContact.Hi > b.RevenuePerContact.Lo && b.OptOutRate.Hi > b.OptOutRate.Lo {
			wide++
		}
	}
	if wide == 0 {
		t.Error("every revenue and opt-out interval is a point")
	}
}
