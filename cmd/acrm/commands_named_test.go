package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// proseAfterAcrm are words that follow "acrm" in sentences ("acrm needs at least 80×24"),
// not commands.
var proseAfterAcrm = map[string]bool{
	"is": true, "needs": true, "loads": true, "knows": true, "reads": true, "or": true,
	"workspace": true, "workbench": true, "business": true, "deck": true, "and": true,
	"has": true, "writes": true, "opens": true, "runs": true, "keeps": true, "shows": true,
	"uses": true, "itself": true, "serves": true, "reproduces": true,
	"process": true, "can": true, "will": true, "does": true, "prints": true, "gives": true,
}

var acrmWord = regexp.MustCompile(`\bacrm ([a-z][a-z-]*)`)

// TestTextNamesOnlyExistingCommands (issue 11 bug 6): every "acrm WORD" in the Go sources
// (messages, help, comments; not the tests) and the Markdown documents names a command acrm has, unless
// WORD is a prose word listed above.
func TestTextNamesOnlyExistingCommands(t *testing.T) {
	root := rootCmd
	have := map[string]bool{"help": true, "completion": true}
	for _, c := range root.Commands() {
		have[c.Name()] = true
	}
	if !have["train"] || !have["chart"] {
		t.Fatalf("root commands not found: %v", have)
	}
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != "../.." && (strings.HasPrefix(n, ".") || n == "testdata" || n == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, "_test.go") || !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".md") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, m := range acrmWord.FindAllStringSubmatch(line, -1) {
				w := m[1]
				if have[w] || proseAfterAcrm[w] || strings.HasPrefix(w, "-") {
					continue
				}
				t.Errorf("%s:%d names `acrm %s`, which is no command: %s", path, i+1, w, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
