package forms

import (
	"fmt"
	"io"
	"sync"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
)

// shown wraps every field of a page. A field that does not apply (a username with token
// authentication, the channel of an event that is off) takes no room, no focus and no answer.
// Because a hidden field must not leave a gap either, the theme draws no separator and each
// field adds its own when a later field of the page is visible.
type shown struct {
	huh.Field
	applies  func() bool
	gapAfter func() bool
	gap      string
	help     string
	// alone is set on a page's first field: when nothing else on the page can take the focus
	// it takes it, since huh moves to the next page from a page it finds without a focusable
	// field, even a hidden page while it starts the form.
	alone func() bool
}

func (s *shown) Skip() bool {
	if s.alone != nil && s.alone() {
		return false
	}
	return !s.applies() || s.Field.Skip()
}

func (s *shown) View() string {
	if !s.applies() {
		return ""
	}
	v := s.Field.View()
	if s.gapAfter() {
		v += s.gap
	}
	return v
}

// Update keeps the wrapper in the page: huh stores whatever model Update returns.
func (s *shown) Update(msg tea.Msg) (huh.Model, tea.Cmd) {
	m, cmd := s.Field.Update(msg)
	if f, ok := m.(huh.Field); ok {
		s.Field = f
	}
	return s, cmd
}

// RunAccessible asks only fields that apply, each after its help and current value: huh's
// accessible prompts print nothing but the title.
func (s *shown) RunAccessible(w io.Writer, r io.Reader) (err error) {
	// huh's numbered prompt indexes its options with a refused answer when input ends right
	// after it, and panics; end of input is the user leaving.
	defer func() {
		if recover() != nil {
			err = ErrCancelled
		}
	}()
	if !s.applies() {
		return nil
	}
	if s.help != "" {
		_, _ = fmt.Fprintln(w, s.help)
	}
	return s.Field.RunAccessible(w, r)
}

// theme is huh's Charm theme with two changes: fields bring their own gaps (see shown), and
// the chosen button is marked with brackets, so that On/Off, Yes/No and Save/Cancel can be told
// apart without colour (NO_COLOR, monochrome terminals).
//
// huh asks for the theme on every draw of every field and never changes what it gets, so each
// variant is built once: building it was a third of a form's CPU.
func theme(isDark bool) *huh.Styles {
	if isDark {
		return darkTheme()
	}
	return lightTheme()
}

var (
	formTheme  = huh.ThemeFunc(theme)
	darkTheme  = sync.OnceValue(func() *huh.Styles { return newTheme(true) })
	lightTheme = sync.OnceValue(func() *huh.Styles { return newTheme(false) })
)

func newTheme(isDark bool) *huh.Styles {
	t := huh.ThemeCharm(isDark)
	t.FieldSeparator = lipgloss.NewStyle()
	for _, fs := range []*huh.FieldStyles{&t.Focused, &t.Blurred} {
		fs.FocusedButton = fs.FocusedButton.Padding(0, 0).Transform(func(s string) string { return "[ " + s + " ]" })
		fs.BlurredButton = fs.BlurredButton.Padding(0, 0).Transform(func(s string) string { return "  " + s + "  " })
	}
	return t
}
