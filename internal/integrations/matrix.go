package integrations

func init() {
	register(chatNotification(Definition{
		Name:        "matrix",
		Title:       "Matrix notifications",
		Description: "Posts a message to a Matrix room when something happens in GitLab. It signs in to your homeserver with an access token; leave the homeserver blank to use matrix.org's.",
		APISlug:     "matrix",
		Fields: []Field{
			urlField("hostname", "Homeserver URL",
				"The client API address of your Matrix homeserver. Leave blank for https://matrix-client.matrix.org. Changing it clears the stored token unless you send it again.").
				placeholder("https://matrix-client.matrix.org").section(Connection).exposesSecrets(),
			password("token", "Access token",
				"The access token of the Matrix account that posts the messages. The account must have joined the room.").
				required().section(Connection).exposesSecrets(),
			text("room", "Room ID",
				"The internal ID of the room, found in the room's advanced settings. It starts with ! and ends with the server name.").
				required().placeholder("!aBcDeFgHiJkLmNoP:matrix.org").section(Configuration),
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
		Test:          testable("posts a sample push message to the room through the homeserver's client API (project level only)"),
		Notes: []string{
			"Work item events follow the issue settings and are not shown as separate triggers in GitLab's form.",
		},
	}))
}
