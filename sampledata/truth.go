package sampledata

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
)

// Customer is one customers row as the generator and the truth see it. NULL columns are
// encoded as -1 (ContractEnd, NPS).
type Customer struct {
	ID             int64
	Name           string
	Sector         int // index into sectors
	Size           int // 0 micro … 3 large
	Employees      int
	Region         int
	Tenure         int // months up to the snapshot
	MonthlyRevenue float64
	MobileSubs     int
	DataGB         float64
	FixedLines     int
	Locations      int
	ContractEnd    int // months until the running contract ends; -1 = none (NULL)
	PaymentDelay   int
	NPS            int // 0..10; -1 = not surveyed (NULL)
	Digital        float64
}

// SectorName, SizeClass and RegionName decode the indices.
func (c *Customer) SectorName() string { return sectors[c.Sector].name }
func (c *Customer) SizeClass() string  { return sizeClasses[c.Size] }
func (c *Customer) RegionName() string { return regions[c.Region].name }

// features are the transformed attributes g_k is written in.
type features struct {
	le, ten, mob, mpe, dgb, fix, loc, delay, npsz, dig, rev float64
	size, sec                                               int
	hasContract, ceSoon                                     bool
	a1, a7, a11                                             float64 // ownership of the retention products at the snapshot
}

func featuresOf(c *Customer, a1, a7, a11 bool) features {
	f := features{
		le:    math.Log(float64(c.Employees)),
		ten:   float64(c.Tenure) / 60,
		mob:   math.Log1p(float64(c.MobileSubs)),
		mpe:   float64(c.MobileSubs) / float64(c.Employees),
		dgb:   math.Log1p(c.DataGB),
		fix:   math.Log1p(float64(c.FixedLines)),
		loc:   math.Log(float64(c.Locations)),
		delay: math.Min(float64(c.PaymentDelay), 60) / 30,
		dig:   c.Digital - 0.5,
		rev:   math.Log(c.MonthlyRevenue) - 5,
		size:  c.Size,
		sec:   c.Sector,
	}
	if c.NPS >= 0 {
		f.npsz = (float64(c.NPS) - 7) / 2
	}
	if c.ContractEnd >= 0 {
		f.hasContract = true
		f.ceSoon = c.ContractEnd <= 6
	}
	f.a1, f.a7, f.a11 = b2f(a1), b2f(a7), b2f(a11)
	return f
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func hinge(x float64) float64 { return math.Max(0, x) }

func (f *features) in(secs ...int) float64 {
	for _, s := range secs {
		if f.sec == s {
			return 1
		}
	}
	return 0
}

func (f *features) atLeast(size int) float64 { return b2f(f.size >= size) }

// rawScore is g_k before standardization: the fixed, nonlinear score of product k (1-based)
// with interactions, written in attributes that are all in the workspace (customers columns
// and ownership of the retention products 1, 7, 11 at the snapshot). Products 1, 7 and 11 do
// not use ownership. The weights are the generator's design, not fitted to anything.
func rawScore(k int, f *features) float64 {
	const small, medium = 1, 2
	switch k {
	case 1: // MOB-VOICE
		return 0.9*f.le + 0.7*hinge(f.mob-1) + 0.6*f.in(secConstruction, secLogistics) - 0.5*f.in(secICT)*f.dig + 0.4*b2f(f.hasContract) - 0.3*f.delay
	case 2: // MOB-DATA
		return 1.0*f.a1 + 0.8*hinge(f.dgb-3) + 0.7*f.in(secLogistics, secConstruction)*b2f(f.mpe > 0.5) + 0.2*f.le
	case 3: // MOB-UNL
		return 1.5*f.a1 + 1.0*hinge(f.dgb-3.5)*f.a1 + 0.4*f.le - 0.3*f.delay
	case 4: // MOB-ROAM
		return 1.2*f.a1 + 0.9*f.in(secLogistics, secICT, secProfessional)*f.atLeast(small) + 0.4*f.rev
	case 5: // MOB-FLEET
		return 1.0*hinge(f.mob-2.5) + 0.8*f.atLeast(medium) + 0.8*f.a1*f.dig + 0.2*f.ten
	case 6: // MOB-5G
		return 1.2*f.a1 + 1.2*f.dig*b2f(f.dgb > 3) + 0.6*f.in(secICT) + 0.2*f.rev
	case 7: // FIX-VOICE
		return 1.0*f.fix - 0.9*f.dig + 0.6*f.in(secHealthcare, secPublic, secEducation) + 0.4*f.ten - 0.5*b2f(f.size == 0)*b2f(f.dig > 0.2)
	case 8: // FIX-PBX
		return 1.2*f.a7*(f.dig+0.5) + 0.8*hinge(f.fix-1.5) + 0.5*f.in(secProfessional, secHealthcare) - 0.5*b2f(f.size == 0)
	case 9: // FIX-SIP
		return 1.2*f.atLeast(medium)*f.a7 + 0.7*hinge(f.fix-2) + 0.4*f.loc + 0.2*f.le
	case 10: // FIX-CC
		return 1.3*f.in(secRetail, secPublic, secICT)*f.atLeast(medium) + 0.8*hinge(f.fix-2.5) + 0.4*f.le - 0.3*f.npsz
	case 11: // BB-INTERNET
		return 0.6*f.loc + 0.5*f.in(secRetail, secHospitality, secProfessional) + 0.4*f.ten*b2f(f.fix > 0) + 0.5*f.dig + 0.2*f.le
	case 12: // BB-FIBRE
		return 1.4*f.a11*b2f(f.dgb > 2.5) + 0.6*f.dig + 0.5*f.in(secICT, secProfessional) + 0.3*f.loc + 0.2*f.le
	case 13: // BB-BACKUP
		return 1.2*f.a11*f.in(secRetail, secHospitality, secHealthcare) + 0.6*b2f(f.delay == 0) + 0.5*f.loc + 0.2*f.ten
	case 14: // BB-WIFI
		return 1.3*f.in(secHospitality, secRetail, secEducation) + 0.6*f.a11 + 0.5*f.loc*f.atLeast(small) + 0.2*f.le
	case 15: // BB-VPN
		return 1.4*hinge(f.loc-0.7) + 0.8*f.atLeast(medium) + 0.5*f.a11 + 0.2*f.le
	case 16: // ICT-M365
		return 1.2*f.dig + 0.8*f.in(secProfessional, secICT, secEducation) + 0.4*f.le - 0.5*f.in(secAgriculture, secConstruction)*b2f(f.dig < 0)
	case 17: // ICT-BACKUP
		return 1.0*(f.dig+0.5)*f.a11 + 0.7*f.in(secProfessional, secHealthcare) + 0.6*f.le + 0.3*f.ten
	case 18: // ICT-HOST
		return 1.5*f.in(secICT) + 0.8*f.dig + 0.5*hinge(f.dgb-4) + 0.2*f.rev
	case 19: // ICT-WP
		return 1.0*f.atLeast(medium)*(f.dig+0.5) + 0.7*f.in(secProfessional, secPublic, secHealthcare) + 0.5*f.a1*f.a7 + 0.3*f.le
	case 20: // ICT-DOMAIN
		return 0.8*f.in(secRetail, secHospitality, secProfessional) + 0.7*f.dig - 0.4*f.le*b2f(f.size == 3) + 0.3*f.ten
	case 21: // SEC-AV
		return 1.0*f.a11 + 0.8*f.in(secProfessional, secHealthcare, secICT) + 0.6*f.le + 0.3*f.dig
	case 22: // SEC-FW
		return 1.0*f.a11*f.atLeast(small) + 0.9*f.in(secHealthcare, secPublic, secICT) + 0.5*f.loc + 0.2*f.le
	case 23: // SEC-DDOS
		return 1.5*f.in(secICT, secRetail)*b2f(f.dig > 0.1) + 0.8*f.atLeast(medium) + 0.3*f.rev
	case 24: // SEC-SOC
		return 1.6*f.atLeast(medium)*f.in(secHealthcare, secPublic, secManufacturing, secICT) + 0.6*f.le + 0.2*f.dig
	case 25: // IOT-SIM
		return 1.3*f.in(secManufacturing, secAgriculture, secLogistics) + 0.8*hinge(f.loc-1) + 0.4*f.a1 + 0.2*f.le
	case 26: // IOT-FLEET
		return 1.8*f.in(secLogistics, secConstruction)*b2f(f.mob > 1.5) + 0.6*f.le + 0.2*f.ten
	case 27: // IOT-SMART
		return 1.2*f.in(secManufacturing, secEducation, secPublic)*b2f(f.loc > 0.5) + 0.7*f.dig + 0.3*f.le
	case 28: // IOT-PIN
		return 2.0*f.in(secRetail, secHospitality) + 0.5*f.loc + 0.3*f.a11 + 0.2*f.ten
	case 29: // COL-VIDEO
		return 1.0*(f.dig+0.5)*f.atLeast(small) + 0.8*f.in(secProfessional, secEducation, secICT) + 0.5*f.loc + 0.1*f.le
	case 30: // COL-UC
		return 1.2*f.a1*f.a7 + 0.8*f.atLeast(small) + 0.5*f.dig + 0.2*f.le
	case 31: // SRV-SUPPORT
		return 1.0*f.rev + 0.8*f.atLeast(medium) - 0.5*f.delay + 0.4*f.npsz
	case 32: // SRV-INS
		return 1.0*f.a1*b2f(f.mob > 1) + 0.6*f.in(secConstruction, secLogistics, secHospitality) - 0.5*f.dig + 0.2*f.ten
	}
	panic("sampledata: no truth for product")
}

// Frequency-curve and opt-out parameters (see docs/DATAMART.md).
const (
	CurvePeakBase  = 6.5
	CurvePeakTop   = 10.0
	CurveGammaBase = 5.0
	CurveGammaTop  = 2.08
	OptoutQ0Base   = 0.008
	OptoutQ0Top    = 0.006
	maxAccept      = 0.9
	inboundMult    = 2.5
	responseBase   = 0.03
)

// ChannelMult is the response multiplier of an outbound offer per channel.
var ChannelMult = map[string]float64{
	ChannelMail: 1.0, ChannelEmail: 0.6, ChannelPhone: 1.8, ChannelAM: 2.4,
	ChannelInbound: inboundMult, ChannelWeb: 1.0,
}

// Fatigue is the contact-frequency factor f(n) for a customer's n-th outbound offer contact in
// the last 12 months (n ≥ 1, this contact included):
//
//	f(n) = (n/m)^γ · exp(γ·(1 − n/m))
//
// with m, γ = 6.5, 5 for the base and 10, 2.08 for the top value segment. f peaks at n = m
// where it is 1, rises before and falls after.
func Fatigue(n int, top bool) float64 {
	m, g := CurvePeakBase, CurveGammaBase
	if top {
		m, g = CurvePeakTop, CurveGammaTop
	}
	if n < 1 {
		n = 1
	}
	x := float64(n) / m
	return math.Exp(g * (math.Log(x) + 1 - x))
}

// OptoutProb is the chance that an outbound offer contact makes the customer opt out:
// q(n) = q0 · (n/m)², q0 = 0.008 (base) or 0.006 (top), rising with the contacts in 12 months.
func OptoutProb(n int, top bool) float64 {
	q0, m := OptoutQ0Base, CurvePeakBase
	if top {
		q0, m = OptoutQ0Top, CurvePeakTop
	}
	x := float64(n) / m
	return math.Min(0.5, q0*x*x)
}

// SteadyStateEffect is the true relative change in expected revenue growth per half year when
// going from k1 to k2 evenly spaced offer contacts per half year (so n = 2k at every contact):
// k2·f(2·k2) / (k1·f(2·k1)) − 1.
func SteadyStateEffect(k1, k2 int, top bool) float64 {
	return float64(k2)*Fatigue(2*k2, top)/(float64(k1)*Fatigue(2*k1, top)) - 1
}

// Truth holds the calibrated ground truth. It is the same for every seed and size.
type Truth struct {
	products    []Product
	mean, sd    []float64 // standardization of rawScore per product (index k-1)
	a, s        []float64 // intercept and scale
	targetAUC   []float64
	calibAUC    []float64 // expected AUC reached on the calibration population
	response    []float64 // r_k
	modelThr    []float64 // p threshold of historical "model" campaigns
	TopRevenue  float64   // monthly_revenue threshold of the top value segment
	meanRevenue float64
}

var (
	truthOnce sync.Once
	truthVal  *Truth
)

// GetTruth returns the calibrated truth (computed once per process, ~0.2 s).
func GetTruth() *Truth {
	truthOnce.Do(func() { truthVal = calibrate() })
	return truthVal
}

const (
	calibSize = 6000
	calibSeed = 0x5eed_ca11b
)

// PTrue is p_true(c, k) = σ(a_k + s_k · (g_k(x) − μ_k)/σ_k) for product k (1-based), given the
// customer and the ownership of the retention products at the snapshot.
func (t *Truth) PTrue(k int, f *features) float64 {
	i := k - 1
	z := (rawScore(k, f) - t.mean[i]) / t.sd[i]
	return sigmoid(t.a[i] + t.s[i]*z)
}

// PTrueCustomer computes p_true for every product (index k-1) of c, given its ownership of the
// retention products.
func (t *Truth) PTrueCustomer(c *Customer, ownMobile, ownFixed, ownInternet bool, out []float64) []float64 {
	f := featuresOf(c, ownMobile, ownFixed, ownInternet)
	if cap(out) < NumProducts {
		out = make([]float64, NumProducts)
	}
	out = out[:NumProducts]
	for k := 1; k <= NumProducts; k++ {
		out[k-1] = t.PTrue(k, &f)
	}
	return out
}

// IsTop reports whether a customer with this monthly revenue is in the top value segment.
func (t *Truth) IsTop(monthlyRevenue float64) bool { return monthlyRevenue >= t.TopRevenue }

// ResponseScale is r_k = 0.03 / target base rate of product k.
func (t *Truth) ResponseScale(k int) float64 { return t.response[k-1] }

// AcceptProb is the chance that an outbound offer of product k converts:
// min(0.9, r_k · p_true · m_channel · f_seg(n)). Inbound offers (channel inbound or web) have no
// fatigue factor: min(0.9, r_k · p_true · 2.5 · boost).
func (t *Truth) AcceptProb(k int, p float64, channel string, n int, top bool) float64 {
	m := ChannelMult[channel]
	var v float64
	if channel == ChannelInbound || channel == ChannelWeb {
		v = t.response[k-1] * p * inboundMult
	} else {
		v = t.response[k-1] * p * m * Fatigue(n, top)
	}
	return math.Min(maxAccept, v)
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// calibrate fits a_k, s_k for every product on a fixed population so that the expected AUC of
// ranking by p_true against Bernoulli(p_true) ownership equals the product's target and the
// mean p_true its base rate.
func calibrate() *Truth {
	prods := Products()
	n := NumProducts
	t := &Truth{products: prods, mean: make([]float64, n), sd: make([]float64, n),
		a: make([]float64, n), s: make([]float64, n), targetAUC: make([]float64, n),
		calibAUC: make([]float64, n), response: make([]float64, n), modelThr: make([]float64, n)}
	pop := make([]Customer, calibSize)
	rev := make([]float64, calibSize)
	for i := range pop {
		r := rand.New(rand.NewPCG(calibSeed, uint64(i+1)))
		genAttributes(r, int64(i+1), &pop[i])
		rev[i] = pop[i].MonthlyRevenue
	}
	sort.Float64s(rev)
	t.TopRevenue = rev[int(0.9*float64(calibSize))]
	for _, v := range rev {
		t.meanRevenue += v / calibSize
	}
	feats := make([]features, calibSize)
	for i := range pop {
		feats[i] = featuresOf(&pop[i], false, false, false)
	}
	own := func(k int) []bool {
		r := rand.New(rand.NewPCG(calibSeed, uint64(1000+k)))
		o := make([]bool, calibSize)
		for i := range feats {
			o[i] = r.Float64() < t.PTrue(k, &feats[i])
		}
		return o
	}
	// Retention products first: the others depend on their ownership.
	order := []int{ProdMobileVoice, ProdFixedVoice, ProdInternet}
	for k := 1; k <= n; k++ {
		if k != ProdMobileVoice && k != ProdFixedVoice && k != ProdInternet {
			order = append(order, k)
		}
	}
	g := make([]float64, calibSize)
	for idx, k := range order {
		i := k - 1
		// Targets spread deterministically over 0.80–0.87.
		t.targetAUC[i] = 0.80 + 0.07*math.Mod(float64(k)*0.6180339887, 1)
		t.response[i] = responseBase / prods[i].BaseRate
		for j := range feats {
			g[j] = rawScore(k, &feats[j])
		}
		var m, v float64
		for _, x := range g {
			m += x
		}
		m /= calibSize
		for _, x := range g {
			v += (x - m) * (x - m)
		}
		sd := math.Sqrt(v / calibSize)
		if sd == 0 {
			sd = 1
		}
		t.mean[i], t.sd[i] = m, sd
		z := make([]float64, calibSize)
		for j, x := range g {
			z[j] = (x - m) / sd
		}
		sort.Float64s(z)
		t.s[i], t.a[i], t.calibAUC[i] = fitScale(z, prods[i].BaseRate, t.targetAUC[i])
		if math.IsNaN(t.s[i]) || math.IsNaN(t.a[i]) || math.IsNaN(t.calibAUC[i]) {
			panic(fmt.Sprintf("sampledata: truth calibration of product %d failed", k)) // a bug, not bad input
		}
		// Threshold of historical model campaigns: the 60th percentile of p_true.
		ps := make([]float64, calibSize)
		for j, x := range z {
			ps[j] = sigmoid(t.a[i] + t.s[i]*x)
		}
		t.modelThr[i] = ps[int(0.6*calibSize)]
		if idx == 2 {
			o1, o7, o11 := own(ProdMobileVoice), own(ProdFixedVoice), own(ProdInternet)
			for j := range pop {
				feats[j] = featuresOf(&pop[j], o1[j], o7[j], o11[j])
			}
		}
	}
	return t
}

// fitScale finds s and a with mean σ(a+s·z) = base and expected AUC(s) = target, where z is
// sorted ascending. The expected AUC of ranking by z against labels y ~ Bernoulli(p) is
//
//	Σ_i p_i · (Σ_{j: z_j<z_i} (1−p_j) + ½ Σ_{j≠i: z_j=z_i} (1−p_j)) / (Σp · Σ(1−p)).
func fitScale(z []float64, base, target float64) (s, a, auc float64) {
	lo, hi := 0.0, 6.0
	p := make([]float64, len(z))
	a0 := math.Log(base / (1 - base))
	eval := func(s float64) (float64, float64) {
		a := interceptFor(z, s, base, a0)
		a0 = a // warm start for the next, nearby s
		for i, x := range z {
			p[i] = sigmoid(a + s*x)
		}
		return a, expectedAUC(z, p)
	}
	a, auc = eval(hi)
	if auc < target {
		return hi, a, auc
	}
	for it := 0; it < 16; it++ { // s to within 6/2^16 ≈ 1e-4
		mid := (lo + hi) / 2
		_, am := eval(mid)
		if am < target {
			lo = mid
		} else {
			hi = mid
		}
	}
	a, auc = eval(hi)
	return hi, a, auc
}

// interceptFor solves mean σ(a + s·z) = base for a, starting from a: Newton's method kept
// inside a shrinking bracket (the mean is increasing in a), bisecting when a step leaves it.
func interceptFor(z []float64, s, base, a float64) float64 {
	lo, hi := -40.0, 40.0
	for it := 0; it < 100; it++ {
		var m, d float64
		for _, x := range z {
			q := sigmoid(a + s*x)
			m += q
			d += q * (1 - q)
		}
		m /= float64(len(z))
		d /= float64(len(z))
		if m > base {
			hi = a
		} else {
			lo = a
		}
		next := a - (m-base)/d
		if d == 0 || math.IsNaN(next) || next <= lo || next >= hi {
			next = (lo + hi) / 2
		}
		if math.Abs(next-a) < 1e-6 {
			return next
		}
		a = next
	}
	return a
}

func expectedAUC(z, p []float64) float64 {
	var P, N, num, negBelow float64
	for i := 0; i < len(z); {
		j := i
		var gp, gn float64
		for j < len(z) && z[j] == z[i] {
			gp += p[j]
			gn += 1 - p[j]
			j++
		}
		// Ties: half credit (the self-pair term is negligible).
		num += gp * (negBelow + 0.5*gn)
		negBelow += gn
		P += gp
		N += gn
		i = j
	}
	return num / (P * N)
}
