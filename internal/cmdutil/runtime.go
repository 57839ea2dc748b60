package cmdutil

import (
	"os"
	"runtime"
	"runtime/debug"
)

// The Go runtime's settings live here, for the whole process; GOGC, GOMEMLIMIT and GOMAXPROCS,
// when set, win over each.

// TuneMemory sets the garbage collector for the command about to run. Runs over many targets
// (bulk runs, apply and export over tens of thousands of projects) keep a record per target,
// about 1.6 KB each: collecting at half again the live heap, not double, keeps a 20,000 project
// run well under 100 MB. Every other command keeps the runtime's default: at half, the first
// collection comes during start-up (it allocates ~1.7 MB) and a short command took 11.5–13 ms
// of CPU instead of 8–8.8 (perf stat, 60 runs each, in pairs). The soft limit holds for all.
func TuneMemory(manyTargets bool) {
	if manyTargets && os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(80 << 20)
	}
}

// requestsPerCPU is how many requests at a time one CPU keeps up with against a server: a
// bulk request cost 0.2–0.35 ms of CPU in the bench, so one CPU serves 32 at a time down to
// ~10 ms a request, well under what GitLab takes to answer an integration's read or write.
const requestsPerCPU = 32

// FitCPUs gives a run that waits on a server the CPUs its requests need: at most one per
// requestsPerCPU requests at a time. Spread over more, the runtime spends CPU handing each
// answer from one CPU to another: a bulk enable of 20,000 projects at 16 at a time, measured in
// pairs, used 8.8 and 9.3 s of CPU on two and 9.3 and 7.6 s on one (15.1 and 13.7 s on a loaded
// machine), in the same wall time.
func FitCPUs(concurrency int) {
	if os.Getenv("GOMAXPROCS") != "" {
		return
	}
	if n := (concurrency + requestsPerCPU - 1) / requestsPerCPU; n < runtime.GOMAXPROCS(0) {
		runtime.GOMAXPROCS(max(n, 1))
	}
}
