package forms

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"charm.land/huh/v2"
	"github.com/forgekit/integrations/internal/integrations"
)

// Form is a settings form built from field metadata, bound to an Input.
type Form struct {
	Form *huh.Form

	groups     []*huh.Group
	def        integrations.Definition
	in         *Input
	accessible bool
	strs       map[string]*string
	bools      map[string]*bool
	events     *[]string
	active     *bool
	confirm    *bool
}

// Build makes the settings form of def, pre-filled from in. Pages follow GitLab's settings page:
// the integration's help and the active toggle with the connection fields, then the trigger
// events with their per-event channels, then the remaining options by section, and last a
// summary of the changes to confirm. maskSecrets hides typed secrets; it needs a terminal,
// because huh reads a password field from anything else as empty.
func Build(def integrations.Definition, in *Input, maskSecrets bool) *Form {
	f := build(def, in, maskSecrets, false)
	f.Form = huh.NewForm(append(f.groups, f.reviewGroup(true))...)
	return f
}

// buildAccessible is Build for accessible mode, which evaluates no dynamic text: the review page
// becomes a second form, built once the answers are in.
func buildAccessible(def integrations.Definition, in *Input, maskSecrets bool) *Form {
	f := build(def, in, maskSecrets, true)
	f.Form = huh.NewForm(f.groups...)
	return f
}

func build(def integrations.Definition, in *Input, maskSecrets, accessible bool) *Form {
	f := &Form{
		def: def, in: in,
		accessible: accessible,
		strs:       map[string]*string{}, bools: map[string]*bool{},
		events: new([]string), active: new(bool), confirm: new(bool),
	}
	*f.active = in.Active
	*f.confirm = true

	title := def.Title
	if in.Where != "" {
		title += " — " + in.Where
	}
	first := []huh.Field{huh.NewNote().Title(title).Description(f.noteText(def.Description))}
	if def.Base != integrations.HookBase { // a webhook has no activation of its own
		first = append(first, huh.NewConfirm().Title("Active").Description("Turn the integration on. Off keeps the settings without using them.").
			Affirmative("On").Negative("Off").Value(f.active))
	}
	var options []integrations.Field
	for _, fld := range def.Fields {
		switch {
		case fld.Event != "":
			continue // asked with its event
		case isConnection(fld):
			first = append(first, f.field(fld, maskSecrets))
		default:
			options = append(options, fld)
		}
	}
	groups := []*huh.Group{huh.NewGroup(first...)}

	supported := def.SupportedEvents(in.Level)
	if len(supported) > 0 {
		groups = append(groups, huh.NewGroup(f.eventsField(supported)))
		for _, fld := range def.Fields {
			if fld.Event == "" || !slices.Contains(supported, fld.Event) {
				continue
			}
			ev := fld.Event
			groups = append(groups, huh.NewGroup(f.field(fld, maskSecrets)).
				WithHideFunc(func() bool { return !slices.Contains(*f.events, ev) }))
		}
	}

	var sections []integrations.Section
	for _, fld := range options {
		if !slices.Contains(sections, fld.Section) {
			sections = append(sections, fld.Section)
		}
	}
	for _, s := range sections {
		fields := []huh.Field{huh.NewNote().Title(sectionTitle(s))}
		for _, fld := range options {
			if fld.Section == s {
				fields = append(fields, f.field(fld, maskSecrets))
			}
		}
		groups = append(groups, huh.NewGroup(fields...))
	}

	f.groups = groups
	return f
}

// reviewGroup is the last page: the changes, secrets masked, and the question to save.
func (f *Form) reviewGroup(dynamic bool) *huh.Group {
	note := huh.NewNote().Title("Review")
	if dynamic {
		// Bindings must be exported data for huh to notice changes: the answers themselves.
		note = note.DescriptionFunc(func() string { return f.noteText(f.summary()) }, []any{f.strs, f.bools, f.events, f.active})
	} else {
		note = note.Description(f.summary())
	}
	return huh.NewGroup(note,
		huh.NewConfirm().Title("Save these settings?").Affirmative("Save").Negative("Cancel").Value(f.confirm))
}

// isConnection puts a field on the first page: GitLab's connection section, or, for
// integrations without sections, what must be filled for the integration to work.
func isConnection(f integrations.Field) bool {
	if f.Section != integrations.NoSection {
		return f.Section == integrations.Connection
	}
	return f.Required || f.Masked() || f.URL
}

func sectionTitle(s integrations.Section) string {
	switch s {
	case integrations.Configuration:
		return "Configuration"
	case integrations.JiraVerification:
		return "Jira verification"
	case integrations.NoSection:
		return "Options"
	}
	return strings.ToUpper(string(s[:1])) + strings.ReplaceAll(string(s[1:]), "_", " ")
}

func (f *Form) eventsField(supported []string) huh.Field {
	opts := make([]huh.Option[string], 0, len(supported))
	for _, name := range supported {
		on := f.in.Events[name]
		if on {
			*f.events = append(*f.events, name)
		}
		opts = append(opts, huh.NewOption(fmt.Sprintf("%s (%s)", integrations.EventTitle(name), name), name).Selected(on))
	}
	return huh.NewMultiSelect[string]().Title("Trigger events").
		Description("The events that are sent.").
		Options(opts...).Value(f.events).Filterable(false)
}

// field builds the huh field for one catalog field.
func (f *Form) field(fld integrations.Field, maskSecrets bool) huh.Field {
	cur, hasCur := f.in.Values[fld.Key]
	if !hasCur && !fld.Masked() {
		cur = fld.Default
	}
	title, help := fld.Title, fld.Help
	if fld.Edition != "" {
		help = strings.TrimSpace(help + " (" + fld.Edition + ")")
	}
	switch {
	case fld.Kind == integrations.Checkbox:
		b, _ := integrations.ParseBool(cur)
		f.bools[fld.Key] = &b
		desc := fld.CheckboxLabel
		if help != "" {
			desc += "\n" + help
		}
		return huh.NewConfirm().Title(title).Description(desc).Affirmative("Yes").Negative("No").Value(&b)
	case len(fld.Choices) > 0:
		s := cur
		f.strs[fld.Key] = &s
		var opts []huh.Option[string]
		if !fld.Required && fld.Default == "" && !slices.Contains(fld.ChoiceValues(), "") {
			opts = append(opts, huh.NewOption("(not set)", ""))
		}
		for _, c := range fld.Choices {
			opts = append(opts, huh.NewOption(c.Label, c.Value))
		}
		return huh.NewSelect[string]().Title(title).Description(help).Options(opts...).Value(&s)
	}

	s := cur
	secretSet := fld.Masked() && f.in.SecretSet[fld.Key]
	if fld.Masked() {
		s = "" // never pre-fill a secret: blank keeps the stored one
		if secretSet && fld.NonEmptySecretTitle != "" {
			title, help = fld.NonEmptySecretTitle, fld.NonEmptySecretHelp
		} else if secretSet {
			help = strings.TrimSpace(help + " It is set; leave blank to keep it.")
		}
	}
	f.strs[fld.Key] = &s
	// In accessible mode a blank answer keeps the pre-filled value, so blank is fine when there
	// is one; on the full-screen form the value is visible and clearing it means clearing.
	keeps := secretSet || (f.accessible && s != "")
	validate := f.validator(fld, keeps)
	if fld.Kind == integrations.Textarea {
		return huh.NewText().Title(title).Description(help).Placeholder(fld.Placeholder).
			CharLimit(0).Value(&s).Validate(validate)
	}
	in := huh.NewInput().Title(title).Description(help).Placeholder(fld.Placeholder).Value(&s).Validate(validate)
	if fld.Masked() && maskSecrets {
		in = in.EchoMode(huh.EchoModePassword)
	}
	return in
}

// validator applies the catalog's rules inline, so the form refuses what --set would refuse.
func (f *Form) validator(fld integrations.Field, blankKeeps bool) func(string) error {
	return func(v string) error {
		if strings.TrimSpace(v) == "" {
			if fld.Required && !blankKeeps {
				return errors.New(fld.Title + " is required")
			}
			return nil
		}
		if _, err := f.def.Normalize(fld.Key, v); err != nil {
			// The catalog's message starts with "<integration>: <field>: "; the form shows the field.
			msg := err.Error()
			if i := strings.Index(msg, fld.Key+": "); i >= 0 {
				msg = msg[i+len(fld.Key)+2:]
			}
			return errors.New(msg)
		}
		return nil
	}
}

// apply copies the answers back into the Input, in canonical form. A blank secret keeps the
// stored value; any other blank clears the field.
func (f *Form) apply() error {
	values := make(map[string]string, len(f.in.Values))
	for k, v := range f.in.Values {
		values[k] = v
	}
	for key, p := range f.strs {
		fld, _ := f.def.Field(key)
		v := *p
		if fld.Kind != integrations.Textarea && !fld.Masked() {
			v = strings.TrimSpace(v)
		}
		if v == "" {
			if !fld.Masked() {
				delete(values, key)
			}
			continue
		}
		norm, err := f.def.Normalize(key, v)
		if err != nil {
			return err
		}
		values[key] = norm
	}
	for key, p := range f.bools {
		values[key] = fmt.Sprint(*p)
	}
	f.in.Values = values
	f.in.Active = *f.active
	if len(f.def.SupportedEvents(f.in.Level)) > 0 {
		events := map[string]bool{}
		for _, e := range f.def.SupportedEvents(f.in.Level) {
			events[e] = slices.Contains(*f.events, e)
		}
		f.in.Events = events
	}
	return nil
}

// summary renders the review page from the answers so far, without touching the Input.
func (f *Form) summary() string {
	if f.in.Summary == nil {
		return ""
	}
	preview := *f.in
	saved := f.in
	f.in = &preview
	err := f.apply()
	f.in = saved
	if err != nil {
		return "Some values are not valid yet: " + err.Error()
	}
	lines := f.in.Summary(&preview)
	if len(lines) == 0 {
		return "No changes."
	}
	return strings.Join(lines, "\n")
}

// noteText keeps huh's full-screen notes from reading _ * ` as markdown; accessible mode prints
// notes as they are.
func (f *Form) noteText(s string) string {
	if f.accessible {
		return s
	}
	return strings.NewReplacer(`\`, `\\`, "_", `\_`, "*", `\*`, "`", "\\`").Replace(s)
}

// Confirmed reports whether the user chose to save on the last page.
func (f *Form) Confirmed() bool { return *f.confirm }

// Apply copies the answers into the Input; call it after the form ran.
func (f *Form) Apply() error { return f.apply() }
