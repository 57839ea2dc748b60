package forms

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
)

const maskRune = '*' // as huh's password inputs mask

// maskedText is a multi-line secret of NAME=VALUE lines (custom headers, URL variables) typed
// with its values masked, as a password field masks: huh's text area has no echo mode. The real
// field takes every key and holds the answer; a second one, which is what is drawn, takes the
// same keys with each typed value character replaced by the mask, so its lines and cursor move
// as the real one's do. Names stay readable, values are never drawn.
type maskedText struct {
	*huh.Text
	face *huh.Text
	// dropped are the keys whose effect depends on the characters themselves (words, case, the
	// clipboard, an external editor) or that select, which typing then replaces: on the masked text
	// they would act differently, and an insertion must be one plain insertion to be mirrored.
	dropped []key.Binding
}

func newMaskedText(entry *huh.Text) *maskedText {
	km := textarea.DefaultKeyMap()
	entry.ExternalEditor(false)
	dropped := []key.Binding{
		km.WordForward, km.WordBackward, km.DeleteWordBackward, km.DeleteWordForward,
		km.UppercaseWordForward, km.LowercaseWordForward, km.CapitalizeWordForward, km.Paste,
		km.SelectCharacterForward, km.SelectCharacterBackward, km.SelectWordForward, km.SelectWordBackward,
		km.SelectLineUp, km.SelectLineDown, km.SelectAll, huh.NewDefaultKeyMap().Text.Editor,
	}
	return &maskedText{Text: entry, face: huh.NewText().ExternalEditor(false).CharLimit(0), dropped: dropped}
}

// Title, Description and Placeholder are drawn by the face.
func (m *maskedText) Title(s string) *maskedText {
	m.Text.Title(s)
	m.face.Title(s)
	return m
}

func (m *maskedText) Description(s string) *maskedText {
	m.Text.Description(s)
	m.face.Description(s)
	return m
}

func (m *maskedText) Placeholder(s string) *maskedText {
	m.Text.Placeholder(s)
	m.face.Placeholder(s)
	return m
}

func (m *maskedText) Update(msg tea.Msg) (huh.Model, tea.Cmd) {
	typed := false
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		for _, b := range m.dropped {
			if key.Matches(msg, b) {
				return m, nil
			}
		}
		typed = msg.Text != ""
	case tea.PasteMsg:
		typed = true
	case tea.BackgroundColorMsg, tea.WindowSizeMsg:
	default:
		// Other messages may carry the real text (huh sets a field's value by message): only
		// the real field reads them.
		_, cmd := m.Text.Update(msg)
		return m, cmd
	}
	before := []rune(m.value())
	_, cmd := m.Text.Update(msg)
	after := []rune(m.value())
	switch {
	case typed && len(after) > len(before):
		_, _ = m.face.Update(tea.PasteMsg{Content: masked(before, after)})
	case !typed:
		_, _ = m.face.Update(msg)
	}
	return m, cmd
}

func (m *maskedText) value() string { return m.GetValue().(string) }

// masked is what the face inserts for what was just inserted into before: the same runes, with
// each one after its line's first = masked. Where the inserted runes repeat their neighbours,
// the rightmost place they could have gone is taken, which masks the most; an edit that is not
// one insertion is masked whole.
func masked(before, after []rune) string {
	n := len(after) - len(before)
	at := 0
	for at < len(before) && before[at] == after[at] {
		at++
	}
	inserted := after[at : at+n]
	if !slices.Equal(before[at:], after[at+n:]) {
		return strings.Map(func(r rune) rune {
			if r == '\n' {
				return r
			}
			return maskRune
		}, string(inserted))
	}
	line := after[:at]
	if i := lastIndex(line, '\n'); i >= 0 {
		line = line[i+1:]
	}
	inValue := slices.Contains(line, '=')
	var out strings.Builder
	for _, r := range inserted {
		switch {
		case r == '\n':
			inValue = false
		case inValue:
			r = maskRune
		case r == '=':
			inValue = true
		}
		out.WriteRune(r)
	}
	return out.String()
}

func lastIndex(rs []rune, r rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i] == r {
			return i
		}
	}
	return -1
}

func (m *maskedText) View() string { return m.face.View() }

func (m *maskedText) Init() tea.Cmd {
	m.face.Init()
	return m.Text.Init()
}

func (m *maskedText) Focus() tea.Cmd {
	m.face.Focus()
	return m.Text.Focus()
}

func (m *maskedText) Blur() tea.Cmd {
	m.face.Blur()
	return m.Text.Blur()
}

func (m *maskedText) WithTheme(t huh.Theme) huh.Field {
	m.Text.WithTheme(t)
	m.face.WithTheme(t)
	return m
}

func (m *maskedText) WithKeyMap(k *huh.KeyMap) huh.Field {
	m.Text.WithKeyMap(k)
	m.face.WithKeyMap(k)
	return m
}

func (m *maskedText) WithWidth(w int) huh.Field {
	m.Text.WithWidth(w)
	m.face.WithWidth(w)
	return m
}

func (m *maskedText) WithHeight(h int) huh.Field {
	m.Text.WithHeight(h)
	m.face.WithHeight(h)
	return m
}

func (m *maskedText) WithPosition(p huh.FieldPosition) huh.Field {
	m.Text.WithPosition(p)
	m.face.WithPosition(p)
	return m
}
