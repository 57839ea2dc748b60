package integrations

func init() {
	register(chatNotification(Definition{
		Name:        "slack",
		Title:       "Slack notifications",
		Description: "Posts a message to Slack channels through an incoming webhook when something happens in GitLab. GitLab deprecates it in favour of the GitLab for Slack app, but it still works.",
		APISlug:     "slack",
		LegacyType:  "SlackService",
		Fields: []Field{
			chatWebhook("https://hooks.slack.com/services/…", "The incoming webhook URL Slack gave you when you added the app to a workspace."),
			chatUsername(),
			chatChannel("#general, #development"),
			notifyOnlyBrokenPipelines(),
			notifyOnlyWhenPipelineStatusChanges(),
			branchesToBeNotified(),
			labelsToBeNotified("~backend,~frontend"),
			labelsToBeNotifiedBehavior(),
		},
		Events: []string{
			"push", "issue", "confidential_issue", "merge_request", "note", "confidential_note",
			"tag_push", "pipeline", "wiki_page", "deployment", "incident", "work_item",
			"confidential_work_item", "alert",
		},
		GroupEvents:   []string{"group_mention", "group_confidential_mention"},
		EEEvents:      []string{"vulnerability"},
		DefaultEvents: map[string]bool{"deployment": false, "incident": false, "group_mention": false, "group_confidential_mention": false},
		ChannelField:  limitChannels(10),
		ChannelEvents: []string{
			"push", "issue", "confidential_issue", "merge_request", "note", "confidential_note",
			"tag_push", "pipeline", "wiki_page", "deployment", "incident", "alert", "vulnerability",
		},
		Deprecated: "deprecated in GitLab 15.9 in favour of the GitLab for Slack app",
		Test:       testable("posts a sample notification for the chosen event to the incoming webhook"),
	}))
}
