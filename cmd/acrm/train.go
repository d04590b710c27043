package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/analysis/profiles"
)

func init() { rootCmd.AddCommand(newTrainCmd()) }

type trainFlags struct {
	table, id, target, name, algo string
	since                         string
	exclude                       []string
	product                       int
	all, challenger               bool
	seed                          uint64
	folds, parallel               int
	products                      []int
	sampleRows                    int
}

func newTrainCmd() *cobra.Command {
	var fl trainFlags
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train propensity profiles: per product (--product, --all) or on any table (--table)",
		Long: `Train propensity models and register them in the workspace (acrm_models).

  acrm train --product 7 [--target lookalike|response]   one product on the customer view
  acrm train --product 7 --target uplift                 the effect of offering it (below)
  acrm train --all [--target lookalike|response]         every product, in parallel
  acrm train --table T [--id COL] --target "SQL boolean" --name NAME [--exclude COL,...]
  acrm train --table 'data/*.parquet' --id COL --target … --name NAME    Parquet/CSV files in place

Data of any size: a source with more labelled rows than --sample-rows (default 1,000,000)
is trained on a stratified sample drawn inside DuckDB — positives kept up to half the
sample, negatives filling the rest, each row drawn by a hash of its id and --seed — so
only the sample is held in memory. The sample and each class's weight (its rows in the
source per row in the sample) are reported and recorded with the model, and the model's
calibration is corrected for the sampling (its log-odds moved by log(w₊/w₋)), so its
probabilities are the source's. With --all, each product draws its own sample, one
product at a time. --sample-rows 0 trains on every row.

--algo auto (default) compares logit, tree, gbdt and a blend of the calibrated logit and
gbdt by stratified k-fold cross-validation (--folds, default 5; fewer when a class is
tiny; the first fold chooses the logit's L2 and, by early stopping, the gbdt's rounds,
which the other folds and the refit reuse), keeps the one with the best mean CV
AUC, refits it on every labelled row and calibrates it on its out-of-fold predictions.
The leaderboard shows each candidate's CV AUC ± its spread over the folds, out-of-fold
lift and calibration, and the positives behind them; ctrl+c cancels and registers
nothing unfinished.

--target uplift trains an uplift profile (P<id>-uplift): on the contacted and the control
members of the product's answered campaigns (features as of each campaign's start, a
conversion within the campaign and 30 days after it), it compares the two-model method (one
classifier on the contacted, one on the control members; uplift = the difference) and class
transformation (one classifier of "contacted and converted, or control and not converted",
both cells weighted equally; uplift = 2·P − 1), each with a logit and a gbdt, by their mean
Qini coefficient over the CV folds, and refits the best. Its score is the estimated uplift in
percentage points (−1 … 1); rank_by = "incremental_value" in the rules lets the total model
rank by it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runTrain(cmd, fl) },
	}
	f := cmd.Flags()
	f.StringVar(&fl.table, "table", "", "table or view to train on (generic path)")
	f.StringVar(&fl.id, "id", "", "unique id column of --table (default: rows numbered 1, 2, … in table order; acrm score writes that number)")
	f.StringVar(&fl.target, "target", "", "SQL boolean expression (with --table), or lookalike|response|uplift (with --product/--all; default lookalike; uplift: --product only)")
	f.StringVar(&fl.name, "name", "", "registry name of the model (with --table; product models are named P<id>-<target>)")
	f.StringVar(&fl.algo, "algo", "auto", "auto|logit|tree|gbdt|blend")
	f.StringSliceVar(&fl.exclude, "exclude", nil, "columns of --table that are not features")
	f.IntVar(&fl.product, "product", 0, "product_id to train on the customer view")
	f.BoolVar(&fl.all, "all", false, "train every product")
	f.IntSliceVar(&fl.products, "products", nil, "with --all: only these product ids")
	f.Uint64Var(&fl.seed, "seed", 1, "seed of the split, the encoder folds and the algorithms")
	f.IntVar(&fl.folds, "folds", profiles.DefaultFolds, "stratified cross-validation folds the models are compared and reported on (2–20)")
	f.IntVar(&fl.parallel, "parallel", 0, "with --all: products trained at once (0 = GOMAXPROCS, 1 when sampling)")
	f.IntVar(&fl.sampleRows, "sample-rows", profiles.DefaultSampleRows, "train on a stratified sample of this many rows when the source has more (0 = every row)")
	f.StringVar(&fl.since, "since", "", "with --target response: only the outbound offers made on or after this date (YYYY-MM-DD): retrain on the newest outcomes")
	f.BoolVar(&fl.challenger, "challenger", false, "register the new version as a challenger: the serving version keeps serving until acrm models promote (compare first with acrm monitor --campaign ID --challenger NAME@vN)")
	return cmd
}

func runTrain(cmd *cobra.Command, fl trainFlags) error {
	modes := 0
	for _, b := range []bool{fl.all, fl.product > 0, fl.table != ""} {
		if b {
			modes++
		}
	}
	if modes != 1 {
		return errors.New("train: give exactly one of --all, --product ID or --table T")
	}
	if fl.since != "" && fl.product == 0 {
		return errors.New("train: --since goes with --product ID --target response")
	}
	ctx := cmd.Context()
	sampleRows := fl.sampleRows
	if sampleRows == 0 {
		sampleRows = -1 // every row
	}
	files := ""
	if fl.table != "" {
		if _, ok, err := profiles.FileSource(fl.table); ok {
			if err != nil {
				return fmt.Errorf("train: --table %s: %v", fl.table, strings.TrimPrefix(err.Error(), "profiles: "))
			}
			files = fl.table
		}
	}
	ws, err := openWorkspace(ctx)
	if err != nil {
		return err
	}
	defer ws.Close()
	stderr := cmd.ErrOrStderr()
	bar := newProgressBar(stderr)
	start := time.Now()
	var results []*profiles.Result
	switch {
	case fl.table != "":
		if fl.target == "" || fl.name == "" {
			return errors.New("train: --table needs --target \"SQL boolean expression\" and --name (--id is optional)")
		}
		if ok, err := ws.HasTable(ctx, fl.table); err != nil {
			return err
		} else if !ok && files == "" {
			return fmt.Errorf("--table %s: no table or view of that name in %s (acrm sql --db %s \"SHOW TABLES\" lists them)", fl.table, ws.Path(), ws.Path())
		}
		spec := profiles.Spec{Name: fl.name, Source: fl.table, ID: fl.id, Target: fl.target,
			Exclude: fl.exclude, Algo: fl.algo, Seed: fl.seed, Folds: fl.folds, SampleRows: sampleRows, Challenger: fl.challenger}
		if files != "" {
			spec.Source, spec.Files = "", files
		}
		res, err := profiles.TrainTable(ctx, ws, spec, bar.report)
		bar.done()
		if err != nil {
			return trainError(err)
		}
		results = append(results, res)
	case fl.product > 0:
		kind, err := productKind(fl.target)
		if err != nil {
			return err
		}
		if kind == profiles.Uplift {
			res, err := profiles.TrainUplift(ctx, ws, profiles.Spec{ProductID: fl.product, Seed: fl.seed, Folds: fl.folds, Name: fl.name, Challenger: fl.challenger}, bar.report)
			bar.done()
			if err != nil {
				return trainError(err)
			}
			for _, w := range res.Warnings {
				fmt.Fprintf(stderr, "warning: %s: %s\n", res.Spec.Name, w)
			}
			writeUpliftLeaderboard(cmd.OutOrStdout(), res)
			fmt.Fprintf(cmd.OutOrStdout(), "1 model registered in %s in %s\n", ws.Path(), time.Since(start).Round(100*time.Millisecond))
			return nil
		}
		var since time.Time
		if fl.since != "" {
			if since, err = time.Parse(time.DateOnly, fl.since); err != nil {
				return fmt.Errorf("train: --since %q: want a date YYYY-MM-DD", fl.since)
			}
		}
		res, err := profiles.TrainOneProduct(ctx, ws, profiles.Spec{ProductID: fl.product, Kind: kind, Algo: fl.algo, Seed: fl.seed, Folds: fl.folds, Name: fl.name,
			Challenger: fl.challenger, Since: since, SampleRows: sampleRows}, bar.report)
		bar.done()
		if err != nil {
			return trainError(err)
		}
		results = append(results, res)
	default:
		kind, err := productKind(fl.target)
		if err != nil {
			return err
		}
		if kind == profiles.Uplift {
			return errors.New("train: --target uplift trains one product at a time: give --product ID")
		}
		if fl.challenger {
			return errors.New("train: --challenger registers one model at a time: give --product ID or --table T")
		}
		var failed error
		results, failed = profiles.TrainAll(ctx, ws, profiles.AllSpec{Kind: kind, Algo: fl.algo, Seed: fl.seed, Products: fl.products, Parallel: fl.parallel, Folds: fl.folds, SampleRows: sampleRows}, bar.report)
		bar.done()
		if errors.Is(failed, context.Canceled) || ctx.Err() != nil {
			return context.Canceled
		}
		if failed != nil {
			fmt.Fprintln(stderr, "some products did not train:")
			for _, line := range strings.Split(failed.Error(), "\n") {
				fmt.Fprintln(stderr, "  "+line)
			}
		}
		if len(results) == 0 {
			return errors.New("train: no product trained")
		}
	}
	for _, r := range results {
		if r.Sample != nil {
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", r.Spec.Name, r.Sample)
		}
		for _, w := range r.Warnings {
			fmt.Fprintf(stderr, "warning: %s: %s\n", r.Spec.Name, w)
		}
	}
	writeLeaderboard(cmd.OutOrStdout(), results)
	fmt.Fprintf(cmd.OutOrStdout(), "%d model(s) registered in %s in %s\n", countModels(results), ws.Path(), time.Since(start).Round(100*time.Millisecond))
	return nil
}

func productKind(target string) (string, error) {
	switch target {
	case "", profiles.Lookalike:
		return profiles.Lookalike, nil
	case profiles.Response:
		return profiles.Response, nil
	case profiles.Uplift:
		return profiles.Uplift, nil
	}
	return "", fmt.Errorf("train: --target %q with --product/--all: want lookalike, response or uplift (SQL expressions go with --table)", target)
}

func countModels(rs []*profiles.Result) int {
	n := 0
	for _, r := range rs {
		n += r.Registered()
	}
	return n
}

// writeLeaderboard prints one line per candidate of each run: name and model id (the kept
// candidate is the one registered), algorithm, the mean CV AUC with its fold spread, the
// oracle AUC and our share of it when the sample truth is known, out-of-fold top-decile lift
// and calibration error, the positives behind the numbers, what CV chose, time, and ★ on
// the kept model (highest mean CV AUC).
func writeLeaderboard(w io.Writer, rs []*profiles.Result) {
	oracle := false
	for _, r := range rs {
		if !math.IsNaN(r.Oracle) {
			oracle = true
		}
	}
	head := fmt.Sprintf("%-16s %-18s %-5s %-16s", "name", "model id", "algo", "CV AUC ± sd")
	if oracle {
		head += fmt.Sprintf(" %7s %6s", "oracle", "ratio")
	}
	head += fmt.Sprintf(" %7s %7s %9s %-16s %9s  %s", "lift@10", "cal.err", "positives", "chosen by CV", "time", "best")
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, strings.Repeat("─", len([]rune(head))))
	for _, r := range rs {
		for k, m := range r.Models {
			label, id := "", "–"
			if k == 0 {
				label = r.Spec.Name
			}
			if m.ModelID != "" {
				id = m.ModelID
			}
			line := fmt.Sprintf("%-16s %-18s %-5s %-16s", label, id, m.Algo, profiles.FormatCV(m.CVMean(), m.CVSD()))
			if oracle {
				if math.IsNaN(r.Oracle) {
					line += fmt.Sprintf(" %7s %6s", "–", "–")
				} else {
					line += fmt.Sprintf(" %7.4f %6.3f", r.Oracle, m.CVMean()/r.Oracle)
				}
			}
			star := ""
			if m.IsBest {
				star = "★"
			}
			params := m.Params
			if params == "" {
				params = "–"
			}
			line += fmt.Sprintf(" %7.2f %7.4f %9d %-16s %9s  %s", m.OOF.TopDecileLift, m.OOF.CalError, r.Positives, params, fmtDuration(max(m.TrainTime, m.CVTime)), star)
			if note := profiles.PositivesNote(r.Positives); note != "" && m.IsBest {
				line += "  " + note
			}
			fmt.Fprintln(w, line)
		}
	}
	folds := 0
	for _, r := range rs {
		folds = max(folds, r.Folds)
	}
	fmt.Fprintf(w, "★ kept: highest mean AUC over %d stratified CV folds (%s), refitted on every labelled row; lift and calibration out-of-fold\n", folds, profiles.SelectedBy)
}

// writeUpliftLeaderboard prints an uplift run: each method and base learner with its mean
// Qini coefficient over the CV folds ± their spread, ★ on the one kept.
func writeUpliftLeaderboard(w io.Writer, r *profiles.Result) {
	head := fmt.Sprintf("%-16s %-18s %-26s %-18s %9s %9s  %s", "name", "model id", "method", "CV Qini ± sd", "rows", "converted", "best")
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, strings.Repeat("─", len([]rune(head))))
	for k, m := range r.Models {
		label, id, star := "", "–", ""
		if k == 0 {
			label = r.Spec.Name
		}
		if m.ModelID != "" {
			id = m.ModelID
		}
		if m.IsBest {
			star = "★"
		}
		fmt.Fprintf(w, "%-16s %-18s %-26s %-18s %9d %9d  %s\n", label, id, m.Params, fmt.Sprintf("%.4f ± %.4f", m.CVMean(), m.CVSD()), r.Rows, r.Positives, star)
	}
	fmt.Fprintf(w, "★ kept: highest mean Qini coefficient over %d CV folds (%s), refitted on every row; its score is the estimated uplift\n", r.Folds, profiles.SelectedByQini)
}

func fmtDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// progressBar is the terminal progress line of training and scoring: finished products
// (stage "P<id> …") are counted, a fit's own progress is the bar's percentage. Logs (stderr
// not a terminal) get one line per finished product of --all and nothing else.
type progressBar struct {
	*termProgress
	report func(profiles.Progress)
}

func newProgressBar(w io.Writer) progressBar {
	t := newTermProgress(w)
	t.count = func(done, total int64, stage string) string {
		if strings.HasPrefix(stage, "P") {
			return fmt.Sprintf("%d/%d", done, total)
		}
		return ""
	}
	var lastDone int64
	t.logLine = func(done, total int64, stage string) (string, bool) {
		if total <= 0 || done <= lastDone || !strings.HasPrefix(stage, "P") {
			return "", false
		}
		lastDone = done
		return fmt.Sprintf("%d/%d %s (%s)", done, total, stage, t.elapsed()), true
	}
	return progressBar{t, t.update}
}

func init() { rootCmd.AddCommand(newPeersCmd()) }

// newPeersCmd is the hidden helper of bench/peers/run.sh: it exports the encoded look-alike
// matrices of each product and fits our logit and gbdt on the same split.
func newPeersCmd() *cobra.Command {
	var dir string
	var products []int
	var seed uint64
	var workers int
	var skip, raw bool
	cmd := &cobra.Command{
		Use:    "peers-export",
		Short:  "Export encoded look-alike matrices for the peer benchmark and time our models on them",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return errors.New("peers-export: --dir is required")
			}
			ctx := cmd.Context()
			ws, err := openWorkspace(ctx)
			if err != nil {
				return err
			}
			defer ws.Close()
			bar := newProgressBar(cmd.ErrOrStderr())
			if raw {
				err := profiles.ExportPeersRaw(ctx, ws, dir, products, seed, bar.report)
				bar.done()
				return err
			}
			runs, err := profiles.ExportPeers(ctx, ws, dir, products, seed, workers, skip, bar.report)
			bar.done()
			if err != nil {
				return err
			}
			for _, r := range runs {
				fmt.Fprintf(cmd.OutOrStdout(), "P%02d rows %d+%d+%d cols %d  logit AUC %.4f %.2fs  gbdt AUC %.4f %.2fs\n",
					r.Product, r.NTrain, r.NVal, r.NTest, r.Cols, r.LogitAUC, r.LogitSec, r.GBDTAUC, r.GBDTSec)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "output directory")
	cmd.Flags().IntSliceVar(&products, "products", nil, "product ids (default all)")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "split seed")
	cmd.Flags().IntVar(&workers, "workers", 2, "goroutines per fit")
	cmd.Flags().BoolVar(&skip, "skip-ours", false, "only export")
	cmd.Flags().BoolVar(&raw, "raw", false, "write each product's raw look-alike table as train.csv and test.csv (80/20) instead")
	return cmd
}

// trainError says a training error in the command's words: "train: target … is constant"
// rather than the package's "profiles: …" (the cause stays reachable for errors.Is/As).
func trainError(err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	return &userError{msg: "train: " + strings.TrimPrefix(err.Error(), "profiles: "), err: err}
}

// userError is an error shown with other words than its cause's.
type userError struct {
	msg string
	err error
}

func (e *userError) Error() string { return e.msg }
func (e *userError) Unwrap() error { return e.err }
