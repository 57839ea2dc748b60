package integrations

func init() {
	register(issueTracker(Definition{
		Name:        "custom_issue_tracker",
		Title:       "Custom issue tracker",
		Description: "Links issue references in GitLab to any issue tracker that has one web page per issue. Use it when GitLab has no dedicated integration for your tracker.",
		APISlug:     "custom-issue-tracker",
		LegacyType:  "CustomIssueTrackerService",
		Fields: []Field{
			projectURL("The tracker's page for this project.").
				placeholder("https://tracker.example.com/projects/example"),
			issuesURL("Address of a single issue. Put :id where the issue number goes; GitLab replaces it.").
				placeholder("https://tracker.example.com/issues/:id"),
			newIssueURL("Address of the form for opening a new issue.").
				placeholder("https://tracker.example.com/issues/new"),
		},
		Events: trackerPushOnly(),
		Test:   trackerHeadTest(),
	}))
}
