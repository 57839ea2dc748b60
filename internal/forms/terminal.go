package forms

import (
	"context"
	"errors"
	"io"
	"os"

	"charm.land/bubbles/v2/key"
	"charm.land/huh/v2"
	"github.com/forgekit/integrations/internal/boolval"
	"github.com/forgekit/integrations/internal/integrations"
)

// Terminal prompts on a terminal with huh, drawing on stderr so that stdout stays data.
type Terminal struct {
	in         io.Reader
	out        io.Writer
	accessible bool
}

// NewTerminal returns a prompter reading in and drawing on out. Accessible mode (plain line
// prompts for screen readers) is on when asked, or with INTEGRATIONS_ACCESSIBLE or TERM=dumb.
func NewTerminal(in io.Reader, out io.Writer, accessible bool) *Terminal {
	if on, _, _ := boolval.Env(os.Getenv, "INTEGRATIONS_ACCESSIBLE"); on || os.Getenv("TERM") == "dumb" {
		accessible = true
	}
	return &Terminal{in: in, out: out, accessible: accessible}
}

func (t *Terminal) run(ctx context.Context, form *huh.Form) error {
	km := huh.NewDefaultKeyMap()
	km.Quit = key.NewBinding(key.WithKeys("ctrl+c", "esc"), key.WithHelp("esc", "cancel"))
	err := form.WithInput(t.in).WithOutput(t.out).WithAccessible(t.accessible).WithKeyMap(km).RunWithContext(ctx)
	switch {
	case errors.Is(err, huh.ErrUserAborted):
		return ErrCancelled
	case err == nil && ctx.Err() != nil:
		return ErrCancelled
	}
	return err
}

func (t *Terminal) Confirm(ctx context.Context, title string, def bool) (bool, error) {
	v := def
	err := t.run(ctx, huh.NewForm(huh.NewGroup(huh.NewConfirm().Title(title).Value(&v))))
	return v, err
}

func (t *Terminal) Password(ctx context.Context, title string) (string, error) {
	var v string
	err := t.run(ctx, huh.NewForm(huh.NewGroup(huh.NewInput().Title(title).EchoMode(huh.EchoModePassword).Value(&v))))
	return v, err
}

// Fill runs the settings form. Declining to save is a cancellation: nothing is written.
func (t *Terminal) Fill(ctx context.Context, def integrations.Definition, in *Input) error {
	if t.accessible {
		f := buildAccessible(def, in, true)
		if err := t.run(ctx, f.Form); err != nil {
			return err
		}
		if err := t.run(ctx, huh.NewForm(f.reviewGroup(false))); err != nil {
			return err
		}
		return f.finish()
	}
	f := Build(def, in, true)
	if err := t.run(ctx, f.Form); err != nil {
		return err
	}
	return f.finish()
}

// finish applies the answers once the user chose to save, and checks them as a whole: huh's
// accessible mode turns end of input into empty answers without an error.
func (f *Form) finish() error {
	if !f.Confirmed() {
		return ErrCancelled
	}
	if err := f.apply(); err != nil {
		return err
	}
	if !f.in.Active {
		return nil
	}
	return f.def.Validate(f.in.Values)
}
