package sampledata

import (
	"fmt"
	"math/rand/v2"
)

// Campaign is one row of the campaigns table.
type Campaign struct {
	ID        int
	Name      string
	ProductID int    // 0 = NULL (multi-product)
	Channel   string // "" = NULL
	Start     dateT  // first day
	End       dateT  // last day (inclusive)
	Cost      float64
	Selection string // model | random | control | frequency
	Period    int
}

// Selections of a campaign.
const (
	SelModel     = "model"
	SelRandom    = "random"
	SelControl   = "control"
	SelFrequency = "frequency"
)

// Cells of campaign_members.
const (
	CellTarget  = "target"
	CellRandom  = "random"
	CellControl = "control"
	CellHoldout = "holdout"
)

// FreqCell is the cell name of a customer assigned k contacts in a frequency test.
func FreqCell(k int) string { return fmt.Sprintf("freq-%d", k) }

// History campaign design.
const (
	bauPerPeriod   = 12
	bauCap         = 3    // outbound offer contacts per customer per half year
	controlShare   = 0.10 // selected but held out
	HoldoutShare   = 0.05 // global hold-out per period (history and next-period)
	freqShareBase  = 0.08 // share of the base in the frequency test per period
	freqShareTop   = 0.30 // share of the top segment in it
	freqMaxK       = 8
	randomSelShare = 0.18
)

// campaignPlan is the seed-determined campaign calendar of the history.
type campaignPlan struct {
	all     []Campaign
	bau     [Periods + 1][]int // indices into all, by start date
	holdout [Periods + 1]int
	freq    [Periods + 1]int
}

func buildCampaigns(seed uint64, prods []Product) *campaignPlan {
	r := rand.New(rand.NewPCG(seed, 0xca4a1617))
	cp := &campaignPlan{}
	var nonRet []int
	var mailCost float64
	for _, p := range prods {
		if !p.IsRetention() {
			nonRet = append(nonRet, p.ID)
			mailCost += p.Cost[ChannelMail]
		}
	}
	mailCost = round2(mailCost / float64(len(nonRet)))
	retention := []int{ProdMobileVoice, ProdFixedVoice, ProdInternet, ProdMobileVoice}
	add := func(c Campaign) int {
		c.ID = len(cp.all) + 1
		cp.all = append(cp.all, c)
		return len(cp.all) - 1
	}
	for p := 1; p <= Periods; p++ {
		ps, pe := dayOf(PeriodStart(p)), dayOf(PeriodStart(p+1))-1
		label := fmt.Sprintf("P%d %s", p, PeriodStart(p).Format("2006-01"))
		cp.holdout[p] = add(Campaign{Name: label + " global hold-out", Start: ps, End: pe,
			Selection: SelControl, Period: p})
		cp.freq[p] = add(Campaign{Name: label + " contact-frequency test (mail, 1-8 offers)", Channel: ChannelMail,
			Start: ps, End: pe, Cost: mailCost, Selection: SelFrequency, Period: p})
		// BAU: one retention campaign and distinct cross-sell/upsell products.
		picks := []int{retention[p-1]}
		perm := r.Perm(len(nonRet))
		for _, i := range perm[:bauPerPeriod-1] {
			picks = append(picks, nonRet[i])
		}
		var idx []int
		for _, pid := range picks {
			prod := prods[pid-1]
			var ch string
			switch u := r.Float64(); {
			case u < 0.35:
				ch = ChannelMail
			case u < 0.65:
				ch = ChannelEmail
			case u < 0.90:
				ch = ChannelPhone
			default:
				ch = ChannelAM
			}
			sel := SelModel
			if r.Float64() < 0.3 {
				sel = SelRandom
			}
			start := ps + dateT(r.IntN(130))
			end := start + dateT(20+r.IntN(30))
			if end > pe {
				end = pe
			}
			idx = append(idx, add(Campaign{
				Name:      fmt.Sprintf("%s %s %s by %s (%s)", label, prod.Code, prod.Objective, ch, sel),
				ProductID: pid, Channel: ch, Start: start, End: end, Cost: prod.Cost[ch],
				Selection: sel, Period: p,
			}))
		}
		// Calendar order.
		for i := 1; i < len(idx); i++ {
			for j := i; j > 0 && cp.all[idx[j]].Start < cp.all[idx[j-1]].Start; j-- {
				idx[j], idx[j-1] = idx[j-1], idx[j]
			}
		}
		cp.bau[p] = idx
	}
	return cp
}
