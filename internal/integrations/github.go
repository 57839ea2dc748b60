package integrations

func init() {
	register(Definition{
		Name:        "github",
		Title:       "GitHub",
		Description: "Reports the status of GitLab pipelines to the matching commits on GitHub. It needs the GitHub repository mirrored into the project, and GitLab Premium or Ultimate.",
		Category:    "ci",
		Levels:      projectOnly,
		APISlug:     "github",
		LegacyType:  "GithubService",
		EEOnly:      true,
		Fields: []Field{
			password("token", "Token", "A GitHub personal access token allowed to set commit statuses on the repository (repo:status scope).").required(),
			urlField("repository_url", "Repository URL", "The address of the GitHub repository. Changing it clears the stored token unless you send it again.").
				required().exposesSecrets().placeholder("https://github.com/example/project"),
			checkbox("static_context", "Static status check name", "Use the same status check name for every pipeline",
				"The name includes this GitLab instance's host rather than the pipeline, so it can be made a required check in GitHub's branch protection.").
				def("true"),
		},
		Events: []string{"pipeline"},
		Test:   testUnknown("updates a GitHub commit status from sample pipeline data"),
		Notes: []string{
			"GitLab EE only; project level only.",
		},
	})
}
