package sim

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// ModelGains is the holdout cumulative gains curve of a trained model in acrm_models.
type ModelGains struct {
	ModelID   string
	ProductID int // 0 when the model is not tied to a product
	AUC       float64
	Gains     []GainPoint
}

// ErrNoModel is returned when a model reference matches nothing in acrm_models.
var ErrNoModel = errors.New("no such model")

// LoadModelGains reads the holdout gains curve from the metrics JSON of a trained model.
// ref is a model_id (name@vN) or a model name (its best, else latest, version).
func LoadModelGains(ctx context.Context, ws *workspace.Workspace, ref string) (ModelGains, error) {
	var mg ModelGains
	var pid sql.NullInt64
	var metrics sql.NullString
	err := ws.QueryRowContext(ctx, `SELECT model_id, product_id, metrics FROM acrm_models
		WHERE model_id = ? OR name = ? ORDER BY model_id = ? DESC, is_best DESC, version DESC LIMIT 1`, ref, ref, ref).
		Scan(&mg.ModelID, &pid, &metrics)
	if errors.Is(err, sql.ErrNoRows) {
		return mg, fmt.Errorf("sim: model %q: %w in acrm_models (see acrm models)", ref, ErrNoModel)
	}
	if err != nil {
		return mg, fmt.Errorf("sim: model %q: %w", ref, err)
	}
	mg.ProductID = int(pid.Int64)
	var m struct {
		AUC   float64 `json:"auc"`
		Gains []struct {
			Share float64 `json:"Share"`
			Gain  float64 `json:"Gain"`
		} `json:"gains"`
	}
	if err := json.Unmarshal([]byte(metrics.String), &m); err != nil {
		return mg, fmt.Errorf("sim: model %s: metrics are not readable JSON: %w", mg.ModelID, err)
	}
	if len(m.Gains) == 0 {
		return mg, fmt.Errorf("sim: model %s has no holdout gains curve in its metrics", mg.ModelID)
	}
	mg.AUC = m.AUC
	for _, g := range m.Gains {
		mg.Gains = append(mg.Gains, GainPoint{Depth: g.Share, Gain: g.Gain})
	}
	if _, err := normalizeGains(mg.Gains); err != nil {
		return mg, fmt.Errorf("sim: model %s: %w", mg.ModelID, err)
	}
	return mg, nil
}

// TargetedConversion is the conversion of a campaign that contacts the top `volume` of a
// base of `base` customers ranked by a model, when a random selection converts at rate:
//
//	conversion = G(volume/base) · base · rate / volume
//
// with G the gains curve (the share of all responders in the top volume/base). A result
// above 100 % means the inputs contradict each other (the top of the base would hold more
// responders than customers: the rate is too high for this gains curve, or the volume too
// small for its first knot); that is an error (ErrConversionAboveOne), not a silent cap.
func TargetedConversion(gains []GainPoint, base, volume, rate float64) (float64, error) {
	if err := finiteNonNeg("base", base); err != nil {
		return 0, err
	}
	if err := share("conversion", rate); err != nil {
		return 0, err
	}
	if volume <= 0 || math.IsNaN(volume) {
		return 0, fmt.Errorf("targeted volume must be positive, got %v", volume)
	}
	if volume > base {
		return 0, fmt.Errorf("targeted volume %s is more than the base of %s customers", FormatCount(volume), FormatCount(base))
	}
	g, err := normalizeGains(gains)
	if err != nil {
		return 0, err
	}
	c := gainAt(g, volume/base) * base * rate / volume
	if c > 1+1e-12 {
		return 0, fmt.Errorf("%w: by the gains curve the top %s of %s customers hold %s of the responders of a %s response: %s contracts from %s contacts (%.0f %%); lower the response rate or select more customers",
			ErrConversionAboveOne, FormatCount(volume), FormatCount(base), FormatPercent(gainAt(g, volume/base)), FormatPercent(rate),
			FormatCount(roundCount(c*volume)), FormatCount(volume), 100*c)
	}
	return math.Min(1, c), nil
}

// ErrConversionAboveOne is returned by TargetedConversion when the gains curve and the
// response rate imply more contracts than contacts.
var ErrConversionAboveOne = errors.New("targeted conversion above 100 %")

// InboundFromModel derives the inbound inputs from the batch scores of a model in acrm_scores
// (its latest scoring run) and a live-scoring threshold: see InboundFromScores. The scored
// base stands in for the customers who call. It returns the number of scores used.
func InboundFromModel(ctx context.Context, ws *workspace.Workspace, ref string, threshold float64) (interesting, closeRate float64, n int, err error) {
	var id string
	err = ws.QueryRowContext(ctx, `SELECT model_id FROM acrm_models
		WHERE model_id = ? OR name = ? ORDER BY model_id = ? DESC, is_best DESC, version DESC LIMIT 1`, ref, ref, ref).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, 0, fmt.Errorf("sim: model %q: %w in acrm_models (see acrm models)", ref, ErrNoModel)
	}
	if err != nil {
		return 0, 0, 0, fmt.Errorf("sim: model %q: %w", ref, err)
	}
	rows, err := ws.QueryContext(ctx, `SELECT score FROM acrm_scores
		WHERE model_id = ? AND scored_at = (SELECT max(scored_at) FROM acrm_scores WHERE model_id = ?)`, id, id)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("sim: scores of %s: %w", id, err)
	}
	defer rows.Close()
	var scores []float64
	for rows.Next() {
		var s float64
		if err := rows.Scan(&s); err != nil {
			return 0, 0, 0, fmt.Errorf("sim: scores of %s: %w", id, err)
		}
		scores = append(scores, s)
	}
	if err := rows.Err(); err != nil {
		return 0, 0, 0, fmt.Errorf("sim: scores of %s: %w", id, err)
	}
	if len(scores) == 0 {
		return 0, 0, 0, fmt.Errorf("sim: model %s has no scores in acrm_scores; score the base first (acrm score)", id)
	}
	interesting, closeRate, err = InboundFromScores(scores, threshold)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("sim: model %s: %w", id, err)
	}
	return interesting, closeRate, len(scores), nil
}
