// Command acrm is a terminal workbench for analytical CRM: one DuckDB workspace file, propensity
// profiles per product, next-best-offer scoring, campaign simulation and deck charts.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// dbPath is the global --db flag.
var dbPath string

var rootCmd = &cobra.Command{
	Use:   "acrm",
	Short: "acrm — a terminal workbench for analytical CRM",
	Long: `acrm loads CRM exports into one DuckDB workspace, profiles customers per product,
merges the profiles into next-best offers, simulates campaigns and exports deck charts.

Run without a subcommand to open the workbench (TUI) on --db.`,
	SilenceUsage:  true,
	SilenceErrors: true,
	RunE:          runTUI,
}

func init() {
	rootCmd.PersistentFlags().StringVar(&dbPath, "db", "acrm.duckdb", "workspace file (DuckDB); :memory: for a throw-away one")
}

// openWorkspace opens --db for a subcommand.
func openWorkspace(ctx context.Context) (*workspace.Workspace, error) {
	return workspace.Open(ctx, dbPath)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	if err := rootCmd.ExecuteContext(ctx); err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(os.Stderr, "acrm: cancelled")
			os.Exit(130)
		}
		fmt.Fprintln(os.Stderr, "acrm:", err)
		os.Exit(1)
	}
}
