package common

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/acrm-dev/acrm/tui/services"
)

type pathSvc struct {
	services.Services
	path string
}

func (s pathSvc) Path() string { return s.path }

// TestExportsGoBesideTheWorkspace (issue 11 bug 11): a suggested export file goes into an
// exports folder beside the workspace, named by its absolute path, and the folder is made
// when the first file is written into it; a folder the user typed is left as typed.
func TestExportsGoBesideTheWorkspace(t *testing.T) {
	dir := t.TempDir()
	c := &Common{Services: pathSvc{path: filepath.Join(dir, "ws.duckdb")}}
	want := filepath.Join(dir, "exports")
	if got := c.ExportDir(); got != want {
		t.Fatalf("ExportDir = %q, want %q", got, want)
	}
	p := c.ExportPath("chart.png")
	if p != filepath.Join(want, "chart.png") || !filepath.IsAbs(p) {
		t.Fatalf("ExportPath = %q", p)
	}
	if _, err := os.Stat(want); !os.IsNotExist(err) {
		t.Fatalf("exports folder made before anything is written: %v", err)
	}
	abs, err := c.PrepareExport(p)
	if err != nil || abs != p {
		t.Fatalf("PrepareExport = %q, %v", abs, err)
	}
	if st, err := os.Stat(want); err != nil || !st.IsDir() {
		t.Fatalf("exports folder not made: %v", err)
	}
	typed := filepath.Join(dir, "mine", "x.png")
	if c.ExportPath(typed) != typed {
		t.Fatalf("a typed path was changed: %q", c.ExportPath(typed))
	}
	if _, err := c.PrepareExport(typed); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "mine")); !os.IsNotExist(err) {
		t.Fatalf("a folder the user typed was created: %v", err)
	}
	// a relative name becomes absolute, so the message names the whole path
	if abs, _ := c.PrepareExport("rel.png"); !filepath.IsAbs(abs) {
		t.Fatalf("PrepareExport(rel.png) = %q", abs)
	}
}
