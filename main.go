// Command integrations manages forge integrations (Slack, Jira, Datadog, Jenkins, …) on the
// embedded local store or on a GitLab server.
package main

import (
	"os"

	"github.com/forgekit/integrations/cmd"
)

//go:generate go run ./internal/docgen

func main() {
	os.Exit(cmd.Main())
}
