package bulk

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/forgekit/integrations/internal/change"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// The ops of bulk hooks: one webhook at every project below the groups.
const (
	OpHookAdd    Op = "hooks add"
	OpHookEdit   Op = "hooks edit"
	OpHookRemove Op = "hooks remove"
)

// Hooks reports whether the run works on a webhook rather than an integration.
func (o Op) Hooks() bool { return o == OpHookAdd || o == OpHookEdit || o == OpHookRemove }

// ActRemove deletes a hook.
const ActRemove Action = "remove"

// HookSpec is a bulk run on one webhook at every project below the groups. The groups
// themselves are not targets: a group hook (GitLab Premium) already receives the events of
// every project below it, so a project hook beside it would deliver each event twice.
type HookSpec struct {
	Op        Op
	Groups    []client.Scope
	Subgroups bool
	Archived  bool
	// Name and URL identify the hook an add writes (the same name, or the same URL where
	// either has no name); Ref is the name or URL of the hook an edit or remove changes.
	Name, URL, Ref string
	// Change turns a project's hook (nil: it has none) into the change to send, checked as
	// the hook will be after it; an error is bad input and refuses the whole plan.
	Change func(cur *client.Hook) (client.HookChange, error)
}

// PreviousHook is a target's hook before the run, without its secrets: what revert restores.
type PreviousHook struct {
	Exists bool  `json:"exists"`
	ID     int64 `json:"id,omitempty"`
	// Name and URL identify the hook: as it was, or, when there was none, as the run added it.
	Name   string            `json:"name,omitempty"`
	URL    string            `json:"url"`
	Values map[string]string `json:"values,omitempty"`
	Events map[string]bool   `json:"events,omitempty"`
}

// hookWrite is a target's webhook write.
type hookWrite struct {
	// cur is the hook as read; nil when the write adds it.
	cur    *client.Hook
	change client.HookChange
	remove bool
	// owner names the hook's secrets among the fingerprints: the identity it has after the
	// write.
	owner string
}

// PlanHooks walks the spec's groups, reads the hooks of every project below them, and decides
// what each gets: the hook added, updated where one with the same name or URL exists (never
// added twice), removed, or skipped when already as wanted. Targets finished in a run being
// resumed (done) are not read again. A read that fails stops the walk.
func (p *Planner) PlanHooks(ctx context.Context, spec HookSpec, done map[string]bool) (*Report, error) {
	ctx = client.LimitRequests(ctx, p.Concurrency)
	h, ok := p.Backend.(client.Hooks)
	if !ok {
		return nil, fmt.Errorf("%s does not manage webhooks", p.Backend.Where())
	}
	opts := client.WalkOptions{Subgroups: spec.Subgroups, Archived: spec.Archived}
	projects := func(ns client.Namespace) bool { return ns.Scope.Level == integrations.Project }
	targets, err := ReadBelow(ctx, p.Walker, spec.Groups, opts, p.Concurrency, projects, func(ctx context.Context, ns client.Namespace) (*Target, error) {
		t, err := p.readHook(ctx, h, spec, ns, done)
		if err == nil {
			p.step()
		}
		return t, err
	})
	if err != nil {
		return nil, err
	}
	rep := &Report{Targets: targets}
	rep.Count()
	return rep, nil
}

// readHook reads one project's hooks, finds the one the spec names, and decides.
func (p *Planner) readHook(ctx context.Context, h client.Hooks, spec HookSpec, ns client.Namespace, done map[string]bool) (*Target, error) {
	t := &Target{Name: ns.Scope.String(), Kind: string(ns.Scope.Level), scope: ns.Scope}
	if done[t.Name] {
		t.Action, t.Result, t.Reason = ActSkip, Skipped, "done in the run being resumed"
		return t, nil
	}
	list, err := h.ListHooks(ctx, ns.Scope)
	if err != nil {
		return nil, fmt.Errorf("reading the hooks of %s: %w", ns.Scope, err)
	}
	var found *client.Hook
	if spec.Op == OpHookAdd {
		if same, ok := client.SameHook(list, spec.Name, spec.URL); ok {
			found = &same
		}
	} else {
		same, _, err := client.FindHook(list, client.HookRef{Ref: spec.Ref}, ns.Scope)
		if err != nil {
			t.Action, t.Result, t.Reason = ActSkip, Skipped, err.Error()
			return t, nil
		}
		found = &same
	}
	if found != nil && spec.Op != OpHookRemove {
		// The list leaves out what a comparison needs (GitLab's: URL variables and headers).
		full, err := h.GetHook(ctx, ns.Scope, found.ID)
		if err != nil {
			return nil, fmt.Errorf("reading hook %d of %s: %w", found.ID, ns.Scope, err)
		}
		found = &full
	}
	return t, p.decideHook(ctx, spec, t, found)
}

// decideHook gives a target its action, reason and changes.
func (p *Planner) decideHook(ctx context.Context, spec HookSpec, t *Target, cur *client.Hook) error {
	kind := integrations.HookKind(t.scope.Level)
	prev := previousHook(kind, cur, spec)
	prev.Values, prev.Events = p.strings.share(prev.Values), p.flags.share(prev.Events)
	t.Previous = &Previous{Hook: prev}
	if spec.Op == OpHookRemove {
		t.Action, t.Result, t.Reason = ActRemove, Planned, fmt.Sprintf("has hook %d (same %s)", cur.ID, cur.IdentifiedBy())
		t.Changes = change.RemovedHook(*cur)
		t.hook = &hookWrite{cur: cur, remove: true}
		return nil
	}
	c, err := spec.Change(cur)
	if err != nil {
		return fmt.Errorf("%s: %w", t.scope.Describe(), err)
	}
	owner := hookOwner(cur, c)
	t.secrets = client.HookSecrets(c)
	if cur != nil {
		p.dropSameSecrets(ctx, t, cur, &c, owner)
	}
	if n, ok := p.Backend.(client.HookSecretsNeeded); ok && cur != nil && !c.Empty() {
		if missing := n.NeededAgain(*cur, c); len(missing) > 0 {
			return secretsNeeded(p.Backend.Where(), t.scope, missing)
		}
	}
	switch {
	case cur == nil:
		t.Action, t.Result, t.Reason = ActCreate, Planned, "no hook with this name or URL"
	case c.Empty():
		t.Action, t.Result, t.Reason = ActSkip, Skipped, fmt.Sprintf("already as wanted (hook %d, same %s)", cur.ID, cur.IdentifiedBy())
		return nil
	default:
		t.Action, t.Result, t.Reason = ActUpdate, Planned, fmt.Sprintf("hook %d (same %s) differs", cur.ID, cur.IdentifiedBy())
	}
	t.Changes = change.DiffHook(kind, cur, c)
	t.secrets = p.strings.share(t.secrets)
	c.Values, c.URLVariables, c.CustomHeaders = p.strings.share(c.Values), p.strings.share(c.URLVariables), p.strings.share(c.CustomHeaders)
	c.Events = p.flags.share(c.Events)
	t.hook = &hookWrite{cur: cur, change: c, owner: owner}
	return nil
}

// shared holds maps by their content, so that targets planned the same change, or found with
// the same hook, share one copy (read only): a bulk hooks add at 20,000 projects otherwise
// keeps 20,000 copies of the same values, events and secrets to the end of the run, and its
// collector works at the memory limit.
type shared[V comparable] struct {
	mu sync.Mutex
	by map[string]map[string]V
}

func (s *shared[V]) share(m map[string]V) map[string]V {
	if len(m) == 0 {
		return m
	}
	var key strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(&key, "%q=%v\x00", k, m[k])
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if got, ok := s.by[key.String()]; ok {
		return got
	}
	if s.by == nil {
		s.by = map[string]map[string]V{}
	}
	s.by[key.String()] = m
	return m
}

// previousHook is what revert needs of a target's hook: none (and the identity the run gives
// it), or its ID, non-secret fields and events.
func previousHook(kind integrations.Definition, cur *client.Hook, spec HookSpec) *PreviousHook {
	if cur == nil {
		return &PreviousHook{Name: spec.Name, URL: spec.URL}
	}
	prev := &PreviousHook{Exists: true, ID: cur.ID, Name: cur.Name(), URL: cur.URL(), Values: map[string]string{}, Events: maps.Clone(cur.Events)}
	for k, v := range cur.Values {
		if f, ok := kind.Field(k); ok && !f.Masked() && !integrations.IsKeyValues(k) {
			prev.Values[k] = v
		}
	}
	return prev
}

// hookOwner names a hook's secrets among the fingerprints by the identity it has after c.
func hookOwner(cur *client.Hook, c client.HookChange) string {
	h := client.Hook{Values: map[string]string{}}
	if cur != nil {
		maps.Copy(h.Values, cur.Values)
	}
	for _, k := range []string{integrations.HookName, integrations.HookURL} {
		if v, ok := c.Values[k]; ok {
			h.Values[k] = v
		}
	}
	return client.HookSecretsOwner(h)
}

// dropSameSecrets leaves out of c the write-only secrets the hook holds already: those whose
// fingerprint, recorded when this tool last wrote them there, matches. A write that changes
// the URL GitLab calls (its template, or a variable in it) keeps them all, since GitLab clears
// them when it changes.
func (p *Planner) dropSameSecrets(ctx context.Context, t *Target, cur *client.Hook, c *client.HookChange, owner string) {
	if _, newURL := c.Values[integrations.HookURL]; p.Fingerprints == nil || newURL {
		return
	}
	match := p.matcher(ctx, owner)
	same := func(key, v string) bool { return match(t.Name, key, v) }
	for name, v := range c.URLVariables {
		if old, had := cur.URLVariables[name]; had && old == "" && v != "" && same(integrations.HookURLVariables+"."+name, v) {
			delete(c.URLVariables, name)
		}
	}
	if len(c.URLVariables) > 0 {
		return
	}
	for _, k := range []string{integrations.HookToken, integrations.HookSigningToken} {
		v, given := c.Values[k]
		_, readable := cur.Values[k]
		set, known := cur.SecretSet[k]
		if given && v != "" && !readable && (set || !known) && same(k, v) {
			delete(c.Values, k)
		}
	}
	for name, v := range c.CustomHeaders {
		if old, had := cur.CustomHeaders[name]; had && old == "" && v != "" && same(integrations.HookCustomHeaders+"."+name, v) {
			delete(c.CustomHeaders, name)
		}
	}
}

// matcher compares secrets with the fingerprints recorded for owner, all of which it reads the
// first time it is asked (the targets of one run share an owner, most often): one query for
// the run rather than one per target. A failed read compares nothing as equal, as a failed
// SecretsUnchanged does.
func (p *Planner) matcher(ctx context.Context, owner string) func(scope, field, value string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if m, ok := p.matchers[owner]; ok {
		return m
	}
	m, err := p.Fingerprints.SecretsMatcher(ctx, p.Backend.Capabilities().Server, owner)
	if err != nil {
		m = func(string, string, string) bool { return false }
	}
	if p.matchers == nil {
		p.matchers = map[string]func(scope, field, value string) bool{}
	}
	p.matchers[owner] = m
	return m
}

// writeHook performs a target's webhook write; the note is added to its reason.
func (e *Executor) writeHook(ctx context.Context, t *Target) (string, error) {
	h, ok := e.Backend.(client.Hooks)
	if !ok {
		return "", fmt.Errorf("%s does not manage webhooks", e.Backend.Where())
	}
	w := t.hook
	var (
		res client.HookResult
		err error
	)
	switch {
	case w.remove:
		return "", h.RemoveHook(ctx, t.scope, w.cur.ID)
	case w.cur == nil:
		res, err = h.AddHook(ctx, t.scope, w.change)
	default:
		w.change.Current = w.cur
		res, err = h.EditHook(ctx, t.scope, w.cur.ID, w.change)
	}
	if err != nil {
		return "", needSecrets(e.Backend.Where(), err)
	}
	if len(res.Created) > 0 {
		e.mu.Lock()
		e.Created = append(e.Created, res.Created...)
		e.mu.Unlock()
	}
	return warningNote(res.Warnings), nil
}

// needSecrets turns a backend's MissingSecretsError into the flags that supply them.
func needSecrets(server string, err error) error {
	var mse *client.MissingSecretsError
	if !errors.As(err, &mse) {
		return err
	}
	return errors.New(secretsWords(server, mse.Fields))
}

// secretsNeeded refuses a plan whose edit at s would lose write-only values: nothing is
// written until the run carries them.
func secretsNeeded(server string, s client.Scope, fields []string) error {
	return client.Invalidf("%s: %s; nothing was written", s.Describe(), secretsWords(server, fields))
}

func secretsWords(server string, fields []string) string {
	flags := make([]string, len(fields))
	for i, f := range fields {
		flags[i] = "--set " + f + "=env:…"
	}
	slices.Sort(flags)
	return fmt.Sprintf("%s clears %s when the hook's URL changes and never returns them: add %s", server, strings.Join(fields, ", "), strings.Join(flags, " "))
}

func warningNote(ws []string) string {
	if len(ws) == 0 {
		return ""
	}
	return "; " + strings.Join(ws, "; ")
}

// restoreHook puts a target's hook back as the journal recorded it: removes the one the run
// added, adds back the one it removed (without its secrets, which were never recorded), or
// edits the one it changed back to its recorded fields and events.
func (e *Executor) restoreHook(ctx context.Context, spec Spec, t *Target) (string, error) {
	h, ok := e.Backend.(client.Hooks)
	if !ok {
		return "", fmt.Errorf("%s does not manage webhooks", e.Backend.Where())
	}
	prev := t.Previous.Hook
	list, err := h.ListHooks(ctx, t.scope)
	if err != nil {
		return "", err
	}
	now, found := client.Hook{}, false
	if prev.Exists {
		for _, x := range list {
			if x.ID == prev.ID {
				now, found = x, true
			}
		}
	} else {
		now, found = client.SameHook(list, prev.Name, prev.URL)
	}
	kind := integrations.HookKind(t.scope.Level)
	secrets := map[string]string{}
	for k, v := range spec.Values {
		if f, ok := kind.Field(k); ok && f.Masked() && v != "" {
			secrets[k] = v
		}
	}
	switch {
	case !prev.Exists && !found:
		return "; the hook was gone already", nil
	case !prev.Exists:
		return "", h.RemoveHook(ctx, t.scope, now.ID)
	case !found:
		c := client.HookChange{Values: maps.Clone(prev.Values), Events: prev.Events}
		maps.Copy(c.Values, secrets)
		res, err := h.AddHook(ctx, t.scope, c)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("; added back as hook %d without the secrets the run could not record (tokens, URL variables, headers)", res.Hook.ID), nil
	}
	full, err := h.GetHook(ctx, t.scope, now.ID)
	if err != nil {
		return "", err
	}
	c := client.HookChange{Values: map[string]string{}, Events: map[string]bool{}, Current: &full}
	for _, f := range kind.Fields {
		if f.Masked() || integrations.IsKeyValues(f.Key) {
			continue
		}
		if prev.Values[f.Key] != full.Values[f.Key] {
			c.Values[f.Key] = prev.Values[f.Key]
		}
	}
	for ev, on := range prev.Events {
		if full.Events[ev] != on {
			c.Events[ev] = on
		}
	}
	maps.Copy(c.Values, secrets)
	if c.Empty() {
		return "; already as it was", nil
	}
	if _, err := h.EditHook(ctx, t.scope, full.ID, c); err != nil {
		return "", needSecrets(e.Backend.Where(), err)
	}
	return "", nil
}

// NewHookWrite makes a target of an apply that writes one webhook at scope: adds it (cur nil),
// edits it with c, or removes it (ActRemove); ActUnchanged writes nothing. It is journalled,
// reported and its secrets remembered (under owner) as the targets of bulk hooks are.
func NewHookWrite(scope client.Scope, name string, action Action, reason string, changes []change.Change, cur *client.Hook, c client.HookChange, owner string) *Target {
	kind := integrations.HookKind(scope.Level)
	added := HookSpec{Name: c.Values[integrations.HookName], URL: c.Values[integrations.HookURL]}
	t := &Target{
		Name: scope.String() + " " + name, Kind: string(scope.Level), Action: action, Reason: reason, Changes: changes,
		Previous: &Previous{Hook: previousHook(kind, cur, added)}, scope: scope, Result: Planned,
	}
	switch action {
	case ActUnchanged:
		t.Result = Skipped
	case ActRemove:
		t.hook = &hookWrite{cur: cur, remove: true}
	default:
		t.hook = &hookWrite{cur: cur, change: c, owner: owner}
		t.secrets = client.HookSecrets(c)
	}
	return t
}
