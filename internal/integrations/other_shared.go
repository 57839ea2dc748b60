package integrations

import (
	"regexp"
	"unicode/utf8"

	"github.com/forgekit/integrations/internal/quote"
)

// Helpers shared by several integrations of the "other" batch (asana, pivotaltracker,
// apple_app_store, google_play, harbor, datadog, …). Each is prefixed with "other" so it cannot
// collide with helpers written for other batches.

// otherPattern returns a check that the whole value matches re; what describes the expected form
// in the error ("a lowercase UUID").
func otherPattern(re *regexp.Regexp, what string) func(string) error {
	return func(v string) error {
		if !re.MatchString(v) {
			return errorf("%s is not %s", quote.Value(v), what)
		}
		return nil
	}
}

// otherSecretPattern is otherPattern for secret and sensitive fields: the error never repeats
// the value.
func otherSecretPattern(re *regexp.Regexp, what string) func(string) error {
	return func(v string) error {
		if !re.MatchString(v) {
			return errorf("is not %s", what)
		}
		return nil
	}
}

// otherMaxLen returns a check that the value has at most n characters.
func otherMaxLen(n int) func(string) error {
	return func(v string) error {
		if utf8.RuneCountInString(v) > n {
			return errorf("is longer than %d characters", n)
		}
		return nil
	}
}

// otherAll combines checks; the first failure is returned.
func otherAll(checks ...func(string) error) func(string) error {
	return func(v string) error {
		for _, c := range checks {
			if err := c(v); err != nil {
				return err
			}
		}
		return nil
	}
}

// otherRestrictToBranch is the branch filter Asana and Pivotal Tracker share.
func otherRestrictToBranch() Field {
	return text("restrict_to_branch", "Branches to watch",
		"Only pushes to these branches are processed, separated by commas. Leave blank for every branch.").
		placeholder("main, release")
}

// otherProtectedRefs is the checkbox the app store integrations use to keep their CI/CD
// variables off unprotected branches and tags.
func otherProtectedRefs(key string) Field {
	return checkbox(key, "Protected branches and tags only", "Set the variables only on protected branches and tags",
		"When off, jobs on any branch or tag can read the credentials.").
		def("true").section(Configuration)
}
