package integrations

func init() {
	register(issueTracker(Definition{
		Name:        "redmine",
		Title:       "Redmine",
		Description: "Uses a Redmine project as the project's issue tracker: issue references in GitLab link to Redmine issues. Only one external issue tracker can be active in a project.",
		APISlug:     "redmine",
		LegacyType:  "RedmineService",
		Fields: []Field{
			projectURL("The Redmine project's overview page.").
				placeholder("https://redmine.example.com/projects/example"),
			issuesURL("Address of a single issue. Must contain :id, which GitLab replaces with the issue number.").
				placeholder("https://redmine.example.com/issues/:id").checked(trackerIssuesURLCheck),
			newIssueURL("Address of the Redmine form for a new issue in the project.").
				placeholder("https://redmine.example.com/projects/example/issues/new"),
		},
		Events: trackerPushOnly(),
		Test:   trackerHeadTest(),
		Notes: []string{
			"GitLab may prefill the URLs from the issues_tracker section of gitlab.yml when the integration is created.",
		},
	}))
}
