package integrations

func init() {
	register(thirdPartyWiki(Definition{
		Name:        "shimo",
		Title:       "Shimo Workspace",
		Description: "Linked the project's wiki to a Shimo workspace. GitLab moved it to the JiHu edition and removed it; it is listed only to recognise old configurations.",
		Levels:      projectOnly,
		APISlug:     "shimo",
		LegacyType:  "ShimoService",
		Status:      Removed,
		// Source: gitlab-org/gitlab MR 136143 "Remove shimo integration code on 16.7"
		// (https://gitlab.com/gitlab-org/gitlab/-/merge_requests/136143), commit 4f878106
		// "Remove shimo integration", Changelog: removed, dated 2023-11-20 (after 16.6 shipped).
		RemovedIn: "16.7",
		// Deprecation entry added in 15.7: gitlab-org/gitlab issue 377824, MR 106183.
		Deprecated: "deprecated in GitLab 15.7",
		Fields: []Field{
			urlField("external_wiki_url", "Shimo workspace URL", "The address of the Shimo workspace.").
				required().placeholder("https://shimo.im/desktop"),
		},
		Test: testUnknown("removed from GitLab; older versions fetched the workspace URL and counted HTTP 200 as success"),
	}))
}
