package integrations

import (
	"net/url"
	"strings"
)

func init() {
	register(thirdPartyWiki(Definition{
		Name:        "confluence",
		Title:       "Confluence Workspace",
		Description: "Replaces the project's Wiki link in the sidebar with a link to a Confluence Cloud space. Only one third-party wiki can be active in a project.",
		APISlug:     "confluence",
		LegacyType:  "ConfluenceService",
		Fields: []Field{
			urlField("confluence_url", "Confluence Cloud URL",
				"The address of the Confluence Cloud space, on atlassian.net with a path under /wiki.").
				required().placeholder("https://example.atlassian.net/wiki/spaces/DOCS").
				checked(confluenceURLCheck),
		},
		Test: notTestable("GitLab offers no test for Confluence; it only adds a link"),
	}))
}

func confluenceURLCheck(v string) error {
	u, err := url.Parse(v)
	if err != nil || !strings.HasSuffix(strings.ToLower(u.Hostname()), ".atlassian.net") || !strings.HasPrefix(u.Path, "/wiki") {
		return errorf("must point to a Confluence Cloud space: a host ending in .atlassian.net and a path starting with /wiki")
	}
	return nil
}
