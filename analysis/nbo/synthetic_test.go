package nbo

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/acrm-dev/acrm/analysis/sim"
)

var synthAt = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// synthetic builds an in-memory scoring of n customers × k products (the first two
// retention, the rest cross-sell or upsell) with random scores, ownership, calibration,
// opt-outs and offer histories, and random rules. Seeded: the same arguments give the same
// instance.
func synthetic(n, k int, seed uint64) (*Scoring, []History, *Rules) {
	r := rand.New(rand.NewPCG(seed, 99))
	prods := &Products{byID: map[int]int{}}
	chCost := map[string]float64{"mail": 1.5, "email": 0.1, "phone": 12, "account_manager": 60}
	for j := 1; j <= k; j++ {
		obj := objectives[1+j%2]
		if j <= 2 {
			obj = ObjRetention
		}
		p := Product{ID: j, Name: "product", Objective: obj, Margin: 300 + 4000*r.Float64(), Cost: map[string]float64{}, ChurnRisk: 1}
		for _, ch := range OutboundChannels { // in a fixed order: the same instance every run
			p.Cost[ch] = chCost[ch] * (0.8 + 0.4*r.Float64())
		}
		prods.byID[j] = len(prods.List)
		prods.List = append(prods.List, p)
	}
	s := &Scoring{RunID: 1, AsOf: synthAt, Products: prods, Cal: map[int]map[string]Calib{}, Channels: OutboundChannels,
		IDs: make([]int64, n), Score: make([]float32, n*k), EV: make([]float64, n), index: make(map[int64]int, n)}
	delta := map[string]float64{"mail": 0, "email": -0.5, "phone": 0.6, "account_manager": 0.9}
	for _, p := range prods.List {
		s.Cal[p.ID] = map[string]Calib{}
		a := -3.5 + r.NormFloat64()*0.5
		for _, ch := range OutboundChannels {
			s.Cal[p.ID][ch] = Calib{Product: p.ID, Channel: ch, Intercept: a + delta[ch], Slope: 0.8, ModelID: "synthetic@v1", Source: "lookalike"}
		}
	}
	hist := make([]History, n)
	for i := 0; i < n; i++ {
		s.IDs[i] = int64(i + 1)
		s.index[int64(i+1)] = i
		for j, p := range prods.List {
			held := r.IntN(5) == 0
			if p.Objective == ObjRetention {
				held = r.IntN(2) == 0
			}
			v := float32(math.NaN())
			if held == (p.Objective == ObjRetention) {
				v = float32(1 / (1 + math.Exp(-(r.NormFloat64()*1.5 - 2))))
				s.EV[i] += float64(v) * p.Margin
			}
			s.Score[i*k+j] = v
		}
		h := &hist[i]
		h.Eligible = r.IntN(20) > 0
		h.PeriodStart = synthAt
		for m := r.IntN(3); m > 0; m-- {
			o := OptOut{Since: synthAt.AddDate(0, 0, -r.IntN(400))}
			if r.IntN(2) == 0 {
				o.Product = 1 + r.IntN(k)
			}
			if r.IntN(2) == 0 {
				o.Channel = OutboundChannels[r.IntN(4)]
			}
			if r.IntN(3) == 0 {
				h.OptOuts = append(h.OptOuts, o)
			}
		}
		for m := r.IntN(4); m > 0; m-- {
			h.Offers = append(h.Offers, PastOffer{TS: synthAt.Add(-time.Duration(1+r.IntN(150*24)) * time.Hour), Product: 1 + r.IntN(k),
				Channel: OutboundChannels[r.IntN(4)], Outcome: []string{"accepted", "declined", "no_response"}[r.IntN(3)]})
		}
	}
	s.prepare()
	s.Segment = segmentsByEV(s.IDs, s.EV)
	for i := range hist {
		hist[i].Segment = s.Segment[i]
	}
	rules := DefaultRules()
	rules.CapBySegment = map[string]int{"top": 5}
	rules.Channels = map[string]ChannelRule{"account_manager": {CapPerPeriod: 1}}
	return s, hist, rules
}

// truthCurves are response curves of the generator's form (peak 6.5 offers a year for the
// base, 10 for the top) for plan tests that need no workspace.
func truthCurves() map[string]sim.ResponseCurve {
	base := sim.ResponseCurve{A: 0.02, B: 6.5 / 1.6, C: 1.6}
	return map[string]sim.ResponseCurve{"top": {A: 0.02, B: 10 / 2.08, C: 2.08}, "middle": base, "low": base}
}
