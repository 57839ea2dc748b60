package integrations

import "strings"

// Helpers shared by the issue tracker and CI integrations of this batch.

// trackerIssueIDPlaceholder is the marker an issue tracker replaces with the issue number.
const trackerIssueIDPlaceholder = ":id"

// trackerIssuesURLCheck requires the issue URL to hold the :id marker, so GitLab can build a
// link to each issue.
func trackerIssuesURLCheck(v string) error {
	if !strings.Contains(v, trackerIssueIDPlaceholder) {
		return errorf("must contain %s where the issue number goes", trackerIssueIDPlaceholder)
	}
	return nil
}

// trackerPushOnly is the single event external issue trackers subscribe to; GitLab turns it on
// by default, so no DefaultEvents entry is needed.
func trackerPushOnly() []string { return []string{"push"} }

// trackerHeadTest is what GitLab's Test settings does for the link-only issue trackers.
func trackerHeadTest() Testability {
	return testable("sends a HEAD request to the project URL; any HTTP answer counts as success, a connection or TLS error as failure (project level only)")
}

// trackerCIServerURL is the address of a CI server. Changing it makes GitLab clear the stored
// secrets unless they are sent again in the same update.
func trackerCIServerURL(key, title, help, placeholder string) Field {
	return urlField(key, title, help).required().exposesSecrets().placeholder(placeholder)
}
