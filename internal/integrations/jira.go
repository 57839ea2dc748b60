package integrations

import (
	"regexp"
	"strings"

	"github.com/forgekit/integrations/internal/quote"
)

func init() {
	register(issueTracker(Definition{
		Name:        "jira",
		Title:       "Jira issues",
		Description: "Links Jira issue keys mentioned in commits and merge requests to Jira, comments on those issues, and can move them through a workflow transition when a merge request closes them. Works with Jira Cloud and Jira Data Center or Server.",
		APISlug:     "jira",
		LegacyType:  "JiraService",
		Fields: []Field{
			urlField("url", "Web URL", "The address of your Jira site, such as https://example.atlassian.net.").
				required().placeholder("https://jira.example.com").section(Connection).exposesSecrets(),
			urlField("api_url", "Jira API URL", "Only when the API answers at another address than the web URL. Leave blank to use the web URL. A Jira Cloud service account needs it: https://api.atlassian.com/ex/jira/<cloud id>.").
				requiredWhen("when the authentication method is a Jira Cloud service account").section(Connection).exposesSecrets(),
			selectField("jira_auth_type", "Authentication method",
				"Jira Cloud takes basic authentication, or from GitLab 19.0 a Jira Cloud service account (which needs the API URL); a personal access token works with Jira Data Center or Server.",
				choice("Basic authentication", "0"),
				choice("Jira personal access token", "1"),
				Choice{Label: "Jira Cloud service account", Value: "2", API: Availability{Since: Version{19, 0}}},
			).asNumber().def("0").section(Connection),
			text("username", "Email or username", "Your email address on Jira Cloud, your username on Jira Data Center or Server. Not used with a personal access token.").
				requiredWhen("when active and the authentication method is basic").section(Connection).
				appliesWhen("jira_auth_type", "0", "2"), // the service account signs in with its email
			password("password", "API token, password or personal access token",
				"An API token on Jira Cloud, a password on Jira Data Center or Server, or a personal access token.").
				required().section(Connection),
			text("jira_issue_regex", "Issue key pattern", "A regular expression (RE2) that matches Jira issue keys. Leave blank for the default.").
				section(Configuration).checked(checkRE2),
			text("jira_issue_prefix", "Issue key prefix", "A prefix before the issue key, such as JIRA#. Leave blank for none.").
				section(Configuration).checked(checkRE2),
			text("jira_issue_transition_id", "Transition IDs", "Jira workflow transitions to apply when a merge request closes an issue, separated by commas or semicolons.").
				apiOnly().checked(checkTransitionIDs),
			checkbox("jira_issue_transition_automatic", "Automatic transition", "Move issues to the next done status automatically",
				"Ignores the transition IDs and picks a transition into a done category. GitLab 18.0 and later keep it only from the web UI.").def("false").apiOnly().until("18.0"),
			// GitLab declares it without a type (so text), but reads it as a boolean.
			selectField("issues_enabled", "Show Jira issues in GitLab", "Lists Jira issues in GitLab (Premium).",
				choice("Yes", "true"), choice("No", "false")).asText().apiOnly(),
			stringArray("project_keys", "Jira project keys", "Keys of the Jira projects whose issues GitLab lists, separated by commas. At most 100.").apiOnly(),
			checkbox("comment_on_event_enabled", "Comments on issues", "Comment on Jira issues when they are mentioned",
				"When off, GitLab only adds a link to the Jira issue.").def("true"),
			checkbox("vulnerabilities_enabled", "Issues for vulnerabilities", "Create Jira issues for vulnerabilities", "").
				apiOnly().edition("EE (Ultimate)").ee(),
			Field{
				Key: "vulnerabilities_issuetype", Kind: Select, Title: "Issue type for vulnerabilities",
				Help: "The ID of the Jira issue type to create for vulnerabilities.",
			}.
				requiredWhen("when issues for vulnerabilities are on").apiOnly().edition("EE (Ultimate)").ee().
				appliesWhen("vulnerabilities_enabled", "true"),
			text("project_key", "Jira project key for vulnerabilities", "The Jira project in which vulnerability issues are created.").
				requiredWhen("when issues for vulnerabilities are on").apiOnly().edition("EE (Ultimate)").ee().
				appliesWhen("vulnerabilities_enabled", "true"),
			checkbox("customize_jira_issue_enabled", "Edit before creating", "Open the Jira issue form before creating an issue", "").
				apiOnly().edition("EE (Ultimate)").ee(),
			checkbox("jira_check_enabled", "Require a Jira issue key", "Require an associated Jira issue in merge requests", "").
				section(JiraVerification).edition("EE (Premium), newest").ee().since("18.3"),
			checkbox("jira_exists_check_enabled", "Check the issue exists", "Check that the Jira issue exists", "").
				section(JiraVerification).edition("EE (Premium), newest").ee().since("18.3").
				appliesWhen("jira_check_enabled", "true"),
			checkbox("jira_assignee_check_enabled", "Check the assignee", "Check that the merge request author is the issue's assignee", "").
				section(JiraVerification).edition("EE (Premium), newest").ee().since("18.3").
				appliesWhen("jira_check_enabled", "true"),
			checkbox("jira_status_check_enabled", "Check the status", "Check the Jira issue's status", "").
				section(JiraVerification).edition("EE (Premium), newest").ee().since("18.3").
				appliesWhen("jira_check_enabled", "true"),
			text("jira_allowed_statuses_as_string", "Allowed statuses", "Jira statuses a merge request's issue may be in, separated by commas.").
				placeholder("Ready, In Progress, Review").section(JiraVerification).edition("EE (Premium), newest").ee().since("18.3").
				appliesWhen("jira_status_check_enabled", "true"),
		},
		Rules:         []func(map[string]string) error{jiraServiceAccountRule},
		Events:        []string{"commit", "merge_request"},
		DefaultEvents: map[string]bool{"commit": true, "merge_request": true},
		Test:          testable("asks Jira for its server info and the authenticated user (GET /rest/api/2/serverInfo and /rest/api/2/myself)"),
	}))
}

// jiraServiceAccountRule is GitLab's rule for Jira Cloud service accounts: they reach Jira only
// through Atlassian's API gateway, so the API URL must be given.
func jiraServiceAccountRule(values map[string]string) error {
	if values["jira_auth_type"] == "2" && strings.TrimSpace(values["api_url"]) == "" {
		return errorf("jira: a Jira Cloud service account (jira_auth_type 2) needs api_url, such as https://api.atlassian.com/ex/jira/<cloud id>")
	}
	return nil
}

// asText keeps a select's choices sent as strings, for fields GitLab declares without a type.
func (f Field) asText() Field { f.Kind = Text; return f }

// asNumber keeps a select's numeric choices sent as integers, as GitLab's number type requires.
func (f Field) asNumber() Field { f.Kind = Number; return f }

func checkRE2(v string) error {
	if len(v) > 255 {
		return errorf("is longer than 255 characters")
	}
	if _, err := regexp.Compile(v); err != nil {
		return errorf("is not a valid regular expression: %v", err)
	}
	return nil
}

var transitionIDs = regexp.MustCompile(`^\d+([,;]\d+)*$`)

func checkTransitionIDs(v string) error {
	if !transitionIDs.MatchString(strings.ReplaceAll(v, " ", "")) {
		return errorf("%s is not a list of numeric transition IDs separated by , or ;", quote.Value(v))
	}
	return nil
}
