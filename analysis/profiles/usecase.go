package profiles

import (
	"context"

	"github.com/acrm-dev/acrm/analysis/progress"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// TrainOneProduct is the use case "train product spec.ProductID": it loads the customer
// view, reads the oracle AUCs (sample data only) and trains and registers the product's
// models. acrm train --product calls it; TrainAll is the same for every product.
//
// A view of more customers than spec.SampleRows (default DefaultSampleRows) is trained on a
// sample drawn inside DuckDB (sampledBase): the rest of the view is never loaded.
func TrainOneProduct(ctx context.Context, ws *workspace.Workspace, spec Spec, report func(Progress)) (*Result, error) {
	if err := spec.normalize(); err != nil {
		return nil, err
	}
	// loading the view is a prelude: the job's bar is the fit's and never runs back
	b, err := sampledBase(ctx, ws, spec.ProductID, spec.Kind, sampleLimit(spec.SampleRows), spec.Seed, progress.Prelude(report))
	if err != nil {
		return nil, err
	}
	defer b.Close(ws)
	if b == nil {
		if b, err = LoadBase(ctx, ws, progress.Prelude(report)); err != nil {
			return nil, err
		}
	}
	oracle, err := OracleAUC(ctx, ws)
	if err != nil {
		return nil, err
	}
	return TrainProduct(ctx, ws, b, spec, oracle, report)
}
