package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/analysis/nbo"
	"github.com/acrm-dev/acrm/analysis/sim"
)

func init() { rootCmd.AddCommand(newPlanCmd()) }

func newPlanCmd() *cobra.Command {
	var budget float64
	var period, channels string
	var exact, dryRun bool
	var control float64
	var seed uint64
	cmd := &cobra.Command{
		Use:   "plan --budget AMOUNT --period 6m [--channels mail,email,…]",
		Short: "Allocate a contact budget across customers, products and channels for the most expected profit",
		Long: `Assign offers from the current total-model scoring (acrm score --all) to customers across all
products and channels to maximise expected profit within the budget, the caps, opt-outs,
cool-downs and channel capacities of the business rules. The k-th offer to a customer in a
period earns less past the measured contact-frequency peak of its value segment (acrm
simulate frequency), so offers are not treated as independent. Reports the plan per product,
channel and value segment, and against the current policy (3 offers per half year for the
customers the same budget reaches).

The plan is registered as campaigns, one per product × channel it offers, over the period
(campaigns, campaign_members with cells target/control, acrm_campaign_offers): a random
--control share of the planned customers is held out in every campaign the plan gave them, so
acrm sample respond --campaign ID and the evaluation can use them. --dry-run only reports.

  acrm plan --budget 250000 --period 6m
  acrm plan --budget 50000 --channels mail,email`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("budget") {
				return fmt.Errorf("plan: --budget AMOUNT is required")
			}
			if !(budget > 0) {
				return fmt.Errorf("plan: --budget %v: want a positive amount", budget)
			}
			months, err := sim.ParsePeriod(period)
			if err != nil {
				return fmt.Errorf("plan: --period: %w", err)
			}
			if !(control >= 0 && control <= 0.5) {
				return fmt.Errorf("plan: --control %v: want a share between 0 and 0.5", control)
			}
			spec := nbo.PlanSpec{Budget: budget, PeriodMonths: months, Exact: exact, Channels: splitList(channels), Control: control, Seed: seed}
			ctx := cmd.Context()
			ws, err := openWorkspace(ctx)
			if err != nil {
				return err
			}
			defer ws.Close()
			bar := newTermProgress(cmd.ErrOrStderr())
			res, err := nbo.Plan(ctx, ws, spec, func(p nbo.Progress) { bar.report(p.Done, p.Total, p.Stage) })
			bar.done()
			if err != nil {
				return err
			}
			writePlan(cmd.OutOrStdout(), res)
			if dryRun || len(res.Offers) == 0 {
				return nil
			}
			if err := res.Register(ctx, ws); err != nil {
				return err
			}
			writePlanRegistered(cmd.OutOrStdout(), res)
			return nil
		},
	}
	f := cmd.Flags()
	f.Float64Var(&budget, "budget", 0, "contact budget for the period (€)")
	f.StringVar(&period, "period", "6m", "plan period: 3m, 6m or 12m")
	f.StringVar(&channels, "channels", "", "outbound channels the plan may use, comma-separated (default all: "+strings.Join(nbo.OutboundChannels, ", ")+")")
	f.BoolVar(&exact, "exact", false, "solve the linear program exactly (gonum simplex; small workspaces only)")
	f.Float64Var(&control, "control", 0.1, "share of the planned customers held out as a control cell (0 … 0.5)")
	f.Uint64Var(&seed, "seed", 1, "seed of the control-cell draw")
	f.BoolVar(&dryRun, "dry-run", false, "report the plan only; register no campaigns")
	return cmd
}

func writePlan(w io.Writer, r *nbo.PlanResult) {
	fmt.Fprintf(w, "plan for a budget of %s per %s (scoring run %d): %s\n", thousands(int64(r.Spec.Budget)), sim.PeriodName(r.Spec.PeriodMonths), r.RunID, r.Method)
	if r.CurveNote != "" {
		fmt.Fprintf(w, "  %s\n", r.CurveNote)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(name string, t nbo.Totals) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1f\t%s\t%.1f\t\n", name, thousands(int64(t.Customers)), thousands(int64(t.Offers)),
			thousands(int64(t.Cost)), t.Contracts, thousands(int64(t.Profit)), t.OptOuts)
	}
	fmt.Fprintln(tw, "\tcustomers\toffers\tcost\tcontracts\tprofit\topt-outs\t")
	row("plan", r.Plan)
	row(fmt.Sprintf("current policy (%d per half year)", nbo.PolicyK), r.Policy)
	tw.Flush()
	if r.Policy.Profit != 0 {
		bound := "LP bound"
		if r.BoundWithCapacities {
			bound = "LP bound with the channel capacities"
		}
		fmt.Fprintf(w, "plan vs current policy: profit %+.1f %%, contracts %+.1f %%; %s %s (plan at %.2f %% of it)\n",
			100*(r.Plan.Profit/r.Policy.Profit-1), 100*(r.Plan.Contracts/r.Policy.Contracts-1), bound, thousands(int64(r.LPBound)), 100*r.Plan.Profit/r.LPBound)
	}
	section := func(title string, rows []nbo.PlanRow, limit int) {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%s\tcustomers\toffers\tcost\tcontracts\tprofit\t\n", title)
		for i, x := range rows {
			if limit > 0 && i == limit {
				fmt.Fprintf(tw, "… %d more\t\t\t\t\t\t\n", len(rows)-limit)
				break
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1f\t%s\t\n", x.Key, thousands(int64(x.Customers)), thousands(int64(x.Offers)), thousands(int64(x.Cost)), x.Contracts, thousands(int64(x.Profit)))
		}
		tw.Flush()
	}
	section("value segment", r.BySegment, 0)
	section("channel", r.ByChannel, 0)
	section("product", r.ByProduct, 12)
	fmt.Fprintln(w, "customers per value segment by offers in the period (0, 1, 2, …):")
	for _, seg := range []string{"top", "middle", "low"} {
		parts := make([]string, len(r.PerK[seg]))
		for k, n := range r.PerK[seg] {
			parts[k] = thousands(int64(n))
		}
		fmt.Fprintf(w, "  %-6s %s\n", seg, strings.Join(parts, " · "))
	}
}

func writePlanRegistered(w io.Writer, r *nbo.PlanResult) {
	ids := r.Campaigns
	span := fmt.Sprint(ids[0])
	if len(ids) > 1 {
		span = fmt.Sprintf("%d–%d", ids[0], ids[len(ids)-1])
	}
	fmt.Fprintf(w, "registered campaigns %s (%d, one per product × channel), %s to %s: %s customers contacted, control cell %s (not contacted)\n",
		span, len(ids), r.Start.Format("2006-01-02"), r.End.Format("2006-01-02"), thousands(int64(r.Contacted)), thousands(int64(r.Controls)))
	fmt.Fprintf(w, "  outcomes from the sample's market: acrm sample respond --campaign ID, for each of them\n")
}
