package integrations

func init() {
	register(ciServer(Definition{
		Name:        "mock_ci",
		Title:       "Mock CI",
		Description: "A stand-in CI service for GitLab's own development and test environments. Production GitLab servers do not offer it.",
		APISlug:     "mock-ci",
		LegacyType:  "MockCiService",
		DevOnly:     true,
		Fields: []Field{
			urlField("mock_service_url", "Mock service URL", "The address of the mock CI service.").
				required().placeholder("http://localhost:4004"),
			sslVerification(),
		},
		Events: []string{"push"},
		Test:   notTestable("GitLab offers no test for the mock CI service"),
	}))
}
