// Package sampledata generates acrm's deterministic synthetic datamart — a business telecom
// market modelled on KPN's — with a known ground truth (true propensities, a
// response-vs-contact-frequency curve, randomized campaign cells), and a market simulator that
// draws campaign outcomes from that truth. See docs/DATAMART.md for the contract.
package sampledata

import "time"

// Snapshot is the date the datamart describes (end of day); History is the first day of the
// 24 months of history before it.
var (
	Snapshot     = time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
	HistoryStart = time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)
)

// Periods are the four half years of the history: period p (1..4) covers
// [PeriodStart(p), PeriodStart(p+1)).
const Periods = 4

// PeriodStart is the first day of half-year period p (1-based); PeriodStart(5) is the day after
// the snapshot.
func PeriodStart(p int) time.Time { return HistoryStart.AddDate(0, 6*(p-1), 0) }

// PeriodOf returns the period (1..4) of t, or 0 when t is outside the history.
func PeriodOf(t time.Time) int {
	for p := 1; p <= Periods; p++ {
		if !t.Before(PeriodStart(p)) && t.Before(PeriodStart(p+1)) {
			return p
		}
	}
	return 0
}

// Channels of a contact. Outbound offers use mail, email, phone and account_manager; inbound
// contacts come through inbound (the call centre) or web.
const (
	ChannelMail    = "mail"
	ChannelEmail   = "email"
	ChannelPhone   = "phone"
	ChannelInbound = "inbound"
	ChannelWeb     = "web"
	ChannelAM      = "account_manager"
)

// Channels lists every channel in a fixed order.
var Channels = []string{ChannelMail, ChannelEmail, ChannelPhone, ChannelInbound, ChannelWeb, ChannelAM}

// Objectives of a product.
const (
	ObjRetention = "retention"
	ObjCrossSell = "cross-sell"
	ObjUpsell    = "upsell"
)

// Size classes.
var sizeClasses = []string{"micro", "small", "medium", "large"}

// sector: name, share of customers, digital tilt, mobile subscriptions per employee, fixed lines tilt.
type sector struct {
	name      string
	share     float64
	digital   float64
	mobPerEmp float64
	fixedTilt float64
}

var sectors = []sector{
	{"retail", 0.14, -0.1, 0.35, 0.2},
	{"hospitality", 0.09, -0.2, 0.25, 0.1},
	{"construction", 0.12, -0.3, 0.80, -0.3},
	{"healthcare", 0.08, 0.0, 0.40, 0.5},
	{"logistics", 0.07, -0.1, 0.90, -0.1},
	{"professional_services", 0.18, 0.3, 0.70, 0.1},
	{"manufacturing", 0.09, -0.1, 0.45, 0.2},
	{"education", 0.04, 0.1, 0.30, 0.4},
	{"public", 0.03, 0.0, 0.50, 0.5},
	{"agriculture", 0.06, -0.4, 0.60, -0.2},
	{"ict", 0.10, 0.6, 0.85, -0.4},
}

// Sector indices used by the truth.
const (
	secRetail = iota
	secHospitality
	secConstruction
	secHealthcare
	secLogistics
	secProfessional
	secManufacturing
	secEducation
	secPublic
	secAgriculture
	secICT
)

// The 12 Dutch provinces with their share of business customers.
var regions = []struct {
	name  string
	share float64
}{
	{"Noord-Holland", 0.18}, {"Zuid-Holland", 0.20}, {"Utrecht", 0.09}, {"Noord-Brabant", 0.15},
	{"Gelderland", 0.12}, {"Overijssel", 0.06}, {"Limburg", 0.06}, {"Groningen", 0.03},
	{"Friesland", 0.03}, {"Drenthe", 0.02}, {"Flevoland", 0.02}, {"Zeeland", 0.04},
}

// Product is one row of the products table plus the generator's targets for it.
type Product struct {
	ID           int
	Code         string
	Name         string
	Family       string
	Objective    string
	Margin       float64 // profit per contract over the horizon, EUR
	HorizonYears int
	MonthlyPrice float64
	Cost         map[string]float64 // cost of one contact per channel, EUR
	BaseRate     float64            // target ownership share
}

// IsRetention reports whether offers of p go to its owners (renewals).
func (p Product) IsRetention() bool { return p.Objective == ObjRetention }

// Retention (anchor) products: their ownership is an input of the other products' truth.
const (
	ProdMobileVoice = 1
	ProdFixedVoice  = 7
	ProdInternet    = 11
)

type productSpec struct {
	code, name, family, objective string
	price                         float64
	horizon                       int
	baseRate                      float64
	complexity                    float64 // scales contact costs (sales effort)
}

var productSpecs = []productSpec{
	{"MOB-VOICE", "Zakelijk Mobiel voice + data", "mobile", ObjRetention, 24, 2, 0.40, 1.0},
	{"MOB-DATA", "Mobile data-only SIM", "mobile", ObjCrossSell, 15, 2, 0.12, 0.8},
	{"MOB-UNL", "Mobile unlimited upgrade", "mobile", ObjUpsell, 12, 2, 0.08, 0.7},
	{"MOB-ROAM", "EU/World roaming bundle", "mobile", ObjUpsell, 9, 1, 0.10, 0.6},
	{"MOB-FLEET", "Mobile device management", "mobile", ObjCrossSell, 6, 3, 0.05, 1.4},
	{"MOB-5G", "5G priority network slice", "mobile", ObjUpsell, 10, 2, 0.04, 1.0},
	{"FIX-VOICE", "Fixed voice lines", "fixed", ObjRetention, 30, 3, 0.30, 1.0},
	{"FIX-PBX", "Hosted PBX / cloud telephony", "fixed", ObjCrossSell, 45, 3, 0.08, 1.6},
	{"FIX-SIP", "SIP trunk", "fixed", ObjCrossSell, 60, 3, 0.05, 1.8},
	{"FIX-CC", "Contact centre seats", "fixed", ObjCrossSell, 180, 3, 0.03, 2.5},
	{"BB-INTERNET", "Business internet (DSL/cable)", "broadband", ObjRetention, 55, 2, 0.35, 1.0},
	{"BB-FIBRE", "Fibre upgrade", "broadband", ObjUpsell, 30, 3, 0.14, 1.2},
	{"BB-BACKUP", "4G/5G backup line", "broadband", ObjCrossSell, 20, 2, 0.06, 1.0},
	{"BB-WIFI", "Managed Wi-Fi", "broadband", ObjCrossSell, 35, 3, 0.07, 1.3},
	{"BB-VPN", "IP-VPN / SD-WAN", "broadband", ObjCrossSell, 250, 3, 0.04, 3.0},
	{"ICT-M365", "Microsoft 365", "cloud_ict", ObjCrossSell, 40, 1, 0.18, 1.0},
	{"ICT-BACKUP", "Cloud backup", "cloud_ict", ObjCrossSell, 25, 2, 0.09, 1.1},
	{"ICT-HOST", "Hosting / IaaS", "cloud_ict", ObjCrossSell, 150, 3, 0.05, 2.2},
	{"ICT-WP", "Managed workplace", "cloud_ict", ObjCrossSell, 400, 3, 0.04, 3.5},
	{"ICT-DOMAIN", "Domain & web hosting", "cloud_ict", ObjCrossSell, 8, 1, 0.20, 0.5},
	{"SEC-AV", "Endpoint security", "security", ObjCrossSell, 18, 1, 0.11, 0.8},
	{"SEC-FW", "Managed firewall", "security", ObjCrossSell, 90, 3, 0.06, 1.8},
	{"SEC-DDOS", "DDoS protection", "security", ObjCrossSell, 120, 2, 0.03, 2.0},
	{"SEC-SOC", "SOC monitoring", "security", ObjCrossSell, 600, 3, 0.025, 4.0},
	{"IOT-SIM", "IoT M2M SIMs", "iot", ObjCrossSell, 20, 3, 0.05, 1.2},
	{"IOT-FLEET", "Vehicle tracking", "iot", ObjCrossSell, 60, 3, 0.04, 1.5},
	{"IOT-SMART", "Smart building sensors", "iot", ObjCrossSell, 80, 3, 0.03, 2.0},
	{"IOT-PIN", "Payment terminal connectivity", "iot", ObjCrossSell, 15, 2, 0.06, 0.8},
	{"COL-VIDEO", "Video conferencing", "collaboration", ObjCrossSell, 25, 1, 0.07, 1.0},
	{"COL-UC", "Unified communications (EEN)", "collaboration", ObjUpsell, 70, 3, 0.06, 1.6},
	{"SRV-SUPPORT", "Premium support", "services", ObjUpsell, 35, 2, 0.08, 0.9},
	{"SRV-INS", "Device insurance", "services", ObjCrossSell, 12, 2, 0.09, 0.6},
}

// baseContactCost is the cost of one contact per channel before product complexity.
var baseContactCost = map[string]float64{
	ChannelMail: 1.20, ChannelEmail: 0.05, ChannelPhone: 6.50,
	ChannelInbound: 4.00, ChannelWeb: 0.10, ChannelAM: 45.0,
}

// Products returns the product catalogue (product_id 1..32). It does not depend on the seed.
func Products() []Product {
	out := make([]Product, len(productSpecs))
	for i, s := range productSpecs {
		cost := make(map[string]float64, len(baseContactCost))
		for ch, c := range baseContactCost {
			mult := s.complexity
			if ch == ChannelEmail || ch == ChannelWeb {
				mult = 1 // digital contacts cost the same for every product
			}
			cost[ch] = round2(c * mult)
		}
		out[i] = Product{
			ID: i + 1, Code: s.code, Name: s.name, Family: s.family, Objective: s.objective,
			// Margin: 35 % profit on the price over the contract horizon.
			Margin:       round2(0.35 * s.price * 12 * float64(s.horizon)),
			HorizonYears: s.horizon, MonthlyPrice: s.price, Cost: cost, BaseRate: s.baseRate,
		}
	}
	return out
}

// NumProducts is the size of the catalogue.
var NumProducts = len(productSpecs)

func round2(x float64) float64 {
	if x < 0 {
		return -round2(-x)
	}
	return float64(int64(x*100+0.5)) / 100
}
