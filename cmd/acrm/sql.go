package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/analysis/segment"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

func newSQLCmd() *cobra.Command {
	var format string
	var maxRows int
	cmd := &cobra.Command{
		Use:   `sql "QUERY"`,
		Short: "Run a SQL query on the workspace (DuckDB dialect)",
		// sql-lint: user text (an example of what to type)
		Example: `  acrm sql --db ws.duckdb "SELECT sector, count(*) FROM customers GROUP BY ALL ORDER BY 2 DESC"
  acrm sql --db ws.duckdb --format csv "SELECT * FROM products" > products.csv`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "table", "csv", "json":
			default:
				return fmt.Errorf("--format %q: expected table, csv or json", format)
			}
			ws, err := openWorkspace(cmd.Context())
			if err != nil {
				return err
			}
			defer ws.Close()
			if strings.Contains(strings.ToLower(args[0]), segment.View) {
				// customer_view is made on demand; make it for SQL users too.
				if ok, _ := ws.HasTable(cmd.Context(), "customers"); ok {
					if err := segment.EnsureCustomerView(cmd.Context(), ws); err != nil {
						return err
					}
				}
			}
			res, err := ws.Query(cmd.Context(), args[0], maxRows)
			if err != nil {
				return fmt.Errorf("sql: %w", err)
			}
			out := cmd.OutOrStdout()
			switch format {
			case "csv":
				err = writeCSV(out, res)
			case "json":
				err = writeJSON(out, res)
			default:
				writeTable(out, res)
			}
			if err != nil {
				return err
			}
			if res.Truncated {
				fmt.Fprintf(cmd.ErrOrStderr(), "(output capped at %s rows; raise --max-rows or use acrm export --query)\n", thousands(int64(maxRows)))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	cmd.Flags().IntVar(&maxRows, "max-rows", 10000, "cap on the rows printed")
	return cmd
}

func writeCSV(w io.Writer, res *workspace.Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(res.Columns); err != nil {
		return err
	}
	for _, r := range res.Rows {
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeJSON(w io.Writer, res *workspace.Result) error {
	out := make([]map[string]any, 0, len(res.Rows))
	for _, r := range res.Rows {
		m := make(map[string]any, len(r))
		for i, v := range r {
			if v == "NULL" {
				m[res.Columns[i]] = nil
				continue
			}
			if isNumericType(res.Types[i]) && jsonNumber.MatchString(v) {
				m[res.Columns[i]] = json.Number(v)
				continue
			}
			// JSON has no NaN or infinity: such a value is written as a string ("NaN",
			// "+Inf", "-Inf") instead of failing the whole output.
			m[res.Columns[i]] = v
		}
		out = append(out, m)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// jsonNumber is the JSON number grammar (RFC 8259).
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

func isNumericType(t string) bool {
	t = strings.ToUpper(t)
	for _, p := range []string{"INT", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "DOUBLE", "FLOAT", "DECIMAL", "REAL"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// writeTable prints an aligned text table; numbers right-aligned, long cells cut.
func writeTable(w io.Writer, res *workspace.Result) {
	const maxWidth = 40
	widths := make([]int, len(res.Columns))
	for i, c := range res.Columns {
		widths[i] = utf8.RuneCountInString(c)
	}
	for _, r := range res.Rows {
		for i, v := range r {
			if n := min(utf8.RuneCountInString(v), maxWidth); n > widths[i] {
				widths[i] = n
			}
		}
	}
	cell := func(v string, i int) string {
		if utf8.RuneCountInString(v) > maxWidth {
			v = string([]rune(v)[:maxWidth-1]) + "…"
		}
		pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(v))
		if isNumericType(res.Types[i]) {
			return pad + v
		}
		return v + pad
	}
	line := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		line[i] = cell(c, i)
	}
	fmt.Fprintln(w, strings.TrimRight(strings.Join(line, "  "), " "))
	for i := range res.Columns {
		line[i] = strings.Repeat("─", widths[i])
	}
	fmt.Fprintln(w, strings.Join(line, "  "))
	for _, r := range res.Rows {
		for i, v := range r {
			line[i] = cell(v, i)
		}
		fmt.Fprintln(w, strings.TrimRight(strings.Join(line, "  "), " "))
	}
	fmt.Fprintf(w, "(%s, %s)\n", count(int64(len(res.Rows)), "row"), res.Elapsed.Round(1e5))
}

func init() {
	rootCmd.AddCommand(newSQLCmd())
}
