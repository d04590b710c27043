package layering

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// upPath is a relative path that climbs: "../x", "../../testdata/churn" (group 1), where a path
// starts — not inside a longer one ("a/../b").
var upPath = regexp.MustCompile(`(?:^|[\s"'` + "`" + `(\[=])((?:\.\./)+[^\s"'` + "`" + `()\[\]<>,;]*)`)

// outside says whether p, named in a file of directory dir (both from the repository root),
// leaves the repository or names nothing in it.
func outside(root, dir, p string) bool {
	to := filepath.Clean(filepath.Join(dir, p))
	if to == ".." || strings.HasPrefix(to, ".."+string(filepath.Separator)) {
		return true
	}
	_, err := os.Stat(filepath.Join(root, to))
	return err != nil
}

// mdLink is the target of a Markdown link: [text](target).
var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// repoFiles calls f with every file of the repository (its path from the root and its
// content), skipping dot directories, build output and binary files.
func repoFiles(t *testing.T, f func(rel string, b []byte)) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || n == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.IndexByte(b, 0) >= 0 {
			return nil // binary (PNG goldens and the like)
		}
		rel, _ := filepath.Rel(root, path)
		f(filepath.ToSlash(rel), b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRepositoryStandsAlone (issue 11): a clone has nothing beside it, so no file of the
// project — source, script, Makefile, document, test — names a path that climbs out of the
// repository, and every relative link of a Markdown document points at a file the
// repository has.
func TestRepositoryStandsAlone(t *testing.T) {
	files := 0
	repoFiles(t, func(rel string, b []byte) {
		files++
		if rel == "internal/layering/standalone_test.go" {
			return // this file's examples of bad paths (TestStandsAloneCatchesEscapes)
		}
		dir := filepath.Dir(filepath.FromSlash(rel))
		for i, line := range strings.Split(string(b), "\n") {
			for _, m := range upPath.FindAllStringSubmatch(line, -1) {
				if outside("../..", dir, m[1]) {
					t.Errorf("%s:%d names %s, which is not in the repository: %s", rel, i+1, m[1], strings.TrimSpace(line))
				}
			}
			if !strings.HasSuffix(rel, ".md") {
				continue
			}
			for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "#") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				target, _, _ = strings.Cut(target, "#")
				if outside("../..", dir, filepath.FromSlash(target)) {
					t.Errorf("%s:%d links %s, which the repository does not have", rel, i+1, m[1])
				}
			}
		}
	})
	if files < 50 {
		t.Fatalf("only %d files found from the repository root", files)
	}
}

// TestStandsAloneCatchesEscapes: the check above recognises a path that climbs out of the
// repository or to a file it does not have.
func TestStandsAloneCatchesEscapes(t *testing.T) {
	for _, c := range []struct {
		dir, line string
		out       bool
	}{
		{".", "see ../elsewhere/DESIGN.md first", true},
		{"docs", "Read ../other/STYLE.md", true},
		{"docs", "[README](../README.md)", false},
		{"analysis/profiles", `d = "../../testdata/churn"`, false},
		{"cmd/acrm", `filepath.WalkDir("../..", f)`, false},
		{"cmd/acrm", `"../../testdata/churn/nope.csv"`, true},
		{"tui/components", `"P01@v3/../x": "P01_v3_.._x"`, false}, // inside a longer path
	} {
		out := false
		for _, m := range upPath.FindAllStringSubmatch(c.line, -1) {
			out = out || outside("../..", c.dir, m[1])
		}
		if out != c.out {
			t.Errorf("%s: %q: outside = %v, want %v", c.dir, c.line, out, c.out)
		}
	}
}
