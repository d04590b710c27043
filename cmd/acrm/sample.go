package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/sampledata"
)

func init() { rootCmd.AddCommand(newSampleCmd()) }

func newSampleCmd() *cobra.Command {
	var opt sampledata.Options
	cmd := &cobra.Command{
		Use:   "sample",
		Short: "Create the sample datamart (KPN-like business market) with ground truth",
		Long: `Generate a deterministic synthetic datamart — customers, products, holdings, 24 months of
contacts and campaigns with randomized cells, opt-outs, events — plus the ground truth
(sample_truth, sample_truth_meta) into --db. Same --seed and --customers give identical tables.
Existing datamart tables are kept unless --replace. See docs/DATAMART.md.`,
		Example: `  acrm sample --db acrm.duckdb
  acrm sample --db big.duckdb --customers 1000000 --seed 7 --replace
  acrm sample respond --db acrm.duckdb --campaign 100   # after registering campaign 100: see acrm sample respond --help`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opt.Customers <= 0 {
				return fmt.Errorf("--customers %d: want a positive number of customers", opt.Customers)
			}
			ws, err := createWorkspace(cmd.Context())
			if err != nil {
				return err
			}
			defer ws.Close()
			bar := newTermProgress(os.Stderr)
			sum, err := sampledata.Generate(cmd.Context(), ws, opt, bar.update)
			bar.done()
			if err != nil {
				return err
			}
			// Close first so the size is that of the checkpointed file.
			if err := ws.Close(); err != nil {
				return err
			}
			printSampleSummary(cmd.OutOrStdout(), ws.Path(), sampleFileSize(ws.Path()), sum)
			return nil
		},
	}
	cmd.Flags().IntVar(&opt.Customers, "customers", sampledata.DefaultCustomers, "number of customers")
	cmd.Flags().Uint64Var(&opt.Seed, "seed", 42, "random seed (same seed and size → identical tables)")
	cmd.Flags().BoolVar(&opt.Replace, "replace", false, "replace existing datamart tables")
	cmd.Flags().StringVar(&opt.MemoryLimit, "memory-limit", "2GB", `cap DuckDB's memory while generating ("" = DuckDB's default, 80 % of RAM)`)
	cmd.AddCommand(newSampleRespondCmd(), newSampleNextPeriodCmd())
	return cmd
}

func newSampleNextPeriodCmd() *cobra.Command {
	var opt sampledata.NextOptions
	cmd := &cobra.Command{
		Use:   "next-period",
		Short: "Append one half year of history drawn from the ground truth (the loop's next period)",
		Long: `Move the sample forward by one half year, starting the day after the snapshot (the latest
contact): the campaigns registered for the period (acrm select, acrm plan: the workspace's scored
offers and rules) are answered by the market simulator, inbound contacts carry the customer's best
offer from the last acrm score --all, a global hold-out (5 % of the base, drawn afresh each period)
gets no offer at all, customers buy on their own (organic purchases, so control
cells convert too), accepted offers and organic purchases open holdings, and holdings churn.
The truth is updated: sample_truth gets p_organic, sample_truth_uplift the true effect of each
contacted member's offer, sample_truth_meta the period, the drift and each campaign's true uplift.

--drift changes the market at the start of the period and stays in force afterwards:
  none            customers only age (tenure_months + 6)
  segment-shift   40 % of customers use more data, have more subscriptions, are more digital
  appeal-change   the appeal of one product (--product; default: the first campaign's) turns
                  towards digital customers, and half the customers become more digital
  new-competitor  a competitor enters Noord-Holland, Zuid-Holland and Utrecht: mobile and
                  broadband sell half as well there and retention products churn 3× as much
Everything is written in one transaction. Same --seed and workspace → the same period.`,
		Example: `  acrm select --db acrm.duckdb --product 16 --channel phone --size 2000 -o phone.csv   # registers the campaign
  acrm sample next-period --db acrm.duckdb
  acrm monitor --db acrm.duckdb
  acrm sample next-period --db acrm.duckdb --drift appeal-change --product 16`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ws, err := openWorkspace(cmd.Context())
			if err != nil {
				return err
			}
			defer ws.Close()
			start := time.Now()
			sum, err := sampledata.NextPeriod(cmd.Context(), ws, opt)
			if err != nil {
				return err
			}
			printNextPeriod(cmd.OutOrStdout(), sum, time.Since(start))
			return nil
		},
	}
	cmd.Flags().StringVar(&opt.Drift, "drift", sampledata.DriftNone, "market drift: "+strings.Join(sampledata.Drifts, "|"))
	cmd.Flags().IntVar(&opt.Product, "product", 0, "appeal-change: the product whose appeal changes (default: the period's first campaign's product, else 16)")
	cmd.Flags().Uint64Var(&opt.Seed, "seed", 1, "random seed of the period's draws")
	cmd.Flags().Float64Var(&opt.Organic, "organic", 0, "scale the organic (unprompted) purchase rates from this period on (0 = keep the scale in force, 1 at first)")
	return cmd
}

func printNextPeriod(w io.Writer, sum sampledata.NextSummary, took time.Duration) {
	fmt.Fprintf(w, "period %d (%s … %s), drift %s", sum.Period, sum.Start.Format(time.DateOnly), sum.End.Format(time.DateOnly), sum.Drift)
	if sum.DriftProduct > 0 {
		fmt.Fprintf(w, " (product %d)", sum.DriftProduct)
	}
	fmt.Fprintf(w, ", %s customers, in %s\n", thousands(int64(sum.Customers)), took.Round(time.Millisecond))
	if len(sum.Campaigns) == 0 {
		fmt.Fprintln(w, "  no campaign registered for the period (acrm select / acrm plan register one)")
	}
	for i, c := range sum.Campaigns {
		u := sum.Uplift[i]
		fmt.Fprintf(w, "  campaign %d (product %d, %s): %s contacts, accepted %s (%.2f %%), opt-outs %s, revenue %.0f; true uplift %+.2f pp\n",
			c.CampaignID, c.Product, c.Channel, thousands(int64(c.Contacts)), thousands(int64(c.Accepted)),
			100*float64(c.Accepted)/float64(c.Contacts), thousands(int64(c.OptOuts)), c.Revenue, 100*u.Uplift)
	}
	fmt.Fprintf(w, "  global hold-out %s customers (campaign %d, no offer in the period; %s campaign members withheld)\n",
		thousands(int64(sum.Holdout)), sum.HoldoutID, thousands(int64(sum.Withheld)))
	fmt.Fprintf(w, "  inbound contacts %s (%s with the best offer, %s accepted), organic purchases %s\n",
		thousands(int64(sum.Inbound)), thousands(int64(sum.InboundOffer)), thousands(int64(sum.InboundAcc)), thousands(int64(sum.Organic)))
	fmt.Fprintf(w, "  holdings opened %s, ended (churn) %s, opt-outs %s\n", thousands(int64(sum.NewHoldings)),
		thousands(int64(sum.Churned)), thousands(int64(sum.OptOuts)))
}

func newSampleRespondCmd() *cobra.Command {
	var campaign int
	var seed uint64
	cmd := &cobra.Command{
		Use:   "respond --campaign ID",
		Short: "Draw the outcomes of a registered campaign from the ground truth (market simulator)",
		Long: `For every member of the campaign with contacted = true that has no contact yet, write an
outbound contact dated inside the campaign window with an outcome drawn from the sample's truth,
respecting the contact-frequency curve (the customer's prior offers in the last 12 months count).
Opt-outs it triggers are written too, in the same transaction. Same --seed → same outcomes.

The sample's own campaigns (1..56) are answered already. To let the market answer a new one,
register it first: a campaigns row and its campaign_members (contacted = true for those who get
the offer), for instance with acrm sql as in the example.`,
		// sql-lint: user text (an example of what to type)
		Example: `  acrm sql --db acrm.duckdb "INSERT INTO campaigns (campaign_id, name, product_id, channel, start_date, end_date, cost_per_contact, selection, period) VALUES (100, 'P5 2026-11 Microsoft 365 by phone', 16, 'phone', DATE '2026-11-02', DATE '2026-11-27', 6.50, 'random', NULL)"
  acrm sql --db acrm.duckdb "INSERT INTO campaign_members (campaign_id, customer_id, cell, contacted) SELECT 100, customer_id, 'target', true FROM customers WHERE customer_id % 25 = 0"
  acrm sample respond --db acrm.duckdb --campaign 100 --seed 1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if campaign <= 0 {
				// sql-lint: user text (an example of what to type)
				return fmt.Errorf("--campaign: a campaign_id is required (see: acrm sql \"SELECT * FROM campaigns\")")
			}
			ws, err := openWorkspace(cmd.Context())
			if err != nil {
				return err
			}
			defer ws.Close()
			start := time.Now()
			sum, err := sampledata.Respond(cmd.Context(), ws, campaign, seed)
			if errors.Is(err, sampledata.ErrNoCampaign) {
				return fmt.Errorf("--campaign %d: no such campaign in %s; register it first (a campaigns row and its campaign_members: see acrm sample respond --help)", campaign, ws.Path())
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if sum.Contacts == 0 {
				fmt.Fprintf(out, "campaign %d: every contacted member has an outcome already; nothing written (a new campaign is registered first: see acrm sample respond --help)\n", campaign)
				return nil
			}
			rate := float64(sum.Accepted) / float64(sum.Contacts)
			fmt.Fprintf(out, "campaign %d (product %d, %s): %s contacts written in %s\n", campaign, sum.Product, sum.Channel,
				thousands(int64(sum.Contacts)), time.Since(start).Round(time.Millisecond))
			fmt.Fprintf(out, "  accepted %s (%.2f %%), declined %s, no response %s, opt-outs %s, revenue %.0f\n",
				thousands(int64(sum.Accepted)), 100*rate, thousands(int64(sum.Declined)),
				thousands(int64(sum.NoResp)), thousands(int64(sum.OptOuts)), sum.Revenue)
			return nil
		},
	}
	cmd.Flags().IntVar(&campaign, "campaign", 0, "campaign_id of a registered campaign (required)")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "random seed of the outcome draws")
	return cmd
}

func printSampleSummary(w io.Writer, path string, size int64, sum sampledata.Summary) {
	fmt.Fprintf(w, "sample datamart: %s customers, seed %d, in %s", thousands(int64(sum.Customers)), sum.Seed,
		sum.Elapsed.Round(10*time.Millisecond))
	if size > 0 {
		fmt.Fprintf(w, " → %s (%.1f MB)", path, float64(size)/1e6)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  %-18s %12s\n", "table", "rows")
	for _, t := range sampledata.Tables {
		fmt.Fprintf(w, "  %-18s %12s\n", t, thousands(sum.Rows[t]))
	}
	lo, hi := 1.0, 0.0
	for _, a := range sum.OracleAUC {
		lo, hi = min(lo, a), max(hi, a)
	}
	fmt.Fprintf(w, "oracle AUC per product %.3f – %.3f (sample_truth_meta key 'oracle_auc')\n", lo, hi)
}

// sampleFileSize is the size of a workspace file and its WAL (0 for :memory: or a missing file).
func sampleFileSize(path string) int64 {
	var n int64
	for _, p := range []string{path, path + ".wal"} {
		if st, err := os.Stat(p); err == nil {
			n += st.Size()
		}
	}
	return n
}
