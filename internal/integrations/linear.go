package integrations

import "regexp"

func init() {
	register(issueTracker(Definition{
		Name:        "linear",
		Title:       "Linear",
		Description: "Uses a Linear workspace as the project's issue tracker: references such as ENG-123 in GitLab link to Linear issues. Available since GitLab 18.3.",
		APISlug:     "linear",
		API:         Availability{Since: Version{18, 3}}, // introduced then (the reference)
		Fields: []Field{
			urlField("workspace_url", "Workspace URL", "The address of your Linear workspace: https://linear.app/ followed by the workspace's URL key.").
				required().placeholder("https://linear.app/example").checked(linearWorkspaceURLCheck),
		},
		Events: trackerPushOnly(),
		Test:   testable("sends a HEAD request to the workspace URL; any HTTP answer counts as success (project level only)"),
		Notes: []string{
			"GitLab derives the issue URL as the workspace URL followed by /issue/:id.",
			"Missing from the API parameter lists read, but GitLab 18.3+ documents PUT /projects/:id/integrations/linear.",
		},
	}))
}

var linearWorkspaceURL = regexp.MustCompile(`^https://linear\.app/[a-z0-9-]{3,32}/?$`)

func linearWorkspaceURLCheck(v string) error {
	if !linearWorkspaceURL.MatchString(v) {
		return errorf("must be https://linear.app/ followed by a workspace key of 3 to 32 lowercase letters, digits or dashes")
	}
	return nil
}
