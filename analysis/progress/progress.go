// Package progress is the one progress report of long calls (import, profiling, sample
// generation, training, scoring, simulation, the deck): every analysis package's Progress is
// this type, so the CLI's terminal bar and the workbench's job bar read the same thing and no
// adapter sits between them.
package progress

import "fmt"

// Progress is how far a long call has got: Done of Total units (Total 0 = unknown) in Stage.
type Progress struct {
	Done, Total int64
	Stage       string
}

// Fraction is Done/Total in [0,1], or -1 when the total is unknown.
func (p Progress) Fraction() float64 {
	if p.Total <= 0 {
		return -1
	}
	f := float64(p.Done) / float64(p.Total)
	if f > 1 {
		f = 1
	}
	return f
}

// Func receives progress reports; a nil Func ignores them.
type Func = func(Progress)

// Report calls f when it is not nil.
func Report(f Func, done, total int64, stage string) {
	if f != nil {
		f(Progress{Done: done, Total: total, Stage: stage})
	}
}

// Staged returns a Func that passes reports on to f under another stage name (nil when f
// is nil), for a step whose own stage names mean nothing to the caller.
func Staged(f Func, stage string) Func {
	if f == nil {
		return nil
	}
	return func(p Progress) { p.Stage = stage; f(p) }
}

// Prelude returns a Func for a step that runs before a job's measured work (loading the data
// a fit then reads): its reports reach f with no fraction (Total 0) and the step's own
// percentage in the stage text ("loading view 74 %"), so the job's one bar starts with the
// measured work and never runs back from the step's 100 % to the work's 0 % (nil when f is nil).
func Prelude(f Func) Func {
	if f == nil {
		return nil
	}
	return func(p Progress) {
		stage := p.Stage
		if fr := p.Fraction(); fr >= 0 {
			stage = fmt.Sprintf("%s %d %%", stage, int(fr*100))
		}
		f(Progress{Stage: stage})
	}
}
