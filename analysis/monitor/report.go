package monitor

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/acrm-dev/acrm/analysis/datamart"
	"github.com/acrm-dev/acrm/analysis/progress"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Progress is the one progress report of long calls (analysis/progress).
type Progress = progress.Progress

// Severity of a flag: an Alert crosses a threshold (acrm monitor exits non-zero), a Warning
// is worth a look.
type Severity int

// Severities.
const (
	Warning Severity = iota + 1
	Alert
)

func (s Severity) String() string {
	if s == Alert {
		return "ALERT"
	}
	return "warn"
}

// Flag is one finding: what it is about and why.
type Flag struct {
	Severity Severity
	Subject  string // campaign 12, feature sector, score:P07
	Text     string
}

// Options of Run.
type Options struct {
	CampaignID int     // 0 = every product campaign
	FollowDays int     // follow-up after a campaign's end; 0 = DefaultFollowDays
	PSIMoved   float64 // 0 = DefaultPSIMoved
	PSIShifted float64 // 0 = DefaultPSIShifted
	NoDrift    bool    // skip the drift measurement
}

func (o *Options) defaults() {
	if o.FollowDays == 0 {
		o.FollowDays = DefaultFollowDays
	}
	if o.PSIMoved == 0 {
		o.PSIMoved = DefaultPSIMoved
	}
	if o.PSIShifted == 0 {
		o.PSIShifted = DefaultPSIShifted
	}
}

// Validate checks the options' ranges.
func (o Options) Validate() error {
	switch {
	case o.CampaignID < 0:
		return fmt.Errorf("monitor: campaign %d: want a campaign_id", o.CampaignID)
	case o.FollowDays < 0 || o.FollowDays > 3650:
		return fmt.Errorf("monitor: follow-up %d days: want 0 … 3650", o.FollowDays)
	case o.PSIMoved < 0 || o.PSIShifted < 0 || math.IsNaN(o.PSIMoved) || math.IsNaN(o.PSIShifted):
		return fmt.Errorf("monitor: PSI thresholds %v / %v: want positive numbers", o.PSIMoved, o.PSIShifted)
	case o.PSIMoved > 0 && o.PSIShifted > 0 && o.PSIMoved > o.PSIShifted:
		return fmt.Errorf("monitor: PSI thresholds %v / %v: the first (moved) must not exceed the second (shifted)", o.PSIMoved, o.PSIShifted)
	}
	return nil
}

// Report is the monitor's whole answer.
type Report struct {
	Options   Options
	Campaigns []*Campaign
	Drift     *Drift // nil with NoDrift
	Flags     []Flag // every flag: campaigns', then drift's
	Elapsed   time.Duration
}

// Alerts counts the flags that crossed a threshold.
func (r *Report) Alerts() int {
	n := 0
	for _, f := range r.Flags {
		if f.Severity == Alert {
			n++
		}
	}
	return n
}

// Run evaluates the campaigns (one, or every campaign with one product) and measures the
// drift of the base against the stored baseline, taking it when there is none. It writes only
// that first baseline.
func Run(ctx context.Context, ws *workspace.Workspace, opt Options, report func(Progress)) (*Report, error) {
	start := time.Now()
	if report == nil {
		report = func(Progress) {}
	}
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	opt.defaults()
	for _, t := range []string{"campaigns", "campaign_members", "contacts", "holdings", "products"} {
		ok, err := ws.HasTable(ctx, t)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("monitor: %w", &datamart.MissingTableError{Table: t})
		}
	}
	cs, err := campaignsToEvaluate(ctx, ws, opt.CampaignID)
	if err != nil {
		return nil, err
	}
	prods, err := datamart.Products(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("monitor: %w", err)
	}
	byID := map[int]datamart.Product{}
	for _, p := range prods {
		byID[p.ID] = p
	}
	rep := &Report{Options: opt}
	total := int64(len(cs))
	if !opt.NoDrift {
		total++
	}
	report(Progress{Done: 0, Total: total, Stage: "evaluating campaigns"})
	until := map[int]time.Time{}
	retention := map[int]bool{}
	for _, c := range cs {
		until[c.ID] = c.End.AddDate(0, 0, opt.FollowDays+1)
		retention[c.ProductID] = byID[c.ProductID].Objective == "retention"
	}
	if len(cs) > 0 {
		evs := evWindows(cs, until, retention)
		members, err := readMembers(ctx, ws, evs)
		if err != nil {
			return nil, err
		}
		holds, err := readHoldouts(ctx, ws, evs)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			hold, ok := holds[c.ID]
			if !ok {
				hold.Rate = Wilson(0, 0) // no global hold-out runs at the campaign's start
			}
			ev := evaluate(c, byID[c.ProductID], until[c.ID], members[c.ID], hold)
			ev.Flags = campaignFlags(ev)
			rep.Campaigns = append(rep.Campaigns, ev)
			rep.Flags = append(rep.Flags, ev.Flags...)
		}
	}
	if !opt.NoDrift {
		report(Progress{Done: total - 1, Total: total, Stage: "measuring drift"})
		dr, err := MeasureDrift(ctx, ws, opt.PSIMoved, opt.PSIShifted)
		if err != nil {
			return nil, err
		}
		rep.Drift = dr
		rep.Flags = append(rep.Flags, driftFlags(dr)...)
	}
	report(Progress{Done: total, Total: total, Stage: "done"})
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// campaignFlags: the actual acceptance outside the predicted interval is an alert; deciles
// outside theirs and an uplift whose interval lies below zero are warnings (with dozens of
// campaigns one such interval is expected by chance, so it does not fail a scheduled run).
func campaignFlags(c *Campaign) []Flag {
	subj := fmt.Sprintf("campaign %d", c.ID)
	var out []Flag
	if c.HasPrediction && c.Treated.Members > 0 {
		a := c.Treated.AcceptRate.Est
		switch {
		case a < c.Predicted.Lo:
			out = append(out, Flag{Alert, subj, fmt.Sprintf("actual acceptance %.2f%% below the predicted %.2f%% (95%% %.2f … %.2f%%)",
				100*a, 100*c.Predicted.Est, 100*c.Predicted.Lo, 100*c.Predicted.Hi)})
		case a > c.Predicted.Hi:
			out = append(out, Flag{Alert, subj, fmt.Sprintf("actual acceptance %.2f%% above the predicted %.2f%% (95%% %.2f … %.2f%%)",
				100*a, 100*c.Predicted.Est, 100*c.Predicted.Lo, 100*c.Predicted.Hi)})
		}
		var outside []int
		for _, d := range c.Deciles {
			if d.Outside {
				outside = append(outside, d.Decile)
			}
		}
		if len(outside) > 1 {
			out = append(out, Flag{Warning, subj, fmt.Sprintf("deciles %v outside their predicted interval", outside)})
		}
	}
	if c.Control.Members > 0 && c.Treated.Members > 0 && c.Uplift.Hi < 0 {
		out = append(out, Flag{Warning, subj, fmt.Sprintf("uplift %.2f pp below zero (95%% %.2f … %.2f pp)",
			100*c.Uplift.Est, 100*c.Uplift.Lo, 100*c.Uplift.Hi)})
	}
	return out
}

func driftFlags(d *Drift) []Flag {
	var out []Flag
	for _, r := range d.Rows {
		switch r.Level {
		case "shifted":
			out = append(out, Flag{Alert, r.Subject, fmt.Sprintf("PSI %.3f: shifted since the baseline of %s", r.PSI, d.TakenAt.Format(time.DateOnly))})
		case "moved":
			out = append(out, Flag{Warning, r.Subject, fmt.Sprintf("PSI %.3f: moved since the baseline of %s", r.PSI, d.TakenAt.Format(time.DateOnly))})
		}
	}
	return out
}
