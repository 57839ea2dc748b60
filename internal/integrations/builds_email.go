package integrations

func init() {
	register(Definition{
		Name:        "builds_email",
		Title:       "Builds emails",
		Description: "Emailed the status of each CI build to a list of recipients. GitLab replaced it with pipeline status emails and converted existing settings.",
		Levels:      projectOnly,
		Status:      Removed,
		// GitLab 9.0.0's changelog: "migrate BuildsEmailService to PipelinesEmailService"
		// (gitlab-org/gitlab-ce!8196, CHANGELOG.md in gitlabhq/gitlabhq, 9.0.0, 2017-03-22).
		RemovedIn: "9.0",
		Notes: []string{
			"Use pipelines_email instead; GitLab 9.0 moved existing Builds emails settings there.",
		},
		Test: notTestable("GitLab no longer has this integration"),
	})
}
