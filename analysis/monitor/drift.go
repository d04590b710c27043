package monitor

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/explore"
	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Default PSI thresholds: below Moved the population is stable, from Shifted on it has shifted.
const (
	DefaultPSIMoved   = 0.10
	DefaultPSIShifted = 0.25
)

// maxCategories is how many of a text feature's most frequent values get their own bin; the
// rest share "(other)".
const maxCategories = 15

// Dist is one subject's binned distribution. Bin 0 holds NULLs; numeric bins i ≥ 1 hold
// values in (Hi[i−1], Hi[i]] (Hi[i] NaN: no upper edge); categories hold their label.
type Dist struct {
	Subject string
	Kind    string // feature | score
	Numeric bool
	Labels  []string
	Hi      []float64
	Shares  []float64
}

// DriftRow is the PSI of one subject, its level and the shares per bin, baseline and now.
type DriftRow struct {
	Subject string
	Kind    string
	PSI     float64
	Level   string // stable | moved | shifted
	Labels  []string
	Base    []float64
	Now     []float64
}

// Drift compares today's base with the stored baseline.
type Drift struct {
	TakenAt     time.Time
	Source      string
	NewBaseline bool       // no baseline was stored: this run took it (every PSI is 0)
	Rows        []DriftRow // largest PSI first
}

// Level names a PSI against the thresholds.
func Level(psi, moved, shifted float64) string {
	switch {
	case psi >= shifted:
		return "shifted"
	case psi >= moved:
		return "moved"
	}
	return "stable"
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

const viewTable = "acrm_tmp_monitor_view"

// withView materializes the customer feature view as a temporary table on one connection
// and calls fn with it.
func withView(ctx context.Context, ws *workspace.Workspace, fn func(conn *sql.Conn, v *features.View) error) error {
	v, err := features.CustomerView(ctx, ws)
	if err != nil {
		return fmt.Errorf("monitor: drift: %w", err)
	}
	conn, err := ws.Conn(ctx)
	if err != nil {
		return fmt.Errorf("monitor: drift: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE "+viewTable+" AS "+v.SQL); err != nil {
		return fmt.Errorf("monitor: drift: customer view: %w", err)
	}
	defer func() { _, _ = conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS temp."+viewTable) }()
	return fn(conn, v)
}

// featureColumns lists the view's columns PSI is computed for: numbers, booleans and text,
// not the customer id nor identifying columns (names, e-mail, …).
func featureColumns(ctx context.Context, q querier) (numeric, text []string, err error) {
	rows, err := q.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_name = ? ORDER BY ordinal_position`, viewTable)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, nil, err
		}
		if strings.EqualFold(name, "customer_id") || explore.IdentifierColumn(name) {
			continue
		}
		t := strings.ToUpper(typ)
		switch {
		case strings.Contains(t, "INT"), t == "DOUBLE", t == "FLOAT", t == "REAL", strings.HasPrefix(t, "DECIMAL"), t == "BOOLEAN":
			numeric = append(numeric, name)
		case t == "VARCHAR":
			text = append(text, name)
		}
	}
	return numeric, text, rows.Err()
}

// numericBins returns the distinct deciles of expr over from (WHERE where) as upper edges,
// the last open.
func numericBins(ctx context.Context, q querier, from, expr, where string, args []any) ([]float64, error) {
	var parts []string
	for i := 1; i <= 9; i++ {
		parts = append(parts, fmt.Sprintf("quantile_disc(%s, %.1f)", expr, float64(i)/10))
	}
	row := q.QueryRowContext(ctx, "SELECT "+strings.Join(parts, ", ")+" FROM "+from+" WHERE "+where, args...)
	vals := make([]sql.NullFloat64, 9)
	ptrs := make([]any, 9)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := row.Scan(ptrs...); err != nil {
		return nil, err
	}
	var edges []float64
	for _, v := range vals {
		if v.Valid && (len(edges) == 0 || v.Float64 > edges[len(edges)-1]) {
			edges = append(edges, v.Float64)
		}
	}
	return append(edges, math.NaN()), nil
}

// numericCounts counts expr per bin: NULLs, then (−∞, e1], (e1, e2], …, (e_k, ∞).
func numericCounts(ctx context.Context, q querier, from, expr, where string, args []any, hi []float64) ([]float64, error) {
	parts := []string{fmt.Sprintf("count(*) FILTER (WHERE %s IS NULL)", expr)}
	lo := math.Inf(-1)
	for _, h := range hi {
		var cond []string
		if !math.IsInf(lo, -1) {
			cond = append(cond, fmt.Sprintf("%s > %v", expr, lo))
		}
		if !math.IsNaN(h) {
			cond = append(cond, fmt.Sprintf("%s <= %v", expr, h))
		}
		if len(cond) == 0 {
			cond = append(cond, expr+" IS NOT NULL")
		}
		parts = append(parts, "count(*) FILTER (WHERE "+strings.Join(cond, " AND ")+")")
		lo = h
	}
	row := q.QueryRowContext(ctx, "SELECT "+strings.Join(parts, ", ")+" FROM "+from+" WHERE "+where, args...)
	vals := make([]int64, len(parts))
	ptrs := make([]any, len(parts))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := row.Scan(ptrs...); err != nil {
		return nil, err
	}
	out := make([]float64, len(vals))
	for i, v := range vals {
		out[i] = float64(v)
	}
	return out, nil
}

// textCounts counts the values of a text column (NULL as "").
func textCounts(ctx context.Context, q querier, col string) (map[string]float64, float64, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+col+", count(*) FROM "+viewTable+" GROUP BY 1")
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := map[string]float64{}
	var nulls float64
	for rows.Next() {
		var v sql.NullString
		var n int64
		if err := rows.Scan(&v, &n); err != nil {
			return nil, 0, err
		}
		if !v.Valid {
			nulls += float64(n)
			continue
		}
		out[v.String] += float64(n)
	}
	return out, nulls, rows.Err()
}

func numLabels(hi []float64) []string {
	labels := []string{"NULL"}
	for i, h := range hi {
		switch {
		case math.IsNaN(h) && i == 0:
			labels = append(labels, "all")
		case math.IsNaN(h):
			labels = append(labels, fmt.Sprintf("> %s", num(hi[i-1])))
		default:
			labels = append(labels, fmt.Sprintf("≤ %s", num(h)))
		}
	}
	return labels
}

func num(v float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", v), "0"), ".")
}

// shares normalizes counts.
func shares(c []float64) []float64 {
	var s float64
	for _, v := range c {
		s += v
	}
	out := make([]float64, len(c))
	for i, v := range c {
		if s > 0 {
			out[i] = v / s
		}
	}
	return out
}

// measure computes the current distributions of every subject. With base == nil it bins
// afresh (a new baseline); otherwise it counts the current base in the baseline's bins.
func measure(ctx context.Context, ws *workspace.Workspace, base map[string]*Dist) (map[string]*Dist, error) {
	out := map[string]*Dist{}
	err := withView(ctx, ws, func(conn *sql.Conn, _ *features.View) error {
		numeric, text, err := featureColumns(ctx, conn)
		if err != nil {
			return err
		}
		for _, col := range numeric {
			if err := ctx.Err(); err != nil {
				return err
			}
			expr := workspace.QuoteIdent(col) + "::DOUBLE"
			d := &Dist{Subject: col, Kind: "feature", Numeric: true}
			if b := base[col]; b != nil && b.Numeric {
				d.Hi = b.Hi
			} else if d.Hi, err = numericBins(ctx, conn, viewTable, expr, "true", nil); err != nil {
				return fmt.Errorf("feature %s: %w", col, err)
			}
			c, err := numericCounts(ctx, conn, viewTable, expr, "true", nil, d.Hi)
			if err != nil {
				return fmt.Errorf("feature %s: %w", col, err)
			}
			d.Labels, d.Shares = numLabels(d.Hi), shares(c)
			out[col] = d
		}
		for _, col := range text {
			counts, nulls, err := textCounts(ctx, conn, workspace.QuoteIdent(col))
			if err != nil {
				return fmt.Errorf("feature %s: %w", col, err)
			}
			d := &Dist{Subject: col, Kind: "feature"}
			if b := base[col]; b != nil && !b.Numeric {
				d.Labels = b.Labels
			} else {
				vals := make([]string, 0, len(counts))
				for v := range counts {
					vals = append(vals, v)
				}
				sort.Slice(vals, func(i, j int) bool {
					if counts[vals[i]] != counts[vals[j]] {
						return counts[vals[i]] > counts[vals[j]]
					}
					return vals[i] < vals[j]
				})
				if len(vals) > maxCategories {
					vals = vals[:maxCategories]
				}
				d.Labels = append([]string{"NULL"}, vals...)
				d.Labels = append(d.Labels, "(other)")
			}
			c := make([]float64, len(d.Labels))
			c[0] = nulls
			idx := map[string]int{}
			for i, l := range d.Labels[1 : len(d.Labels)-1] {
				idx[l] = i + 1
			}
			for v, n := range counts {
				if i, ok := idx[v]; ok {
					c[i] += n
				} else {
					c[len(c)-1] += n
				}
			}
			d.Shares = shares(c)
			out[col] = d
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("monitor: drift: %w", err)
	}
	// Scores of the latest complete scoring, per product.
	rows, err := ws.QueryContext(ctx, `SELECT DISTINCT product_id FROM acrm_nbo_scores ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("monitor: drift: scores: %w", err)
	}
	var prods []int
	for rows.Next() {
		var p int
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return nil, err
		}
		prods = append(prods, p)
	}
	rows.Close()
	for _, p := range prods {
		subj := fmt.Sprintf("score:P%02d", p)
		d := &Dist{Subject: subj, Kind: "score", Numeric: true}
		args := []any{p}
		if b := base[subj]; b != nil {
			d.Hi = b.Hi
		} else if d.Hi, err = numericBins(ctx, ws, "acrm_nbo_scores", "score", "product_id = ?", args); err != nil {
			return nil, fmt.Errorf("monitor: drift: %s: %w", subj, err)
		}
		c, err := numericCounts(ctx, ws, "acrm_nbo_scores", "score", "product_id = ?", args, d.Hi)
		if err != nil {
			return nil, fmt.Errorf("monitor: drift: %s: %w", subj, err)
		}
		d.Labels, d.Shares = numLabels(d.Hi), shares(c)
		out[subj] = d
	}
	return out, nil
}

// TakeBaseline measures today's base (every feature of the customer view and every product's
// score of the latest scoring) and stores it as the baseline drift is measured against,
// replacing the old one in one transaction. Take it when the models are trained.
func TakeBaseline(ctx context.Context, ws *workspace.Workspace, source string) (time.Time, error) {
	ds, err := measure(ctx, ws, nil)
	if err != nil {
		return time.Time{}, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	err = ws.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM acrm_monitor_baseline`); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO acrm_monitor_baseline VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, d := range ds {
			for i, l := range d.Labels {
				var hi any
				if d.Numeric && i > 0 && !math.IsNaN(d.Hi[i-1]) {
					hi = d.Hi[i-1]
				}
				if _, err := stmt.ExecContext(ctx, d.Subject, d.Kind, d.Numeric, i, l, hi, d.Shares[i], now, source); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("monitor: store the baseline: %w", err)
	}
	return now, nil
}

// loadBaseline reads the stored baseline (nil when none).
func loadBaseline(ctx context.Context, ws *workspace.Workspace) (map[string]*Dist, time.Time, string, error) {
	rows, err := ws.QueryContext(ctx, `SELECT subject, kind, numeric, bin, label, hi, share, taken_at, source
		FROM acrm_monitor_baseline ORDER BY subject, bin`)
	if err != nil {
		return nil, time.Time{}, "", fmt.Errorf("monitor: read the baseline: %w", err)
	}
	defer rows.Close()
	out := map[string]*Dist{}
	var taken time.Time
	var source string
	for rows.Next() {
		var subj, kind, label string
		var bin int
		var numeric bool
		var hi sql.NullFloat64
		var share float64
		if err := rows.Scan(&subj, &kind, &numeric, &bin, &label, &hi, &share, &taken, &source); err != nil {
			return nil, time.Time{}, "", fmt.Errorf("monitor: read the baseline: %w", err)
		}
		d := out[subj]
		if d == nil {
			d = &Dist{Subject: subj, Kind: kind, Numeric: numeric}
			out[subj] = d
		}
		d.Labels = append(d.Labels, label)
		d.Shares = append(d.Shares, share)
		if bin > 0 && numeric {
			h := math.NaN()
			if hi.Valid {
				h = hi.Float64
			}
			d.Hi = append(d.Hi, h)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, time.Time{}, "", err
	}
	if len(out) == 0 {
		return nil, time.Time{}, "", nil
	}
	return out, taken, source, nil
}

// MeasureDrift compares today's base with the stored baseline, taking the baseline first when
// there is none (Drift.NewBaseline). Subjects new since the baseline are skipped; rows come
// largest PSI first.
func MeasureDrift(ctx context.Context, ws *workspace.Workspace, moved, shifted float64) (*Drift, error) {
	base, taken, source, err := loadBaseline(ctx, ws)
	if err != nil {
		return nil, err
	}
	dr := &Drift{TakenAt: taken, Source: source}
	if base == nil {
		src, err := baselineSource(ctx, ws)
		if err != nil {
			return nil, err
		}
		if dr.TakenAt, err = TakeBaseline(ctx, ws, src); err != nil {
			return nil, err
		}
		dr.Source, dr.NewBaseline = src, true
		if base, _, _, err = loadBaseline(ctx, ws); err != nil {
			return nil, err
		}
	}
	now, err := measure(ctx, ws, base)
	if err != nil {
		return nil, err
	}
	for subj, b := range base {
		d := now[subj]
		if d == nil || len(d.Shares) != len(b.Shares) {
			continue
		}
		psi := PSI(b.Shares, d.Shares)
		dr.Rows = append(dr.Rows, DriftRow{Subject: subj, Kind: b.Kind, PSI: psi, Level: Level(psi, moved, shifted),
			Labels: b.Labels, Base: b.Shares, Now: d.Shares})
	}
	sort.Slice(dr.Rows, func(i, j int) bool {
		if dr.Rows[i].PSI != dr.Rows[j].PSI {
			return dr.Rows[i].PSI > dr.Rows[j].PSI
		}
		return dr.Rows[i].Subject < dr.Rows[j].Subject
	})
	return dr, nil
}

// baselineSource describes what a baseline taken now is of: the snapshot and the scoring run.
func baselineSource(ctx context.Context, ws *workspace.Workspace) (string, error) {
	var snap sql.NullTime
	if err := ws.QueryRowContext(ctx, `SELECT max(ts) FROM contacts`).Scan(&snap); err != nil {
		return "", fmt.Errorf("monitor: baseline: %w", err)
	}
	var run sql.NullInt64
	if err := ws.QueryRowContext(ctx, `SELECT max(run_id) FROM acrm_nbo_runs`).Scan(&run); err != nil {
		return "", fmt.Errorf("monitor: baseline: %w", err)
	}
	s := "customers"
	if snap.Valid {
		s += " at snapshot " + snap.Time.Format(time.DateOnly)
	}
	if run.Valid {
		s += fmt.Sprintf(", scoring run %d", run.Int64)
	}
	return s, nil
}
