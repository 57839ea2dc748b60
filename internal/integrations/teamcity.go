package integrations

func init() {
	register(ciServer(Definition{
		Name:        "teamcity",
		Title:       "JetBrains TeamCity",
		Description: "Queues a TeamCity build for pushes and merge requests and shows TeamCity's build status in GitLab.",
		APISlug:     "teamcity",
		LegacyType:  "TeamcityService",
		Fields: []Field{
			trackerCIServerURL("teamcity_url", "TeamCity URL", "The root address of your TeamCity server. Changing it clears the stored password unless you send it again.",
				"https://teamcity.example.com"),
			sslVerification(),
			text("build_type", "Build configuration ID", "The ID of the TeamCity build configuration to run.").
				required().placeholder("Example_Build"),
			text("username", "Username", "A TeamCity user allowed to queue builds. The GitLab API asks for it on every update.").required(),
			password("password", "Password", "The password of that TeamCity user. The GitLab API asks for it on every update.").required(),
		},
		Events: []string{"push", "merge_request"},
		Test:   testable("queues a build as for a sample push (POST /httpAuth/app/rest/buildQueue); success when an answer comes back (project level only)"),
		Notes: []string{
			"Pushes that delete a branch do not trigger a build.",
		},
	}))
}
