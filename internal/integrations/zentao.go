package integrations

func init() {
	register(issueTracker(Definition{
		Name:        "zentao",
		Title:       "ZenTao",
		Description: "Uses a ZenTao product as the project's issue tracker. GitLab reads the product's issues through the ZenTao API; viewing them in GitLab needs a Premium licence.",
		APISlug:     "zentao",
		LegacyType:  "ZentaoService",
		Fields: []Field{
			urlField("url", "ZenTao URL", "The web address of your ZenTao site.").
				required().exposesSecrets().placeholder("https://www.zentao.net"),
			urlField("api_url", "ZenTao API URL", "Only when the API answers at another address than the web URL. Leave blank to use the web URL.").
				exposesSecrets(),
			password("api_token", "API token", "A ZenTao API token for GitLab to read issues with.").required(),
			text("zentao_product_xid", "Product ID", "The ID of the ZenTao product whose issues belong to this project.").
				required().placeholder("3"),
		},
		Test: testable("pings the ZenTao API at the API URL, or the web URL when that is blank (project level only)"),
		Notes: []string{
			"Deprecated in GitLab 15.7 with removal planned for 18.0; the removal was later cancelled. The GitLab 18.10 API docs no longer list it.",
			"The legacy type ZentaoService is inferred from GitLab 14's naming rule and is unverified.",
		},
	}))
}
