//go:build unix

package sampletest

import (
	"syscall"
	"time"
)

// ProcessCPU is the CPU time (user + system) of this process so far, DuckDB's threads
// included: benchmarks report it per op because wall time on a shared machine depends on
// the other load.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
