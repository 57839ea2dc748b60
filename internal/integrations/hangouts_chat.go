package integrations

import "slices"

func init() {
	register(chatNotification(Definition{
		Name:        "hangouts_chat",
		Title:       "Google Chat notifications",
		Description: "Posts a message to a Google Chat space through an incoming webhook when something happens in GitLab. Messages about the same issue, merge request or commit are kept in one thread.",
		APISlug:     "hangouts-chat",
		LegacyType:  "HangoutsChatService",
		Fields: []Field{
			chatWebhook("https://chat.googleapis.com/v1/spaces/…/messages?key=…",
				"The incoming webhook URL you created in the Google Chat space's Apps & integrations settings.").
				section(Connection),
			notifyOnlyBrokenPipelines(),
			notifyOnlyWhenPipelineStatusChanges(),
			branchesToBeNotified(),
		},
		Events:        append(slices.Clone(chatEvents), "work_item", "confidential_work_item"),
		EventVersions: workItemsSince195(),
		Test:          testable("posts a sample push message to the webhook (project level only)"),
		Notes:         []string{"GitLab calls it Google Chat; the API slug keeps the old Hangouts Chat name."},
	}))
}
