package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/analysis/workspace"

	"github.com/acrm-dev/acrm/analysis/units"
)

func newImportCmd() *cobra.Command {
	var opt workspace.ImportOptions
	var maps []string
	cmd := &cobra.Command{
		Use:   "import FILE --table NAME",
		Short: "Load a CSV, Parquet or JSON file into a workspace table",
		Long: `Load a file into a new table through DuckDB's own readers (CSV with any delimiter, header
detection, quoted fields, BOM and CRLF; Parquet; JSON). The import runs in one transaction:
a failed import leaves the workspace exactly as it was. --as maps the table onto one of the
canonical datamart kinds and checks its required columns; --map renames columns.
In a CSV file, blank and whitespace-only cells are NULL (--null-values adds others such as
NA or ?); a text column whose other values are all numbers is imported as a number, and
the import says how many blanks it turned into NULL.`,
		Example: `  acrm import --db ws.duckdb crm_export.csv --table customers --as customers --map klantnr=customer_id
  acrm import --db ws.duckdb testdata/churn/mlc_churn_train.csv --table churn`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opt.Path = args[0]
			opt.Map = map[string]string{}
			for _, m := range maps {
				src, dst, ok := strings.Cut(m, "=")
				if !ok || src == "" || dst == "" {
					return fmt.Errorf("--map %q: expected src=dst", m)
				}
				opt.Map[src] = dst
			}
			ws, err := createWorkspace(cmd.Context())
			if err != nil {
				return err
			}
			defer ws.Close()
			bar := newTermProgress(cmd.ErrOrStderr())
			opt.Progress = bar.report
			res, err := ws.Import(cmd.Context(), opt)
			bar.done()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "imported %s into %s (%s, %s) in %s\n",
				count(res.Rows, "row"), res.Table, res.Format, count(int64(len(res.Columns)), "column"), res.Elapsed.Round(1e6))
			for _, n := range res.Nulls {
				if n.Numeric {
					fmt.Fprintf(out, "column %s: numbers with %s blank cell(s), imported as %s with those cells NULL\n", n.Column, thousands(n.Blanks), n.Type)
				} else {
					fmt.Fprintf(out, "column %s: %s blank cell(s) read as NULL\n", n.Column, thousands(n.Blanks))
				}
			}
			tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "  column\ttype")
			for _, c := range res.Columns {
				fmt.Fprintf(tw, "  %s\t%s\n", c.Name, c.Type)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&opt.Table, "table", "", "name of the new table (required)")
	cmd.Flags().StringVar(&opt.As, "as", "", "canonical kind: "+strings.Join(workspace.CanonicalKinds(), "|"))
	cmd.Flags().StringArrayVar(&maps, "map", nil, "rename a column, src=dst (repeatable)")
	cmd.Flags().BoolVar(&opt.Replace, "replace", false, "replace an existing table of that name")
	cmd.Flags().StringVar(&opt.Delimiter, "delim", "", `CSV delimiter (default: detected; \t for tab)`)
	cmd.Flags().StringVar(&opt.Encoding, "encoding", "", "CSV encoding: utf-8 (default), latin-1, utf-16")
	cmd.Flags().StringSliceVar(&opt.NullValues, "null-values", nil, "CSV cell values read as NULL besides blank ones, e.g. NA,? (blank and whitespace-only cells always are)")
	_ = cmd.MarkFlagRequired("table")
	return cmd
}

func newExportCmd() *cobra.Command {
	var out, query string
	cmd := &cobra.Command{
		Use:   "export TABLE -o FILE.csv|.parquet|.json",
		Short: "Write a table (or a query with --query) to CSV, Parquet or JSON",
		Long: `Write a table to a file; the format follows the extension. The file is written to a
temporary name and renamed when complete, so a failed export never leaves a partial file.`,
		// sql-lint: user text (an example of what to type)
		Example: `  acrm export --db ws.duckdb customers -o customers.parquet
  acrm export --db ws.duckdb --query "SELECT * FROM acrm_scores" -o scores.csv`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("export: -o FILE is required")
			}
			if (len(args) == 1) == (query != "") {
				return fmt.Errorf("export: give either a TABLE or --query")
			}
			ws, err := openWorkspace(cmd.Context())
			if err != nil {
				return err
			}
			defer ws.Close()
			var n int64
			if query != "" {
				n, err = ws.ExportQuery(cmd.Context(), query, out)
			} else {
				n, err = ws.Export(cmd.Context(), args[0], out)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s to %s\n", count(n, "row"), out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "output file (.csv, .parquet or .json)")
	cmd.Flags().StringVar(&query, "query", "", "export the result of this query instead of a table")
	return cmd
}

// count is n with thousands separators and the noun, singular for 1: "1 row", "3,333 rows".
func count(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return thousands(n) + " " + noun + "s"
}

// thousands formats an integer with thousands separators: 1234567 → "1,234,567".
func thousands(n int64) string { return units.Int(n) }

func init() {
	rootCmd.AddCommand(newImportCmd(), newExportCmd())
}
