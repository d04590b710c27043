package main

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/analysis/nbo"
)

func init() { rootCmd.AddCommand(newSelectCmd()) }

func newSelectCmd() *cobra.Command {
	var product, channel, segment, out string
	var size int
	var budget, control float64
	var seed uint64
	var weeks int
	cmd := &cobra.Command{
		Use:   "select --product P|best --channel C (--size N | --budget AMOUNT) -o FILE.csv|.parquet",
		Short: "Select a campaign by expected value with every business rule applied, register it and export it",
		Long: `Pick the customers to contact from the current total-model scoring (acrm score --all):
for one product (--product 7) or each customer's best offer (--product best), through one
channel, the highest expected value first, with every business rule applied (opt-outs, caps,
cool-down, eligibility, minimum propensity, channel capacity). A random control cell
(--control, default 0.1) is held out: registered in the workspace, not contacted, not in the
file. The campaign is registered in campaigns/campaign_members (one campaign per product
offered) so that acrm sample respond --campaign ID and the evaluation can use it.

  acrm select --product best --channel mail --size 5000 -o mail.csv
  acrm select --product 24 --channel phone --budget 20000 --segment top -o phone.parquet`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			spec := nbo.SelectSpec{Channel: channel, Size: size, Budget: budget, Segment: segment, Control: control, Seed: seed, Weeks: weeks}
			switch p := strings.TrimSpace(strings.ToLower(product)); p {
			case "":
				return errors.New("select: --product P|best is required")
			case "best":
			default:
				id, err := strconv.Atoi(strings.TrimPrefix(p, "p"))
				if err != nil || id < 1 {
					return fmt.Errorf("select: --product %q: want a product_id (e.g. 7) or best", product)
				}
				spec.Product = id
			}
			if channel == "" {
				return fmt.Errorf("select: --channel is required (one of %s)", strings.Join(nbo.OutboundChannels, ", "))
			}
			if cmd.Flags().Changed("size") && size <= 0 {
				return fmt.Errorf("select: --size %d: want a positive number of customers", size)
			}
			if cmd.Flags().Changed("budget") && !(budget > 0) {
				return fmt.Errorf("select: --budget %v: want a positive amount", budget)
			}
			if out == "" {
				return errors.New("select: -o FILE.csv|.parquet is required (the customers to contact)")
			}
			if err := nbo.CheckOutput(out); err != nil {
				return err
			}
			if err := spec.Validate(); err != nil {
				return err
			}
			ctx := cmd.Context()
			ws, err := openWorkspace(ctx)
			if err != nil {
				return err
			}
			defer ws.Close()
			bar := newTermProgress(cmd.ErrOrStderr())
			res, err := nbo.Select(ctx, ws, spec, func(p nbo.Progress) { bar.report(p.Done, p.Total, p.Stage) })
			bar.done()
			if err != nil {
				return err
			}
			if err := res.Register(ctx, ws, "select"); err != nil {
				return err
			}
			n, err := res.Export(ctx, ws, out)
			if err != nil {
				return fmt.Errorf("select: campaign(s) %s registered, but the export failed: %w", joinInts(res.Campaigns), err)
			}
			writeSelect(cmd.OutOrStdout(), res)
			fmt.Fprintf(cmd.OutOrStdout(), "%s customers to contact written to %s\n", thousands(n), out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&product, "product", "", "product_id to offer, or best (each customer's best offer)")
	f.StringVar(&channel, "channel", "", "outbound channel: "+strings.Join(nbo.OutboundChannels, ", "))
	f.IntVar(&size, "size", 0, "customers to contact")
	f.Float64Var(&budget, "budget", 0, "contact budget (€): contacts × cost per contact")
	f.StringVar(&segment, "segment", "", "saved segment, or a value segment by expected value: top, middle, low")
	f.Float64Var(&control, "control", 0.1, "share of the selection held out as a control cell (0 … 0.5)")
	f.Uint64Var(&seed, "seed", 1, "seed of the control-cell draw")
	f.IntVar(&weeks, "weeks", 4, "campaign length in weeks (channel capacity is per week)")
	f.StringVarP(&out, "output", "o", "", "file of the customers to contact (.csv or .parquet)")
	return cmd
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

func writeSelect(w io.Writer, r *nbo.SelectResult) {
	what := "best offer"
	if r.Spec.Product > 0 {
		what = fmt.Sprintf("product %d", r.Spec.Product)
	}
	label := "campaign"
	if len(r.Campaigns) > 1 {
		label = "campaigns"
	}
	fmt.Fprintf(w, "%s %s registered: %s by %s, %s to %s (scoring run %d)\n", label, joinInts(r.Campaigns), what, r.Spec.Channel,
		r.Start.Format("2006-01-02"), r.End.Format("2006-01-02"), r.RunID)
	fmt.Fprintf(w, "customers considered %s; with an offer after the rules %s\n", thousands(int64(r.Considered)), thousands(int64(r.Eligible)))
	rules := make([]string, 0, len(r.Removed))
	for k := range r.Removed {
		rules = append(rules, k)
	}
	sort.Slice(rules, func(i, j int) bool { return ruleIndex(rules[i]) < ruleIndex(rules[j]) })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if r.Spec.Product == 0 {
		fmt.Fprintln(tw, "removed by rule\tcustomers (best: customers losing at least one product to the rule)")
	} else {
		fmt.Fprintln(tw, "removed by rule\tcustomers")
	}
	for _, k := range rules {
		fmt.Fprintf(tw, "  %s\t%s\n", k, thousands(int64(r.Removed[k])))
	}
	if r.CutByCap > 0 {
		fmt.Fprintf(tw, "  channel capacity (%s in %d weeks)\t%s\n", thousands(int64(r.Capacity)), r.Spec.Weeks, thousands(int64(r.CutByCap)))
	}
	tw.Flush()
	fmt.Fprintf(w, "contacted %s, control cell %s (not contacted); cost %s; expected contracts %.1f; expected profit %s\n",
		thousands(int64(r.Contacted)), thousands(int64(r.Controls)), thousands(int64(r.Cost)), r.Contracts, thousands(int64(r.Profit)))
	fmt.Fprintf(w, "contacted per value segment (%s): top %s, middle %s, low %s\n", r.Basis,
		thousands(int64(r.BySegment["top"])), thousands(int64(r.BySegment["middle"])), thousands(int64(r.BySegment["low"])))
}
