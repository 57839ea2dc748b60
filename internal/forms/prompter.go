// Package forms asks the user for input: confirmations, choices, and the settings form built
// from an integration's field metadata. It is the only package that imports huh.
package forms

import (
	"context"
	"errors"
	"fmt"

	"github.com/forgekit/integrations/internal/integrations"
)

// Prompter asks questions. Commands get one from the Factory: the terminal implementation when
// prompting is possible, NoPrompt otherwise.
type Prompter interface {
	Confirm(ctx context.Context, title string, def bool) (bool, error)
	// Password asks for a secret without echoing it.
	Password(ctx context.Context, title string) (string, error)
	// Fill runs the settings form for def, starting from in and updating it.
	Fill(ctx context.Context, def integrations.Definition, in *Input) error
	// Pick asks for one of options, filterable by typing, and returns its value.
	Pick(ctx context.Context, title string, options []Option) (string, error)
}

// Option is one choice of Pick: Label is shown, Value returned.
type Option struct{ Label, Value string }

// Input is what a settings form starts from and what it returns.
type Input struct {
	// Values are the current values (stored merged with flags); the form updates them.
	Values map[string]string
	// SecretSet tells which secret fields already hold a value the user need not retype.
	SecretSet map[string]bool
	// Events are the current trigger events; the form updates them.
	Events map[string]bool
	// Active is the activation toggle shown first.
	Active bool
	// Level is the scope's level, which decides the events offered.
	Level integrations.Level
	// Where names the scope and backend in the form's heading.
	Where string
	// Summary describes the changes (secrets masked) for the confirmation page.
	Summary func(in *Input) []string
}

var (
	// ErrNoPrompt is returned by NoPrompt: input was needed but no terminal can give it.
	ErrNoPrompt error = usageError{"input required; pass the values as flags (--set, --yes) or run in a terminal"}
	// ErrCancelled is the user cancelling: Esc or Ctrl-C in a form, declining to save or
	// declining a confirmation. It is the one cancel error; it exits 130.
	ErrCancelled = errors.New("cancelled")
	// ErrNotSaved is the user declining to save at the end of the settings form: a cancel.
	ErrNotSaved = fmt.Errorf("not saved: %w", ErrCancelled)
)

// usageError is input the command line must give because nothing can prompt for it.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// UsageError marks bad input: exit 2, and nothing was written.
func (usageError) UsageError() bool { return true }

// NoPrompt refuses every question; it is installed when prompting is impossible.
type NoPrompt struct{}

func (NoPrompt) Confirm(context.Context, string, bool) (bool, error) { return false, ErrNoPrompt }

func (NoPrompt) Password(context.Context, string) (string, error) { return "", ErrNoPrompt }

func (NoPrompt) Fill(context.Context, integrations.Definition, *Input) error { return ErrNoPrompt }

func (NoPrompt) Pick(context.Context, string, []Option) (string, error) { return "", ErrNoPrompt }
