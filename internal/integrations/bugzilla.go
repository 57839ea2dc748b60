package integrations

func init() {
	register(issueTracker(Definition{
		Name:        "bugzilla",
		Title:       "Bugzilla",
		Description: "Uses a Bugzilla installation as the project's issue tracker: issue references in GitLab link to Bugzilla bugs. Only one external issue tracker can be active in a project.",
		APISlug:     "bugzilla",
		LegacyType:  "BugzillaService",
		Fields: []Field{
			projectURL("The Bugzilla page of the product the project files bugs under.").
				placeholder("https://bugzilla.example.com/describecomponents.cgi?product=Example"),
			issuesURL("Address of a single bug, with :id where the bug number goes.").
				placeholder("https://bugzilla.example.com/show_bug.cgi?id=:id"),
			newIssueURL("Address of the form for filing a new bug.").
				placeholder("https://bugzilla.example.com/enter_bug.cgi?product=Example"),
		},
		Events: trackerPushOnly(),
		Test:   trackerHeadTest(),
		Notes: []string{
			"GitLab may prefill the URLs from the issues_tracker section of gitlab.yml when the integration is created.",
		},
	}))
}
