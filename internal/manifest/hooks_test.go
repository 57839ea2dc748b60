package manifest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/forgekit/integrations/internal/bulk"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/client/gitlab"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
)

// A hook entry breaking the hook kind's rules is refused with the file, line and key.
func TestReadHooksIsStrict(t *testing.T) {
	head := "version: 1\nscopes:\n  project:acme/web:\n    hooks:\n"
	cases := []struct{ yaml, want string }{
		{head + "      - url: https://x.example\n        tokn: env:T\n", `m.yaml:6: project:acme/web hooks[0]: project_hook has no key "tokn"`},
		{head + "      - url: https://x.example\n        events: [push, member]\n", `m.yaml:6: project:acme/web hooks[0]: project_hook does not support the "member" event`},
		{head + "      - url: https://x.example\n        events: push\n", `m.yaml:6: project:acme/web hooks[0]: events: want a list of event names`},
		{head + "      - url: https://x.example\n        enable_ssl_verification: sometimes\n", `m.yaml:6: project:acme/web hooks[0]: project_hook: enable_ssl_verification: "sometimes" is not a boolean`},
		{head + "      - url: https://x.example\n        branch_filter_strategy: everything\n", `m.yaml:6: project:acme/web hooks[0]: project_hook: branch_filter_strategy:`},
		{head + "      - url: https://x.example\n        token: literal\n", `m.yaml:6: project:acme/web hooks[0]: token is a secret: write it as a reference`},
		{head + "      - url: https://x.example\n        custom_headers:\n          X-Key: literal\n", `m.yaml:7: project:acme/web hooks[0]: custom_headers.X-Key is a secret`},
		{head + "      - url: https://x.example\n        custom_headers:\n          'bad key': env:K\n", `m.yaml:7: project:acme/web hooks[0]: project_hook: custom_headers: "bad key" is not a valid name`},
		{head + "      - url: https://x.example\n        custom_headers: [a]\n", `m.yaml:6: project:acme/web hooks[0]: custom_headers: want a mapping of NAME to a reference`},
		{head + "      - name: ci\n", `m.yaml:5: project:acme/web hooks[0]: missing url`},
		{head + "      - url: ftp://x.example\n", `m.yaml:5: project:acme/web hooks[0]: project_hook: url: "ftp://x.example" is not an http(s) URL`},
		{head + "      - url: env:HOOK_URL\n", `m.yaml:5: project:acme/web hooks[0]: url and name identify the hook and cannot be references`},
		{head + "      - url: https://{host}/x\n        url_variables: {}\n", `m.yaml:5: project:acme/web hooks[0]: project_hook: the URL uses {host} but no such URL variable is set`},
		{head + "      - url: https://bot:literal@x.example/hook\n", `m.yaml:5: project:acme/web hooks[0]: url holds a secret in clear`},
		{head + "      - url: https://x.example/hook?token=literal\n", `m.yaml:5: project:acme/web hooks[0]: url holds a secret in clear`},
		{head + "      - url: https://REDACTED@x.example/hook\n", `m.yaml:5: project:acme/web hooks[0]: url holds a secret in clear`},
		{head + "      - url: https://x.example\n        description: [a, b]\n", `m.yaml:6: project:acme/web hooks[0]: description: want a single value`},
		{head + "      url: https://x.example\n", `m.yaml:5: project:acme/web hooks: want a list of hooks`},
		{head + "      - https://x.example\n", `m.yaml:5: project:acme/web hooks[0]: want a mapping with url`},
		{head + "      - name: a\n        url: https://x.example\n      - url: https://x.example\n", `m.yaml:7: project:acme/web hooks: a hook identified by "https://x.example" is given twice (first at line 5)`},
		{head + "      - url: https://x.example\n      - url: https://x.example\n", `m.yaml:6: project:acme/web hooks: a hook identified by "https://x.example" is given twice (first at line 5)`},
		{"version: 1\nscopes:\n  instance:\n    hooks:\n      - url: https://x.example\n        push_events_branch_filter: main\n", `m.yaml:6: instance hooks[0]: system_hook has no key "push_events_branch_filter"`},
		{"version: 1\nscopes:\n  instance:\n    hooks:\n      - url: https://x.example\n        events: [pipeline]\n", `m.yaml:6: instance hooks[0]: system_hook does not support the "pipeline" event`},
	}
	for _, c := range cases {
		_, err := ReadAll("m.yaml", []byte(c.yaml))
		var me *Error
		if !errors.As(err, &me) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("for\n%s\ngot  %v\nwant …%s…", c.yaml, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "literal") {
			t.Errorf("the error repeats a secret: %v", err)
		}
	}
}

// A valid entry gives the fields canonical, the exact sets of variables and headers, and
// every event of the kind on or off; a group's hooks take the group-only events.
func TestReadHooks(t *testing.T) {
	doc := `version: 1
scopes:
  group:acme:
    hooks:
      - name: ci
        url: https://{host}/hook
        url_variables: {host: env:HOST}
        token: env:TOKEN
        enable_ssl_verification: no
        events: [push, member]
    jira:
      inherit: true
  project:acme/web:
    slack:
      settings:
        webhook: env:W
`
	m, err := ReadAll("m.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Entries) != 2 || len(m.Hooks) != 1 || len(m.HookScopes) != 1 || m.HookScopes[0].String() != "group:acme" {
		t.Fatalf("read %d entries, %d hooks at %v", len(m.Entries), len(m.Hooks), m.HookScopes)
	}
	h := m.Hooks[0]
	if h.Kind.Name != "group_hook" || h.Key() != "group:acme hook ci" || h.Line != 5 {
		t.Errorf("hook %s (%s) at line %d", h.Key(), h.Kind.Name, h.Line)
	}
	if h.Values["enable_ssl_verification"] != "false" || h.Values["token"] != "env:TOKEN" || h.URLVariables["host"] != "env:HOST" || h.CustomHeaders != nil {
		t.Errorf("values %v, variables %v, headers %v", h.Values, h.URLVariables, h.CustomHeaders)
	}
	if !h.Events["member"] || !h.Events["push"] || h.Events["pipeline"] || len(h.Events) != len(h.Kind.Events) {
		t.Errorf("events %v", h.Events)
	}
	t.Setenv("TOKEN", "t0ken")
	t.Setenv("HOST", "h.example")
	if err := ResolveHooks("m.yaml", m.Hooks, envResolver); err != nil {
		t.Fatal(err)
	}
	if h.Values["token"] != "t0ken" || h.URLVariables["host"] != "h.example" {
		t.Errorf("resolved: %v %v", h.Values, h.URLVariables)
	}
	t.Setenv("HOST", "two\nlines")
	m, _ = ReadAll("m.yaml", []byte(doc))
	if err := ResolveHooks("m.yaml", m.Hooks, envResolver); err == nil || strings.Contains(err.Error(), "two") {
		t.Errorf("a two-line variable: %v", err)
	}
}

// The streamed export of the local store writes the hooks as the export through ListHooks
// does, at the instance, a group and a project.
func TestStreamedExportHasTheHooks(t *testing.T) {
	t.Setenv("INTEGRATIONS_SECRET_KEY", "manifest tests")
	ctx := context.Background()
	s := openStore(t)
	for _, add := range []struct {
		scope client.Scope
		c     client.HookChange
	}{
		{client.InstanceScope, client.HookChange{Values: map[string]string{"url": "https://audit.example/in", "token": "secret-1"}}},
		{client.Scope{Level: integrations.Group, Path: "acme"}, client.HookChange{Values: map[string]string{"url": "https://b.example/x", "name": "zz"}, Events: map[string]bool{"member": true}}},
		{client.Scope{Level: integrations.Group, Path: "acme"}, client.HookChange{Values: map[string]string{"url": "https://a.example/x", "name": "aa"}}},
		{client.Scope{Level: integrations.Project, Path: "acme/web"}, client.HookChange{
			Values:       map[string]string{"url": "https://{host}/x", "custom_webhook_template": `{"a": "{{object_kind}}"}`},
			URLVariables: map[string]string{"host": "secret-host"}, CustomHeaders: map[string]string{"X-Key": "secret-2"},
		}},
	} {
		if _, err := s.AddHook(ctx, add.scope, add.c); err != nil {
			t.Fatal(err)
		}
	}
	scopes, err := s.Scopes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	header := func(needed []string) string { return "needs: " + strings.Join(needed, ", ") }
	file, needed, err := (&Exporter{Backend: s}).Export(ctx, scopes)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Encode(file, header(needed))
	if err != nil {
		t.Fatal(err)
	}
	snap, err := s.Snapshot(ctx, client.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if _, err := WriteSnapshot(&got, snap, header); err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("streamed:\n%s\nexport:\n%s", got.String(), want)
	}
	for _, line := range []string{
		"INTEGRATIONS_INSTANCE_HOOK_1_TOKEN",
		"      - name: aa\n        url: https://a.example/x\n",
		"      - url: https://{host}/x\n        url_variables:\n          host: env:INTEGRATIONS_PROJECT_ACME_WEB_HOOK_4_URL_VARIABLES_HOST\n",
		"custom_webhook_template: '{\"a\": \"{{object_kind}}\"}'",
		"          - member\n",
	} {
		if !strings.Contains(string(want), line) {
			t.Errorf("export lacks %q:\n%s", line, want)
		}
	}
	if strings.Contains(string(want), "secret-") {
		t.Errorf("export holds a secret:\n%s", want)
	}
	if i, j := strings.Index(string(want), "name: aa"), strings.Index(string(want), "name: zz"); i < 0 || j < i {
		t.Errorf("hooks not in name order:\n%s", want)
	}
}

func hooksClient(t *testing.T) (*gitlab.Client, *gitlabfake.Server) {
	t.Helper()
	fake := gitlabfake.New(gitlabfake.WithVersion("19.5.0"))
	t.Cleanup(fake.Close)
	fake.AddToken("tok", gitlabfake.Token{Username: "a", Scopes: []string{"api"}, AccessLevel: 40})
	fake.AddProject("acme/web", false)
	c, err := gitlab.New(fake.URL, "tok", gitlab.WithHTTPClient(fake.Client()))
	if err != nil {
		t.Fatal(err)
	}
	return c, fake
}

func planHooks(t *testing.T, p *Planner, doc string, prune bool) ([]*bulk.Target, []Needed) {
	t.Helper()
	m, err := ReadAll("m.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := ResolveHooks("m.yaml", m.Hooks, envResolver); err != nil {
		t.Fatal(err)
	}
	targets, needed, err := p.PlanHooks(context.Background(), m, prune)
	if err != nil {
		t.Fatal(err)
	}
	return targets, needed
}

func runTargets(t *testing.T, p *Planner, store bulk.Fingerprints, targets []*bulk.Target) *bulk.Report {
	t.Helper()
	rep := &bulk.Report{Targets: targets}
	rep.Count()
	if err := (&bulk.Executor{Backend: p.Backend, Fingerprints: store, Concurrency: 2}).Run(context.Background(), bulk.Spec{}, rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

// On GitLab: a hook that exists with the same name is updated, never added twice; a URL change
// needs the token and headers GitLab clears, and plan says so when the file lacks them; the
// fingerprints of what apply wrote make the next plan unchanged; --prune removes the rest.
func TestHookPlanOnGitLab(t *testing.T) {
	t.Setenv("INTEGRATIONS_SECRET_KEY", "manifest tests")
	ctx := context.Background()
	c, _ := hooksClient(t)
	store := openStore(t)
	web := client.Scope{Level: integrations.Project, Path: "acme/web"}
	if _, err := c.AddHook(ctx, web, client.HookChange{Values: map[string]string{"url": "https://ci.example.com/a", "name": "ci", "token": "tok-1"}, CustomHeaders: map[string]string{"X-Key": "key-1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddHook(ctx, web, client.HookChange{Values: map[string]string{"url": "https://extra.example.com/x"}}); err != nil {
		t.Fatal(err)
	}
	p := &Planner{Backend: c, Fingerprints: store, File: "m.yaml"}
	head := "version: 1\nscopes:\n  project:acme/web:\n    hooks:\n      - name: ci\n"

	targets, needed := planHooks(t, p, head+"        url: https://ci.example.com/b\n        events: [push, job]\n", false)
	if len(targets) != 1 || targets[0].Action != bulk.ActUpdate || len(needed) != 1 || strings.Join(needed[0].Fields, ",") != "custom_headers.X-Key,token" || needed[0].Line != 5 {
		t.Fatalf("a URL change without the secrets: %v, needed %+v", targets, needed)
	}

	t.Setenv("TOKEN", "tok-2")
	t.Setenv("KEY", "key-1")
	withSecrets := head + "        url: https://ci.example.com/b\n        token: env:TOKEN\n        custom_headers: {X-Key: env:KEY}\n        events: [push, job]\n"
	targets, needed = planHooks(t, p, withSecrets, false)
	if len(needed) != 0 || len(targets) != 1 {
		t.Fatalf("with the secrets: %v, needed %+v", targets, needed)
	}
	// Written under the run's journal, which records the hook as it was, without secrets.
	rep := &bulk.Report{RunID: "run-1", Targets: targets}
	dir := t.TempDir()
	j, err := bulk.NewJournal(dir, bulk.JournalDoc{RunID: rep.RunID, Op: "apply"}, rep)
	if err != nil {
		t.Fatal(err)
	}
	if err := (&bulk.Executor{Backend: c, Fingerprints: store, Concurrency: 2, Journal: j}).Run(ctx, bulk.Spec{}, rep); err != nil || rep.Totals.Succeeded != 1 {
		t.Fatalf("apply: %v %+v", err, rep.Targets[0])
	}
	doc, err := bulk.LoadJournal(dir, "run-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Targets) != 1 || doc.Targets[0].Name != "project:acme/web hook ci" || doc.Targets[0].Result != bulk.Succeeded ||
		doc.Targets[0].Previous.Hook.Values["url"] != "https://ci.example.com/a" || doc.Targets[0].Previous.Hook.Values["token"] != "" {
		t.Errorf("journal: %+v", doc.Targets)
	}
	list, err := c.ListHooks(ctx, web)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("the update doubled the hook: %d hooks", len(list))
	}
	got, err := c.GetHook(ctx, web, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.URL() != "https://ci.example.com/b" || !got.Events["job"] || !got.SecretSet["token"] || len(got.CustomHeaders) != 1 {
		t.Errorf("server state after apply: %+v", got)
	}

	targets, _ = planHooks(t, p, withSecrets, true)
	actions := map[string]bulk.Action{}
	for _, tg := range targets {
		actions[tg.Name] = tg.Action
	}
	if actions["project:acme/web hook ci"] != bulk.ActUnchanged || actions["project:acme/web hook https://extra.example.com/x"] != bulk.ActRemove || len(actions) != 2 {
		t.Fatalf("second plan with --prune: %v", actions)
	}
	runTargets(t, p, store, targets)
	if list, _ := c.ListHooks(ctx, web); len(list) != 1 || list[0].Name() != "ci" {
		t.Errorf("after --prune: %+v", list)
	}

	// A scope that lists no hooks keeps them, even with --prune; an empty list removes them.
	if targets, _ := planHooks(t, p, "version: 1\nscopes:\n  project:acme/web:\n    pumble:\n      active: false\n", true); len(targets) != 0 {
		t.Errorf("a scope without hooks: prunes %v", targets)
	}
	targets, _ = planHooks(t, p, "version: 1\nscopes:\n  project:acme/web:\n    hooks: []\n", true)
	if len(targets) != 1 || targets[0].Action != bulk.ActRemove {
		t.Errorf("hooks: [] with --prune: %v", targets)
	}
}

// Export writes a reference only for a secret the backend says is set: GitLab before 19.0
// does not say, and nothing is invented.
func TestExportInventsNoSecret(t *testing.T) {
	web := client.Scope{Level: integrations.Project, Path: "acme/web"}
	unknown := client.Hook{ID: 3, Scope: web, Values: map[string]string{"url": "https://x.example"}, SecretSet: map[string]bool{}, Events: map[string]bool{"push": true}}
	s, needed := hookSettings(unknown)
	if _, ok := s.Values["token"]; ok || len(needed) != 0 || s.URLVariables != nil || s.CustomHeaders != nil {
		t.Errorf("unknown secrets exported: %+v, needs %v", s, needed)
	}
	withPassword := unknown
	withPassword.Values = map[string]string{"url": "https://bot:pw-CANARY@x.example/hook"}
	if s, _ := hookSettings(withPassword); strings.Contains(s.Values["url"], "CANARY") || !strings.Contains(s.Values["url"], "x.example/hook") {
		t.Errorf("a URL with a password exported as %q", s.Values["url"])
	}
	set := unknown
	set.SecretSet = map[string]bool{"token": true, "signing_token": false}
	s, needed = hookSettings(set)
	if s.Values["token"] != "env:INTEGRATIONS_PROJECT_ACME_WEB_HOOK_3_TOKEN" || s.Values["signing_token"] != "" || len(needed) != 1 {
		t.Errorf("a set token: %+v, needs %v", s.Values, needed)
	}
}

// A hook whose URL was typed with a password in it is planned without showing the password;
// a placeholder in a token parameter is a URL variable's name, and is accepted.
func TestHookPlanHidesURLCredentials(t *testing.T) {
	t.Setenv("INTEGRATIONS_SECRET_KEY", "manifest tests")
	store := openStore(t)
	web := client.Scope{Level: integrations.Project, Path: "acme/web"}
	if _, err := store.AddHook(context.Background(), web, client.HookChange{Values: map[string]string{"url": "https://bot:pw-CANARY@ci.example.com/hook"}}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TOK", "t0k")
	p := &Planner{Backend: store, Fingerprints: store, File: "m.yaml"}
	targets, _ := planHooks(t, p, "version: 1\nscopes:\n  project:acme/web:\n    hooks:\n      - url: https://ci.example.com/hook?token={tok}\n        url_variables: {tok: env:TOK}\n", true)
	if len(targets) != 2 || targets[0].Action != bulk.ActCreate || targets[1].Action != bulk.ActRemove {
		t.Fatalf("plan: %v", targets)
	}
	shown := targets[1].Name + " " + fmt.Sprint(targets[1].Changes)
	if strings.Contains(shown, "CANARY") || !strings.Contains(shown, "ci.example.com/hook") {
		t.Errorf("plan shows %s", shown)
	}
}
