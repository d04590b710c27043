package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/analysis/profiles"
)

func init() { rootCmd.AddCommand(newModelsCmd()) }

func newModelsCmd() *cobra.Command {
	var format, del string
	cmd := &cobra.Command{
		Use:   "models",
		Short: "List the model registry (acrm_models)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "csv" {
				return fmt.Errorf("models: --format %q: want table or csv", format)
			}
			ctx := cmd.Context()
			ws, err := openWorkspace(ctx)
			if err != nil {
				return err
			}
			defer ws.Close()
			if del != "" {
				n, err := profiles.Delete(ctx, ws, del)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "deleted %d model(s) matching %s and their scores\n", n, del)
				return nil
			}
			list, err := profiles.List(ctx, ws)
			if err != nil {
				return err
			}
			if format == "csv" {
				return writeModelsCSV(cmd.OutOrStdout(), list)
			}
			writeModelsTable(cmd.OutOrStdout(), list)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table|csv")
	cmd.Flags().StringVar(&del, "delete", "", "delete a model version (name@vN) or every version of a name, with its scores")
	cmd.AddCommand(newModelsExportSQLCmd(), newModelsPromoteCmd(), newModelsServingCmd())
	return cmd
}

// modelColumns of acrm models --format csv: auc is the mean CV AUC (auc_sd its spread over
// the folds), lift10 and cal_err are out-of-fold, selected_by the metric ★ was chosen on.
var modelColumns = []string{"model_id", "product_id", "target", "source", "algo", "version", "features", "auc", "oracle_auc", "lift10", "cal_err", "brier", "calibration", "train_ms", "best", "fingerprint", "created_at",
	"auc_sd", "folds", "selected_by", "positives", "params"}

func modelRecord(e profiles.Entry) []string {
	f := func(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }
	prod, oracle, best := "", "", ""
	if e.ProductID > 0 {
		prod = strconv.Itoa(e.ProductID)
	}
	if e.Metrics.OracleAUC != nil {
		oracle = f(*e.Metrics.OracleAUC, 4)
	}
	if e.IsBest {
		best = "true"
	}
	return []string{e.ModelID, prod, e.Target, e.Source, e.Algo, strconv.Itoa(e.Version), strconv.Itoa(e.Features),
		f(e.Metrics.AUC, 4), oracle, f(e.Metrics.Lift, 2), f(e.Metrics.CalErr, 4), f(e.Metrics.Brier, 4), e.Metrics.Calibration,
		f(e.Metrics.TrainMS, 0), best, e.Fingerprint, e.CreatedAt.UTC().Format("2006-01-02 15:04:05"),
		f(e.Metrics.AUCSD, 4), strconv.Itoa(e.Metrics.Folds), e.Metrics.SelectedBy, strconv.Itoa(e.Metrics.Positives), e.Metrics.Params}
}

func writeModelsCSV(w io.Writer, list []profiles.Entry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(modelColumns); err != nil {
		return err
	}
	for _, e := range list {
		r := modelRecord(e)
		if e.Problem != "" {
			// Unreadable metrics are blank, not zeros that read as measured.
			for i := 7; i < len(r); i++ {
				if i != 14 && i != 15 && i != 16 {
					r[i] = ""
				}
			}
		}
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeModelsTable(w io.Writer, list []profiles.Entry) {
	if len(list) == 0 {
		fmt.Fprintln(w, "no models yet: acrm train --all, --product ID or --table T")
		return
	}
	head := fmt.Sprintf("%-20s %4s %-12s %-5s %5s %-16s %7s %7s %7s %9s %-8s %9s %-4s %s", "model_id", "prod", "target", "algo", "feat", "CV AUC ± sd", "oracle", "lift@10", "cal.err", "positives", "calib", "train", "best", "created")
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, strings.Repeat("─", len([]rune(head))))
	for _, e := range list {
		r := modelRecord(e)
		target := e.Target
		if len(target) > 12 {
			target = target[:11] + "…"
		}
		oracle := r[8]
		if oracle == "" {
			oracle = "–"
		}
		star := ""
		if e.IsBest {
			star = "★"
		}
		auc := profiles.FormatCV(e.Metrics.AUC, e.Metrics.AUCSD)
		if e.Metrics.Folds == 0 {
			auc = r[7] + " (holdout)" // registered before cross-validation
		}
		uplift := e.Target == profiles.Uplift
		if uplift { // chosen on the CV Qini coefficient; no AUC, lift or calibration
			auc = "Qini " + profiles.FormatCV(e.Metrics.Qini, e.Metrics.QiniSD)
			r[9], r[10] = "–", "–"
		}
		if e.Problem != "" {
			fmt.Fprintf(w, "%-20s %4s %-12s %-5s %5d metrics unreadable: see below\n", e.ModelID, r[1], target, e.Algo, e.Features)
			continue
		}
		line := fmt.Sprintf("%-20s %4s %-12s %-5s %5d %-16s %7s %7s %7s %9d %-8s %9s %-4s %s", e.ModelID, r[1], target, e.Algo, e.Features,
			auc, oracle, r[9], r[10], e.Metrics.Positives, e.Metrics.Calibration, fmtDuration(msDuration(e.Metrics.TrainMS)), star, r[16])
		if note := profiles.PositivesNote(e.Metrics.Positives); note != "" {
			line += "  " + note
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w, "AUC: mean over stratified CV folds ± its spread (the metric ★ is chosen on); lift@10 and cal.err from out-of-fold predictions")
	for _, e := range list {
		if e.Target == profiles.Uplift {
			fmt.Fprintln(w, "uplift profiles: Qini coefficient over CV folds instead of AUC (their score is the estimated uplift, acrm monitor --qini compares them on a campaign)")
			break
		}
	}
	for _, e := range list {
		if e.Problem != "" {
			fmt.Fprintf(w, "model %s: %s\n", e.ModelID, e.Problem)
		}
	}
}

func msDuration(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

func newModelsPromoteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "promote NAME@vN",
		Short: "Make a model version the one its name serves (champion/challenger: after acrm monitor --challenger)",
		Long: `Make NAME@vN the version NAME serves (is_best in acrm_models): the next acrm score --all and
every reference by name use it. Every version stays in the registry; promoting an older one back
is the same command. acrm monitor --campaign ID --challenger NAME@vN compares a challenger with
the campaign's serving model first.`,
		Example: `  acrm monitor --db acrm.duckdb --campaign 59 --challenger P16-lookalike@v2
  acrm models promote --db acrm.duckdb P16-lookalike@v2
  acrm score --db acrm.duckdb --all`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ws, err := openWorkspace(cmd.Context())
			if err != nil {
				return err
			}
			defer ws.Close()
			prev, err := profiles.Promote(cmd.Context(), ws, args[0])
			if err != nil {
				return err
			}
			switch prev {
			case args[0]:
				fmt.Fprintf(cmd.OutOrStdout(), "%s already serves\n", args[0])
			case "":
				fmt.Fprintf(cmd.OutOrStdout(), "%s serves now\n", args[0])
			default:
				fmt.Fprintf(cmd.OutOrStdout(), "%s serves now (was %s); acrm score --all scores with it\n", args[0], prev)
			}
			return nil
		},
	}
}

func newModelsServingCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "serving [NAME]",
		Short: "List who served when: the registry's serving log (every name, or one)",
		Long: `List the serving log (acrm_model_serving): for each model name, which version served from
when until when, and what made it serve (train: the newest version of a run; promote: acrm
models promote or the Monitor screen's p). A version registered with acrm train --challenger
appears only once promoted.`,
		Example: `  acrm models serving --db acrm.duckdb P16-lookalike`,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ws, err := openWorkspace(cmd.Context())
			if err != nil {
				return err
			}
			defer ws.Close()
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			log, err := profiles.ServingLog(cmd.Context(), ws, name)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if len(log) == 0 {
				fmt.Fprintln(w, "no serving recorded yet (acrm train registers the first version)")
				return nil
			}
			fmt.Fprintf(w, "%-20s %-22s %-19s %-19s %s\n", "name", "model id", "since", "until", "via")
			for _, s := range log {
				until := "serving"
				if !s.Until.IsZero() {
					until = s.Until.UTC().Format("2006-01-02 15:04:05")
				}
				fmt.Fprintf(w, "%-20s %-22s %-19s %-19s %s\n", s.Name, s.ModelID, s.Since.UTC().Format("2006-01-02 15:04:05"), until, s.Via)
			}
			return nil
		},
	}
}
