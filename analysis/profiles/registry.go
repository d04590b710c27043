package profiles

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/acrm-dev/acrm/analysis/features"
	"github.com/acrm-dev/acrm/analysis/model"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Metrics is the JSON stored in acrm_models.metrics: the cross-validated evaluation of the
// kept model (AUC = mean fold AUC, the number it was chosen on; the other measures and the
// charts' deciles, gains and calibration bins from the calibrated out-of-fold predictions
// of every labelled row), every candidate's CV AUC, and what the run knew about itself.
type Metrics struct {
	AUC         float64            `json:"auc"`    // mean CV AUC over the folds
	AUCSD       float64            `json:"auc_sd"` // standard deviation of the fold AUCs
	Gini        float64            `json:"gini"`
	Lift        float64            `json:"lift"` // top-decile lift (out-of-fold)
	Brier       float64            `json:"brier"`
	CalErr      float64            `json:"cal_err"`
	SelectedBy  string             `json:"selected_by"` // the metric the kept model was chosen on (cv_auc)
	Params      string             `json:"params,omitempty"`
	OracleAUC   *float64           `json:"oracle_auc,omitempty"`
	TrainMS     float64            `json:"train_ms"`
	Calibration string             `json:"calibration"`
	BaseRate    float64            `json:"base_rate"`
	Rows        int                `json:"rows"`
	Positives   int                `json:"positives"`
	Folds       int                `json:"folds"`
	NTest       int                `json:"n_test"` // rows with an out-of-fold prediction (all labelled rows)
	CVAUC       []float64          `json:"cv_auc,omitempty"`
	Candidates  []Candidate        `json:"candidates,omitempty"`
	Deciles     []model.Decile     `json:"deciles"`
	Gains       []model.GainPoint  `json:"gains"`
	CalBins     []model.CalBin     `json:"calibration_bins"`
	ROC         []model.ROCPoint   `json:"roc,omitempty"`
	Rules       []model.Rule       `json:"rules,omitempty"`
	Importance  []Importance       `json:"importance,omitempty"`
	Warnings    []string           `json:"warnings,omitempty"`
	Dropped     []features.Note    `json:"dropped,omitempty"`
	Extra       map[string]float64 `json:"extra,omitempty"`
	// Qini and QiniSD are an uplift profile's mean cross-validated Qini coefficient and its
	// spread over the folds (the number its method was chosen on; AUC is then 0).
	Qini   float64 `json:"qini,omitempty"`
	QiniSD float64 `json:"qini_sd,omitempty"`
	Method string  `json:"method,omitempty"` // uplift: two-model|class-transformation and the base learner

	// Sample is the stratified sample the model was trained on (its metrics are the
	// sample's; its calibration is corrected to the source's rates).
	Sample *Sample `json:"sample,omitempty"`
}

// blob is what acrm_models.blob holds: everything scoring needs.
type blob struct {
	Format     string            `json:"format"` // "acrm-profile"
	Version    int               `json:"version"`
	Kind       string            `json:"kind"`
	ProductID  int               `json:"product_id,omitempty"`
	Source     string            `json:"source"`
	ID         string            `json:"id"`
	Target     string            `json:"target"`
	Exclude    []string          `json:"exclude,omitempty"`
	Model      json.RawMessage   `json:"model"`
	Encoder    *features.Encoder `json:"encoder"`
	Calibrator *model.Calibrator `json:"calibrator"`
}

const blobFormat = "acrm-profile"

// Fingerprint is a SHA-256 over the training data as the run saw it: row ids, column names
// and values, and labels. Two runs with the same fingerprint trained on identical data.
func Fingerprint(f *features.Frame, y []float64) string {
	h := sha256.New()
	var b [8]byte
	put := func(v float64) {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		h.Write(b[:])
	}
	for _, id := range f.IDs {
		h.Write([]byte(id))
		h.Write([]byte{0})
	}
	for _, c := range f.Cols {
		h.Write([]byte(c.Name))
		h.Write([]byte{1})
		if c.Numeric {
			for _, v := range c.Num {
				put(v)
			}
		} else {
			for i, s := range c.Str {
				if c.Null[i] {
					h.Write([]byte{2})
				} else {
					h.Write([]byte(s))
				}
				h.Write([]byte{0})
			}
		}
	}
	for _, v := range y {
		put(v)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Candidate is one algorithm a run compared by cross-validation.
type Candidate struct {
	Algo   string    `json:"algo"`
	AUC    float64   `json:"auc"`    // mean fold AUC
	AUCSD  float64   `json:"auc_sd"` // standard deviation of the fold AUCs
	CVAUC  []float64 `json:"cv_auc"`
	Lift   float64   `json:"lift"` // out-of-fold top-decile lift
	Params string    `json:"params,omitempty"`
	Kept   bool      `json:"kept,omitempty"`
	Qini   float64   `json:"qini,omitempty"` // uplift runs: mean fold Qini coefficient (AUC and CVAUC are then 0/empty)
}

// Candidates lists the run's candidates with their CV AUC (kept one marked).
func (r *Result) Candidates() []Candidate {
	var out []Candidate
	for _, t := range r.Models {
		if r.Spec.Kind == Uplift {
			out = append(out, Candidate{Algo: string(t.Algo), Qini: t.CVMean(), Params: t.Params, Kept: t.IsBest})
			continue
		}
		out = append(out, Candidate{Algo: string(t.Algo), AUC: t.CVMean(), AUCSD: t.CVSD(), CVAUC: t.CVAUC,
			Lift: t.OOF.TopDecileLift, Params: t.Params, Kept: t.IsBest})
	}
	return out
}

func (r *Result) metrics(t *Trained) Metrics {
	m := Metrics{
		AUC: t.CVMean(), AUCSD: t.CVSD(), Gini: 2*t.CVMean() - 1, Lift: t.OOF.TopDecileLift, Brier: t.OOF.Brier,
		CalErr: t.OOF.CalError, SelectedBy: SelectedBy, Params: t.Params, TrainMS: float64(t.TrainTime.Microseconds()) / 1000,
		Calibration: t.Calibration, BaseRate: t.OOF.BaseRate, Rows: r.Rows, Positives: r.Positives,
		Folds: r.Folds, NTest: t.OOF.N, CVAUC: t.CVAUC, Candidates: r.Candidates(),
		Deciles: t.OOF.Deciles, Gains: t.OOF.Gains, CalBins: t.OOF.Calibration, ROC: finiteROC(t.OOF.ROC),
		Rules: t.Rules, Importance: t.Importance, Warnings: r.Warnings, Dropped: t.Encoder.Dropped,
		Sample: r.Sample,
	}
	if !math.IsNaN(r.Oracle) {
		o := r.Oracle
		m.OracleAUC = &o
	}
	if r.Spec.Kind == Uplift {
		m.AUC, m.AUCSD, m.Gini, m.CVAUC, m.BaseRate = 0, 0, 0, nil, float64(r.Positives)/float64(max(r.Rows, 1))
		m.Qini, m.QiniSD, m.Method, m.SelectedBy = t.CVMean(), t.CVSD(), t.Params, SelectedByQini
		m.Extra = map[string]float64{}
		for k, q := range t.CVAUC {
			m.Extra[fmt.Sprintf("qini_fold_%d", k+1)] = q
		}
	}
	return m
}

// finiteROC clamps the ±Inf thresholds at the ends of a ROC curve (JSON has no Inf); scores
// are probabilities, so 1 and 0 bound them.
func finiteROC(r []model.ROCPoint) []model.ROCPoint {
	out := append([]model.ROCPoint(nil), r...)
	for i := range out {
		switch {
		case math.IsInf(out[i].Threshold, 1) || out[i].Threshold > 1:
			out[i].Threshold = 1
		case math.IsInf(out[i].Threshold, -1) || out[i].Threshold < 0:
			out[i].Threshold = 0
		}
	}
	return out
}

// Register writes the run's kept model into acrm_models in one transaction (its metrics
// carry every candidate's CV AUC): versions continue from the highest registered version of
// the name, the new model gets is_best and every older version of the name loses it — unless
// the run is a challenger (Spec.Challenger) of a name that already has a version: it is then
// registered without serving, until acrm models promote.
func Register(ctx context.Context, ws *workspace.Workspace, r *Result) error {
	type row struct {
		params, features, metrics, blob []byte
	}
	var kept []*Trained
	for _, t := range r.Models {
		if t.Classifier != nil {
			kept = append(kept, t)
		}
	}
	rows := make([]row, len(kept))
	for k, t := range kept {
		mb, err := model.Marshal(t.Classifier)
		if err != nil {
			return fmt.Errorf("profiles: register %s: %w", r.Spec.Name, err)
		}
		b := blob{Format: blobFormat, Version: 1, Kind: r.Spec.Kind, ProductID: r.Spec.ProductID,
			Source: r.Source, ID: r.Spec.ID, Target: r.Spec.Target, Exclude: r.Spec.Exclude,
			Model: mb, Encoder: t.Encoder, Calibrator: t.Calibrator}
		var err1, err2, err3, err4 error
		rows[k].blob, err1 = json.Marshal(b)
		rows[k].params, err2 = json.Marshal(t.Options)
		rows[k].features, err3 = json.Marshal(t.Encoder.Names)
		rows[k].metrics, err4 = json.Marshal(r.metrics(t))
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			return fmt.Errorf("profiles: register %s: %w", r.Spec.Name, err)
		}
	}
	target := r.Spec.Target
	if r.Spec.Kind != Expr {
		target = r.Spec.Kind
	}
	var product any
	if r.Spec.ProductID > 0 {
		product = r.Spec.ProductID
	}
	now := time.Now().UTC()
	return ws.Tx(ctx, func(tx *sql.Tx) error {
		var v sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT max(version) FROM acrm_models WHERE name = ?`, r.Spec.Name).Scan(&v); err != nil {
			return fmt.Errorf("profiles: register %s: %w", r.Spec.Name, err)
		}
		// A challenger is registered beside the serving version; a first version serves anyway.
		challenger := r.Spec.Challenger && v.Valid
		if !challenger {
			if _, err := tx.ExecContext(ctx, `UPDATE acrm_models SET is_best = false WHERE name = ? AND is_best`, r.Spec.Name); err != nil {
				return fmt.Errorf("profiles: register %s: %w", r.Spec.Name, err)
			}
		}
		for k, t := range kept {
			version := int(v.Int64) + k + 1
			id := fmt.Sprintf("%s@v%d", r.Spec.Name, version)
			_, err := tx.ExecContext(ctx, `INSERT INTO acrm_models
				(model_id, name, product_id, target, source, algo, version, params, features, metrics, fingerprint, is_best, created_at, blob)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, r.Spec.Name, product, target, r.Source, string(t.Algo), version,
				string(rows[k].params), string(rows[k].features), string(rows[k].metrics), r.Fingerprint, t.IsBest && !challenger, now, rows[k].blob)
			if err != nil {
				return fmt.Errorf("profiles: register %s: %w", id, err)
			}
			t.ModelID, t.Version = id, version
			if t.IsBest && !challenger {
				if err := logServing(ctx, tx, r.Spec.Name, id, "train", now); err != nil {
					return fmt.Errorf("profiles: register %s: serving log: %w", id, err)
				}
			}
		}
		return nil
	})
}

// Entry is one row of the registry.
type Entry struct {
	ModelID     string
	Name        string
	ProductID   int // 0 for table models
	Target      string
	Source      string
	Algo        string
	Version     int
	Fingerprint string
	IsBest      bool
	CreatedAt   time.Time
	Features    int
	Metrics     Metrics
	// Problem is set when the row's stored metrics cannot be read (e.g. hand-edited or
	// from a damaged workspace): the row is still listed, with zero Metrics, so one bad
	// row does not hide the rest of the registry.
	Problem string
}

// List returns the registry, newest name first, versions ascending. A row whose metrics
// cannot be read is listed with Problem set rather than failing the whole list.
func List(ctx context.Context, db *workspace.Workspace) ([]Entry, error) {
	rows, err := db.QueryContext(ctx, `SELECT model_id, name, coalesce(product_id, 0), target, source, algo, version,
		coalesce(fingerprint, ''), coalesce(is_best, false), created_at, coalesce(features, '[]'), coalesce(metrics, '{}')
		FROM acrm_models ORDER BY product_id NULLS LAST, name, version`)
	if err != nil {
		return nil, fmt.Errorf("profiles: list models: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var feats, mets string
		if err := rows.Scan(&e.ModelID, &e.Name, &e.ProductID, &e.Target, &e.Source, &e.Algo, &e.Version,
			&e.Fingerprint, &e.IsBest, &e.CreatedAt, &feats, &mets); err != nil {
			return nil, fmt.Errorf("profiles: list models: %w", err)
		}
		var names []string
		_ = json.Unmarshal([]byte(feats), &names)
		e.Features = len(names)
		if err := json.Unmarshal([]byte(mets), &e.Metrics); err != nil {
			e.Metrics = Metrics{}
			e.Problem = fmt.Sprintf("its metrics are not readable JSON (%v); retrain it or delete it with acrm models --delete %s", err, e.ModelID)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Stored is a registered model ready to score.
type Stored struct {
	ModelID    string
	Name       string
	Algo       string
	Kind       string
	ProductID  int
	Source     string
	ID         string
	Target     string
	Classifier model.Classifier
	Encoder    *features.Encoder
	Calibrator *model.Calibrator
}

// ErrNotFound is returned when a model reference matches nothing in the registry.
var ErrNotFound = errors.New("no such model")

// Load reads a model from the registry. ref is a model id (name@vN) or a name, which means
// the name's best model of its latest run (or its latest version when none is marked best).
func Load(ctx context.Context, db *workspace.Workspace, ref string) (*Stored, error) {
	var q string
	if strings.Contains(ref, "@") {
		q = `SELECT model_id, name, algo, blob FROM acrm_models WHERE model_id = ?`
	} else {
		q = `SELECT model_id, name, algo, blob FROM acrm_models WHERE name = ? ORDER BY coalesce(is_best, false) DESC, version DESC LIMIT 1`
	}
	var s Stored
	var b []byte
	err := db.QueryRowContext(ctx, q, ref).Scan(&s.ModelID, &s.Name, &s.Algo, &b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("profiles: model %q: %w in the registry (acrm models lists them)", ref, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("profiles: load model %q: %w", ref, err)
	}
	var bl blob
	if err := json.Unmarshal(b, &bl); err != nil {
		return nil, fmt.Errorf("profiles: model %s: blob: %w", s.ModelID, err)
	}
	if bl.Format != blobFormat || bl.Encoder == nil || bl.Calibrator == nil {
		return nil, fmt.Errorf("profiles: model %s: blob is not an acrm profile (format %q)", s.ModelID, bl.Format)
	}
	c, err := model.Unmarshal(bl.Model)
	if err != nil {
		return nil, fmt.Errorf("profiles: model %s: %w", s.ModelID, err)
	}
	s.Kind, s.ProductID, s.Source, s.ID, s.Target = bl.Kind, bl.ProductID, bl.Source, bl.ID, bl.Target
	s.Classifier, s.Encoder, s.Calibrator = c, bl.Encoder, bl.Calibrator
	return &s, nil
}

// Delete removes a model version (or every version of a name) and its scores.
func Delete(ctx context.Context, ws *workspace.Workspace, ref string) (int64, error) {
	var n int64
	err := ws.Tx(ctx, func(tx *sql.Tx) error {
		col := "name"
		if strings.Contains(ref, "@") {
			col = "model_id"
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM acrm_scores WHERE model_id IN (SELECT model_id FROM acrm_models WHERE `+col+` = ?)`, ref); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM acrm_models WHERE `+col+` = ?`, ref)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("profiles: delete %s: %w", ref, err)
	}
	if n == 0 {
		return 0, fmt.Errorf("profiles: delete %q: %w in the registry", ref, ErrNotFound)
	}
	return n, nil
}

// Predict returns calibrated probabilities for the rows of f.
func (s *Stored) Predict(f *features.Frame) ([]float64, error) {
	X, err := s.Encoder.Transform(f)
	if err != nil {
		return nil, fmt.Errorf("profiles: score with %s: %w", s.ModelID, err)
	}
	return s.Calibrator.ApplyAll(s.Classifier.Predict(X)), nil
}

// PredictRows returns the calibrated probabilities of the rows lo … hi−1 of f, the same as
// Predict on those rows. A linear (logit) model is scored column by column on f itself
// (features.Encoder.Linear: no encoded matrix is built; cache shares the per-column
// preparation between calls on frames with common columns); any other model encodes the
// rows and predicts.
func (s *Stored) PredictRows(f *features.Frame, lo, hi int, cache *features.LinearCache) ([]float64, error) {
	lin, ok := s.Classifier.(model.Linear)
	if !ok {
		return s.Predict(f.Slice(lo, hi))
	}
	b0, coef := lin.Coefficients()
	z := make([]float64, hi-lo)
	if err := s.Encoder.Linear(f, b0, coef, cache, lo, hi, z); err != nil {
		return nil, fmt.Errorf("profiles: score with %s: %w", s.ModelID, err)
	}
	for i, v := range z {
		z[i] = s.Calibrator.Apply(model.Sigmoid(v))
	}
	return z, nil
}
