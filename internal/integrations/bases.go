package integrations

import (
	"fmt"
	"strings"
)

// Base is the GitLab base class an integration builds on; it brings shared fields and defaults.
type Base string

const (
	NoBase           Base = "none"
	ChatNotification Base = "ChatNotification"
	IssueTracker     Base = "IssueTracker"
	CI               Base = "CI"
	Monitoring       Base = "Monitoring"
	SlashCommands    Base = "SlashCommands"
	ThirdPartyWiki   Base = "ThirdPartyWiki"
)

// Chat notifications post a message per event to a chat service.

func chatNotification(d Definition) Definition {
	d.Base = ChatNotification
	d.Category = "chat"
	return d
}

// chatEvents is the event set most chat services share.
var chatEvents = []string{
	"push", "issue", "confidential_issue", "merge_request", "note", "confidential_note",
	"tag_push", "pipeline", "wiki_page",
}

// channelAPIEvents are the events whose <event>_channel parameter GitLab's API accepts for the
// chat integrations that route per event.
var channelAPIEvents = []string{
	"push", "issue", "incident", "alert", "confidential_issue", "merge_request", "note",
	"confidential_note", "tag_push", "deployment", "pipeline", "wiki_page", "vulnerability",
}

func chatWebhook(placeholder, help string) Field {
	return text("webhook", "Webhook URL", help).required().url().secret().placeholder(placeholder)
}

func chatUsername() Field {
	return text("username", "Username", "Name the messages are posted under.").
		placeholder("GitLab-integration")
}

func chatChannel(placeholder string) Field {
	return text("channel", "Default channel", "Channel for events that have no channel of their own. Separate several with commas.").
		placeholder(placeholder).apiOnly()
}

func notifyOnlyBrokenPipelines() Field {
	return checkbox("notify_only_broken_pipelines", "Notify only broken pipelines",
		"Notify only about broken pipelines", "Skip messages about pipelines that succeeded.").
		def("true").section(Configuration)
}

func notifyOnlyWhenPipelineStatusChanges() Field {
	return checkbox("notify_only_when_pipeline_status_changes", "Notify only on pipeline status changes",
		"Notify only when a pipeline's status changes",
		"Report a failure only when the branch breaks, and a success only when it is fixed.").
		def("false").section(Configuration)
}

var branchChoices = []Choice{
	choice("All branches", "all"),
	choice("Default branch", "default"),
	choice("Protected branches", "protected"),
	choice("Default and protected branches", "default_and_protected"),
}

// branchesToBeNotified is the chat integrations' branch filter; GitLab defaults it to the
// default branch.
func branchesToBeNotified() Field {
	return selectField("branches_to_be_notified", "Branches for notifications",
		"Which branches' pushes, pipelines and deployments send a message. Tags always do.",
		branchChoices...).def("default").section(Configuration)
}

func labelsToBeNotified(placeholder string) Field {
	return text("labels_to_be_notified", "Labels for notifications",
		"Send messages only for issues and merge requests with these labels, separated by commas. Leave blank for all.").
		placeholder(placeholder).section(Configuration)
}

func labelsToBeNotifiedBehavior() Field {
	return selectField("labels_to_be_notified_behavior", "Label matching",
		"Whether an item needs any or all of the labels above to send a message.",
		choice("Match any of the labels", "match_any"),
		choice("Match all of the labels", "match_all"),
	).def("match_any").section(Configuration)
}

// limitChannels caps the channels per event, as GitLab does for Slack-like services.
func limitChannels(limit int) func(Field) Field {
	return func(f Field) Field {
		f.Help = fmt.Sprintf("Overrides the default channel for this event. Separate up to %d channels with commas.", limit)
		return f.checked(func(v string) error {
			n := 0
			for _, c := range strings.Split(v, ",") {
				if strings.TrimSpace(c) != "" {
					n++
				}
			}
			if n > limit {
				return errorf("lists %d channels; at most %d are allowed", n, limit)
			}
			return nil
		})
	}
}

// Issue trackers link GitLab issue references to an external tracker.

func issueTracker(d Definition) Definition {
	d.Base = IssueTracker
	d.Category = "issue_tracker"
	return d
}

func projectURL(help string) Field {
	return urlField("project_url", "Project URL", help).required()
}

func issuesURL(help string) Field {
	return urlField("issues_url", "Issue URL", help).required()
}

func newIssueURL(help string) Field {
	return urlField("new_issue_url", "New issue URL", help).required()
}

// CI integrations trigger builds on an external CI server.

func ciServer(d Definition) Definition {
	d.Base = CI
	d.Category = "ci"
	return d
}

func sslVerification() Field {
	return checkbox("enable_ssl_verification", "SSL verification", "Verify the server's SSL certificate",
		"Turn off only for servers with a self-signed certificate you trust.").def("true")
}

// Monitoring integrations read metrics from an external service.

func monitoring(d Definition) Definition {
	d.Base = Monitoring
	d.Category = "monitoring"
	return d
}

// Slash commands let a chat service run GitLab commands.

func slashCommands(d Definition) Definition {
	d.Base = SlashCommands
	d.Category = "slash_commands"
	d.Fields = append([]Field{
		password("token", "Token", "The token the chat service sends with each slash command, to prove it is genuine.").required(),
	}, d.Fields...)
	d.Test = notTestable("slash commands are called by the chat service; there is nothing to send from here")
	return d
}

// Third-party wikis add a link to an external wiki.

func thirdPartyWiki(d Definition) Definition {
	d.Base = ThirdPartyWiki
	return d
}

// Web hook based integrations are delivered through a GitLab web hook, which keeps request logs.

func hookBased(d Definition) Definition {
	d.WebhookLogs = true
	return d
}
