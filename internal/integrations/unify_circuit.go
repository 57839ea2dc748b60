package integrations

func init() {
	register(chatNotification(Definition{
		Name:        "unify_circuit",
		Title:       "Unify Circuit notifications",
		Description: "Posts a message to a Unify Circuit conversation through an incoming webhook when something happens in GitLab.",
		APISlug:     "unify-circuit",
		LegacyType:  "UnifyCircuitService",
		Fields: []Field{
			chatWebhook("https://circuit.example.com/rest/v2/webhooks/incoming/…",
				"The incoming webhook URL you added to the Circuit conversation.").
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
