package integrations

func init() {
	register(Definition{
		Name:        "diffblue_cover",
		Title:       "Diffblue Cover",
		Description: "Lets CI/CD pipelines run Diffblue Cover, which writes and updates Java unit tests automatically, by giving jobs your Diffblue licence and a GitLab access token for Cover to use.",
		Category:    "code_quality",
		APISlug:     "diffblue-cover",
		Fields: []Field{
			password("diffblue_license_key", "Licence key", "The Diffblue Cover licence key you received from Diffblue.").
				required().section(Connection).exposesSecrets(),
			text("diffblue_access_token_name", "Access token name", "The name of the GitLab access token Cover uses to push its tests and comment on merge requests.").
				required().placeholder("diffblue-cover").section(Configuration),
			password("diffblue_access_token_secret", "Access token", "The GitLab project or personal access token itself, with the api and write_repository scopes.").
				required().section(Configuration),
		},
		Notes: []string{
			"Sets the masked CI/CD variables DIFFBLUE_LICENSE_KEY, DIFFBLUE_ACCESS_TOKEN_NAME and DIFFBLUE_ACCESS_TOKEN.",
		},
		Test: notTestable("GitLab turns Test settings off for Diffblue Cover"),
	})
}
