package model

import (
	"math"
	"sort"
)

// Decile is one tenth of the customers ranked by score, decile 1 holding the highest scores.
type Decile struct {
	Decile       int
	N, Positives int
	// MinScore is the lowest score in the decile, Rate = Positives/N, Lift = Rate/BaseRate.
	MinScore, Rate, Lift float64
	// CumGain is the share of all positives found in deciles 1..Decile and CumLift the
	// response rate of deciles 1..Decile divided by the base rate.
	CumGain, CumLift float64
}

// GainPoint is a point of the cumulative gains curve: contacting the top Share of
// customers by score reaches Gain of all positives.
type GainPoint struct{ Share, Gain float64 }

// ROCPoint is a point of the ROC curve at a score threshold: predicting positive for
// scores ≥ Threshold.
type ROCPoint struct{ FPR, TPR, Threshold float64 }

// CalBin is one equal-frequency bin of the reliability diagram.
type CalBin struct {
	N         int
	MeanScore float64 // mean predicted probability
	Rate      float64 // observed positive rate
}

// Metrics summarises how well scores p rank and predict labels y.
type Metrics struct {
	N, Positives int
	BaseRate     float64
	AUC, Gini    float64
	Brier        float64
	// CalError is the expected calibration error over 10 equal-frequency bins.
	CalError      float64
	TopDecileLift float64
	Deciles       []Decile
	Gains         []GainPoint
	ROC           []ROCPoint
	Calibration   []CalBin
}

// Evaluate computes the metrics of scores p against labels y in {0,1}:
//
//	BaseRate = Σy/n, AUC see AUC, Gini = 2·AUC − 1, Brier = (1/n) Σ (p_i − y_i)²,
//	CalError = Σ_b (n_b/n)·|mean(p)_b − mean(y)_b| over 10 equal-frequency bins of p,
//	Lift_d = Rate_d / BaseRate for the deciles by descending score (ties broken by
//	input order), TopDecileLift = Lift_1.
//
// Gains holds 101 points (shares 0, 0.01, …, 1); ROC at most 201 points. Evaluate
// panics if len(p) != len(y); with no rows it returns zero Metrics.
func Evaluate(p, y []float64) Metrics {
	if len(p) != len(y) {
		panic("model: Evaluate with len(p) != len(y)")
	}
	n := len(p)
	var m Metrics
	m.N = n
	if n == 0 {
		return m
	}
	pos := 0.0
	brier := 0.0
	for i := range p {
		pos += y[i]
		d := p[i] - y[i]
		brier += d * d
	}
	m.Positives = int(pos)
	m.BaseRate = pos / float64(n)
	m.Brier = brier / float64(n)
	m.AUC = AUC(p, y)
	m.Gini = 2*m.AUC - 1

	// Order by descending score, stable on input order.
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] > p[idx[b]] })

	// Deciles.
	cumPos, cumN := 0.0, 0
	for d := 0; d < 10; d++ {
		lo, hi := d*n/10, (d+1)*n/10
		if hi <= lo {
			continue
		}
		dec := Decile{Decile: d + 1, N: hi - lo, MinScore: math.Inf(1)}
		for _, i := range idx[lo:hi] {
			dec.Positives += int(y[i])
			dec.MinScore = math.Min(dec.MinScore, p[i])
		}
		cumPos += float64(dec.Positives)
		cumN += dec.N
		dec.Rate = float64(dec.Positives) / float64(dec.N)
		if m.BaseRate > 0 {
			dec.Lift = dec.Rate / m.BaseRate
			dec.CumLift = (cumPos / float64(cumN)) / m.BaseRate
		}
		if pos > 0 {
			dec.CumGain = cumPos / pos
		}
		m.Deciles = append(m.Deciles, dec)
	}
	if len(m.Deciles) > 0 {
		m.TopDecileLift = m.Deciles[0].Lift
	}

	// Cumulative gains at every percent.
	prefix := make([]float64, n+1)
	for k, i := range idx {
		prefix[k+1] = prefix[k] + y[i]
	}
	for s := 0; s <= 100; s++ {
		k := s * n / 100
		g := 0.0
		if pos > 0 {
			g = prefix[k] / pos
		}
		m.Gains = append(m.Gains, GainPoint{Share: float64(s) / 100, Gain: g})
	}

	// ROC: one point per distinct threshold, thinned to ≤ 201 points.
	neg := float64(n) - pos
	var roc []ROCPoint
	// the first point predicts nobody positive: its threshold lies just above the top score
	roc = append(roc, ROCPoint{FPR: 0, TPR: 0, Threshold: math.Nextafter(p[idx[0]], math.Inf(1))})
	tp, fp := 0.0, 0.0
	for k := 0; k < n; {
		t := p[idx[k]]
		for k < n && p[idx[k]] == t {
			if y[idx[k]] == 1 {
				tp++
			} else {
				fp++
			}
			k++
		}
		pt := ROCPoint{Threshold: t}
		if neg > 0 {
			pt.FPR = fp / neg
		}
		if pos > 0 {
			pt.TPR = tp / pos
		}
		roc = append(roc, pt)
	}
	m.ROC = thinROC(roc, 201)

	// Reliability: 10 equal-frequency bins by ascending score.
	ece := 0.0
	for b := 0; b < 10; b++ {
		lo, hi := n-(b+1)*n/10, n-b*n/10 // idx is descending; walk from the bottom
		if hi <= lo {
			continue
		}
		sp, sy := 0.0, 0.0
		for _, i := range idx[lo:hi] {
			sp += p[i]
			sy += y[i]
		}
		cnt := float64(hi - lo)
		cb := CalBin{N: hi - lo, MeanScore: sp / cnt, Rate: sy / cnt}
		ece += cnt / float64(n) * math.Abs(cb.MeanScore-cb.Rate)
		m.Calibration = append(m.Calibration, cb)
	}
	m.CalError = ece
	return m
}

// thinROC keeps at most max points, always the first and last.
func thinROC(r []ROCPoint, max int) []ROCPoint {
	if len(r) <= max {
		return r
	}
	out := make([]ROCPoint, 0, max)
	for k := 0; k < max; k++ {
		out = append(out, r[k*(len(r)-1)/(max-1)])
	}
	return out
}

// AUC returns the area under the ROC curve of scores p for labels y in {0,1}, computed
// from ranks (the Mann–Whitney U statistic) with tied scores given their average rank:
//
//	AUC = (Σ_{i: y_i=1} rank_i − n₁(n₁+1)/2) / (n₁·n₀).
//
// It equals the probability that a random positive scores above a random negative,
// ties counting ½. It returns NaN when y has no positives or no negatives.
func AUC(p, y []float64) float64 {
	if len(p) != len(y) {
		panic("model: AUC with len(p) != len(y)")
	}
	n := len(p)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
	n1 := 0.0
	rankSum := 0.0
	for k := 0; k < n; {
		j := k
		for j < n && p[idx[j]] == p[idx[k]] {
			j++
		}
		avg := float64(k+j+1) / 2 // ranks k+1..j
		for _, i := range idx[k:j] {
			if y[i] == 1 {
				n1++
				rankSum += avg
			}
		}
		k = j
	}
	n0 := float64(n) - n1
	if n1 == 0 || n0 == 0 {
		return math.NaN()
	}
	return (rankSum - n1*(n1+1)/2) / (n1 * n0)
}
