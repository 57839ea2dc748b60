package integrations

// officeConnectors are the addresses of Office 365 connectors (incoming webhooks) in Teams,
// which Microsoft retired in 2026: messages sent to them no longer arrive.
var officeConnectors = []RetiredURL{
	{Host: "webhook.office.com", Why: connectorsRetired, Instead: connectorsInstead},
	{Host: "outlook.office.com", PathPrefix: "/webhook", Why: connectorsRetired, Instead: connectorsInstead},
	{Host: "outlook.office365.com", PathPrefix: "/webhook", Why: connectorsRetired, Instead: connectorsInstead},
}

const (
	connectorsRetired = "it is an Office 365 connector address, and Microsoft retired connectors in Teams in 2026"
	connectorsInstead = "a webhook from a Teams Workflows flow"
)

func init() {
	register(chatNotification(Definition{
		Name:        "microsoft_teams",
		Title:       "Microsoft Teams notifications",
		Description: "Posts a message to a Microsoft Teams channel through an incoming webhook when something happens in GitLab, such as a push, a merge request or a failed pipeline.",
		APISlug:     "microsoft-teams",
		LegacyType:  "MicrosoftTeamsService",
		Fields: []Field{
			chatWebhook("https://prod-00.westeurope.logic.azure.com/workflows/…",
				"The webhook URL of a Teams Workflows flow that posts to the channel (the older connector URLs stopped working in 2026).").
				section(Connection).retired(officeConnectors...),
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
