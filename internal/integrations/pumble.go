package integrations

import "slices"

func init() {
	register(chatNotification(Definition{
		Name:        "pumble",
		Title:       "Pumble notifications",
		Description: "Posts a message to a Pumble channel through an incoming webhook when something happens in GitLab.",
		APISlug:     "pumble",
		Fields: []Field{
			chatWebhook("https://api.pumble.com/workspaces/…/incomingWebhooks/postMessage/…",
				"The incoming webhook URL of the Pumble channel, from Pumble's Incoming Webhooks app.").
				section(Connection),
			notifyOnlyBrokenPipelines(),
			notifyOnlyWhenPipelineStatusChanges(),
			branchesToBeNotified(),
		},
		Events:        append(slices.Clone(chatEvents), "work_item", "confidential_work_item"),
		EventVersions: workItemsSince195(),
		Test:          testable("posts a sample push message to the webhook (project level only)"),
	}))
}
