package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/analysis/sqlgen"
)

// newModelsExportSQLCmd is acrm models export-sql: a registered model compiled to one
// SELECT id, score in a warehouse's SQL.
func newModelsExportSQLCmd() *cobra.Command {
	var ref, dialect, out string
	cmd := &cobra.Command{
		Use:   "export-sql",
		Short: "Write a model as one SELECT id, score over the feature view, in DuckDB, PostgreSQL or ClickHouse SQL",
		Long: `Compiles a registered model — its encoder (one-hot, standardisation, target rates,
missing values), the classifier (logit as arithmetic, trees and gbdt as nested CASEs) and its
calibration (Platt or isotonic) — to one SELECT id, score. A product model reads the feature
view, emitted in the same dialect from the canonical tables customers, holdings, contacts,
optouts and events; a table model reads its table. The file is written only when complete.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if strings.TrimSpace(ref) == "" {
				return fmt.Errorf("models export-sql: --model is required (a model id like P07-lookalike@v1, or a name; acrm models lists them)")
			}
			if strings.TrimSpace(out) == "" {
				return fmt.Errorf("models export-sql: -o FILE.sql is required")
			}
			if _, err := sqlgen.Lookup(dialect); err != nil {
				return fmt.Errorf("models export-sql: --dialect: %w", err)
			}
			ctx := cmd.Context()
			ws, err := openWorkspace(ctx)
			if err != nil {
				return err
			}
			defer ws.Close()
			m, err := sqlgen.ExportModel(ctx, ws, ref, dialect, out)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: model %s (%s) as %s SQL\n", out, m.ModelID, m.Algo, strings.ToLower(dialect))
			return nil
		},
	}
	cmd.Flags().StringVar(&ref, "model", "", "model id (name@vN) or name")
	cmd.Flags().StringVar(&dialect, "dialect", "duckdb", "duckdb|postgres|clickhouse")
	cmd.Flags().StringVarP(&out, "output", "o", "", "the .sql file to write")
	return cmd
}
