package integrations

func init() {
	register(ciServer(Definition{
		Name:        "bamboo",
		Title:       "Atlassian Bamboo",
		Description: "Triggers a Bamboo build plan on every push and shows Bamboo's build status on commits and merge requests.",
		APISlug:     "bamboo",
		LegacyType:  "BambooService",
		Fields: []Field{
			trackerCIServerURL("bamboo_url", "Bamboo URL", "The root address of your Bamboo server. Changing it clears the stored build key and password unless you send them again.",
				"https://bamboo.example.com"),
			sslVerification(),
			password("build_key", "Build key", "The key of the Bamboo build plan to run, such as PROJ-PLAN.").required(),
			text("username", "Username", "A Bamboo user allowed to trigger the plan. The GitLab API asks for it on every update.").required(),
			password("password", "Password", "The password of that Bamboo user. The GitLab API asks for it on every update.").required(),
		},
		Events: []string{"push"},
		Test:   testable("triggers the build plan as for a sample push (GET /updateAndBuild.action with the build key); any answer counts as success (project level only)"),
		Notes: []string{
			"The API requires username and password on every PUT; GitLab's model needs each only when the other is set.",
		},
	}))
}
