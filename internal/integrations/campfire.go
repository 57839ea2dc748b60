package integrations

import (
	"regexp"

	"github.com/forgekit/integrations/internal/quote"
)

func init() {
	register(Definition{
		Name:        "campfire",
		Title:       "Campfire Classic",
		Description: "Posts a short summary of each push to a room in Campfire Classic, 37signals' older group chat.",
		// GitLab files it under "common"; the CLI lists it with the chat services.
		Category:   "chat",
		APISlug:    "campfire",
		LegacyType: "CampfireService",
		Fields: []Field{
			password("token", "API token", "The API authentication token from your Campfire user profile.").required(),
			text("subdomain", "Subdomain",
				"The first part of your Campfire address: example for https://example.campfirenow.com. Changing it clears the stored token unless you send it again.").
				placeholder("example").exposesSecrets().checked(campfireSubdomainCheck),
			text("room", "Room ID", "The number at the end of the room's URL.").
				placeholder("123456").checked(chatWholeNumber(true)),
		},
		Events: []string{"push"},
		Test:   testable("posts a sample push summary to the room (project level only)"),
		Notes: []string{
			"GitLab only accepts a positive number as the room, yet looks the room up by its name when posting; a room whose name is not that number gets no messages.",
		},
	})
}

var campfireSubdomainPattern = regexp.MustCompile(`(?i)^[a-z](?:[a-z0-9-]*[a-z0-9])?$`)

// campfireSubdomainCheck is GitLab's rule for the subdomain: a DNS label of 1 to 63 characters
// that starts with a letter.
func campfireSubdomainCheck(v string) error {
	if len(v) > 63 {
		return errorf("is longer than 63 characters")
	}
	if !campfireSubdomainPattern.MatchString(v) {
		return errorf("%s is not a subdomain: use letters, digits and dashes, starting with a letter and not ending with a dash", quote.Value(v))
	}
	return nil
}
