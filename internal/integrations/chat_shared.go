package integrations

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/forgekit/integrations/internal/quote"
)

// Helpers shared by the chat, notification and e-mail integrations of this batch.

// chatWholeNumber accepts an optionally signed decimal integer, the way Rails' only_integer
// numericality rule does; positive also requires it to be greater than zero.
func chatWholeNumber(positive bool) func(string) error {
	return func(v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return errorf("%s is not a whole number", quote.Value(v))
		}
		if positive && n <= 0 {
			return errorf("%s must be greater than 0", quote.Value(v))
		}
		return nil
	}
}

// chatEmailAddress is the shape of one recipient address: something@something, with no spaces
// and none of the separators people use between addresses.
var chatEmailAddress = regexp.MustCompile(`^[^@\s,;<>]+@[^@\s,;<>]+$`)

// chatEmailList checks a list of recipient addresses. split tells the separators apart,
// stripBrackets drops the <> around an address first (as in "<dev@example.com>"), and limit caps
// the number of distinct addresses, compared without regard to case.
func chatEmailList(split func(rune) bool, stripBrackets bool, limit int, separators string) func(string) error {
	return func(v string) error {
		seen := map[string]bool{}
		for _, addr := range strings.FieldsFunc(v, split) {
			if stripBrackets {
				addr = strings.Trim(addr, "<>")
			}
			if addr == "" {
				continue
			}
			if !chatEmailAddress.MatchString(addr) {
				return errorf("%s is not an e-mail address; separate addresses with %s", quote.Value(addr), separators)
			}
			seen[strings.ToLower(addr)] = true
		}
		if len(seen) > limit {
			return errorf("lists %d addresses; at most %d are allowed", len(seen), limit)
		}
		return nil
	}
}
