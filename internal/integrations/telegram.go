package integrations

func init() {
	register(chatNotification(Definition{
		Name:        "telegram",
		Title:       "Telegram notifications",
		Description: "Has a Telegram bot post a message to a chat, group or channel when something happens in GitLab. Messages can go to one topic of a group that has topics.",
		APISlug:     "telegram",
		Fields: []Field{
			urlField("hostname", "Bot API server",
				"The Telegram Bot API server to use. Leave blank for https://api.telegram.org. Changing it clears the stored token unless you send it again.").
				placeholder("https://api.telegram.org").section(Connection).exposesSecrets(),
			password("token", "Bot token", "The token @BotFather gave you when you created the bot.").
				required().placeholder("123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11").
				section(Connection).exposesSecrets(),
			text("room", "Chat",
				"Where the bot posts: a public channel's @username, or the numeric ID of a chat or group. The bot must be a member.").
				required().placeholder("@gitlab_updates").section(Configuration),
			text("thread", "Topic ID",
				"The numeric ID of a topic in a group with topics. Leave blank to post to the main chat.").
				placeholder("123").section(Configuration).checked(chatWholeNumber(false)),
			notifyOnlyBrokenPipelines(),
			notifyOnlyWhenPipelineStatusChanges(),
			branchesToBeNotified(),
		},
		Events: []string{
			"push", "issue", "confidential_issue", "merge_request", "note", "confidential_note",
			"tag_push", "pipeline", "wiki_page", "incident", "work_item", "confidential_work_item",
		},
		EEEvents:      []string{"vulnerability"},
		DefaultEvents: map[string]bool{"incident": false},
		Test:          testable("has the bot send a sample push message to the chat (project level only)"),
	}))
}
