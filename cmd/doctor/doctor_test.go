package doctor

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/client/gitlab"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/cmdutil/cmdtest"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/forms/formstest"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
	"github.com/spf13/cobra"
)

func TestNewCmdDoctor(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		tty   bool
		ci    string
		scope string
		err   string
	}{
		{args: []string{"-g", "acme"}, scope: "group:acme"},
		{args: []string{"--instance"}, scope: "instance"},
		{args: []string{"-p", "acme/web", "--fix"}, tty: true, scope: "project:acme/web"},
		{args: []string{"-p", "acme/web", "--fix", "--yes"}, scope: "project:acme/web"},
		{args: []string{"-p", "acme/web", "--fix"}, err: "doctor --fix tests hooks on the server: pass --yes to go ahead without a terminal"},
		// CI never prompts, terminal or not.
		{args: []string{"-p", "acme/web", "--fix"}, tty: true, ci: "true", err: "doctor --fix tests hooks on the server: pass --yes to go ahead without a terminal"},
		{args: []string{"-p", "acme/web", "--yes"}, err: "--yes goes with --fix"},
		{args: nil, err: "doctor needs a scope: -p PROJECT, -g GROUP (and everything below it) or --instance"},
		{args: []string{"-p", "a", "-g", "b"}, err: "give at most one of -p/--project, -g/--group and --instance"},
	} {
		t.Run(tc.scope+tc.err, func(t *testing.T) {
			e := cmdtest.New(t, cmdtest.TTY(tc.tty))
			if tc.ci != "" {
				e.Factory.IOStreams.SetNeverPrompt(true)
			}
			var got *options
			err := e.RunArgs(func(f *cmdutil.Factory) *cobra.Command {
				return NewCmdDoctor(f, func(o *options) error { got = o; return nil })
			}, tc.args...)
			if tc.err != "" {
				var fe *cmdutil.FlagError
				if !errors.As(err, &fe) || err.Error() != tc.err {
					t.Fatalf("err = %v, want the usage error %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.scope.String() != tc.scope {
				t.Errorf("scope %s, want %s", got.scope, tc.scope)
			}
		})
	}
}

// On a terminal --fix shows the plan and asks; no sends nothing, yes re-enables the hook.
func TestFixAsksOnATerminal(t *testing.T) {
	var got atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { got.Add(1) }))
	t.Cleanup(rcv.Close)
	fake := gitlabfake.New(gitlabfake.WithVersion("19.5.0"), gitlabfake.WithLocalHookURLs(), gitlabfake.WithHookAutoDisabling())
	t.Cleanup(fake.Close)
	fake.AddToken("tok", gitlabfake.Token{Username: "m", Scopes: []string{"api"}, AccessLevel: 40})
	fake.AddProject("acme/web", false)
	c, err := gitlab.New(fake.URL, "tok", gitlab.WithHTTPClient(fake.Client()))
	if err != nil {
		t.Fatal(err)
	}
	web := client.Scope{Level: "project", Path: "acme/web"}
	if _, err := c.AddHook(context.Background(), web, client.HookChange{Values: map[string]string{"url": rcv.URL + "/hook", "name": "ci"}}); err != nil {
		t.Fatal(err)
	}
	fake.SetHookAlert("project", "acme/web", 1, "disabled", nil)
	question := "Send 1 test event(s) on " + c.Where() + "?"
	doctorCmd := func(f *cmdutil.Factory) *cobra.Command { return NewCmdDoctor(f, nil) }

	e := cmdtest.New(t, cmdtest.WithBackend(c), cmdtest.TTY(true), cmdtest.WithPrompter(formstest.New(t).ExpectConfirm(question, false)))
	if err := e.RunArgs(doctorCmd, "-p", "acme/web", "--fix"); !errors.Is(err, forms.ErrCancelled) {
		t.Fatalf("declined: %v, want a cancellation", err)
	}
	if !strings.Contains(e.ErrOut.String(), "test hook 1 (ci) at project:acme/web with a push event") || got.Load() != 0 {
		t.Fatalf("declined: the plan %q, %d deliveries; want the plan and none", e.ErrOut, got.Load())
	}

	e = cmdtest.New(t, cmdtest.WithBackend(c), cmdtest.TTY(true), cmdtest.WithPrompter(formstest.New(t).ExpectConfirm(question, true)))
	if err := e.RunArgs(doctorCmd, "-p", "acme/web", "--fix"); err != nil {
		t.Fatalf("accepted: %v\n%s", err, e.ErrOut)
	}
	if got.Load() != 1 || fake.Hooks("project", "acme/web")[0].AlertStatus != "executable" {
		t.Fatalf("accepted: %d deliveries, hook %s", got.Load(), fake.Hooks("project", "acme/web")[0].AlertStatus)
	}
	if !strings.Contains(e.ErrOut.String(), "✓ Re-enabled hook 1 (ci) at project:acme/web") || !strings.Contains(e.ErrOut.String(), "✓ Nothing needs attention") {
		t.Errorf("accepted: stderr %q", e.ErrOut)
	}
}

// On a terminal each finding is shown whole, wrapped to the width; secrets never.
func TestFindingsOnATerminal(t *testing.T) {
	e := cmdtest.New(t, cmdtest.TTY(true))
	on := true
	teams, _ := integrations.Lookup("microsoft_teams")
	acme := client.Scope{Level: "group", Path: "acme"}
	if _, err := e.Store.Save(context.Background(), acme, teams, client.Update{Values: map[string]string{"webhook": "https://x.webhook.office.com/webhookb2/SECRET-CANARY"}, Active: &on}); err != nil {
		t.Fatal(err)
	}
	err := e.RunArgs(func(f *cmdutil.Factory) *cobra.Command { return NewCmdDoctor(f, nil) }, "-g", "acme")
	if !errors.Is(err, cmdutil.ErrSilent) {
		t.Fatalf("err = %v, want exit 1 (ErrSilent)", err)
	}
	out := e.Out.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if lines[0] != "✗ group:acme  integration microsoft_teams  retired_address" {
		t.Errorf("first line %q", lines[0])
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "  ") {
			t.Errorf("line %q is not indented under its finding", l)
		}
	}
	if whole := strings.Join(strings.Fields(out), " "); !strings.Contains(whole, "fix: set up a webhook from a Teams Workflows flow, then integrations configure microsoft_teams -g acme --set webhook=env:…") {
		t.Errorf("the fix is not shown whole:\n%s", out)
	}
	if strings.Contains(out+e.ErrOut.String(), "CANARY") {
		t.Error("the secret webhook reached the output")
	}
	if !strings.Contains(e.ErrOut.String(), "1 problem(s) need attention: 1 scope(s), 1 integration(s), 0 hook(s) checked") {
		t.Errorf("stderr: %q", e.ErrOut)
	}
}
