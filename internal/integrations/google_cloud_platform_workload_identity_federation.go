package integrations

import "regexp"

func init() {
	// GitLab's formats for Google Cloud IDs; the project number follows Rails' only_integer rule.
	projectID := regexp.MustCompile(`^[a-z0-9-]{6,30}$`)
	projectNumber := regexp.MustCompile(`^[+-]?\d+$`)
	poolID := regexp.MustCompile(`^[a-z0-9-]{4,32}$`)
	register(Definition{
		Name:        "google_cloud_platform_workload_identity_federation",
		Title:       "Google Cloud Workload Identity Federation",
		Description: "Lets GitLab and its CI/CD jobs authenticate to Google Cloud without stored keys, through a workload identity pool that trusts GitLab's tokens.",
		Category:    "security",
		APISlug:     "google-cloud-platform-workload-identity-federation",
		EEOnly:      true,
		Fields: []Field{
			text("workload_identity_federation_project_id", "Google Cloud project ID", "The ID of the Google Cloud project that holds the workload identity pool.").
				required().placeholder("my-gcp-project").section(Configuration).
				checked(otherPattern(projectID, "a project ID (6 to 30 lowercase letters, digits or dashes)")),
			text("workload_identity_federation_project_number", "Google Cloud project number", "The numeric project number of that project, shown on its dashboard.").
				required().placeholder("123456789012").section(Configuration).
				checked(otherPattern(projectNumber, "a whole number")),
			text("workload_identity_pool_id", "Pool ID", "The ID of the workload identity pool.").
				required().placeholder("gitlab-pool").section(Configuration).
				checked(otherPattern(poolID, "an ID of 4 to 32 lowercase letters, digits or dashes")),
			text("workload_identity_pool_provider_id", "Provider ID", "The ID of the pool's provider for GitLab.").
				required().placeholder("gitlab-provider").section(Configuration).
				checked(otherPattern(poolID, "an ID of 4 to 32 lowercase letters, digits or dashes")),
		},
		Notes: []string{
			"GitLab EE on GitLab.com only (it needs the google_cloud_support feature); beta.",
			"The project number is a text field in the API, though GitLab checks that it is a whole number.",
			"Every event flag starts off.",
		},
		Test: notTestable("GitLab turns Test settings off for this integration"),
	})
}
