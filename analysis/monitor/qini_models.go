package monitor

import (
	"context"
	"fmt"
	"math"

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
	out := make([]ModelQini, len(models))
	units := make([][]Unit, len(models))
	for _, m := range ms {
		all := true
		for k := range models {
			_, ok := scores[k][m.customer]
			all = all && ok
		}
		if !all {
			continue
		}
		for k := range models {
			units[k] = append(units[k], Unit{Score: scores[k][m.customer], Treated: m.contacted, Converted: m.converted()})
		}
	}
	for k := range models {
		out[k] = ModelQini{Model: names[k], Members: len(units[k])}
		out[k].Curve, out[k].Qini = Qini(units[k])
	}
	return out, nil
}
