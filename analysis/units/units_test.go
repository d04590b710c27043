package units

import (
	"math"
	"testing"
)

func TestFormats(t *testing.T) {
	cases := []struct{ got, want string }{
		{Group("1234567"), "1,234,567"},
		{Group("-1234.50"), "-1,234.50"},
		{Group("-0.00"), "0.00"},
		{Group("999"), "999"},
		{Group("100000"), "100,000"},
		{Int(-4200), "-4,200"},
		{Int(0), "0"},
		{Float(1234.56, 1), "1,234.6"},
		{Float(-0.04, 1), "0.0"},
		{Float(2.5, -1), "2"},
		{Float(math.NaN(), 1), "NaN"},
		{Typographic(Int(-1200)), "−1,200"},
		{Typographic("12"), "12"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: got %q, want %q", i, c.got, c.want)
		}
	}
}
