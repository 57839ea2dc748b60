package forms

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
	"github.com/forgekit/integrations/internal/integrations"
)

// Form is a settings form built from field metadata, bound to an Input.
type Form struct {
	Form *huh.Form

	pages      []page
	def        integrations.Definition
	in         *Input
	accessible bool
	strs       map[string]*string
	bools      map[string]*bool
	// initial holds each answer's starting value: an answer left as it started is not written
	// unless the field already had a value or is required.
	initial map[string]string
	events  *[]string
	active  *bool
	confirm *bool

	eventsField *huh.MultiSelect[string]
	review      *huh.Note
	eventNames  []string
	labelWidth  int
	width       int
	titled      string // the width and hidden pages the headers were last fitted to
}

// page is one screen of the form with the name shown in its header.
type page struct {
	name   string
	group  *huh.Group
	hidden func() bool
}

// Build makes the settings form of def, pre-filled from in. Pages follow GitLab's settings page:
// the integration's help and the active toggle with the connection fields, then the trigger
// events, then the channels of the selected events, then the remaining options by section, and
// last a summary of the changes to confirm. maskSecrets hides typed secrets; it needs a
// terminal, because huh reads a password field from anything else as empty.
func Build(def integrations.Definition, in *Input, maskSecrets bool) *Form {
	f := build(def, in, maskSecrets, false)
	f.pages = append(f.pages, f.reviewPage(true))
	f.Form = huh.NewForm(f.groups()...).WithTheme(formTheme)
	f.retitle(80)
	return f
}

// buildAccessible is Build for accessible mode, which evaluates no dynamic text: the review page
// becomes a second form, built once the answers are in.
func buildAccessible(def integrations.Definition, in *Input, maskSecrets bool) *Form {
	f := build(def, in, maskSecrets, true)
	f.Form = huh.NewForm(f.groups()...)
	return f
}

func (f *Form) groups() []*huh.Group {
	groups := make([]*huh.Group, len(f.pages))
	for i, p := range f.pages {
		groups[i] = p.group
	}
	return groups
}

func build(def integrations.Definition, in *Input, maskSecrets, accessible bool) *Form {
	f := &Form{
		def: def, in: in,
		accessible: accessible,
		strs:       map[string]*string{}, bools: map[string]*bool{}, initial: map[string]string{},
		events: new([]string), active: new(bool), confirm: new(bool),
		width: 80,
	}
	*f.active = in.Active
	*f.confirm = true

	first := []item{{field: huh.NewNote().Description(f.noteText(def.Description))}}
	if def.Base != integrations.HookBase { // a webhook has no activation of its own
		first = append(first, f.confirmField("Active", "Turn the integration on. Off keeps the settings without using them.",
			in.Active, "On", "Off", f.active))
	}
	var options []integrations.Field
	for _, fld := range def.Fields {
		switch {
		case fld.Event != "":
			continue // asked with its event
		case isConnection(fld):
			first = append(first, f.item(fld, maskSecrets))
		default:
			options = append(options, fld)
		}
	}
	f.pages = []page{f.page("Connection", nil, first...)}

	supported := def.SupportedEvents(in.Level)
	if len(supported) > 0 {
		f.pages = append(f.pages, f.page("Trigger events", nil, f.eventsPicker(supported)))
		if ch, ok := f.channelsPage(supported, maskSecrets); ok {
			f.pages = append(f.pages, ch)
		}
	}

	var sections []integrations.Section
	for _, fld := range options {
		if !slices.Contains(sections, fld.Section) {
			sections = append(sections, fld.Section)
		}
	}
	for _, s := range sections {
		var items []item
		for _, fld := range options {
			if fld.Section == s {
				items = append(items, f.item(fld, maskSecrets))
			}
		}
		f.pages = append(f.pages, f.page(sectionTitle(s), nil, items...))
	}
	return f
}

// channelsPage asks the per-event channels of the selected events, one line each, as GitLab's
// settings page lists them under the events; ok is false when the service has none.
func (f *Form) channelsPage(supported []string, maskSecrets bool) (page, bool) {
	var channels []item
	var help string
	width := 0
	for _, fld := range f.def.Fields {
		if fld.Event != "" && slices.Contains(supported, fld.Event) {
			width = max(width, len(fld.Event))
		}
	}
	for _, fld := range f.def.Fields {
		if fld.Event == "" || !slices.Contains(supported, fld.Event) {
			continue
		}
		it := f.item(fld, maskSecrets)
		ev := fld.Event
		it.applies = func() bool { return slices.Contains(*f.events, ev) }
		if in, ok := it.field.(*huh.Input); ok && !f.accessible {
			in.Inline(true).Title(fmt.Sprintf("%-*s ", width, ev)).Description("")
			it.gap = "\n"
		}
		help = fld.Help
		channels = append(channels, it)
	}
	if len(channels) == 0 {
		return page{}, false
	}
	// The fields' help speaks of one event; the page says it once for all.
	help = strings.TrimPrefix(help, "Overrides the default channel for this event. ")
	intro := item{field: huh.NewNote().Description(f.noteText("A channel for each selected event; blank posts to the default channel. " + help))}
	none := func() bool { return !slices.ContainsFunc(channels, func(it item) bool { return it.applies() }) }
	return f.page("Channels", none, append([]item{intro}, channels...)...), true
}

// page builds one screen. Every field is wrapped so that fields which do not apply take no room.
func (f *Form) page(name string, hidden func() bool, items ...item) page {
	fields := make([]huh.Field, len(items))
	wrapped := make([]*shown, len(items))
	for i, it := range items {
		applies := it.applies
		if applies == nil {
			applies = func() bool { return true }
		}
		gap := it.gap
		if gap == "" {
			gap = "\n\n"
		}
		// Themed before the group measures it: a field without a theme draws with a fresh
		// Charm theme, built anew on every draw.
		it.field.WithTheme(formTheme)
		wrapped[i] = &shown{Field: it.field, applies: applies, help: it.help, gap: gap}
		fields[i] = wrapped[i]
	}
	for i, w := range wrapped {
		later := wrapped[i+1:]
		w.gapAfter = func() bool { return slices.ContainsFunc(later, func(s *shown) bool { return s.applies() }) }
	}
	if rest := wrapped[1:]; len(wrapped) > 0 {
		wrapped[0].alone = func() bool { return !slices.ContainsFunc(rest, func(s *shown) bool { return !s.Skip() }) }
	}
	g := huh.NewGroup(fields...)
	if hidden != nil {
		g = g.WithHideFunc(hidden)
	}
	return page{name: name, group: g, hidden: hidden}
}

// retitle puts the same header on every page: what is written where, then the page's place.
func (f *Form) retitle(width int) {
	if width > 0 {
		f.width = width
	}
	header := f.def.Title
	if f.in.Where != "" {
		header += " — " + f.in.Where
	}
	hidden := make([]bool, len(f.pages))
	total := 0
	for i, p := range f.pages {
		hidden[i] = p.hidden != nil && p.hidden()
		if !hidden[i] {
			total++
		}
	}
	// It runs after every key and tick; measuring the headers each time was an eighth of a form
	// process's CPU in the terminal tests.
	key := fmt.Sprint(f.width, hidden)
	if key == f.titled {
		return
	}
	f.titled = key
	// Hidden pages get their header too: huh sizes a page when the terminal is measured, so a
	// page shown later must already have the header's two lines.
	n := 0
	for i, p := range f.pages {
		n++
		count := total
		if hidden[i] {
			count++
		}
		p.group.Title(fitLine(header, f.width)).
			Description(fitLine(fmt.Sprintf("Page %d of %d · %s", n, count, p.name), f.width))
		if hidden[i] {
			n--
		}
	}
}

// fitLine keeps a header on one line, so that the space the form reserves for it holds.
func fitLine(s string, width int) string {
	if lipgloss.Width(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && lipgloss.Width(string(r))+1 > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// reviewPage is the last page: the changes, secrets masked, and the question to save. It is
// hidden when nothing would change, so the form ends without asking.
func (f *Form) reviewPage(dynamic bool) page {
	note := huh.NewNote().Title("Review").Description(f.summary())
	if dynamic {
		// Kept current by refreshReview from the program's own loop: huh evaluates a
		// DescriptionFunc on another goroutine, while the answers it reads are being typed.
		f.review = note
	}
	save := f.confirmField("Save these settings?", "", true, "Save", "Cancel", f.confirm)
	save.help = "" // blank saves, as the [Y/n] prompt says
	return f.page("Review", f.NoChanges, item{field: note}, save)
}

// refreshReview shows the changes the answers so far make on the review page.
func (f *Form) refreshReview() {
	if f.review != nil {
		f.review.Description(f.noteText(f.summary()))
	}
}

// NoChanges reports whether the answers so far change nothing.
func (f *Form) NoChanges() bool { return f.summary() == noChanges }

// item is one field of a page: applies hides it while it does not apply; help is printed before
// its question in accessible mode, whose prompts show only the title.
type item struct {
	field   huh.Field
	applies func() bool
	help    string
	gap     string // before the next visible field; a blank line unless set
}

func (f *Form) confirmField(title, desc string, cur bool, yes, no string, v *bool) item {
	c := huh.NewConfirm().Title(title).Description(desc).Affirmative(yes).Negative(no).
		WithButtonAlignment(lipgloss.Left).Value(v)
	return item{field: c, help: strings.TrimSpace(desc + "\nCurrent: " + map[bool]string{true: yes, false: no}[cur] + "; a blank answer keeps it.")}
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

const eventsHelp = "Space selects or clears an event."

func (f *Form) eventsPicker(supported []string) item {
	for _, name := range supported {
		if f.in.Events[name] {
			*f.events = append(*f.events, name)
		}
	}
	if f.accessible {
		return f.eventsInput(supported)
	}
	f.eventNames = supported
	// The height counts the title and help lines: without it huh sizes the list two rows short.
	f.eventsField = huh.NewMultiSelect[string]().Title("Trigger events").Description(eventsHelp).
		Value(f.events).Filterable(false).Height(len(supported) + 2)
	f.eventsField.Options(f.eventOptions(80)...)
	f.labelWidth = 80
	return item{field: f.eventsField}
}

// eventOptions labels each event to fit on one line of a terminal width columns wide: a label
// that wraps would push the list's last rows out of sight.
func (f *Form) eventOptions(width int) []huh.Option[string] {
	// The field's border and padding, the cursor and the check mark take 6 columns.
	room := max(width-7, 12)
	opts := make([]huh.Option[string], len(f.eventNames))
	for i, name := range f.eventNames {
		title := integrations.EventTitle(name)
		label := fmt.Sprintf("%s (%s)", title, name)
		if lipgloss.Width(label) > room {
			label = fitLine(title, max(room-lipgloss.Width(name)-3, 4)) + " (" + name + ")"
		}
		opts[i] = huh.NewOption(fitLine(label, room), name).Selected(slices.Contains(*f.events, name))
	}
	return opts
}

// eventsInput asks for the events as a list in accessible mode, where a blank answer keeps the
// current ones (huh's numbered list accepts no blank answer).
func (f *Form) eventsInput(supported []string) item {
	cur := strings.Join(*f.events, ",")
	s := cur
	help := fmt.Sprintf("The events that are sent, separated by commas. Available: %s. Current: %s. A blank answer keeps the current events; - clears them.",
		strings.Join(supported, ", "), orNotSet(cur))
	in := huh.NewInput().Title("Trigger events").Value(&s).Validate(func(v string) error {
		v = strings.TrimSpace(v)
		if v == "" {
			return nil
		}
		var chosen []string
		if v != "-" {
			for _, name := range strings.Split(v, ",") {
				name = strings.TrimSpace(name)
				if !slices.Contains(supported, name) {
					return fmt.Errorf("%q is not an event here; choose from %s", name, strings.Join(supported, ", "))
				}
				chosen = append(chosen, name)
			}
		}
		*f.events = chosen
		return nil
	})
	return item{field: in, help: help}
}

// layout fits the events list to the terminal: when it cannot show every event at once, its
// help line says so and how to reach the rest.
func (f *Form) layout(width, height int) {
	if f.eventsField == nil {
		return
	}
	// Setting the options moves the list's cursor, so only when the labels must change: the
	// terminal reports its size again now and then without having changed.
	if width != f.labelWidth {
		f.labelWidth = width
		f.eventsField.Options(f.eventOptions(width)...)
	}
	count := len(f.eventNames)
	// The form keeps a line spare, and each page has a two-line header, a help line and a gap.
	rows := height - 1 - 2 - 1 - 2
	if rows >= count {
		f.eventsField.Description(eventsHelp)
		return
	}
	f.eventsField.Description(fmt.Sprintf("%d of %d events show; ↓ and ↑ scroll to the rest.", max(rows, 1), count))
}

// item builds the form entry for one catalog field, shown only while the field applies.
func (f *Form) item(fld integrations.Field, maskSecrets bool) item {
	it := f.field(fld, maskSecrets)
	if fld.AppliesWhen != nil {
		it.applies = func() bool { return f.def.Applies(fld, f.answers()) }
	}
	return it
}

// answers are the current answers as raw values, for conditions between fields.
func (f *Form) answers() map[string]string {
	out := make(map[string]string, len(f.strs)+len(f.bools))
	for k, v := range f.in.Values {
		out[k] = v
	}
	for k, p := range f.strs {
		out[k] = *p
	}
	for k, p := range f.bools {
		out[k] = fmt.Sprint(*p)
	}
	return out
}

// field builds the huh field for one catalog field.
func (f *Form) field(fld integrations.Field, maskSecrets bool) item {
	cur, hasCur := f.in.Values[fld.Key]
	if !hasCur && !fld.Masked() {
		cur = fld.Default
	}
	title, help := fld.Title, fld.Help
	if fld.Edition != "" {
		help = strings.TrimSpace(help + " " + editionNote(fld.Edition))
	}
	switch {
	case fld.Kind == integrations.Checkbox:
		b, _ := integrations.ParseBool(cur)
		f.bools[fld.Key] = &b
		f.initial[fld.Key] = fmt.Sprint(b)
		desc := fld.CheckboxLabel
		if help != "" {
			desc += "\n" + help
		}
		return f.confirmField(title, desc, b, "Yes", "No", &b)
	case len(fld.Choices) > 0:
		s := cur
		f.strs[fld.Key] = &s
		f.initial[fld.Key] = s
		var opts []huh.Option[string]
		if !fld.Required && fld.Default == "" && !slices.Contains(fld.ChoiceValues(), "") {
			opts = append(opts, huh.NewOption("(not set)", ""))
		}
		for _, c := range fld.Choices {
			opts = append(opts, huh.NewOption(c.Label, c.Value))
		}
		sel := huh.NewSelect[string]().Title(title).Description(help).Options(opts...).Value(&s)
		return item{field: sel, help: strings.TrimSpace(help + "\nCurrent: " + orNotSet(choiceLabel(fld, s)) + "; a blank answer keeps it.")}
	}

	s := cur
	placeholder := fld.Placeholder
	secretSet := fld.Masked() && f.in.SecretSet[fld.Key]
	if fld.Masked() {
		s = "" // never pre-fill a secret: blank keeps the stored one
		if secretSet && fld.NonEmptySecretTitle != "" {
			title, help = fld.NonEmptySecretTitle, fld.NonEmptySecretHelp
		} else if secretSet {
			help = strings.TrimSpace(help + " It is set; leave blank to keep it.")
		}
		if secretSet {
			// An example value would read as a masked current value.
			placeholder = "(set; leave blank to keep)"
		}
	}
	f.strs[fld.Key] = &s
	f.initial[fld.Key] = s
	// In accessible mode a blank answer keeps the pre-filled value, so blank is fine when there
	// is one; on the full-screen form the value is visible and clearing it means clearing.
	keeps := secretSet || (f.accessible && s != "")
	var state string
	switch {
	case fld.Masked() && secretSet:
		state = "Current: set; a blank answer keeps it."
	case s != "":
		state = "Current: " + s + "; a blank answer keeps it."
	case fld.Required:
		state = "Current: not set; an answer is required."
	default:
		state = "Current: not set; a blank answer leaves it unset."
	}
	access := strings.TrimSpace(help + "\n" + state)
	validate := f.validator(fld, keeps)
	if fld.Kind == integrations.Textarea {
		text := huh.NewText().CharLimit(0).Value(&s).Validate(validate)
		switch {
		case fld.Masked() && maskSecrets && f.accessible:
			// Accessible mode reads one line either way; a password prompt reads it unechoed.
			in := huh.NewInput().Title(title).Value(&s).Validate(validate).EchoMode(huh.EchoModePassword)
			return item{field: in, help: access}
		case fld.Masked() && maskSecrets:
			return item{field: newMaskedText(text).Title(title).Description(help).Placeholder(placeholder), help: access}
		}
		return item{field: text.Title(title).Description(help).Placeholder(placeholder), help: access}
	}
	in := huh.NewInput().Title(title).Description(help).Placeholder(placeholder).Value(&s).Validate(validate)
	if fld.Masked() && maskSecrets {
		in = in.EchoMode(huh.EchoModePassword)
	}
	return item{field: in, help: access}
}

// editionNote says in words where a field exists: the catalog notes "EE (Ultimate)".
func editionNote(e string) string {
	e = strings.NewReplacer("EE (Premium)", "GitLab Premium and Ultimate", "EE (Ultimate)", "GitLab Ultimate",
		"newest", "recent versions").Replace(e)
	return "Only on " + e + "."
}

func choiceLabel(fld integrations.Field, v string) string {
	for _, c := range fld.Choices {
		if c.Value == v {
			return c.Label
		}
	}
	return v
}

func orNotSet(s string) string {
	if s == "" {
		return "not set"
	}
	return s
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
// stored value; any other blank clears the field. An answer left as it started is written only
// when the field already had a value or is required, so untouched options (such as those of
// another GitLab edition) are not stored; fields that do not apply keep what they had.
func (f *Form) apply() error { return f.applyTo(f.in) }

// applyTo writes what apply would into dst, reading the Input only; the review previews with it.
func (f *Form) applyTo(dst *Input) error {
	values := make(map[string]string, len(f.in.Values))
	for k, v := range f.in.Values {
		values[k] = v
	}
	answers := f.answers()
	keep := func(fld integrations.Field, v string) bool {
		if !f.def.Applies(fld, answers) {
			return true
		}
		_, had := f.in.Values[fld.Key]
		return !had && !fld.Required && v == f.initial[fld.Key]
	}
	for key, p := range f.strs {
		fld, _ := f.def.Field(key)
		v := *p
		if keep(fld, v) {
			continue
		}
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
		fld, _ := f.def.Field(key)
		if keep(fld, fmt.Sprint(*p)) {
			continue
		}
		values[key] = fmt.Sprint(*p)
	}
	dst.Values = values
	dst.Active = *f.active
	if len(f.def.SupportedEvents(f.in.Level)) > 0 {
		events := map[string]bool{}
		for _, e := range f.def.SupportedEvents(f.in.Level) {
			events[e] = slices.Contains(*f.events, e)
		}
		dst.Events = events
	}
	return nil
}

const noChanges = "No changes."

// summary renders the review page from the answers so far, without touching the Input.
func (f *Form) summary() string {
	if f.in.Summary == nil {
		return ""
	}
	preview := *f.in
	if err := f.applyTo(&preview); err != nil {
		return "Some values are not valid yet: " + err.Error()
	}
	lines := f.in.Summary(&preview)
	if len(lines) == 0 {
		return noChanges
	}
	if !f.accessible {
		// Wrapped here, between words, with an indent: huh's own wrapping breaks long lists
		// unevenly. The field's border and padding take 4 columns.
		var wrapped []string
		for _, l := range lines {
			wrapped = append(wrapped, wrapWords(l, f.width-4)...)
		}
		lines = wrapped
	}
	return strings.Join(lines, "\n")
}

// wrapWords breaks a line between words to at most width columns, indenting what follows.
func wrapWords(line string, width int) []string {
	var out []string
	cur := ""
	for _, w := range strings.Fields(line) {
		switch {
		case cur == "":
			cur = w
		case lipgloss.Width(cur)+1+lipgloss.Width(w) <= width:
			cur += " " + w
		default:
			out = append(out, cur)
			cur = "  " + w
		}
	}
	return append(out, cur)
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
