package integration

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/output"
)

// target is the desired state of one integration at one scope, built from flags or a form.
type target struct {
	Values map[string]string
	Events map[string]bool
	// Asked are the events the user named: written even where the server's state is unknown.
	Asked  map[string]bool
	Active bool
}

// namedEvents are the events an --events value (or --enable/--disable) names.
func namedEvents(ch *cmdutil.EventChange) map[string]bool {
	out := map[string]bool{}
	if ch == nil {
		return out
	}
	for _, list := range [][]string{ch.Exact, ch.Add, ch.Remove} {
		for _, e := range list {
			out[e] = true
		}
	}
	return out
}

// checkNamedEvents refuses events given at a level that does not have them (group mentions at a
// project), rather than ignoring them.
func checkNamedEvents(d integrations.Definition, l integrations.Level, ch *cmdutil.EventChange) error {
	for _, e := range slices.Sorted(maps.Keys(namedEvents(ch))) {
		if err := d.CheckEventAt(l, e); err != nil {
			return err
		}
	}
	return nil
}

// fieldChange is one line of a change: secrets show only "(set)", "(changed)" or "(cleared)".
type fieldChange struct {
	Field  string `json:"field"`
	Before any    `json:"before"`
	After  any    `json:"after"`
}

type changeView struct {
	Name    string        `json:"name"`
	Scope   string        `json:"scope"`
	Action  string        `json:"action"`
	Changes []fieldChange `json:"changes"`
}

// describe lists what turning cur into next changes, comparing effective values (a value or
// its default) so that writing a default explicitly is not reported as a change.
func describe(d integrations.Definition, cur client.State, next target) []fieldChange {
	var out []fieldChange
	if !cur.Configured || cur.Active != next.Active {
		before := any(nil)
		if cur.Configured {
			before = cur.Active
		}
		out = append(out, fieldChange{Field: "active", Before: before, After: next.Active})
	}
	for _, f := range d.Fields {
		before, after := effective(f, cur.Values), effective(f, next.Values)
		unknown := cur.Unknown[f.Key]
		// A value sent for a field the server cannot show is a change even if it looks equal.
		resent := unknown && next.Values[f.Key] != ""
		if before == after && !resent {
			continue
		}
		if f.Masked() {
			out = append(out, fieldChange{Field: f.Key, Before: secretWord(before, unknown), After: secretAfter(before, after, unknown)})
			continue
		}
		out = append(out, fieldChange{Field: f.Key, Before: f.TypedOrNil(before), After: f.TypedOrNil(after)})
	}
	var beforeEv, afterEv []string
	for _, e := range d.SupportedEvents(cur.Scope.Level) {
		if cur.Configured && cur.UnknownEvents[e] && !next.Asked[e] && next.Events[e] == d.DefaultEventState(e) {
			continue // unknown on the server and left alone: it will not be sent
		}
		if cur.Configured && d.EventOn(cur.Events, e) {
			beforeEv = append(beforeEv, e)
		}
		if next.Events[e] {
			afterEv = append(afterEv, e)
		}
	}
	if !slices.Equal(beforeEv, afterEv) {
		out = append(out, fieldChange{Field: "events", Before: orEmpty(beforeEv), After: orEmpty(afterEv)})
	}
	return out
}

func effective(f integrations.Field, values map[string]string) string {
	if v, ok := values[f.Key]; ok && v != "" {
		return v
	}
	if f.Masked() {
		return ""
	}
	return f.Default
}

func secretWord(v string, unknown bool) any {
	switch {
	case unknown:
		return "(write-only)"
	case v != "":
		return "(set)"
	}
	return nil
}

func secretAfter(before, after string, unknown bool) any {
	switch {
	case after == "":
		return "(cleared)"
	case before == "" && !unknown:
		return "(set)"
	}
	return "(changed)"
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// reviewLines is the form's last page: what saving will write (the form writes only the answers
// a user changed, so the changes are the whole write), and, in words, that the write ends
// inheritance, since every inherited setting is then copied.
func reviewLines(d integrations.Definition, cur client.State, next target) []string {
	changes := describe(d, cur, next)
	if len(changes) == 0 {
		return nil // nothing is written
	}
	var lines []string
	if cur.Inherited {
		from := "its parent"
		if cur.InheritedFrom != nil {
			from = cur.InheritedFrom.Describe()
		}
		copied := 0
		for _, v := range cur.Values {
			if v != "" {
				copied++
			}
		}
		lines = append(lines, fmt.Sprintf("%s will stop inheriting %s from %s; its %d settings are copied.",
			cur.Scope.Describe(), d.Name, from, copied))
	}
	return append(lines, summaryLines(changes)...)
}

// summaryLines renders changes for people: the form's review page and --dry-run on a terminal.
func summaryLines(changes []fieldChange) []string {
	lines := make([]string, len(changes))
	for i, c := range changes {
		lines[i] = fmt.Sprintf("%s: %s → %s", c.Field, show(c.Before), show(c.After))
	}
	return lines
}

func show(v any) string {
	switch v := v.(type) {
	case nil:
		return "(none)"
	case []string:
		return "[" + strings.Join(v, ", ") + "]"
	case bool:
		return onOff(v)
	}
	return fmt.Sprint(v)
}

func actionOf(cur client.State, changes []fieldChange) string {
	switch {
	case len(changes) == 0:
		return "unchanged"
	case !cur.Configured || cur.Inherited:
		return "create"
	}
	return "update"
}

// printChange writes a planned change (for --dry-run): a table of fields, or the JSON shape.
func printChange(o *output.Printer, v changeView) {
	o.Linef("%s at %s: %s (dry run; nothing written)", v.Name, v.Scope, v.Action)
	if len(v.Changes) == 0 {
		return
	}
	rows := make([][]string, len(v.Changes))
	for i, c := range v.Changes {
		rows[i] = []string{c.Field, show(c.Before), show(c.After)}
	}
	o.Table([]string{"field", "before", "after"}, rows)
}
