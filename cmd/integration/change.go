package integration

import (
	"fmt"
	"maps"
	"slices"

	"github.com/forgekit/integrations/internal/change"
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

type changeView struct {
	Name    string          `json:"name"`
	Scope   string          `json:"scope"`
	Action  string          `json:"action"`
	Changes []change.Change `json:"changes"`
}

// describe lists what turning cur into next changes. next holds every value the scope will
// have, so a value it lacks is one the write clears.
func describe(d integrations.Definition, cur client.State, next target) []change.Change {
	values := map[string]string{}
	for k := range mergeKeys(cur.Values, next.Values) {
		values[k] = next.Values[k]
	}
	want := change.Wanted{Active: next.Active, Values: values, Events: next.Events, Asked: next.Asked}
	return change.Diff(d, cur.Scope.Level, cur, want)
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
	return append(lines, change.Lines(changes)...)
}

func actionOf(cur client.State, changes []change.Change) string {
	switch {
	case len(changes) == 0:
		return "unchanged"
	case !cur.Configured || cur.Inherited:
		return "create"
	}
	return "update"
}

// printChange writes a planned change (for --dry-run): a line per field, or the JSON shape.
func printChange(o *output.Printer, v changeView) {
	o.Linef("%s at %s: %s (dry run; nothing written)", v.Name, v.Scope, v.Action)
	for _, l := range change.Lines(v.Changes) {
		o.Linef("%s", l)
	}
}
