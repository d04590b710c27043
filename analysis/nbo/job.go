package nbo

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// JobChannel is one channel a product is scored through in a batch job: its calibration,
// contact cost and per-period channel cap.
type JobChannel struct {
	Channel    string
	Order      int // position in OutboundChannels: ties of value go to the earlier channel
	Intercept  float64
	Slope      float64
	Cost       float64
	ChannelCap int // 0 = only the overall cap
}

// JobProduct is one product with a kept model in a batch job.
type JobProduct struct {
	ID        int
	Objective string
	Margin    float64 // the margin the value uses (× churn risk for retention), rules applied
	Tier      int     // the rules' priority tier of the objective (0 = first)
	ModelID   string
	Reason    string // reason code: objective:source
	Channels  []JobChannel
}

// Job is what acrm score --all decides with, for a scoring job that runs elsewhere (the SQL
// batch job of score --all --emit-sql): the kept model and calibration per product, the
// economics under the rules in force, the rules, and the moments the contact history is
// compared with. The calibration to past outcomes is a fit made by score --all; the job
// carries the coefficients of the latest scoring run, which must have used the models kept now.
type Job struct {
	RunID        int64     // the scoring run whose calibration the job carries
	AsOf         time.Time // the offers' day (snapshot + 1)
	Rules        *Rules
	RulesVersion int
	Products     []JobProduct // products with a kept model, in product_id order
	Skipped      []string     // products without a model
	Keep         int          // ranked offers kept per customer
	// HistoryFrom: outbound offers after it are read (the longer of the cap period and the
	// cool-down window); a campaign ending on or after its date still plans offers.
	HistoryFrom time.Time
	// PeriodStart: offers made or planned from it on count against the caps.
	PeriodStart time.Time
	// CoolDownFrom: a refusal after it blocks the product (zero = no cool-down).
	CoolDownFrom time.Time
	// PendingFrom: a planned offer from it on is still pending.
	PendingFrom time.Time
}

// ErrStaleScoring is returned when the latest scoring run did not use the models kept now.
var ErrStaleScoring = fmt.Errorf("the latest scoring run did not use the models kept now")

// JobSpec reads what score --all decides with for a job run outside the workspace, with the
// calibration of the latest complete scoring (ErrNoScoring without one, ErrStaleScoring
// when a product's kept model changed since).
func JobSpec(ctx context.Context, ws *workspace.Workspace) (*Job, error) {
	rules, rv, err := LoadRules(ctx, ws)
	if err != nil {
		return nil, err
	}
	kept, err := keptModels(ctx, ws)
	if err != nil {
		return nil, err
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("nbo: %w", ErrNoModels)
	}
	s, err := loadRun(ctx, ws, rules)
	if err != nil {
		return nil, err
	}
	snap, err := Snapshot(ctx, ws)
	if err != nil {
		return nil, err
	}
	at := snap.AddDate(0, 0, 1)
	if !at.Equal(s.AsOf) {
		return nil, fmt.Errorf("nbo: scoring run %d is as of %s, the workspace now describes %s: %w (acrm score --all)",
			s.RunID, s.AsOf.Format(time.DateOnly), at.Format(time.DateOnly), ErrStaleScoring)
	}
	j := &Job{RunID: s.RunID, AsOf: at, Rules: rules, RulesVersion: rv, Keep: 5}
	for _, p := range s.Products.List {
		e, ok := kept[p.ID]
		if !ok {
			j.Skipped = append(j.Skipped, fmt.Sprintf("P%02d %s: no model (acrm train --product %d)", p.ID, p.Name, p.ID))
			continue
		}
		if s.Models[p.ID] != e.ModelID {
			return nil, fmt.Errorf("nbo: P%02d: scoring run %d used model %q, the kept model is %s: %w (acrm score --all)",
				p.ID, s.RunID, s.Models[p.ID], e.ModelID, ErrStaleScoring)
		}
		m := p.Margin
		if p.Objective == ObjRetention {
			m *= p.ChurnRisk
		}
		jp := JobProduct{ID: p.ID, Objective: p.Objective, Margin: m, Tier: rules.Tier(p.Objective), ModelID: e.ModelID}
		for i, ch := range OutboundChannels {
			c, ok := s.Cal[p.ID][ch]
			if !ok {
				continue
			}
			jp.Reason = s.reason(p.Objective, c.Source)
			jp.Channels = append(jp.Channels, JobChannel{Channel: ch, Order: i, Intercept: c.Intercept, Slope: c.Slope,
				Cost: p.Cost[ch], ChannelCap: rules.channelCap(ch)})
		}
		if jp.Reason == "" {
			jp.Reason = s.reason(p.Objective, e.Target)
		}
		j.Products = append(j.Products, jp)
	}
	sort.Strings(j.Skipped)
	j.HistoryFrom = at.AddDate(0, -rules.PeriodMonths, 0)
	if cd := at.AddDate(0, 0, -rules.CoolDownDays); cd.Before(j.HistoryFrom) {
		j.HistoryFrom = cd
	}
	j.PeriodStart = PeriodStart(at, at, rules.PeriodMonths)
	w := rules.cutoffsAt(at)
	j.CoolDownFrom, j.PendingFrom = w.coolDown, w.pending
	return j, nil
}

// Objectives lists the objectives in tier order (for documentation of a job).
func (r *Rules) Objectives() string {
	var out []string
	for _, t := range r.Tiers {
		out = append(out, t.Name+": "+strings.Join(t.Objectives, ", "))
	}
	return strings.Join(out, "; ")
}
