package integrations

func init() {
	register(Definition{
		Name:        "amazon_q",
		Title:       "Amazon Q",
		Description: "Connects GitLab Duo with Amazon Q, so Amazon Q can act on merge requests and pipelines. It is set once for the whole instance, through GitLab's Duo with Amazon Q setup rather than the integrations API.",
		Levels:      instanceOnly,
		EEOnly:      true,
		// The reference marks role_arn's and availability's types unverified; they are chosen
		// from their values: a free-form ARN and a fixed set of three options.
		Fields: []Field{
			text("role_arn", "IAM role ARN", "The ARN of the AWS IAM role GitLab assumes to call Amazon Q.").
				requiredWhen("when the integration is active").
				placeholder("arn:aws:iam::123456789012:role/gitlab-amazon-q").
				checked(otherMaxLen(2048)),
			selectField("availability", "Availability",
				"Whether Amazon Q starts on for groups and projects, starts off, or can never be turned on.",
				choice("On by default", "default_on"),
				choice("Off by default", "default_off"),
				choice("Never on", "never_on"),
			).requiredWhen("when the integration is active"),
			checkbox("auto_review_enabled", "Automatic reviews", "Have Amazon Q review new merge requests",
				"Only possible while Amazon Q is available. GitLab turns the merge request and pipeline events on or off with it."),
		},
		Events: []string{"merge_request", "pipeline"},
		Notes: []string{
			"Instance level only, and only when Amazon Q is available on the instance (GitLab EE).",
			"Not exposed by GitLab's REST integrations API.",
			"GitLab keeps the merge request and pipeline events equal to auto_review_enabled.",
		},
		Test: testUnknown("GitLab's source read does not show a Test settings action for Amazon Q"),
	})
}
