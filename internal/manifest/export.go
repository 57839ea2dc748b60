package manifest

import (
	"context"
	"fmt"
	"sort"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// Exporter reads a backend into a manifest.
type Exporter struct {
	Backend client.Backend
}

// Export describes every scope given: for each integration set there, whether it inherits or
// its own active state, settings and events. Secrets appear only as env: references named by
// SecretEnv; Needed lists those variables.
func (x *Exporter) Export(ctx context.Context, scopes []client.Scope) (File, []string, error) {
	f := File{Version: Version, Scopes: map[string]map[string]*Settings{}}
	var needed []string
	for _, scope := range scopes {
		states, err := x.Backend.List(ctx, scope)
		if err != nil {
			return f, nil, fmt.Errorf("listing %s: %w", scope, err)
		}
		sort.Slice(states, func(i, j int) bool { return states[i].Name < states[j].Name })
		for _, st := range states {
			if !st.Configured {
				continue
			}
			def, err := integrations.Lookup(st.Name)
			if err != nil {
				continue
			}
			entry := &Settings{Inherit: st.Inherited}
			if !st.Inherited {
				full, err := x.Backend.Get(ctx, scope, def)
				if err != nil {
					return f, nil, fmt.Errorf("reading %s at %s: %w", def.Name, scope, err)
				}
				vars := fill(entry, def, full)
				needed = append(needed, vars...)
			}
			if f.Scopes[scope.String()] == nil {
				f.Scopes[scope.String()] = map[string]*Settings{}
			}
			f.Scopes[scope.String()][def.Name] = entry
		}
	}
	return f, needed, nil
}

// fill sets an entry's active state, settings and events; secrets become references. It
// returns the variables the references name.
func fill(e *Settings, def integrations.Definition, st client.State) []string {
	active := st.Active
	e.Active = &active
	e.Settings = map[string]any{}
	var vars []string
	for _, f := range def.Fields {
		v, set := st.Values[f.Key]
		switch {
		case f.Masked() && (set && v != "" || st.Unknown[f.Key]):
			name := SecretEnv(st.Scope, def.Name, f.Key)
			e.Settings[f.Key] = "env:" + name
			vars = append(vars, name)
		case set && v != "":
			e.Settings[f.Key] = f.Typed(v)
		}
	}
	if len(e.Settings) == 0 {
		e.Settings = nil
	}
	events := map[string]bool{}
	for _, ev := range def.SupportedEvents(st.Scope.Level) {
		events[ev] = def.EventOn(st.Events, ev)
	}
	if len(def.SupportedEvents(st.Scope.Level)) > 0 {
		on := sortedEvents(def, st.Scope.Level, events)
		e.Events = &on
	}
	return vars
}
