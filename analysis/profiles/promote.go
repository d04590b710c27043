package profiles

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

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
	if prev.String == ref {
		return ref, nil
	}
	err = ws.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE acrm_models SET is_best = (model_id = ?) WHERE name = ?`, ref, name); err != nil {
			return err
		}
		return logServing(ctx, tx, name, ref, "promote", time.Now().UTC())
	})
	if err != nil {
		return "", fmt.Errorf("profiles: promote %q: %w", ref, err)
	}
	return prev.String, nil
}

// logServing records in acrm_model_serving that modelID serves name from at on: the name's
// open row is closed at the same time.
func logServing(ctx context.Context, tx *sql.Tx, name, modelID, via string, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE acrm_model_serving SET until_ts = ? WHERE name = ? AND until_ts IS NULL`, at, name); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO acrm_model_serving (name, model_id, since, until_ts, via) VALUES (?, ?, ?, NULL, ?)`, name, modelID, at, via)
	return err
}

// Serving is one row of the serving log: ModelID served its name from Since until Until
// (zero: it serves now), made to serve by Via (train or promote).
type Serving struct {
	Name, ModelID string
	Since, Until  time.Time
	Via           string
}

// ServingLog lists who served when, oldest first, for one model name ("" = every name).
func ServingLog(ctx context.Context, ws *workspace.Workspace, name string) ([]Serving, error) {
	rows, err := ws.QueryContext(ctx, `SELECT name, model_id, since, until_ts, via FROM acrm_model_serving
		WHERE ? = '' OR name = ? ORDER BY name, since, model_id`, name, name)
	if err != nil {
		return nil, fmt.Errorf("profiles: serving log: %w", err)
	}
	defer rows.Close()
	var out []Serving
	for rows.Next() {
		var s Serving
		var until sql.NullTime
		if err := rows.Scan(&s.Name, &s.ModelID, &s.Since, &until, &s.Via); err != nil {
			return nil, fmt.Errorf("profiles: serving log: %w", err)
		}
		if until.Valid {
			s.Until = until.Time
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
