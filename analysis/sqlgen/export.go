package sqlgen

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/acrm-dev/acrm/analysis/model"
	"github.com/acrm-dev/acrm/analysis/profiles"
	"github.com/acrm-dev/acrm/analysis/workspace"
)

// ModelQuery compiles the registered model ref (a model id or name, as profiles.Load takes
// it) to one SELECT id, score in the dialect: a product model over the feature view its
// product sees, a table model over its source table. Every customer (row) of the source is
// scored.
func ModelQuery(ctx context.Context, ws *workspace.Workspace, ref string, d *Dialect) (string, *profiles.Stored, error) {
	m, err := profiles.Load(ctx, ws, ref)
	if err != nil {
		return "", nil, err
	}
	st, err := model.Describe(m.Classifier)
	if err != nil {
		return "", nil, fmt.Errorf("sqlgen: model %s: %w", m.ModelID, err)
	}
	var src Source
	if m.ProductID > 0 {
		vs, err := LoadViewSpec(ctx, ws)
		if err != nil {
			return "", nil, err
		}
		if _, ok := vs.View.Product(m.ProductID); !ok {
			return "", nil, fmt.Errorf("sqlgen: model %s is for product %d, which the products table no longer has", m.ModelID, m.ProductID)
		}
		src = Source{From: vs.SQL(d, m.ProductID), ID: "customer_id", Columns: vs.Columns(m.ProductID)}
	} else {
		s := strings.TrimSpace(m.Source)
		from := "SELECT * FROM " + d.Ident(s)
		if strings.ContainsAny(s, " \t\n(") {
			if d.Name != "duckdb" {
				return "", nil, fmt.Errorf("sqlgen: model %s reads a DuckDB query (%s), which %s cannot run: %w; train it on a table (acrm import) to export it",
					m.ModelID, s, d.Name, ErrUnsupported)
			}
			from = s
		}
		cols, err := Describe(ctx, ws, s)
		if err != nil {
			return "", nil, err
		}
		id := m.ID
		if id == "" {
			return "", nil, fmt.Errorf("sqlgen: model %s has no id column: %w", m.ModelID, ErrUnsupported)
		}
		src = Source{From: from, ID: id, Columns: cols}
	}
	q, err := Model(d, m.Encoder, st, m.Calibrator, src)
	if err != nil {
		return "", nil, fmt.Errorf("sqlgen: model %s (%s) for %s: %w", m.ModelID, m.Algo, d.Name, err)
	}
	return q, m, nil
}

// Script is a runnable file: header comments, the dialect's settings and the statements.
func Script(d *Dialect, header []string, statements ...string) string {
	var b strings.Builder
	for _, h := range header {
		b.WriteString("-- " + h + "\n")
	}
	for _, p := range d.Prelude {
		b.WriteString(p + ";\n")
	}
	for _, s := range statements {
		b.WriteString(strings.TrimRight(strings.TrimSpace(s), ";") + ";\n")
	}
	return b.String()
}

// ExportModel writes the model's SELECT id, score in the dialect to path (a temporary file
// renamed into place: an error leaves no file).
func ExportModel(ctx context.Context, ws *workspace.Workspace, ref, dialect, path string) (*profiles.Stored, error) {
	d, err := Lookup(dialect)
	if err != nil {
		return nil, err
	}
	q, m, err := ModelQuery(ctx, ws, ref, d)
	if err != nil {
		return nil, err
	}
	hdr := []string{
		fmt.Sprintf("Model %s (%s, %s) from the model registry, compiled to %s SQL: one row per customer, id and calibrated score.", m.ModelID, m.Algo, m.Kind, d.Name),
		"Run: " + d.FileNote,
	}
	if m.ProductID > 0 {
		hdr = append(hdr, "Reads the canonical tables customers, holdings, contacts, optouts and events.")
	} else {
		hdr = append(hdr, "Reads the table "+m.Source+".")
	}
	return m, WriteFile(path, Script(d, hdr, q))
}

// WriteFile writes text to path through a temporary file in the same directory renamed into
// place, so a failure leaves no partial file.
func WriteFile(path, text string) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("sqlgen: write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("sqlgen: write %s: %w", path, err)
	}
	if _, err := tmp.WriteString(text); err != nil {
		tmp.Close()
		return fmt.Errorf("sqlgen: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("sqlgen: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("sqlgen: write %s: %w", path, err)
	}
	return nil
}
