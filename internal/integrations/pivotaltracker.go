package integrations

func init() {
	register(Definition{
		Name:        "pivotaltracker",
		Title:       "Pivotal Tracker",
		Description: "Adds commits to the Pivotal Tracker stories their messages mention, and can finish a story from a commit message.",
		APISlug:     "pivotaltracker",
		LegacyType:  "PivotaltrackerService",
		Fields: []Field{
			password("token", "API token", "A Pivotal Tracker API token, from your Tracker profile.").
				required(),
			otherRestrictToBranch(),
		},
		Events: []string{"push"},
		Test:   testable("sends the commits of a sample push to Tracker's source_commits endpoint"),
	})
}
