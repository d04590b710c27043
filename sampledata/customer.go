package sampledata

import (
	"math"
	"math/rand/v2"
)

var (
	surnames = []string{"De Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "De Boer", "Mulder",
		"De Groot", "Bos", "Vos", "Peters", "Hendriks", "Van Leeuwen", "Dekker", "Brouwer", "De Wit",
		"Dijkstra", "Smits", "De Graaf", "Van der Meer", "Kok", "Jacobs", "Van Dijk", "Vermeulen",
		"Van den Berg", "Willems", "Schouten", "Hoekstra", "Maas", "Verhoeven", "Koster", "Prins",
		"Post", "Kuipers", "Van Wijk", "Huisman", "Postma", "Blom", "Kramer"}
	sectorNouns = map[int][]string{
		secRetail:       {"Mode", "Bloemen", "Fietsen", "Supermarkt", "Wonen"},
		secHospitality:  {"Horeca", "Hotel", "Eetcafé", "Catering", "Brasserie"},
		secConstruction: {"Bouw", "Installatietechniek", "Dakwerken", "Aannemers", "Schilders"},
		secHealthcare:   {"Zorg", "Fysiotherapie", "Tandartsen", "Apotheek", "Huisartsen"},
		secLogistics:    {"Transport", "Logistiek", "Koeriers", "Expeditie", "Verhuizingen"},
		secProfessional: {"Advocaten", "Accountants", "Advies", "Notariaat", "Makelaardij"},
		secManufacturing: {"Metaal", "Machinebouw", "Kunststoffen", "Verpakkingen",
			"Voedingsmiddelen"},
		secEducation:   {"Onderwijs", "Opleidingen", "Kinderopvang", "Academie", "Taalschool"},
		secPublic:      {"Stichting", "Gemeentewerken", "Waterbeheer", "Welzijn", "Bibliotheek"},
		secAgriculture: {"Agro", "Kwekerij", "Melkveehouderij", "Tuinbouw", "Loonwerk"},
		secICT:         {"IT", "Software", "Hosting", "Digital", "Data"},
	}
	legalForms = []string{"B.V.", "B.V.", "B.V.", "V.O.F.", "Holding B.V.", "& Zn."}
)

// pickWeighted returns an index drawn with the given weights (which sum to about 1).
func pickWeighted(r *rand.Rand, n int, w func(int) float64) int {
	u := r.Float64()
	for i := 0; i < n; i++ {
		u -= w(i)
		if u < 0 {
			return i
		}
	}
	return n - 1
}

// genAttributes draws a customer's attributes from r. The draws are the same for the
// generator and for the calibration population, so the truth is calibrated on the population
// the generator produces.
func genAttributes(r *rand.Rand, id int64, c *Customer) {
	*c = Customer{ID: id}
	u := r.Float64()
	switch {
	case u < 0.55:
		c.Size = 0
	case u < 0.85:
		c.Size = 1
	case u < 0.97:
		c.Size = 2
	default:
		c.Size = 3
	}
	lo := [4]float64{1, 10, 50, 250}[c.Size]
	hi := [4]float64{10, 50, 250, 5000}[c.Size]
	c.Employees = int(math.Exp(math.Log(lo) + r.Float64()*(math.Log(hi)-math.Log(lo))))
	if c.Employees < int(lo) {
		c.Employees = int(lo)
	}
	c.Sector = pickWeighted(r, len(sectors), func(i int) float64 { return sectors[i].share })
	c.Region = pickWeighted(r, len(regions), func(i int) float64 { return regions[i].share })
	sec := sectors[c.Sector]
	c.Tenure = 1 + int(r.ExpFloat64()*(50+15*float64(c.Size)))
	if c.Tenure > 360 {
		c.Tenure = 360
	}
	c.Digital = clamp01(0.5 + 0.25*sec.digital + 0.04*float64(c.Size) + 0.18*r.NormFloat64())
	c.Digital = math.Round(c.Digital*1000) / 1000
	emp := float64(c.Employees)
	c.MobileSubs = int(math.Round(emp * sec.mobPerEmp * math.Exp(0.45*r.NormFloat64())))
	c.DataGB = math.Round(float64(c.MobileSubs)*(2+10*c.Digital)*math.Exp(0.5*r.NormFloat64())*10) / 10
	c.FixedLines = int(math.Round(math.Pow(emp, 0.7) * (0.6 + sec.fixedTilt) * (1.2 - 0.8*c.Digital) * math.Exp(0.5*r.NormFloat64())))
	if c.FixedLines < 0 {
		c.FixedLines = 0
	}
	c.Locations = 1 + int(r.ExpFloat64()*[4]float64{0.12, 0.5, 2, 8}[c.Size])
	if r.Float64() < 0.82 {
		c.ContractEnd = r.IntN(36)
	} else {
		c.ContractEnd = -1
	}
	if r.Float64() < 0.72 {
		c.PaymentDelay = 0
	} else {
		c.PaymentDelay = 1 + int(r.ExpFloat64()*12)
		if c.PaymentDelay > 120 {
			c.PaymentDelay = 120
		}
	}
	if r.Float64() < 0.4 {
		v := math.Round(7 + 1.5*(c.Digital-0.5) - 0.05*float64(c.PaymentDelay) + 1.6*r.NormFloat64())
		c.NPS = int(math.Max(0, math.Min(10, v)))
	} else {
		c.NPS = -1
	}
	rev := (30 + 22*float64(c.MobileSubs) + 28*float64(c.FixedLines) + 0.4*c.DataGB + 40*float64(c.Locations-1)) *
		math.Exp(0.25*r.NormFloat64())
	c.MonthlyRevenue = round2(rev)
	nouns := sectorNouns[c.Sector]
	c.Name = surnames[r.IntN(len(surnames))] + " " + nouns[r.IntN(len(nouns))] + " " + legalForms[r.IntN(len(legalForms))]
}

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }

func newPCGRand(seed, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }
