package integrations

import (
	"net/url"

	"github.com/forgekit/integrations/internal/quote"
)

func init() {
	register(Definition{
		Name:        "git_guardian",
		Title:       "GitGuardian",
		Description: "Scans pushed files with GitGuardian and rejects pushes that its policies flag, such as ones that contain credentials.",
		Category:    "security",
		APISlug:     "git-guardian",
		API:         Availability{Since: Version{16, 9}}, // introduced then (the reference)
		EEOnly:      true,
		Fields: []Field{
			urlField("api_url", "API URL", "The GitGuardian API to use, for a self-hosted GitGuardian. Leave blank for GitGuardian's cloud API.").
				placeholder("https://api.gitguardian.com").exposesSecrets().checked(gitGuardianHTTPS).since("19.5"),
			password("token", "API token", "A GitGuardian service account or personal access token with the scan scope.").
				required(),
		},
		Notes: []string{
			"GitLab EE (Premium and Ultimate). Introduced in 16.9 behind the git_guardian_integration flag, generally available from 17.8; older servers answer 400 when the flag is off.",
			"GitLab's API declares api_url from 19.5 (first version known to have it); older servers drop it.",
		},
		Test: notTestable("GitLab turns Test settings off for GitGuardian"),
	})
}

// gitGuardianHTTPS enforces GitLab's rule that a custom API URL uses https.
func gitGuardianHTTPS(v string) error {
	if u, err := url.Parse(v); err != nil || u.Scheme != "https" {
		return errorf("%s is not an https URL", quote.Value(v))
	}
	return nil
}
