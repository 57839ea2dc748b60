package integrations

func init() {
	register(issueTracker(Definition{
		Name:        "phorge",
		Title:       "Phorge",
		Description: "Uses Phorge (the community fork of Phabricator) as the project's issue tracker: references such as T123 in GitLab link to Phorge tasks. Available since GitLab 16.11.",
		APISlug:     "phorge",
		API:         Availability{Since: Version{16, 11}}, // introduced then (the reference)
		Fields: []Field{
			projectURL("The Phorge project the tasks belong to.").
				placeholder("https://phorge.example.com/project/view/1/"),
			issuesURL("Address of a single task. Must contain :id, which GitLab replaces with the task number.").
				placeholder("https://phorge.example.com/T:id").checked(trackerIssuesURLCheck),
		},
		Events: trackerPushOnly(),
		Test:   trackerHeadTest(),
		Notes:  []string{"Phorge has no new issue URL field."},
	}))
}
