package integrations

func init() {
	register(hookBased(ciServer(Definition{
		Name:        "drone_ci",
		Title:       "Drone",
		Description: "Starts Drone builds on pushes, tag pushes and merge requests through a web hook, and shows Drone's build status in GitLab.",
		APISlug:     "drone-ci",
		LegacyType:  "DroneCiService",
		Fields: []Field{
			trackerCIServerURL("drone_url", "Drone URL", "The address of your Drone server. Changing it clears the stored token unless you send it again.",
				"https://drone.example.com"),
			sslVerification(),
			password("token", "Token", "A Drone personal token for GitLab to send builds with.").required(),
		},
		Events: []string{"push", "merge_request", "tag_push"},
		Test:   testable("posts a sample push to the Drone server's /hook endpoint through the web hook; success when an answer comes back (project level only)"),
	})))
}
