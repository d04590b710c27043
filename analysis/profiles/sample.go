package profiles

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/units"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// DefaultSampleRows is the training sample's size when Spec.SampleRows is 0: a source with
// more labelled rows than this is trained on a stratified sample drawn inside DuckDB.
const DefaultSampleRows = 1_000_000

// MaxSampleRows bounds --sample-rows (the rows a training holds in memory).
const MaxSampleRows = 50_000_000

// Sample describes the stratified sample a model was trained on: positives kept up to half
// the sample (all of them when they are fewer), negatives filling the rest, each row drawn by
// a hash of its id and the seed (so the same seed draws the same rows). A class's weight is
// its rows in the source over its rows in the sample; the registered calibration is moved
// by LogOddsShift so its probabilities are the source's, not the sample's.
type Sample struct {
	// Source is what was sampled (the customer view, a table, or files).
	Source string `json:"source"`
	// Population and Positives count the labelled rows of the source and its positives.
	Population int64 `json:"population"`
	Positives  int64 `json:"positives"`
	// Rows and SampledPositives count the sample.
	Rows             int64 `json:"rows"`
	SampledPositives int64 `json:"sampled_positives"`
	// WeightPositive and WeightNegative are each class's rows in the source per row in the
	// sample.
	WeightPositive float64 `json:"weight_positive"`
	WeightNegative float64 `json:"weight_negative"`
	// Uniform is set when every row had the same chance (a response target, whose label
	// is not in the view the sample is drawn from): no correction is needed.
	Uniform bool   `json:"uniform,omitempty"`
	Seed    uint64 `json:"seed"`
}

// LogOddsShift is the prior correction of the sample: log(WeightPositive/WeightNegative).
func (s *Sample) LogOddsShift() float64 {
	if s == nil || s.WeightPositive <= 0 || s.WeightNegative <= 0 {
		return 0
	}
	return math.Log(s.WeightPositive / s.WeightNegative)
}

// String reports the sample in one line.
func (s *Sample) String() string {
	if s.Uniform {
		return fmt.Sprintf("sample of %s: %s of %s rows, drawn uniformly (weight %s, no correction needed)",
			s.Source, units.Int(s.Rows), units.Int(s.Population), units.Float(s.WeightPositive, 2))
	}
	neg, sneg := s.Population-s.Positives, s.Rows-s.SampledPositives
	line := fmt.Sprintf("sample of %s: %s of %s rows; positives %s of %s (weight %s), negatives %s of %s (weight %s)",
		s.Source, units.Int(s.Rows), units.Int(s.Population), units.Int(s.SampledPositives), units.Int(s.Positives),
		units.Float(s.WeightPositive, 2), units.Int(sneg), units.Int(neg), units.Float(s.WeightNegative, 2))
	if d := s.LogOddsShift(); d != 0 {
		line += fmt.Sprintf("; calibration corrected by %s in log-odds", units.Float(d, 3))
	}
	return line
}

// sampleSource is what a sample is drawn from: from is the text after FROM (a quoted table,
// a parenthesised SELECT or a file scan), id the id column (required: the draw hashes it),
// target the SQL boolean label over the source's columns ("" for a uniform draw).
type sampleSource struct {
	label, from, id, target string
}

// FileSource returns the DuckDB scan of a Parquet or CSV file or glob, or false when path
// does not name such files. It checks that at least one file matches.
func FileSource(path string) (string, bool, error) {
	low := strings.ToLower(path)
	var fn string
	switch {
	case strings.HasSuffix(low, ".parquet"):
		fn = "read_parquet"
	case strings.HasSuffix(low, ".csv"), strings.HasSuffix(low, ".csv.gz"), strings.HasSuffix(low, ".tsv"):
		fn = "read_csv"
	default:
		return "", false, nil
	}
	m, err := filepath.Glob(path)
	if err != nil {
		return "", true, fmt.Errorf("profiles: files %s: %w", path, err)
	}
	if len(m) == 0 {
		return "", true, fmt.Errorf("profiles: files %s: no file matches", path)
	}
	return fn + "(" + workspace.QuoteString(path) + ")", true, nil
}

// drawSample counts the source's labelled rows and, when there are more than limit (or
// always is set), writes a stratified sample of them into a staging table (dropped by the
// caller with dropStage, or by the next Open after a kill). It returns "" and nil when
// the source is small enough to be read whole.
func drawSample(ctx context.Context, ws *workspace.Workspace, src sampleSource, limit int, seed uint64, always bool) (string, *Sample, error) {
	if limit <= 0 {
		limit = DefaultSampleRows
	}
	label := "TRUE"
	if src.target != "" {
		if err := workspace.CheckExpression(src.target); err != nil {
			return "", nil, fmt.Errorf("profiles: target %q: %w", src.target, err)
		}
		label = "(" + src.target + ")"
	}
	var pop, pos int64
	q := `SELECT count(*), count(*) FILTER (WHERE ` + label + `) FROM ` + src.from + ` AS src WHERE ` + label + ` IS NOT NULL`
	if err := ws.QueryRowContext(ctx, q).Scan(&pop, &pos); err != nil {
		return "", nil, fmt.Errorf("profiles: count the rows of %s: %w", src.label, err)
	}
	if pop <= int64(limit) && !always {
		return "", nil, nil
	}
	s := &Sample{Source: src.label, Population: pop, Positives: pos, Seed: seed, Uniform: src.target == ""}
	neg := pop - pos
	var ratePos, rateNeg float64
	switch {
	case pop <= int64(limit):
		ratePos, rateNeg = 1, 1
	case s.Uniform:
		ratePos = float64(limit) / float64(pop)
		rateNeg = ratePos
	default:
		// positives up to half the sample (more when the negatives are fewer than half)
		keepPos := min(pos, max(int64(limit)/2, int64(limit)-neg))
		keepNeg := min(neg, int64(limit)-keepPos)
		ratePos, rateNeg = frac(keepPos, pos), frac(keepNeg, neg)
	}
	// without an id column the whole row is hashed (equal rows share their fate)
	id := "src"
	if src.id != "" {
		id = "src." + workspace.QuoteIdent(src.id)
	}
	// hash(id, seed) / 2^64 is uniform on [0, 1) and the same for the same id and seed
	draw := fmt.Sprintf("hash(%s, %d::UBIGINT) / 18446744073709551616.0", id, seed)
	stage := workspace.StagePrefix + "train_" + randomHex()
	keep := func(rate float64) string {
		if rate >= 1 {
			return "TRUE"
		}
		return draw + " < " + floatSQL(rate)
	}
	ctas := `CREATE TABLE ` + workspace.QuoteIdent(stage) + ` AS SELECT src.* FROM ` + src.from + ` AS src WHERE ` + label + ` IS NOT NULL AND ` +
		fmt.Sprintf(`CASE WHEN %s THEN %s ELSE %s END`, label, keep(ratePos), keep(rateNeg))
	if src.id != "" {
		ctas += ` ORDER BY ` + id
	}
	if _, err := ws.ExecContext(ctx, ctas); err != nil {
		dropStage(ws, stage)
		return "", nil, fmt.Errorf("profiles: draw a sample of %s: %w", src.label, err)
	}
	q = `SELECT count(*), count(*) FILTER (WHERE ` + label + `) FROM ` + workspace.QuoteIdent(stage) + ` AS src`
	if err := ws.QueryRowContext(ctx, q).Scan(&s.Rows, &s.SampledPositives); err != nil {
		dropStage(ws, stage)
		return "", nil, fmt.Errorf("profiles: count the sample of %s: %w", src.label, err)
	}
	s.WeightPositive, s.WeightNegative = ratio(pos, s.SampledPositives), ratio(neg, s.Rows-s.SampledPositives)
	if s.Uniform {
		s.WeightPositive = ratio(pop, s.Rows)
		s.WeightNegative = s.WeightPositive
	}
	return stage, s, nil
}

// dropStage drops a staging table of a training (on a fresh context: it also runs after a
// cancel).
func dropStage(ws *workspace.Workspace, stage string) {
	if stage == "" {
		return
	}
	_, _ = ws.ExecContext(context.Background(), `DROP TABLE IF EXISTS `+workspace.QuoteIdent(stage))
}

func frac(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return math.Min(1, float64(a)/float64(b))
}

func ratio(a, b int64) float64 {
	if b <= 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func floatSQL(v float64) string { return fmt.Sprintf("%.17g", v) }

func randomHex() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// sampleLimit is the rows a run may hold: spec.SampleRows, DefaultSampleRows for 0, and no
// bound (every row) for a negative value.
func sampleLimit(n int) int {
	switch {
	case n == 0:
		return DefaultSampleRows
	case n < 0:
		return math.MaxInt
	}
	return n
}

// applySample records the sample on the run and moves every candidate's calibration by its
// log-odds shift, so the registered probabilities are the source's.
func applySample(res *Result, s *Sample) {
	if s == nil {
		return
	}
	res.Sample = s
	if d := s.LogOddsShift(); d != 0 {
		for _, t := range res.Models {
			if t.Calibrator != nil {
				t.Calibrator = t.Calibrator.ShiftLogOdds(d)
			}
		}
	}
}

// sampledBase draws the customer view's sample for one product when the view has more
// customers than limit: stratified on holding the product for a look-alike target, uniform
// for a response target (its label is in the contacts, not the view). It returns nil when
// the whole view fits. The caller drops the base's staging table (Base.Close).
func sampledBase(ctx context.Context, ws *workspace.Workspace, productID int, kind string, limit int, seed uint64, report func(Progress)) (*Base, error) {
	v, err := features.CustomerView(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("profiles: %w", err)
	}
	if _, ok := v.Product(productID); !ok {
		return nil, fmt.Errorf("profiles: no product %d in the products table", productID)
	}
	target := ""
	if kind == Lookalike {
		target = workspace.QuoteIdent(features.OwnCol(productID)) + " > 0"
	}
	stage, smp, err := drawSample(ctx, ws, sampleSource{label: "the customer view", from: "(" + v.SQL + ")", id: "customer_id", target: target}, limit, seed, false)
	if err != nil || stage == "" {
		return nil, err
	}
	f, err := features.Load(ctx, ws, features.LoadSpec{Query: stage, ID: "customer_id"}, loadReport(report))
	if err != nil {
		dropStage(ws, stage)
		return nil, fmt.Errorf("profiles: customer view sample: %w", err)
	}
	b := &Base{View: v, Frame: f, row: make(map[string]int, f.Rows), stage: stage, sample: smp}
	for i, id := range f.IDs {
		b.row[id] = i
	}
	return b, nil
}
