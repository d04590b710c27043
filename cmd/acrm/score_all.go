package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/analysis/nbo"
	"github.com/acrm-dev/acrm/analysis/sqlgen"
)

// runScoreAll is acrm score --all: the total model over the whole base.
func runScoreAll(cmd *cobra.Command) error {
	ctx := cmd.Context()
	ws, err := openWorkspace(ctx)
	if err != nil {
		return err
	}
	defer ws.Close()
	bar := newTermProgress(cmd.ErrOrStderr())
	res, err := nbo.ScoreAll(ctx, ws, nbo.ScoreOptions{Report: func(p nbo.Progress) { bar.report(p.Done, p.Total, p.Stage) }})
	bar.done()
	if err != nil {
		return err
	}
	writeScoreAll(cmd.OutOrStdout(), res)
	return nil
}

// runEmitSQL is acrm score --all --emit-sql DIR --dialect D: the total model as a batch job.
func runEmitSQL(cmd *cobra.Command, dir, dialect string) error {
	if _, err := sqlgen.Lookup(dialect); err != nil {
		return fmt.Errorf("score: --dialect: %w", err)
	}
	ctx := cmd.Context()
	ws, err := openWorkspace(ctx)
	if err != nil {
		return err
	}
	defer ws.Close()
	res, err := sqlgen.EmitJob(ctx, ws, dialect, dir)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "wrote %s: score --all as a %s batch job (%d products, scoring run %d's calibration, offers as of %s)\n",
		res.Dir, res.Dialect, res.Products, res.Job.RunID, res.Job.AsOf.Format("2006-01-02"))
	for _, f := range res.Files {
		fmt.Fprintf(w, "  %s\n", f)
	}
	fmt.Fprintf(w, "  README.md (run the files in this order; reads %s; writes %s)\n", strings.Join(res.Inputs, ", "), sqlgen.OffersTable)
	return nil
}

func writeScoreAll(w io.Writer, res *nbo.ScoreResult) {
	fmt.Fprintf(w, "scoring run %d: %s customers × %d products scored as of %s in %s; %s ranked offers in acrm_nbo_offers\n",
		res.RunID, thousands(int64(res.Customers)), len(res.Models), res.AsOf.Format("2006-01-02"), res.Elapsed.Round(1e7), thousands(res.Offers))
	for _, s := range res.Skipped {
		fmt.Fprintf(w, "  skipped %s\n", s)
	}
	fmt.Fprintf(w, "value segments %s:\n", res.Basis)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "segment\tcustomers\texpected value\tfrom\t\n")
	for _, s := range res.Segments {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t\n", s.Name, thousands(int64(s.Customers)), thousands(int64(s.EVTotal)), s.EVMin)
	}
	tw.Flush()
	var rules []string
	for r := range res.Removed {
		rules = append(rules, r)
	}
	sort.Slice(rules, func(i, j int) bool { return ruleIndex(rules[i]) < ruleIndex(rules[j]) })
	fmt.Fprintln(w, "candidate offers (customer × product × channel) removed by the business rules:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range rules {
		fmt.Fprintf(tw, "  %s\t%s\n", r, thousands(int64(res.Removed[r])))
	}
	tw.Flush()
}

func ruleIndex(r string) int {
	for i, x := range nbo.RuleOrder {
		if x == r {
			return i
		}
	}
	return len(nbo.RuleOrder)
}
