package integrations

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/forgekit/integrations/internal/quote"

	"github.com/agnivade/levenshtein"
)

var (
	registry = map[string]Definition{}
	aliases  = map[string]string{}
)

// register adds a definition to the catalog. Every integration's file calls it from init, so
// adding an integration is adding one file.
func register(d Definition) {
	if _, dup := registry[d.Name]; dup {
		panic("integrations: duplicate definition " + d.Name)
	}
	if d.Status == "" {
		d.Status = Active
	}
	if d.Removed() && d.RemovedIn != "" && d.API.Until.IsZero() {
		d.API.Until = mustVersion(d.RemovedIn)
	}
	d.API.EE = d.API.EE || d.EEOnly
	if d.Levels == nil {
		d.Levels = allLevels
	}
	if d.Base == "" {
		d.Base = NoBase
	}
	if d.Category == "" {
		d.Category = "other"
	}
	for _, ev := range d.ChannelEvents {
		f := channelField(ev)
		if d.ChannelField != nil {
			f = d.ChannelField(f)
		}
		d.Fields = append(d.Fields, f)
	}
	registry[d.Name] = d
	for _, a := range []string{d.Name, d.APISlug, d.LegacyType, strings.ReplaceAll(d.Name, "_", "-")} {
		if a != "" {
			aliases[strings.ToLower(a)] = d.Name
		}
	}
}

func channelField(ev string) Field {
	title := "Channel for " + strings.ReplaceAll(ev, "_", " ") + " events"
	return text(ev+"_channel", title, "Overrides the default channel for this event. Separate several with commas.").
		section(Trigger).apiOnly().withEvent(ev)
}

func (f Field) withEvent(ev string) Field { f.Event = ev; return f }

// Catalog returns every definition, removed ones included, sorted by name.
func Catalog() []Definition {
	out := make([]Definition, 0, len(registry))
	for _, d := range registry {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Names returns every integration name, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Lookup finds a definition by name, API slug (microsoft-teams) or legacy type (SlackService),
// ignoring case.
func Lookup(name string) (Definition, error) {
	if canonical, ok := aliases[strings.ToLower(strings.TrimSpace(name))]; ok {
		return registry[canonical], nil
	}
	msg := fmt.Sprintf("unknown integration %s", quote.Value(name))
	if s := suggest(name); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", quote.Value(s))
	}
	return Definition{}, &Error{msg: msg + "; run 'integrations list --all' to see them all"}
}

// suggest returns the closest known name, or "" when nothing is close enough to help.
func suggest(name string) string {
	name = strings.ToLower(name)
	best, bestDist := "", 1<<30
	for alias, canonical := range aliases {
		dist := levenshtein.ComputeDistance(name, alias)
		if strings.HasPrefix(alias, name) && len(name) >= 3 {
			dist = min(dist, 1)
		} else if strings.Contains(alias, name) && len(name) >= 4 {
			dist = min(dist, 2)
		}
		if dist < bestDist || (dist == bestDist && canonical < best) {
			best, bestDist = canonical, dist
		}
	}
	if bestDist > max(2, len(name)/3) {
		return ""
	}
	return best
}

// Field finds a field by key.
func (d Definition) Field(key string) (Field, bool) {
	for _, f := range d.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// FieldKeys lists the keys of every field, in declaration order.
func (d Definition) FieldKeys() []string {
	keys := make([]string, len(d.Fields))
	for i, f := range d.Fields {
		keys[i] = f.Key
	}
	return keys
}

// Error is bad input detected against the catalog: an unknown name, field or event, or a value
// that breaks a field's rules. Commands report it as invalid usage.
type Error struct{ msg, hint string }

func (e *Error) Error() string { return e.msg }

// UsageError marks bad input: exit 2, and nothing was written.
func (e *Error) UsageError() bool { return true }

// Hint is advice for a line of its own, such as the field the user probably meant.
func (e *Error) Hint() string { return e.hint }

func errorf(format string, args ...any) error { return &Error{msg: fmt.Sprintf(format, args...)} }
