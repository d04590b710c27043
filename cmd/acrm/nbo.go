package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/analysis/nbo"
)

func init() { rootCmd.AddCommand(newNBOCmd()) }

func newNBOCmd() *cobra.Command {
	var customer, channel, format string
	var facts []string
	var fields bool
	cmd := &cobra.Command{
		Use:   "nbo --customer ID [--set field=value …] [--channel C] [--format table|json]",
		Short: "Next best offers of one customer now, with live facts, reasons and the decision trace",
		Long: `Score one customer live, as during an inbound contact: the customer's current view row
with the facts the customer just told (--set field=value, any field of the customer view,
repeatable; --fields lists them; value null makes a field missing), every product scored with
the model versions and calibration of the latest acrm score --all, the business rules applied.
Prints the ranked offers (P(accept), expected value, channel, model version) with each offer's
reason — the features that pushed it up most for this customer — and the decision trace: every
rule that removed or demoted a product.

  acrm nbo --customer 1042
  acrm nbo --customer 1042 --set locations=2 --set nps=9 --channel phone --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("nbo: --format %q: want table or json", format)
			}
			var parsed []nbo.Fact
			for _, s := range facts {
				f, err := nbo.ParseFact(s)
				if err != nil {
					return fmt.Errorf("nbo: --set: %w", err)
				}
				parsed = append(parsed, f)
			}
			var id int64
			if !fields {
				if strings.TrimSpace(customer) == "" {
					return errors.New("nbo: --customer ID is required")
				}
				v, err := strconv.ParseInt(strings.TrimSpace(customer), 10, 64)
				if err != nil {
					return fmt.Errorf("nbo: --customer %q: want a customer_id (an integer)", customer)
				}
				id = v
			}
			ctx := cmd.Context()
			ws, err := openWorkspace(ctx)
			if err != nil {
				return err
			}
			defer ws.Close()
			l, err := nbo.NewLive(ctx, ws)
			if err != nil {
				return err
			}
			if fields {
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "FIELD\tTYPE")
				for _, f := range l.Fields() {
					fmt.Fprintf(tw, "%s\t%s\n", f[0], f[1])
				}
				return tw.Flush()
			}
			c, err := l.Lookup(ctx, id)
			if err != nil {
				return err
			}
			d, err := l.Offers(c, parsed, channel)
			if err != nil {
				return err
			}
			if format == "json" {
				return writeLiveJSON(cmd.OutOrStdout(), l, d)
			}
			return writeLiveTable(cmd.OutOrStdout(), l, d)
		},
	}
	cmd.Flags().StringVar(&customer, "customer", "", "customer_id to score")
	cmd.Flags().StringArrayVar(&facts, "set", nil, "live fact field=value (repeatable)")
	cmd.Flags().StringVar(&channel, "channel", "", "offer through this outbound channel only (default: the best one per product)")
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	cmd.Flags().BoolVar(&fields, "fields", false, "list the customer-view fields --set accepts, with their types")
	return cmd
}

func writeLiveTable(w io.Writer, l *nbo.Live, d *nbo.LiveDecision) error {
	seg := d.Segment
	if seg == "" {
		seg = "unscored"
	}
	fmt.Fprintf(w, "customer %d · value segment %s · decided as of %s · offers used %d of %d this period\n",
		d.Customer, seg, d.At.Format("2006-01-02"), d.Usage.Total, d.Usage.Cap)
	for _, f := range d.Facts {
		fmt.Fprintf(w, "live fact: %s = %s\n", f.Field, f.Value)
	}
	fmt.Fprintln(w)
	if len(d.Offers) == 0 {
		fmt.Fprintln(w, "no offer passes the rules (see the trace)")
	} else {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "RANK\tPRODUCT\tCHANNEL\tP(ACCEPT)\tVALUE\tMODEL")
		for _, o := range d.Offers {
			fmt.Fprintf(tw, "%d\tP%02d %s\t%s\t%.2f%%\t%.2f\t%s\n", o.Rank, o.Product, l.ProductName(o.Product), o.Channel, 100*o.P, o.Value, o.Model)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w)
		for _, o := range d.Offers {
			fmt.Fprintf(w, "why P%02d: %s\n", o.Product, o.Why)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "decision trace (%d steps)\n", len(d.Trace))
	for _, s := range d.Trace {
		fmt.Fprintf(w, "  %s\n", s)
	}
	return nil
}

func writeLiveJSON(w io.Writer, l *nbo.Live, d *nbo.LiveDecision) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(l.JSON(d))
}
