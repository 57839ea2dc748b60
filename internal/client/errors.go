package client

import (
	"errors"
	"fmt"
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
