// Command integrations manages forge integrations (Slack, Jira, Datadog, Jenkins, …) on the
// embedded local store or on a GitLab server.
package main

import (
	"os"

	"github.com/forgekit/integrations/cmd"
	"github.com/forgekit/integrations/internal/cmdutil"
)

//go:generate go run ./internal/docgen

func main() {
	cmdutil.TuneMemory()
	os.Exit(cmd.Main())
}
