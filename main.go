// Command integrations manages forge integrations (Slack, Jira, Datadog, Jenkins, …) on the
// embedded local store or on a GitLab server.
package main

import (
	"os"
	"runtime/debug"

	"github.com/forgekit/integrations/cmd"
)

//go:generate go run ./internal/docgen

func main() {
	tuneMemory()
	os.Exit(cmd.Main())
}

// tuneMemory sets the garbage collector for the largest runs, once for the whole process: bulk
// runs and apply over tens of thousands of projects keep a record per target (about 1.6 KB
// each); collecting at half again the live heap, not double, and a soft limit keep a 20,000
// project run well under 100 MB. Short commands never come near either. GOGC and GOMEMLIMIT,
// when set, win.
func tuneMemory() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(80 << 20)
	}
}
