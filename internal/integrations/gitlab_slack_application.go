package integrations

func init() {
	register(chatNotification(Definition{
		Name:        "gitlab_slack_application",
		Title:       "GitLab for Slack app",
		Description: "Sends GitLab notifications to Slack channels through the GitLab for Slack app, which also lets people run GitLab slash commands from Slack. It is installed from GitLab's settings page through Slack's sign-in, so the API can change it but not create it.",
		APISlug:     "gitlab-slack-application",
		LegacyType:  "GitlabSlackApplicationService",
		NoAPICreate: true,
		Fields: []Field{
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
		GroupEvents: []string{"group_mention", "group_confidential_mention"},
		EEEvents:    []string{"vulnerability"},
		// A freshly installed app notifies about nothing until events are switched on.
		DefaultEvents: map[string]bool{
			"push": false, "issue": false, "confidential_issue": false, "merge_request": false,
			"note": false, "confidential_note": false, "tag_push": false, "pipeline": false,
			"wiki_page": false, "deployment": false, "incident": false, "work_item": false,
			"confidential_work_item": false, "alert": false, "group_mention": false,
			"group_confidential_mention": false, "vulnerability": false,
		},
		ChannelField:  limitChannels(10),
		ChannelEvents: channelAPIEvents,
		Test:          testable("posts a short test message, visible only to the installer, to up to 10 of the configured channels (project level only)"),
		Notes: []string{
			"Offered only when the instance has the Slack app enabled; Slack slash commands are then hidden.",
			"Creating it through the API fails with 422; updating an existing one does not change whether it is active.",
			"GitLab shows no fields until the app is installed.",
		},
	}))
}
