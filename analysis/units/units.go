// Package units writes numbers the one way the CLI, the workbench and the charts share:
// comma thousands separators ("1,234,567.5"), a minus only on a value that does not round to
// zero, and the typographic minus sign (Minus) where a caller wants it. The front ends'
// formatters (sim.Format*, components.Int/Float, charts.Format*) are built on it.
package units

import (
	"math"
	"strconv"
	"strings"
)

// Minus is the typographic minus sign labels use ("−1,200" rather than "-1,200").
const Minus = "−"

// Group inserts comma thousands separators into the integer part of a plain decimal number
// string: "1234567" → "1,234,567", "-1234.50" → "-1,234.50". A minus is dropped when the
// number is zero ("-0.00" → "0.00").
func Group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/3 + 1)
	if neg && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	b.WriteString(frac)
	return b.String()
}

// Int writes n with thousands separators: 1234567 → "1,234,567".
func Int(n int64) string { return Group(strconv.FormatInt(n, 10)) }

// Float writes v with dec decimals and thousands separators: (1234.56, 1) → "1,234.6".
// NaN and ±Inf are written as strconv does ("NaN", "+Inf"); callers choose their own mark.
func Float(v float64, dec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	if dec < 0 {
		dec = 0
	}
	return Group(strconv.FormatFloat(v, 'f', dec, 64))
}

// Typographic replaces a leading ASCII minus with Minus.
func Typographic(s string) string {
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		return Minus + rest
	}
	return s
}
