package common

// Typed jobs: how a screen runs long work.
//
// A screen (or one of its panes) starts work with Start, naming the owner screen, a label
// for the status bar and a function returning a typed value:
//
//	type tablesLoaded struct{ tables []services.TableInfo }
//
//	id, cmd := common.Start(c.Jobs, ID, "listing tables",
//		func(ctx context.Context, report func(common.Progress)) (tablesLoaded, error) { ... })
//
// The returned tea.Cmd yields JobProgressMsg values (lossy: only the latest progress is
// kept) and exactly one Done[T]{Owner, ID, Label, Value, Err, Cancelled, Elapsed}. Both implement
// JobMsg; the root passes every JobMsg to Jobs.Accept, which drops stale ones, and delivers
// the rest to the screen whose ID is Owner, whichever screen is on top. The screen reads the
// result by its type — `case common.Done[tablesLoaded]:` — with no kind string and no type
// assertion, so give each kind of job its own named result type (type scenarioSaved string).
//
// Rules the table keeps:
//   - one running job per owner and result type: starting another cancels the first, and
//     the first's result is dropped as stale;
//   - Cancel/CancelLatest/CancelAll cancel the context; cancelled is a status, not an
//     error: Done.Cancelled is true, Err is nil and Value is the zero value. The root
//     says "<label> cancelled" in the status bar; the owner may flash its own words after;
//   - a panic in the work becomes Done.Err.
//
// Progress of a job reaches its owner as JobProgressMsg{Owner, ID, Progress}; a screen
// that shows it compares ID with the id Start returned.

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/acrm-dev/acrm/tui/services"
)

// Progress is what a running job reports: Done of Total units (Total 0 = unknown) in a
// named stage.
type Progress = services.Progress

// JobID identifies one run of a job. IDs are never reused within a process.
type JobID uint64

// JobFunc is the work of a job returning a T. It must honour ctx (return soon after
// cancellation) and may call report as often as it likes: progress is lossy, only the
// latest value is kept. A cancelled job's Done is sent at once, without waiting for the
// work to return: the work ends in the background and its result is dropped.
type JobFunc[T any] func(ctx context.Context, report func(Progress)) (T, error)

// JobMsg is a message of the job plumbing (JobProgressMsg or a Done[T]): the root hands it
// to Jobs.Accept and, when accepted, to the screen named by JobOwner.
type JobMsg interface {
	// JobOwner is the ID of the screen that started the job.
	JobOwner() string
	jobID() JobID
	final() bool
	cancelled() (label string, ok bool)
}

// Cancelled reports whether msg is the result of a cancelled job, and the job's label.
func Cancelled(msg JobMsg) (label string, ok bool) { return msg.cancelled() }

// JobProgressMsg carries the latest progress of a job to its owner screen.
type JobProgressMsg struct {
	Owner    string
	ID       JobID
	Progress Progress
}

// Done is the one guaranteed result of a job, routed to its owner screen. Cancelled is a
// status, not an error: Err is nil and Value is zero when Cancelled is true.
type Done[T any] struct {
	Owner     string
	ID        JobID
	Label     string
	Value     T
	Err       error
	Cancelled bool
	Elapsed   time.Duration
}

func (m JobProgressMsg) JobOwner() string          { return m.Owner }
func (m JobProgressMsg) jobID() JobID              { return m.ID }
func (m JobProgressMsg) final() bool               { return false }
func (m JobProgressMsg) cancelled() (string, bool) { return "", false }
func (m Done[T]) cancelled() (string, bool)        { return m.Label, m.Cancelled }
func (m Done[T]) JobOwner() string                 { return m.Owner }
func (m Done[T]) jobID() JobID                     { return m.ID }
func (m Done[T]) final() bool                      { return true }

// kindOf is the identity of a job's kind: its owner's jobs of one result type T. Two
// kindOf values compare equal exactly when their T is the same type.
type kindOf[T any] struct{}

// Job is a running job as the status bar sees it.
type Job struct {
	ID        JobID
	Owner     string
	Label     string
	Started   time.Time
	Progress  Progress
	Cancelled bool // cancel requested, result not yet in

	kind     any // kindOf[T] of the result type
	cancel   context.CancelFunc
	progress chan Progress
	done     chan struct{}
}

// Status is the job's label with its current stage, as the status bar shows it:
// "training all products · load". A word of the stage that repeats the word before it
// (the label's last word for the stage's first word) is left out, so nested stages that
// prefix their own name ("load load") or a stage that restates the label read once.
func (j *Job) Status() string {
	return JoinStage(j.Label, j.Progress.Stage)
}

// JoinStage joins a job label and a progress stage with " · ", leaving out each stage
// word equal (ignoring case) to the word just before it; an empty or fully repeated stage
// leaves the label alone.
func JoinStage(label, stage string) string {
	prev := ""
	if f := strings.Fields(label); len(f) > 0 {
		prev = f[len(f)-1]
	}
	var kept []string
	for _, w := range strings.Fields(stage) {
		if !strings.EqualFold(w, prev) {
			kept = append(kept, w)
		}
		prev = w
	}
	switch {
	case len(kept) == 0:
		return label
	case label == "":
		return strings.Join(kept, " ")
	}
	return label + " · " + strings.Join(kept, " ")
}

// Jobs tracks the running jobs. It is used only from Update (the bubbletea goroutine), so
// it needs no lock; the work itself runs in tea.Cmd goroutines and talks back via messages.
type Jobs struct {
	next    JobID
	running map[JobID]*Job
	now     func() time.Time
}

// NewJobs returns an empty job table using the given clock.
func NewJobs(now func() time.Time) *Jobs {
	if now == nil {
		now = time.Now
	}
	return &Jobs{running: map[JobID]*Job{}, now: now}
}

// Start launches fn as a job of owner whose result is a T. A running job of the same owner
// and result type is cancelled first and its result will be dropped as stale. The returned
// command must be handed to bubbletea; it yields progress messages and exactly one Done[T].
func Start[T any](j *Jobs, owner, label string, fn JobFunc[T]) (JobID, tea.Cmd) {
	kind := any(kindOf[T]{})
	for id, old := range j.running {
		if old.Owner == owner && old.kind == kind {
			old.cancel()
			delete(j.running, id) // its result is now stale
		}
	}
	j.next++
	ctx, cancel := context.WithCancel(context.Background())
	job := &Job{
		ID: j.next, Owner: owner, Label: label, Started: j.now(), kind: kind,
		cancel: cancel, progress: make(chan Progress, 1), done: make(chan struct{}),
	}
	j.running[job.ID] = job
	report := func(p Progress) {
		for {
			select {
			case job.progress <- p:
				return
			default:
				select { // drop the stale value and try again
				case <-job.progress:
				default:
				}
			}
		}
	}
	run := func() tea.Msg {
		start := time.Now()
		defer close(job.done)
		defer cancel()
		result := make(chan Done[T], 1)
		go func() {
			defer func() {
				if r := recover(); r != nil {
					result <- Done[T]{Owner: owner, ID: job.ID, Label: label,
						Err: fmt.Errorf("%s: internal error: %v", label, r), Elapsed: time.Since(start)}
				}
			}()
			v, err := fn(ctx, report)
			result <- Done[T]{Owner: owner, ID: job.ID, Label: label, Value: v, Err: err, Elapsed: time.Since(start)}
		}()
		var done Done[T]
		select {
		case done = <-result:
		case <-ctx.Done():
			// Cancelled: the owner hears it at once. The work got the cancellation too
			// (DuckDB's interrupt reaches the running query at once) and ends in the
			// background; a big hash aggregate can take seconds to notice, and the user
			// must not wait for that. Its result, if any, is dropped.
			select {
			case done = <-result: // it finished anyway: a panic or an error stays one
			default:
				done = Done[T]{Owner: owner, ID: job.ID, Label: label, Err: ctx.Err(), Elapsed: time.Since(start)}
			}
		}
		if ctx.Err() != nil && (done.Err == nil || errors.Is(done.Err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled)) {
			var zero T
			done.Cancelled, done.Err, done.Value = true, nil, zero
		}
		return done
	}
	return job.ID, tea.Batch(run, listen(job))
}

func listen(job *Job) tea.Cmd {
	return func() tea.Msg {
		select {
		case p := <-job.progress:
			return JobProgressMsg{Owner: job.Owner, ID: job.ID, Progress: p}
		case <-job.done:
			return nil
		}
	}
}

// Accept updates the table with a job message and reports whether the message should be
// delivered to its owner (false for stale results of superseded jobs and for messages that
// are not job messages). For progress it returns the command that waits for the next
// progress value.
func (j *Jobs) Accept(msg tea.Msg) (deliver bool, next tea.Cmd) {
	m, ok := msg.(JobMsg)
	if !ok {
		return false, nil
	}
	job, ok := j.running[m.jobID()]
	if !ok {
		return false, nil
	}
	if m.final() {
		delete(j.running, job.ID)
		return true, nil
	}
	if p, ok := msg.(JobProgressMsg); ok {
		job.Progress = p.Progress
	}
	return true, listen(job)
}

// Cancel requests cancellation of one job; its Done (Cancelled) follows.
func (j *Jobs) Cancel(id JobID) bool {
	job, ok := j.running[id]
	if !ok {
		return false
	}
	job.Cancelled = true
	job.cancel()
	return true
}

// CancelLatest cancels the most recently started job, preferring jobs of owner. It returns
// the cancelled job or nil when nothing runs.
func (j *Jobs) CancelLatest(owner string) *Job {
	var mine, latest *Job
	for _, job := range j.Running() {
		if job.Cancelled {
			continue
		}
		latest = job
		if job.Owner == owner {
			mine = job
		}
	}
	pick := mine
	if pick == nil {
		pick = latest
	}
	if pick != nil {
		j.Cancel(pick.ID)
	}
	return pick
}

// CancelAll cancels every running job (on quit).
func (j *Jobs) CancelAll() {
	for id := range j.running {
		j.Cancel(id)
	}
}

// Running lists the running jobs, oldest first.
func (j *Jobs) Running() []*Job {
	out := make([]*Job, 0, len(j.running))
	for _, job := range j.running {
		out = append(out, job)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// Busy reports whether any job runs.
func (j *Jobs) Busy() bool { return len(j.running) > 0 }

// IsCurrent reports whether id is a running job (not superseded, not finished).
func (j *Jobs) IsCurrent(id JobID) bool { _, ok := j.running[id]; return ok }
