package integrations

func init() {
	register(issueTracker(Definition{
		Name:        "ewm",
		Title:       "IBM Engineering Workflow Management",
		Description: "Uses IBM Engineering Workflow Management (EWM, formerly RTC) as the project's issue tracker: mentions such as \"task 123\" or \"defect 45\" link to EWM work items.",
		APISlug:     "ewm",
		LegacyType:  "EwmService",
		Fields: []Field{
			projectURL("The EWM project area the project's work items belong to.").
				placeholder("https://ewm.example.com/ccm/web/projects/Example"),
			issuesURL("Address of a single work item, with :id where the work item number goes.").
				placeholder("https://ewm.example.com/ccm/resource/itemName/com.ibm.team.workitem.WorkItem/:id"),
			newIssueURL("Address of the page for creating a new work item.").
				placeholder("https://ewm.example.com/ccm/web/projects/Example#action=com.ibm.team.workitem.newWorkItem"),
		},
		Events: trackerPushOnly(),
		Test:   trackerHeadTest(),
	}))
}
