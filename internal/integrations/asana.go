package integrations

func init() {
	register(Definition{
		Name:        "asana",
		Title:       "Asana",
		Description: "Adds a comment to the Asana tasks that commit messages mention, and completes a task when the message says it fixes or closes it.",
		APISlug:     "asana",
		LegacyType:  "AsanaService",
		Fields: []Field{
			password("api_key", "Personal access token", "An Asana personal access token; the comments are posted as its owner.").
				required(),
			otherRestrictToBranch(),
		},
		Events: []string{"push"},
		Notes: []string{
			"A commit refers to a task by #<task id> or by the task's app.asana.com URL; fix… or clos… before the reference completes the task.",
		},
		Test: testable("checks the token by asking Asana who it belongs to (GET /api/1.0/users/me)"),
	})
}
