package integrations

import (
	"net/url"
	"strings"

	"github.com/forgekit/integrations/internal/quote"
)

func init() {
	register(Definition{
		Name:        "irker",
		Title:       "irker (IRC gateway)",
		Description: "Sends a line about each push to IRC channels or people through an irker daemon, which relays the messages to IRC servers. You need an irker daemon that GitLab can reach.",
		APISlug:     "irker",
		LegacyType:  "IrkerService",
		Fields: []Field{
			text("server_host", "irker host", "The host the irker daemon runs on. Leave blank for localhost.").
				placeholder("localhost"),
			number("server_port", "irker port", "The port the irker daemon listens on. Leave blank for 6659.").
				placeholder("6659"),
			text("default_irc_uri", "Default IRC URI",
				"Put in front of every recipient that is not a full IRC URI, so you can list bare channel names below.").
				placeholder("irc://irc.example.net:6697/").checked(irkerDefaultURICheck),
			textarea("recipients", "Recipients",
				"Channels or nicknames to notify, separated by spaces or new lines: full irc:// or ircs:// URIs, or names added to the default IRC URI.").
				required().placeholder("#gitlab irc://irc.example.net/#dev").checked(irkerRecipientsCheck),
			checkbox("colorize_messages", "Colours", "Colourize messages", "Use IRC colour codes in the messages."),
		},
		Events: []string{"push"},
		Test:   testable("queues a sample push message for the irker daemon (project level only)"),
		Notes: []string{
			"With push as its only event, GitLab's form shows no trigger checkboxes; the API still takes push_events.",
			"Recipients GitLab cannot turn into an IRC URI are dropped; it refuses the list only when none is left.",
		},
	})
}

func irkerIRCScheme(s string) bool { return s == "irc" || s == "ircs" }

// irkerDefaultURICheck requires an irc:// or ircs:// address: GitLab drops every recipient whose
// URI has another scheme, so any other prefix could never reach anyone.
func irkerDefaultURICheck(v string) error {
	u, err := url.Parse(v)
	if err != nil || !irkerIRCScheme(strings.ToLower(u.Scheme)) || u.Host == "" {
		return errorf("%s is not an irc:// or ircs:// URI", quote.Value(v))
	}
	return nil
}

// irkerRecipientsCheck rejects recipients written as URIs of another scheme than irc or ircs,
// which GitLab would never deliver to. Bare names are left alone: they depend on the default URI.
func irkerRecipientsCheck(v string) error {
	for _, r := range strings.Fields(v) {
		if u, err := url.Parse(r); err == nil && u.Scheme != "" && !irkerIRCScheme(strings.ToLower(u.Scheme)) {
			return errorf("%s is not an irc:// or ircs:// URI", quote.Value(r))
		}
	}
	return nil
}
