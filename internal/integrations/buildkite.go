package integrations

func init() {
	register(hookBased(ciServer(Definition{
		Name:        "buildkite",
		Title:       "Buildkite",
		Description: "Starts Buildkite builds on pushes, tag pushes and merge requests through a web hook, and shows Buildkite's build status in GitLab.",
		APISlug:     "buildkite",
		LegacyType:  "BuildkiteService",
		Fields: []Field{
			trackerCIServerURL("project_url", "Pipeline URL", "The Buildkite pipeline's page. Changing it clears the stored token unless you send it again.",
				"https://buildkite.com/example/pipeline"),
			password("token", "Token", "The pipeline's token from its GitLab settings in Buildkite: the webhook token and the status token joined by a colon.").
				required().placeholder("webhook-token:status-token"),
			checkbox("enable_ssl_verification", "SSL verification", "Verify the server's SSL certificate",
				"Has no effect: GitLab always verifies Buildkite's certificate. Accepted for compatibility.").apiOnly(),
		},
		Events: []string{"push", "merge_request", "tag_push"},
		Test:   testable("delivers a sample push through the web hook to webhook.buildkite.com; success when an answer comes back (project level only)"),
	})))
}
