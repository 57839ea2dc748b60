package manifest

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/forgekit/integrations/internal/bulk"
	"github.com/forgekit/integrations/internal/change"
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
// leave it unchanged, field by field. Secrets still given as references (not resolved) show
// which reference is unset. With prune, integrations set at the file's scopes but absent from it are
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
				change.Diff(e.Def, e.Scope.Level, cur, change.Wanted{Inherit: true}), &client.Update{UseInherited: true}, bulk.PreviousOf(e.Def, cur), nil))
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
					change.Diff(def, scope.Level, st, change.Wanted{Active: false}), nil, bulk.PreviousOf(def, st), nil).WithState(st))
			}
		}
	}
	rep.Count()
	return rep, nil
}

func (p *Planner) target(ctx context.Context, e Entry, cur client.State) *bulk.Target {
	prev := bulk.PreviousOf(e.Def, cur)
	switch {
	case e.Inherit && (!cur.Configured || cur.Inherited):
		return bulk.NewWrite(e.Scope, e.Def, bulk.ActUnchanged, "inherits", nil, nil, prev, nil)
	case e.Inherit:
		return bulk.NewWrite(e.Scope, e.Def, bulk.ActUpdate, "its own settings are dropped to inherit",
			change.Diff(e.Def, e.Scope.Level, cur, change.Wanted{Inherit: true}), &client.Update{UseInherited: true}, prev, nil)
	case !e.Active && p.Backend.Capabilities().DisableResets && !cur.Active:
		return bulk.NewWrite(e.Scope, e.Def, bulk.ActUnchanged, "inactive", nil, nil, prev, nil)
	case !e.Active && p.Backend.Capabilities().DisableResets:
		return bulk.NewWrite(e.Scope, e.Def, bulk.ActDisable, "inactive in the file",
			change.Diff(e.Def, e.Scope.Level, cur, change.Wanted{Active: false}), nil, prev, nil).WithState(cur)
	}
	want, secrets := p.wanted(ctx, e, cur)
	changes := change.Diff(e.Def, e.Scope.Level, cur, want)
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

// wanted is the entry as a change to compare, and the secrets the write remembers through
// fingerprints: those whose references were read. The planner gets references resolved where
// they can be; those still references cannot be.
func (p *Planner) wanted(ctx context.Context, e Entry, cur client.State) (change.Wanted, map[string]string) {
	w := change.Wanted{Active: e.Active, Values: e.Values, Events: e.Events, Same: map[string]bool{}, Unresolved: map[string]bool{}}
	secrets := map[string]string{}
	for _, f := range e.Def.Fields {
		v, given := e.Values[f.Key]
		switch {
		case !given || !f.Masked():
		case isReference(v):
			w.Unresolved[f.Key] = true
		default:
			secrets[f.Key] = v
			w.Same[f.Key] = cur.Unknown[f.Key] && p.sameSecret(ctx, e, cur, f.Key, v)
		}
	}
	return w, secrets
}

// sameSecret is bulk.SameSecret; an unresolved reference cannot be compared.
func (p *Planner) sameSecret(ctx context.Context, e Entry, cur client.State, key, want string) bool {
	cur.Scope = e.Scope
	return !isReference(want) && bulk.SameSecret(ctx, p.Fingerprints, p.Backend.Capabilities().Server, cur, e.Def.Name, key, want)
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
