package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/acrm-dev/acrm/analysis/profiles"
)

func TestTermProgressDrawsOnATerminalOnly(t *testing.T) {
	var buf bytes.Buffer
	quiet := newTermProgress(&buf) // a buffer is not a terminal
	quiet.report(5, 10, "reading")
	quiet.done()
	if buf.Len() != 0 {
		t.Fatalf("not a terminal, yet it wrote %q", buf.String())
	}

	tty := &termProgress{w: &buf, tty: true}
	tty.report(1234, 2468, "reading")
	line := buf.String()
	for _, want := range []string{"50.0 %", "1,234/2,468", "reading", "█"} {
		if !strings.Contains(line, want) {
			t.Errorf("line %q lacks %q", line, want)
		}
	}
	buf.Reset()
	tty.last = time.Time{}         // past the redraw throttle
	tty.report(3, 0, "committing") // unknown total: no bar, no count
	if l := buf.String(); strings.Contains(l, "█") || strings.Contains(l, "%") || !strings.Contains(l, "committing") {
		t.Errorf("unknown total drew %q", l)
	}
	buf.Reset()
	tty.done()
	if buf.String() != "\r\033[K" {
		t.Errorf("done wrote %q, want the line cleared", buf.String())
	}
}

// Training logs (stderr not a terminal) get one line per finished product and nothing else.
func TestTrainProgressLogsFinishedProductsOnce(t *testing.T) {
	var buf bytes.Buffer
	bar := newProgressBar(&buf)
	for _, p := range []profiles.Progress{
		{Done: 0, Total: 2, Stage: "train"},
		{Done: 40, Total: 300, Stage: "gbdt 40/500"},
		{Done: 1, Total: 2, Stage: "P01 trained"},
		{Done: 1, Total: 2, Stage: "P01 trained"},
		{Done: 2, Total: 2, Stage: "P02 failed"},
	} {
		bar.report(p)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "1/2 P01 trained (") || !strings.HasPrefix(lines[1], "2/2 P02 failed (") {
		t.Fatalf("log lines %q", lines)
	}
}
