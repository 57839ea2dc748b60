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
type InputError struct{ msg string }

func (e *InputError) Error() string { return e.msg }

// Invalidf builds an InputError.
func Invalidf(format string, args ...any) error { return &InputError{fmt.Sprintf(format, args...)} }
