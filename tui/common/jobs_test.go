package common

import (
	"context"
	"errors"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// patience is how long a test waits for something that should happen before it fails: long
// enough for a heavily loaded machine (the tests return as soon as it happens). It matches
// tuitest.MinWait, which this package cannot import.
const patience = 3 * time.Minute

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
	id, cmd := Start(j, "data", "query", func(ctx context.Context, report func(Progress)) (int, error) {
		return 42, nil
	})
	msgs := runAll(cmd, patience)
	var done *Done[int]
	for _, m := range msgs {
		if d, ok := m.(Done[int]); ok {
			done = &d
		}
	}
	if done == nil {
		t.Fatal("no Done")
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
	id1, cmd1 := Start(j, "data", "page 1", func(ctx context.Context, _ func(Progress)) (string, error) {
		<-release
		return "old", nil
	})
	id2, _ := Start(j, "data", "page 2", func(ctx context.Context, _ func(Progress)) (string, error) {
		return "new", nil
	})
	if id1 == id2 {
		t.Fatal("ids reused")
	}
	close(release)
	for _, m := range runAll(cmd1, patience) {
		if d, ok := m.(Done[string]); ok {
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
	id, cmd := Start(j, "data", "long query", func(ctx context.Context, _ func(Progress)) (int, error) {
		close(started)
		<-ctx.Done()
		return 0, ctx.Err()
	})
	res := make(chan []tea.Msg)
	go func() { res <- runAll(cmd, patience) }()
	<-started
	if !j.Cancel(id) {
		t.Fatal("cancel: job not found")
	}
	var done *Done[int]
	for _, m := range <-res {
		if d, ok := m.(Done[int]); ok {
			done = &d
		}
	}
	if done == nil || !done.Cancelled || done.Err != nil {
		t.Fatalf("want Cancelled without error, got %+v", done)
	}
}

// TestCancelDoesNotWaitForTheWork: esc takes effect at once even when the work is slow to
// notice the cancellation (DuckDB inside a big hash aggregate): Done says Cancelled before
// the work returns, and the work's late result is dropped.
func TestCancelDoesNotWaitForTheWork(t *testing.T) {
	j := NewJobs(nil)
	started, release, returned := make(chan struct{}), make(chan struct{}), make(chan struct{})
	defer close(release)
	id, cmd := Start(j, "data", "profiling contacts", func(ctx context.Context, _ func(Progress)) (int, error) {
		defer close(returned)
		close(started)
		<-release // deaf to ctx until the test ends
		return 42, nil
	})
	res := make(chan []tea.Msg)
	go func() { res <- runAll(cmd, patience) }()
	<-started
	if !j.Cancel(id) {
		t.Fatal("cancel: job not found")
	}
	var done *Done[int]
	select {
	case msgs := <-res:
		for _, m := range msgs {
			if d, ok := m.(Done[int]); ok {
				done = &d
			}
		}
	case <-time.After(patience):
		t.Fatal("the cancelled job's result waited for the work to return")
	}
	if done == nil || !done.Cancelled || done.Err != nil || done.Value != 0 {
		t.Fatalf("want Cancelled without error or value, got %+v", done)
	}
	select {
	case <-returned:
		t.Fatal("the work returned although it was still blocked")
	default:
	}
}

func TestPanicBecomesError(t *testing.T) {
	j := NewJobs(nil)
	_, cmd := Start(j, "x", "boom", func(ctx context.Context, _ func(Progress)) (int, error) {
		panic("bad")
	})
	for _, m := range runAll(cmd, patience) {
		if d, ok := m.(Done[int]); ok {
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
	_, cmd := Start(j, "x", "count", func(ctx context.Context, report func(Progress)) (int, error) {
		for i := int64(1); i <= 100000; i++ {
			report(Progress{Done: i, Total: 100000}) // nobody reads: must not block
		}
		return 0, errors.New("done")
	})
	done := make(chan struct{})
	go func() { runAll(cmd, patience); close(done) }()
	select {
	case <-done:
	case <-time.After(patience):
		t.Fatal("progress reporting blocked the job")
	}
}

func TestCancelLatestPrefersOwner(t *testing.T) {
	j := NewJobs(nil)
	block := func(ctx context.Context, _ func(Progress)) (int, error) { <-ctx.Done(); return 0, ctx.Err() }
	a, _ := Start(j, "data", "a", block)
	b, _ := Start(j, "segments", "b", block)
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

// TestKindIsTheResultType: jobs of one owner with different result types run side by side;
// only a job of the same owner and result type supersedes another.
func TestKindIsTheResultType(t *testing.T) {
	j := NewJobs(nil)
	type saved string
	type exported string
	block := func(ctx context.Context, _ func(Progress)) (saved, error) { <-ctx.Done(); return "", ctx.Err() }
	a, _ := Start(j, "segments", "save", block)
	b, _ := Start(j, "segments", "export", func(ctx context.Context, _ func(Progress)) (exported, error) {
		<-ctx.Done()
		return "", ctx.Err()
	})
	c, _ := Start(j, "profiles", "save", block)
	if !j.IsCurrent(a) || !j.IsCurrent(b) || !j.IsCurrent(c) {
		t.Fatal("jobs of other result types or owners were superseded")
	}
	d, _ := Start(j, "segments", "save again", block)
	if j.IsCurrent(a) || !j.IsCurrent(d) || !j.IsCurrent(b) {
		t.Fatal("a second job of the same owner and result type did not supersede the first")
	}
	j.CancelAll()
	if deliver, _ := j.Accept("not a job message"); deliver {
		t.Fatal("a foreign message was accepted")
	}
}
