package integrations

import (
	"regexp"
	"strings"

	"github.com/forgekit/integrations/internal/quote"
)

func init() {
	register(chatNotification(Definition{
		Name:        "discord",
		Title:       "Discord notifications",
		Description: "Posts a message to a Discord channel through a channel webhook when something happens in GitLab, such as a push, a new issue or a failed pipeline. Each event can go to a webhook of its own.",
		APISlug:     "discord",
		LegacyType:  "DiscordService",
		Fields: []Field{
			chatWebhook("https://discord.com/api/webhooks/…",
				"The webhook URL from the Discord channel's Integrations settings. It must be an https://discord.com address.").
				section(Connection).checked(discordWebhookCheck),
			notifyOnlyBrokenPipelines(),
			notifyOnlyWhenPipelineStatusChanges(),
			branchesToBeNotified(),
		},
		Events: []string{
			"push", "issue", "confidential_issue", "work_item", "confidential_work_item",
			"merge_request", "note", "confidential_note", "tag_push", "pipeline", "wiki_page",
			"deployment",
		},
		GroupEvents:   []string{"group_mention", "group_confidential_mention"},
		DefaultEvents: map[string]bool{"deployment": false},
		// The API's channel list filtered to the events Discord supports; incident and alert
		// channels are accepted by the API but Discord never sends those events.
		ChannelEvents: []string{
			"push", "issue", "confidential_issue", "merge_request", "note", "confidential_note",
			"tag_push", "deployment", "pipeline", "wiki_page",
		},
		// Discord's per-event "channels" are webhook URLs: one per event, on discord.com, and
		// never returned by GitLab, so they are secrets like the main webhook.
		ChannelField: func(f Field) Field {
			f.Title = "Webhook for " + strings.ReplaceAll(f.Event, "_", " ") + " events"
			f.Help = "Sends this event to another Discord webhook instead of the main one. One URL only."
			f.Placeholder = "https://discord.com/api/webhooks/…"
			return limitChannels(1)(f).url().secret().checked(discordWebhookCheck).since("16.3")
		},
		EventVersions: workItemsSince195(),
		Test:          testable("posts a sample push message to the webhook (project level only)"),
		Notes: []string{
			"Per-event overrides take a Discord webhook URL, not a channel name, and GitLab never returns them.",
			"Per-event overrides were added in GitLab 16.3.",
		},
	}))
}

var discordWebhookPattern = regexp.MustCompile(`^https://discord\.com(/.*)?$`)

// discordWebhookCheck is GitLab's rule that a Discord webhook points at https://discord.com.
func discordWebhookCheck(v string) error {
	if !discordWebhookPattern.MatchString(v) {
		return errorf("%s is not a Discord webhook; it must start with https://discord.com/", quote.Value(v))
	}
	return nil
}
