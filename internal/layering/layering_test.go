// Package layering holds the repository's layering checks that go vet cannot express; make
// lint and go test ./... run them.
//
// SQL lives behind the workspace: the front ends (cmd/, tui/) and the chart renderers (charts/)
// call typed functions of analysis/*; they neither import database/sql, nor take the *sql.DB
// out of the workspace (ws.DB()), nor hold SQL text. Test files are exempt (they build
// fixtures). Text the user is shown as an example of what to type (an `acrm sql "..."` line
// in a help text) is not SQL the program runs; a literal that is one carries a
// "sql-lint: user text" comment on its line or the line above.
package layering

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// frontEnds are the directories (from the repository root) that may hold no SQL.
var frontEnds = []string{"cmd", "tui", "charts"}

// sqlPatterns recognise SQL statements in a string literal.
var sqlPatterns = []*regexp.Regexp{
	regexp.MustCompile(`\bSELECT\b[\s\S]*\bFROM\b`),
	regexp.MustCompile(`(?i)\bINSERT\s+(OR\s+\w+\s+)?INTO\b`),
	regexp.MustCompile(`(?i)\bUPDATE\s+"?\w+"?\s+SET\b`),
	regexp.MustCompile(`(?i)\bDELETE\s+FROM\b`),
	regexp.MustCompile(`(?i)\b(CREATE|DROP|ALTER)\s+(OR\s+REPLACE\s+)?(TEMP\s+|TEMPORARY\s+)?(TABLE|VIEW|INDEX|SCHEMA|SEQUENCE|MACRO)\b`),
	regexp.MustCompile(`(?i)\bCOPY\s*\(`),
	regexp.MustCompile(`\bWITH\s+\w+\s+AS\s*\(`),
	regexp.MustCompile(`\b(PRAGMA|ATTACH|DESCRIBE|SUMMARIZE)\s+\w`),
	regexp.MustCompile(`(?i)\binformation_schema\.`),
}

const allowMarker = "sql-lint: user text"

// problem is one violation: where and what.
type problem struct {
	pos  token.Position
	what string
}

// check parses one Go source and reports its violations.
func check(fset *token.FileSet, name string, src []byte) ([]problem, error) {
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	allowed := map[int]bool{} // lines with the marker, and the line after each
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.Contains(c.Text, allowMarker) {
				l := fset.Position(c.Pos()).Line
				allowed[l], allowed[l+1] = true, true
			}
		}
	}
	var out []problem
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if path == "database/sql" || strings.HasPrefix(path, "database/sql/") {
			out = append(out, problem{fset.Position(imp.Pos()), "imports " + path + " (ask the workspace or an analysis package)"})
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "DB" && len(n.Args) == 0 {
				out = append(out, problem{fset.Position(n.Pos()), "takes the *sql.DB out of the workspace (.DB())"})
			}
		case *ast.BasicLit:
			if n.Kind != token.STRING {
				return true
			}
			pos := fset.Position(n.Pos())
			if allowed[pos.Line] {
				return true
			}
			s, err := strconv.Unquote(n.Value)
			if err != nil {
				s = n.Value
			}
			for _, re := range sqlPatterns {
				if m := re.FindString(s); m != "" {
					if len(m) > 40 {
						m = m[:40] + "…"
					}
					out = append(out, problem{pos, "SQL in a string literal: " + strconv.Quote(m)})
					break
				}
			}
		}
		return true
	})
	return out, nil
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("repository root not found at %s", dir)
	}
	return dir
}

// TestNoSQLInFrontEnds walks cmd/, tui/ and charts/ (non-test files).
func TestNoSQLInFrontEnds(t *testing.T) {
	root := repoRoot(t)
	fset := token.NewFileSet()
	files := 0
	for _, d := range frontEnds {
		err := filepath.WalkDir(filepath.Join(root, d), func(path string, e os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() {
				if name := e.Name(); name == "testdata" || strings.HasPrefix(name, ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			rel, _ := filepath.Rel(root, path)
			ps, err := check(fset, rel, src)
			if err != nil {
				return err
			}
			for _, p := range ps {
				t.Errorf("%s: %s", p.pos, p.what)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files < 20 {
		t.Fatalf("only %d front-end files checked: is the walk rooted right (%s)?", files, root)
	}
}

// TestCheckFindsSQL makes sure the checker catches what it should and passes what it should.
func TestCheckFindsSQL(t *testing.T) {
	cases := []struct {
		name, src string
		want      int
	}{
		{"select", "package p\nvar q = `SELECT name\n\tFROM products`\n", 1},
		{"insert", `package p; var q = "insert into acrm_segments VALUES (?)"`, 1},
		{"create", `package p; var q = "CREATE OR REPLACE TEMP TABLE t AS x"`, 1},
		{"update", `package p; var q = "UPDATE acrm_models SET x = 1"`, 1},
		{"import", `package p; import "database/sql"; var _ sql.DB`, 1},
		{"db call", `package p; func f(ws interface{ DB() int }) int { return ws.DB() }`, 1},
		{"prose", `package p; var h = "select the best customers from the base"`, 0},
		{"flag help", `package p; var h = "what-ifs SEGMENT:FROM-TO, comma-separated"`, 0},
		{"marked", "package p\n// sql-lint: user text\nvar h = `acrm sql \"SELECT * FROM products\"`\n", 0},
	}
	for _, c := range cases {
		ps, err := check(token.NewFileSet(), c.name+".go", []byte(c.src))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(ps) != c.want {
			t.Errorf("%s: %d problems %v, want %d", c.name, len(ps), ps, c.want)
		}
	}
}
