package forms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
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

func (t *Terminal) run(ctx context.Context, form *huh.Form, settings *Form) error {
	km := huh.NewDefaultKeyMap()
	km.Quit = key.NewBinding(key.WithKeys("ctrl+c", "esc"), key.WithHelp("esc", "cancel"))
	form = form.WithKeyMap(km)
	if t.accessible {
		err := form.WithInput(t.in).WithOutput(t.out).WithAccessible(true).RunWithContext(ctx)
		if err == nil && ctx.Err() != nil {
			return ErrCancelled
		}
		return err
	}
	form = form.WithTheme(formTheme)
	form.SubmitCmd, form.CancelCmd = tea.Quit, tea.Quit
	_, err := tea.NewProgram(&screen{form: form, settings: settings},
		tea.WithInput(t.in), tea.WithOutput(t.out), tea.WithContext(ctx)).Run()
	switch {
	case form.State == huh.StateAborted, ctx.Err() != nil, errors.Is(err, tea.ErrProgramKilled), errors.Is(err, tea.ErrInterrupted):
		return ErrCancelled
	case err != nil:
		return fmt.Errorf("drawing the form: %w", err)
	}
	return nil
}

// screen runs a huh form as the whole program, so that it can be fitted to the terminal: huh
// draws one line below the height it is given, which pushed the page's first line (the header)
// off a full screen, and it sizes an event list two rows short.
type screen struct {
	form     *huh.Form
	settings *Form
}

// Init also asks the terminal for its background, so that the theme suits a dark one; the
// answer comes as a message, and a terminal that does not answer delays nothing.
func (s *screen) Init() tea.Cmd { return tea.Batch(s.form.Init(), tea.RequestBackgroundColor) }

func (s *screen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if ws, ok := msg.(tea.WindowSizeMsg); ok {
		// lipgloss, which wraps huh's help texts, lets a line that ends in a break character
		// (";" "," ".") run one column past the width, where the field's border cut it off:
		// the form is drawn one column narrower than the terminal.
		ws.Width = max(ws.Width-1, 1)
		if s.settings != nil {
			s.settings.layout(ws.Width, ws.Height)
			s.settings.retitle(ws.Width)
		}
		ws.Height = max(ws.Height-1, 1)
		msg = ws
	}
	m, cmd := s.form.Update(msg)
	if f, ok := m.(*huh.Form); ok {
		s.form = f
	}
	if s.settings != nil {
		s.settings.retitle(0)
		s.settings.refreshReview()
	}
	return s, cmd
}

// View draws nothing once the form is done, so that neither a save nor Esc or Ctrl-C leaves the
// last page on the screen.
func (s *screen) View() tea.View {
	if s.form.State != huh.StateNormal {
		return tea.NewView("")
	}
	return tea.NewView(s.form.View())
}

func (t *Terminal) Confirm(ctx context.Context, title string, def bool) (bool, error) {
	v := def
	c := huh.NewConfirm().Title(title).WithButtonAlignment(lipgloss.Left).Value(&v)
	err := t.run(ctx, huh.NewForm(huh.NewGroup(c)), nil)
	return v, err
}

func (t *Terminal) Password(ctx context.Context, title string) (string, error) {
	var v string
	err := t.run(ctx, huh.NewForm(huh.NewGroup(huh.NewInput().Title(title).EchoMode(huh.EchoModePassword).Value(&v))), nil)
	return v, err
}

// Pick shows a list to choose from; typing / filters it.
func (t *Terminal) Pick(ctx context.Context, title string, options []Option) (string, error) {
	var v string
	opts := make([]huh.Option[string], len(options))
	for i, o := range options {
		opts[i] = huh.NewOption(o.Label, o.Value)
	}
	sel := huh.NewSelect[string]().Title(title).Description("↑/↓ move, / filters, enter chooses.").
		Options(opts...).Filtering(false).Value(&v)
	err := t.run(ctx, huh.NewForm(huh.NewGroup(sel)), nil)
	return v, err
}

// Fill runs the settings form. Declining to save is a cancellation: nothing is written.
func (t *Terminal) Fill(ctx context.Context, def integrations.Definition, in *Input) error {
	if t.accessible {
		f := buildAccessible(def, in, true)
		if err := t.run(ctx, f.Form, nil); err != nil {
			return err
		}
		if f.NoChanges() {
			_, _ = fmt.Fprintln(t.out, noChanges)
			return f.apply()
		}
		if err := t.run(ctx, huh.NewForm(f.reviewPage(false).group), nil); err != nil {
			return err
		}
		return f.finish()
	}
	f := Build(def, in, true)
	if err := t.run(ctx, f.Form, f); err != nil {
		return err
	}
	return f.finish()
}

// finish applies the answers once the user chose to save, and checks them as a whole: huh's
// accessible mode turns end of input into empty answers without an error.
func (f *Form) finish() error {
	if !f.Confirmed() {
		return ErrNotSaved
	}
	if err := f.apply(); err != nil {
		return err
	}
	if !f.in.Active {
		return nil
	}
	return f.def.Validate(f.in.Values)
}
