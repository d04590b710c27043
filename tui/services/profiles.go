package services

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"

	"github.com/acrm-dev/acrm/analysis/datamart"
	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/charts"
	"github.com/acrm-dev/acrm/charts/deck"
)

// ProfileService is what the Profiles screen asks of the analysis layer: the model registry
// with product names and oracle AUCs, training runs, deletion and the gains chart export.
// The workspace-backed *Workspace implements it; screens get it with a type assertion on
// Common.Services.
type ProfileService interface {
	// ProfileBoard reads the products, the registered models and the oracle AUCs.
	ProfileBoard(ctx context.Context) (*ProfileBoard, error)
	// TrainProfiles trains look-alike profiles of the given products (nil = every product)
	// with algo (auto, logit, tree, gbdt) and registers them. Products that could not be
	// trained are named in the error while the others are kept.
	TrainProfiles(ctx context.Context, products []int, algo string, report func(Progress)) (*TrainSummary, error)
	// DeleteProfile removes one model version (name@vN) and its scores.
	DeleteProfile(ctx context.Context, modelID string) (int64, error)
	// ExportGains writes the cumulative gains and lift chart of a model (and optionally a
	// second one to compare) to path (format from the extension, temp file + rename) and
	// returns the absolute path written.
	ExportGains(ctx context.Context, path, modelID, compareID string) (string, error)
}

// ProfileModel is a registered model with its product's name.
type ProfileModel = deck.Model

// ProfileProduct is one product of the datamart.
type ProfileProduct struct {
	ID        int
	Code      string
	Name      string
	Objective string
	// Oracle is the generator's oracle AUC (sample data only, for display); NaN if unknown.
	Oracle float64
}

// ProfileBoard is what the leaderboard shows.
type ProfileBoard struct {
	Products []ProfileProduct
	Models   []ProfileModel // registry order: newest name first, versions ascending
}

// TrainSummary says what a training run registered.
type TrainSummary struct {
	Products int // products trained
	Models   int // models registered
	// Best lists the best model id per trained product.
	Best []string
	// Failed names the products that could not be trained and why ("" when none).
	Failed string
}

var _ ProfileService = (*Workspace)(nil)

// ProfileBoard implements ProfileService.
func (w *Workspace) ProfileBoard(ctx context.Context) (*ProfileBoard, error) {
	src := &deck.Source{WS: w.WS}
	models, err := src.Models(ctx)
	if err != nil {
		return nil, fmt.Errorf("profiles: registry: %w", err)
	}
	oracle, err := profiles.OracleAUC(ctx, w.WS)
	if err != nil {
		return nil, fmt.Errorf("profiles: oracle AUC: %w", err)
	}
	b := &ProfileBoard{Models: models}
	ps, err := datamart.Products(ctx, w.WS)
	if errors.Is(err, datamart.ErrMissingTable) {
		return b, nil
	}
	if err != nil {
		return nil, fmt.Errorf("profiles: products: %w", err)
	}
	for _, dp := range ps {
		p := ProfileProduct{ID: dp.ID, Code: dp.Code, Name: dp.Name, Objective: dp.Objective, Oracle: math.NaN()}
		if v, ok := oracle[p.ID]; ok {
			p.Oracle = v
		}
		b.Products = append(b.Products, p)
	}
	return b, nil
}

// TrainProfiles implements ProfileService.
func (w *Workspace) TrainProfiles(ctx context.Context, products []int, algo string, report func(Progress)) (*TrainSummary, error) {
	if algo == "" {
		algo = "auto"
	}
	results, err := profiles.TrainAll(ctx, w.WS, profiles.AllSpec{Kind: profiles.Lookalike, Algo: algo, Seed: 1, Products: products}, report)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	s := &TrainSummary{}
	for _, r := range results {
		if r == nil {
			continue
		}
		s.Products++
		s.Models += r.Registered()
		if b := r.BestModel(); b != nil {
			s.Best = append(s.Best, b.ModelID)
		}
	}
	if err != nil {
		var pe *profiles.ProductError
		if s.Products == 0 {
			return nil, fmt.Errorf("profiles: train: %w", err)
		}
		s.Failed = err.Error()
		if errors.As(err, &pe) {
			s.Failed = pe.Error()
		}
	}
	return s, nil
}

// DeleteProfile implements ProfileService.
func (w *Workspace) DeleteProfile(ctx context.Context, modelID string) (int64, error) {
	return profiles.Delete(ctx, w.WS, modelID)
}

// ExportGains implements ProfileService.
func (w *Workspace) ExportGains(ctx context.Context, path, modelID, compareID string) (string, error) {
	src, err := deck.Open(ctx, w.WS)
	if err != nil {
		return "", err
	}
	models, err := src.Models(ctx)
	if err != nil {
		return "", err
	}
	m, err := deck.Resolve(models, modelID)
	if err != nil {
		return "", err
	}
	var others []deck.Model
	if compareID != "" && compareID != modelID {
		o, err := deck.Resolve(models, compareID)
		if err != nil {
			return "", err
		}
		others = append(others, o)
	}
	c, err := src.Gains(m, others...)
	if err != nil {
		return "", err
	}
	return writeChart(ctx, path, c)
}

// writeChart writes c to path (relative paths are taken from the working directory) through
// charts.WriteFile, which renders into a temporary file and renames it into place.
func writeChart(ctx context.Context, path string, c charts.Chart) (string, error) {
	if path == "" {
		return "", errors.New("export: no file name given")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("export %s: %w", path, err)
	}
	if _, err := charts.FormatFromPath(abs); err != nil {
		return "", fmt.Errorf("export %s: %w", path, err)
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := charts.WriteFile(abs, c); err != nil {
		return "", fmt.Errorf("export %s: %w", path, err)
	}
	return abs, nil
}
