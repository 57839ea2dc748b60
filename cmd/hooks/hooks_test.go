package hooks

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/cmdutil/cmdtest"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/forms/formstest"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/redact"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
	"github.com/forgekit/integrations/internal/testing/gitlabtest"
	"github.com/spf13/cobra"
)

func addCmd(f *cmdutil.Factory) *cobra.Command  { return NewCmdAdd(f, nil) }
func editCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdEdit(f, nil) }

func TestRefusedInputWritesNothing(t *testing.T) {
	e := cmdtest.New(t)
	if err := e.RunArgs(addCmd, "-p", "acme/web", "--set", "name=ci", "--set", "url=https://ci.example.com", "--set", "token=T"); err != nil {
		t.Fatal(err)
	}
	before := e.Snapshot()
	for _, args := range [][]string{
		{"-p", "acme/web", "--set", "url=https://{x}/y"},
		{"-p", "acme/web", "--set", "url=https://a.example.com", "--set", "custom_headers.X-A=two\nlines"},
		{"-p", "acme/web", "--set", "url=https://a.example.com", "--set", "url_variables.x"},
		{"-p", "acme/web", "--set", "name=ci", "--set", "url=https://{x}/y"}, // an update of ci, refused
		{"-p", "acme/other", "--set", "url=https://a.example.com", "--events", "subgroup"},
		{"-p", "acme/web", "--set", "url=https://a.example.com", "--events", "push,+note"},
	} {
		err := e.RunArgs(addCmd, args...)
		var (
			fe *cmdutil.FlagError
			ce *integrations.Error
			ie *client.InputError
		)
		if err == nil || (!errors.As(err, &fe) && !errors.As(err, &ce) && !errors.As(err, &ie)) {
			t.Errorf("add %q: %v, want a usage error", args, err)
		}
		if got := e.Snapshot(); got != before {
			t.Errorf("add %q wrote to the store:\n%s", args, got)
		}
	}
}

// On a terminal, an edit that GitLab would make lose secrets asks for them and then sends
// everything in order; the values never reach the output.
func TestEditAsksForTheSecretsAURLChangeClears(t *testing.T) {
	fake := gitlabfake.New(gitlabfake.WithVersion("19.5.0"))
	t.Cleanup(fake.Close)
	fake.AddProject("acme/web", false)
	c := gitlabtest.Client(t, fake)
	web := client.Scope{Level: "project", Path: "acme/web"}
	if _, err := c.AddHook(context.Background(), web, client.HookChange{
		Values: map[string]string{"url": "https://a.example.com", "name": "ci", "token": "OLD"}, CustomHeaders: map[string]string{"X-Key": "H"},
	}); err != nil {
		t.Fatal(err)
	}
	p := formstest.New(t).
		ExpectPassword("custom_headers.X-Key of hook 1 (ci)", "HEADER-SECRET").
		ExpectPassword("token of hook 1 (ci)", "TOKEN-SECRET")
	e := cmdtest.New(t, cmdtest.WithBackend(c), cmdtest.TTY(true), cmdtest.WithPrompter(p))
	if err := e.RunArgs(editCmd, "ci", "-p", "acme/web", "--set", "url=https://b.example.com"); err != nil {
		t.Fatal(err)
	}
	h := fake.Hooks("project", "acme/web")[0]
	if h.Props["url"] != "https://b.example.com" || h.Token != "TOKEN-SECRET" || h.CustomHeaders["X-Key"] != "HEADER-SECRET" {
		t.Fatalf("server state %+v", h)
	}
	if out := e.Out.String() + e.ErrOut.String(); strings.Contains(out, "SECRET") || !strings.Contains(out, "Updated hook 1 (ci)") {
		t.Fatalf("output: %s", out)
	}
}

// The form starts from the stored hook: secrets are not pre-filled but marked as set, and a
// blank answer keeps them.
func TestEditFormKeepsSecretsLeftBlank(t *testing.T) {
	e := cmdtest.New(t, cmdtest.TTY(true))
	if err := e.RunArgs(addCmd, "-p", "acme/web", "--set", "name=ci", "--set", "url=https://a.example.com", "--set", "token=KEEP"); err != nil {
		t.Fatal(err)
	}
	e.Prompter = formstest.New(t).ExpectFill("project_hook", func(in *forms.Input) error {
		if _, ok := in.Values["token"]; ok || !in.SecretSet["token"] || in.Values["url"] != "https://a.example.com" {
			t.Errorf("form input %+v", in)
		}
		in.Values["description"] = "from the form"
		return nil
	})
	if err := e.RunArgs(editCmd, "ci", "-p", "acme/web"); err != nil {
		t.Fatal(err)
	}
	got, err := e.Store.GetHook(context.Background(), client.Scope{Level: "project", Path: "acme/web"}, 1)
	if err != nil || got.Values["token"] != "KEEP" || got.Values["description"] != "from the form" {
		t.Fatalf("after the form: %v %v", got.Values, err)
	}
}

func TestDisplayURLHidesSecretsKeepsPlaceholders(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:PASS@ci.example.com/hook":        "https://" + redact.Mask + "@ci.example.com/hook",
		"https://ci.example.com/hook?token=SECRET&x=1": "https://ci.example.com/hook?token=" + redact.Mask + "&x=1",
		"https://ci.example.com/hook?token={tok}&x=1":  "https://ci.example.com/hook?token={tok}&x=1",
		"https://{host}/hook":                          "https://{host}/hook",
	} {
		if got := displayURL(in); got != want {
			t.Errorf("displayURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// URL variables and headers come from --set entries, NAME=VALUE lines or a mapping in a file;
// references in them are read at once, and --set wins over the file.
func TestParseWantedEntries(t *testing.T) {
	t.Setenv("HOOK_PATH", "from-env")
	file := t.TempDir() + "/hook.yaml"
	if err := os.WriteFile(file, []byte("url: https://a.example.com/{path}\nurl_variables:\n  path: env:HOOK_PATH\n  other: x\ncustom_headers: \"X-A=1\\nX-B=2\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	kind := integrations.HookKind(integrations.Project)
	w, err := parseWanted(kind, cmdutil.ValueFlags{FromFile: file, Sets: []string{"url_variables.other=y", "custom_headers.X-B="}}, strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	if w.vars["path"] != "from-env" || w.vars["other"] != "y" || w.headers["X-A"] != "1" || w.headers["X-B"] != "" || w.values["url"] != "https://a.example.com/{path}" {
		t.Fatalf("wanted %+v", w)
	}
	if _, ok := w.values["url_variables"]; ok {
		t.Fatal("entries leaked into plain values")
	}
}
