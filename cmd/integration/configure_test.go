package integration

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/client/gitlab"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/cmdutil/cmdtest"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/forms/formstest"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
)

// isUsageError mirrors cmd.Main's mapping to exit code 2.
func isUsageError(err error) bool { return cmdutil.IsUsageError(err) }

func showJSON(t *testing.T, e *cmdtest.Env, args string) showView {
	t.Helper()
	if err := e.Run(showCmd, args+" -o json"); err != nil {
		t.Fatal(err)
	}
	var v showView
	if err := json.Unmarshal(e.Out.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func fieldValue(v showView, name string) fieldView {
	for _, f := range v.Fields {
		if f.Name == name {
			return f
		}
	}
	return fieldView{}
}

func enabled(v showView) []string {
	var out []string
	for _, ev := range v.Events {
		if ev.Enabled != nil && *ev.Enabled {
			out = append(out, ev.Name)
		}
	}
	return out
}

// Every kind of bad input is refused as usage (exit 2) with one clear line, and the store is
// exactly as it was.
func TestConfigureBadInputWritesNothing(t *testing.T) {
	e := cmdtest.New(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badYAML := write("bad.yaml", "webhook: [unclosed\n")
	badJSON := write("bad.json", `{"webhook": "https://hooks.example/x",`)
	listYAML := write("list.yaml", "- webhook\n- channel\n")
	unknownInFile := write("unknown.yaml", "webhook: https://hooks.example/x\nchanel: '#dev'\n")
	seed(t, e, integrations.Project, "acme/web", "slack", true, map[string]string{"webhook": "https://hooks.example/ok"}, nil)
	before := e.Snapshot()

	cases := []struct{ args, want string }{
		{"slak -p acme/web --set webhook=https://x.example", `unknown integration "slak" (did you mean "slack"?)`},
		{"slack -p acme/web --set chanel=#dev", `slack has no field "chanel"`},
		{"slack -p acme/web --set notify_only_broken_pipelines=maybe", `notify_only_broken_pipelines: "maybe" is not a boolean`},
		{"irker -p acme/web --set recipients=a --set server_port=abc", `server_port: "abc" is not a whole number`},
		{"slack -p acme/web --set branches_to_be_notified=feature", `not one of: all, default, protected, default_and_protected`},
		{"slack -p acme/web --events push,build", `slack does not support the "build" event`},
		{"slack -p acme/web --events push,+note", `either a list (a,b) or changes (+a,-b)`},
		{"slack -p acme/web --set webhook=", `slack: missing --set webhook=…`},
		{"jira -p acme/new --set url=https://jira.example", `jira: missing --set password=…`},
		{"slack -p acme/web --from-file " + badYAML, "bad.yaml: not valid YAML or JSON"},
		{"slack -p acme/web --from-file " + badJSON, "bad.json: not valid YAML or JSON"},
		{"slack -p acme/web --from-file " + listYAML, "list.yaml:1: want a mapping"},
		{"slack -p acme/web --from-file " + unknownInFile, `unknown.yaml:2: slack has no field "chanel"`},
		{"slack -p acme/web --from-file " + filepath.Join(dir, "missing.yaml"), "reading " + filepath.Join(dir, "missing.yaml") + ": no such file or directory"},
		{"slack -p acme/web --set webhook", `--set "webhook": want key=value`},
		{"slack -p acme//web --set webhook=https://x.example", `invalid project path "acme//web"`},
		{"slack -p acme/web --set webhook=env:INTEGRATIONS_TEST_UNSET_VAR", `environment variable "INTEGRATIONS_TEST_UNSET_VAR"`},
		{"slack -p acme/web --set webhook=file:" + filepath.Join(dir, "nope"), "no such file or directory"},
		{"slack -p acme/web --set webhook=ftp://x.example", "not an http(s) URL"},
		{"jenkins -g acme --set jenkins_url=https://ci.example --set project_name=x", "jenkins cannot be set at group level; it supports: project"},
		{"beyond_identity -p acme/web --set token=x", "beyond_identity cannot be set at project level; it supports: instance"},
		{"shimo -p acme/web --set external_wiki_url=https://x.example", "shimo was removed from GitLab"},
		{"slack --set webhook=https://x.example", "configure needs a scope"},
		{"slack -g acme/web --set webhook=https://x.example", "acme/web is a project, not a group"},
		{"slack -p acme --set webhook=https://x.example", "acme is a group, not a project"},
		{"slack -p acme/web --use-inherited --set channel=x", "--use-inherited drops the scope's own settings"},
		{"slack -p acme/web/deeper --set webhook=https://x.example", "acme/web is a project, so it cannot contain"},
	}
	for _, c := range cases {
		err := e.Run(configureCmd, c.args)
		if err == nil || !isUsageError(err) {
			t.Errorf("configure %s: got %v, want a usage error", c.args, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("configure %s:\n got: %v\nwant: …%s…", c.args, err, c.want)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("configure %s: error spans lines: %q", c.args, err)
		}
		if after := e.Snapshot(); after != before {
			t.Fatalf("configure %s changed the store:\nbefore:\n%s\nafter:\n%s", c.args, before, after)
		}
	}
	// --use-inherited where no parent has settings.
	if err := e.Run(configureCmd, "slack -p acme/web --use-inherited"); err == nil || !strings.Contains(err.Error(), "no parent of project acme/web has slack settings") {
		t.Errorf("--use-inherited without a parent: %v", err)
	}
	if e.Snapshot() != before {
		t.Fatal("a refused --use-inherited changed the store")
	}
}

func TestConfigureRoundTripsThroughShow(t *testing.T) {
	e := cmdtest.New(t)
	t.Setenv("TEST_SLACK_HOOK", "https://hooks.slack.com/services/T0/B0/CANARY")
	secretFile := filepath.Join(t.TempDir(), "channel")
	if err := os.WriteFile(secretFile, []byte("#from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := e.RunArgs(configureCmd, "slack", "-p", "acme/web", "--set", "webhook=env:TEST_SLACK_HOOK",
		"--set", "channel=file:"+secretFile, "--set", "labels_to_be_notified=a=b,c", "--events", "push,pipeline"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.ErrOut.String(), "Created group acme, project acme/web in the local store") {
		t.Errorf("stderr: %q", e.ErrOut.String())
	}
	v := showJSON(t, e, "slack -p acme/web")
	if !*v.Active || *v.Inherited || fieldValue(v, "channel").Value != "#from-file" || fieldValue(v, "labels_to_be_notified").Value != "a=b,c" {
		t.Errorf("after configure: active %v channel %v labels %v", *v.Active, fieldValue(v, "channel").Value, fieldValue(v, "labels_to_be_notified").Value)
	}
	if got := strings.Join(enabled(v), ","); got != "push,pipeline" {
		t.Errorf("events %s", got)
	}
	st, err := e.Store.Get(t.Context(), client.Scope{Level: integrations.Project, Path: "acme/web"}, mustLookup(t, "slack"))
	if err != nil || st.Values["webhook"] != "https://hooks.slack.com/services/T0/B0/CANARY" {
		t.Errorf("the env: reference was not resolved into the store: %v %v", st.Values["webhook"], err)
	}

	// Only the given fields change; events can be added and removed.
	if err := e.Run(configureCmd, "slack -p acme/web --set channel=#ops --events +note,-push"); err != nil {
		t.Fatal(err)
	}
	v = showJSON(t, e, "slack -p acme/web")
	if fieldValue(v, "channel").Value != "#ops" || !*fieldValue(v, "webhook").Set || strings.Join(enabled(v), ",") != "note,pipeline" {
		t.Errorf("after partial update: channel %v webhook set %v events %v", fieldValue(v, "channel").Value, *fieldValue(v, "webhook").Set, enabled(v))
	}

	// disable keeps the settings; enable restores them.
	if err := e.Run(disableCmd, "slack -p acme/web"); err != nil {
		t.Fatal(err)
	}
	v = showJSON(t, e, "slack -p acme/web")
	if *v.Active || fieldValue(v, "channel").Value != "#ops" {
		t.Errorf("after disable: active %v channel %v", *v.Active, fieldValue(v, "channel").Value)
	}
	if err := e.Run(disableCmd, "slack -p acme/web"); err != nil {
		t.Errorf("disabling twice: %v", err)
	}
	if err := e.Run(enableCmd, "slack -p acme/web"); err != nil {
		t.Fatal(err)
	}
	v = showJSON(t, e, "slack -p acme/web")
	if !*v.Active || fieldValue(v, "channel").Value != "#ops" || strings.Join(enabled(v), ",") != "note,pipeline" {
		t.Errorf("after enable: %v %v %v", *v.Active, fieldValue(v, "channel").Value, enabled(v))
	}

	// --inactive saves without activating; a file supplies fields and events.
	file := filepath.Join(t.TempDir(), "jira.json")
	if err := os.WriteFile(file, []byte(`{"url": "https://jira.example", "password": "env:TEST_SLACK_HOOK", "jira_auth_type": 1, "project_keys": ["A", "B"], "events": {"commit": false}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := e.Run(configureCmd, "jira -g acme --inactive --from-file "+file); err != nil {
		t.Fatal(err)
	}
	v = showJSON(t, e, "jira -g acme")
	if *v.Active || fieldValue(v, "jira_auth_type").Value != float64(1) || strings.Join(enabled(v), ",") != "merge_request" {
		t.Errorf("jira from file: active %v auth %#v events %v", *v.Active, fieldValue(v, "jira_auth_type").Value, enabled(v))
	}
	if keys, _ := fieldValue(v, "project_keys").Value.([]any); len(keys) != 2 {
		t.Errorf("project_keys %v", fieldValue(v, "project_keys").Value)
	}
	if strings.Contains(e.Out.String()+e.ErrOut.String(), "CANARY") {
		t.Error("a secret reached the output")
	}
}

func TestDryRunWritesNothingAndMasksSecrets(t *testing.T) {
	e := cmdtest.New(t)
	seed(t, e, integrations.Project, "acme/web", "slack", true, map[string]string{"webhook": "https://hooks.example/OLD-CANARY"}, nil)
	before := e.Snapshot()
	if err := e.Run(configureCmd, "slack -p acme/web --set webhook=https://hooks.example/NEW-CANARY --set channel=#x --dry-run -o json"); err != nil {
		t.Fatal(err)
	}
	if e.Snapshot() != before {
		t.Fatal("--dry-run wrote")
	}
	var v changeView
	if err := json.Unmarshal(e.Out.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(e.Out.String(), "CANARY") {
		t.Fatalf("dry run shows a secret: %s", e.Out.String())
	}
	want := map[string][2]any{"webhook": {"(set)", "(changed)"}, "channel": {nil, "#x"}}
	if v.Action != "update" || len(v.Changes) != 2 {
		t.Fatalf("change view: %+v", v)
	}
	for _, c := range v.Changes {
		if w := want[c.Field]; c.Before != w[0] || c.After != w[1] {
			t.Errorf("%s: %v → %v, want %v → %v", c.Field, c.Before, c.After, w[0], w[1])
		}
	}
	if err := e.Run(disableCmd, "slack -p acme/web --dry-run"); err != nil || !strings.Contains(e.Out.String(), "\nactive: on → off\n") {
		t.Errorf("disable --dry-run: %v %q", err, e.Out.String())
	}
	if e.Snapshot() != before {
		t.Fatal("enable/disable --dry-run wrote")
	}
}

func TestNoPromptFailsFastListingFlags(t *testing.T) {
	e := cmdtest.New(t, cmdtest.TTY(true))
	e.Factory.IOStreams.SetNeverPrompt(true) // CI=true or --no-input
	err := e.Run(configureCmd, "jira -p acme/web")
	if err == nil || !isUsageError(err) || !strings.Contains(err.Error(), "missing --set url=… --set password=…") {
		t.Errorf("got %v", err)
	}
	if err := e.Run(enableCmd, "jira -p acme/web"); err == nil || !isUsageError(err) {
		t.Errorf("enable of nothing without a terminal: %v", err)
	}
}

func TestInteractiveConfigureUsesTheForm(t *testing.T) {
	p := formstest.New(t)
	e := cmdtest.New(t, cmdtest.TTY(true), cmdtest.WithPrompter(p))
	p.ExpectFill("slack", func(in *forms.Input) error {
		if !in.Active || in.Values["webhook"] != "" || !in.Events["push"] || in.Level != integrations.Project {
			t.Errorf("form starts from %+v", in)
		}
		in.Values["webhook"] = "https://hooks.example/form"
		in.Values["branches_to_be_notified"] = "protected"
		in.Events["note"] = false
		if lines := in.Summary(in); !strings.Contains(strings.Join(lines, "\n"), "webhook: (none) → (set)") {
			t.Errorf("summary: %v", lines)
		}
		return nil
	})
	if err := e.Run(configureCmd, "slack -p acme/web"); err != nil {
		t.Fatal(err)
	}
	v := showJSON(t, e, "slack -p acme/web")
	if fieldValue(v, "branches_to_be_notified").Value != "protected" || !*fieldValue(v, "webhook").Set {
		t.Errorf("form values not saved: %+v", v.Fields[:6])
	}

	// Cancelling writes nothing.
	before := e.Snapshot()
	p.ExpectFill("slack", func(*forms.Input) error { return forms.ErrCancelled })
	if err := e.Run(configureCmd, "slack -p acme/web"); !errors.Is(err, forms.ErrCancelled) {
		t.Errorf("cancel: %v", err)
	}
	if e.Snapshot() != before {
		t.Error("a cancelled form wrote")
	}

	// Flags that leave a required field missing open the form pre-filled with the flags.
	p.ExpectFill("jira", func(in *forms.Input) error {
		if in.Values["url"] != "https://jira.example" {
			t.Errorf("form not pre-filled with --set: %v", in.Values)
		}
		in.Values["password"] = "p"
		return nil
	})
	if err := e.Run(configureCmd, "jira -p acme/web --set url=https://jira.example"); err != nil {
		t.Fatal(err)
	}
	// Complete flags on a terminal do not prompt.
	if err := e.Run(configureCmd, "jira -p acme/web --set jira_issue_prefix=X-"); err != nil {
		t.Fatal(err)
	}
}

func TestUseInheritedAndEnableOfInheritedSettings(t *testing.T) {
	e := cmdtest.New(t)
	seed(t, e, integrations.Group, "acme", "slack", true, map[string]string{"webhook": "https://hooks.example/g", "channel": "#group"}, nil)
	seed(t, e, integrations.Project, "acme/web", "slack", false, map[string]string{"webhook": "https://hooks.example/p", "channel": "#own"}, nil)
	if err := e.Run(configureCmd, "slack -p acme/web --use-inherited"); err != nil {
		t.Fatal(err)
	}
	v := showJSON(t, e, "slack -p acme/web")
	if !*v.Inherited || *v.InheritedFrom != "group:acme" || fieldValue(v, "channel").Value != "#group" || !*v.Active {
		t.Errorf("after --use-inherited: %+v", v)
	}
	if err := e.Run(disableCmd, "slack -p acme/web"); err != nil {
		t.Fatal(err)
	}
	v = showJSON(t, e, "slack -p acme/web")
	if *v.Inherited || *v.Active || fieldValue(v, "channel").Value != "#group" {
		t.Errorf("disabling an inheriting project should opt it out with its own copy: %+v", v)
	}
	if v := showJSON(t, e, "slack -g acme"); !*v.Active {
		t.Error("the group was disabled too")
	}
}

func mustLookup(t *testing.T, name string) integrations.Definition {
	t.Helper()
	d, err := integrations.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A new project under a configured group starts from what it would inherit, and a write that
// changes nothing leaves inherited settings inherited.
func TestNewProjectStartsFromItsGroupAndNoOpsWriteNothing(t *testing.T) {
	e := cmdtest.New(t)
	seed(t, e, integrations.Group, "acme", "jira", true, map[string]string{"url": "https://jira.example", "password": "p"}, nil)
	if err := e.Run(configureCmd, "jira -p acme/new --set jira_issue_prefix=A-"); err != nil {
		t.Fatalf("a project under a configured group needs no repeated settings: %v", err)
	}
	v := showJSON(t, e, "jira -p acme/new")
	if *v.Inherited || fieldValue(v, "url").Value != "https://jira.example" || fieldValue(v, "jira_issue_prefix").Value != "A-" {
		t.Errorf("new project: %+v", v)
	}

	seed(t, e, integrations.Project, "acme/web", "slack", true, map[string]string{"webhook": "https://hooks.example/x"}, nil)
	if err := e.Run(configureCmd, "jira -p acme/web --use-inherited"); err != nil {
		t.Fatal(err)
	}
	before := e.Snapshot()
	if err := e.Run(eventsCmd, "jira -p acme/web --enable commit"); err != nil {
		t.Fatal(err)
	}
	if err := e.Run(configureCmd, "jira -p acme/web --set url=https://jira.example"); err != nil {
		t.Fatal(err)
	}
	if e.Snapshot() != before {
		t.Error("a write that changes nothing wrote (and turned inherited settings into custom ones)")
	}
	if v := showJSON(t, e, "jira -p acme/web"); !*v.Inherited {
		t.Error("still inherited expected")
	}
}

// The form's header names the scope and the server as a person knows them.
func TestFormHeaderNamesTheServer(t *testing.T) {
	fake := gitlabfake.New()
	t.Cleanup(fake.Close)
	fake.AddToken("tok", gitlabfake.Token{Username: "admin", Scopes: []string{"api"}, AccessLevel: 40})
	fake.AddGroup("acme")
	c, err := gitlab.New(fake.URL, "tok", gitlab.WithHTTPClient(fake.Client()))
	if err != nil {
		t.Fatal(err)
	}
	p := formstest.New(t)
	e := cmdtest.New(t, cmdtest.TTY(true), cmdtest.WithPrompter(p), cmdtest.WithBackend(c))
	host := strings.TrimPrefix(strings.TrimPrefix(fake.URL, "http://"), "https://")
	p.ExpectFill("jira", func(in *forms.Input) error {
		if want := "group:acme on " + host; in.Where != want {
			t.Errorf("header %q, want %q", in.Where, want)
		}
		return forms.ErrCancelled
	})
	if err := e.Run(configureCmd, "jira -g acme"); !errors.Is(err, forms.ErrCancelled) {
		t.Fatal(err)
	}
}
