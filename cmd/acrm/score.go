package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/analysis/profiles"
)

func init() { rootCmd.AddCommand(newScoreCmd()) }

func newScoreCmd() *cobra.Command {
	var modelRef, table, out, emitDir, dialect string
	var all bool
	cmd := &cobra.Command{
		Use:   "score",
		Short: "Score a table (to CSV) or the customer base (into acrm_scores) with a registered model",
		Long: `Score with a registered model (a name picks its best model; name@vN a version).

  acrm score --model NAME --table T2 -o FILE.csv   every row of T2 → "id,score", best first
  acrm score --model P07-lookalike                  the customers not holding product 7 → acrm_scores
  acrm score --all                                  the whole base with every product's kept model:
                                                    the total model's ranked offers (see score_all.go)
  acrm score --all --emit-sql DIR --dialect D       the same as a SQL batch job (duckdb, postgres or
                                                    clickhouse) that a warehouse runs: DIR/README.md

T2 needs the model's id column and every column its encoder reads (missing ones are named);
a model trained without --id numbers T2's rows 1, 2, … in table order (CSV column "row");
categories never seen in training are handled. Without --table a product model scores the
customer view and a table model scores its own source table; the scores replace the model's
rows in acrm_scores in one transaction (and go to -o too when given).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if emitDir != "" && !all {
				return errors.New("score: --emit-sql DIR writes the total model's batch job: give it with --all")
			}
			if cmd.Flags().Changed("dialect") && emitDir == "" {
				return errors.New("score: --dialect is the SQL of --emit-sql DIR")
			}
			if all {
				if modelRef != "" || table != "" || out != "" {
					return errors.New("score: --all scores every product with its kept model; it takes no --model, --table or -o")
				}
				if emitDir != "" {
					return runEmitSQL(cmd, emitDir, dialect)
				}
				return runScoreAll(cmd)
			}
			if modelRef == "" {
				return errors.New("score: --model NAME or --all is required (acrm models lists the models)")
			}
			ctx := cmd.Context()
			ws, err := openWorkspace(ctx)
			if err != nil {
				return err
			}
			defer ws.Close()
			bar := newProgressBar(cmd.ErrOrStderr())
			var sc *profiles.Scores
			if table != "" {
				if out == "" {
					return errors.New("score: --table needs -o FILE.csv")
				}
				sc, err = profiles.ScoreTable(ctx, ws, modelRef, table, bar.report)
			} else {
				sc, err = profiles.ScoreBase(ctx, ws, modelRef, bar.report)
			}
			bar.done()
			if err != nil {
				return err
			}
			if table == "" {
				if err := sc.Save(ctx, ws); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %s scored into acrm_scores\n", sc.ModelID, count(int64(len(sc.IDs)), "row"))
			}
			if out != "" {
				if err := sc.WriteCSV(out); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %s written to %s (id,score, highest first)\n", sc.ModelID, count(int64(len(sc.IDs)), "row"), out)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&modelRef, "model", "", "model name (its best version) or name@vN")
	cmd.Flags().StringVar(&table, "table", "", "table to score (default: the customer base)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "CSV file to write id,score to")
	cmd.Flags().StringVar(&emitDir, "emit-sql", "", "with --all: write the total model as a SQL batch job into this new directory")
	cmd.Flags().StringVar(&dialect, "dialect", "duckdb", "SQL of --emit-sql: duckdb|postgres|clickhouse")
	cmd.Flags().BoolVar(&all, "all", false, "score the whole base with the total model (every product's kept model, business rules, ranked offers)")
	return cmd
}
