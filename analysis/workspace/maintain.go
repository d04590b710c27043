package workspace

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
)

// StagePrefix starts the name of every table a run builds before it swaps the result in
// (acrm_stage_sample_customers, acrm_stage_scores, …). A staging table outlives its run
// only when the process was killed; opening the workspace removes it (see Open).
const StagePrefix = "acrm_stage_"

// Removed lists the staging tables Open removed because a killed run left them behind;
// the CLI and the TUI say so once.
func (w *Workspace) Removed() []string { return w.removed }

// dropStaging drops every table whose name starts with StagePrefix, in one transaction. No
// run can be using them: DuckDB lets one process open the file for writing, and this one has
// just opened it.
func (w *Workspace) dropStaging(ctx context.Context) error {
	rows, err := w.db.QueryContext(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'main' AND table_type = 'BASE TABLE' AND starts_with(table_name, ?) ORDER BY 1`, StagePrefix)
	if err != nil {
		return fmt.Errorf("workspace: list staging tables: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(names) == 0 {
		return err
	}
	err = w.Tx(ctx, func(tx *sql.Tx) error {
		for _, n := range names {
			if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS "+QuoteIdent(n)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("workspace: remove staging tables left by an interrupted run: %w", err)
	}
	w.removed = names
	return nil
}

// CompactResult is what Compact did.
type CompactResult struct {
	Before, After int64 // file size in bytes (with its WAL)
}

// Compact reclaims the space of dropped and replaced tables. DuckDB reuses free blocks but
// never shrinks its file, so Compact checkpoints, copies the whole database into a new file
// beside it (COPY FROM DATABASE) and renames that over the workspace: a kill at any moment
// leaves either the old file or the new one, never a mix (a stray *.compact.duckdb is
// removed by the next Compact). The workspace stays open. In-memory workspaces are left as
// they are.
func (w *Workspace) Compact(ctx context.Context) (CompactResult, error) {
	var res CompactResult
	if w.path == Memory {
		return res, nil
	}
	if _, err := w.db.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return res, fmt.Errorf("workspace: compact: checkpoint: %w", err)
	}
	res.Before = w.SizeBytes()
	tmp := w.path + ".compact.duckdb"
	_ = os.Remove(tmp)
	_ = os.Remove(tmp + ".wal")
	var name string
	if err := w.db.QueryRowContext(ctx, "SELECT current_database()").Scan(&name); err != nil {
		return res, fmt.Errorf("workspace: compact: %w", err)
	}
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return res, err
	}
	copyErr := func() error {
		if _, err := conn.ExecContext(ctx, "ATTACH "+QuoteString(tmp)+" AS acrm_compact"); err != nil {
			return err
		}
		// DuckDB expands COPY FROM DATABASE into several statements: it runs as a script.
		err := w.ExecScript(ctx, "COPY FROM DATABASE "+QuoteIdent(name)+" TO acrm_compact")
		if _, derr := conn.ExecContext(context.Background(), "DETACH acrm_compact"); err == nil {
			err = derr
		}
		return err
	}()
	conn.Close()
	if copyErr != nil {
		_ = os.Remove(tmp)
		_ = os.Remove(tmp + ".wal")
		return res, fmt.Errorf("workspace: compact: %w", copyErr)
	}
	if err := w.closeDB(); err != nil {
		return res, fmt.Errorf("workspace: compact: %w", err)
	}
	renameErr := os.Rename(tmp, w.path)
	if renameErr == nil {
		_ = os.Remove(w.path + ".wal")
	}
	if err := w.reopen(ctx); err != nil {
		return res, fmt.Errorf("workspace: compact: reopen %s: %w", w.path, errors.Join(renameErr, err))
	}
	if renameErr != nil {
		return res, fmt.Errorf("workspace: compact: %w", renameErr)
	}
	res.After = w.SizeBytes()
	return res, nil
}

// closeDB closes the handle and the connector, keeping w reusable by reopen.
func (w *Workspace) closeDB() error {
	err := w.db.Close()
	if cerr := w.connector.Close(); err == nil {
		err = cerr
	}
	return err
}

// reopen opens w.path again into w.
func (w *Workspace) reopen(ctx context.Context) error {
	nw, err := Open(ctx, w.path)
	if err != nil {
		return err
	}
	w.connector, w.db = nw.connector, nw.db
	return nil
}
