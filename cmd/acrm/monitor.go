package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/analysis/monitor"
)

func init() { rootCmd.AddCommand(newMonitorCmd()) }

// thresholdError is returned when the monitor flagged an alert: main prints it and exits
// with its code, so a scheduled run can tell "crossed a threshold" from a failure (1).
type thresholdError struct{ alerts int }

func (e thresholdError) Error() string {
	return fmt.Sprintf("monitor: %d threshold(s) crossed (exit code %d)", e.alerts, e.ExitCode())
}

// ExitCode of acrm monitor when an alert was flagged.
func (thresholdError) ExitCode() int { return 3 }

func newMonitorCmd() *cobra.Command {
	var opt monitor.Options
	var format, challenger string
	var qiniModels []string
	var baseline bool
	var maxDrift int
	cmd := &cobra.Command{
		Use:   "monitor",
		Short: "Evaluate campaigns against their predictions and control cells, and the drift of the base",
		Long: `Evaluate the registered campaigns (one with --campaign ID): the actual acceptance of the
offer against the P(accept) the selection predicted, overall, per decile and over time with 95 %
intervals; the conversion (an accepted offer or a purchase of the product on one's own) against
the campaign's control cell and the global hold-out: the uplift; the Qini curve's coefficient; revenue per value segment
against the prediction. Then the drift of the base: the population stability index of every
feature of the customer view and of each product's score against the stored baseline (taken on
the first run, or now with --baseline). Exit code 0 when nothing crossed a threshold, 3 when a
campaign left its predicted interval or a PSI reached --psi-shifted, 1 on an error.

  acrm monitor --db acrm.duckdb
  acrm monitor --db acrm.duckdb --campaign 57 --format json
  acrm monitor --db acrm.duckdb --campaign 58 --qini registered,P16-uplift`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("monitor: --format %q: want table or json", format)
			}
			if err := opt.Validate(); err != nil {
				return err
			}
			if challenger != "" && opt.CampaignID == 0 {
				return fmt.Errorf("monitor: --challenger %s: name the campaign to compare on with --campaign ID", challenger)
			}
			if len(qiniModels) > 0 && opt.CampaignID == 0 {
				return fmt.Errorf("monitor: --qini %s: name the campaign to rank with --campaign ID", strings.Join(qiniModels, ","))
			}
			ctx := cmd.Context()
			ws, err := openWorkspace(ctx)
			if err != nil {
				return err
			}
			defer ws.Close()
			if baseline && !opt.NoDrift {
				if _, err := monitor.TakeBaseline(ctx, ws, "taken by acrm monitor --baseline"); err != nil {
					return err
				}
			}
			bar := newTermProgress(cmd.ErrOrStderr())
			rep, err := monitor.Run(ctx, ws, opt, bar.update)
			bar.done()
			if err != nil {
				return err
			}
			var ch *monitor.Challenge
			if challenger != "" {
				if ch, err = monitor.ChallengeCampaign(ctx, ws, opt.CampaignID, challenger, opt.FollowDays); err != nil {
					return err
				}
			}
			var qs []monitor.ModelQini
			if len(qiniModels) > 0 {
				if qs, err = monitor.CampaignQini(ctx, ws, opt.CampaignID, qiniModels, opt.FollowDays); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				var v any = rep
				if ch != nil || qs != nil { // the report and the comparisons in one document
					v = struct {
						*monitor.Report
						Challenge *monitor.Challenge  `json:",omitempty"`
						Qini      []monitor.ModelQini `json:",omitempty"`
					}{rep, ch, qs}
				}
				if err := enc.Encode(v); err != nil {
					return fmt.Errorf("monitor: %w", err)
				}
			} else {
				monitor.WriteText(out, rep, maxDrift)
				if ch != nil {
					monitor.WriteChallenge(out, ch)
				}
				if qs != nil {
					monitor.WriteModelQini(out, opt.CampaignID, qs)
				}
			}
			if n := rep.Alerts(); n > 0 {
				return thresholdError{alerts: n}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&opt.CampaignID, "campaign", 0, "evaluate one campaign (campaign_id); default every product campaign")
	f.StringVar(&format, "format", "table", "table|json")
	f.IntVar(&opt.FollowDays, "follow-days", monitor.DefaultFollowDays, "days after a campaign's end a purchase still counts as its conversion")
	f.Float64Var(&opt.PSIMoved, "psi-moved", monitor.DefaultPSIMoved, "PSI from which a feature or score has moved (a warning)")
	f.Float64Var(&opt.PSIShifted, "psi-shifted", monitor.DefaultPSIShifted, "PSI from which a feature or score has shifted (an alert)")
	f.BoolVar(&opt.NoDrift, "no-drift", false, "skip the drift measurement")
	f.BoolVar(&baseline, "baseline", false, "take the drift baseline now (after retraining), then report")
	f.IntVar(&maxDrift, "drift-rows", 15, "drift rows printed, largest PSI first (0 = all)")
	f.StringVar(&challenger, "challenger", "", "with --campaign: compare this model (name or name@vN) with the campaign's serving model on its outcomes (AUC, DeLong test); promote with acrm models promote")
	f.StringSliceVar(&qiniModels, "qini", nil, "with --campaign: rank its contacted and control members by each of these models (name, name@vN, or registered for the campaign's own predictions) and compare their Qini coefficients (on a sample workspace also how many of the true incremental conversions each one's top 30 % holds)")
	return cmd
}
