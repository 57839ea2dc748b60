package manifest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forgekit/integrations/internal/bulk"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/client/gitlab"
	"github.com/forgekit/integrations/internal/client/local"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
)

func TestReadNamesFileLineAndField(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"version: 1\nscopes:\n  project:acme/web:\n    slak: {}\n", `m.yaml:4: project:acme/web: unknown integration "slak" (did you mean "slack"?)`},
		{"version: 1\nscopes:\n  project:acme/web:\n    slack:\n      settings:\n        webhook: env:X\n        chanel: '#a'\n", `m.yaml:7: project:acme/web slack: no field "chanel"`},
		{"version: 1\nscopes:\n  project:acme/web:\n    irker:\n      settings:\n        recipients: a\n        server_port: many\n", `m.yaml:7: irker: server_port: "many" is not a whole number`},
		{"version: 1\nscopes:\n  project:acme/web:\n    slack:\n      settings:\n        webhook: env:X\n      events: [push, build]\n", `m.yaml:7: project:acme/web slack: slack does not support the "build" event`},
		{"version: 1\nscopes:\n  project:acme/web:\n    slack:\n      settings:\n        webhook: https://hooks.example/literal\n", `m.yaml:6: project:acme/web slack: webhook is a secret: write it as a reference`},
		{"version: 1\nscopes:\n  project:acme/web:\n    jira:\n      settings:\n        url: https://j.example\n", `m.yaml:4: project:acme/web jira: missing required password`},
		{"version: 1\nscopes:\n  group:acme:\n    jenkins:\n      active: true\n", `m.yaml:4: group:acme jenkins: jenkins cannot be set at group level`},
		{"version: 1\nscopes:\n  team:acme:\n    slack: {}\n", `m.yaml:3: scope "team:acme": want instance, group:PATH or project:PATH`},
		{"version: 1\nscopes:\n  project:acme/web:\n    slack:\n      inherit: true\n      active: false\n", `m.yaml:4: project:acme/web slack: inherit takes no active`},
		{"version: 2\n", `m.yaml:1: version "2" is not supported`},
		{"scopes: [\n", `m.yaml: not valid YAML`},
	}
	for _, c := range cases {
		_, err := Read("m.yaml", []byte(c.yaml))
		var me *Error
		if !errors.As(err, &me) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("for\n%s\ngot  %v\nwant …%s…", c.yaml, err, c.want)
		}
	}
}

func openStore(t *testing.T) *local.Store {
	t.Helper()
	s, err := local.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func apply(t *testing.T, b client.Backend, store *local.Store, entries []Entry, prune bool) *bulk.Report {
	t.Helper()
	rep, err := (&Planner{Backend: b, Fingerprints: store}).Plan(context.Background(), entries, prune)
	if err != nil {
		t.Fatal(err)
	}
	if err := (&bulk.Executor{Backend: b, Fingerprints: store, Keeper: store, Concurrency: 4}).Run(context.Background(), bulk.Spec{}, rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

func lookup(t *testing.T, name string) integrations.Definition {
	t.Helper()
	d, err := integrations.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Export, then apply to an empty store with the secrets supplied through the references, gives
// the same state: the same export, and the same secrets.
func TestExportApplyReproducesTheStore(t *testing.T) {
	t.Setenv("INTEGRATIONS_SECRET_KEY", "manifest tests")
	ctx := context.Background()
	src := openStore(t)
	on, off := true, false
	save := func(scope client.Scope, name string, values map[string]string, events map[string]bool, active *bool) {
		t.Helper()
		if _, err := src.Save(ctx, scope, lookup(t, name), client.Update{Values: values, Events: events, Active: active}); err != nil {
			t.Fatal(err)
		}
	}
	acme := client.Scope{Level: integrations.Group, Path: "acme"}
	web := client.Scope{Level: integrations.Project, Path: "acme/web"}
	api := client.Scope{Level: integrations.Project, Path: "acme/api"}
	save(acme, "jira", map[string]string{"url": "https://jira.example.com", "password": "jira-secret", "jira_auth_type": "1"}, map[string]bool{"commit": false}, &on)
	save(web, "slack", map[string]string{"webhook": "https://hooks.example/s", "channel": "#dev", "notify_only_broken_pipelines": "false"}, map[string]bool{"push": true, "note": false}, &on)
	save(api, "datadog", map[string]string{"api_key": "abc123"}, nil, &off)
	if _, err := src.Ensure(ctx, client.Scope{Level: integrations.Project, Path: "acme/docs"}); err != nil {
		t.Fatal(err)
	}

	scopes, _ := src.Scopes(ctx)
	file, needed, err := (&Exporter{Backend: src}).Export(ctx, scopes)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := Encode(file, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"jira-secret", "hooks.example/s", "abc123"} {
		if strings.Contains(string(raw), secret) {
			t.Fatalf("the export holds a secret:\n%s", raw)
		}
	}
	if len(needed) != 3 || !strings.Contains(string(raw), "env:INTEGRATIONS_GROUP_ACME_JIRA_PASSWORD") {
		t.Fatalf("secret references: %v\n%s", needed, raw)
	}
	t.Setenv("INTEGRATIONS_GROUP_ACME_JIRA_PASSWORD", "jira-secret")
	t.Setenv("INTEGRATIONS_PROJECT_ACME_WEB_SLACK_WEBHOOK", "https://hooks.example/s")
	t.Setenv("INTEGRATIONS_PROJECT_ACME_API_DATADOG_API_KEY", "abc123")

	entries, err := Read("export.yaml", raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := Resolve("export.yaml", entries, envResolver); err != nil {
		t.Fatal(err)
	}
	dst := openStore(t)
	rep := apply(t, dst, dst, entries, false)
	if rep.Totals.Failed != 0 {
		t.Fatalf("apply failed: %+v", rep.Targets)
	}
	scopes2, _ := dst.Scopes(ctx)
	file2, _, err := (&Exporter{Backend: dst}).Export(ctx, scopes2)
	if err != nil {
		t.Fatal(err)
	}
	raw2, _ := Encode(file2, "test")
	if string(raw2) != string(raw) {
		t.Errorf("the re-export differs:\n%s\n---\n%s", raw, raw2)
	}
	for _, c := range []struct {
		scope       client.Scope
		name, field string
		want        string
	}{{acme, "jira", "password", "jira-secret"}, {web, "slack", "webhook", "https://hooks.example/s"}, {api, "datadog", "api_key", "abc123"}} {
		st, err := dst.Get(ctx, c.scope, lookup(t, c.name))
		if err != nil || st.Values[c.field] != c.want {
			t.Errorf("%s %s %s = %q, %v", c.scope, c.name, c.field, st.Values[c.field], err)
		}
	}
	// And applying again changes nothing.
	if again := apply(t, dst, dst, entries, false); again.Writes() != 0 {
		t.Errorf("second apply planned %d writes", again.Writes())
	}
}

func envResolver(v string) (string, error) {
	name := strings.TrimPrefix(v, "env:")
	if got, ok := os.LookupEnv(name); ok {
		return got, nil
	}
	return "", errors.New(name + " is not set")
}

// On GitLab the secrets cannot be read back: the second apply recognises them through the
// fingerprints of what the first wrote, and --prune disables what the file leaves out.
func TestApplyTwiceOnGitLabAndPrune(t *testing.T) {
	t.Setenv("INTEGRATIONS_SECRET_KEY", "manifest tests")
	fake := gitlabfake.New()
	t.Cleanup(fake.Close)
	fake.AddToken("tok", gitlabfake.Token{Username: "a", Scopes: []string{"api"}, AccessLevel: 40})
	fake.AddProject("acme/web", false)
	fake.SetIntegration("project", "acme/web", "pumble", map[string]any{"webhook": "https://p.example/x"}, nil, true)
	c, err := gitlab.New(fake.URL, "tok", gitlab.WithHTTPClient(fake.Client()))
	if err != nil {
		t.Fatal(err)
	}
	store := openStore(t)
	doc := "version: 1\nscopes:\n  project:acme/web:\n    slack:\n      settings:\n        webhook: env:HOOK\n        channel: '#ops'\n      events: [push]\n"
	t.Setenv("HOOK", "https://hooks.example/one")
	entries, err := Read("m.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := Resolve("m.yaml", entries, envResolver); err != nil {
		t.Fatal(err)
	}
	if rep := apply(t, c, store, entries, false); rep.Totals.Succeeded != 1 {
		t.Fatalf("first apply: %+v", rep.Totals)
	}
	if rec, _ := fake.Integration("project", "acme/web", "slack"); rec.Properties["webhook"] != "https://hooks.example/one" || rec.Properties["channel"] != "#ops" {
		t.Errorf("server state: %+v", rec.Properties)
	}
	rep, err := (&Planner{Backend: c, Fingerprints: store}).Plan(context.Background(), entries, true)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bulk.Action{}
	for _, tg := range rep.Targets {
		got[tg.Name] = tg.Action
	}
	if got["project:acme/web slack"] != bulk.ActUnchanged || got["project:acme/web pumble"] != bulk.ActDisable || len(got) != 2 {
		t.Errorf("second plan with --prune: %v", got)
	}
}
