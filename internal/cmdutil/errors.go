// Package cmdutil holds what every command shares: the Factory, the error kinds that decide exit
// codes, and flag helpers.
package cmdutil

import (
	"context"
	"errors"
	"fmt"

	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/quote"
	"github.com/spf13/pflag"
)

// FlagError is invalid usage: a bad flag, argument or value. It exits 2; nothing was written.
type FlagError struct{ err error }

func (e *FlagError) Error() string { return e.err.Error() }

// UsageError marks bad input: exit 2, and nothing was written.
func (e *FlagError) UsageError() bool { return true }
func (e *FlagError) Unwrap() error    { return e.err }

// FlagErrorf builds a FlagError.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{fmt.Errorf(format, args...)}
}

// FlagErrorWrap marks err as invalid usage.
func FlagErrorWrap(err error) error {
	if err == nil {
		return nil
	}
	return &FlagError{err}
}

// HintError is an error with advice for a line of its own: what to type instead.
type HintError struct {
	Err  error
	hint string
}

func (e *HintError) Error() string { return e.Err.Error() }
func (e *HintError) Unwrap() error { return e.Err }
func (e *HintError) Hint() string  { return e.hint }

// WithHint adds advice to err; an empty hint leaves err as it is.
func WithHint(err error, hint string) error {
	if err == nil || hint == "" {
		return err
	}
	return &HintError{Err: err, hint: hint}
}

// IsUsageError says whether err is bad input, which exits 2: any error in the chain with a
// UsageError method saying so. Each package marks its own kinds; Main needs to know none of them.
func IsUsageError(err error) bool {
	var u interface{ UsageError() bool }
	return errors.As(err, &u) && u.UsageError()
}

// NoResultsError is an empty result: exit 0, with the message on stderr only on a terminal.
type NoResultsError struct{ msg string }

func (e NoResultsError) Error() string { return e.msg }

func NewNoResultsError(msg string) NoResultsError { return NoResultsError{msg} }

// ErrSilent fails with exit 1 after the command has already said why.
var ErrSilent = errors.New("silent failure")

// Confirmer asks a yes/no question; forms.Prompter is one.
type Confirmer interface {
	Confirm(ctx context.Context, title string, def bool) (bool, error)
}

// ConfirmOrYes guards a destructive or large change: --yes goes ahead, a terminal asks (no
// is a cancellation), and anything else is refused with refusal, which names the flag.
func ConfirmOrYes(ctx context.Context, canPrompt, yes bool, p func() Confirmer, question, refusal string) error {
	if yes {
		return nil
	}
	if !canPrompt {
		return FlagErrorf("%s", refusal)
	}
	ok, err := p().Confirm(ctx, question, false)
	if err != nil {
		return err
	}
	if !ok {
		return forms.ErrCancelled
	}
	return nil
}

// FlagParseError is a flag the command line could not parse, as a usage error; a bad value is
// quoted in part only, so that a huge one cannot flood the message.
func FlagParseError(err error) error {
	var ive *pflag.InvalidValueError
	if !errors.As(err, &ive) {
		return FlagErrorWrap(err)
	}
	f := ive.GetFlag()
	name := "--" + f.Name
	if f.Shorthand != "" && f.ShorthandDeprecated == "" {
		name = "-" + f.Shorthand + ", " + name
	}
	return FlagErrorf("invalid argument %s for %q flag: %v", quote.Value(ive.GetValue()), name, ive.Unwrap())
}
