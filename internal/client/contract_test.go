package client_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/client/gitlab"
	"github.com/forgekit/integrations/internal/client/local"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
)

// harness is one backend under test with what the suite needs to know about it.
type harness struct {
	b client.Backend
	// seed makes a project or group exist (GitLab needs it made on the server; the local store
	// creates scopes on write).
	seed func(level integrations.Level, path string)
}

// The same calls and expectations run against the local store and against the GitLab backend
// talking to the fake server; where GitLab's semantics differ, the difference is asserted.
func TestLocalBackendContract(t *testing.T) {
	testBackend(t, func(t *testing.T) harness {
		t.Helper()
		t.Setenv("INTEGRATIONS_SECRET_KEY", "contract")
		s, err := local.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return harness{b: s, seed: func(level integrations.Level, path string) {
			if _, err := s.Ensure(context.Background(), client.Scope{Level: level, Path: path}); err != nil {
				t.Fatal(err)
			}
		}}
	})
}

// The GitLab backend is held to the contract against a fake of each version whose OpenAPI the
// fake serves.
func TestGitLabBackendContract(t *testing.T) {
	for _, v := range []string{"18.6.0-ee", "19.5.0-ee"} {
		t.Run(v, func(t *testing.T) {
			testBackend(t, func(t *testing.T) harness {
				t.Helper()
				return gitlabHarness(t, gitlabfake.WithVersion(v))
			})
		})
	}
}

func gitlabHarness(t *testing.T, opts ...gitlabfake.Option) harness {
	t.Helper()
	fake := gitlabfake.New(opts...)
	t.Cleanup(fake.Close)
	fake.AddToken("maintainer-token", gitlabfake.Token{Username: "admin", Scopes: []string{"api"}, AccessLevel: 40})
	c, err := gitlab.New(fake.URL, "maintainer-token", gitlab.WithHTTPClient(fake.Client()))
	if err != nil {
		t.Fatal(err)
	}
	return harness{b: c, seed: func(level integrations.Level, path string) {
		if level == integrations.Project {
			fake.AddProject(path, false)
		} else {
			fake.AddGroup(path)
		}
	}}
}

func lookup(t *testing.T, name string) integrations.Definition {
	t.Helper()
	d, err := integrations.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func on(b bool) *bool { return &b }

func testBackend(t *testing.T, newH func(t *testing.T) harness) {
	t.Helper()
	ctx := context.Background()
	slack := lookup(t, "slack")
	web := client.Scope{Level: integrations.Project, Path: "acme/web"}
	acme := client.Scope{Level: integrations.Group, Path: "acme"}
	hook := "https://hooks.slack.com/services/T/B/contract"

	t.Run("never configured", func(t *testing.T) {
		h := newH(t)
		h.seed(integrations.Project, "acme/web")
		if _, err := h.b.Save(ctx, client.Scope{Level: integrations.Project, Path: "acme/other"}, lookup(t, "jira"), client.Update{
			Values: map[string]string{"url": "https://jira.example", "password": "p"}, Active: on(true),
		}); err != nil && !h.b.Capabilities().CreatesScopes {
			var ie *client.InputError
			if !errors.As(err, &ie) || !client.IsNotFound(err) {
				t.Errorf("writing to an unknown project on a server: %v, want not found", err)
			}
		}
		st, err := h.b.Get(ctx, web, slack)
		if err != nil && !client.IsNotFound(err) {
			t.Fatal(err)
		}
		if st.Configured || st.Active {
			t.Errorf("a never-configured integration: %+v", st)
		}
	})

	t.Run("save, read back, update, events", func(t *testing.T) {
		h := newH(t)
		h.seed(integrations.Project, "acme/web")
		res, err := h.b.Save(ctx, web, slack, client.Update{
			Values: map[string]string{"webhook": hook, "channel": "#dev", "notify_only_broken_pipelines": "false"},
			Events: map[string]bool{"push": true, "issue": false, "pipeline": true}, Active: on(true),
		})
		if err != nil {
			t.Fatal(err)
		}
		if !res.State.Active || !res.State.Configured || res.State.Inherited {
			t.Errorf("after save: %+v", res.State)
		}
		st, err := h.b.Get(ctx, web, slack)
		if err != nil {
			t.Fatal(err)
		}
		if st.Values["channel"] != "#dev" || st.Values["notify_only_broken_pipelines"] != "false" || !st.Events["push"] || st.Events["issue"] || !st.Events["pipeline"] {
			t.Errorf("read back: values %v events %v", st.Values, st.Events)
		}
		if h.b.Capabilities().Server == "" {
			if st.Values["webhook"] != hook {
				t.Errorf("the local store reads its secrets: %q", st.Values["webhook"])
			}
		} else if st.Values["webhook"] != "" || !st.Unknown["webhook"] {
			t.Errorf("GitLab never returns the webhook: value %q unknown %v", st.Values["webhook"], st.Unknown["webhook"])
		}

		// Change one field. GitLab needs the required secret again on every PUT (documented
		// difference); the local store keeps it.
		upd := client.Update{Values: map[string]string{"channel": "#ops"}, Current: &st}
		_, err = h.b.Save(ctx, web, slack, upd)
		var mse *client.MissingSecretsError
		if h.b.Capabilities().Server != "" {
			if !errors.As(err, &mse) || mse.Fields[0] != "webhook" {
				t.Fatalf("GitLab update without the webhook: %v, want MissingSecretsError(webhook)", err)
			}
			upd.Values["webhook"] = hook
			_, err = h.b.Save(ctx, web, slack, upd)
		}
		if err != nil {
			t.Fatal(err)
		}
		st, _ = h.b.Get(ctx, web, slack)
		if st.Values["channel"] != "#ops" || st.Values["notify_only_broken_pipelines"] != "false" || !st.Events["pipeline"] {
			t.Errorf("only the given field should change: %v %v", st.Values, st.Events)
		}
		list, err := h.b.List(ctx, web)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, s := range list {
			if s.Name == "slack" {
				found = s.Active && s.Configured
			}
		}
		if !found {
			t.Error("an active integration is missing from List")
		}
	})

	t.Run("inheritance from a group", func(t *testing.T) {
		h := newH(t)
		h.seed(integrations.Group, "acme")
		h.seed(integrations.Project, "acme/web")
		if _, err := h.b.Save(ctx, acme, slack, client.Update{Values: map[string]string{"webhook": hook, "channel": "#group"}, Active: on(true)}); err != nil {
			t.Fatal(err)
		}
		st, err := h.b.Get(ctx, web, slack)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Configured || !st.Active || !st.Inherited || st.InheritedFrom == nil || st.InheritedFrom.String() != "group:acme" || st.Values["channel"] != "#group" {
			t.Fatalf("project under a configured group: %+v", st)
		}
		// Custom settings on the project, then back to inheriting.
		if _, err := h.b.Save(ctx, web, slack, client.Update{Values: map[string]string{"webhook": hook, "channel": "#own"}, Active: on(true), Current: &st}); err != nil {
			t.Fatal(err)
		}
		if st, _ = h.b.Get(ctx, web, slack); st.Inherited || st.Values["channel"] != "#own" {
			t.Fatalf("custom settings on an inheriting project must apply: %+v", st)
		}
		if _, err := h.b.Save(ctx, web, slack, client.Update{UseInherited: true}); err != nil {
			t.Fatal(err)
		}
		if st, _ = h.b.Get(ctx, web, slack); !st.Inherited || st.Values["channel"] != "#group" {
			t.Errorf("after use-inherited: %+v", st)
		}
	})

	t.Run("starting state of a new scope", func(t *testing.T) {
		h := newH(t)
		h.seed(integrations.Group, "acme")
		h.seed(integrations.Project, "acme/web")
		if _, err := h.b.Save(ctx, acme, slack, client.Update{Values: map[string]string{"webhook": hook, "channel": "#group"}, Active: on(true)}); err != nil {
			t.Fatal(err)
		}
		// An existing scope starts from what Get reads.
		st, err := h.b.StartingState(ctx, web, slack)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Inherited || st.InheritedFrom == nil || st.InheritedFrom.String() != "group:acme" || st.Values["channel"] != "#group" {
			t.Errorf("existing project under a configured group: %+v", st)
		}
		// A scope that does not exist: where a write creates it, it starts with what it will
		// inherit; elsewhere it is not found, as Get says.
		fresh := client.Scope{Level: integrations.Project, Path: "acme/tools/new"}
		st, err = h.b.StartingState(ctx, fresh, slack)
		if h.b.Capabilities().CreatesScopes {
			if err != nil {
				t.Fatal(err)
			}
			if st.Scope.String() != fresh.String() || !st.Configured || !st.Active || !st.Inherited ||
				st.InheritedFrom == nil || st.InheritedFrom.String() != "group:acme" || st.Values["channel"] != "#group" || st.Values["webhook"] != hook {
				t.Errorf("a project to create under a configured group: %+v", st)
			}
			if st, err = h.b.StartingState(ctx, client.Scope{Level: integrations.Project, Path: "elsewhere/new"}, slack); err != nil || st.Configured {
				t.Errorf("a project to create with nothing to inherit: %+v, %v", st, err)
			}
		} else if !client.IsNotFound(err) {
			t.Errorf("a project the server does not have: %+v, %v; want not found", st, err)
		}
		// Nothing can be created below a project.
		var ie *client.InputError
		if _, err := h.b.StartingState(ctx, client.Scope{Level: integrations.Project, Path: "acme/web/deeper"}, slack); !errors.As(err, &ie) {
			t.Errorf("a project below a project: %v, want an input error", err)
		}
	})

	t.Run("disable", func(t *testing.T) {
		h := newH(t)
		h.seed(integrations.Project, "acme/web")
		if _, err := h.b.Save(ctx, web, slack, client.Update{Values: map[string]string{"webhook": hook, "channel": "#dev"}, Active: on(true)}); err != nil {
			t.Fatal(err)
		}
		st, err := h.b.Disable(ctx, web, slack)
		if err != nil {
			t.Fatal(err)
		}
		if st.Active {
			t.Error("still active after disable")
		}
		st, _ = h.b.Get(ctx, web, slack)
		if h.b.Capabilities().DisableResets {
			if st.Values["channel"] != "" {
				t.Errorf("GitLab's DELETE resets the settings: %v", st.Values)
			}
		} else if st.Values["channel"] != "#dev" {
			t.Errorf("the local store keeps the settings: %v", st.Values)
		}
	})

	t.Run("bad scopes and levels", func(t *testing.T) {
		h := newH(t)
		h.seed(integrations.Project, "acme/web")
		var ie *client.InputError
		if _, err := h.b.Get(ctx, client.Scope{Level: integrations.Project, Path: "acme/missing"}, slack); !errors.As(err, &ie) {
			t.Errorf("unknown project: %v", err)
		}
		if _, err := h.b.Get(ctx, client.Scope{Level: integrations.Group, Path: "acme/web"}, slack); !errors.As(err, &ie) {
			t.Errorf("-g on a project: %v", err)
		}
		h.seed(integrations.Group, "acme")
		if _, err := h.b.Save(ctx, acme, lookup(t, "jenkins"), client.Update{Values: map[string]string{"jenkins_url": "https://ci.example", "project_name": "x"}, Active: on(true)}); !errors.As(err, &ie) {
			t.Errorf("project-only integration at a group: %v", err)
		}
	})
}
