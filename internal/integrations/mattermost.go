package integrations

func init() {
	register(chatNotification(Definition{
		Name:        "mattermost",
		Title:       "Mattermost notifications",
		Description: "Posts a message to Mattermost channels through an incoming webhook when something happens in GitLab. Each event can go to channels of its own.",
		APISlug:     "mattermost",
		LegacyType:  "MattermostService",
		Fields: []Field{
			chatWebhook("https://mattermost.example.com/hooks/…",
				"The incoming webhook URL from Mattermost's Integrations page."),
			chatUsername(),
			chatChannel("town-square"),
			notifyOnlyBrokenPipelines(),
			notifyOnlyWhenPipelineStatusChanges(),
			branchesToBeNotified(),
			labelsToBeNotified("~backend,~frontend"),
			labelsToBeNotifiedBehavior(),
		},
		Events: []string{
			"push", "issue", "confidential_issue", "merge_request", "note", "confidential_note",
			"tag_push", "pipeline", "wiki_page", "deployment", "incident", "work_item",
			"confidential_work_item",
		},
		EEEvents:      []string{"vulnerability"},
		DefaultEvents: map[string]bool{"deployment": false, "incident": false},
		// The API's channel list filtered to the events Mattermost supports (it accepts an
		// alert channel too, but Mattermost never sends alerts).
		ChannelField: limitChannels(10),
		ChannelEvents: []string{
			"push", "issue", "incident", "confidential_issue", "merge_request", "note",
			"confidential_note", "tag_push", "deployment", "pipeline", "wiki_page", "vulnerability",
		},
		Test: testable("posts a sample push message to the webhook (project level only)"),
		Notes: []string{
			"Confidential issue and comment events fall back to the issue and comment channels when they have none of their own.",
		},
	}))
}
