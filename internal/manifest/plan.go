package manifest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/forgekit/integrations/internal/bulk"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// Planner compares a manifest with a backend.
type Planner struct {
	Backend client.Backend
	// Fingerprints of secrets written before compare secrets a server cannot return.
	Fingerprints bulk.Fingerprints
	// File names the manifest in messages.
	File string
}

// Plan lists, per entry, whether apply would create, update, disable, reset to inherit, or
// leave it unchanged, field by field. Secrets still given as references (not resolved) are
// "will be set". With prune, integrations set at the file's scopes but absent from it are
// disabled.
func (p *Planner) Plan(ctx context.Context, entries []Entry, prune bool) (*bulk.Report, error) {
	rep := &bulk.Report{}
	listed := map[string]bool{}
	for _, e := range entries {
		listed[e.Key()] = true
		cur, err := p.Backend.Get(ctx, e.Scope, e.Def)
		missing := client.IsNotFound(err) && p.Backend.Capabilities().CreatesScopes
		if missing {
			cur, err = client.State{Scope: e.Scope, Values: map[string]string{}, Events: map[string]bool{}}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", e.Key(), err)
		}
		if err := p.check(ctx, entries, e, cur, missing); err != nil {
			return nil, err
		}
		if missing && e.Inherit {
			// The scope does not exist yet: create it, inheriting from the parent the same apply
			// configures first.
			rep.Targets = append(rep.Targets, bulk.NewWrite(e.Scope, e.Def, bulk.ActCreate, "creates the scope, inheriting",
				[]bulk.Change{{Field: "inherit", Before: nil, After: true}}, &client.Update{UseInherited: true}, bulk.PreviousOf(e.Def, cur), nil))
			continue
		}
		rep.Targets = append(rep.Targets, p.target(ctx, e, cur))
	}
	if prune {
		for _, scope := range Scopes(entries) {
			states, err := p.Backend.List(ctx, scope)
			if client.IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			for _, st := range states {
				def, err := integrations.Lookup(st.Name)
				if err != nil || listed[scope.String()+" "+def.Name] || !st.Active || st.Inherited {
					continue
				}
				rep.Targets = append(rep.Targets, bulk.NewWrite(scope, def, bulk.ActDisable, "not in the file (--prune)",
					[]bulk.Change{{Field: "active", Before: true, After: false}}, nil, bulk.PreviousOf(def, st), nil).WithState(st))
			}
		}
	}
	rep.Count()
	return rep, nil
}

func (p *Planner) target(ctx context.Context, e Entry, cur client.State) *bulk.Target {
	prev := bulk.PreviousOf(e.Def, cur)
	if e.Inherit {
		if !cur.Configured || cur.Inherited {
			return bulk.NewWrite(e.Scope, e.Def, bulk.ActUnchanged, "inherits", nil, nil, prev, nil)
		}
		return bulk.NewWrite(e.Scope, e.Def, bulk.ActUpdate, "its own settings are dropped to inherit",
			[]bulk.Change{{Field: "inherit", Before: false, After: true}}, &client.Update{UseInherited: true}, prev, nil)
	}
	if !e.Active && p.Backend.Capabilities().DisableResets {
		if !cur.Active {
			return bulk.NewWrite(e.Scope, e.Def, bulk.ActUnchanged, "inactive", nil, nil, prev, nil)
		}
		return bulk.NewWrite(e.Scope, e.Def, bulk.ActDisable, "inactive in the file",
			[]bulk.Change{{Field: "active", Before: true, After: false}}, nil, prev, nil).WithState(cur)
	}
	var changes []bulk.Change
	if !cur.Configured || cur.Inherited || cur.Active != e.Active {
		var before any
		if cur.Configured {
			before = cur.Active
		}
		changes = append(changes, bulk.Change{Field: "active", Before: before, After: e.Active})
	}
	secrets := map[string]string{}
	for _, f := range e.Def.Fields {
		want, given := e.Values[f.Key]
		if !given {
			continue
		}
		if f.Masked() {
			if !isReference(want) {
				secrets[f.Key] = want
			}
			after := "(will be set)"
			if isReference(want) {
				// The planner gets references resolved where they can be: this one cannot.
				after = "(unset: " + want + ")"
			}
			if !p.sameSecret(ctx, e, cur, f.Key, want) {
				changes = append(changes, bulk.Change{Field: f.Key, Before: secretBefore(cur, f.Key), After: after})
			}
			continue
		}
		have := cur.Values[f.Key]
		if have == "" {
			have = f.Default
		}
		if have != want {
			changes = append(changes, bulk.Change{Field: f.Key, Before: f.TypedOrNil(have), After: f.TypedOrNil(want)})
		}
	}
	if e.Events != nil {
		var before []string
		for _, ev := range e.Def.SupportedEvents(e.Scope.Level) {
			if cur.Configured && e.Def.EventOn(cur.Events, ev) {
				before = append(before, ev)
			}
		}
		after := sortedEvents(e.Def, e.Scope.Level, e.Events)
		if len(before)+len(after) > 0 && !slices.Equal(before, after) {
			changes = append(changes, bulk.Change{Field: "events", Before: orEmpty(before), After: after})
		}
	}
	active := e.Active
	upd := &client.Update{Values: maps.Clone(e.Values), Events: e.Events, Active: &active, Current: &cur}
	switch {
	case !cur.Configured || cur.Inherited:
		return bulk.NewWrite(e.Scope, e.Def, bulk.ActCreate, "not set at this scope", changes, upd, prev, secrets)
	case len(changes) == 0:
		return bulk.NewWrite(e.Scope, e.Def, bulk.ActUnchanged, "as in the file", nil, nil, prev, nil)
	}
	return bulk.NewWrite(e.Scope, e.Def, bulk.ActUpdate, "differs from the file", changes, upd, prev, secrets)
}

// sameSecret is bulk.SameSecret; an unresolved reference cannot be compared.
func (p *Planner) sameSecret(ctx context.Context, e Entry, cur client.State, key, want string) bool {
	cur.Scope = e.Scope
	return !isReference(want) && bulk.SameSecret(ctx, p.Fingerprints, p.Backend.Capabilities().Server, cur, e.Def.Name, key, want)
}

func secretBefore(cur client.State, key string) any {
	if cur.Values[key] != "" || cur.Unknown[key] {
		return "(set)"
	}
	return nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// check refuses, before apply writes anything, an entry the backend would refuse half-way
// through: a scope to create below a project, or dropping settings to inherit where no parent
// has any (in the store, or earlier in the same file).
func (p *Planner) check(ctx context.Context, entries []Entry, e Entry, cur client.State, missing bool) error {
	if !p.Backend.Capabilities().CreatesScopes || e.Scope.Path == "" {
		return nil
	}
	file := p.File
	if file == "" {
		file = "manifest"
	}
	if missing {
		// The backend says whether a write could create the scope (not below a project).
		if _, err := p.Backend.StartingState(ctx, e.Scope, e.Def); err != nil {
			return errAt(file, e.Line, "%s cannot be created: %v", e.Scope, err)
		}
	}
	if !e.Inherit || (!missing && (!cur.Configured || cur.Inherited)) {
		return nil
	}
	for _, o := range entries {
		if o.Def.Name == e.Def.Name && !o.Inherit && isAncestor(o.Scope, e.Scope) {
			return nil
		}
	}
	inherited, err := p.inheritable(ctx, e, missing)
	if err != nil {
		return err
	}
	if inherited.Configured {
		return nil
	}
	return errAt(file, e.Line, "%s: inherit: no parent of %s has %s settings to inherit, in the store or in the file", e.Key(), e.Scope, e.Def.Name)
}

// inheritable is what the entry's scope would inherit: for a scope to create, the state the
// backend says it starts from; for an existing one, its parent's (a store creates every parent
// group of a scope it creates).
func (p *Planner) inheritable(ctx context.Context, e Entry, missing bool) (client.State, error) {
	if missing {
		return p.Backend.StartingState(ctx, e.Scope, e.Def)
	}
	parent := client.InstanceScope
	if up := client.ParentPath(e.Scope.Path); up != "" {
		parent = client.Scope{Level: integrations.Group, Path: up}
	}
	st, err := p.Backend.Get(ctx, parent, e.Def)
	if err != nil {
		return st, fmt.Errorf("reading %s %s: %w", parent, e.Def.Name, err)
	}
	return st, nil
}

// isAncestor reports whether a is the instance or a group above b.
func isAncestor(a, b client.Scope) bool {
	if a.Level == integrations.Instance {
		return b.Level != integrations.Instance
	}
	return a.Level == integrations.Group && a.Path != "" && strings.HasPrefix(strings.ToLower(b.Path), strings.ToLower(a.Path)+"/")
}
