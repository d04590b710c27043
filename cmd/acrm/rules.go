package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/analysis/nbo"
)

func init() { rootCmd.AddCommand(newRulesCmd()) }

func newRulesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "Business rules between scores and offers: export, check and import the rules file (TOML)",
		Long: `The business rules decide which scored offers may be made: objective priority tiers
(retention before cross-sell before upsell), opt-outs (from the optouts table; never
overridable), a cap per customer per period and per channel (default 3 per 6 months),
cool-down after a refusal, eligibility as one SQL expression over customer_view, minimum
propensity, offers per contact, channel capacity per week, and per-product economics.

  acrm rules export -o rules.toml    the rules in force (defaults until one is imported)
  acrm rules check rules.toml        parse and check against the workspace; changes nothing
  acrm rules import rules.toml       check, then keep it as the next version

A refused file names the line, the field and the reason; the rules in force stay.`,
	}
	cmd.AddCommand(newRulesExportCmd(), newRulesCheckCmd(), newRulesImportCmd())
	return cmd
}

func newRulesExportCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export -o FILE.toml",
		Short: "Write the rules in force to a TOML file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("rules export: -o FILE.toml is required")
			}
			ctx := cmd.Context()
			ws, err := openWorkspace(ctx)
			if err != nil {
				return err
			}
			defer ws.Close()
			r, v, err := nbo.LoadRules(ctx, ws)
			if err != nil {
				return err
			}
			b, err := r.Marshal()
			if err != nil {
				return err
			}
			if err := writeFileAtomic(out, b); err != nil {
				return fmt.Errorf("rules export: %w", err)
			}
			what := fmt.Sprintf("version %d", v)
			if v == 0 {
				what = "the defaults (none imported yet)"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "rules %s written to %s\n", what, out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "TOML file to write")
	return cmd
}

func newRulesCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check FILE.toml",
		Short: "Check a rules file against the workspace without installing it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("rules check: %w", err)
			}
			ctx := cmd.Context()
			ws, err := openWorkspace(ctx)
			if err != nil {
				return err
			}
			defer ws.Close()
			r, err := nbo.CheckRules(ctx, ws, src, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: valid — %d tier(s), cap %d per %d months, cool-down %d days, min propensity %g, %d offer(s) per contact\n",
				args[0], len(r.Tiers), r.CapPerPeriod, r.PeriodMonths, r.CoolDownDays, r.MinPropensity, r.MaxOffersPerContact)
			return nil
		},
	}
}

func newRulesImportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE.toml",
		Short: "Check a rules file and keep it in the workspace as the rules in force",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("rules import: %w", err)
			}
			ctx := cmd.Context()
			ws, err := openWorkspace(ctx)
			if err != nil {
				return err
			}
			defer ws.Close()
			v, err := nbo.ImportRules(ctx, ws, src, args[0])
			if err != nil {
				return fmt.Errorf("%w (the rules in force stay)", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "rules version %d imported from %s; acrm score --all applies them to the ranked offers\n", v, args[0])
			return nil
		},
	}
}

// writeFileAtomic writes b to a temporary file beside path and renames it into place.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
