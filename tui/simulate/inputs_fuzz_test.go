package simulate

import (
	"math"
	"testing"
)

// FuzzFieldParse: a typed scenario input either parses to a finite number inside the
// field's range or is refused with a message; it never panics.
func FuzzFieldParse(f *testing.F) {
	for _, s := range []string{"150,000", "1.5 %", "€ 3,000", "2k", "1M", "1e308", "NaN", "-5", "101", "", "k", "0x10", "1_000"} {
		f.Add(s)
	}
	fields := append(append([]Field{}, OutboundFields...), InboundFields...)
	f.Fuzz(func(t *testing.T, text string) {
		for _, fd := range fields {
			v, err := fd.Parse(text)
			if err != nil {
				continue
			}
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || (fd.Unit == share && v > 1) || v > 1e12 {
				t.Fatalf("%s.Parse(%q) = %v", fd.Name, text, v)
			}
		}
	})
}
