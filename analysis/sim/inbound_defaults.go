package sim

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// InboundContactsPerMonth is the number of inbound contacts a month over the 12 months up to
// the latest contact (the inbound what-if's default volume).
func InboundContactsPerMonth(ctx context.Context, ws *workspace.Workspace) (float64, error) {
	var n sql.NullFloat64
	err := ws.QueryRowContext(ctx, `SELECT count(*) / 12.0 FROM contacts
		WHERE direction = 'inbound' AND ts > (SELECT max(ts) FROM contacts) - INTERVAL 12 MONTH`).Scan(&n)
	if err != nil {
		return 0, err
	}
	if !n.Valid || n.Float64 <= 0 {
		return 0, fmt.Errorf("no inbound contacts in the history")
	}
	return n.Float64, nil
}

// ModelMargin is the margin of the product of the model modelRef (an id, or a name whose
// best version is meant).
func ModelMargin(ctx context.Context, ws *workspace.Workspace, modelRef string) (float64, error) {
	var m sql.NullFloat64
	err := ws.QueryRowContext(ctx, `SELECT p.margin FROM acrm_models m JOIN products p ON p.product_id = m.product_id
		WHERE m.model_id = ? OR (m.name = ? AND m.is_best) LIMIT 1`, modelRef, modelRef).Scan(&m)
	if err != nil {
		return 0, err
	}
	if !m.Valid || m.Float64 <= 0 {
		return 0, fmt.Errorf("no product margin")
	}
	return m.Float64, nil
}
