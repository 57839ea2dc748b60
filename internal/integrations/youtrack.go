package integrations

func init() {
	register(issueTracker(Definition{
		Name:        "youtrack",
		Title:       "YouTrack",
		Description: "Uses JetBrains YouTrack as the project's issue tracker: references such as ABC-123 in GitLab link to YouTrack issues.",
		APISlug:     "youtrack",
		LegacyType:  "YoutrackService",
		Fields: []Field{
			projectURL("The YouTrack project's page.").
				placeholder("https://example.youtrack.cloud/projects/ABC"),
			issuesURL("Address of a single issue. Must contain :id, which GitLab replaces with the issue ID.").
				placeholder("https://example.youtrack.cloud/issue/:id").checked(trackerIssuesURLCheck),
		},
		Events: trackerPushOnly(),
		Test:   trackerHeadTest(),
		Notes:  []string{"YouTrack has no new issue URL field; issue keys match case-insensitively."},
	}))
}
