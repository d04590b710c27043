package charts

import "gonum.org/v1/plot"

// Unit says how the values of a measure are written on axes and labels.
type Unit int

// The units of chart measures.
const (
	// Count values are written with thousands separators ("1,250").
	Count Unit = iota
	// Percent values are fractions written as percentages (0.12 → "12 %").
	Percent
	// Money values are amounts in the theme currency ("€ 2.4 M").
	Money
)

// ticker returns the axis ticker for the unit.
func (u Unit) ticker(th Theme) plot.Ticker {
	switch u {
	case Percent:
		return PercentTicks{}
	case Money:
		return MoneyTicks{Currency: th.Currency}
	}
	return NumberTicks{}
}

// format writes one value in the unit (percentages with one decimal below 10 %).
func (u Unit) format(th Theme, v float64) string {
	switch u {
	case Percent:
		if v < 0.1 && v > -0.1 {
			return FormatPercent(v, 1)
		}
		return FormatPercent(v, 0)
	case Money:
		return FormatMoney(th.Currency, v)
	}
	if v != float64(int64(v)) && v < 100 && v > -100 {
		return FormatNumber(v, 1)
	}
	return FormatInt(v)
}

// signed writes a change with an explicit sign ("+€ 2.0 M", "−41").
func (u Unit) signed(th Theme, v float64) string {
	s := u.format(th, v)
	if v > 0 {
		return "+" + s
	}
	return s
}

// Format writes v in the unit the way chart labels do ("€ 2.4 M", "12 %", "1,250").
func (u Unit) Format(th Theme, v float64) string { return u.format(th, v) }
