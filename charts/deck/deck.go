// Package deck turns a workspace into deck charts: it asks the analysis packages (model
// registry, segments, simulations) for aggregates, maps them onto the plain chart types of
// package charts, and writes the whole pack with an index of computed takeaways.
//
// Nothing here draws; nothing in package charts reads the workspace. Only aggregates cross
// over, so no customer identifier can reach a chart.
package deck

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/datamart"
	"github.com/acrm-dev/acrm/analysis/progress"
	"github.com/acrm-dev/acrm/analysis/segment"
	"github.com/acrm-dev/acrm/analysis/sim"
	"github.com/acrm-dev/acrm/analysis/workspace"
	"github.com/acrm-dev/acrm/charts"
)

// ErrNoData is wrapped by the chart builders when the workspace lacks what a chart needs;
// the message says what is missing and how to get it.
var ErrNoData = sim.ErrNoData

func noData(format string, args ...any) error { return sim.NoData(format, args...) }

// Progress is the one progress report of long calls (analysis/progress).
type Progress = progress.Progress

// Source is a workspace the charts are built from, with what every footnote says.
type Source struct {
	WS       *workspace.Workspace
	DataDate string // snapshot date of the data
	Label    string // "workspace acrm.duckdb"
	// Unreadable lists the registry rows Models left out because their stored metrics
	// cannot be read ("model id: why"); the deck's index names them.
	Unreadable []string
}

// Open describes ws for chart footnotes: the snapshot date (acrm_meta snapshot_date, else
// the day of the latest contact) and the file name.
func Open(ctx context.Context, ws *workspace.Workspace) (*Source, error) {
	s := &Source{WS: ws, Label: "workspace " + filepath.Base(ws.Path())}
	d, err := ws.Meta(ctx, segment.SnapshotMetaKey)
	if err != nil {
		return nil, fmt.Errorf("deck: read snapshot date: %w", err)
	}
	if d == "" {
		if t, ok, err := datamart.Snapshot(ctx, ws); err == nil && ok {
			d = t.Format("2006-01-02")
		}
	}
	s.DataDate = d
	return s, nil
}

func (s *Source) header(title, subtitle, model string) charts.Header {
	return charts.Header{Title: title, Subtitle: subtitle, DataDate: s.DataDate, ModelVersion: model, Source: s.Label}
}

// ---- models -------------------------------------------------------------------------

// ---- money ----------------------------------------------------------------------------

// ---- segments and contact frequency ---------------------------------------------------

// ---- the pack -------------------------------------------------------------------------

// Options choose how the deck is written.
type Options struct {
	Size   charts.Size
	Format charts.Format // png (default), svg or pdf
	// Products limits the gains charts to this many products (default 3).
	Products  int
	Frequency FrequencyOptions
	Report    func(Progress)
}

// Item is one chart of the deck: written (File, Takeaway) or skipped (Skipped says why).
type Item struct {
	Kind, Title, File, Takeaway, Skipped string
}

type job struct {
	kind, file, what string
	build            func() (charts.Chart, error)
}

// Build writes the deck for the workspace into dir: every chart it has data for, and
// index.md listing each chart with its takeaway and each skipped chart with the reason.
// A chart without data is skipped, never fatal; a cancelled context or an I/O error is.
func Build(ctx context.Context, ws *workspace.Workspace, dir string, o Options) ([]Item, error) {
	if o.Format == "" {
		o.Format = charts.PNG
	}
	if o.Size == (charts.Size{}) {
		o.Size = charts.DefaultSize
	}
	if o.Products <= 0 {
		o.Products = 3
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("deck: %w", err)
	}
	src, err := Open(ctx, ws)
	if err != nil {
		return nil, err
	}
	models, err := src.Models(ctx)
	if err != nil {
		return nil, fmt.Errorf("deck: model registry: %w", err)
	}
	heads := Headline(models)
	ext := "." + string(o.Format)
	notes := map[string]string{} // by kind: appended to the takeaway in parentheses
	var jobs []job
	jobs = append(jobs, job{"segments", "01-segments" + ext, "Value segments: KPIs indexed on the base",
		func() (charts.Chart, error) { return src.SegmentKPIs(ctx) }})
	noModel := func(kind, file, what string) job {
		return job{kind, file, what, func() (charts.Chart, error) {
			return nil, noData("no trained model in acrm_models (run acrm train --all)")
		}}
	}
	if len(heads) == 0 {
		jobs = append(jobs,
			noModel("gains", "02-gains"+ext, "Cumulative gains and lift per decile"),
			noModel("roc", "03-roc"+ext, "ROC curve"),
			noModel("calibration", "04-calibration"+ext, "Calibration"),
			noModel("pred-decile", "05-pred-decile"+ext, "Predicted vs actual per decile"),
			noModel("profit", "06-profit"+ext, "Profit curve over selection depth"),
			noModel("roi", "07-roi"+ext, "Mass vs model-targeted mailing"))
	} else {
		top := heads[0]
		for i, m := range heads {
			if i == o.Products {
				break
			}
			m := m
			jobs = append(jobs, job{"gains", fmt.Sprintf("02-gains-%s%s", fileSafe(m.Name), ext), "Cumulative gains and lift per decile — " + m.Product,
				func() (charts.Chart, error) {
					if ch, ok := Challenger(models, m); ok {
						return src.Gains(m, ch)
					}
					return src.Gains(m)
				}})
		}
		jobs = append(jobs,
			job{"roc", "03-roc" + ext, "ROC curve — " + top.Product, func() (charts.Chart, error) {
				if ch, ok := Challenger(models, top); ok {
					return src.ROC(top, ch)
				}
				return src.ROC(top)
			}},
			job{"calibration", "04-calibration" + ext, "Calibration — " + top.Product, func() (charts.Chart, error) { return src.Calibration(top) }},
			job{"pred-decile", "05-pred-decile" + ext, "Predicted vs actual per decile — " + top.Product, func() (charts.Chart, error) { return src.PredictedDeciles(top) }},
		)
		// Profit and ROI for the product where targeting adds most to mailing everyone.
		pm, why, err := ProfitModel(ctx, src, heads)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs,
			job{"profit", "06-profit" + ext, "Profit curve over selection depth — " + pm.Product, func() (charts.Chart, error) {
				c, _, err := src.Profit(ctx, pm)
				return c, err
			}},
			job{"roi", "07-roi" + ext, "Mass vs model-targeted mailing — " + pm.Product, func() (charts.Chart, error) { return src.ROI(ctx, pm) }},
		)
		notes["profit"], notes["roi"] = why, why
	}
	var scenarioNotes []string
	jobs = append(jobs,
		job{"frequency", "08-frequency" + ext, "Contact-frequency response curve", func() (charts.Chart, error) { return src.Frequency(ctx, o.Frequency) }},
		job{"scenarios", "09-scenarios" + ext, "Contact-frequency what-ifs", func() (charts.Chart, error) {
			c, notes, err := src.Scenarios(ctx, nil, o.Frequency)
			scenarioNotes = notes
			return c, err
		}},
		job{"saved-scenarios", "10-saved-scenarios" + ext, "Saved scenarios compared", func() (charts.Chart, error) {
			c, _, err := src.SavedScenarios(ctx, nil)
			return c, err
		}},
		job{"pred-time", "11-pred-time" + ext, "Predicted vs actual over time", func() (charts.Chart, error) {
			if c, err := LatestCampaignOverTime(ctx, ws); err == nil {
				return c, nil
			}
			return nil, noData("no outcomes tracked against scored predictions in the workspace yet; draw it from a tracking CSV with acrm chart pred-time --csv FILE")
		}},
		job{"qini", "12-qini" + ext, "Qini curve of the newest campaign", func() (charts.Chart, error) {
			c, err := LatestCampaignQini(ctx, ws)
			if err != nil {
				return nil, err
			}
			return c, nil
		}},
	)

	var items []Item
	for i, j := range jobs {
		if err := ctx.Err(); err != nil {
			return items, err
		}
		if o.Report != nil {
			o.Report(Progress{Done: int64(i), Total: int64(len(jobs)), Stage: j.what})
		}
		it := Item{Kind: j.kind, Title: j.what}
		c, err := j.build()
		switch {
		case errors.Is(err, ErrNoData):
			it.Skipped = strings.TrimPrefix(err.Error(), ErrNoData.Error()+": ")
		case err != nil && ctx.Err() != nil:
			return items, ctx.Err()
		case err != nil:
			it.Skipped = err.Error()
		default:
			path := filepath.Join(dir, j.file)
			if err := charts.WriteFile(path, c, charts.WithSize(o.Size)); err != nil {
				if ctx.Err() != nil {
					return items, ctx.Err()
				}
				return items, fmt.Errorf("deck: %w", err)
			}
			it.File, it.Takeaway, it.Title = j.file, c.Takeaway(), c.Heading().Title
			if n := notes[j.kind]; n != "" {
				it.Takeaway += " (" + n + ")"
			}
			if j.kind == "scenarios" && len(scenarioNotes) > 0 {
				it.Takeaway += " (" + strings.Join(scenarioNotes, "; ") + ")"
			}
		}
		items = append(items, it)
	}
	for _, u := range src.Unreadable {
		items = append(items, Item{Kind: "model", Title: "Model left out", Skipped: u})
	}
	if o.Report != nil {
		o.Report(Progress{Done: int64(len(jobs)), Total: int64(len(jobs)), Stage: "index"})
	}
	if err := writeIndex(filepath.Join(dir, "index.md"), src, items, o); err != nil {
		return items, err
	}
	return items, nil
}

func fileSafe(s string) string { return charts.SafeFileName(s) }

// Index renders index.md: each chart with its takeaway, then what was skipped and why.
func Index(src *Source, items []Item, o Options) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# acrm deck — %s\n\n", strings.TrimPrefix(src.Label, "workspace "))
	if src.DataDate != "" {
		fmt.Fprintf(&b, "Data as of %s · ", src.DataDate)
	}
	fmt.Fprintf(&b, "%d×%d %s · generated %s\n\n", o.Size.Width, o.Size.Height, strings.ToUpper(string(o.Format)),
		time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	n := 0
	for _, it := range items {
		if it.File == "" {
			continue
		}
		n++
		fmt.Fprintf(&b, "%d. **%s** — [%s](%s)  \n   %s\n", n, it.Title, it.File, it.File, it.Takeaway)
	}
	var skipped []Item
	for _, it := range items {
		if it.File == "" {
			skipped = append(skipped, it)
		}
	}
	if len(skipped) > 0 {
		b.WriteString("\n## Not in this deck\n\n")
		for _, it := range skipped {
			fmt.Fprintf(&b, "- **%s** (%s): %s\n", it.Title, it.Kind, it.Skipped)
		}
	}
	return b.String()
}

// writeIndex writes index.md through a temporary file and a rename.
func writeIndex(path string, src *Source, items []Item, o Options) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".index.md.*.tmp")
	if err != nil {
		return fmt.Errorf("deck: write %s: %w", path, err)
	}
	_, werr := tmp.WriteString(Index(src, items, o))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("deck: write %s: %w", path, err)
	}
	_ = os.Chmod(tmp.Name(), 0o644)
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("deck: write %s: %w", path, err)
	}
	return nil
}

// PredictedTimeCSV reads predicted against actual results per period from CSV with a
// header naming the columns label, predicted, actual and optionally lo, hi (the prediction
// interval), e.g. a monitoring export. Errors name the file, line and column.
func PredictedTimeCSV(r io.Reader, name string) (charts.PredictedTimeChart, error) {
	var c charts.PredictedTimeChart
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return c, fmt.Errorf("deck: %s: header: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"label", "predicted", "actual"} {
		if _, ok := col[need]; !ok {
			return c, fmt.Errorf("deck: %s: line 1: no %q column (want label, predicted, actual[, lo, hi])", name, need)
		}
	}
	line := 1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			return c, fmt.Errorf("deck: %s: %w", name, err)
		}
		num := func(k string) (float64, error) {
			i, ok := col[k]
			if !ok || i >= len(rec) || strings.TrimSpace(rec[i]) == "" {
				return 0, nil
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(rec[i]), 64)
			if err != nil {
				return 0, fmt.Errorf("deck: %s: line %d, column %d (%s): %q is not a number", name, line, i+1, k, rec[i])
			}
			return v, nil
		}
		var p charts.PeriodOutcome
		if i := col["label"]; i < len(rec) {
			p.Label = strings.TrimSpace(rec[i])
		}
		for k, dst := range map[string]*float64{"predicted": &p.Predicted, "actual": &p.Actual, "lo": &p.Lo, "hi": &p.Hi} {
			if *dst, err = num(k); err != nil {
				return c, err
			}
		}
		c.Periods = append(c.Periods, p)
	}
	return c, nil
}
