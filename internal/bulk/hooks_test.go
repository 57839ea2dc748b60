package bulk

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/client/local"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
)

// setHook is a HookSpec's Change as `hooks add --set …` makes it: the values that differ from
// the hook's, and secrets the backend cannot read back whenever given.
func setHook(values map[string]string) func(cur *client.Hook) (client.HookChange, error) {
	return func(cur *client.Hook) (client.HookChange, error) {
		c := client.HookChange{Values: map[string]string{}}
		for k, v := range values {
			old, known := "", false
			if cur != nil {
				old, known = cur.Values[k]
			}
			masked := k == integrations.HookToken || k == integrations.HookSigningToken
			if cur == nil || old != v || (masked && !known) {
				c.Values[k] = v
			}
		}
		if cur == nil {
			c.Events = map[string]bool{"push": true, "pipeline": true}
		}
		return c, nil
	}
}

func addSpec(values map[string]string) HookSpec {
	return HookSpec{
		Op: OpHookAdd, Groups: []client.Scope{group("acme")}, Subgroups: true,
		Name: values[integrations.HookName], URL: values[integrations.HookURL], Change: setHook(values),
	}
}

func planHooks(t *testing.T, b client.Backend, store *local.Store, spec HookSpec) *Report {
	t.Helper()
	p := &Planner{Backend: b, Walker: b.(client.Walker), Fingerprints: store, Concurrency: 4}
	rep, err := p.PlanHooks(context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func runHooks(t *testing.T, b client.Backend, store *local.Store, rep *Report, op Op) {
	t.Helper()
	ex := &Executor{Backend: b, Fingerprints: store, Concurrency: 4}
	if err := ex.Run(context.Background(), Spec{Op: op, Def: integrations.HookKind(integrations.Project)}, rep); err != nil {
		t.Fatal(err)
	}
	for _, tg := range rep.Targets {
		if tg.Result == Failed {
			t.Fatalf("%s failed: %s", tg.Name, *tg.Error)
		}
	}
}

func hookFake(t *testing.T) (*gitlabfake.Server, client.Backend) {
	t.Helper()
	fake := gitlabfake.New(gitlabfake.WithVersion("19.5.0"))
	t.Cleanup(fake.Close)
	for _, p := range []string{"acme/web", "acme/api", "acme/ops/db"} {
		fake.AddProject(p, false)
	}
	return fake, newGitLab(t, fake)
}

// On GitLab: adding a hook across a group creates it at every project, updates the one with
// the same name instead of adding a second, and a second run is all no-op although GitLab
// never returns the token: its fingerprint says it is the same.
func TestBulkHookAddNeverDuplicatesAndComparesWriteOnlyTokens(t *testing.T) {
	fake, gl := hookFake(t)
	store := newStore(t)
	ctx := context.Background()
	// acme/api already has a hook named ci, at another URL.
	h := gl.(client.Hooks)
	if _, err := h.AddHook(ctx, project("acme/api"), client.HookChange{Values: map[string]string{"name": "ci", "url": "https://old.example.com/hook"}}); err != nil {
		t.Fatal(err)
	}
	values := map[string]string{"name": "ci", "url": "https://ci.example.com/hook", "token": "TOKEN-1"}

	rep := planHooks(t, gl, store, addSpec(values))
	got := byTarget(rep)
	if got["project:acme/web"].Action != ActCreate || got["project:acme/ops/db"].Action != ActCreate || got["project:acme/api"].Action != ActUpdate {
		t.Fatalf("actions: %+v %+v %+v", got["project:acme/web"], got["project:acme/ops/db"], got["project:acme/api"])
	}
	if s := strings.Join(changeLines(got["project:acme/api"]), "; "); !strings.Contains(s, "url: https://old.example.com/hook → https://ci.example.com/hook") || strings.Contains(s, "TOKEN") {
		t.Errorf("changes at acme/api: %s", s)
	}
	runHooks(t, gl, store, rep, OpHookAdd)
	for _, p := range []string{"acme/web", "acme/api", "acme/ops/db"} {
		hooks := fake.Hooks("project", p)
		if len(hooks) != 1 || hooks[0].Props["url"] != "https://ci.example.com/hook" || hooks[0].Token != "TOKEN-1" {
			t.Fatalf("hooks at %s: %+v", p, hooks)
		}
	}

	again := planHooks(t, gl, store, addSpec(values))
	if again.Totals.Planned != 0 || again.Totals.Skipped != 3 {
		t.Fatalf("second run plans %+v", again.Totals)
	}
	// A templated URL: its variable is write-only too, and compares the same way.
	templated := addSpec(values)
	templated.Change = func(cur *client.Hook) (client.HookChange, error) {
		c, err := setHook(values)(cur)
		if cur == nil || cur.URLVariables["path"] == "" {
			c.URLVariables = map[string]string{"path": "VAR-CANARY"}
		}
		return c, err
	}
	values["url"] = "https://ci.example.com/{path}"
	templated.URL = values["url"]
	runHooks(t, gl, store, planHooks(t, gl, store, templated), OpHookAdd)
	if hooks := fake.Hooks("project", "acme/web"); len(hooks) != 1 || hooks[0].URLVariables["path"] != "VAR-CANARY" {
		t.Fatalf("hooks at acme/web: %+v", hooks)
	}
	if again := planHooks(t, gl, store, templated); again.Totals.Planned != 0 {
		t.Fatalf("a second run with the same URL variable plans %+v: %+v", again.Totals, again.Targets[0].Changes)
	}

	values["token"] = "TOKEN-2"
	changed := planHooks(t, gl, store, addSpec(values))
	if changed.Totals.Planned != 3 {
		t.Fatalf("a new token plans %+v", changed.Totals)
	}
	if s := strings.Join(changeLines(changed.Targets[0]), "; "); s != "token: (write-only) → (changed)" {
		t.Errorf("a new token reads %q", s)
	}
}

func changeLines(t *Target) []string {
	out := make([]string, len(t.Changes))
	for i, c := range t.Changes {
		out[i] = c.String()
	}
	return out
}

// Revert removes the hooks a run added and puts back the one it updated; remove deletes the
// named hook where it exists and skips where it does not.
func TestBulkHookRevertAndRemove(t *testing.T) {
	fake, gl := hookFake(t)
	store := newStore(t)
	ctx := context.Background()
	h := gl.(client.Hooks)
	if _, err := h.AddHook(ctx, project("acme/api"), client.HookChange{Values: map[string]string{"name": "ci", "url": "https://old.example.com/hook"}}); err != nil {
		t.Fatal(err)
	}
	rep := planHooks(t, gl, store, addSpec(map[string]string{"name": "ci", "url": "https://ci.example.com/hook"}))
	rep.RunID = "20261202T140000Z-abcdef"
	dir := t.TempDir()
	j, err := NewJournal(dir, JournalDoc{RunID: rep.RunID, Integration: "project_hook", Op: OpHookAdd}, rep)
	if err != nil {
		t.Fatal(err)
	}
	ex := &Executor{Backend: gl, Fingerprints: store, Concurrency: 4, Journal: j}
	if err := ex.Run(ctx, Spec{Op: OpHookAdd}, rep); err != nil {
		t.Fatal(err)
	}

	doc, err := LoadJournal(dir, rep.RunID)
	if err != nil {
		t.Fatal(err)
	}
	kind := integrations.HookKind(integrations.Project)
	back := RevertPlan(doc, kind)
	if back.Totals.Planned != 3 {
		t.Fatalf("revert plans %+v", back.Totals)
	}
	runHooks(t, gl, store, back, OpRevert)
	for _, p := range []string{"acme/web", "acme/ops/db"} {
		if hooks := fake.Hooks("project", p); len(hooks) != 0 {
			t.Errorf("revert left %+v at %s", hooks, p)
		}
	}
	if hooks := fake.Hooks("project", "acme/api"); len(hooks) != 1 || hooks[0].Props["url"] != "https://old.example.com/hook" {
		t.Errorf("revert left at acme/api: %+v", hooks)
	}

	rm := planHooks(t, gl, store, HookSpec{Op: OpHookRemove, Groups: []client.Scope{group("acme")}, Subgroups: true, Ref: "ci"})
	got := byTarget(rm)
	if got["project:acme/api"].Action != ActRemove || got["project:acme/web"].Action != ActSkip {
		t.Fatalf("remove plans %+v / %+v", got["project:acme/api"], got["project:acme/web"])
	}
	runHooks(t, gl, store, rm, OpHookRemove)
	if hooks := fake.Hooks("project", "acme/api"); len(hooks) != 0 {
		t.Errorf("remove left %+v", hooks)
	}
}

// An edit that changes the URL of hooks holding a token GitLab would clear, without the
// token: the plan is refused naming the flag, before anything is written; with the token it
// goes through, and only where a project has the hook.
func TestBulkHookEditURLNeedsTheToken(t *testing.T) {
	fake, gl := hookFake(t)
	store := newStore(t)
	ctx := context.Background()
	h := gl.(client.Hooks)
	if _, err := h.AddHook(ctx, project("acme/web"), client.HookChange{Values: map[string]string{"name": "ci", "url": "https://ci.example.com/hook", "token": "T"}}); err != nil {
		t.Fatal(err)
	}
	spec := HookSpec{Op: OpHookEdit, Groups: []client.Scope{group("acme")}, Subgroups: true, Ref: "ci", Change: setHook(map[string]string{"url": "https://ci2.example.com/hook"})}
	p := &Planner{Backend: gl, Walker: gl.(client.Walker), Fingerprints: store, Concurrency: 4}
	var ie *client.InputError
	if _, err := p.PlanHooks(ctx, spec, nil); !errors.As(err, &ie) || !strings.Contains(err.Error(), "add --set token=env:…") {
		t.Fatalf("plan: %v", err)
	}
	if hooks := fake.Hooks("project", "acme/web"); hooks[0].Props["url"] != "https://ci.example.com/hook" || hooks[0].Token != "T" {
		t.Errorf("the hook was changed: %+v", hooks[0])
	}

	spec.Change = setHook(map[string]string{"url": "https://ci2.example.com/hook", "token": "T2"})
	rep := planHooks(t, gl, store, spec)
	if api := byTarget(rep)["project:acme/api"]; api.Action != ActSkip {
		t.Errorf("acme/api has no such hook, planned %+v", api)
	}
	runHooks(t, gl, store, rep, OpHookEdit)
	if hooks := fake.Hooks("project", "acme/web"); hooks[0].Props["url"] != "https://ci2.example.com/hook" || hooks[0].Token != "T2" {
		t.Errorf("the edit left %+v", hooks[0])
	}
}

// On the local store, which reads secrets back, a second identical add is all no-op and a
// project without the hook gets it.
func TestBulkHookAddLocalStore(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for _, p := range []string{"acme/web", "acme/ops/db"} {
		if _, err := s.Ensure(ctx, project(p)); err != nil {
			t.Fatal(err)
		}
	}
	values := map[string]string{"url": "https://ci.example.com/hook", "token": "T"}
	rep := planHooks(t, s, s, addSpec(values))
	if rep.Totals.Planned != 2 {
		t.Fatalf("plans %+v", rep.Totals)
	}
	runHooks(t, s, s, rep, OpHookAdd)
	again := planHooks(t, s, s, addSpec(values))
	if again.Totals.Planned != 0 {
		t.Fatalf("second run plans %+v: %+v", again.Totals, again.Targets[0])
	}
	list, err := s.ListHooks(ctx, project("acme/ops/db"))
	if err != nil || len(list) != 1 {
		t.Fatalf("hooks at acme/ops/db: %+v %v", list, err)
	}
}

// A run killed while writing a hook leaves that target unknown; the resumed run finds the hook
// it made (no second one), keeps its first previous state (no hook), and revert removes it.
func TestBulkHookKilledRunResumesWithoutDuplicates(t *testing.T) {
	fake, gl := hookFake(t)
	store := newStore(t)
	ctx := context.Background()
	spec := addSpec(map[string]string{"name": "ci", "url": "https://ci.example.com/hook", "token": "T"})
	rep := planHooks(t, gl, store, spec)
	rep.RunID = "20261202T140000Z-killed"
	dir := t.TempDir()
	head := JournalDoc{RunID: rep.RunID, Integration: "project_hook", Op: OpHookAdd}
	j, err := NewJournal(dir, head, rep)
	if err != nil {
		t.Fatal(err)
	}
	// The kill: the first target's write reached the server, its "done" line never came.
	first := rep.Targets[0]
	j.Started(first)
	if _, err := (&Executor{Backend: gl}).writeHook(ctx, first); err != nil {
		t.Fatal(err)
	}
	doc, err := LoadJournal(dir, rep.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Targets[0].Result != Unknown {
		t.Fatalf("the killed write reads %q", doc.Targets[0].Result)
	}

	resumed, err := (&Planner{Backend: gl, Walker: gl.(client.Walker), Fingerprints: store, Concurrency: 4}).PlanHooks(ctx, spec, doc.Finished())
	if err != nil {
		t.Fatal(err)
	}
	if a := byTarget(resumed)[first.Name].Action; a == ActCreate {
		t.Fatalf("the resumed run adds %s's hook again", first.Name)
	}
	head.Targets = doc.Targets
	j2, err := NewJournal(dir, head, resumed)
	if err != nil {
		t.Fatal(err)
	}
	resumed.RunID = rep.RunID
	if err := (&Executor{Backend: gl, Fingerprints: store, Concurrency: 4, Journal: j2}).Run(ctx, Spec{Op: OpHookAdd}, resumed); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"acme/web", "acme/api", "acme/ops/db"} {
		if n := len(fake.Hooks("project", p)); n != 1 {
			t.Fatalf("%d hooks at %s", n, p)
		}
	}

	doc, err = LoadJournal(dir, rep.RunID)
	if err != nil {
		t.Fatal(err)
	}
	back := RevertPlan(doc, integrations.HookKind(integrations.Project))
	runHooks(t, gl, store, back, OpRevert)
	for _, p := range []string{"acme/web", "acme/api", "acme/ops/db"} {
		if hooks := fake.Hooks("project", p); len(hooks) != 0 {
			t.Errorf("revert left %+v at %s", hooks, p)
		}
	}
}
