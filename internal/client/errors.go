package client

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnauthorized is a missing, bad or insufficient credential. Backends wrap it with the
// precise reason.
var ErrUnauthorized = errors.New("unauthorized")

// InputError is a request the backend refuses because of what the user asked for: an unknown
// scope, a scope of the wrong kind, a level the integration does not support. Nothing was
// written.
type InputError struct {
	msg      string
	notFound bool
	// flag is the scope flag that would name the scope right; hint says how to use it.
	flag, hint string
}

// UsageError marks bad input: exit 2, and nothing was written.
func (e *InputError) UsageError() bool { return true }

func (e *InputError) Error() string {
	if e.hint == "" {
		return e.msg
	}
	return e.msg + "; " + e.hint
}

// Advice is the hint the message ends with and the command-line flag it names: a command that
// does not take that flag must not give the advice.
func (e *InputError) Advice() (flag, hint string) { return e.flag, e.hint }

// WrongKindf is a scope of the other kind: path is a project given as a group, or the reverse;
// flag is the one that names it.
func WrongKindf(flag, path, format string, args ...any) error {
	return &InputError{msg: fmt.Sprintf(format, args...), flag: flag, hint: "use " + flag + " " + path}
}

// Invalidf builds an InputError.
func Invalidf(format string, args ...any) error {
	return &InputError{msg: fmt.Sprintf(format, args...)}
}

// NotFoundf builds an InputError for a scope that does not exist.
func NotFoundf(format string, args ...any) error {
	return &InputError{msg: fmt.Sprintf(format, args...), notFound: true}
}

// IsNotFound reports whether err says the scope does not exist. Writes to the local store
// create missing scopes, so they treat it as an empty scope.
func IsNotFound(err error) bool {
	var ie *InputError
	return errors.As(err, &ie) && ie.notFound
}

// MissingSecretsError is a write the backend cannot make without values it cannot read back:
// GitLab needs every required secret on each PUT, and changing an address without resending the
// secrets would clear them. Commands ask for the fields or name the flags that supply them.
type MissingSecretsError struct{ Fields []string }

func (e *MissingSecretsError) Error() string {
	return "the server needs these write-only values again: " + strings.Join(e.Fields, ", ")
}
