package bulk

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/client/gitlab"
	"github.com/forgekit/integrations/internal/client/local"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
)

func def(t *testing.T, name string) integrations.Definition {
	t.Helper()
	d, err := integrations.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func group(path string) client.Scope { return client.Scope{Level: integrations.Group, Path: path} }

func project(path string) client.Scope { return client.Scope{Level: integrations.Project, Path: path} }

func newStore(t *testing.T) *local.Store {
	t.Helper()
	t.Setenv("INTEGRATIONS_SECRET_KEY", "bulk tests")
	s, err := local.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fastClock lets retries and rate-limit pauses pass without sleeping.
type fastClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fastClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fastClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func newGitLab(t *testing.T, fake *gitlabfake.Server) *gitlab.Client {
	t.Helper()
	fake.AddToken("tok", gitlabfake.Token{Username: "admin", Scopes: []string{"api"}, AccessLevel: 40})
	c, err := gitlab.New(fake.URL, "tok", gitlab.WithHTTPClient(fake.Client()), gitlab.WithClock(&fastClock{now: time.Unix(1_800_000_000, 0)}), gitlab.WithAttempts(8))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func plan(t *testing.T, b client.Backend, store *local.Store, spec Spec) *Report {
	t.Helper()
	p := &Planner{Backend: b, Walker: b.(client.Walker), Fingerprints: store, Concurrency: 4}
	rep, err := p.Plan(context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func runPlan(t *testing.T, b client.Backend, store *local.Store, spec Spec) *Report {
	t.Helper()
	rep := plan(t, b, store, spec)
	ex := &Executor{Backend: b, Fingerprints: store, Keeper: store, Concurrency: 4}
	if err := ex.Run(context.Background(), spec, rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

func byTarget(rep *Report) map[string]*Target {
	m := map[string]*Target{}
	for _, t := range rep.Targets {
		m[t.Name] = t
	}
	return m
}

// On the local store: a group-capable integration is written once at the group, overrides are
// reported (and reset when asked), and a second identical run writes nothing.
func TestGroupStrategyWritesOnceAndHandlesOverrides(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	jira := def(t, "jira")
	for _, p := range []string{"acme/web", "acme/api", "acme/ops/db"} {
		if _, err := s.Ensure(ctx, project(p)); err != nil {
			t.Fatal(err)
		}
	}
	active := true
	if _, err := s.Save(ctx, project("acme/ops/db"), jira, client.Update{Values: map[string]string{"url": "https://own.example", "password": "o"}, Active: &active}); err != nil {
		t.Fatal(err)
	}
	spec := Spec{
		Op: OpConfigure, Def: jira, Groups: []client.Scope{group("acme")}, Subgroups: true, Strategy: Auto,
		Values: map[string]string{"url": "https://jira.example", "password": "p"},
	}

	rep := runPlan(t, s, s, spec)
	got := byTarget(rep)
	if got["group:acme"].Action != ActConfigure || got["group:acme"].Result != Succeeded {
		t.Errorf("the group: %+v", got["group:acme"])
	}
	if got["project:acme/web"].Action != ActSkip || !strings.Contains(got["project:acme/web"].Reason, "inherits") {
		t.Errorf("an inheriting project: %+v", got["project:acme/web"])
	}
	if db := got["project:acme/ops/db"]; db.Action != ActSkip || !strings.Contains(db.Reason, "override") {
		t.Errorf("an overriding project: %+v", db)
	}
	if rep.Totals.Planned != 1 || rep.Totals.Succeeded != 1 || rep.Totals.Skipped != 4 {
		t.Errorf("totals %+v", rep.Totals)
	}
	st, _ := s.Get(ctx, project("acme/web"), jira)
	if !st.Active || st.Values["url"] != "https://jira.example" || !st.Inherited {
		t.Errorf("acme/web after the run: %+v", st)
	}

	again := plan(t, s, s, spec)
	if again.Writes() != 0 {
		t.Errorf("a second identical run plans %d writes", again.Writes())
	}
	spec.ResetOverrides = true
	rep = runPlan(t, s, s, spec)
	if db := byTarget(rep)["project:acme/ops/db"]; db.Action != ActInherit || db.Result != Succeeded {
		t.Errorf("reset override: %+v", db)
	}
	if st, _ := s.Get(ctx, project("acme/ops/db"), jira); !st.Inherited || st.Values["url"] != "https://jira.example" {
		t.Errorf("acme/ops/db after reset: %+v", st)
	}
}

// A project-only integration is written per project; archived projects are skipped unless asked.
func TestProjectOnlyIntegrationIsWrittenPerProject(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for _, p := range []string{"acme/web", "acme/api", "acme/old", "other/x"} {
		if _, err := s.Ensure(ctx, project(p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetArchived(ctx, project("acme/old"), true); err != nil {
		t.Fatal(err)
	}
	spec := Spec{
		Op: OpConfigure, Def: def(t, "jenkins"), Groups: []client.Scope{group("acme")}, Subgroups: true, Strategy: Auto,
		Values: map[string]string{"jenkins_url": "https://ci.example", "project_name": "build"},
	}
	rep := runPlan(t, s, s, spec)
	var names []string
	for _, tg := range rep.Targets {
		names = append(names, tg.Name+"="+string(tg.Action))
	}
	if got := strings.Join(names, " "); got != "project:acme/api=configure project:acme/web=configure" {
		t.Errorf("targets: %s", got)
	}
	spec.Archived = true
	if w := plan(t, s, s, spec).Writes(); w != 1 {
		t.Errorf("with --include-archived: %d writes, want 1 (the archived project)", w)
	}
}

// Against the GitLab fake with 5% faults (5xx, 429 bursts, dropped connections), every target
// ends right on the server and the report says exactly what happened.
func TestFaultyServerEndsRightAndReportMatches(t *testing.T) {
	fake := gitlabfake.New()
	t.Cleanup(fake.Close)
	c := newGitLab(t, fake)
	const n = 60
	for i := range n {
		fake.AddProject(fmt.Sprintf("acme/team%d/p%d", i%3, i), false)
	}
	s := newStore(t)
	fake.SetFaultRate(0.05, 7)
	spec := Spec{
		Op: OpConfigure, Def: def(t, "jenkins"), Groups: []client.Scope{group("acme")}, Subgroups: true, Strategy: ProjectLevel,
		Values: map[string]string{"jenkins_url": "https://ci.example", "project_name": "build"},
	}
	rep := runPlan(t, c, s, spec)
	fake.SetFaultRate(0, 0)
	if rep.Totals.Planned != n {
		t.Fatalf("planned %d, want %d", rep.Totals.Planned, n)
	}
	for _, tg := range rep.Targets {
		if tg.Kind != "project" {
			continue
		}
		rec, _ := fake.Integration("project", strings.TrimPrefix(tg.Name, "project:"), "jenkins")
		onServer := rec.Active && rec.Properties["jenkins_url"] == "https://ci.example"
		if (tg.Result == Succeeded) != onServer {
			t.Errorf("%s: report says %s, server has active=%v url=%v", tg.Name, tg.Result, rec.Active, rec.Properties["jenkins_url"])
		}
		if tg.Attempts < 1 {
			t.Errorf("%s: %d attempts", tg.Name, tg.Attempts)
		}
	}
	if rep.Totals.Succeeded+rep.Totals.Failed != n {
		t.Errorf("totals %+v", rep.Totals)
	}
}

// Secrets cannot be read back from GitLab: a second run with the same secret is skipped thanks
// to the fingerprint, a new secret is written, and --force writes regardless.
func TestSecretFingerprintsDecideRewrites(t *testing.T) {
	fake := gitlabfake.New()
	t.Cleanup(fake.Close)
	c := newGitLab(t, fake)
	fake.AddProject("acme/web", false)
	s := newStore(t)
	spec := Spec{
		Op: OpConfigure, Def: def(t, "slack"), Groups: []client.Scope{group("acme")}, Subgroups: true, Strategy: ProjectLevel,
		Values: map[string]string{"webhook": "https://hooks.example/one"},
	}
	if rep := runPlan(t, c, s, spec); rep.Totals.Succeeded != 1 {
		t.Fatalf("first run: %+v", rep.Totals)
	}
	if w := plan(t, c, s, spec).Writes(); w != 0 {
		t.Errorf("same secret again: %d writes, want 0", w)
	}
	spec.Values["webhook"] = "https://hooks.example/two"
	if w := plan(t, c, s, spec).Writes(); w != 1 {
		t.Errorf("a new secret: %d writes, want 1", w)
	}
	spec.Values["webhook"] = "https://hooks.example/one"
	spec.Force = true
	if w := plan(t, c, s, spec).Writes(); w != 1 {
		t.Errorf("--force: %d writes, want 1", w)
	}
}

// Interrupting a run finishes the writes in flight, records the rest as pending in the
// journal, and a resumed run does only what is left.
func TestInterruptJournalAndResume(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for i := range 20 {
		if _, err := s.Ensure(ctx, project(fmt.Sprintf("acme/p%02d", i))); err != nil {
			t.Fatal(err)
		}
	}
	spec := Spec{
		Op: OpConfigure, Def: def(t, "jenkins"), Groups: []client.Scope{group("acme")}, Subgroups: true, Strategy: Auto,
		Values: map[string]string{"jenkins_url": "https://ci.example", "project_name": "build"},
	}
	rep := plan(t, s, s, spec)
	rep.RunID = "test-run"
	dir := t.TempDir()
	j, err := NewJournal(dir, JournalDoc{RunID: rep.RunID, Integration: "jenkins", Op: OpConfigure}, rep)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := 0
	ex := &Executor{Backend: s, Fingerprints: s, Keeper: s, Concurrency: 1, Journal: j, Done: func(*Target) {
		if done++; done == 5 {
			cancel()
		}
	}}
	if err := ex.Run(runCtx, spec, rep); !errors.Is(err, context.Canceled) {
		t.Fatalf("run: %v, want context.Canceled", err)
	}
	doc, err := LoadJournal(dir, "test-run")
	if err != nil {
		t.Fatal(err)
	}
	finished := doc.Finished()
	succeeded := 0
	for _, tg := range doc.Targets {
		if tg.Result == Succeeded {
			succeeded++
			if tg.Previous == nil || tg.Previous.Configured {
				t.Errorf("%s: previous state not journaled: %+v", tg.Name, tg.Previous)
			}
		}
	}
	if succeeded < 5 || succeeded > 6 {
		t.Errorf("%d targets succeeded before the interrupt", succeeded)
	}
	p := &Planner{Backend: s, Walker: s, Fingerprints: s, Concurrency: 4}
	resumed, err := p.Plan(ctx, spec, finished)
	if err != nil {
		t.Fatal(err)
	}
	if w := resumed.Writes(); w != 20-succeeded {
		t.Errorf("resume plans %d writes, want %d", w, 20-succeeded)
	}

	// Revert puts the succeeded ones back to not configured.
	ex2 := &Executor{Backend: s, Fingerprints: s, Keeper: s, Concurrency: 2}
	rev := RevertPlan(doc, spec.Def)
	if err := ex2.Run(ctx, Spec{Op: OpRevert, Def: spec.Def}, rev); err != nil {
		t.Fatal(err)
	}
	for _, tg := range doc.Targets {
		if tg.Result == Succeeded {
			if st, _ := s.Get(ctx, parseTarget(tg.Name), spec.Def); st.Configured {
				t.Errorf("%s still configured after revert", tg.Name)
			}
		}
	}
}

// Below GitLab 17.9 there is no group API: auto writes per project, and --strategy group is
// refused before anything is read.
func TestOldServerFallsBackToProjects(t *testing.T) {
	fake := gitlabfake.New(gitlabfake.WithVersion("17.5.0"))
	t.Cleanup(fake.Close)
	c := newGitLab(t, fake)
	fake.AddProject("acme/web", false)
	fake.AddProject("acme/api", false)
	s := newStore(t)
	spec := Spec{
		Op: OpConfigure, Def: def(t, "jira"), Groups: []client.Scope{group("acme")}, Subgroups: true, Strategy: Auto,
		Values: map[string]string{"url": "https://jira.example", "password": "p"},
	}
	if rep := plan(t, c, s, spec); rep.Writes() != 2 {
		t.Errorf("auto on 17.5: %d writes, want 2 (per project)", rep.Writes())
	}
	spec.Strategy = GroupLevel
	p := &Planner{Backend: c, Walker: c, Fingerprints: s, Concurrency: 2}
	if _, err := p.Plan(context.Background(), spec, nil); err == nil || !strings.Contains(err.Error(), "17.9") {
		t.Errorf("--strategy group on 17.5: %v", err)
	}
}

// The plan shows the events the write will store: added events start from the defaults a new
// configuration gets, as the write does.
func TestPlannedEventsAreTheWrittenOnes(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.Ensure(ctx, project("acme/web")); err != nil {
		t.Fatal(err)
	}
	jenkins := def(t, "jenkins")
	spec := Spec{
		Op: OpConfigure, Def: jenkins, Groups: []client.Scope{group("acme")}, Subgroups: true, Strategy: Auto,
		Values: map[string]string{"jenkins_url": "https://ci.example", "project_name": "b"},
		Events: func(level integrations.Level, cur map[string]bool) map[string]bool {
			cur["tag_push"] = true
			return cur
		},
	}
	rep := runPlan(t, s, s, spec)
	var planned any
	for _, c := range byTarget(rep)["project:acme/web"].Changes {
		if c.Field == "events" {
			planned = c.After
		}
	}
	st, err := s.Get(ctx, project("acme/web"), jenkins)
	if err != nil {
		t.Fatal(err)
	}
	var stored []string
	for _, e := range jenkins.SupportedEvents(integrations.Project) {
		if st.Events[e] {
			stored = append(stored, e)
		}
	}
	if fmt.Sprint(planned) != fmt.Sprint(stored) || fmt.Sprint(stored) != "[push tag_push]" {
		t.Errorf("planned events %v, stored %v", planned, stored)
	}
}

// A read that fails stops the plan: the walk goes no further, no read starts after it, and the
// error names the target. One at a time, the reads before it are exactly those issued.
func TestReadErrorStopsThePlan(t *testing.T) {
	fake := gitlabfake.New()
	t.Cleanup(fake.Close)
	fake.AddToken("tok", gitlabfake.Token{Username: "admin", Scopes: []string{"api"}, AccessLevel: 40})
	fake.AddGroup("big")
	ids := map[int64]string{}
	var failing int64
	for i := range 40 {
		path := fmt.Sprintf("big/p%02d", i)
		id := fake.AddProject(path, false)
		ids[id] = path
		if i == 5 {
			failing = id
		}
	}
	read := func(path string) (int64, bool) {
		var id int64
		_, err := fmt.Sscanf(path, "/projects/%d/integrations/jenkins", &id)
		return id, err == nil
	}
	fake.FailMatching(500, func(method, path string) bool {
		id, ok := read(path)
		return ok && method == "GET" && id == failing
	})
	c, err := gitlab.New(fake.URL, "tok", gitlab.WithHTTPClient(fake.Client()), gitlab.WithAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	spec := Spec{Op: OpDisable, Def: def(t, "jenkins"), Groups: []client.Scope{group("big")}, Subgroups: true, Strategy: Auto}
	p := &Planner{Backend: c, Walker: c, Concurrency: 1}
	_, err = p.Plan(context.Background(), spec, nil)
	if err == nil || !strings.Contains(err.Error(), "big/p05") {
		t.Fatalf("plan with a failing read: %v, want an error naming big/p05", err)
	}
	var got []string
	for _, r := range fake.Requests() {
		if id, ok := read(r.Path); ok {
			got = append(got, ids[id])
		}
	}
	if want := "big/p00 big/p01 big/p02 big/p03 big/p04 big/p05"; strings.Join(got, " ") != want {
		t.Errorf("reads issued: %v, want %s and nothing after the failure", got, want)
	}
}
