package common

import (
	"context"
	"errors"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// runAll executes a command tree and returns the messages it produced (batches expanded),
// skipping commands that do not finish within wait.
func runAll(cmd tea.Cmd, wait time.Duration) []tea.Msg {
	if cmd == nil {
		return nil
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		if b, ok := msg.(tea.BatchMsg); ok {
			var out []tea.Msg
			for _, c := range b {
				out = append(out, runAll(c, wait)...)
			}
			return out
		}
		if msg == nil {
			return nil
		}
		return []tea.Msg{msg}
	case <-time.After(wait):
		return nil
	}
}

func TestJobResultNamesOwnerAndID(t *testing.T) {
	j := NewJobs(nil)
	id, cmd := j.Start("data", "q", "query", func(ctx context.Context, report func(Progress)) (any, error) {
		return 42, nil
	})
	msgs := runAll(cmd, time.Second)
	var done *JobDoneMsg
	for _, m := range msgs {
		if d, ok := m.(JobDoneMsg); ok {
			done = &d
		}
	}
	if done == nil {
		t.Fatal("no JobDoneMsg")
	}
	if done.Owner != "data" || done.ID != id || done.Value != 42 || done.Err != nil || done.Cancelled {
		t.Fatalf("done = %+v", *done)
	}
	if deliver, _ := j.Accept(*done); !deliver {
		t.Fatal("current result not delivered")
	}
	if j.Busy() {
		t.Fatal("job still listed after its result")
	}
}

func TestSupersededResultIsStale(t *testing.T) {
	j := NewJobs(nil)
	release := make(chan struct{})
	id1, cmd1 := j.Start("data", "preview", "page 1", func(ctx context.Context, _ func(Progress)) (any, error) {
		<-release
		return "old", nil
	})
	id2, _ := j.Start("data", "preview", "page 2", func(ctx context.Context, _ func(Progress)) (any, error) {
		return "new", nil
	})
	if id1 == id2 {
		t.Fatal("ids reused")
	}
	close(release)
	for _, m := range runAll(cmd1, time.Second) {
		if d, ok := m.(JobDoneMsg); ok {
			if !d.Cancelled {
				t.Errorf("superseded job not cancelled: %+v", d)
			}
			if deliver, _ := j.Accept(d); deliver {
				t.Fatal("stale result of a superseded job was delivered")
			}
		}
	}
	if !j.IsCurrent(id2) {
		t.Fatal("new job not current")
	}
}

func TestCancelIsAStatusNotAnError(t *testing.T) {
	j := NewJobs(nil)
	started := make(chan struct{})
	id, cmd := j.Start("data", "sql", "long query", func(ctx context.Context, _ func(Progress)) (any, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	res := make(chan []tea.Msg)
	go func() { res <- runAll(cmd, 5*time.Second) }()
	<-started
	if !j.Cancel(id) {
		t.Fatal("cancel: job not found")
	}
	var done *JobDoneMsg
	for _, m := range <-res {
		if d, ok := m.(JobDoneMsg); ok {
			done = &d
		}
	}
	if done == nil || !done.Cancelled || done.Err != nil {
		t.Fatalf("want Cancelled without error, got %+v", done)
	}
}

func TestPanicBecomesError(t *testing.T) {
	j := NewJobs(nil)
	_, cmd := j.Start("x", "k", "boom", func(ctx context.Context, _ func(Progress)) (any, error) {
		panic("bad")
	})
	for _, m := range runAll(cmd, time.Second) {
		if d, ok := m.(JobDoneMsg); ok {
			if d.Err == nil {
				t.Fatal("panic not reported")
			}
			return
		}
	}
	t.Fatal("no result after a panic: the result message is guaranteed")
}

func TestProgressIsLossyAndNeverBlocks(t *testing.T) {
	j := NewJobs(nil)
	_, cmd := j.Start("x", "k", "count", func(ctx context.Context, report func(Progress)) (any, error) {
		for i := int64(1); i <= 100000; i++ {
			report(Progress{Done: i, Total: 100000}) // nobody reads: must not block
		}
		return nil, errors.New("done")
	})
	done := make(chan struct{})
	go func() { runAll(cmd, 5*time.Second); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("progress reporting blocked the job")
	}
}

func TestCancelLatestPrefersOwner(t *testing.T) {
	j := NewJobs(nil)
	block := func(ctx context.Context, _ func(Progress)) (any, error) { <-ctx.Done(); return nil, ctx.Err() }
	a, _ := j.Start("data", "a", "a", block)
	b, _ := j.Start("segments", "b", "b", block)
	if got := j.CancelLatest("data"); got == nil || got.ID != a {
		t.Fatalf("cancelled %+v, want data's job %d", got, a)
	}
	if got := j.CancelLatest("data"); got == nil || got.ID != b {
		t.Fatalf("second cancel: %+v, want %d", got, b)
	}
	if got := j.CancelLatest("data"); got != nil {
		t.Fatalf("nothing left to cancel, got %+v", got)
	}
	j.CancelAll()
}

// TestJoinStage: the status bar shows a stage once, even when a nested stage repeats its
// parent's name ("load load") or the stage restates the label's last word.
func TestJoinStage(t *testing.T) {
	for _, c := range []struct{ label, stage, want string }{
		{"training all products", "load load", "training all products · load"},
		{"training all products", "load", "training all products · load"},
		{"profiling customers", "customers", "profiling customers"},
		{"reading the registry", "Registry rows", "reading the registry · rows"},
		{"training P07", "gbdt tree 3/10", "training P07 · gbdt tree 3/10"},
		{"training P07", "", "training P07"},
		{"long test job", "step 1", "long test job · step 1"},
		{"", "load load", "load"},
	} {
		if got := JoinStage(c.label, c.stage); got != c.want {
			t.Errorf("JoinStage(%q, %q) = %q, want %q", c.label, c.stage, got, c.want)
		}
	}
	j := &Job{Label: "training all products", Progress: Progress{Stage: "load load"}}
	if got := j.Status(); got != "training all products · load" {
		t.Errorf("Status() = %q", got)
	}
}
