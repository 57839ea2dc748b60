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
}

func (e *InputError) Error() string { return e.msg }

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
