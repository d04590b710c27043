package profiles

import (
	"context"

	"github.com/acrm-dev/acrm/analysis/progress"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// TrainOneProduct is the use case "train product spec.ProductID": it loads the customer
// view, reads the oracle AUCs (sample data only) and trains and registers the product's
// models. acrm train --product calls it; TrainAll is the same for every product.
func TrainOneProduct(ctx context.Context, ws *workspace.Workspace, spec Spec, report func(Progress)) (*Result, error) {
	// loading the view is a prelude: the job's bar is the fit's and never runs back
	b, err := LoadBase(ctx, ws, progress.Prelude(report))
	if err != nil {
		return nil, err
	}
	oracle, err := OracleAUC(ctx, ws)
	if err != nil {
		return nil, err
	}
	return TrainProduct(ctx, ws, b, spec, oracle, report)
}
