package forms

import (
	"context"
	"io"

	"github.com/forgekit/integrations/internal/integrations"
)

// Terminal prompts on a terminal.
type Terminal struct {
	in         io.Reader
	out        io.Writer
	accessible bool
}

// NewTerminal returns a prompter reading in and drawing on out (stderr, so stdout stays data).
func NewTerminal(in io.Reader, out io.Writer, accessible bool) *Terminal {
	return &Terminal{in: in, out: out, accessible: accessible}
}

func (t *Terminal) Confirm(ctx context.Context, title string, def bool) (bool, error) {
	return false, ErrNoPrompt
}

func (t *Terminal) Select(ctx context.Context, title string, options []string, def string) (string, error) {
	return "", ErrNoPrompt
}

func (t *Terminal) Fill(ctx context.Context, def integrations.Definition, in *Input) error {
	return ErrNoPrompt
}
