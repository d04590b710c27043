package profiles

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/acrm-dev/acrm/analysis/datamart"
	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/progress"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// TrainTable trains a model on any table (or SELECT) of the workspace: spec.Source and
// spec.Target (a SQL boolean expression) are required; spec.ID, when given, must be a unique,
// non-null column, and without it the rows are numbered in table order. The run is registered in
// acrm_models.
func TrainTable(ctx context.Context, ws *workspace.Workspace, spec Spec, report func(Progress)) (*Result, error) {
	spec.ProductID = 0
	if spec.Files != "" && spec.Source == "" {
		spec.Source = spec.Files
	}
	if err := spec.normalize(); err != nil {
		return nil, err
	}
	load := features.LoadSpec{Query: spec.Source, ID: spec.ID, Target: spec.Target, Exclude: spec.Exclude}
	src := sampleSource{label: spec.Source, id: spec.ID, target: spec.Target}
	switch {
	case spec.Files != "":
		from, ok, err := FileSource(spec.Files)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("profiles: files %s: want a .parquet, .csv, .csv.gz or .tsv file or glob", spec.Files)
		}
		src.from, src.label = from, spec.Files
	case features.IsBareName(spec.Source):
		src.from = features.FromClause(spec.Source)
	default:
		if err := workspace.CheckQuery(spec.Source); err != nil {
			return nil, fmt.Errorf("profiles: features: source %s: %w", spec.Source, err)
		}
		src.from = features.FromClause(spec.Source)
	}
	if err := features.CheckTarget(ctx, ws, src.label, src.from, spec.Target); err != nil {
		return nil, fmt.Errorf("profiles: %w", err)
	}
	// Files are always read through a staging table (the model reads a table, never a file).
	stage, smp, err := drawSample(ctx, ws, src, sampleLimit(spec.SampleRows), spec.Seed, spec.Files != "")
	if err != nil {
		return nil, err
	}
	defer dropStage(ws, stage)
	if stage != "" {
		load.Query = stage
		if smp.Rows == smp.Population {
			smp = nil // every row: not a sample
		}
	}
	f, err := features.Load(ctx, ws, load, loadReport(progress.Prelude(report)))
	if err != nil {
		return nil, fmt.Errorf("profiles: %w", err)
	}
	res, err := Fit(ctx, f, f.Target, spec, report)
	if err != nil {
		return nil, err
	}
	applySample(res, smp)
	res.Source = spec.Source
	res.Fingerprint = Fingerprint(f, f.Target)
	if err := Register(ctx, ws, res); err != nil {
		return nil, err
	}
	return res, nil
}

func loadReport(report func(Progress)) func(features.Progress) {
	return progress.Staged(report, "loading view")
}

// Base is the customer feature view loaded in memory once, shared by product runs.
type Base struct {
	View  *features.View
	Frame *features.Frame
	row   map[string]int
	// stage holds a sampled base's rows (drawSample); sample describes them.
	stage  string
	sample *Sample
}

// Close drops a sampled base's staging table (a no-op for a whole view).
func (b *Base) Close(ws *workspace.Workspace) {
	if b != nil {
		dropStage(ws, b.stage)
		b.stage = ""
	}
}

// forProduct is View.ForProduct on the base's rows: a sampled base reads the totals of its
// sampled customers only.
func (b *Base) forProduct(ctx context.Context, ws *workspace.Workspace, productID int) (*features.Frame, error) {
	if b.stage == "" {
		return b.View.ForProduct(ctx, ws, b.Frame, productID)
	}
	if _, ok := b.View.Product(productID); !ok {
		return nil, fmt.Errorf("features: no product %d in the products table", productID)
	}
	q := "SELECT t.* FROM (" + b.View.ProductTotalsSQL(productID) + ") t WHERE t.customer_id IN (SELECT customer_id FROM " +
		workspace.QuoteIdent(b.stage) + ") ORDER BY t.customer_id"
	totals, err := features.Load(ctx, ws, features.LoadSpec{Query: q, ID: "customer_id"}, nil)
	if err != nil {
		return nil, fmt.Errorf("features: totals without product %d: %w", productID, err)
	}
	return b.View.ForProductWith(b.Frame, productID, totals)
}

// LoadBase builds the customer feature view and loads it.
func LoadBase(ctx context.Context, db *workspace.Workspace, report func(Progress)) (*Base, error) {
	v, err := features.CustomerView(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("profiles: %w", err)
	}
	f, err := features.Load(ctx, db, features.LoadSpec{Query: v.SQL, ID: "customer_id"}, loadReport(report))
	if err != nil {
		return nil, fmt.Errorf("profiles: customer view: %w", err)
	}
	b := &Base{View: v, Frame: f, row: make(map[string]int, f.Rows)}
	for i, id := range f.IDs {
		b.row[id] = i
	}
	return b, nil
}

// ProductData returns the frame and labels of a product target:
//
//   - lookalike: every customer; y = holds the product at the snapshot;
//   - response: the customers who got an outbound offer of the product; y = accepted at
//     least one of those offers.
//
// The product's own columns are removed from the frame (features.View.ForProduct).
func (b *Base) ProductData(ctx context.Context, db *workspace.Workspace, productID int, kind string) (*features.Frame, []float64, error) {
	return b.ProductDataSince(ctx, db, productID, kind, time.Time{})
}

// ProductDataSince is ProductData with the response target counting only the outbound offers
// made at or after since (zero: all): a model of the newest outcomes.
func (b *Base) ProductDataSince(ctx context.Context, db *workspace.Workspace, productID int, kind string, since time.Time) (*features.Frame, []float64, error) {
	own := b.Frame.Col(features.OwnCol(productID))
	if own == nil {
		return nil, nil, fmt.Errorf("profiles: no product %d in the products table", productID)
	}
	f, err := b.forProduct(ctx, db, productID)
	if err != nil {
		return nil, nil, fmt.Errorf("profiles: %w", err)
	}
	switch kind {
	case Lookalike:
		y := make([]float64, f.Rows)
		for i, v := range own.Num {
			if v > 0 {
				y[i] = 1
			}
		}
		return f, y, nil
	case Response:
		rows, err := db.QueryContext(ctx, `SELECT CAST(customer_id AS VARCHAR), max(CASE WHEN outcome = 'accepted' THEN 1 ELSE 0 END)
			FROM contacts WHERE direction = 'outbound' AND product_id = ? AND outcome IS NOT NULL AND ts >= ?
			GROUP BY customer_id ORDER BY customer_id`, productID, since)
		if err != nil {
			return nil, nil, fmt.Errorf("profiles: response labels of product %d: %w", productID, err)
		}
		defer rows.Close()
		var idx []int
		var y []float64
		for rows.Next() {
			var id string
			var acc float64
			if err := rows.Scan(&id, &acc); err != nil {
				return nil, nil, err
			}
			if i, ok := b.row[id]; ok {
				idx = append(idx, i)
				y = append(y, acc)
			}
		}
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
		if len(idx) == 0 {
			if !since.IsZero() {
				return nil, nil, fmt.Errorf("profiles: product %d was not offered in an outbound campaign since %s: no response target: %w", productID, since.Format(time.DateOnly), ErrNoPositives)
			}
			return nil, nil, fmt.Errorf("profiles: product %d was never offered in an outbound campaign: no response target: %w", productID, ErrNoPositives)
		}
		return f.Subset(idx), y, nil
	}
	return nil, nil, fmt.Errorf("profiles: target %q: want lookalike or response", kind)
}

// TrainProduct trains and registers one product model on the loaded base.
func TrainProduct(ctx context.Context, ws *workspace.Workspace, b *Base, spec Spec, oracle map[int]float64, report func(Progress)) (*Result, error) {
	if err := spec.normalize(); err != nil {
		return nil, err
	}
	f, y, err := b.ProductDataSince(ctx, ws, spec.ProductID, spec.Kind, spec.Since)
	if err != nil {
		return nil, err
	}
	res, err := Fit(ctx, f, y, spec, report)
	if err != nil {
		return nil, err
	}
	applySample(res, b.sample)
	res.Source = "customer view"
	res.Fingerprint = Fingerprint(f, y)
	if o, ok := oracle[spec.ProductID]; ok && spec.Kind == Lookalike {
		res.Oracle = o
	}
	if err := Register(ctx, ws, res); err != nil {
		return nil, err
	}
	return res, nil
}

// OracleAUC reads the generator's oracle AUC per product from sample_truth_meta (key
// oracle_auc), for the leaderboard only — never as a model input. Empty when the workspace
// has no sample truth.
func OracleAUC(ctx context.Context, ws *workspace.Workspace) (map[int]float64, error) {
	out := map[int]float64{}
	ok, err := ws.HasTable(ctx, "sample_truth_meta")
	if err != nil || !ok {
		return out, err
	}
	rows, err := ws.QueryContext(ctx, `SELECT product_id, value FROM sample_truth_meta WHERE key = 'oracle_auc' AND product_id IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("profiles: oracle AUC: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p int
		var v float64
		if err := rows.Scan(&p, &v); err != nil {
			return nil, err
		}
		out[p] = v
	}
	return out, rows.Err()
}

// AllSpec configures TrainAll.
type AllSpec struct {
	Kind     string // lookalike (default) or response
	Algo     string // auto (default), logit, tree, gbdt
	Seed     uint64
	Products []int // nil = every product
	Folds    int   // cross-validation folds (0 = DefaultFolds)
	// Parallel is how many products train at once (0 = GOMAXPROCS, or 1 when the products
	// train on samples); each fit then gets GOMAXPROCS/Parallel goroutines.
	Parallel int
	// SampleRows is Spec.SampleRows: when the view has more customers, each product draws
	// its own sample and the whole view is never loaded.
	SampleRows int
}

// ProductError is a failed product of TrainAll.
type ProductError struct {
	ProductID int
	Err       error
}

func (e *ProductError) Error() string { return fmt.Sprintf("product %d: %v", e.ProductID, e.Err) }
func (e *ProductError) Unwrap() error { return e.Err }

// TrainAll trains every product (or spec.Products) on one load of the customer view, up to
// spec.Parallel products at a time, and registers each as it finishes (its own transaction).
// report gets Done = finished products, Stage "P<id> trained|failed|cancelled"; with a single
// product it also gets that product's fit progress (Stage "<algo> <done>/<total>"). A product that cannot be trained (e.g. no positives) is reported
// in the returned error (a join of *ProductError) while the others still train; cancelling ctx
// stops all of them and returns ctx.Err()
// (products registered before the cancel stay registered; none is half-written). Results are in product order.
func TrainAll(ctx context.Context, ws *workspace.Workspace, spec AllSpec, report func(Progress)) ([]*Result, error) {
	if report == nil {
		report = func(Progress) {}
	}
	if spec.Kind == "" {
		spec.Kind = Lookalike
	}
	if spec.SampleRows > MaxSampleRows {
		return nil, fmt.Errorf("profiles: --sample-rows %d: want at most %d (0 = every row)", spec.SampleRows, MaxSampleRows)
	}
	limit := sampleLimit(spec.SampleRows)
	customers, err := datamart.CustomerCount(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("profiles: %w", err)
	}
	perProduct := customers > int64(limit)
	var b *Base
	if perProduct {
		// each product draws its own stratified sample; the view is only described here
		v, err := features.CustomerView(ctx, ws)
		if err != nil {
			return nil, fmt.Errorf("profiles: %w", err)
		}
		b = &Base{View: v}
	} else {
		// loading the view is a prelude: the job's bar counts products and never runs back
		if b, err = LoadBase(ctx, ws, progress.Prelude(report)); err != nil {
			return nil, err
		}
	}
	oracle, err := OracleAUC(ctx, ws)
	if err != nil {
		return nil, err
	}
	products := spec.Products
	if products == nil {
		for _, p := range b.View.Products {
			products = append(products, p.ID)
		}
	}
	par := spec.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
		if perProduct {
			par = 1 // one sample in memory at a time
		}
	}
	par = min(par, len(products))
	workers := workersFor(par)
	total := int64(len(products))
	var (
		mu      sync.Mutex
		regMu   sync.Mutex
		done    int64
		results = make([]*Result, len(products))
		errs    []error
		wg      sync.WaitGroup
	)
	report(Progress{Done: 0, Total: total, Stage: "train"})
	// One product: its algorithms' progress is the whole job's, so forward it (stage "gbdt
	// 120/500"; the per-product "P07 trained" report still ends the run).
	var single func(Progress)
	if len(products) == 1 {
		single = report
	}
	jobs := make(chan int)
	for w := 0; w < par; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range jobs {
				pid := products[k]
				s := Spec{ProductID: pid, Kind: spec.Kind, Algo: spec.Algo, Seed: spec.Seed, Folds: spec.Folds, Workers: workers, SampleRows: spec.SampleRows}
				if err := s.normalize(); err != nil {
					mu.Lock()
					errs = append(errs, &ProductError{pid, err})
					mu.Unlock()
					continue
				}
				res, err := func() (*Result, error) {
					pb := b
					if perProduct {
						var err error
						if pb, err = sampledBase(ctx, ws, pid, s.Kind, limit, s.Seed, nil); err != nil {
							return nil, err
						}
						if pb == nil {
							return nil, fmt.Errorf("profiles: the customer view no longer has more than %d customers", limit)
						}
						defer pb.Close(ws)
					}
					f, y, err := pb.ProductData(ctx, ws, pid, s.Kind)
					if err != nil {
						return nil, err
					}
					res, err := Fit(ctx, f, y, s, single)
					if err != nil {
						return nil, err
					}
					applySample(res, pb.sample)
					res.Source = "customer view"
					res.Fingerprint = Fingerprint(f, y)
					if o, ok := oracle[pid]; ok && s.Kind == Lookalike {
						res.Oracle = o
					}
					regMu.Lock()
					defer regMu.Unlock()
					return res, Register(ctx, ws, res)
				}()
				mu.Lock()
				outcome := "trained"
				if err != nil {
					outcome = "failed"
					if ctx.Err() == nil {
						errs = append(errs, &ProductError{pid, err})
					} else {
						outcome = "cancelled"
					}
				} else {
					results[k] = res
				}
				done++
				report(Progress{Done: done, Total: total, Stage: fmt.Sprintf("P%02d %s", pid, outcome)}) // serialized by mu
				mu.Unlock()
			}
		}()
	}
	for k := range products {
		select {
		case jobs <- k:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*Result
	for _, r := range results {
		if r != nil {
			out = append(out, r)
		}
	}
	sort.SliceStable(errs, func(i, j int) bool {
		var a, b *ProductError
		if errors.As(errs[i], &a) && errors.As(errs[j], &b) {
			return a.ProductID < b.ProductID
		}
		return false
	})
	return out, errors.Join(errs...)
}

// Scores are the scored rows of one model.
type Scores struct {
	ModelID string
	IDName  string
	IDs     []string
	Score   []float64
}

// ScoreTable scores every row of table with a registered model. The table must have the
// model's id column and every source column its encoder reads; missing ones are an error
// naming them all.
func ScoreTable(ctx context.Context, ws *workspace.Workspace, ref, table string, report func(Progress)) (*Scores, error) {
	s, err := Load(ctx, ws, ref)
	if err != nil {
		return nil, err
	}
	id := s.ID // a table model trained without an id numbers the rows (features.RowNumber)
	if id == "" && s.ProductID > 0 {
		id = "customer_id"
	}
	f, err := features.Load(ctx, ws, features.LoadSpec{Query: table, ID: id}, loadReport(report))
	if err != nil {
		return nil, fmt.Errorf("profiles: score %s: %w", table, err)
	}
	p, err := s.Encoder.Transform(f)
	if err != nil {
		var mc *features.MissingColumnsError
		if errors.As(err, &mc) {
			mc.Source = "scoring table " + table
			return nil, fmt.Errorf("profiles: score with %s: %w", s.ModelID, mc)
		}
		return nil, fmt.Errorf("profiles: score with %s: %w", s.ModelID, err)
	}
	scores := s.Calibrator.ApplyAll(s.Classifier.Predict(p))
	return &Scores{ModelID: s.ModelID, IDName: f.IDName, IDs: f.IDs, Score: scores}, nil
}

// ScoreBase scores the customer base with a product model: the customer view is rebuilt
// and every customer who does not hold the product is scored. A table model scores its own
// source table instead.
func ScoreBase(ctx context.Context, ws *workspace.Workspace, ref string, report func(Progress)) (*Scores, error) {
	s, err := Load(ctx, ws, ref)
	if err != nil {
		return nil, err
	}
	if s.ProductID == 0 {
		if _, files, _ := FileSource(s.Source); files {
			return nil, fmt.Errorf("profiles: model %s was trained on the files %s, which are not a table of the workspace: score a table with the same columns (acrm import the files, then acrm score --model %s --table T)", s.ModelID, s.Source, s.ModelID)
		}
		return ScoreTable(ctx, ws, s.ModelID, s.Source, report)
	}
	b, err := LoadBase(ctx, ws, report)
	if err != nil {
		return nil, err
	}
	own := b.Frame.Col(features.OwnCol(s.ProductID))
	if own == nil {
		return nil, fmt.Errorf("profiles: model %s is for product %d, which the products table no longer has", s.ModelID, s.ProductID)
	}
	f, err := b.View.ForProduct(ctx, ws, b.Frame, s.ProductID)
	if err != nil {
		return nil, err
	}
	var idx []int
	for i, v := range own.Num {
		if !(v > 0) {
			idx = append(idx, i)
		}
	}
	f = f.Subset(idx)
	p, err := s.Predict(f)
	if err != nil {
		return nil, err
	}
	return &Scores{ModelID: s.ModelID, IDName: "customer_id", IDs: f.IDs, Score: p}, nil
}

// Save replaces the model's rows in acrm_scores with these scores, in one transaction.
// Ids must be integers (customer ids).
func (sc *Scores) Save(ctx context.Context, ws *workspace.Workspace) error {
	ids := make([]int64, len(sc.IDs))
	for i, s := range sc.IDs {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("profiles: acrm_scores needs integer customer ids; row %d has id %q (write a CSV with -o instead)", i+1, s)
		}
		ids[i] = v
	}
	return ws.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM acrm_scores WHERE model_id = ?`, sc.ModelID); err != nil {
			return fmt.Errorf("profiles: save scores: %w", err)
		}
		const chunk = 2000
		mid := workspace.QuoteString(sc.ModelID)
		buf := make([]byte, 0, 64*chunk)
		for lo := 0; lo < len(ids); lo += chunk {
			if err := ctx.Err(); err != nil {
				return err
			}
			hi := min(lo+chunk, len(ids))
			buf = append(buf[:0], "INSERT INTO acrm_scores SELECT "+mid+", v.id, v.s, now()::TIMESTAMP FROM (VALUES "...)
			for i := lo; i < hi; i++ {
				if i > lo {
					buf = append(buf, ',')
				}
				v := sc.Score[i]
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("profiles: score of id %d is %v", ids[i], v)
				}
				buf = append(buf, '(')
				buf = strconv.AppendInt(buf, ids[i], 10)
				buf = append(buf, ',')
				buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
				buf = append(buf, ')')
			}
			buf = append(buf, ") AS v(id, s)"...)
			if _, err := tx.ExecContext(ctx, string(buf)); err != nil {
				return fmt.Errorf("profiles: save scores: %w", err)
			}
		}
		return nil
	})
}

// ScoreCustomersAt scores the customers ids with a product model on the customer view as of
// at (features.View.At), whether or not they hold the product now: how the model would have
// ranked a past campaign's members. Customers the view does not have are left out.
func ScoreCustomersAt(ctx context.Context, ws *workspace.Workspace, ref string, at time.Time, ids []int64) (map[int64]float64, string, error) {
	s, err := Load(ctx, ws, ref)
	if err != nil {
		return nil, "", err
	}
	if s.ProductID == 0 {
		return nil, "", fmt.Errorf("profiles: model %s is not a product model; only product models score customers as of a date", s.ModelID)
	}
	v, err := features.CustomerView(ctx, ws)
	if err != nil {
		return nil, "", fmt.Errorf("profiles: %w", err)
	}
	v = v.At(at)
	f, err := features.Load(ctx, ws, features.LoadSpec{Query: v.SQL, ID: "customer_id"}, nil)
	if err != nil {
		return nil, "", fmt.Errorf("profiles: customer view as of %s: %w", at.Format(time.DateOnly), err)
	}
	fp, err := v.ForProduct(ctx, ws, f, s.ProductID)
	if err != nil {
		return nil, "", err
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[strconv.FormatInt(id, 10)] = true
	}
	var idx []int
	for i, id := range fp.IDs {
		if want[id] {
			idx = append(idx, i)
		}
	}
	fp = fp.Subset(idx)
	p, err := s.Predict(fp)
	if err != nil {
		return nil, "", err
	}
	out := make(map[int64]float64, len(p))
	for i, id := range fp.IDs {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return nil, "", fmt.Errorf("profiles: customer id %q is not an integer", id)
		}
		out[n] = p[i]
	}
	return out, s.ModelID, nil
}
