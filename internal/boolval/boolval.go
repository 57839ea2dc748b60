// Package boolval reads yes/no values the one way the tool accepts them everywhere: checkbox
// fields and boolean environment variables alike.
package boolval

import (
	"fmt"
	"strings"

	"github.com/forgekit/integrations/internal/quote"
)

// Accepted is how the accepted spellings are named in messages and docs.
const Accepted = "true/false, 1/0, yes/no, y/n, on/off or t/f (any case)"

// Parse reads a boolean: true, t, yes, y, on, 1 and false, f, no, n, off, 0, in any case.
func Parse(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "t", "yes", "y", "on", "1":
		return true, true
	case "false", "f", "no", "n", "off", "0":
		return false, true
	}
	return false, false
}

// Env reads the boolean environment variable name: unset or empty is not set; anything Parse
// does not accept is an error naming the variable.
func Env(getenv func(string) string, name string) (value, set bool, err error) {
	raw := getenv(name)
	if strings.TrimSpace(raw) == "" {
		return false, false, nil
	}
	v, ok := Parse(raw)
	if !ok {
		return false, false, fmt.Errorf("%s=%s is not a yes/no value: use %s, or leave it empty", name, quote.Value(raw), Accepted)
	}
	return v, true, nil
}

// CI reads the CI variable by its own, wider rule, the one CI systems rely on: set to anything
// but "false" means running in CI.
func CI(getenv func(string) string) bool {
	ci := strings.TrimSpace(getenv("CI"))
	return ci != "" && !strings.EqualFold(ci, "false")
}
