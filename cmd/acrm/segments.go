package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/analysis/explore"
	"github.com/acrm-dev/acrm/analysis/segment"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

func init() {
	rootCmd.AddCommand(newSegmentsCmd())
	rootCmd.AddCommand(newProfileCmd())
}

// newSegmentsCmd is the CLI twin of the Segments screen.
func newSegmentsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "segments",
		Short: "Customer segments over customer_view: list, save, delete, KPIs, crosstab",
		Long: `A segment is a name and a SQL boolean filter over customer_view (customers plus
products_held, contacts_12m, response_rate, contract_end, opted_out, value_segment …).
The built-in value segments top / middle / low are always there.`,
		Example: `  acrm segments save "retail 5+" "sector = 'retail' AND mobile_subs >= 5"
  acrm segments kpis top middle low "retail 5+"
  acrm segments crosstab size_class value_segment --filter "region = 'Utrecht'"`,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the built-in and saved segments",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withWorkspace(cmd, func(ctx context.Context, ws *workspace.Workspace) error {
				saved, err := segment.List(ctx, ws)
				if err != nil {
					return err
				}
				tw := newTable(cmd.OutOrStdout(), 0)
				fmt.Fprintln(tw, "name\tcustomers\tfilter\tdescription")
				// A saved filter that no longer holds (a workspace from elsewhere, a dropped
				// column) is listed as refused with its reason below; the others as usual.
				var refused []string
				for _, s := range append(segment.ValueSegments(), saved...) {
					n, err := segment.Validate(ctx, ws, s.Filter)
					if err != nil {
						if ctx.Err() != nil {
							return err
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, "refused", s.Filter, s.Description)
						refused = append(refused, fmt.Sprintf("segment %q refused: %s — `acrm segments delete %q` removes it", s.Name, strings.TrimPrefix(err.Error(), "segment: "), s.Name))
						continue
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, thousands(n), s.Filter, s.Description)
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				for _, r := range refused {
					fmt.Fprintln(cmd.OutOrStdout(), r)
				}
				return nil
			})
		},
	})
	var desc string
	save := &cobra.Command{
		Use:   "save NAME FILTER",
		Short: "Save (or replace) a segment after checking its filter",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withWorkspace(cmd, func(ctx context.Context, ws *workspace.Workspace) error {
				if err := segment.Save(ctx, ws, segment.Segment{Name: args[0], Filter: args[1], Description: desc}); err != nil {
					return err
				}
				n, err := segment.Validate(ctx, ws, args[1])
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "saved segment %q: %s customers\n", args[0], thousands(n))
				return nil
			})
		},
	}
	save.Flags().StringVar(&desc, "description", "", "what the segment is for")
	cmd.AddCommand(save)
	cmd.AddCommand(&cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a saved segment",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withWorkspace(cmd, func(ctx context.Context, ws *workspace.Workspace) error {
				if err := segment.Delete(ctx, ws, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "deleted segment %q\n", args[0])
				return nil
			})
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "kpis [SEGMENT …]",
		Short: "KPI table of segments with indices against the base (100 = average); default top middle low",
		RunE: func(cmd *cobra.Command, args []string) error {
			return withWorkspace(cmd, func(ctx context.Context, ws *workspace.Workspace) error {
				if len(args) == 0 {
					args = []string{"top", "middle", "low"}
				}
				var segs []segment.Segment
				for _, name := range args {
					s, err := segment.Get(ctx, ws, name)
					if err != nil {
						return err
					}
					segs = append(segs, s)
				}
				rows, err := segment.KPIs(ctx, ws, segs)
				if err != nil {
					return err
				}
				writeKPIs(cmd.OutOrStdout(), rows)
				for _, sg := range segs {
					if sg.Builtin {
						basis, err := segment.ValueBasis(ctx, ws)
						if err != nil {
							return err
						}
						fmt.Fprintf(cmd.OutOrStdout(), "value segments ranked by %s\n", basisWords(basis))
						break
					}
				}
				return nil
			})
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "basis [auto|monthly_revenue|expected_value]",
		Short: "Show or set what ranks the value segments top / middle / low",
		Long: `The value segments rank customers by monthly revenue unless every product's best model has
scores (acrm score for each product): then by expected value, the sum of score × margin over
the products (auto, the default). Scoring one product never changes them. monthly_revenue or
expected_value fix the choice (expected_value needs best-model scores; without them revenue
ranks and the output says so). Without an argument it prints the basis in use.`,
		Example: `  acrm segments basis
  acrm segments basis expected_value
  acrm segments basis auto`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withWorkspace(cmd, func(ctx context.Context, ws *workspace.Workspace) error {
				if len(args) == 1 {
					if err := segment.SetValueBasis(ctx, ws, args[0]); err != nil {
						return err
					}
				}
				want, err := segment.RequestedBasis(ctx, ws)
				if err != nil {
					return err
				}
				basis, err := segment.ValueBasis(ctx, ws)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "value segments ranked by %s (setting: %s)\n", basisWords(basis), want)
				if want == segment.BasisExpectedValue && basis != want {
					fmt.Fprintln(cmd.OutOrStdout(), "no best-model scores yet: acrm score --model NAME writes them")
				}
				return nil
			})
		},
	})
	var filter string
	xt := &cobra.Command{
		Use:   "crosstab ROW_COLUMN COL_COLUMN",
		Short: "Count customers by two customer_view columns, with row percentages",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withWorkspace(cmd, func(ctx context.Context, ws *workspace.Workspace) error {
				x, err := segment.Crosstab(ctx, ws, args[0], args[1], filter)
				if err != nil {
					return err
				}
				writeCrossTable(cmd.OutOrStdout(), x)
				return nil
			})
		},
	}
	xt.Flags().StringVar(&filter, "filter", "", "SQL condition over customer_view restricting the customers")
	cmd.AddCommand(xt)
	return cmd
}

// withWorkspace opens --db, runs fn on it with the command's context and closes it.
func withWorkspace(cmd *cobra.Command, fn func(ctx context.Context, ws *workspace.Workspace) error) error {
	ctx := cmd.Context()
	ws, err := openWorkspace(ctx)
	if err != nil {
		return err
	}
	defer ws.Close()
	return fn(ctx, ws)
}

// newTable is the tabwriter of the segment and profile tables: columns two spaces apart.
func newTable(w io.Writer, flags uint) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', flags)
}

func writeKPIs(w io.Writer, rows []segment.KPIRow) {
	tw := newTable(w, tabwriter.AlignRight)
	fmt.Fprintln(tw, "segment\tcustomers\tshare\tavg revenue\tidx\tproducts\tidx\tresponse\tidx\tcontract end\tidx\topt-out\tidx\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%.1f%%\t%.0f\t%.0f\t%.2f\t%.0f\t%.2f%%\t%.0f\t%.1f%%\t%.0f\t%.1f%%\t%.0f\t\n",
			r.Segment, thousands(r.Customers), 100*r.Share, r.AvgRevenue, r.Index.AvgRevenue,
			r.ProductsPerCustomer, r.Index.ProductsPerCustomer, 100*r.ResponseRate, r.Index.ResponseRate,
			100*r.ContractEndShare, r.Index.ContractEndShare, 100*r.OptOutShare, r.Index.OptOutShare)
	}
	tw.Flush()
}

func writeCrossTable(w io.Writer, x segment.CrossTable) {
	tw := newTable(w, tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s \\ %s\t%s\ttotal\t\n", x.RowCol, x.ColCol, strings.Join(x.ColLabels, "\t"))
	for i, r := range x.RowLabels {
		cells := make([]string, len(x.ColLabels))
		for j := range x.ColLabels {
			cells[j] = fmt.Sprintf("%s (%.1f%%)", thousands(x.Counts[i][j]), x.RowPct[i][j])
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", r, strings.Join(cells, "\t"), thousands(x.RowTotals[i]))
	}
	tots := make([]string, len(x.ColTotals))
	for j, n := range x.ColTotals {
		tots[j] = thousands(n)
	}
	fmt.Fprintf(tw, "total\t%s\t%s\t\n", strings.Join(tots, "\t"), thousands(x.Total))
	tw.Flush()
}

// newProfileCmd is the CLI twin of the Data screen's column profile.
func newProfileCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "profile TABLE",
		Short:   "Profile every column of a table: nulls, distinct, range, mean, quartiles, top value",
		Example: "  acrm profile customers",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withWorkspace(cmd, func(ctx context.Context, ws *workspace.Workspace) error {
				profs, err := explore.Profile(ctx, ws, args[0], nil)
				if err != nil {
					return err
				}
				tw := newTable(cmd.OutOrStdout(), 0)
				fmt.Fprintln(tw, "column\ttype\tnull %\tdistinct\tmin\tp25\tmedian\tp75\tmax\tmean\ttop value")
				for _, p := range profs {
					q := []string{"", "", ""}
					if p.Quantiles != nil {
						q = []string{explore.FormatFloat(p.Quantiles[1]), explore.FormatFloat(p.Quantiles[2]), explore.FormatFloat(p.Quantiles[3])}
					}
					mean, top := "", ""
					if p.Mean != nil {
						mean = explore.FormatFloat(*p.Mean)
					}
					if len(p.TopValues) > 0 {
						top = fmt.Sprintf("%s (%s)", p.TopValues[0].Value, thousands(p.TopValues[0].Count))
					}
					fmt.Fprintf(tw, "%s\t%s\t%.1f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.Type, p.NullPct, thousands(p.Distinct),
						p.Min, q[0], q[1], q[2], p.Max, mean, top)
				}
				return tw.Flush()
			})
		},
	}
}

// basisWords names what ranks the value segments, as the screens and charts do.
func basisWords(basis string) string {
	if basis == segment.BasisExpectedValue {
		return "expected value (score × margin of the best models)"
	}
	return "monthly revenue"
}
