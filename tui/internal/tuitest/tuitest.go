// Package tuitest drives bubbletea models in tests without a terminal: messages go through
// Update synchronously, commands run in goroutines and their messages are fed back until the
// model is idle (no job running and no message for a short quiet period). Keys are built from
// key bindings, so tests press what the keymap says.
package tuitest

import (
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Driver runs a model.
type Driver struct {
	M    tea.Model
	Busy func() bool
	msgs chan tea.Msg
	// Seen records every message delivered (after batch expansion), for assertions.
	Seen []tea.Msg
}

// New returns a driver for m; busy reports whether background work is still running.
func New(m tea.Model, busy func() bool) *Driver {
	return &Driver{M: m, Busy: busy, msgs: make(chan tea.Msg, 1024)}
}

// Init runs the model's Init command.
func (d *Driver) Init() { d.run(d.M.Init()) }

func (d *Driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		if msg := cmd(); msg != nil {
			d.msgs <- msg
		}
	}()
}

// Send delivers msg through Update (expanding batches) and starts the returned command.
func (d *Driver) Send(msg tea.Msg) {
	switch m := msg.(type) {
	case tea.BatchMsg:
		for _, c := range m {
			d.run(c)
		}
		return
	case tea.QuitMsg:
		return
	}
	d.Seen = append(d.Seen, msg)
	var cmd tea.Cmd
	d.M, cmd = d.M.Update(msg)
	d.run(cmd)
}

// Press sends the first key of binding b.
func (d *Driver) Press(b key.Binding) { d.Send(Key(b.Keys()[0])) }

// Type sends each rune of s as a key press.
func (d *Driver) Type(s string) {
	for _, r := range s {
		d.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// MinWait is the least time Settle and WaitFor (and the package tests' own waits, through
// Patience) wait before failing. A test's timeout states what it expects on an idle machine;
// a machine running several test binaries, fuzzers and builds at once can be ten times
// slower, and a wait that gives up there fails a test that is right. The waits still return
// as soon as their condition holds, so a fast machine is not slowed.
const MinWait = 3 * time.Minute

// Patience is timeout raised to MinWait: the time to wait before declaring a failure.
func Patience(timeout time.Duration) time.Duration { return max(timeout, MinWait) }

// Settle processes messages until the model is idle: Busy is false and no message arrived
// for quiet (50 ms). It fails the test after Patience(timeout).
func (d *Driver) Settle(tb testing.TB, timeout time.Duration) {
	tb.Helper()
	const quiet = 50 * time.Millisecond
	timeout = Patience(timeout)
	deadline := time.After(timeout)
	for {
		select {
		case msg := <-d.msgs:
			d.Send(msg)
		case <-time.After(quiet):
			if d.Busy == nil || !d.Busy() {
				return
			}
		case <-deadline:
			tb.Fatalf("model not idle after %s", timeout)
		}
	}
}

// WaitFor processes messages until cond holds, failing after Patience(timeout).
func (d *Driver) WaitFor(tb testing.TB, timeout time.Duration, cond func() bool) {
	tb.Helper()
	timeout = Patience(timeout)
	deadline := time.After(timeout)
	for !cond() {
		select {
		case msg := <-d.msgs:
			d.Send(msg)
		case <-time.After(5 * time.Millisecond):
		case <-deadline:
			tb.Fatalf("condition not met after %s", timeout)
		}
	}
}

// Key turns a key name as used in key.WithKeys ("tab", "shift+tab", "ctrl+r", "esc",
// "enter", "up", "a", " ") into a KeyMsg.
func Key(name string) tea.KeyMsg {
	special := map[string]tea.KeyType{
		"tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab, "esc": tea.KeyEsc, "enter": tea.KeyEnter,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
		"backspace": tea.KeyBackspace, " ": tea.KeySpace, "ctrl+c": tea.KeyCtrlC, "ctrl+r": tea.KeyCtrlR,
		"ctrl+e": tea.KeyCtrlE, "ctrl+p": tea.KeyCtrlP, "ctrl+o": tea.KeyCtrlO, "ctrl+u": tea.KeyCtrlU,
		"ctrl+d": tea.KeyCtrlD, "f5": tea.KeyF5,
	}
	if t, ok := special[name]; ok {
		if t == tea.KeySpace {
			return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
		}
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(name)}
}
