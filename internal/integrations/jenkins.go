package integrations

func init() {
	register(hookBased(ciServer(Definition{
		Name:        "jenkins",
		Title:       "Jenkins",
		Description: "Triggers a Jenkins job through a web hook on pushes (and, if turned on, on merge requests and tag pushes) and shows the job's status in GitLab. Available on projects only.",
		Levels:      projectOnly,
		APISlug:     "jenkins",
		LegacyType:  "JenkinsService",
		Fields: []Field{
			trackerCIServerURL("jenkins_url", "Jenkins URL", "The address of your Jenkins server. Changing it clears the stored password unless you send it again.",
				"https://jenkins.example.com"),
			sslVerification(),
			text("project_name", "Job name", "The name of the Jenkins job (project) to trigger.").
				required().placeholder("my_project_name"),
			text("username", "Username", "A Jenkins user allowed to trigger the job.").
				requiredWhen("when active and a password is set"),
			password("password", "Password or API token", "The password or an API token of that Jenkins user.").
				requiredWhen("when active and a username is set"),
		},
		Events:        []string{"push", "merge_request", "tag_push"},
		DefaultEvents: map[string]bool{"merge_request": false, "tag_push": false},
		Test:          testable("posts a sample push to /project/<job name> on the Jenkins server through the web hook; only HTTP 200 counts as success"),
		Notes: []string{
			"Project level only: the group API answers 400 Integration not available.",
		},
	})))
}
