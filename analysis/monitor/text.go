package monitor

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/acrm-dev/acrm/analysis/units"
)

// Pct formats a rate as a percentage with two decimals ("–" when undefined).
func Pct(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return units.Float(100*v, 2) + "%"
}

// Band formats an interval of rates as "lo … hi%".
func Band(iv Interval) string {
	if math.IsNaN(iv.Est) {
		return "–"
	}
	return units.Float(100*iv.Lo, 2) + " … " + units.Float(100*iv.Hi, 2) + "%"
}

// PP formats a difference of rates in percentage points with its interval.
func PP(iv Interval) string {
	if math.IsNaN(iv.Est) {
		return "–"
	}
	return fmt.Sprintf("%+.2f pp (%+.2f … %+.2f)", 100*iv.Est, 100*iv.Lo, 100*iv.Hi)
}

// Coef formats a Qini coefficient ("–" when undefined).
func Coef(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.4f", v)
}

// Status is a campaign's one-word state for tables: ALERT, warn, pending or ok.
func (c *Campaign) Status() string {
	sev := Severity(0)
	for _, f := range c.Flags {
		if f.Severity > sev {
			sev = f.Severity
		}
	}
	switch {
	case sev > 0:
		return sev.String()
	case c.Treated.Members == 0 && c.Pending > 0:
		return "pending"
	}
	return "ok"
}

// WriteText writes the report as acrm monitor prints it: the campaigns, the detail of a
// single campaign, the drift table (the maxDrift largest PSI; 0 = all) and the flags.
func WriteText(w io.Writer, r *Report, maxDrift int) {
	tw := tabwriter.NewWriter(w, 2, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "campaigns: %d (actual = the contacted who accepted the campaign's offer, against the P(accept) the selection predicted;\n"+
		"  converted = an accepted offer of the product or a new holding from the start to %d days after the end, in both cells: the uplift)\n",
		len(r.Campaigns), r.Options.FollowDays)
	fmt.Fprintln(tw, "campaign\tproduct\tchannel\tcontacted\taccepted\tactual\tpredicted\tpredicted 95%\tconverted\tcontrol\tuplift (95%)\tQini\tstatus\t")
	for _, c := range r.Campaigns {
		pred, band := "–", "–"
		if c.HasPrediction {
			pred, band = Pct(c.Predicted.Est), Band(c.Predicted)
		}
		contacted := units.Int(int64(c.Treated.Members))
		if c.Pending > 0 {
			contacted += fmt.Sprintf(" (+%s pending)", units.Int(int64(c.Pending)))
		}
		fmt.Fprintf(tw, "%d\tP%02d %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", c.ID, c.ProductID, trunc(c.ProductName, 22), c.Channel,
			contacted, units.Int(int64(c.Treated.Accepted)), Pct(c.Treated.AcceptRate.Est), pred, band, Pct(c.Treated.Rate.Est),
			units.Int(int64(c.Control.Members)), PP(c.Uplift), Coef(c.QiniCoef), c.Status())
	}
	tw.Flush()
	if len(r.Campaigns) == 1 {
		writeDetail(w, r.Campaigns[0])
	}
	if d := r.Drift; d != nil {
		fmt.Fprintf(w, "\ndrift against the baseline of %s (%s)", d.TakenAt.Format(time.DateOnly), d.Source)
		if d.NewBaseline {
			fmt.Fprint(w, " — taken now: the next run measures against it")
		}
		fmt.Fprintf(w, "; PSI moved ≥ %.2f, shifted ≥ %.2f\n", r.Options.PSIMoved, r.Options.PSIShifted)
		tw = tabwriter.NewWriter(w, 2, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "subject\tkind\tPSI\tlevel\tlargest change")
		for i, row := range d.Rows {
			if maxDrift > 0 && i == maxDrift {
				fmt.Fprintf(tw, "… %d more\t\t\t\t\n", len(d.Rows)-maxDrift)
				break
			}
			fmt.Fprintf(tw, "%s\t%s\t%.4f\t%s\t%s\n", row.Subject, row.Kind, row.PSI, row.Level, row.Largest())
		}
		tw.Flush()
	}
	fmt.Fprintln(w)
	if len(r.Flags) == 0 {
		fmt.Fprintln(w, "no flags: every campaign's acceptance inside its predicted interval, no feature or score moved")
		return
	}
	fmt.Fprintf(w, "flags (%d, %d alert):\n", len(r.Flags), r.Alerts())
	for _, f := range r.Flags {
		fmt.Fprintf(w, "  %-5s %s: %s\n", f.Severity, f.Subject, f.Text)
	}
}

// Largest describes the bin whose share changed most: "≤ 0.5: 31.0% → 12.4%".
func (d DriftRow) Largest() string {
	best, bi := -1.0, -1
	for i := range d.Base {
		if v := math.Abs(d.Now[i] - d.Base[i]); v > best {
			best, bi = v, i
		}
	}
	if bi < 0 || best < 0.0005 {
		return "–"
	}
	return fmt.Sprintf("%s: %s → %s", d.Labels[bi], units.Float(100*d.Base[bi], 1)+"%", units.Float(100*d.Now[bi], 1)+"%")
}

func writeDetail(w io.Writer, c *Campaign) {
	fmt.Fprintf(w, "\ncampaign %d · %s · %s %s … %s, follow-up to %s\n", c.ID, c.Name, c.Selection,
		c.Start.Format(time.DateOnly), c.End.Format(time.DateOnly), c.Until.AddDate(0, 0, -1).Format(time.DateOnly))
	fmt.Fprintf(w, "  contacted %s: %s accepted the offer, %s (95%% %s)", units.Int(int64(c.Treated.Members)), units.Int(int64(c.Treated.Accepted)),
		Pct(c.Treated.AcceptRate.Est), Band(c.Treated.AcceptRate))
	if c.HasPrediction {
		fmt.Fprintf(w, "; predicted P(accept) %s (95%% %s) by %s", Pct(c.Predicted.Est), Band(c.Predicted), c.ModelVersion)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  contacted %s: %s converted (offer or own purchase), %s (95%% %s)\n", units.Int(int64(c.Treated.Members)),
		units.Int(int64(c.Treated.Converted)), Pct(c.Treated.Rate.Est), Band(c.Treated.Rate))
	fmt.Fprintf(w, "  control cell %s: %s converted, %s; uplift %s\n", units.Int(int64(c.Control.Members)),
		units.Int(int64(c.Control.Converted)), Pct(c.Control.Rate.Est), PP(c.Uplift))
	fmt.Fprintf(w, "  global hold-out %s: %s converted, %s; uplift %s\n", units.Int(int64(c.Holdout.Members)),
		units.Int(int64(c.Holdout.Converted)), Pct(c.Holdout.Rate.Est), PP(c.UpliftHoldout))
	if !math.IsNaN(c.QiniCoef) {
		fmt.Fprintf(w, "  Qini coefficient %s (area between the Qini curve and random targeting)\n", Coef(c.QiniCoef))
	}
	if len(c.Deciles) > 0 {
		tw := tabwriter.NewWriter(w, 2, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "decile\tcontacted\taccepted\tactual\tpredicted\tpredicted 95%\t\t")
		for _, d := range c.Deciles {
			mark := ""
			if d.Outside {
				mark = "outside"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", d.Decile, units.Int(int64(d.Members)), units.Int(int64(d.Accepted)),
				Pct(d.Actual.Est), Pct(d.Predicted.Est), Band(d.Predicted), mark)
		}
		tw.Flush()
	}
	if len(c.Segments) > 0 {
		tw := tabwriter.NewWriter(w, 2, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "value segment\tcontacted\trevenue\tpredicted\tpredicted 95%\t")
		for _, s := range c.Segments {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s … %s\t\n", s.Segment, units.Int(int64(s.Members)), units.Float(s.Revenue, 0),
				units.Float(s.Predicted.Est, 0), units.Float(s.Predicted.Lo, 0), units.Float(s.Predicted.Hi, 0))
		}
		tw.Flush()
	}
}

func trunc(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// WriteModelQini prints how each model ranks the campaign's members for incremental
// conversions (CampaignQini), the best coefficient first marked ★.
func WriteModelQini(w io.Writer, campaignID int, qs []ModelQini) {
	fmt.Fprintf(w, "\nQini of each model on campaign %d (contacted and control members, ranked as of the campaign's start):\n", campaignID)
	best := -1
	for k, q := range qs {
		if !math.IsNaN(q.Qini) && (best < 0 || q.Qini > qs[best].Qini) {
			best = k
		}
	}
	truth := false
	for _, q := range qs {
		truth = truth || !math.IsNaN(q.TrueTop30)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if truth {
		fmt.Fprintln(tw, "model\tmembers\tQini\tat 30 %\ttrue at 30 %\t\t")
	} else {
		fmt.Fprintln(tw, "model\tmembers\tQini\tat 30 %\t\t")
	}
	for k, q := range qs {
		star := ""
		if k == best {
			star = "★"
		}
		if truth {
			share := "–"
			if !math.IsNaN(q.TrueTop30) {
				share = fmt.Sprintf("%.3f", q.TrueTop30)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", q.Model, units.Int(int64(q.Members)), Coef(q.Qini), gainAt(q.Curve, 0.3), share, star)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", q.Model, units.Int(int64(q.Members)), Coef(q.Qini), gainAt(q.Curve, 0.3), star)
	}
	tw.Flush()
	fmt.Fprintln(w, "at 30 %: incremental conversions found in the top 30 % per contacted member of the campaign")
	if truth {
		fmt.Fprintln(w, "true at 30 %: the true incremental conversions (sample_truth_uplift) among a model's top 30 % of the contacted, as a share of the true uplift's top 30 %")
	}
}

// gainAt is the Qini curve's gain at depth x (the first point at or beyond it), as pp.
func gainAt(curve []QiniPoint, x float64) string {
	for _, p := range curve {
		if p.Depth >= x {
			return fmt.Sprintf("%+.2f pp", 100*p.Gain)
		}
	}
	return "–"
}
