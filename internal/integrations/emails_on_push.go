package integrations

import "unicode"

func init() {
	register(Definition{
		Name:        "emails_on_push",
		Title:       "Emails on push",
		Description: "E-mails a summary of every push, with the commits and their changes, to a list of addresses. Tag pushes are always sent.",
		APISlug:     "emails-on-push",
		LegacyType:  "EmailsOnPushService",
		Fields: []Field{
			checkbox("send_from_committer_email", "Send from committer", "Send from the committer's address",
				"Only when the committer's e-mail domain is one the GitLab server sends mail for; otherwise GitLab's own address is used."),
			checkbox("disable_diffs", "Leave out diffs", "Do not include the code changes",
				"Send only the list of commits, without the diff of each."),
			selectField("branches_to_be_notified", "Branches for e-mails",
				"Which branches' pushes send an e-mail. Tag pushes always do.",
				branchChoices...).def("all"),
			textarea("recipients", "Recipients",
				"The e-mail addresses to send to, separated by spaces or new lines. At most 750.").
				required().placeholder("dev-team@example.com\nqa@example.com").checked(emailsOnPushRecipientsCheck),
		},
		Events: []string{"push", "tag_push"},
		Test:   testable("queues the push e-mail for a sample push, so the recipients get a real message (project level only)"),
		Notes:  []string{"Nothing is sent while e-mails are turned off for the project."},
	})
}

// emailsOnPushRecipientsCheck follows GitLab, which splits the list on white space and accepts at
// most 750 distinct addresses.
var emailsOnPushRecipientsCheck = chatEmailList(unicode.IsSpace, false, 750, "spaces or new lines")
