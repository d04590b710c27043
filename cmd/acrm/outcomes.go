package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/analysis/monitor"
)

func init() { rootCmd.AddCommand(newOutcomesCmd()) }

func newOutcomesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "outcomes",
		Short: "Record campaign outcomes from a response file",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var opt monitor.ImportOptions
	imp := &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Import a response file (customer, campaign, product, outcome, revenue, date), row by row",
		Long: `Import a response file: a CSV (comma or semicolon) with the header customer, campaign,
product, outcome, revenue, date (customer_id, campaign_id, product_id and ts are accepted too).
Every row is checked: UTF-8, the number of columns, the customer, campaign and product against
the workspace (the product must be the campaign's), the date (YYYY-MM-DD, not before the
campaign's start), the outcome (accepted, declined, no_response), the revenue (≥ 0, only on an
accepted offer), duplicates in the file and rows the workspace already has. Accepted rows are
written as contacts of the campaign in one transaction; rejected rows go to the rejects file
with their line and reason. --strict imports nothing when any row is rejected.

  acrm outcomes import --db acrm.duckdb responses.csv
  acrm monitor --db acrm.duckdb --campaign 57`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opt.Path = args[0]
			if err := checkResponseFile(opt.Path, opt.Rejects); err != nil {
				return err
			}
			ctx := cmd.Context()
			ws, err := openWorkspace(ctx)
			if err != nil {
				return err
			}
			defer ws.Close()
			res, err := monitor.ImportOutcomes(ctx, ws, opt)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintln(out, outcomesSummary(opt.Path, res))
			reasons := make([]string, 0, len(res.ByReason))
			for r := range res.ByReason {
				reasons = append(reasons, r)
			}
			sort.Slice(reasons, func(i, j int) bool {
				if res.ByReason[reasons[i]] != res.ByReason[reasons[j]] {
					return res.ByReason[reasons[i]] > res.ByReason[reasons[j]]
				}
				return reasons[i] < reasons[j]
			})
			for _, r := range reasons {
				fmt.Fprintf(out, "  %-28s %s\n", r, thousands(int64(res.ByReason[r])))
			}
			for i, r := range res.Rejected {
				if i == 5 {
					fmt.Fprintf(out, "  … %d more in the rejects file\n", len(res.Rejected)-5)
					break
				}
				fmt.Fprintf(out, "  line %d: %s: %s\n", r.Line, r.Reason, r.Detail)
			}
			if res.RejectsPath != "" {
				fmt.Fprintf(out, "rejected rows written to %s\n", res.RejectsPath)
			}
			if opt.Strict && len(res.Rejected) > 0 {
				return fmt.Errorf("outcomes: --strict: %d row(s) rejected, nothing imported", len(res.Rejected))
			}
			if res.Written {
				fmt.Fprintf(out, "contacts %d … %d written in one transaction\n", res.FirstID, res.FirstID+int64(res.Accepted)-1)
			}
			return nil
		},
	}
	imp.Flags().StringVar(&opt.Rejects, "rejects", "", "rejects file (default FILE.rejects.csv beside the input)")
	imp.Flags().BoolVar(&opt.Strict, "strict", false, "import nothing when any row is rejected")
	cmd.AddCommand(imp)
	return cmd
}

// checkResponseFile checks before the workspace opens that the response file is a readable
// file and that --rejects does not name it (the rejects file would replace the input).
func checkResponseFile(path, rejects string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("outcomes: %w", err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("outcomes: %s is not a file", path)
	}
	if rejects == "" {
		return nil
	}
	a, err1 := filepath.Abs(path)
	b, err2 := filepath.Abs(rejects)
	if err1 == nil && err2 == nil && a == b {
		return fmt.Errorf("outcomes: --rejects %s is the response file itself: the rejects would replace it", rejects)
	}
	if rs, err := os.Stat(rejects); err == nil && os.SameFile(st, rs) {
		return fmt.Errorf("outcomes: --rejects %s is the response file itself: the rejects would replace it", rejects)
	}
	return nil
}

// outcomesSummary is the first line acrm outcomes import prints: "r.csv: 1 row read, 1 imported,
// 0 rejected".
func outcomesSummary(path string, res *monitor.ImportResult) string {
	return fmt.Sprintf("%s: %s read, %s imported, %s rejected", path, count(int64(res.Rows), "row"),
		thousands(int64(res.Accepted)), thousands(int64(len(res.Rejected))))
}
