package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func init() { rootCmd.AddCommand(newVacuumCmd()) }

func newVacuumCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "vacuum",
		Short: "Reclaim the space of dropped and replaced tables; prints the size before and after",
		Long: `DuckDB reuses the space of dropped tables but never shrinks its file. acrm vacuum
checkpoints the workspace, copies it into a fresh file beside it and renames that into place
(a kill at any moment leaves the old file or the new one), then prints both sizes.`,
		Example: `  acrm vacuum --db acrm.duckdb`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ws, err := openWorkspace(cmd.Context())
			if err != nil {
				return err
			}
			defer ws.Close()
			res, err := ws.Compact(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s before, %s after (%s reclaimed)\n", ws.Path(),
				mib(res.Before), mib(res.After), mib(res.Before-res.After))
			return nil
		},
	}
}

func mib(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
