// Package docs holds the test that keeps the README's command-line tour true: every `acrm …`
// command of the tour is run, in order, as a user would type it.
package docs

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	figures = flag.Bool("figures", false,
		"rewrite the output under each `$ acrm` command of the README with what it prints now (make readme-figures)")
	workdir = flag.String("workdir", "",
		"run the tour in this directory and keep it (its workspaces can be opened afterwards); default a temporary one")
)

// tourHeading starts the part of the README whose code blocks are run; loopHeading's section
// (the loop: evaluate, monitor, move the sample forward) is run after it in README order too.
const (
	tourHeading = "## A tour of the command line"
	loopHeading = "## Closing the loop: evaluate, monitor, move the sample forward"
)

// step is one command of the tour.
type step struct {
	cmd      string // as written, continuation lines joined
	line     int    // 1-based README line of the command
	dollar   bool   // written as a transcript line ("$ acrm …"): its output follows
	refused  bool   // marked "# refused": the command must fail
	exit     int    // marked "# exit N": the command must exit with code N (its stderr is output too)
	out      [2]int // README lines [from, to) of the printed output (transcripts only)
	outLines []string
}

var (
	refusedMark = regexp.MustCompile(`#\s*refused\b`)
	exitMark    = regexp.MustCompile(`#\s*exit\s+([1-9]\d*)\b`)
)

// parseTour returns the commands of the tour blocks in README order.
func parseTour(lines []string) ([]step, error) {
	var steps []step
	in, fence := false, false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "## ") {
			in = l == tourHeading || l == loopHeading
			continue
		}
		if !in {
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fence = !fence
			if !fence && len(steps) > 0 && steps[len(steps)-1].dollar && steps[len(steps)-1].out[1] == 0 {
				steps[len(steps)-1].out[1] = i
			}
			continue
		}
		if !fence {
			continue
		}
		t := l
		dollar := strings.HasPrefix(t, "$ ")
		if dollar {
			t = strings.TrimPrefix(t, "$ ")
		}
		if !strings.HasPrefix(t, "acrm ") {
			continue
		}
		// the previous transcript command's output ends here
		if len(steps) > 0 && steps[len(steps)-1].dollar && steps[len(steps)-1].out[1] == 0 {
			steps[len(steps)-1].out[1] = i
		}
		s := step{line: i + 1, dollar: dollar}
		cmd := t
		// a line ending in \ or inside an open double quote goes on on the next line
		for strings.HasSuffix(strings.TrimRight(cmd, " "), `\`) || strings.Count(cmd, `"`)%2 == 1 {
			if i+1 >= len(lines) {
				return nil, fmt.Errorf("README line %d: continuation at the end of the file", i+1)
			}
			i++
			cmd = strings.TrimRight(strings.TrimSuffix(strings.TrimRight(cmd, " "), `\`), " ") + " " + strings.TrimSpace(lines[i])
		}
		s.cmd = cmd
		s.refused = refusedMark.MatchString(cmd)
		if m := exitMark.FindStringSubmatch(cmd); m != nil {
			s.exit, _ = strconv.Atoi(m[1])
		}
		if dollar {
			s.out[0] = i + 1
		}
		steps = append(steps, s)
	}
	if fence {
		return nil, fmt.Errorf("README: a code block is not closed")
	}
	return steps, nil
}

// volatile matches what may differ between two runs of the same command on the same data:
// durations (1m42.9s, 714ms, 2.2ms), file sizes (46.9 MB) and clock times (a model's
// created_at, 2026-12-04 21:01:19).
var volatile = regexp.MustCompile(`\b\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?\b|\b(\d+h)?(\d+m)?\d+(\.\d+)?(ns|µs|us|ms|s)\b|\b\d+(\.\d+)? ?(B|kB|KB|MB|GB)\b`)

// fields is a line of output as compared: volatile parts masked, columns split on white space
// (a masked duration may change a table's column widths).
func fields(l string) string {
	return strings.Join(strings.Fields(volatile.ReplaceAllString(l, "~")), " ")
}

// differences compares the output the README shows under a transcript command with what the
// command printed (abridged the same way) and returns the differing lines.
func differences(shown, printed []string) []string {
	shown = trimBlank(shown)
	want := abridge(shown, printed)
	var diffs []string
	for i := 0; i < max(len(shown), len(want)); i++ {
		var a, b string
		if i < len(shown) {
			a = shown[i]
		}
		if i < len(want) {
			b = want[i]
		}
		if fields(a) != fields(b) {
			diffs = append(diffs, fmt.Sprintf("  README: %s\n  prints: %s", a, b))
		}
	}
	return diffs
}

func trimBlank(l []string) []string {
	for len(l) > 0 && strings.TrimSpace(l[len(l)-1]) == "" {
		l = l[:len(l)-1]
	}
	return l
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found from docs/: %v", err)
	}
	return root
}

// TestReadmeTour builds acrm and runs every `acrm …` command of the README's tour blocks as
// written, in order, in a fresh temporary directory (the README's paths are relative to a
// clone: testdata/ is linked in). A command that exits non-zero fails the test, a command
// marked "# refused" must exit non-zero, one marked "# exit N" (acrm monitor's thresholds)
// must exit with code N, and the output the README shows under each
// `$ acrm` command must be what the command prints (durations and file sizes aside; an
// abridged output is compared on the lines it keeps). With -figures the output under each
// `$ acrm` command is rewritten with what the command prints now instead.
func TestReadmeTour(t *testing.T) {
	if testing.Short() {
		t.Skip("the README tour builds acrm and trains models")
	}
	root := repoRoot(t)
	readme := filepath.Join(root, "README.md")
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	steps, err := parseTour(lines)
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) < 20 {
		t.Fatalf("found only %d commands in the README tour; the parser or the README changed", len(steps))
	}

	dir := t.TempDir()
	if *workdir != "" {
		if dir, err = filepath.Abs(*workdir); err != nil {
			t.Fatal(err)
		}
		if err := os.RemoveAll(filepath.Join(dir, "work")); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "acrm"), "./cmd/acrm")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/acrm: %v\n%s", err, out)
	}
	work := filepath.Join(dir, "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "testdata"), filepath.Join(work, "testdata")); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "NO_COLOR=1", "COLUMNS=200")

	var diffs []string
	for i := range steps {
		s := &steps[i]
		cmd := s.cmd
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
		c := exec.CommandContext(ctx, "bash", "-o", "pipefail", "-c", cmd)
		c.Dir, c.Env = work, env
		var stdout, stderr bytes.Buffer
		c.Stdout, c.Stderr = &stdout, &stderr
		start := time.Now()
		err := c.Run()
		cancel()
		t.Logf("README line %d (%s): %s", s.line, time.Since(start).Round(time.Millisecond), cmd)
		var ee *exec.ExitError
		switch {
		case s.refused && err == nil:
			t.Fatalf("README line %d: %s\nis marked refused but succeeded:\n%s", s.line, cmd, stdout.String())
		case s.exit > 0 && !(errors.As(err, &ee) && ee.ExitCode() == s.exit):
			t.Fatalf("README line %d: %s\nis marked exit %d but ended with %v:\n%s%s", s.line, cmd, s.exit, err, stdout.String(), stderr.String())
		case !s.refused && s.exit == 0 && err != nil:
			t.Fatalf("README line %d: %s\nfailed (%v):\n%s%s", s.line, cmd, err, stdout.String(), stderr.String())
		}
		out := stdout.String()
		if s.refused || s.exit > 0 {
			out += stderr.String()
		}
		s.outLines = strings.Split(strings.TrimRight(out, "\n"), "\n")
		if out == "" {
			s.outLines = nil
		}
		if s.dollar && !*figures {
			if d := differences(lines[s.out[0]:s.out[1]], s.outLines); len(d) > 0 {
				diffs = append(diffs, fmt.Sprintf("README line %d: %s\n%s", s.line, cmd, strings.Join(d, "\n")))
			}
		}
	}
	if len(diffs) > 0 {
		t.Errorf("the README shows other figures than the commands print (make readme-figures rewrites them):\n%s", strings.Join(diffs, "\n"))
	}
	if *figures {
		if err := os.WriteFile(readme, []byte(strings.Join(rewrite(lines, steps), "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("README.md: the output of %d transcript commands rewritten", countDollar(steps))
	}
}

func countDollar(steps []step) (n int) {
	for _, s := range steps {
		if s.dollar {
			n++
		}
	}
	return n
}

// rewrite replaces the output under each transcript command with what it printed. Where the
// README shows an abridged output (a line that is just "…"), the same number of first and last
// lines is kept around the "…".
func rewrite(lines []string, steps []step) []string {
	var res []string
	next := 0
	for _, s := range steps {
		if !s.dollar {
			continue
		}
		res = append(res, lines[next:s.out[0]]...)
		old := lines[s.out[0]:s.out[1]]
		kept := trimBlank(old)
		now := abridge(kept, s.outLines)
		// a line that differs only in a duration, size or clock time stays as it was, so a
		// rerun rewrites only the figures that moved
		if len(now) == len(kept) {
			for i := range now {
				if fields(now[i]) == fields(kept[i]) {
					now[i] = kept[i]
				}
			}
		}
		res = append(res, now...)
		res = append(res, old[len(kept):]...)
		next = s.out[1]
	}
	return append(res, lines[next:]...)
}

func abridge(old, now []string) []string {
	cut := -1
	for i, l := range old {
		if strings.TrimSpace(l) == "…" {
			cut = i
			break
		}
	}
	if cut < 0 {
		return now
	}
	head, tail := cut, len(old)-cut-1
	if head+tail >= len(now) {
		return now
	}
	out := append([]string{}, now[:head]...)
	out = append(out, "…")
	return append(out, now[len(now)-tail:]...)
}

// TestParseTour pins the parser on a small README: continuation lines, transcript output
// ranges, refused commands, sections outside the tour and the sample rewrite.
func TestParseTour(t *testing.T) {
	md := strings.Split("# x\n```\nacrm not-in-tour\n```\n"+tourHeading+"\n```sh\nacrm one --db a \\\n    --flag 2   # note\n```\n"+
		"```\n$ acrm two \"a\n  b\"\nout 1\nout 2\n$ acrm three # refused: bad\nacrm: error\n```\nacrm: prose\n## Next\n```\nacrm four\n```\n"+loopHeading+"\n```\n$ acrm five   # exit 3\nwarn\n```\n", "\n")
	steps, err := parseTour(md)
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 4 {
		t.Fatalf("want 4 steps, got %+v", steps)
	}
	if s := steps[3]; s.cmd != "acrm five   # exit 3" || s.exit != 3 || s.refused || steps[2].exit != 0 || md[s.out[0]] != "warn" {
		t.Errorf("step 3 (the loop section, exit 3): %+v", s)
	}
	if steps[0].cmd != "acrm one --db a --flag 2   # note" || steps[0].dollar {
		t.Errorf("step 0: %+v", steps[0])
	}
	if steps[1].cmd != `acrm two "a b"` || !steps[1].dollar || md[steps[1].out[0]] != "out 1" || steps[1].out[1]-steps[1].out[0] != 2 {
		t.Errorf("step 1: %+v", steps[1])
	}
	if !steps[2].refused || steps[2].out[1]-steps[2].out[0] != 1 {
		t.Errorf("step 2: %+v", steps[2])
	}
	steps[1].outLines = []string{"new 1"}
	steps[2].outLines = []string{"acrm: new error"}
	got := strings.Join(rewrite(md, steps), "\n")
	if !strings.Contains(got, "$ acrm two \"a\n  b\"\nnew 1\n$ acrm three") || !strings.Contains(got, "acrm: new error\n```") {
		t.Errorf("rewrite:\n%s", got)
	}
	if d := differences([]string{"trained 3 in 1m2.5s → a.duckdb (4.1 MB) at 2026-12-04 21:01:19", "  a   1.5", "…", "end", ""},
		[]string{"trained 3 in 714ms → a.duckdb (3.9 MB) at 2026-12-05 08:00:00", "  a  1.5", "x", "y", "end"}); len(d) != 0 {
		t.Errorf("durations, sizes, spacing or an abridged middle counted as differences: %q", d)
	}
	if d := differences([]string{"n 1,142", "total 3"}, []string{"n 1,141", "total 3", "more"}); len(d) != 2 {
		t.Errorf("a changed figure and an extra line: want 2 differences, got %q", d)
	}
	if g := abridge([]string{"a", "…", "z"}, []string{"1", "2", "3", "4"}); strings.Join(g, ",") != "1,…,4" {
		t.Errorf("abridge: %v", g)
	}
}
