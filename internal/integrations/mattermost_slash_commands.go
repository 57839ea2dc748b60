package integrations

func init() {
	register(slashCommands(Definition{
		Name:        "mattermost_slash_commands",
		Title:       "Mattermost slash commands",
		Description: "Lets Mattermost users run GitLab commands, such as creating or showing an issue, with a slash command in any channel. Mattermost calls GitLab's trigger endpoint and sends the token stored here.",
		APISlug:     "mattermost-slash-commands",
		LegacyType:  "MattermostSlashCommandsService",
		Notes: []string{
			"Mattermost calls POST /projects/:id/integrations/mattermost_slash_commands/trigger, with underscores in the path.",
			"GitLab's settings page can create the command in Mattermost and store its token for you.",
		},
	}))
}
