package charts

import (
	"math"
	"strings"

	"gonum.org/v1/plot"

	"github.com/acrm-dev/acrm/analysis/units"
)

// minus is the typographic minus sign used in labels ("−1,200" rather than "-1,200").
const minus = units.Minus

// FormatInt formats v rounded to an integer with comma thousands separators:
// 1250000 → "1,250,000", -4200 → "−4,200".
func FormatInt(v float64) string { return FormatNumber(v, 0) }

// FormatNumber formats v with the given number of decimals and comma thousands separators:
// FormatNumber(1234.5, 1) → "1,234.5".
func FormatNumber(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	if decimals < 0 {
		decimals = 0
	}
	return units.Typographic(units.Float(v, decimals))
}

// FormatPercent formats a fraction as a percentage with a space before the sign:
// FormatPercent(0.12, 0) → "12 %", FormatPercent(0.015, 1) → "1.5 %".
func FormatPercent(frac float64, decimals int) string {
	return FormatNumber(frac*100, decimals) + " %"
}

// FormatMoney formats an amount for a slide with the currency symbol and a magnitude
// suffix: ≥ 1 million → "€ 2.4 M", "€ 6.75 M" (two decimals, a trailing zero dropped;
// none from 100 M up), ≥ 10,000 → "€ 850 k", otherwise the full amount "€ 3,500".
// Negative amounts read "−€ 1.2 M".
func FormatMoney(currency string, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	a := math.Abs(v)
	var s string
	switch {
	case math.Round(a/1e6) >= 100:
		s = FormatNumber(a/1e6, 0) + " M"
	case math.Round(a/1e4) >= 100: // rounds to at least 1.00 M
		s = strings.TrimSuffix(FormatNumber(a/1e6, 2), "0") + " M"
	case math.Round(a/1e3) >= 10:
		s = FormatNumber(a/1e3, 0) + " k"
	default:
		s = FormatNumber(a, 0)
	}
	if v < 0 && strings.Trim(s, "0., Mk") != "" {
		return minus + currency + " " + s
	}
	return currency + " " + s
}

// niceStep is the tick step for about n ticks over span: 1, 2, 2.5 or 5 × 10^k.
func niceStep(span float64, n int) float64 {
	if span <= 0 || math.IsNaN(span) || math.IsInf(span, 0) {
		return 1
	}
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			return m * mag
		}
	}
	return 10 * mag
}

// decimalsFor is how many decimals make ticks of the given step distinct.
func decimalsFor(step float64) int {
	d := 0
	for d < 6 && math.Abs(step*math.Pow(10, float64(d))-math.Round(step*math.Pow(10, float64(d)))) > 1e-9 {
		d++
	}
	return d
}

// niceTicks returns labelled major ticks at multiples of a nice step within [min, max].
func niceTicks(min, max float64, n int, label func(v, step float64) string) []plot.Tick {
	if min > max {
		min, max = max, min
	}
	step := niceStep(max-min, n)
	start := math.Ceil(min/step-1e-9) * step
	var ticks []plot.Tick
	for v := start; v <= max+step*1e-9; v += step {
		x := math.Round(v/step) * step
		if math.Abs(x) < step*1e-9 {
			x = 0
		}
		ticks = append(ticks, plot.Tick{Value: x, Label: label(x, step)})
	}
	return ticks
}

// NumberTicks labels ticks as plain numbers with thousands separators ("1,250,000").
type NumberTicks struct{ N int }

// Ticks implements plot.Ticker.
func (t NumberTicks) Ticks(min, max float64) []plot.Tick {
	return niceTicks(min, max, orDefault(t.N, 6), func(v, step float64) string {
		return FormatNumber(v, decimalsFor(step))
	})
}

// PercentTicks labels fractions as percentages ("12 %").
type PercentTicks struct{ N int }

// Ticks implements plot.Ticker.
func (t PercentTicks) Ticks(min, max float64) []plot.Tick {
	return niceTicks(min, max, orDefault(t.N, 6), func(v, step float64) string {
		return FormatPercent(v, decimalsFor(step*100))
	})
}

// MoneyTicks labels amounts in the currency with one magnitude for the whole axis
// ("€ 0.5 M", "€ 1.0 M", or "€ 250 k"), chosen from the largest absolute tick.
type MoneyTicks struct {
	Currency string
	N        int
}

// Ticks implements plot.Ticker.
func (t MoneyTicks) Ticks(min, max float64) []plot.Tick {
	ticks := niceTicks(min, max, orDefault(t.N, 6), func(float64, float64) string { return "" })
	big := 0.0
	for _, tk := range ticks {
		big = math.Max(big, math.Abs(tk.Value))
	}
	step := niceStep(max-min, orDefault(t.N, 6))
	scale, suffix := 1.0, ""
	switch {
	case big >= 1e6:
		scale, suffix = 1e6, " M"
	case big >= 1e4:
		scale, suffix = 1e3, " k"
	}
	dec := decimalsFor(step / scale)
	for i := range ticks {
		v := ticks[i].Value
		s := t.Currency + " " + FormatNumber(math.Abs(v)/scale, dec) + suffix
		if v == 0 {
			s = t.Currency + " 0"
		}
		if v < 0 {
			s = minus + s
		}
		ticks[i].Label = s
	}
	return ticks
}

// FixedTicks labels integer positions with the given names (categorical axes); position i
// carries Labels[i].
type FixedTicks struct{ Labels []string }

// Ticks implements plot.Ticker.
func (t FixedTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for i, l := range t.Labels {
		if float64(i) >= min-1e-9 && float64(i) <= max+1e-9 {
			ticks = append(ticks, plot.Tick{Value: float64(i), Label: l})
		}
	}
	return ticks
}

func orDefault(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}
