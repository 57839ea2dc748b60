// Package change compares an integration's current settings at a scope with the settings a
// command wants there, and renders the difference. Every command that shows or writes a change
// (configure, enable and disable dry runs, the form's review, bulk dry runs, plan and apply)
// goes through Diff and the renderers here, so a change reads the same wherever it is shown.
package change

import (
	"fmt"
	"slices"
	"strings"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// What a secret's side of a change says: never its value.
const (
	SecretSet     = "(set)"
	SecretChanged = "(changed)"
	SecretCleared = "(cleared)"
	// SecretWriteOnly is the before of a secret the server holds but never returns.
	SecretWriteOnly = "(write-only)"
)

// Change is one field a write changes: the JSON contract's {field, before, after}. An unset
// side is null; secrets show only the words above.
type Change struct {
	Field  string `json:"field"`
	Before any    `json:"before"`
	After  any    `json:"after"`
}

// Wanted is the state a command asks for at one scope.
type Wanted struct {
	Active bool
	// Inherit drops the scope's own settings to inherit its parent's; the rest is then unused.
	Inherit bool
	// Values are the fields to write, canonical, secrets included: a field absent keeps its
	// value, an empty one clears it.
	Values map[string]string
	// Events are the wanted states of the events at the scope's level; nil keeps them.
	Events map[string]bool
	// Asked are the events the user named, which are written even where the server cannot
	// show their state.
	Asked map[string]bool
	// Same are secrets known to equal what the scope holds although the server never returns
	// them (the fingerprint of this tool's last write matches).
	Same map[string]bool
	// Unresolved are secrets still given as references that cannot be read yet.
	Unresolved map[string]bool
}

// Diff lists what turning cur into want changes at a scope of level l, comparing effective
// values (a value or its default) so that writing a default explicitly is no change. It is
// pure: knowledge that needs I/O (fingerprints, references) comes in want.
func Diff(d integrations.Definition, l integrations.Level, cur client.State, want Wanted) []Change {
	if want.Inherit {
		if cur.Inherited {
			return nil
		}
		return []Change{{Field: "inherited", Before: known(cur, false), After: true}}
	}
	var out []Change
	if !cur.Configured || cur.Active != want.Active {
		out = append(out, Change{Field: "active", Before: known(cur, cur.Active), After: want.Active})
	}
	for _, f := range d.Fields {
		if v, given := want.Values[f.Key]; given {
			if c, ok := field(f, cur, v, want); ok {
				out = append(out, c)
			}
		}
	}
	if want.Events != nil {
		out = append(out, events(d, l, cur, want)...)
	}
	return out
}

// known is v for settings that exist, and null (nothing to compare with) for none.
func known(cur client.State, v bool) any {
	if !cur.Configured {
		return nil
	}
	return v
}

func field(f integrations.Field, cur client.State, v string, want Wanted) (Change, bool) {
	before, after := effective(f, cur.Values[f.Key]), effective(f, v)
	unknown := cur.Unknown[f.Key]
	switch {
	case want.Unresolved[f.Key]:
		return Change{Field: f.Key, Before: secretBefore(before, unknown), After: "(unset: " + v + ")"}, true
	case unknown && (want.Same[f.Key] || v == ""):
		// Known to be the same, or left blank: a write-only secret is kept by not sending it.
		return Change{}, false
	case !unknown && before == after:
		return Change{}, false
	case f.Masked():
		return Change{Field: f.Key, Before: secretBefore(before, unknown), After: secretAfter(before, after, unknown)}, true
	}
	return Change{Field: f.Key, Before: f.TypedOrNil(before), After: f.TypedOrNil(after)}, true
}

func effective(f integrations.Field, v string) string {
	if v == "" && !f.Masked() {
		return f.Default
	}
	return v
}

func secretBefore(v string, unknown bool) any {
	switch {
	case unknown:
		return SecretWriteOnly
	case v != "":
		return SecretSet
	}
	return nil
}

func secretAfter(before, after string, unknown bool) any {
	switch {
	case after == "":
		return SecretCleared
	case before == "" && !unknown:
		return SecretSet
	}
	return SecretChanged
}

// events compares the events the server shows as one list of those on, and gives each event it
// cannot show a line of its own when the write sends it (named, or not its default), since it
// may hold anything.
func events(d integrations.Definition, l integrations.Level, cur client.State, want Wanted) []Change {
	before, after := []string{}, []string{}
	var blind []Change
	for _, e := range d.SupportedEvents(l) {
		if cur.UnknownEvents[e] {
			if want.Asked[e] || want.Events[e] != d.DefaultEventState(e) {
				ev, _ := integrations.LookupEvent(e)
				blind = append(blind, Change{Field: ev.APIFlag, Before: nil, After: want.Events[e]})
			}
			continue
		}
		if cur.Configured && d.EventOn(cur.Events, e) {
			before = append(before, e)
		}
		if want.Events[e] {
			after = append(after, e)
		}
	}
	if slices.Equal(before, after) {
		return blind
	}
	return append([]Change{{Field: "events", Before: before, After: after}}, blind...)
}

// String renders the change for people: "field: before → after".
func (c Change) String() string {
	return c.Field + ": " + Value(c.Before) + " → " + Value(c.After)
}

// Value renders one side of a change: "(none)" for nothing, lists in brackets, on and off.
func Value(v any) string {
	switch v := v.(type) {
	case nil:
		return "(none)"
	case []string:
		return "[" + strings.Join(v, ", ") + "]"
	case bool:
		if v {
			return "on"
		}
		return "off"
	}
	return fmt.Sprint(v)
}

// Lines renders changes a line each: the form's review and a dry run.
func Lines(cs []Change) []string {
	lines := make([]string, len(cs))
	for i, c := range cs {
		lines[i] = c.String()
	}
	return lines
}

// Join renders changes on one line, for a table's cell.
func Join(cs []Change) string { return strings.Join(Lines(cs), "; ") }
