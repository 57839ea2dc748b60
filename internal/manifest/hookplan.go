package manifest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/forgekit/integrations/internal/bulk"
	"github.com/forgekit/integrations/internal/change"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// Needed is a secret an apply must send again but the manifest does not give: GitLab clears
// it when the hook's URL changes and never returns it.
type Needed struct {
	Target string
	Line   int
	Fields []string
}

func (n Needed) String() string {
	return fmt.Sprintf("%s (line %d) needs %s in the file: the server clears them when the hook's URL changes and never returns them",
		n.Target, n.Line, strings.Join(n.Fields, ", "))
}

// PlanHooks lists, per hook of the manifest, whether apply would create it, update it (field
// by field) or leave it alone; with prune, hooks at the scopes that list hooks but not in the
// file are removed. It also returns the secrets apply would need that the file lacks.
func (p *Planner) PlanHooks(ctx context.Context, m *Manifest, prune bool) ([]*bulk.Target, []Needed, error) {
	if len(m.HookScopes) == 0 {
		return nil, nil, nil
	}
	h, ok := p.Backend.(client.Hooks)
	if !ok {
		return nil, nil, client.Invalidf("%s cannot manage webhooks", p.Backend.Where())
	}
	var (
		targets []*bulk.Target
		needed  []Needed
	)
	for _, scope := range m.HookScopes {
		list, err := h.ListHooks(ctx, scope)
		if client.IsNotFound(err) && p.Backend.Capabilities().CreatesScopes {
			list, err = nil, nil // the store creates the scope with its first hook
		}
		if err != nil {
			return nil, nil, fmt.Errorf("listing hooks at %s: %w", scope, err)
		}
		matched := map[int64]string{}
		for _, e := range m.Hooks {
			if e.Scope.String() != scope.String() {
				continue
			}
			same, found := client.SameHook(list, e.Name(), e.URL())
			if !found {
				t, err := p.createHook(e)
				if err != nil {
					return nil, nil, err
				}
				targets = append(targets, t)
				continue
			}
			if other, ok := matched[same.ID]; ok {
				return nil, nil, errAt(p.file(), e.Line, "%s: %s and %s are both hook %d (same name or URL); give each hook once", e.Key(), other, hookLabel(e.Identity()), same.ID)
			}
			matched[same.ID] = hookLabel(e.Identity())
			cur, err := h.GetHook(ctx, scope, same.ID)
			if err != nil {
				return nil, nil, fmt.Errorf("reading hook %d at %s: %w", same.ID, scope, err)
			}
			t, need, err := p.updateHook(ctx, h, e, cur)
			if err != nil {
				return nil, nil, err
			}
			if len(need) > 0 {
				needed = append(needed, Needed{Target: t.Name, Line: e.Line, Fields: need})
			}
			targets = append(targets, t)
		}
		if !prune {
			continue
		}
		for _, hk := range list {
			if _, ok := matched[hk.ID]; ok {
				continue
			}
			gone := hk
			targets = append(targets, bulk.NewHookWrite(scope, hookLabel(hk.Identity()), bulk.ActRemove, "not in the file (--prune)",
				change.RemovedHook(gone), &gone, client.HookChange{}, ""))
		}
	}
	return targets, needed, nil
}

func (p *Planner) file() string {
	if p.File == "" {
		return "manifest"
	}
	return p.File
}

// createHook is a hook the scope does not have: every field given is set.
func (p *Planner) createHook(e HookEntry) (*bulk.Target, error) {
	if err := integrations.ValidateHook(e.Kind, e.Values, client.SortedKeys(e.URLVariables)); err != nil {
		return nil, errAt(p.file(), e.Line, "%s: %v", e.Key(), err)
	}
	c := client.HookChange{Values: map[string]string{}, Events: e.Events, URLVariables: maps.Clone(e.URLVariables), CustomHeaders: maps.Clone(e.CustomHeaders)}
	for k, v := range e.Values {
		if v != "" {
			c.Values[k] = v
		}
	}
	return bulk.NewHookWrite(e.Scope, hookLabel(e.Identity()), bulk.ActCreate, "not at this scope", shown(change.DiffHook(e.Kind, nil, c), c),
		nil, c, hookOwner(e.Identity())), nil
}

// updateHook compares an existing hook with the entry and sends what differs: fields given,
// secrets not known to be the same, URL variables and headers as an exact set, and events.
func (p *Planner) updateHook(ctx context.Context, h client.Hooks, e HookEntry, cur client.Hook) (*bulk.Target, []string, error) {
	c := client.HookChange{Values: map[string]string{}, URLVariables: map[string]string{}, CustomHeaders: map[string]string{}}
	same := func(key, want string) bool { return p.sameHookSecret(ctx, e, cur, key, want) }
	for _, f := range e.Kind.Fields {
		v, given := e.Values[f.Key]
		switch {
		case !given || integrations.IsKeyValues(f.Key):
		case f.Masked() && secretDiffers(f.Key, v, cur, same):
			c.Values[f.Key] = v
		case !f.Masked() && effectiveHook(f, cur.Values[f.Key]) != effectiveHook(f, v):
			c.Values[f.Key] = v
		}
	}
	diffHookEntries(integrations.HookURLVariables, cur.URLVariables, e.URLVariables, c.URLVariables, same)
	diffHookEntries(integrations.HookCustomHeaders, cur.CustomHeaders, e.CustomHeaders, c.CustomHeaders, same)
	if e.Events != nil && !slices.Equal(onEvents(e.Kind, cur.Events), onEvents(e.Kind, e.Events)) {
		c.Events = e.Events
	}
	label := hookLabel(e.Identity())
	if c.Empty() {
		return bulk.NewHookWrite(e.Scope, label, bulk.ActUnchanged, "as in the file", nil, &cur, c, ""), nil, nil
	}
	values := maps.Clone(cur.Values)
	maps.Copy(values, c.Values)
	if err := integrations.ValidateHook(e.Kind, values, client.MergeNames(cur.URLVariables, c.URLVariables)); err != nil {
		return nil, nil, errAt(p.file(), e.Line, "%s: %v", e.Key(), err)
	}
	if urlChanges(cur, c) {
		// What the server clears when the URL changes is sent again whenever the file has it.
		given := givenSecrets(e)
		for _, kv := range [][2]map[string]string{{c.Values, given.Values}, {c.URLVariables, given.URLVariables}, {c.CustomHeaders, given.CustomHeaders}} {
			for k, v := range kv[1] {
				if _, set := kv[0][k]; !set {
					kv[0][k] = v
				}
			}
		}
	}
	changes := shown(change.DiffHook(e.Kind, &cur, c), c)
	var need []string
	if n, ok := h.(client.HookSecretsNeeded); ok {
		need = n.NeededAgain(cur, c)
		for _, f := range need {
			changes = append(changes, change.Change{Field: f, Before: change.SecretWriteOnly, After: "(needed: add it to the file)"})
		}
	}
	return bulk.NewHookWrite(e.Scope, label, bulk.ActUpdate, "differs from the file", changes, &cur, c, hookOwner(identityAfter(cur, e))), need, nil
}

// shown marks the secrets of a change still given as references, which plan cannot read:
// "(unset: env:NAME)" rather than the word for a value.
func shown(changes []change.Change, c client.HookChange) []change.Change {
	for i, ch := range changes {
		v := c.Values[ch.Field]
		if field, name, ok := strings.Cut(ch.Field, "."); ok && field == integrations.HookURLVariables {
			v = c.URLVariables[name]
		} else if ok && field == integrations.HookCustomHeaders {
			v = c.CustomHeaders[name]
		}
		if isReference(v) {
			changes[i].After = "(unset: " + v + ")"
		}
	}
	return changes
}

// urlChanges says whether the change alters the URL the hook calls: its template, or a
// variable the template uses.
func urlChanges(cur client.Hook, c client.HookChange) bool {
	if u, ok := c.Values[integrations.HookURL]; ok && u != cur.URL() {
		return true
	}
	for _, name := range integrations.URLPlaceholders(cur.URL()) {
		if v := c.URLVariables[name]; v != "" {
			return true
		}
	}
	return false
}

// givenSecrets are the entry's secrets: tokens, URL variables and headers.
func givenSecrets(e HookEntry) client.HookChange {
	c := client.HookChange{Values: map[string]string{}, URLVariables: e.URLVariables, CustomHeaders: e.CustomHeaders}
	for _, f := range e.Kind.Fields {
		if v, ok := e.Values[f.Key]; ok && f.Masked() && !integrations.IsKeyValues(f.Key) {
			c.Values[f.Key] = v
		}
	}
	return c
}

func effectiveHook(f integrations.Field, v string) string {
	if v == "" {
		return f.Default
	}
	return v
}

// secretDiffers compares a token with the hook's: by value where the backend returns it (the
// local store), else by the fingerprint of this tool's last write. A reference plan cannot
// read differs.
func secretDiffers(key, want string, cur client.Hook, same func(key, want string) bool) bool {
	have, readable := cur.Values[key]
	set := cur.SecretSet[key] || (readable && have != "")
	switch {
	case want == "":
		return set
	case !set || isReference(want):
		return true
	case readable:
		return have != want
	}
	return !same(key, want)
}

// diffHookEntries compares URL variables or headers with the exact set wanted (nil: keep) and
// adds to out what to send: new or different values, and "" for names to remove.
func diffHookEntries(field string, cur, want, out map[string]string, same func(key, want string) bool) {
	if want == nil {
		return
	}
	for k, v := range want {
		have, had := cur[k]
		if had && !isReference(v) && (have == v || have == "" && same(field+"."+k, v)) {
			continue
		}
		out[k] = v
	}
	for k := range cur {
		if _, keep := want[k]; !keep {
			out[k] = ""
		}
	}
}

// onEvents lists the events switched on, in the kind's order.
func onEvents(kind integrations.Definition, events map[string]bool) []string {
	out := []string{}
	for _, e := range kind.Events {
		if events[e] {
			out = append(out, e)
		}
	}
	return out
}

// hookOwner names a hook's fingerprints (with its scope) by the identity it has, as every
// command that writes a hook's secrets names them.
func hookOwner(identity string) string {
	return client.HookSecretsOwner(client.Hook{Values: map[string]string{integrations.HookName: identity}})
}

// identityAfter is the identity the hook has once the entry is written: a name the entry
// leaves out is kept.
func identityAfter(cur client.Hook, e HookEntry) string {
	if name, given := e.Values[integrations.HookName]; given {
		if name != "" {
			return name
		}
		return e.URL()
	}
	if cur.Name() != "" {
		return cur.Name()
	}
	return e.URL()
}

// sameHookSecret is whether the fingerprint of this tool's last write of the hook's secret,
// recorded under the identity the hook has now, matches want.
func (p *Planner) sameHookSecret(ctx context.Context, e HookEntry, cur client.Hook, key, want string) bool {
	if p.Fingerprints == nil || isReference(want) {
		return false
	}
	same, err := p.Fingerprints.SecretsUnchanged(ctx, p.Backend.Capabilities().Server, e.Scope.String(), client.HookSecretsOwner(cur), map[string]string{key: want})
	return err == nil && same
}
