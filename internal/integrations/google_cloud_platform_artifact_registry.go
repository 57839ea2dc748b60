package integrations

func init() {
	register(Definition{
		Name:        "google_cloud_platform_artifact_registry",
		Title:       "Google Artifact Registry",
		Description: "Connects a project to a repository in Google Artifact Registry, so you can browse its images from GitLab and CI/CD jobs know where to push them.",
		Levels:      projectOnly,
		APISlug:     "google-cloud-platform-artifact-registry",
		EEOnly:      true,
		Fields: []Field{
			text("artifact_registry_project_id", "Google Cloud project ID", "The ID of the Google Cloud project that holds the repository.").
				required().placeholder("my-gcp-project").section(Configuration),
			text("artifact_registry_repositories", "Repository name", "The name of one Artifact Registry repository, despite the plural key.").
				required().placeholder("my-docker-repo").section(Configuration),
			text("artifact_registry_location", "Repository location", "The region or multi-region the repository is in.").
				required().placeholder("us-east1").section(Configuration),
		},
		Notes: []string{
			"GitLab EE on GitLab.com only (it needs the google_cloud_support feature); beta.",
			"Needs the Google Cloud IAM integration (google_cloud_platform_workload_identity_federation) for access.",
			"Sets the CI/CD variables GOOGLE_ARTIFACT_REGISTRY_PROJECT_ID, GOOGLE_ARTIFACT_REGISTRY_REPOSITORY_NAME and GOOGLE_ARTIFACT_REGISTRY_REPOSITORY_LOCATION.",
			"Every event flag starts off.",
		},
		Test: testUnknown("fetches the repository from Artifact Registry as the user running the test; whether GitLab offers the test was not confirmed"),
	})
}
