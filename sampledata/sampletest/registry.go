package sampletest

import (
	"context"
	"fmt"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// PinTrainTimes sets every registered model's train time to zero: it is the one wall-clock
// number of a training run, so golden screens pin it to stay byte-identical across runs.
func PinTrainTimes(ctx context.Context, ws *workspace.Workspace) error {
	_, err := ws.ExecContext(ctx, `UPDATE acrm_models SET metrics = json_merge_patch(metrics, '{"train_ms": 0}')::VARCHAR`)
	return err
}

// registryColumns are the acrm_models columns a snapshot keeps (everything but the model
// blob: the screens' goldens read the registry, they never score).
const registryColumns = `model_id, name, product_id, target, source, algo, version, params, features, metrics, fingerprint, is_best, created_at`

// SaveRegistry writes the model registry (without model blobs) to path as newline-delimited
// JSON, ordered by model id.
func SaveRegistry(ctx context.Context, ws *workspace.Workspace, path string) error {
	q := fmt.Sprintf(`COPY (SELECT %s FROM acrm_models ORDER BY model_id) TO %s (FORMAT json)`, registryColumns, workspace.QuoteString(path))
	_, err := ws.ExecContext(ctx, q)
	return err
}

// LoadRegistry adds the registry rows SaveRegistry wrote at path to ws.
func LoadRegistry(ctx context.Context, ws *workspace.Workspace, path string) error {
	q := fmt.Sprintf(`INSERT INTO acrm_models (%[1]s) SELECT %[1]s FROM read_json(%[2]s, columns = {
		model_id: 'VARCHAR', name: 'VARCHAR', product_id: 'INTEGER', target: 'VARCHAR', source: 'VARCHAR',
		algo: 'VARCHAR', version: 'INTEGER', params: 'VARCHAR', features: 'VARCHAR', metrics: 'VARCHAR',
		fingerprint: 'VARCHAR', is_best: 'BOOLEAN', created_at: 'TIMESTAMP'})`, registryColumns, workspace.QuoteString(path))
	_, err := ws.ExecContext(ctx, q)
	return err
}
