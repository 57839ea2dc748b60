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
	"github.com/forgekit/integrations/internal/redact"
)

// Actions of a manifest's hooks beside create, update and unchanged.
const ActRemove bulk.Action = "remove"

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
				t, err := p.createHook(h, e)
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
			id := hk.ID
			at := scope
			targets = append(targets, bulk.NewTask(scope, hookLabel(hk.Identity()), ActRemove, "not in the file (--prune)",
				[]change.Change{{Field: "hook", Before: fmt.Sprintf("%d (%s)", hk.ID, redact.URL(hk.Identity())), After: nil}}, hookPrevious(&hk), nil, "",
				func(ctx context.Context) ([]client.Scope, error) { return nil, h.RemoveHook(ctx, at, id) }))
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

// hookPrevious is a hook's state before the run, without secrets, for the journal.
func hookPrevious(h *client.Hook) *bulk.Previous {
	prev := &bulk.Previous{Values: map[string]string{}, Events: map[string]bool{}}
	if h == nil {
		return prev
	}
	prev.Configured, prev.Active, prev.Events = true, true, h.Events
	kind := integrations.HookKind(h.Scope.Level)
	for k, v := range h.Values {
		if f, ok := kind.Field(k); ok && !f.Masked() {
			prev.Values[k] = v
		}
	}
	return prev
}

// createHook is a hook the scope does not have: every field given is set.
func (p *Planner) createHook(h client.Hooks, e HookEntry) (*bulk.Target, error) {
	if err := integrations.ValidateHook(e.Kind, e.Values, client.SortedKeys(e.URLVariables)); err != nil {
		return nil, errAt(p.file(), e.Line, "%s: %v", e.Key(), err)
	}
	c := client.HookChange{Values: map[string]string{}, Events: e.Events, URLVariables: maps.Clone(e.URLVariables), CustomHeaders: maps.Clone(e.CustomHeaders)}
	var changes []change.Change
	for _, f := range hookFieldOrder(e.Kind) {
		v, given := e.Values[f.Key]
		if !given || v == "" || integrations.IsKeyValues(f.Key) {
			continue
		}
		c.Values[f.Key] = v
		after := hookValue(f, v)
		if f.Masked() {
			after = secretWord(v, change.SecretSet)
		}
		changes = append(changes, change.Change{Field: f.Key, Before: nil, After: after})
	}
	changes = append(changes, entryChanges(integrations.HookURLVariables, e.URLVariables)...)
	changes = append(changes, entryChanges(integrations.HookCustomHeaders, e.CustomHeaders)...)
	if e.Events != nil {
		changes = append(changes, change.Change{Field: "events", Before: nil, After: onEvents(e.Kind, e.Events)})
	}
	scope := e.Scope
	return bulk.NewTask(scope, hookLabel(e.Identity()), bulk.ActCreate, "not at this scope", changes, hookPrevious(nil),
		hookSecrets(c), hookOwner(e.Identity()), func(ctx context.Context) ([]client.Scope, error) {
			res, err := h.AddHook(ctx, scope, c)
			return res.Created, err
		}), nil
}

// updateHook compares an existing hook with the entry: fields given that differ, secrets that
// are not known to be the same, URL variables and headers as an exact set, and events.
func (p *Planner) updateHook(ctx context.Context, h client.Hooks, e HookEntry, cur client.Hook) (*bulk.Target, []string, error) {
	c := client.HookChange{Values: map[string]string{}, URLVariables: map[string]string{}, CustomHeaders: map[string]string{}, Current: &cur}
	var changes []change.Change
	same := func(key, want string) bool { return p.sameHookSecret(ctx, e, cur, key, want) }
	for _, f := range hookFieldOrder(e.Kind) {
		v, given := e.Values[f.Key]
		if !given || integrations.IsKeyValues(f.Key) {
			continue
		}
		if f.Masked() {
			if ch, ok := secretChange(f.Key, v, cur, same); ok {
				c.Values[f.Key] = v
				changes = append(changes, ch)
			}
			continue
		}
		before, after := effectiveHook(f, cur.Values[f.Key]), effectiveHook(f, v)
		if before != after {
			c.Values[f.Key] = v
			changes = append(changes, change.Change{Field: f.Key, Before: hookValue(f, before), After: hookValue(f, after)})
		}
	}
	changes = append(changes, diffHookEntries(integrations.HookURLVariables, cur.URLVariables, e.URLVariables, c.URLVariables, same)...)
	changes = append(changes, diffHookEntries(integrations.HookCustomHeaders, cur.CustomHeaders, e.CustomHeaders, c.CustomHeaders, same)...)
	if e.Events != nil {
		before, after := onEvents(e.Kind, cur.Events), onEvents(e.Kind, e.Events)
		if !slices.Equal(before, after) {
			c.Events = e.Events
			changes = append(changes, change.Change{Field: "events", Before: before, After: after})
		}
	}
	label := hookLabel(e.Identity())
	prev := hookPrevious(&cur)
	if c.Empty() {
		return bulk.NewTask(e.Scope, label, bulk.ActUnchanged, "as in the file", nil, prev, nil, "", nil), nil, nil
	}
	values := maps.Clone(cur.Values)
	maps.Copy(values, c.Values)
	if err := integrations.ValidateHook(e.Kind, values, client.MergeNames(cur.URLVariables, c.URLVariables)); err != nil {
		return nil, nil, errAt(p.file(), e.Line, "%s: %v", e.Key(), err)
	}
	var need []string
	if en, ok := h.(client.HookSecretsNeeded); ok {
		// What the server clears on a URL change is sent again whenever the file has it.
		resend := c
		resend.Values, resend.URLVariables, resend.CustomHeaders = maps.Clone(c.Values), maps.Clone(c.URLVariables), maps.Clone(c.CustomHeaders)
		if secret := givenSecrets(e); urlChanges(cur, c) {
			for k, v := range secret.Values {
				if _, set := resend.Values[k]; !set {
					resend.Values[k] = v
				}
			}
			for k, v := range secret.URLVariables {
				if _, set := resend.URLVariables[k]; !set {
					resend.URLVariables[k] = v
				}
			}
			for k, v := range secret.CustomHeaders {
				if _, set := resend.CustomHeaders[k]; !set {
					resend.CustomHeaders[k] = v
				}
			}
		}
		c = resend
		need = en.NeededAgain(cur, c)
		for _, f := range need {
			changes = append(changes, change.Change{Field: f, Before: change.SecretWriteOnly, After: "(needed: add it to the file)"})
		}
	}
	scope, id := e.Scope, cur.ID
	return bulk.NewTask(scope, label, bulk.ActUpdate, "differs from the file", changes, prev, hookSecrets(c), hookOwner(identityAfter(cur, e)),
		func(ctx context.Context) ([]client.Scope, error) {
			res, err := h.EditHook(ctx, scope, id, c)
			return res.Created, err
		}), need, nil
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

// hookValue is a field's side of a change; a URL without what it may carry in clear.
func hookValue(f integrations.Field, v string) any {
	if f.Key == integrations.HookURL {
		v = redact.URL(v)
	}
	return f.TypedOrNil(v)
}

func effectiveHook(f integrations.Field, v string) string {
	if v == "" {
		return f.Default
	}
	return v
}

// secretWord is what a change shows of a secret: the word, or the reference still unset.
func secretWord(v, word string) string {
	if isReference(v) {
		return "(unset: " + v + ")"
	}
	return word
}

// secretChange compares a token with the hook's: by value where the backend returns it (the
// local store), else by the fingerprint of this tool's last write.
func secretChange(key, want string, cur client.Hook, same func(key, want string) bool) (change.Change, bool) {
	have, readable := cur.Values[key]
	set := cur.SecretSet[key] || (readable && have != "")
	switch {
	case want == "" && !set:
		return change.Change{}, false
	case want == "":
		return change.Change{Field: key, Before: secretBefore(readable, set), After: change.SecretCleared}, true
	case !set:
		return change.Change{Field: key, Before: nil, After: secretWord(want, change.SecretSet)}, true
	case isReference(want):
		return change.Change{Field: key, Before: secretBefore(readable, set), After: secretWord(want, "")}, true
	case readable && have == want, !readable && same(key, want):
		return change.Change{}, false
	}
	return change.Change{Field: key, Before: secretBefore(readable, set), After: change.SecretChanged}, true
}

func secretBefore(readable, set bool) any {
	switch {
	case !set:
		return nil
	case readable:
		return change.SecretSet
	}
	return change.SecretWriteOnly
}

// diffHookEntries compares URL variables or headers with the exact set wanted (nil: keep) and
// adds to out what to send: new or different values, and "" for names to remove.
func diffHookEntries(field string, cur, want, out map[string]string, same func(key, want string) bool) []change.Change {
	if want == nil {
		return nil
	}
	var changes []change.Change
	for _, k := range client.SortedKeys(want) {
		v := want[k]
		have, had := cur[k]
		switch {
		case had && isReference(v):
			changes = append(changes, change.Change{Field: field + "." + k, Before: secretBefore(have != "", true), After: secretWord(v, "")})
		case had && have != "" && have == v, had && have == "" && same(field+"."+k, v):
			continue
		case had:
			changes = append(changes, change.Change{Field: field + "." + k, Before: secretBefore(have != "", true), After: change.SecretChanged})
		default:
			changes = append(changes, change.Change{Field: field + "." + k, Before: nil, After: secretWord(v, change.SecretSet)})
		}
		out[k] = v
	}
	for _, k := range client.SortedKeys(cur) {
		if _, keep := want[k]; !keep {
			out[k] = ""
			changes = append(changes, change.Change{Field: field + "." + k, Before: secretBefore(cur[k] != "", true), After: change.SecretCleared})
		}
	}
	return changes
}

// entryChanges are the lines of a new hook's URL variables or headers.
func entryChanges(field string, want map[string]string) []change.Change {
	var out []change.Change
	for _, k := range client.SortedKeys(want) {
		out = append(out, change.Change{Field: field + "." + k, Before: nil, After: secretWord(want[k], change.SecretSet)})
	}
	return out
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

// hookOwner names a hook's fingerprints (with its scope): by the identity the hook has, its
// name or else its URL, as bulk hooks names them.
func hookOwner(identity string) string { return "hook:" + identity }

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

// hookSecrets are the secret values a write sends, by the keys plan compares them under.
func hookSecrets(c client.HookChange) map[string]string {
	out := map[string]string{}
	for _, k := range []string{integrations.HookToken, integrations.HookSigningToken} {
		if v := c.Values[k]; v != "" && !isReference(v) {
			out[k] = v
		}
	}
	for field, m := range map[string]map[string]string{integrations.HookURLVariables: c.URLVariables, integrations.HookCustomHeaders: c.CustomHeaders} {
		for k, v := range m {
			if v != "" && !isReference(v) {
				out[field+"."+k] = v
			}
		}
	}
	return out
}

// sameHookSecret is whether the fingerprint of this tool's last write of the hook's secret,
// recorded under the identity the hook has now, matches want.
func (p *Planner) sameHookSecret(ctx context.Context, e HookEntry, cur client.Hook, key, want string) bool {
	if p.Fingerprints == nil || isReference(want) {
		return false
	}
	same, err := p.Fingerprints.SecretsUnchanged(ctx, p.Backend.Capabilities().Server, e.Scope.String(), hookOwner(cur.Identity()), map[string]string{key: want})
	return err == nil && same
}
