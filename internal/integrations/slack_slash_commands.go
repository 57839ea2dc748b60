package integrations

func init() {
	register(slashCommands(Definition{
		Name:        "slack_slash_commands",
		Title:       "Slack slash commands",
		Description: "Lets Slack users run GitLab commands, such as creating or showing an issue, with a custom slash command. Slack calls GitLab's trigger endpoint and sends the token stored here.",
		APISlug:     "slack-slash-commands",
		LegacyType:  "SlackSlashCommandsService",
		Status:      Removed,
		RemovedIn:   "19.0",
		Deprecated:  "removed from GitLab's API in 19.0 (gitlab-org/gitlab#569345); use the GitLab for Slack app",
		Notes: []string{
			"Hidden on instances that have the GitLab for Slack app enabled, such as GitLab.com.",
			"Slack calls POST /projects/:id/integrations/slack_slash_commands/trigger, with underscores in the path.",
		},
	}))
}
