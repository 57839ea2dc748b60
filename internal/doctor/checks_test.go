package doctor

import (
	"strings"
	"testing"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

var (
	now = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	web = client.Scope{Level: integrations.Project, Path: "acme/web"}
)

func lookup(t *testing.T, name string) integrations.Definition {
	t.Helper()
	d, err := integrations.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func checks(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Check
	}
	return out
}

func TestCheckHookReportsWhatGitLabStoppedCalling(t *testing.T) {
	later, earlier := now.Add(time.Hour), now.Add(-time.Minute)
	for _, tc := range []struct {
		name   string
		status string
		until  *time.Time
		want   string
	}{
		{"executable", "executable", nil, ""},
		{"unknown", "", nil, ""},
		{"disabled", "disabled", nil, HookDisabled},
		{"paused", "temporarily_disabled", &later, HookBackingOff},
		{"pause over", "temporarily_disabled", &earlier, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := client.Hook{ID: 7, Scope: web, Values: map[string]string{"url": "https://ci.example.com/hook"}, AlertStatus: tc.status, DisabledUntil: tc.until}
			got := CheckHook(h, now)
			if tc.want == "" {
				if len(got) != 0 {
					t.Fatalf("got %v, want nothing", got)
				}
				return
			}
			if len(got) != 1 || got[0].Check != tc.want || !got[0].Fixable || *got[0].HookID != 7 || got[0].Name != "https://ci.example.com/hook" {
				t.Fatalf("got %+v, want one fixable %s for hook 7", got, tc.want)
			}
			if !strings.Contains(got[0].Fix, "doctor --fix -p acme/web") {
				t.Errorf("fix %q does not say how", got[0].Fix)
			}
			if tc.until != nil && !strings.Contains(got[0].Problem, "2026-12-02T13:00:00Z") {
				t.Errorf("problem %q does not say until when", got[0].Problem)
			}
		})
	}
}

func TestCheckHookSecretsNeedsEveryURLVariable(t *testing.T) {
	h := client.Hook{ID: 3, Scope: web, Values: map[string]string{"url": "https://ci.example.com/{team}/{key}"}}
	if got := CheckHookSecrets(h); len(got) != 0 {
		t.Fatalf("variables unknown (GitLab's project list): got %v, want nothing", got)
	}
	h.URLVariables = map[string]string{"team": ""}
	got := CheckHookSecrets(h)
	if len(got) != 1 || got[0].Check != MissingSecret || !strings.Contains(got[0].Problem, "{key}") || strings.Contains(got[0].Problem, "{team}") {
		t.Fatalf("got %+v, want key missing", got)
	}
	if !strings.Contains(got[0].Fix, "--set url_variables.key=env:") {
		t.Errorf("fix %q does not name the flag", got[0].Fix)
	}
	h.URLVariables["key"] = ""
	if got := CheckHookSecrets(h); len(got) != 0 {
		t.Fatalf("all set: got %v", got)
	}
}

func activeState(t *testing.T, name string, values map[string]string, unknown ...string) (integrations.Definition, client.State) {
	t.Helper()
	st := client.State{Name: name, Scope: web, Configured: true, Active: true, Values: values, Unknown: map[string]bool{}}
	for _, u := range unknown {
		st.Unknown[u] = true
	}
	return lookup(t, name), st
}

func TestCheckIntegrationFindsWhatCanNoLongerWork(t *testing.T) {
	for _, tc := range []struct {
		name        string
		integration string
		values      map[string]string
		unknown     []string
		want        []string
	}{
		{"slack notifications are deprecated", "slack", map[string]string{"webhook": "https://hooks.slack.com/services/x"}, nil, []string{DeprecatedIntegration}},
		{"removed", "flowdock", map[string]string{"token": "t"}, nil, []string{RemovedIntegration}},
		{"teams connector", "microsoft_teams", map[string]string{"webhook": "https://acme.webhook.office.com/webhookb2/1@2/IncomingWebhook/3/4"}, nil, []string{RetiredAddress}},
		{"teams workflow", "microsoft_teams", map[string]string{"webhook": "https://prod-1.westeurope.logic.azure.com/workflows/x"}, nil, nil},
		{"secret not set", "microsoft_teams", map[string]string{}, nil, []string{MissingSecret}},
		{"secret unknown (GitLab)", "microsoft_teams", map[string]string{}, []string{"webhook"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			def, st := activeState(t, tc.integration, tc.values, tc.unknown...)
			got := checks(CheckIntegration(def, st))
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("checks %v, want %v", got, tc.want)
			}
		})
	}
	def, st := activeState(t, "microsoft_teams", map[string]string{})
	st.Active = false
	if got := CheckIntegration(def, st); len(got) != 0 {
		t.Fatalf("inactive settings: got %v, want nothing (GitLab does not run them)", got)
	}
	def, st = activeState(t, "microsoft_teams", map[string]string{"webhook": "https://outlook.office.com/webhook/SECRET-CANARY"})
	for _, f := range CheckIntegration(def, st) {
		if strings.Contains(f.Problem+f.Fix, "CANARY") {
			t.Fatalf("a secret reached the report: %+v", f)
		}
	}
}

func TestDescribeFailures(t *testing.T) {
	ok := Delivery{Time: now, Status: "200", OK: true}
	bad := Delivery{Time: now, Status: "500", Error: "boom"}
	for _, tc := range []struct {
		ds   []Delivery
		want string
	}{
		{nil, ""},
		{[]Delivery{ok, bad}, ""},
		{[]Delivery{bad, ok}, "the last delivery failed (newest 2026-12-02T12:00:00Z: 500: boom)"},
		{[]Delivery{bad, bad, ok}, "the last 2 deliveries failed"},
		{[]Delivery{bad, {Time: now, Status: "internal error"}}, "all 2 recent deliveries failed"},
	} {
		if got := DescribeFailures(tc.ds); !strings.HasPrefix(got, tc.want) || (tc.want == "") != (got == "") {
			t.Errorf("DescribeFailures(%v) = %q, want %q…", tc.ds, got, tc.want)
		}
	}
}

func TestTestEventIsOneGitLabCanTest(t *testing.T) {
	grp := client.Scope{Level: integrations.Group, Path: "acme"}
	for _, tc := range []struct {
		scope  client.Scope
		events map[string]bool
		want   string
	}{
		{web, map[string]bool{"push": true, "pipeline": true}, "push"},
		{web, map[string]bool{"pipeline": true}, "pipeline"},
		{grp, map[string]bool{"member": true, "subgroup": true, "issue": true}, "issue"},
		{grp, map[string]bool{"member": true}, "push"},
		{client.InstanceScope, map[string]bool{"push": true}, ""},
	} {
		if got := TestEvent(client.Hook{Scope: tc.scope, Events: tc.events}); got != tc.want {
			t.Errorf("TestEvent(%s %v) = %q, want %q", tc.scope, tc.events, got, tc.want)
		}
	}
}
