package manifest

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// Exporter reads a backend into a manifest.
type Exporter struct {
	Backend client.Backend
	// Warn is told of scopes whose hooks cannot be read (group hooks need GitLab Premium and
	// the Owner role); their integrations are exported still.
	Warn func(msg string)
}

// Export describes every scope given: for each integration set there, whether it inherits or
// its own active state, settings and events. Secrets appear only as env: references named by
// SecretEnv; Needed lists those variables.
func (x *Exporter) Export(ctx context.Context, scopes []client.Scope) (File, []string, error) {
	f := File{Version: Version, Scopes: map[string]*ScopeSettings{}}
	var needed []string
	for _, scope := range scopes {
		var states []client.State
		// GitLab has no API for instance-level integrations, but has one for system hooks.
		if scope.Level != integrations.Instance || x.Backend.Capabilities().Instance {
			var err error
			if states, err = x.Backend.List(ctx, scope); err != nil {
				return f, nil, fmt.Errorf("listing %s: %w", scope, err)
			}
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
			f.at(scope).Integrations[def.Name] = entry
		}
		hooks, err := x.hooks(ctx, scope)
		if err != nil {
			return f, nil, err
		}
		if len(hooks) > 0 {
			settings, vars := exportHooks(hooks)
			f.at(scope).Hooks = settings
			needed = append(needed, vars...)
		}
	}
	return f, needed, nil
}

// at is the scope's settings, added when new.
func (f *File) at(scope client.Scope) *ScopeSettings {
	s := f.Scopes[scope.String()]
	if s == nil {
		s = &ScopeSettings{Integrations: map[string]*Settings{}}
		f.Scopes[scope.String()] = s
	}
	return s
}

// hooks reads a scope's hooks in full: GitLab's project list leaves out the names of URL
// variables and headers, which GetHook has. A scope whose hooks the token may not read is
// reported and skipped.
func (x *Exporter) hooks(ctx context.Context, scope client.Scope) ([]client.Hook, error) {
	h, ok := x.Backend.(client.Hooks)
	if !ok {
		return nil, nil
	}
	list, err := h.ListHooks(ctx, scope)
	var ie *client.InputError
	if err != nil && (errors.As(err, &ie) || errors.Is(err, client.ErrUnauthorized)) {
		if x.Warn != nil {
			x.Warn(fmt.Sprintf("hooks at %s not exported: %v", scope, err))
		}
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing hooks at %s: %w", scope, err)
	}
	for i, hook := range list {
		if hook.URLVariables != nil && hook.CustomHeaders != nil {
			continue
		}
		full, err := h.GetHook(ctx, scope, hook.ID)
		if err != nil {
			return nil, fmt.Errorf("reading hook %d at %s: %w", hook.ID, scope, err)
		}
		list[i] = full
	}
	return list, nil
}

// fill sets an entry's active state, settings and events; secrets become references. It
// returns the variables the references name.
func fill(e *Settings, def integrations.Definition, st client.State) []string {
	active := st.Active
	e.Active = &active
	e.Settings = map[string]any{}
	var vars []string
	for _, f := range def.Fields {
		switch v := st.Values[f.Key]; {
		case secretSet(f, st):
			name := SecretEnv(st.Scope, def.Name, f.Key)
			e.Settings[f.Key] = "env:" + name
			vars = append(vars, name)
		case v != "":
			e.Settings[f.Key] = f.Typed(v)
		}
	}
	if len(e.Settings) == 0 {
		e.Settings = nil
	}
	// The events switched on, in catalog order: SupportedEvents returns a fresh slice, filtered
	// in place.
	if supported := def.SupportedEvents(st.Scope.Level); len(supported) > 0 {
		on := supported[:0]
		for _, ev := range supported {
			if def.EventOn(st.Events, ev) {
				on = append(on, ev)
			}
		}
		e.Events = &on
	}
	return vars
}

// secretVars appends the variables the references to a state's secrets name, as fill does.
func secretVars(vars []string, def integrations.Definition, st client.State) []string {
	for _, f := range def.Fields {
		if secretSet(f, st) {
			vars = append(vars, SecretEnv(st.Scope, def.Name, f.Key))
		}
	}
	return vars
}

// secretSet is a secret field the state has a value for, or knows is set without its value.
func secretSet(f integrations.Field, st client.State) bool {
	return f.Masked() && (st.Values[f.Key] != "" || st.Unknown[f.Key])
}
