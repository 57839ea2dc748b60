package integrations

func init() {
	register(Definition{
		Name:        "external_wiki",
		Title:       "External wiki",
		Description: "Adds a link to a wiki hosted outside GitLab to the project's sidebar.",
		Category:    "other",
		APISlug:     "external-wiki",
		LegacyType:  "ExternalWikiService",
		Fields: []Field{
			urlField("external_wiki_url", "Wiki URL", "The address of the wiki's start page.").
				required().placeholder("https://wiki.example.com").section(Connection),
		},
		Test: testable("fetches the wiki URL, verifying its certificate; only HTTP 200 counts as success (project level only)"),
	})
}
