package integrations

func init() {
	register(chatNotification(Definition{
		Name:        "flowdock",
		Title:       "Flowdock",
		Description: "Used to post push notifications to a Flowdock flow. Flowdock shut down in 2022 and GitLab removed the integration, so it can no longer be set up.",
		Status:      Removed,
		// Removed in GitLab 15.7: gitlab-org/gitlab#379197 lists the removal under 15.7 (MR
		// !102394, removal entry data/deprecations/15-7-remove-flowdock-integration.yml).
		RemovedIn: "15.7",
		Test:      notTestable("GitLab no longer ships this integration"),
	}))
}
