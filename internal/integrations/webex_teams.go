package integrations

func init() {
	register(chatNotification(Definition{
		Name:        "webex_teams",
		Title:       "Webex notifications",
		Description: "Posts a message to a Webex space through an incoming webhook when something happens in GitLab.",
		APISlug:     "webex-teams",
		LegacyType:  "WebexTeamsService",
		Fields: []Field{
			chatWebhook("https://webexapis.com/v1/webhooks/incoming/…",
				"The incoming webhook URL from Webex's Incoming Webhooks app for the space.").
				section(Connection),
			notifyOnlyBrokenPipelines(),
			notifyOnlyWhenPipelineStatusChanges(),
			branchesToBeNotified(),
		},
		Events: []string{
			"push", "issue", "confidential_issue", "work_item", "confidential_work_item",
			"merge_request", "note", "confidential_note", "tag_push", "pipeline", "wiki_page",
		},
		EventVersions: workItemsSince195(),
		Test:          testable("posts a sample push message to the webhook (project level only)"),
	}))
}
