package integrations

func init() {
	register(issueTracker(Definition{
		Name:        "clickup",
		Title:       "ClickUp",
		Description: "Uses ClickUp as the project's issue tracker: references such as #abc123, CU-abc123 or KEY-12 in GitLab link to ClickUp tasks. Available since GitLab 16.1.",
		APISlug:     "clickup",
		API:         Availability{Since: Version{16, 1}},
		Fields: []Field{
			projectURL("The ClickUp workspace or list the project's tasks live in.").
				placeholder("https://app.clickup.com/1234567/home"),
			issuesURL("Address of a single task, with :id where the task ID goes.").
				placeholder("https://app.clickup.com/t/:id"),
		},
		Events: trackerPushOnly(),
		Test:   trackerHeadTest(),
		Notes:  []string{"ClickUp has no new issue URL field."},
	}))
}
