package integrations

import "unicode"

func init() {
	register(Definition{
		Name:        "pipelines_email",
		Title:       "Pipeline status emails",
		Description: "E-mails a list of addresses when a pipeline succeeds or fails. You can limit it to broken pipelines, to status changes and to some branches.",
		APISlug:     "pipelines-email",
		LegacyType:  "PipelinesEmailService",
		Fields: []Field{
			textarea("recipients", "Recipients",
				"The e-mail addresses to send to, separated by commas, spaces or new lines. At most 30.").
				required().placeholder("dev-team@example.com, qa@example.com").checked(pipelinesEmailRecipientsCheck),
			notifyOnlyBrokenPipelines().section(NoSection),
			notifyOnlyWhenPipelineStatusChanges().section(NoSection),
			checkbox("notify_only_default_branch", "Default branch only (old setting)", "Notify only about the default branch",
				"Replaced by the branches setting; GitLab reads it only when no branches are set.").apiOnly(),
			selectField("branches_to_be_notified", "Branches for e-mails",
				"Which branches' pipelines send an e-mail.", branchChoices...).def("default"),
			checkbox("notify_child_pipelines", "Child pipelines", "Notify about child pipelines too",
				"Also send e-mails for pipelines started by a parent pipeline.").
				def("true").edition("newer versions, behind the pipelines_email_notify_child_pipelines feature flag").since("19.5"),
		},
		Events: []string{"pipeline"},
		Test:   testUnknown("sends the pipeline e-mail for a sample pipeline, ignoring the branch and status filters"),
		Notes: []string{
			"Only successful and failed pipelines send e-mails.",
			"With pipeline as its only event, GitLab's form shows no trigger checkboxes.",
		},
	})
}

// pipelinesEmailRecipientsCheck follows GitLab, which splits the list on commas and white space,
// drops the <> around addresses and accepts at most 30.
var pipelinesEmailRecipientsCheck = chatEmailList(func(r rune) bool { return r == ',' || unicode.IsSpace(r) }, true, 30, "commas, spaces or new lines")
