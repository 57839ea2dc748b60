package integrations

import "regexp"

func init() {
	register(Definition{
		Name:        "harbor",
		Title:       "Harbor",
		Description: "Uses a project in a Harbor registry as the container registry of GitLab projects: GitLab lists its images, and CI/CD jobs get the registry's address and credentials.",
		APISlug:     "harbor",
		Fields: []Field{
			urlField("url", "Harbor URL", "The address of the Harbor instance. GitLab refuses addresses on localhost or the local network.").
				required().placeholder("https://harbor.example.com").exposesSecrets(),
			text("project_name", "Harbor project", "The name of the project in Harbor that holds the images.").
				required().placeholder("my-project").
				checked(otherAll(otherMaxLen(255), otherPattern(harborProjectName, "a Harbor project name (lowercase letters and digits, separated by single . _ or -)"))),
			text("username", "Username", "A Harbor user or robot account with access to the project.").
				required().placeholder("robot$gitlab"),
			password("password", "Password", "The password or secret of that account. It must be usable as a masked CI/CD variable: at least 8 characters from letters, digits and _+=/@:.~-.").
				required().checked(otherSecretPattern(harborPassword, "maskable: use at least 8 characters from letters, digits and _+=/@:.~-")),
		},
		Notes: []string{
			"Sets the CI/CD variables HARBOR_URL, HARBOR_HOST, HARBOR_OCI, HARBOR_PROJECT, HARBOR_USERNAME and HARBOR_PASSWORD (masked).",
			"Changing url clears the stored password unless it is sent again.",
		},
		Test: testable("checks that the Harbor project exists and the account can reach it"),
	})
}

var (
	harborProjectName = regexp.MustCompile(`^[a-z0-9]+(?:[._-][a-z0-9]+)*$`)
	// GitLab's Ci::Maskable::REGEX: a value it can mask in job logs.
	harborPassword = regexp.MustCompile(`^[a-zA-Z0-9_+=/@:.~-]{8,}$`)
)
