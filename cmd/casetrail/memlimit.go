package main

import (
	"log/slog"
	"os"
	"runtime/debug"
)

// DefaultMemoryLimit is the Go runtime's soft memory limit for the processes
// that run cases (serve, worker, api, bench) when GOMEMLIMIT is not set:
// the garbage collector then collects sooner as the process's memory nears
// it, instead of letting the heap grow to twice what is live (GOGC=100).
// With the executable's own pages (~150 MB of a 350 MB binary) the resident
// set stays under 1 GiB with 10,000 open cases (README, "Memory with the
// cases open"). It is soft: a heap that needs more gets more, and the
// runtime caps the collector's share of the CPU. GOMEMLIMIT overrides it
// (e.g. GOMEMLIMIT=2GiB, or GOMEMLIMIT=off for none).
const DefaultMemoryLimit = 768 << 20

// applyMemoryLimit sets DefaultMemoryLimit unless GOMEMLIMIT chose one (the
// runtime has read it already), and logs the limit in force.
func applyMemoryLimit(logger *slog.Logger) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(DefaultMemoryLimit)
	}
	limit := debug.SetMemoryLimit(-1)
	logger.Info("memory limit", "mib", limit>>20, "from", memoryLimitSource())
}

func memoryLimitSource() string {
	if os.Getenv("GOMEMLIMIT") != "" {
		return "GOMEMLIMIT"
	}
	return "default"
}
