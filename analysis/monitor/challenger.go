package monitor

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/units"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// ModelOnOutcomes is how one model ranks a campaign's contacted members against what they did.
type ModelOnOutcomes struct {
	Model    string
	AUC      float64 // converted against not converted
	Captured float64 // share of the conversions among the 30 % it ranks highest
	TopRate  float64 // conversion among those 30 %
	// MeanScore is the mean score over the members (against the actual conversion rate:
	// calibration in the large, meaningful for a model of P(accept)); CalError the mean
	// absolute gap between mean score and actual conversion over ten equal-count score bins.
	MeanScore, CalError float64
	// Profit is what contacting only the 30 % it ranks highest would have earned: their
	// conversions × the product's margin − the contacts × the campaign's cost per contact.
	Profit float64
}

// Challenge compares the model that selected a campaign (the champion: the predictions
// registered with its members) with another model (the challenger, e.g. one retrained on the
// newest data) on the campaign's outcomes: each ranks the contacted members — the challenger
// on the customer view as of the campaign's start, so it does not see the outcomes — and the
// difference of the two AUCs is tested with DeLong's test for correlated ROC curves.
type Challenge struct {
	CampaignID int
	ProductID  int
	Start      time.Time
	Members    int // contacted members both models scored
	Converted  int
	Champion   ModelOnOutcomes
	Challenger ModelOnOutcomes
	Diff       float64 // challenger AUC − champion AUC
	SE         float64
	Z, P       float64 // DeLong z and two-sided p-value
}

// Better says which model ranks the outcomes better at the 5 % level: "challenger",
// "champion", or "" (no significant difference).
func (c *Challenge) Better() string {
	switch {
	case c.P < 0.05 && c.Diff > 0:
		return "challenger"
	case c.P < 0.05 && c.Diff < 0:
		return "champion"
	}
	return ""
}

// ChallengeCampaign compares the campaign's registered predictions with the challenger model
// (a name picks its best version; name@vN a version) on the campaign's contacted members.
func ChallengeCampaign(ctx context.Context, ws *workspace.Workspace, campaignID int, challenger string, followDays int) (*Challenge, error) {
	if followDays <= 0 {
		followDays = DefaultFollowDays
	}
	c, prods, members, err := oneCampaignMembers(ctx, ws, campaignID, followDays)
	if err != nil {
		return nil, err
	}
	var ids []int64
	champ := map[int64]float64{}
	conv := map[int64]bool{}
	champModel := ""
	for _, m := range members {
		if !m.contacted || m.contactTS.IsZero() {
			continue
		}
		if math.IsNaN(m.p) {
			return nil, fmt.Errorf("monitor: campaign %d: member %d has no registered prediction; a challenge needs the champion's prediction for every contacted member (campaigns registered by acrm select or acrm plan)", c.ID, m.customer)
		}
		ids = append(ids, m.customer)
		champ[m.customer] = m.p
		conv[m.customer] = m.converted()
		if champModel == "" {
			champModel = m.model
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("monitor: campaign %d has no contacted member with an outcome to compare the models on", c.ID)
	}
	chal, chalModel, err := profiles.ScoreCustomersAt(ctx, ws, challenger, c.Start, ids)
	if err != nil {
		return nil, fmt.Errorf("monitor: challenger %s: %w", challenger, err)
	}
	var a, b []float64
	var y []bool
	for _, id := range ids {
		s, ok := chal[id]
		if !ok {
			continue
		}
		a = append(a, champ[id])
		b = append(b, s)
		y = append(y, conv[id])
	}
	out := &Challenge{CampaignID: c.ID, ProductID: c.ProductID, Start: c.Start, Members: len(y)}
	for _, v := range y {
		if v {
			out.Converted++
		}
	}
	if out.Converted == 0 || out.Converted == len(y) {
		return nil, fmt.Errorf("monitor: campaign %d: %d of %d contacted members converted; AUCs need both outcomes", c.ID, out.Converted, len(y))
	}
	margin := 0.0
	for _, p := range prods {
		if p.ID == c.ProductID {
			margin = p.Margin
		}
	}
	d := DeLong(a, b, y)
	out.Champion = onOutcomes(champModel, a, y, d.AUC1, margin, c.CostPerContact)
	out.Challenger = onOutcomes(chalModel, b, y, d.AUC2, margin, c.CostPerContact)
	out.Diff, out.SE, out.Z, out.P = d.AUC2-d.AUC1, d.SE, d.Z, d.P
	return out, nil
}

func onOutcomes(model string, s []float64, y []bool, auc, margin, cost float64) ModelOnOutcomes {
	idx := make([]int, len(s))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool { return s[idx[i]] > s[idx[j]] })
	top := int(math.Round(0.3 * float64(len(s))))
	var inTop, all int
	for r, i := range idx {
		if y[i] {
			all++
			if r < top {
				inTop++
			}
		}
	}
	m := ModelOnOutcomes{Model: model, AUC: auc}
	if all > 0 {
		m.Captured = float64(inTop) / float64(all)
	}
	if top > 0 {
		m.TopRate = float64(inTop) / float64(top)
	}
	m.Profit = float64(inTop)*margin - float64(top)*cost
	// Calibration: ten equal-count bins of the ranking.
	var sum float64
	for _, v := range s {
		sum += v
	}
	if len(s) > 0 {
		m.MeanScore = sum / float64(len(s))
	}
	bins := min(10, len(idx))
	for b := 0; b < bins; b++ {
		lo, hi := b*len(idx)/bins, (b+1)*len(idx)/bins
		var ps, ys float64
		for _, i := range idx[lo:hi] {
			ps += s[i]
			if y[i] {
				ys++
			}
		}
		m.CalError += math.Abs(ps-ys) / float64(len(idx))
	}
	return m
}

// DeLongResult is DeLong's test of two correlated AUCs.
type DeLongResult struct {
	AUC1, AUC2 float64
	SE         float64 // standard error of AUC2 − AUC1
	Z, P       float64 // z = (AUC2 − AUC1)/SE, two-sided p
}

// DeLong compares two scores of the same units against the labels y (DeLong, DeLong &
// Clarke-Pearson 1988). With ψ(x, z) = 1 if x > z, ½ if equal, 0 else, positives i = 1..m
// and negatives j = 1..n, for each score r the structural components are
//
//	V10_r(i) = (1/n) Σ_j ψ(x_i, z_j),   V01_r(j) = (1/m) Σ_i ψ(x_i, z_j),   AUC_r = mean V10_r,
//
// S10 and S01 their 2×2 sample covariance matrices (over i and over j), and
//
//	Var(AUC2 − AUC1) = (S10₁₁ + S10₂₂ − 2·S10₁₂)/m + (S01₁₁ + S01₂₂ − 2·S01₁₂)/n.
//
// P is NaN when the variance is 0 (identical rankings).
func DeLong(s1, s2 []float64, y []bool) DeLongResult {
	var pos, neg []int
	for i, v := range y {
		if v {
			pos = append(pos, i)
		} else {
			neg = append(neg, i)
		}
	}
	m, n := len(pos), len(neg)
	if m == 0 || n == 0 {
		return DeLongResult{AUC1: math.NaN(), AUC2: math.NaN(), SE: math.NaN(), Z: math.NaN(), P: math.NaN()}
	}
	psi := func(x, z float64) float64 {
		switch {
		case x > z:
			return 1
		case x == z:
			return 0.5
		}
		return 0
	}
	comp := func(s []float64) (v10, v01 []float64, auc float64) {
		v10, v01 = make([]float64, m), make([]float64, n)
		for a, i := range pos {
			for b, j := range neg {
				p := psi(s[i], s[j])
				v10[a] += p
				v01[b] += p
			}
		}
		for a := range v10 {
			v10[a] /= float64(n)
			auc += v10[a]
		}
		for b := range v01 {
			v01[b] /= float64(m)
		}
		return v10, v01, auc / float64(m)
	}
	a10, a01, auc1 := comp(s1)
	b10, b01, auc2 := comp(s2)
	cov := func(u, v []float64) float64 {
		if len(u) < 2 {
			return 0
		}
		var mu, mv float64
		for i := range u {
			mu += u[i]
			mv += v[i]
		}
		mu /= float64(len(u))
		mv /= float64(len(v))
		var c float64
		for i := range u {
			c += (u[i] - mu) * (v[i] - mv)
		}
		return c / float64(len(u)-1)
	}
	v := (cov(a10, a10)+cov(b10, b10)-2*cov(a10, b10))/float64(m) + (cov(a01, a01)+cov(b01, b01)-2*cov(a01, b01))/float64(n)
	r := DeLongResult{AUC1: auc1, AUC2: auc2, SE: math.Sqrt(math.Max(v, 0)), Z: math.NaN(), P: math.NaN()}
	if r.SE > 0 {
		r.Z = (auc2 - auc1) / r.SE
		r.P = math.Erfc(math.Abs(r.Z) / math.Sqrt2)
	}
	return r
}

// WriteChallenge prints the comparison.
func WriteChallenge(w io.Writer, c *Challenge) {
	fmt.Fprintf(w, "\nchampion / challenger on campaign %d (P%02d, from %s): %d contacted members, %d converted\n",
		c.CampaignID, c.ProductID, c.Start.Format(time.DateOnly), c.Members, c.Converted)
	fmt.Fprintf(w, "  %-12s %-28s %6s  %s  %s  %14s  %10s  %8s\n", "", "model", "AUC", "conversions in its top 30 %", "conversion there", "profit top 30 %", "mean score", "cal.err")
	for _, r := range []struct {
		role string
		m    ModelOnOutcomes
	}{{"champion", c.Champion}, {"challenger", c.Challenger}} {
		fmt.Fprintf(w, "  %-12s %-28s %6.4f  %27s  %16s  %14s  %10s  %8s\n", r.role, r.m.Model, r.m.AUC, pct(r.m.Captured), pct(r.m.TopRate),
			units.Int(int64(math.Round(r.m.Profit))), pct(r.m.MeanScore), pct(r.m.CalError))
	}
	fmt.Fprintf(w, "  actual conversion %s; mean score and cal.err compare a model's score with it (a look-alike's score is not P(accept))\n",
		pct(float64(c.Converted)/float64(max(c.Members, 1))))
	verdict := "no significant difference at 5 %"
	switch c.Better() {
	case "challenger":
		verdict = "the challenger ranks the outcomes better (promote it: acrm models promote " + c.Challenger.Model + ")"
	case "champion":
		verdict = "the champion ranks the outcomes better; keep it"
	}
	fmt.Fprintf(w, "  AUC difference %+.4f (SE %.4f, DeLong z %.2f, p %.4f): %s\n", c.Diff, c.SE, c.Z, c.P, verdict)
}

func pct(v float64) string { return fmt.Sprintf("%.2f%%", 100*v) }

// ErrNoChallenger is returned when the model behind a campaign has no other version to
// challenge it with.
var ErrNoChallenger = errors.New("no challenger")

// ChallengeNewest compares a campaign's serving model (the version its predictions were
// registered with, name@vN) with the newest other version of the same name — typically one
// retrained on the newest data with acrm train --challenger — on the campaign's outcomes
// (ChallengeCampaign). It is what the Monitor screen's c key runs.
func ChallengeNewest(ctx context.Context, ws *workspace.Workspace, campaignID, followDays int) (*Challenge, error) {
	var version sql.NullString
	if err := ws.QueryRowContext(ctx, `SELECT any_value(model_version) FROM acrm_campaign_offers WHERE campaign_id = ? AND model_version LIKE '%@v%'`, campaignID).Scan(&version); err != nil {
		return nil, fmt.Errorf("monitor: campaign %d: model: %w", campaignID, err)
	}
	if !version.Valid || !strings.Contains(version.String, "@") {
		return nil, fmt.Errorf("monitor: campaign %d has no prediction of a registered model version to challenge: %w", campaignID, ErrNoChallenger)
	}
	champion := strings.TrimSpace(strings.Split(version.String, ",")[0])
	name := champion[:strings.Index(champion, "@")]
	es, err := profiles.List(ctx, ws)
	if err != nil {
		return nil, err
	}
	challenger, best := "", -1
	for _, e := range es {
		if e.Name == name && e.ModelID != champion && e.Version > best {
			challenger, best = e.ModelID, e.Version
		}
	}
	if challenger == "" {
		return nil, fmt.Errorf("monitor: campaign %d: %s has no other version (train one on the newest data: acrm train … --challenger): %w", campaignID, champion, ErrNoChallenger)
	}
	return ChallengeCampaign(ctx, ws, campaignID, challenger, followDays)
}
