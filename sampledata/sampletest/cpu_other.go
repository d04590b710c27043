//go:build !unix

package sampletest

import "time"

// ProcessCPU is not measured on this platform: it is always 0.
func ProcessCPU() time.Duration { return 0 }
