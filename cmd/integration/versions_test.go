package integration

import (
	"strings"
	"testing"

	"github.com/forgekit/integrations/internal/cmdutil/cmdtest"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/forms/formstest"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
	"github.com/forgekit/integrations/internal/testing/gitlabtest"
)

func gitlabEnv(t *testing.T, version string, opts ...cmdtest.Option) (*gitlabfake.Server, *cmdtest.Env) {
	t.Helper()
	fake := gitlabfake.New(gitlabfake.WithVersion(version))
	t.Cleanup(fake.Close)
	fake.AddProject("acme/web", false)
	c := gitlabtest.Client(t, fake)
	return fake, cmdtest.New(t, append(opts, cmdtest.WithBackend(c))...)
}

// The form fills in every checkbox and select, defaults included; on a server without some of
// those fields (Jira's automatic transition on 18.x) the defaults are not "given values".
func TestFormDefaultsAreNotRefusedOnOlderServers(t *testing.T) {
	p := formstest.New(t)
	fake, e := gitlabEnv(t, "18.6.0-ee", cmdtest.TTY(true), cmdtest.WithPrompter(p))
	p.ExpectFill("jira", func(in *forms.Input) error {
		in.Values["url"], in.Values["password"] = "https://jira.example", "p"
		in.Values["jira_issue_transition_automatic"] = "false" // as the form's checkbox leaves it
		in.Values["comment_on_event_enabled"] = "true"
		return nil
	})
	if err := e.Run(configureCmd, "jira -p acme/web"); err != nil {
		t.Fatalf("form save: %v", err)
	}
	for _, r := range fake.Requests() {
		if r.Method == "PUT" && strings.Contains(r.Body, "jira_issue_transition_automatic") {
			t.Errorf("sent a field 18.6 does not have: %s", r.Body)
		}
	}
	// Given on purpose, it is refused, naming what to do instead.
	err := e.Run(configureCmd, "jira -p acme/web --set password=p --set jira_issue_transition_automatic=true")
	if err == nil || !isUsageError(err) || !strings.Contains(err.Error(), "set it in GitLab's web UI") {
		t.Errorf("given value: %v", err)
	}
}

func TestShowMarksWhatTheServerLacks(t *testing.T) {
	_, e := gitlabEnv(t, "18.6.0-ee")
	v := showJSON(t, e, "discord")
	if v.Server == nil || *v.Server != "18.6" {
		t.Errorf("server = %v", v.Server)
	}
	for _, ev := range v.Events {
		switch ev.Name {
		case "work_item":
			if ev.Since == nil || *ev.Since != "19.5" || ev.OnServer == nil || *ev.OnServer {
				t.Errorf("work_item: since %v on_server %v", ev.Since, ev.OnServer)
			}
		case "push":
			if ev.Since != nil || ev.OnServer == nil || !*ev.OnServer {
				t.Errorf("push: since %v on_server %v", ev.Since, ev.OnServer)
			}
		}
	}
}
