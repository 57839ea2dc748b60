package integrations

func init() {
	register(hookBased(Definition{
		Name:        "squash_tm",
		Title:       "Squash TM",
		Description: "Keeps requirements in Squash TM in step with GitLab issues: GitLab sends issue changes to Squash TM's Xsquash4GitLab webhook.",
		APISlug:     "squash-tm",
		API:         Availability{Since: Version{15, 10}}, // introduced then (the reference)
		Fields: []Field{
			urlField("url", "Squash TM webhook URL", "The Xsquash4GitLab webhook address of your Squash TM server. GitLab refuses addresses on localhost or the local network.").
				required().placeholder("https://squash.example.com/squash/plugin/xsquash4gitlab/webhook/issue").exposesSecrets(),
			password("token", "Secret token", "The token set on the Squash TM side, if any; GitLab adds it to the webhook URL.").
				checked(otherMaxLen(255)),
		},
		Events: []string{"issue", "confidential_issue"},
		Notes: []string{
			"Changing url clears the stored token unless it is sent again.",
			"Added in GitLab 15.10.",
		},
		Test: testable("sends a sample issue event to the webhook; succeeds only on HTTP 200"),
	}))
}
