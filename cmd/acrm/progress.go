package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/acrm-dev/acrm/analysis/progress"
)

// termProgress draws one progress line on a terminal (bar, percentage, count, stage,
// elapsed), redrawn at most every 100 ms and cleared by done. On anything else it is quiet,
// except for the lines logLine chooses to log (e.g. one per finished product of train --all).
// Safe for reports from several goroutines.
type termProgress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	start time.Time
	last  time.Time
	drawn bool
	// count formats the done/total part; nil prints "done/total" with thousands
	// separators, or nothing when total is unknown.
	count func(done, total int64, stage string) string
	// logLine, when set, returns a line to write for a report when w is not a terminal.
	logLine func(done, total int64, stage string) (string, bool)
}

func newTermProgress(w io.Writer) *termProgress {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = isatty.IsTerminal(f.Fd())
	}
	return &termProgress{w: w, tty: tty, start: time.Now()}
}

// report draws done of total (total ≤ 0: unknown, no bar) at stage.
func (b *termProgress) report(done, total int64, stage string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.tty {
		if b.logLine != nil {
			if l, ok := b.logLine(done, total, stage); ok {
				fmt.Fprintln(b.w, l)
			}
		}
		return
	}
	now := time.Now()
	if now.Sub(b.last) < 100*time.Millisecond && (total <= 0 || done != total) {
		return
	}
	b.last = now
	const width = 30
	var bar string
	if total > 0 {
		frac := math.Min(math.Max(float64(done)/float64(total), 0), 1)
		n := int(frac * width)
		bar = fmt.Sprintf("[%s%s] %5.1f %% ", strings.Repeat("█", n), strings.Repeat("░", width-n), 100*frac)
	}
	count := ""
	switch {
	case b.count != nil:
		count = b.count(done, total, stage)
	case total > 0:
		count = thousands(done) + "/" + thousands(total)
	}
	if len([]rune(stage)) > 30 {
		stage = string([]rune(stage)[:30])
	}
	fmt.Fprintf(b.w, "\r\033[K%s%-30s %s  %s", bar, stage, count, b.elapsed())
	b.drawn = true
}

// update is report for the analysis packages' progress callbacks (a progress.Func).
func (b *termProgress) update(p progress.Progress) { b.report(p.Done, p.Total, p.Stage) }

func (b *termProgress) elapsed() time.Duration {
	return time.Since(b.start).Round(100 * time.Millisecond)
}

// done clears the line.
func (b *termProgress) done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
		b.drawn = false
	}
}
