package integrations

import (
	"regexp"
	"slices"
	"strings"

	"github.com/forgekit/integrations/internal/quote"
)

func init() {
	register(Definition{
		Name:        "jira_cloud_app",
		Title:       "GitLab for Jira Cloud app",
		Description: "Settings of the GitLab for Jira Cloud app: Jira Service Management services to link, and deployment gating. GitLab turns the integration on and off when a group is linked or unlinked in the app, so it can only be edited once it exists.",
		Category:    "other",
		Levels:      projectAndGroup,
		APISlug:     "jira-cloud-app",
		Fields: []Field{
			text("jira_cloud_app_service_ids", "Service IDs",
				"IDs of the Jira Service Management services to link, separated by commas without spaces. At most 100.").
				placeholder("b:9a8b7c6d=,b:1a2b3c4d=").section(Configuration).checked(jiraCloudAppServiceIDsCheck),
			checkbox("jira_cloud_app_enable_deployment_gating", "Deployment gating",
				"Let Jira Service Management approve or reject blocked deployments",
				"Deployments to the environments below wait for a decision in Jira Service Management.").
				section(Configuration),
			text("jira_cloud_app_deployment_gating_environments", "Gated environments",
				"Environment tiers whose deployments are gated, separated by commas: production, staging, testing or development.").
				requiredWhen("when deployment gating is on").placeholder("production,staging").
				section(Configuration).checked(jiraCloudAppEnvironmentsCheck),
		},
		NoAPICreate:  true,
		NoAPIDisable: true,
		Test:         testUnknown("GitLab's test runs nothing and reports failure; there is no real connectivity check"),
		Notes: []string{
			"Hidden unless the instance has a Jira Connect application key set.",
			"PUT on a new record fails with 422 (the app creates it); PUT ignores active; DELETE fails with 422.",
			"Older GitLab versions have only jira_cloud_app_service_ids.",
		},
	})
}

const jiraCloudAppServiceIDsLimit = 100

var jiraCloudAppServiceIDs = regexp.MustCompile(`^[A-Za-z0-9=,:]*$`)

func jiraCloudAppServiceIDsCheck(v string) error {
	if !jiraCloudAppServiceIDs.MatchString(v) {
		return errorf("may hold only letters, digits, '=', ':' and commas (no spaces)")
	}
	if n := len(strings.Split(v, ",")); n > jiraCloudAppServiceIDsLimit {
		return errorf("has %d service IDs; at most %d are allowed", n, jiraCloudAppServiceIDsLimit)
	}
	return nil
}

var jiraCloudAppEnvironments = []string{"production", "staging", "testing", "development"}

// jiraCloudAppEnvironmentsCheck accepts spaces around the names: GitLab strips them (and
// duplicates) before it validates.
func jiraCloudAppEnvironmentsCheck(v string) error {
	for _, env := range strings.Split(v, ",") {
		env = strings.TrimSpace(env)
		if env == "" {
			continue
		}
		if !slices.Contains(jiraCloudAppEnvironments, env) {
			return errorf("%s is not an environment tier; use %s", quote.Value(env), strings.Join(jiraCloudAppEnvironments, ", "))
		}
	}
	return nil
}
