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

// logs are request logs by scope and name.
type logs map[string][]Delivery

func (l logs) RecentIntegrationDeliveries(_ context.Context, s client.Scope, name string) ([]Delivery, error) {
	return l[s.String()+" "+name], nil
}

func (l logs) RecentHookDeliveries(_ context.Context, s client.Scope, id int64) ([]Delivery, error) {
	return l[s.String()+" "+strconv.FormatInt(id, 10)], nil
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
	failed := Delivery{Time: now, Status: "500"}
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
	d := &Doctor{Backend: s, Hooks: s, HookLog: logs{"project:acme/web 2": {{Time: now, Status: "404"}}}}
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
	tested  []string
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

func (f *fakeHooks) TestHook(_ context.Context, _ client.Scope, id int64, event string) error {
	f.tested = append(f.tested, event)
	if err := f.answers[id]; err != nil {
		return err
	}
	f.hooks[id].AlertStatus, f.hooks[id].DisabledUntil = "executable", nil
	return nil
}

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
