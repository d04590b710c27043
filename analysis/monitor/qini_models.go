package monitor

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Registered stands, in CampaignQini, for the predictions registered with the campaign's
// members (the model that selected it).
const Registered = "registered"

// ModelQini is how one model ranks a campaign's members for incremental conversions: its
// Qini curve and coefficient over the contacted and the control members.
type ModelQini struct {
	Model   string // the model version (or the registered predictions' model)
	Members int    // treated and control members it scored
	Curve   []QiniPoint
	Qini    float64
	// TrueTop30 is, on a sample workspace (sample_truth_uplift holds the campaign's contacted
	// members' true P(convert) with and without the offer), the true incremental conversions
	// among the model's top 30 % of the contacted members as a share of those among the top
	// 30 % by the true uplift (1 = the model finds them all); NaN elsewhere. Free of the
	// outcomes' noise, it says how well a model ranks where the Qini's few conversions cannot.
	TrueTop30 float64
}

// MarshalJSON encodes an undefined Qini or TrueTop30 as null.
func (q ModelQini) MarshalJSON() ([]byte, error) {
	type plain ModelQini
	return json.Marshal(struct {
		plain
		Qini, TrueTop30 jnum
	}{plain(q), jnum(q.Qini), jnum(q.TrueTop30)})
}

// TopShare is the share ranking by score finds, among the first 30 % of the units, of the
// total true effect tau that ranking by tau itself finds there (NaN without a positive total).
func TopShare(score, tau []float64) float64 {
	n := len(tau)
	k := n * 3 / 10
	if k == 0 || len(score) != n {
		return math.NaN()
	}
	top := func(key []float64) float64 {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return key[idx[a]] > key[idx[b]] })
		s := 0.0
		for _, i := range idx[:k] {
			s += tau[i]
		}
		return s
	}
	best := top(tau)
	if !(best > 0) {
		return math.NaN()
	}
	return top(score) / best
}

// trueUplift reads the campaign's contacted members' true uplift from sample_truth_uplift
// (a sample workspace); nil when the workspace has none.
func trueUplift(ctx context.Context, ws *workspace.Workspace, campaignID int) (map[int64]float64, error) {
	var n int
	if err := ws.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_name = 'sample_truth_uplift'`).Scan(&n); err != nil || n == 0 {
		return nil, err
	}
	rows, err := ws.QueryContext(ctx, `SELECT customer_id, any_value(p_treated - p_control) FROM sample_truth_uplift
		WHERE campaign_id = ? GROUP BY customer_id`, campaignID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]float64{}
	for rows.Next() {
		var id int64
		var v float64
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		out[id] = v
	}
	if len(out) == 0 {
		return nil, rows.Err()
	}
	return out, rows.Err()
}

// CampaignQini ranks the treated (contacted) and control members of a campaign by each
// model — a propensity or an uplift profile, scored on the customer view as of the
// campaign's start so it does not see the outcomes, or Registered for the campaign's own
// predictions — and returns each ranking's Qini curve and coefficient on the campaign's
// conversions (the window of acrm monitor). Only the members every model scored are counted,
// so the coefficients compare the same units.
func CampaignQini(ctx context.Context, ws *workspace.Workspace, campaignID int, models []string, followDays int) ([]ModelQini, error) {
	if followDays <= 0 {
		followDays = DefaultFollowDays
	}
	if campaignID <= 0 {
		return nil, fmt.Errorf("monitor: Qini of models: give a campaign")
	}
	c, _, members, err := oneCampaignMembers(ctx, ws, campaignID, followDays)
	if err != nil {
		return nil, err
	}
	var ms []member
	var ids []int64
	for _, m := range members {
		switch {
		case m.contacted && !m.contactTS.IsZero(), !m.contacted && m.cell == "control":
			ms = append(ms, m)
			ids = append(ids, m.customer)
		}
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("monitor: campaign %d has no contacted or control member with an outcome", c.ID)
	}
	scores := make([]map[int64]float64, len(models))
	names := make([]string, len(models))
	for k, ref := range models {
		if ref == Registered {
			scores[k] = map[int64]float64{}
			for _, m := range ms {
				if !math.IsNaN(m.p) {
					scores[k][m.customer] = m.p
					if names[k] == "" {
						names[k] = m.model
					}
				}
			}
			if names[k] == "" {
				names[k] = Registered
			}
			continue
		}
		s, id, err := profiles.ScoreCustomersAt(ctx, ws, ref, c.Start, ids)
		if err != nil {
			return nil, fmt.Errorf("monitor: Qini of %s on campaign %d: %w", ref, c.ID, err)
		}
		scores[k], names[k] = s, id
	}
	truth, err := trueUplift(ctx, ws, c.ID)
	if err != nil {
		return nil, fmt.Errorf("monitor: true uplift of campaign %d: %w", c.ID, err)
	}
	out := make([]ModelQini, len(models))
	units := make([][]Unit, len(models))
	var tau []float64
	tscore := make([][]float64, len(models))
	for _, m := range ms {
		all := true
		for k := range models {
			_, ok := scores[k][m.customer]
			all = all && ok
		}
		if !all {
			continue
		}
		tv, known := truth[m.customer]
		known = known && m.contacted
		if known {
			tau = append(tau, tv)
		}
		for k := range models {
			units[k] = append(units[k], Unit{Score: scores[k][m.customer], Treated: m.contacted, Converted: m.converted()})
			if known {
				tscore[k] = append(tscore[k], scores[k][m.customer])
			}
		}
	}
	for k := range models {
		out[k] = ModelQini{Model: names[k], Members: len(units[k]), TrueTop30: math.NaN()}
		out[k].Curve, out[k].Qini = Qini(units[k])
		if len(tau) > 0 {
			out[k].TrueTop30 = TopShare(tscore[k], tau)
		}
	}
	return out, nil
}
