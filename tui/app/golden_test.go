package app_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/acrm-dev/acrm/tui/app"
	"github.com/acrm-dev/acrm/tui/internal/tuitest"
	"github.com/acrm-dev/acrm/tui/keys"
)

// waitIdle waits until the program has handled more than after messages and no job has
// run for four checks in a row.
func waitIdle(t *testing.T, m *app.Model, after int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for stable := 0; stable < 4; {
		if time.Now().After(deadline) {
			t.Fatal("program not idle after 30s")
		}
		time.Sleep(50 * time.Millisecond)
		if m.Updates() > after && m.Idle() {
			stable++
		} else {
			stable = 0
		}
	}
}

// TestGolden runs the real program (teatest) on the fixture workspace, goes to every screen
// with its number key, waits until no job runs and compares the final frame with
// testdata/TestGolden/<screen>_<w>x<h>.golden. Regenerate with go test ./tui/app -update.
//
// The Profiles and Simulate screens are built by their own engineers and keep their own
// golden files in their packages; here they are covered by TestEveryScreenDrawsSomething,
// so a change to them does not break the shell's goldens.
func TestGolden(t *testing.T) {
	ws := openWS(t)
	g := keys.DefaultGlobal()
	for _, size := range [][2]int{{80, 24}, {140, 45}} {
		for i, id := range []string{"data", "segments", "profiles", "offers", "simulate", "monitor"} {
			if id == "profiles" || id == "simulate" {
				continue
			}
			t.Run(fmt.Sprintf("%s_%dx%d", id, size[0], size[1]), func(t *testing.T) {
				m := newApp(t, ws)
				tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size[0], size[1]))
				waitIdle(t, m, 0)
				if i > 0 {
					n := m.Updates()
					tm.Send(tuitest.Key(g.Screen[i].Keys()[0]))
					waitIdle(t, m, n)
				}
				if err := tm.Quit(); err != nil {
					t.Fatal(err)
				}
				fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second))
				golden.RequireEqual(t, []byte(ansi.Strip(fm.View())))
			})
		}
	}
}
