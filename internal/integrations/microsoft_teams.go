package integrations

func init() {
	register(chatNotification(Definition{
		Name:        "microsoft_teams",
		Title:       "Microsoft Teams notifications",
		Description: "Posts a message to a Microsoft Teams channel through an incoming webhook when something happens in GitLab, such as a push, a merge request or a failed pipeline.",
		APISlug:     "microsoft-teams",
		LegacyType:  "MicrosoftTeamsService",
		Fields: []Field{
			chatWebhook("https://example.webhook.office.com/webhookb2/…",
				"The incoming webhook URL you set up for the Teams channel.").
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
