package profiles

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/acrm-dev/acrm/analysis/workspace"
)

// Promote makes the model version ref (name@vN) the one its name serves (is_best): the next
// acrm score --all and every "name" reference use it. The other versions stay in the
// registry, and promoting an older one back is the same call. It returns the version that
// served before (the same as ref when it already did).
func Promote(ctx context.Context, ws *workspace.Workspace, ref string) (previous string, err error) {
	if !strings.Contains(ref, "@") {
		return "", fmt.Errorf("profiles: promote %q: name a version, name@vN (acrm models lists them)", ref)
	}
	var name string
	err = ws.QueryRowContext(ctx, `SELECT name FROM acrm_models WHERE model_id = ?`, ref).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("profiles: promote %q: %w in the registry (acrm models lists them)", ref, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("profiles: promote %q: %w", ref, err)
	}
	var prev sql.NullString
	if err := ws.QueryRowContext(ctx, `SELECT model_id FROM acrm_models WHERE name = ? AND is_best LIMIT 1`, name).Scan(&prev); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("profiles: promote %q: %w", ref, err)
	}
	err = ws.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE acrm_models SET is_best = (model_id = ?) WHERE name = ?`, ref, name)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("profiles: promote %q: %w", ref, err)
	}
	return prev.String, nil
}
