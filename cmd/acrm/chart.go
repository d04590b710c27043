package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/charts"
	"github.com/acrm-dev/acrm/charts/deck"
)

func init() { rootCmd.AddCommand(newChartCmd()) }

// chartFlags are shared by every single-chart subcommand.
type chartFlags struct {
	out, size, title, subtitle string
}

func (f *chartFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.out, "output", "o", "", "output `FILE`: .png, .svg or .pdf (the format follows the extension)")
	cmd.Flags().StringVar(&f.size, "size", "1920x1080", "image size `WxH` in pixels (vector formats keep the same layout)")
	cmd.Flags().StringVar(&f.title, "title", "", "replace the computed title")
	cmd.Flags().StringVar(&f.subtitle, "subtitle", "", "replace the computed subtitle")
}

// check validates the flags before any work is done.
func (f *chartFlags) check() (charts.Size, error) {
	if f.out == "" {
		return charts.Size{}, fmt.Errorf("-o FILE is required (.png, .svg or .pdf)")
	}
	if _, err := charts.FormatFromPath(f.out); err != nil {
		return charts.Size{}, err
	}
	return charts.ParseSize(f.size)
}

// write applies title overrides, writes the chart and prints its takeaway.
func (f *chartFlags) write(cmd *cobra.Command, c charts.Chart, size charts.Size) error {
	c = retitle(c, f.title, f.subtitle)
	if err := charts.WriteFile(f.out, c, charts.WithSize(size)); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%s, %dx%d)\n%s\n", f.out, c.Kind(), size.Width, size.Height, c.Takeaway())
	return nil
}

// retitle replaces the title and subtitle when given. Every chart type is a struct that
// embeds charts.Header, so a copy with its Header changed is the same chart retitled.
func retitle(c charts.Chart, title, subtitle string) charts.Chart {
	if (title == "" && subtitle == "") || reflect.TypeOf(c).Kind() != reflect.Struct {
		return c
	}
	v := reflect.New(reflect.TypeOf(c)).Elem()
	v.Set(reflect.ValueOf(c))
	f := v.FieldByName("Header")
	if !f.IsValid() || f.Type() != reflect.TypeOf(charts.Header{}) {
		return c
	}
	h := c.Heading()
	if title != "" {
		h.Title = title
	}
	if subtitle != "" {
		h.Subtitle = subtitle
	}
	f.Set(reflect.ValueOf(h))
	return v.Interface().(charts.Chart)
}

// withSource opens --db and runs fn with the deck source of the workspace.
func withSource(cmd *cobra.Command, fn func(*deck.Source) error) error {
	return withWorkspace(cmd, func(ctx context.Context, ws *workspace.Workspace) error {
		src, err := deck.Open(ctx, ws)
		if err != nil {
			return err
		}
		return fn(src)
	})
}

func newChartCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "chart KIND ... -o FILE.png|.svg|.pdf",
		Short: "Deck charts (PNG, SVG, PDF) from the workspace, or the whole deck with `chart deck`",
		Long: `chart draws management-deck charts: 16:9 (1920×1080 by default), Okabe–Ito colours, titles and
footnotes with the data date and model version, and never a customer identifier.

  deck         every chart the workspace has data for, plus index.md with a takeaway per chart
  segments     KPIs of the value segments (or --segments a,b) indexed against the base (= 100)
  column       one column's histogram or most frequent values (--table T --column C)
  gains        cumulative gains and lift per decile of a model (and its challenger)
  roc          ROC curve of a model
  calibration  predicted against observed rates per score bin
  pred-decile  predicted against actual per score decile
  pred-time    predicted against actual over time, from a CSV (label,predicted,actual[,lo,hi]);
               --data-date and --model fill the footnote
  profit       profit over selection depth with the optimum and break-even
  roi          mass against model-targeted mailing (the flags of acrm simulate roi)
  frequency    response per offer against offers per year, with its band and optimum
  scenarios    contact-frequency what-ifs on extra revenue; --saved: saved scenarios on profit

The format follows the extension of -o; files are written to a temporary file and renamed.`,
	}
	cmd.AddCommand(newChartDeckCmd(), newChartSegmentsCmd(), newChartColumnCmd(), newChartModelCmd("gains"), newChartModelCmd("roc"),
		newChartModelCmd("calibration"), newChartModelCmd("pred-decile"), newChartModelCmd("profit"),
		newChartROICmd(), newChartFrequencyCmd(), newChartScenariosCmd(), newChartPredTimeCmd())
	return cmd
}

func newChartDeckCmd() *cobra.Command {
	var out, size, format, segs, period string
	var products, boot int
	var seed uint64
	cmd := &cobra.Command{
		Use:   "deck -o DIR",
		Short: "Write every chart the workspace has data for, with index.md",
		Example: `  acrm chart deck --db acrm.duckdb -o deck/
  acrm chart deck --db acrm.duckdb -o deck-pdf/ --format pdf`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("chart deck: -o DIR is required")
			}
			sz, err := charts.ParseSize(size)
			if err != nil {
				return fmt.Errorf("chart deck: %w", err)
			}
			f := charts.Format(strings.ToLower(strings.TrimPrefix(format, ".")))
			if f != charts.PNG && f != charts.SVG && f != charts.PDF {
				return fmt.Errorf("chart deck: --format %q: want png, svg or pdf", format)
			}
			months, err := sim.ParsePeriod(period)
			if err != nil {
				return fmt.Errorf("chart deck: --period: %w", err)
			}
			ws, err := openWorkspace(cmd.Context())
			if err != nil {
				return err
			}
			defer ws.Close()
			o := deck.Options{Size: sz, Format: f, Products: products,
				Frequency: deck.FrequencyOptions{Segments: splitList(segs), PeriodMonths: months, Boot: boot, Seed: seed}}
			o.Report = func(p deck.Progress) {
				fmt.Fprintf(cmd.ErrOrStderr(), "[%d/%d] %s\n", p.Done+1, p.Total+1, p.Stage)
			}
			items, err := deck.Build(cmd.Context(), ws, out, o)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			written := 0
			for _, it := range items {
				if it.File != "" {
					written++
					fmt.Fprintf(w, "  %-26s %s\n", it.File, it.Takeaway)
				} else {
					fmt.Fprintf(w, "  %-26s skipped: %s\n", "("+it.Kind+")", it.Skipped)
				}
			}
			fmt.Fprintf(w, "%d charts and index.md written to %s (%d skipped)\n", written, out, len(items)-written)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "output", "o", "", "output `DIR` (created if missing)")
	f.StringVar(&size, "size", "1920x1080", "image size `WxH` in pixels")
	f.StringVar(&format, "format", "png", "png, svg or pdf")
	f.IntVar(&products, "products", 3, "gains charts for this many products (best models by top-decile lift)")
	f.StringVar(&segs, "segments", "top,middle,low", "segments of the frequency curve (comma-separated; all = every customer)")
	f.StringVar(&period, "period", "6m", "period of the what-ifs: 3m, 6m or 12m")
	f.IntVar(&boot, "boot", sim.DefaultBoot, "bootstrap replicates of the frequency analysis")
	f.Uint64Var(&seed, "seed", sim.DefaultSeed, "bootstrap seed")
	return cmd
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func newChartSegmentsCmd() *cobra.Command {
	var cf chartFlags
	var segs string
	cmd := &cobra.Command{
		Use:   "segments [--segments top,middle,low,SAVED...] -o FILE",
		Short: "Segments' KPIs indexed against the base (default the value segments top 10 %, middle 40 %, low 50 %)",
		Long: `segments draws each segment's KPIs as bars indexed against the whole base (= 100).
Without --segments it shows the value segments top (10 %), middle (40 %) and low (50 %), ranked by
monthly revenue, or by the expected value of the best models' scores once every product is scored
or after acrm segments basis expected_value (the subtitle says which). --segments takes up to 6 names: top, middle, low or segments saved with
acrm segments save.`,
		Example: `  acrm chart segments --db acrm.duckdb -o segments.png
  acrm chart segments --db acrm.duckdb --segments top,retail-large -o segments.pdf`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			size, err := cf.check()
			if err != nil {
				return fmt.Errorf("chart segments: %w", err)
			}
			names := splitList(segs)
			if cmd.Flags().Changed("segments") && len(names) == 0 {
				return fmt.Errorf("chart segments: --segments: no segment named (want e.g. top,middle,low)")
			}
			if len(names) > deck.MaxSegments {
				return fmt.Errorf("chart segments: --segments: %d segments given; the chart has room for %d", len(names), deck.MaxSegments)
			}
			return withSource(cmd, func(src *deck.Source) error {
				c, err := src.SegmentKPIs(cmd.Context(), names...)
				if err != nil {
					return fmt.Errorf("--segments %s: %w", segs, err)
				}
				return cf.write(cmd, c, size)
			})
		},
	}
	cmd.Flags().StringVar(&segs, "segments", "", "segments, comma-separated: top, middle, low or saved segment names (up to 6; default top,middle,low)")
	cf.register(cmd)
	return cmd
}

func newChartColumnCmd() *cobra.Command {
	var cf chartFlags
	var table, column string
	cmd := &cobra.Command{
		Use:   "column --table T --column C -o FILE",
		Short: "Distribution of one column of a table (histogram, or its most frequent values)",
		Long: `column draws a numeric column's histogram (median and mean marked) or any other column's
most frequent values (values of fewer than 5 rows left out), the chart the Data screen exports
with e. Identifier and contact columns (ids, names, e-mail, phone, address, IBAN) are never
charted.`,
		Example: `  acrm chart column --db acrm.duckdb --table customers --column monthly_revenue -o revenue.png`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			size, err := cf.check()
			if err != nil {
				return fmt.Errorf("chart column: %w", err)
			}
			if table == "" || column == "" {
				return fmt.Errorf("chart column: --table and --column are required")
			}
			return withSource(cmd, func(src *deck.Source) error {
				c, err := src.ColumnChart(cmd.Context(), table, column)
				if err != nil {
					return fmt.Errorf("chart column: %w", err)
				}
				return cf.write(cmd, c, size)
			})
		},
	}
	cmd.Flags().StringVar(&table, "table", "", "table or view")
	cmd.Flags().StringVar(&column, "column", "", "column to chart")
	cf.register(cmd)
	return cmd
}

// newChartModelCmd builds the charts drawn from one registered model.
func newChartModelCmd(kind string) *cobra.Command {
	var cf chartFlags
	var refs []string
	short := map[string]string{
		"gains":       "Cumulative gains and lift per decile of a model (and up to two more with --model)",
		"roc":         "ROC curve of a model (and up to three more with --model)",
		"calibration": "Calibration: predicted against observed rates per score bin",
		"pred-decile": "Predicted against actual per score decile (holdout)",
		"profit":      "Profit over selection depth for the model's product, with optimum and break-even",
	}[kind]
	cmd := &cobra.Command{
		Use:   kind + " [--model REF] -o FILE",
		Short: short,
		Long: short + `.
--model takes a model id (P07-lookalike@v3) or a name (its best version); without it the best model
with the highest top-decile lift is used (and, for gains and roc, its strongest challenger).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			size, err := cf.check()
			if err != nil {
				return fmt.Errorf("chart %s: %w", kind, err)
			}
			ctx := cmd.Context()
			return withSource(cmd, func(src *deck.Source) error {
				models, err := src.Models(ctx)
				if err != nil {
					return fmt.Errorf("chart %s: %w", kind, err)
				}
				var ms []deck.Model
				for _, r := range refs {
					m, err := deck.Resolve(models, r)
					if err != nil {
						return fmt.Errorf("chart %s: %w", kind, err)
					}
					ms = append(ms, m)
				}
				if len(ms) == 0 {
					heads := deck.Headline(models)
					if len(heads) == 0 {
						return fmt.Errorf("chart %s: no trained model in acrm_models (run acrm train --all)", kind)
					}
					ms = append(ms, heads[0])
					if ch, ok := deck.Challenger(models, heads[0]); ok && (kind == "gains" || kind == "roc") {
						ms = append(ms, ch)
					}
				}
				var c charts.Chart
				switch kind {
				case "gains":
					c, err = src.Gains(ms[0], ms[1:]...)
				case "roc":
					c, err = src.ROC(ms[0], ms[1:]...)
				case "calibration":
					c, err = src.Calibration(ms[0])
				case "pred-decile":
					c, err = src.PredictedDeciles(ms[0])
				case "profit":
					c, _, err = src.Profit(ctx, ms[0])
				}
				if err != nil {
					return fmt.Errorf("chart %s: %w", kind, err)
				}
				return cf.write(cmd, c, size)
			})
		},
	}
	cmd.Flags().StringSliceVar(&refs, "model", nil, "model id or name (repeat or comma-separate to compare)")
	cf.register(cmd)
	return cmd
}

func newChartROICmd() *cobra.Command {
	var cf chartFlags
	var ob outboundFlags
	var massName, tgName string
	cmd := &cobra.Command{
		Use:   "roi --volume N --conversion P --profit M [--targeted-volume N --targeted-conversion P --targeted-profit M] -o FILE",
		Short: "Mass against model-targeted mailing: contracts and profit side by side (the inputs of acrm simulate roi)",
		Example: `  acrm chart roi --volume 150000 --conversion 0.015 --profit 3000 \
      --targeted-volume 100000 --targeted-conversion 0.025 --targeted-profit 3500 -o roi.png`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			size, err := cf.check()
			if err != nil {
				return fmt.Errorf("chart roi: %w", err)
			}
			targeted, err := ob.check(cmd, "chart roi")
			if err != nil {
				return err
			}
			mass, tg := &ob.mass, &ob.tg
			h := charts.Header{Source: "inputs entered on the command line"}
			var c charts.ROIChart
			if !targeted {
				r, err := mass.Calculate()
				if err != nil {
					return fmt.Errorf("chart roi: %w", err)
				}
				h.Title = fmt.Sprintf("%s: %s contracts, %s profit", massName, charts.FormatInt(r.Contracts), charts.FormatMoney("€", r.NetProfit))
				c = charts.ROIChart{Header: h, NetOfCost: r.TotalCost > 0, Scenarios: []charts.ROIScenario{
					{Name: massName, Volume: r.Volume, Conversion: r.Conversion, Contracts: r.Contracts, Profit: r.NetProfit}}}
			} else {
				// Unset targeted inputs default to the mass campaign's, as in acrm simulate roi.
				ob.defaultTargeted(cmd)
				cmp, err := sim.CompareOutbound(*mass, *tg)
				if err != nil {
					return fmt.Errorf("chart roi: %w", err)
				}
				c = deck.ComparisonChart(cmp, h, massName, tgName)
			}
			return cf.write(cmd, c, size)
		},
	}
	ob.register(cmd)
	f := cmd.Flags()
	f.StringVar(&massName, "mass-name", "Mass mailing", "label of the mass campaign")
	f.StringVar(&tgName, "targeted-name", "Model-targeted", "label of the targeted campaign")
	cf.register(cmd)
	return cmd
}

func newChartFrequencyCmd() *cobra.Command {
	var cf chartFlags
	var segs string
	var boot int
	var seed uint64
	cmd := &cobra.Command{
		Use:   "frequency [--segments top,middle,low] -o FILE",
		Short: "Response per offer against offers per customer per year, with its 95 % band and optimum",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			size, err := cf.check()
			if err != nil {
				return fmt.Errorf("chart frequency: %w", err)
			}
			return withSource(cmd, func(src *deck.Source) error {
				c, err := src.Frequency(cmd.Context(), deck.FrequencyOptions{Segments: splitList(segs), Boot: boot, Seed: seed})
				if err != nil {
					return fmt.Errorf("chart frequency: %w", err)
				}
				return cf.write(cmd, c, size)
			})
		},
	}
	cmd.Flags().StringVar(&segs, "segments", "top,middle,low", "segments, comma-separated: all, top, middle, low or a saved segment (up to 4)")
	cmd.Flags().IntVar(&boot, "boot", sim.DefaultBoot, "bootstrap replicates")
	cmd.Flags().Uint64Var(&seed, "seed", sim.DefaultSeed, "bootstrap seed")
	cf.register(cmd)
	return cmd
}

func newChartScenariosCmd() *cobra.Command {
	var cf chartFlags
	var whatifs, period, names string
	var boot int
	var seed uint64
	var saved bool
	cmd := &cobra.Command{
		Use:   "scenarios [--whatif top:3-4,top:4-5,middle:3-4,low:3-4 | --saved [--names a,b]] -o FILE",
		Short: "Contact-frequency what-ifs compared on extra revenue, or saved scenarios compared on profit",
		Long: `scenarios compares contact-frequency what-ifs (default) on the extra revenue per period with
their 95 % intervals, or with --saved the scenarios kept by acrm simulate … --save on their money
result (roi and profit: net profit; inbound: yearly profit; frequency what-ifs: extra revenue).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			size, err := cf.check()
			if err != nil {
				return fmt.Errorf("chart scenarios: %w", err)
			}
			if saved {
				return withSource(cmd, func(src *deck.Source) error {
					c, notes, err := src.SavedScenarios(cmd.Context(), splitList(names))
					if err != nil {
						return fmt.Errorf("chart scenarios: %w", err)
					}
					for _, n := range notes {
						fmt.Fprintln(cmd.ErrOrStderr(), "note:", n)
					}
					return cf.write(cmd, c, size)
				})
			}
			ws, err := parseWhatIfs(whatifs)
			if err != nil {
				return fmt.Errorf("chart scenarios: %w", err)
			}
			months, err := sim.ParsePeriod(period)
			if err != nil {
				return fmt.Errorf("chart scenarios: --period: %w", err)
			}
			return withSource(cmd, func(src *deck.Source) error {
				c, notes, err := src.Scenarios(cmd.Context(), ws, deck.FrequencyOptions{PeriodMonths: months, Boot: boot, Seed: seed})
				if err != nil {
					return fmt.Errorf("chart scenarios: %w", err)
				}
				for _, n := range notes {
					fmt.Fprintln(cmd.ErrOrStderr(), "note:", n)
				}
				return cf.write(cmd, c, size)
			})
		},
	}
	cmd.Flags().StringVar(&whatifs, "whatif", "top:3-4,top:4-5,middle:3-4,low:3-4", "what-ifs SEGMENT:FROM-TO, comma-separated")
	cmd.Flags().BoolVar(&saved, "saved", false, "compare scenarios saved in the workspace instead")
	cmd.Flags().StringVar(&names, "names", "", "with --saved: these scenarios, comma-separated (default all)")
	cmd.Flags().StringVar(&period, "period", "6m", "period: 3m, 6m or 12m")
	cmd.Flags().IntVar(&boot, "boot", sim.DefaultBoot, "bootstrap replicates")
	cmd.Flags().Uint64Var(&seed, "seed", sim.DefaultSeed, "bootstrap seed")
	cf.register(cmd)
	return cmd
}

// parseWhatIfs reads "top:3-4,middle:3-4".
func parseWhatIfs(s string) ([]deck.WhatIf, error) {
	var out []deck.WhatIf
	for i, item := range splitList(s) {
		seg, rng, ok := strings.Cut(item, ":")
		from, to, ok2 := strings.Cut(rng, "-")
		a, err1 := strconv.Atoi(strings.TrimSpace(from))
		b, err2 := strconv.Atoi(strings.TrimSpace(to))
		if !ok || !ok2 || err1 != nil || err2 != nil || strings.TrimSpace(seg) == "" {
			return nil, fmt.Errorf("--whatif item %d %q: want SEGMENT:FROM-TO, e.g. top:3-4", i+1, item)
		}
		out = append(out, deck.WhatIf{Segment: strings.TrimSpace(seg), From: a, To: b})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--whatif: no what-if given")
	}
	return out, nil
}

func newChartPredTimeCmd() *cobra.Command {
	var cf chartFlags
	var csvPath, measure, unit, dataDate, model, period string
	cmd := &cobra.Command{
		Use:   "pred-time --csv FILE [--data-date YYYY-MM-DD] [--model ID] -o FILE",
		Short: "Predicted against actual over time, from a CSV with label,predicted,actual[,lo,hi]",
		Long: `pred-time draws predicted against actual results per period from a CSV with the columns
label, predicted, actual and optionally lo, hi (the prediction interval), e.g. a monitoring export.
--data-date and --model go into the footnote: the date the actuals are counted up to and the model
version that made the predictions.`,
		Example: `  acrm chart pred-time --csv tracking.csv --data-date 2026-10-31 --model P07-lookalike@v3 -o pred-time.png`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			size, err := cf.check()
			if err != nil {
				return fmt.Errorf("chart pred-time: %w", err)
			}
			if csvPath == "" {
				return fmt.Errorf("chart pred-time: --csv FILE is required")
			}
			if dataDate != "" {
				if _, err := time.Parse("2006-01-02", dataDate); err != nil {
					return fmt.Errorf("chart pred-time: --data-date %q: want a date YYYY-MM-DD, e.g. 2026-10-31", dataDate)
				}
			}
			u, ok := map[string]charts.Unit{"count": charts.Count, "percent": charts.Percent, "money": charts.Money}[unit]
			if !ok {
				return fmt.Errorf("chart pred-time: --unit %q: want count, percent or money", unit)
			}
			fh, err := os.Open(csvPath)
			if err != nil {
				return fmt.Errorf("chart pred-time: %w", err)
			}
			defer fh.Close()
			c, err := deck.PredictedTimeCSV(fh, csvPath)
			if err != nil {
				return fmt.Errorf("chart pred-time: %w", err)
			}
			c.Measure, c.Unit, c.Period = measure, u, period
			c.Header = charts.Header{Title: "Predicted against actual " + strings.ToLower(measure),
				DataDate: dataDate, ModelVersion: model, Source: "file " + filepath.Base(csvPath)}
			return cf.write(cmd, c, size)
		},
	}
	cmd.Flags().StringVar(&dataDate, "data-date", "", "date the actuals are counted up to, `YYYY-MM-DD` (footnote)")
	cmd.Flags().StringVar(&model, "model", "", "model `ID` that made the predictions, e.g. P07-lookalike@v3 (footnote)")
	cmd.Flags().StringVar(&period, "period-name", "Month", "what one CSV row covers, the x-axis label (Month, Week, Quarter)")
	cmd.Flags().StringVar(&csvPath, "csv", "", "CSV `FILE` with columns label, predicted, actual and optionally lo, hi")
	cmd.Flags().StringVar(&measure, "measure", "Contracts", "what the values measure (y axis)")
	cmd.Flags().StringVar(&unit, "unit", "count", "count, percent (values as fractions) or money")
	cf.register(cmd)
	return cmd
}
