package nbo

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// AppendJSON writes byte for byte what encoding/json's Encoder writes for JSON(d): strings
// that need escaping (quotes, controls, HTML, U+2028, invalid UTF-8), floats of every
// magnitude, facts out of order and repeated, empty offers and reasons.
func TestAppendJSONEqualsEncodingJSON(t *testing.T) {
	l := &Live{Scoring: &Scoring{Products: &Products{List: []Product{{ID: 3, Name: `Fleet <"GPS"> & co`}, {ID: 9, Name: "Hosting\u2028IaaS"}},
		byID: map[int]int{3: 0, 9: 1}}}}
	rng := rand.New(rand.NewPCG(5, 6))
	strs := []string{"", "plain", `q"uote\back`, "tab\tnl\ncr\r\b\f\x01\x1f\x7f", "<script>&amp;</script>", "é ü — ✓", "bad \xff\xfe utf8",
		"line\u2028para\u2029", "null", "P(accept) 0.075% below the minimum 0.100%"}
	floats := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 1e-6, 9.99e-7, 1e-7, 1.5e-9, 1e20, 1e21, 1.2345e22, -3.5e-8, 123456.789,
		0.1 + 0.2, math.MaxFloat64, math.SmallestNonzeroFloat64, 42}
	str := func() string { return strs[rng.IntN(len(strs))] }
	num := func() float64 {
		if rng.IntN(3) == 0 {
			return (rng.Float64() - 0.5) * math.Pow(10, float64(rng.IntN(50)-25))
		}
		return floats[rng.IntN(len(floats))]
	}
	for i := 0; i < 500; i++ {
		d := &LiveDecision{Customer: rng.Int64N(1 << 40), At: time.Date(2026, 12, 1+rng.IntN(28), 0, 0, 0, 0, time.UTC), Segment: str(),
			Usage: Usage{Total: rng.IntN(5), Cap: rng.IntN(5)}}
		for j := rng.IntN(4); j > 0; j-- {
			d.Facts = append(d.Facts, Fact{Field: []string{"nps", "employees", "Nps", "sector", str()}[rng.IntN(5)], Value: str()})
		}
		for j := rng.IntN(4); j > 0; j-- {
			o := LiveOffer{Offer: Offer{Candidate: Candidate{Product: []int{3, 9, 77}[rng.IntN(3)], Channel: str(), P: num(), Value: num(), Model: str()}, Rank: j},
				Score: num(), Why: str()}
			for k := rng.IntN(3); k > 0; k-- {
				o.Reasons = append(o.Reasons, Reason{Feature: str(), Value: num(), Contribution: num()})
			}
			d.Offers = append(d.Offers, o)
		}
		for j := rng.IntN(6); j > 0; j-- {
			d.Trace = append(d.Trace, Step{Product: rng.IntN(40), Channel: str(), Rule: str(), Detail: str()})
		}
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(l.JSON(d)); err != nil {
			t.Fatal(err)
		}
		if got := l.AppendJSON(nil, d); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("decision %d:\nAppendJSON    %s\nencoding/json %s", i, got, want.Bytes())
		}
	}
}
