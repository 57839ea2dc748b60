package integrations

func init() {
	register(hookBased(Definition{
		Name:        "packagist",
		Title:       "Packagist",
		Description: "Tells Packagist to update a PHP package whenever its repository changes, so new versions and tags appear there without waiting.",
		APISlug:     "packagist",
		LegacyType:  "PackagistService",
		Fields: []Field{
			text("username", "Username", "Your username on Packagist.").
				required().placeholder("my-packagist-user"),
			password("token", "API token", "Your Packagist API token (the safe one is enough), from your Packagist profile.").
				required(),
			urlField("server", "Server URL", "The address of a private Packagist server. Leave blank for packagist.org.").
				placeholder("https://packagist.org").exposesSecrets(),
		},
		Events: []string{"push", "merge_request", "tag_push"},
		Notes: []string{
			"Changing server clears the stored token unless it is sent again.",
		},
		Test: testable("sends a sample push to <server>/api/update-package; succeeds only on HTTP 202"),
	}))
}
