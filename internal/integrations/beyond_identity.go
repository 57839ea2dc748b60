package integrations

func init() {
	register(Definition{
		Name:        "beyond_identity",
		Title:       "Beyond Identity",
		Description: "Checks with Beyond Identity that the GPG keys used to sign commits belong to authorised devices. It is configured once for the whole instance and applies to every group and project.",
		Category:    "security",
		Levels:      instanceOnly,
		Fields: []Field{
			password("token", "API token", "A Beyond Identity API token GitLab uses to look up keys.").
				required(),
			checkbox("exclude_service_accounts", "Service accounts", "Skip the check for service accounts",
				"Commits pushed by service accounts are not checked against Beyond Identity."),
		},
		Notes: []string{
			"Instance level only, and not exposed by GitLab's REST integrations API.",
			"GitLab copies it to every new group and project; a project opts out with an inactive integration of its own.",
		},
		Test: notTestable("GitLab offers Test settings only at project level, and this integration exists only at instance level"),
	})
}
