package doctor

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/client/local"
	"github.com/forgekit/integrations/internal/integrations"
)

func openStore(t *testing.T) *local.Store {
	t.Helper()
	t.Setenv("INTEGRATIONS_SECRET_KEY", "doctor tests")
	s, err := local.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func save(t *testing.T, s *local.Store, sc client.Scope, name string, values map[string]string) {
	t.Helper()
	on := true
	if _, err := s.Save(context.Background(), sc, lookup(t, name), client.Update{Values: values, Active: &on}); err != nil {
		t.Fatal(err)
	}
}

// logs are request logs by "scope name" (integrations) and "scope id" (hooks).
type logs map[string][]client.LogEntry

func (l logs) Logs(_ context.Context, _, scope, name string, limit int, _ bool) ([]client.LogEntry, error) {
	return l[scope+" "+name], nil
}

func (l logs) HookEvents(_ context.Context, s client.Scope, id int64, _ client.EventFilter) ([]client.HookDelivery, error) {
	var out []client.HookDelivery
	for _, e := range l[s.String()+" "+strconv.FormatInt(id, 10)] {
		out = append(out, client.HookDelivery{Time: e.Time, Status: e.Status, OK: e.OK, Error: e.Error})
	}
	return out, nil
}

// Settings set at a group are reported there, not again at every project that inherits them,
// unless the project is the scope asked about.
func TestExamineReportsSettingsWhereTheyAreSet(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	acme := client.Scope{Level: integrations.Group, Path: "acme"}
	save(t, s, acme, "microsoft_teams", map[string]string{"webhook": "https://acme.webhook.office.com/webhookb2/x"})
	save(t, s, web, "slack", map[string]string{"webhook": "https://hooks.slack.com/services/x"})
	save(t, s, web, "jenkins", map[string]string{"jenkins_url": "https://ci.example.com", "project_name": "web"})
	failed := client.LogEntry{Time: now, Status: 500}
	d := &Doctor{Backend: s, Hooks: s, GroupIntegrations: true, IntegrationLog: logs{"project:acme/web jenkins": {failed}}}

	below, err := d.Examine(ctx, web, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(checks(below.Findings), ","); got != FailingDeliveries+","+DeprecatedIntegration {
		t.Fatalf("below the group: %s, want jenkins failing and slack deprecated, not the inherited Teams", got)
	}
	if below.Integrations != 2 {
		t.Errorf("checked %d integrations, want 2 (the inherited one is checked at the group)", below.Integrations)
	}
	asked, err := d.Examine(ctx, web, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := checks(asked.Findings); !strings.Contains(strings.Join(got, ","), RetiredAddress) {
		t.Fatalf("the project asked about: %v, want the inherited Teams connector too", got)
	}
}

func TestExamineReportsHooksWhoseDeliveriesFail(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	if _, err := s.AddHook(ctx, web, client.HookChange{Values: map[string]string{"url": "https://ci.example.com/{key}"}, URLVariables: map[string]string{"key": "K"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddHook(ctx, web, client.HookChange{Values: map[string]string{"url": "https://ci.example.com/ok"}}); err != nil {
		t.Fatal(err)
	}
	d := &Doctor{Backend: s, Hooks: s, HookLog: logs{"project:acme/web 2": {{Time: now, Status: 404}}}}
	r, err := d.Examine(ctx, web, true)
	if err != nil {
		t.Fatal(err)
	}
	if r.Hooks != 2 || len(r.Findings) != 1 || r.Findings[0].Check != FailingDeliveries || *r.Findings[0].HookID != 2 {
		t.Fatalf("got %d hooks, %+v; want hook 2 failing", r.Hooks, r.Findings)
	}
}

// fakeHooks hold hooks GitLab disabled; a test that the receiver answers re-enables one.
type fakeHooks struct {
	client.Hooks
	hooks   map[int64]*client.Hook
	answers map[int64]error
	// status is a receiver's answer that leaves the hook disabled.
	status map[int64]int
	// limited is how many tests of a hook still get GitLab's 429.
	limited map[int64]int
	tested  []string
	limit   int
	clock   *time.Time
	at      []time.Time
}

func (f *fakeHooks) ListHooks(context.Context, client.Scope) ([]client.Hook, error) {
	var out []client.Hook
	for id := int64(1); id <= int64(len(f.hooks)); id++ {
		out = append(out, *f.hooks[id])
	}
	return out, nil
}

func (f *fakeHooks) GetHook(_ context.Context, _ client.Scope, id int64) (client.Hook, error) {
	return *f.hooks[id], nil
}

func (f *fakeHooks) TestHook(_ context.Context, _ client.Scope, id int64, event string) (client.HookDelivery, error) {
	f.tested = append(f.tested, event)
	if f.clock != nil {
		f.at = append(f.at, *f.clock)
	}
	if err := f.answers[id]; err != nil {
		return client.HookDelivery{}, err
	}
	if f.limited[id] > 0 {
		f.limited[id]--
		return client.HookDelivery{}, &client.RateLimitError{Where: "gitlab.example.com", RetryAfter: 30 * time.Second}
	}
	if f.status[id] != 0 {
		return client.HookDelivery{Status: f.status[id], Error: "the receiver answered " + strconv.Itoa(f.status[id])}, nil
	}
	f.hooks[id].AlertStatus, f.hooks[id].DisabledUntil = "executable", nil
	return client.HookDelivery{Status: 200, OK: true}, nil
}

func (f *fakeHooks) DeliveryLimit() (int, time.Duration) { return f.limit, time.Minute }

type noIntegrations struct{ client.Backend }

func (noIntegrations) List(context.Context, client.Scope) ([]client.State, error) { return nil, nil }

func TestRepairTestsDisabledHooksAndKeepsWhatStaysBroken(t *testing.T) {
	until := now.Add(time.Hour)
	f := &fakeHooks{
		hooks: map[int64]*client.Hook{
			1: {ID: 1, Scope: web, Values: map[string]string{"url": "https://a.example.com"}, Events: map[string]bool{"pipeline": true}, AlertStatus: "disabled"},
			2: {ID: 2, Scope: web, Values: map[string]string{"url": "https://b.example.com"}, AlertStatus: "temporarily_disabled", DisabledUntil: &until},
			3: {ID: 3, Scope: web, Values: map[string]string{"url": "https://c.example.com"}, AlertStatus: "executable"},
		},
		answers: map[int64]error{2: errors.New("GitLab refused the test: receiver answered 500")},
	}
	d := &Doctor{Backend: noIntegrations{}, Hooks: f, Now: func() time.Time { return now }}
	sr, err := d.Examine(context.Background(), web, true)
	if err != nil {
		t.Fatal(err)
	}
	rep := NewReport(web, []ScopeReport{sr})
	if rep.OK || len(rep.Findings) != 2 {
		t.Fatalf("before: %+v, want two disabled hooks", rep.Findings)
	}
	plan := rep.PlanRepairs()
	if len(plan) != 2 || *plan[0].Event != "pipeline" || *plan[1].Event != "push" || plan[0].Result != RepairPlanned {
		t.Fatalf("plan %+v, want hooks 1 (pipeline) and 2 (push)", plan)
	}
	if err := d.Repair(context.Background(), f, rep, plan, nil); err != nil {
		t.Fatal(err)
	}
	if rep.Repairs[0].Result != RepairFixed || rep.Repairs[1].Result != RepairFailed || !strings.Contains(*rep.Repairs[1].Error, "500") {
		t.Fatalf("repairs %+v, want 1 fixed and 2 failed with the receiver's answer", rep.Repairs)
	}
	if rep.OK || len(rep.Findings) != 1 || *rep.Findings[0].HookID != 2 {
		t.Fatalf("after: %+v, want only hook 2 left", rep.Findings)
	}
	if strings.Join(f.tested, ",") != "pipeline,push" {
		t.Errorf("tested %v", f.tested)
	}
}

type refusedHooks struct{ client.Hooks }

func (refusedHooks) ListHooks(context.Context, client.Scope) ([]client.Hook, error) {
	return nil, fmt.Errorf("%w: group hooks need GitLab Premium and the Owner role", client.ErrUnauthorized)
}

// A group whose hooks the token may not read is said to be unchecked; the rest goes on.
func TestExamineGoesOnWhereHooksCannotBeRead(t *testing.T) {
	d := &Doctor{Backend: noIntegrations{}, Hooks: refusedHooks{}, GroupIntegrations: true}
	r, err := d.Examine(context.Background(), client.Scope{Level: integrations.Group, Path: "acme"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Unchecked) != 1 || !strings.Contains(r.Unchecked[0], "hooks at group:acme: unauthorized: group hooks need GitLab Premium") {
		t.Fatalf("unchecked %q", r.Unchecked)
	}
}

// pacedDoctor examines web through f on a clock that sleeps by moving on, noting each wait
// it says.
func pacedDoctor(t *testing.T, f *fakeHooks, clock *time.Time, waited *[]time.Duration) (*Doctor, *Report) {
	t.Helper()
	d := &Doctor{
		Backend: noIntegrations{}, Hooks: f,
		Now:     func() time.Time { return *clock },
		Sleep:   func(_ context.Context, w time.Duration) error { *clock = clock.Add(w); return nil },
		Waiting: func(_ client.Scope, w time.Duration) { *waited = append(*waited, w) },
	}
	sr, err := d.Examine(context.Background(), web, true)
	if err != nil {
		t.Fatal(err)
	}
	return d, NewReport(web, []ScopeReport{sr})
}

// GitLab allows 5 tests a minute per project, shared by its hooks: a repair of more hooks at
// one project waits for the window instead of running into 429s, and says so.
func TestRepairKeepsWithinTheTestLimit(t *testing.T) {
	clock := now
	f := &fakeHooks{hooks: map[int64]*client.Hook{}, limit: 5, clock: &clock, status: map[int64]int{7: 500}}
	for id := int64(1); id <= 7; id++ {
		f.hooks[id] = &client.Hook{ID: id, Scope: web, Values: map[string]string{"url": "https://x.example.com/" + strconv.FormatInt(id, 10)}, AlertStatus: "disabled"}
	}
	var waited []time.Duration
	d, rep := pacedDoctor(t, f, &clock, &waited)
	plan := rep.PlanRepairs()
	if got := PlanWait(plan, 5, time.Minute); got != time.Minute {
		t.Errorf("the plan says it waits %s, want 1m0s", got)
	}
	if err := d.Repair(context.Background(), f, rep, plan, nil); err != nil {
		t.Fatal(err)
	}
	if len(f.at) != 7 || f.at[5].Sub(f.at[0]) < time.Minute || f.at[4].Sub(f.at[0]) != 0 {
		t.Fatalf("tests at %v: want 5 at once, the 6th a minute after the first", f.at)
	}
	if len(waited) != 1 || waited[0] != time.Minute {
		t.Errorf("waits said: %v, want one of 1m0s", waited)
	}
	if rep.Repairs[6].Result != RepairFailed || !strings.Contains(*rep.Repairs[6].Error, "did not accept the test: the receiver answered 500") {
		t.Errorf("hook 7, whose receiver still fails: %+v", rep.Repairs[6])
	}
	if len(rep.Findings) != 1 || *rep.Findings[0].HookID != 7 {
		t.Errorf("left: %+v, want hook 7 only", rep.Findings)
	}
}

// Other clients of the same user share GitLab's limit: a 429 is waited out as GitLab asks, and
// the test sent again.
func TestRepairWaitsOutARateLimit(t *testing.T) {
	clock := now
	f := &fakeHooks{
		hooks: map[int64]*client.Hook{1: {ID: 1, Scope: web, Values: map[string]string{"url": "https://a.example.com"}, AlertStatus: "disabled"}},
		limit: 5, clock: &clock, limited: map[int64]int{1: 1},
	}
	var waited []time.Duration
	d, rep := pacedDoctor(t, f, &clock, &waited)
	if err := d.Repair(context.Background(), f, rep, rep.PlanRepairs(), nil); err != nil {
		t.Fatal(err)
	}
	if rep.Repairs[0].Result != RepairFixed || len(f.at) != 2 || f.at[1].Sub(f.at[0]) != 30*time.Second {
		t.Fatalf("repair %+v, tests at %v: want fixed by a second test 30s after the 429", rep.Repairs[0], f.at)
	}
	if len(waited) != 1 || waited[0] != 30*time.Second {
		t.Errorf("waits said: %v", waited)
	}
}
