package bulk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/forgekit/integrations/internal/change"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// Fingerprints remember the secrets this tool wrote, so that a write-only secret (GitLab's)
// can be compared with the one wanted, and a write that would change nothing skipped.
type Fingerprints interface {
	SecretsUnchanged(ctx context.Context, server, scope, integration string, secrets map[string]string) (bool, error)
	// SecretsMatcher is SecretsUnchanged of one secret for every scope of integration at
	// once, read in one go.
	SecretsMatcher(ctx context.Context, server, integration string) (func(scope, field, value string) bool, error)
	RecordSecretsBatch(ctx context.Context, recs []client.SecretRecord) error
}

// Planner reads the targets' states and decides what each gets.
type Planner struct {
	Backend client.Backend
	Walker  client.Walker
	// Fingerprints compare secrets the backend cannot return; nil compares none as equal.
	Fingerprints Fingerprints
	Concurrency  int
	// Read is called after each target's state is read (for progress).
	Read func()

	// groupAPI says whether the server has group-level integration routes, once its version
	// is read.
	groupAPI func() bool
	// eventSets are the distinct sets of events an inventory met.
	mu        sync.Mutex
	eventSets map[string]map[string]bool
	// matchers are the fingerprints of each hook owner, read once for all targets.
	matchers map[string]func(scope, field, value string) bool
	// strings and flags are the hook changes' maps, shared by the targets with the same.
	strings shared[string]
	flags   shared[bool]
}

// Plan walks the spec's groups and decides every target's action. Targets finished in a run
// being resumed (done) are not read again. A read that fails stops the walk: the plan is
// refused rather than made without some of its targets.
func (p *Planner) Plan(ctx context.Context, spec Spec, done map[string]bool) (*Report, error) {
	ctx = client.LimitRequests(ctx, p.Concurrency)
	// The server's version is read beside the walk (one round trip less before the first
	// read): only the groups' reads and a choice of where to write wait for it. Waiting for
	// it before returning keeps what it may say (a version it could not read) before the
	// run's own output.
	server := p.readServer(ctx)
	defer server()
	groupMode, err := p.groupMode(spec)
	if err != nil {
		return nil, err
	}
	if err := p.checkSecrets(spec); err != nil {
		return nil, err
	}
	var targets []*Target
	if sw, ok := p.Walker.(client.StateWalker); ok && spec.Op == OpStatus {
		targets, err = p.walkStates(ctx, spec, sw, done)
	} else {
		targets, err = p.walkAndRead(ctx, spec, groupMode, done)
	}
	if err != nil {
		return nil, err
	}
	rep := &Report{Targets: targets}
	p.decide(ctx, spec, rep, groupMode)
	rep.Count()
	return rep, nil
}

// walkStates collects an inventory's targets from a backend that reads the states along the
// walk, in one pass.
func (p *Planner) walkStates(ctx context.Context, spec Spec, sw client.StateWalker, done map[string]bool) ([]*Target, error) {
	var targets []*Target
	seen := map[string]bool{}
	for _, g := range spec.Groups {
		opts := client.WalkOptions{Subgroups: spec.Subgroups, Archived: spec.Archived, Groups: true}
		err := sw.WalkStates(ctx, g, opts, spec.Def, func(ns client.Namespace, st client.State) error {
			if key := ns.Scope.String(); !seen[key] {
				seen[key] = true
				targets = append(targets, p.statusTarget(spec, ns, st, done))
				p.step()
			}
			return ctx.Err()
		})
		if err != nil {
			return nil, err
		}
	}
	return targets, nil
}

// walkAndRead walks the groups and reads each target's state, Concurrency at a time, keeping
// the walk's order. The walk runs ahead of the reads, so that they go on while it fetches its
// next page. The first read that fails stops the walk, and no read starts after it.
func (p *Planner) walkAndRead(ctx context.Context, spec Spec, groupMode bool, done map[string]bool) ([]*Target, error) {
	opts := client.WalkOptions{Subgroups: spec.Subgroups, Archived: spec.Archived, Groups: groupMode || spec.Op == OpStatus}
	want := func(ns client.Namespace) bool {
		// Per-project writes: the group itself is not a target.
		return ns.Scope.Level != integrations.Group || groupMode || spec.Op == OpStatus
	}
	return ReadBelow(ctx, p.Walker, spec.Groups, opts, p.Concurrency, want, func(ctx context.Context, ns client.Namespace) (*Target, error) {
		t, err := p.read(ctx, spec, ns, done)
		if err == nil {
			p.step()
		}
		return t, err
	})
}

// step reports one target read.
func (p *Planner) step() {
	if p.Read != nil {
		p.Read()
	}
}

// readServer starts reading the server's version; the function it returns waits for it.
func (p *Planner) readServer(ctx context.Context) func() *integrations.Server {
	got := make(chan *integrations.Server, 1)
	go func() { got <- p.Backend.APIServer(ctx) }()
	server := sync.OnceValue(func() *integrations.Server { return <-got })
	p.groupAPI = func() bool {
		srv := server()
		return srv == nil || srv.GroupAPI()
	}
	return server
}

// groupMode says whether writes go once to the groups (GitLab propagates them) or to each
// project. It waits for the server's version only where the answer depends on it.
func (p *Planner) groupMode(spec Spec) (bool, error) {
	supports := spec.Def.SupportsLevel(integrations.Group)
	switch {
	case spec.Strategy == GroupLevel:
		if !supports {
			return false, client.Invalidf("%s cannot be set at group level (it supports: %s); use --strategy project", spec.Def.Name, strings.Join(spec.Def.LevelNames(), ", "))
		}
		if !p.groupAPI() {
			return false, client.Invalidf("%s has no group-level integration API (GitLab 17.9 or later); use --strategy project", p.Backend.Where())
		}
		return true, nil
	case spec.Strategy == ProjectLevel, spec.Op == OpStatus: // an inventory writes nowhere
		return false, nil
	}
	return supports && p.groupAPI(), nil
}

// checkSecrets refuses, before anything is read, a run on a server that needs secrets it was
// not given: GitLab wants every required secret on each write.
func (p *Planner) checkSecrets(spec Spec) error {
	if p.Backend.Capabilities().Server == "" || (spec.Op != OpConfigure && spec.Op != OpEnable) {
		return nil
	}
	var names, flags []string
	for _, f := range spec.Def.Fields {
		if f.Required && f.Masked() && spec.Values[f.Key] == "" {
			names = append(names, f.Key)
			flags = append(flags, "--set "+f.Key+"=…")
		}
	}
	if len(flags) > 0 {
		return client.Invalidf("%s needs %s on every write, and never returns it: add %s (env:NAME and file:PATH work)",
			p.Backend.Where(), strings.Join(names, ", "), strings.Join(flags, " "))
	}
	return nil
}

// skipped is the target for a namespace that is not read, or nil when it is.
func (p *Planner) skipped(spec Spec, ns client.Namespace, done map[string]bool) *Target {
	t := &Target{Name: ns.Scope.String(), Kind: string(ns.Scope.Level), scope: ns.Scope}
	switch {
	case done[t.Name]:
		t.Action, t.Result, t.Reason = ActSkip, Skipped, "done in the run being resumed"
	case !spec.Def.SupportsLevel(ns.Scope.Level):
		t.Action, t.Result, t.Reason = ActSkip, Skipped, fmt.Sprintf("%s cannot be set at %s level", spec.Def.Name, ns.Scope.Level)
	case ns.Scope.Level == integrations.Group && !p.groupAPI():
		t.Action, t.Result, t.Reason = ActSkip, Skipped, "the server has no group-level integration API (GitLab 17.9 or later)"
	default:
		return nil
	}
	return t
}

// statusTarget is an inventory's target for a namespace whose state the walk read.
func (p *Planner) statusTarget(spec Spec, ns client.Namespace, st client.State, done map[string]bool) *Target {
	if t := p.skipped(spec, ns, done); t != nil {
		return t
	}
	t := &Target{Name: ns.Scope.String(), Kind: string(ns.Scope.Level), scope: ns.Scope}
	t.state = p.inventoryState(st)
	return t
}

// read gets one target's state.
func (p *Planner) read(ctx context.Context, spec Spec, ns client.Namespace, done map[string]bool) (*Target, error) {
	if t := p.skipped(spec, ns, done); t != nil {
		return t, nil
	}
	t := &Target{Name: ns.Scope.String(), Kind: string(ns.Scope.Level), scope: ns.Scope}
	st, err := p.Backend.Get(ctx, ns.Scope, spec.Def)
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s: %w", spec.Def.Name, ns.Scope, err)
	}
	if spec.Op == OpStatus {
		t.state = p.inventoryState(st)
		return t, nil
	}
	t.state = st
	t.Previous = PreviousOf(spec.Def, st)
	return t, nil
}

// inventoryState is what an inventory keeps of a state: never its values, which over tens of
// thousands of targets would be most of the run's memory, and the events that are on, in a
// map shared by every target with the same ones (read only).
func (p *Planner) inventoryState(st client.State) client.State {
	st.Values, st.Unknown = nil, nil
	var on []string
	for e, enabled := range st.Events {
		if enabled {
			on = append(on, e)
		}
	}
	slices.Sort(on)
	key := strings.Join(on, ",")
	p.mu.Lock()
	defer p.mu.Unlock()
	shared, ok := p.eventSets[key]
	if !ok {
		shared = make(map[string]bool, len(on))
		for _, e := range on {
			shared[e] = true
		}
		if p.eventSets == nil {
			p.eventSets = map[string]map[string]bool{}
		}
		p.eventSets[key] = shared
	}
	st.Events = shared
	return st
}

// PreviousOf is a state without its secrets: what a journal records and revert restores.
func PreviousOf(def integrations.Definition, st client.State) *Previous {
	prev := &Previous{Configured: st.Configured, Active: st.Active, Inherited: st.Inherited, Values: map[string]string{}, Events: st.Events}
	if st.InheritedFrom != nil {
		s := st.InheritedFrom.String()
		prev.InheritedFrom = &s
	}
	for k, v := range st.Values {
		if f, ok := def.Field(k); ok && !f.Masked() {
			prev.Values[k] = v
		}
	}
	return prev
}

// decide gives every read target its action, reason and changes.
func (p *Planner) decide(ctx context.Context, spec Spec, rep *Report, groupMode bool) {
	roots := map[string]bool{}
	for _, g := range spec.Groups {
		roots[g.String()] = true
	}
	configured := map[string]bool{}
	for _, t := range rep.Targets {
		if t.Action != ActSkip && t.state.Configured && !t.state.Inherited {
			configured[t.Name] = true
		}
	}
	for _, t := range rep.Targets {
		if t.Action == ActSkip {
			continue
		}
		custom := t.state.Configured && !t.state.Inherited
		switch {
		case spec.Op == OpStatus:
			t.Overrides = overrides(t, configured)
			t.Action, t.Result, t.Reason = ActSkip, Skipped, describeState(t, t.Overrides)
		case groupMode && !roots[t.Name] && custom && spec.ResetOverrides:
			t.Action, t.Result, t.Reason = ActInherit, Planned, "its own settings override the group's; resetting it to inherit"
			t.Changes = change.Diff(spec.Def, t.scope.Level, t.state, change.Wanted{Inherit: true})
		case groupMode && !roots[t.Name] && custom:
			t.Action, t.Result, t.Reason = ActSkip, Skipped, "its own settings override the group's (--reset-overrides resets them)"
		case groupMode && !roots[t.Name]:
			t.Action, t.Result, t.Reason = ActSkip, Skipped, "inherits: follows the group's settings"
		default:
			p.decideWrite(ctx, spec, t)
		}
	}
}

func overrides(t *Target, configured map[string]bool) bool {
	if !t.state.Configured || t.state.Inherited {
		return false
	}
	for parent := client.ParentPath(t.scope.Path); parent != ""; parent = client.ParentPath(parent) {
		if configured[client.Scope{Level: integrations.Group, Path: parent}.String()] {
			return true
		}
	}
	return false
}

func describeState(t *Target, overrides bool) string {
	st := t.state
	switch {
	case st.ConfiguredUnknown:
		return "inactive or not configured"
	case !st.Configured:
		return "not configured"
	}
	state := "inactive"
	if st.Active {
		state = "active"
	}
	switch {
	case st.Inherited && st.InheritedFrom != nil:
		return state + ", inherited from " + st.InheritedFrom.String()
	case st.Inherited:
		return state + ", inherited"
	case overrides:
		return state + ", custom settings overriding its group"
	}
	return state + ", custom settings"
}

// decideWrite compares the wanted state with the target's and plans a write only when they
// differ (or --force).
func (p *Planner) decideWrite(ctx context.Context, spec Spec, t *Target) {
	st := t.state
	switch {
	case spec.Op == OpDisable && !st.Active:
		t.Action, t.Result, t.Reason = ActSkip, Skipped, "already inactive"
		return
	case spec.Op == OpDisable:
		t.Action, t.Result, t.Reason = ActDisable, Planned, "active"
		t.Changes = change.Diff(spec.Def, t.scope.Level, st, change.Wanted{Active: false})
		return
	case spec.Op == OpEnable && !st.Configured && len(spec.Values) == 0:
		t.Action, t.Result, t.Reason = ActSkip, Skipped, "no settings to enable (use bulk configure)"
		return
	}
	t.secrets = map[string]string{}
	for _, f := range spec.Def.Fields {
		if v, given := spec.Values[f.Key]; given && f.Masked() {
			t.secrets[f.Key] = v
		}
	}
	changes := change.Diff(spec.Def, t.scope.Level, st, p.wanted(ctx, spec, t))
	action := ActConfigure
	if spec.Op == OpEnable {
		action = ActEnable
	}
	switch {
	case len(changes) == 0 && !spec.Force:
		t.Action, t.Result, t.Reason = ActSkip, Skipped, "already as wanted"
	case len(changes) == 0:
		t.Action, t.Result, t.Reason = action, Planned, "rewritten (--force)"
	default:
		t.Action, t.Result, t.Reason, t.Changes = action, Planned, changeReason(st), changes
	}
}

// wanted is what an enable or configure asks of t: active, the values given, and the events
// turned from the same starting point as the write (stored events, defaults for new settings).
func (p *Planner) wanted(ctx context.Context, spec Spec, t *Target) change.Wanted {
	w := change.Wanted{Active: true, Values: spec.Values, Asked: spec.AskedEvents, Same: map[string]bool{}}
	for key := range t.secrets {
		if t.state.Unknown[key] && SameSecret(ctx, p.Fingerprints, p.Backend.Capabilities().Server, t.state, spec.Def.Name, key, t.secrets[key]) {
			w.Same[key] = true
		}
	}
	if spec.Events != nil {
		w.Events = spec.Events(t.scope.Level, spec.Def.EventStates(t.scope.Level, t.state.Events))
	}
	return w
}

// SameSecret compares a wanted secret with what a target holds: directly where the backend
// can read it back, through the fingerprint of the last value this tool wrote where it cannot
// (without fingerprints a write-only secret never compares equal).
func SameSecret(ctx context.Context, fp Fingerprints, server string, st client.State, name, key, want string) bool {
	if !st.Unknown[key] {
		return st.Values[key] == want
	}
	if fp == nil {
		return false
	}
	same, err := fp.SecretsUnchanged(ctx, server, st.Scope.String(), name, map[string]string{key: want})
	return err == nil && same
}

func changeReason(st client.State) string {
	switch {
	case !st.Configured:
		return "not configured"
	case st.Inherited:
		return "inherits other settings"
	case !st.Active:
		return "inactive"
	}
	return "settings differ"
}

func randomSuffix() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
