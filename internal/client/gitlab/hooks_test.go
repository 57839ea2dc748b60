package gitlab_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/client/gitlab"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
)

func hookClient(t *testing.T, opts ...gitlabfake.Option) (*gitlabfake.Server, *gitlab.Client) {
	t.Helper()
	fake := gitlabfake.New(append([]gitlabfake.Option{gitlabfake.WithVersion("19.5.0")}, opts...)...)
	t.Cleanup(fake.Close)
	fake.AddToken("maintainer", gitlabfake.Token{Username: "m", Scopes: []string{"api"}, AccessLevel: 40})
	fake.AddProject("acme/web", false)
	fake.AddGroup("acme")
	c, err := gitlab.New(fake.URL, "maintainer", gitlab.WithHTTPClient(fake.Client()), gitlab.WithAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return fake, c
}

// Both of GitLab's error shapes reach the user as GitLab's words, as refused input.
func TestHookErrorShapes(t *testing.T) {
	_, c := hookClient(t)
	ctx := context.Background()
	_, err := c.AddHook(ctx, web, client.HookChange{Values: map[string]string{"url": "http://127.0.0.1:1/x"}})
	var ie *client.InputError
	if !asInput(err, &ie) || !strings.Contains(err.Error(), "Invalid url given") {
		t.Fatalf("blocked URL: %v", err)
	}
	res, err := c.AddHook(ctx, web, client.HookChange{Values: map[string]string{"url": "https://a.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.EditHook(ctx, web, res.Hook.ID, client.HookChange{Values: map[string]string{"custom_webhook_template": strings.Repeat("x", 4097)}})
	if !asInput(err, &ie) || !strings.Contains(err.Error(), `{"custom_webhook_template":["is too long (maximum is 4096 characters)"]}`) {
		t.Fatalf("the {message: {field: […]}} shape: %v", err)
	}
}

// A header-only change sends no PUT of the hook (GitLab refuses an empty one with 400) but the
// header's own endpoint; DELETE's 204 is success and a second DELETE names the missing hook.
func TestHookRequestsGitLabAccepts(t *testing.T) {
	fake, c := hookClient(t)
	ctx := context.Background()
	res, err := c.AddHook(ctx, web, client.HookChange{Values: map[string]string{"url": "https://a.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	fake.ResetRequests()
	if _, err := c.EditHook(ctx, web, res.Hook.ID, client.HookChange{CustomHeaders: map[string]string{"X-Key": "v"}}); err != nil {
		t.Fatal(err)
	}
	for _, r := range fake.Requests() {
		if r.Method == http.MethodPut && strings.HasSuffix(r.Path, "/hooks/1") {
			t.Fatalf("a PUT of the hook itself was sent: %+v", r)
		}
	}
	if got := fake.Hooks("project", "acme/web")[0].CustomHeaders["X-Key"]; got != "v" {
		t.Fatalf("header %q", got)
	}
	if err := c.RemoveHook(ctx, web, res.Hook.ID); err != nil {
		t.Fatalf("DELETE answered 204: %v", err)
	}
	if err := c.RemoveHook(ctx, web, res.Hook.ID); !client.IsNotFound(err) || !strings.Contains(err.Error(), "no hook 1 at project acme/web") {
		t.Fatalf("second DELETE: %v", err)
	}
}

// Group hooks need the Owner role: the refusal says so and counts as an authentication problem.
func TestGroupHooksNeedOwner(t *testing.T) {
	_, c := hookClient(t)
	_, err := c.ListHooks(context.Background(), client.Scope{Level: integrations.Group, Path: "acme"})
	if err == nil || !strings.Contains(err.Error(), "group hooks need the Owner role") || !isUnauthorized(err) {
		t.Fatalf("group hooks as a maintainer: %v", err)
	}
}

func asInput(err error, target **client.InputError) bool { return errors.As(err, target) }

func isUnauthorized(err error) bool { return errors.Is(err, client.ErrUnauthorized) }

// A variable in the host: while the variables are replaced, the hook points at the GitLab
// server itself (no secret in the URL, a host that resolves); where GitLab refuses that address,
// nothing is changed and the error says why.
func TestHookHostVariableChange(t *testing.T) {
	for _, local := range []bool{true, false} {
		var opts []gitlabfake.Option
		if local {
			opts = append(opts, gitlabfake.WithLocalHookURLs())
		}
		fake, c := hookClient(t, opts...)
		ctx := context.Background()
		res, err := c.AddHook(ctx, web, client.HookChange{Values: map[string]string{"url": "https://{host}/hook"}, URLVariables: map[string]string{"host": "a.example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.EditHook(ctx, web, res.Hook.ID, client.HookChange{URLVariables: map[string]string{"host": "b.example.com"}})
		got := fake.Hooks("project", "acme/web")[0]
		if local {
			if err != nil || got.URLVariables["host"] != "b.example.com" || got.Props["url"] != "https://{host}/hook" {
				t.Fatalf("with local URLs allowed: %v %+v", err, got)
			}
			continue
		}
		var ie *client.InputError
		if !asInput(err, &ie) || !strings.Contains(err.Error(), "must first take a URL without them") {
			t.Fatalf("refused stand-in: %v", err)
		}
		if got.URLVariables["host"] != "a.example.com" {
			t.Fatalf("a refused edit changed the hook: %+v", got)
		}
	}
}

// A hook request the server processed but whose answer was lost: a POST is not sent twice (the
// hook exists once, and is found), and a DELETE retried into a 404 has succeeded.
func TestLostAnswersNeitherDuplicateNorFail(t *testing.T) {
	fake := gitlabfake.New(gitlabfake.WithVersion("19.5.0"))
	t.Cleanup(fake.Close)
	fake.AddToken("maintainer", gitlabfake.Token{Username: "m", Scopes: []string{"api"}, AccessLevel: 40})
	fake.AddProject("acme/web", false)
	c, err := gitlab.New(fake.URL, "maintainer", gitlab.WithHTTPClient(fake.Client()), gitlab.WithAttempts(3), gitlab.WithClock(&recordingClock{}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	fake.LoseNextHookAnswers(1)
	res, err := c.AddHook(ctx, web, client.HookChange{Values: map[string]string{"url": "https://a.example.com", "name": "ci"}})
	if err != nil {
		t.Fatalf("add with its answer lost: %v", err)
	}
	if n := len(fake.Hooks("project", "acme/web")); n != 1 || res.Hook.Name() != "ci" || len(res.Warnings) != 1 {
		t.Fatalf("%d hooks on the server, result %+v", n, res)
	}
	fake.LoseNextHookAnswers(1)
	if err := c.RemoveHook(ctx, web, res.Hook.ID); err != nil {
		t.Fatalf("delete with its answer lost: %v", err)
	}
	if n := len(fake.Hooks("project", "acme/web")); n != 0 {
		t.Fatalf("%d hooks left", n)
	}
}

// What doctor will read: GitLab's alert status and back-off time come through.
func TestHookAlertStatusComesThrough(t *testing.T) {
	fake, c := hookClient(t)
	ctx := context.Background()
	res, err := c.AddHook(ctx, web, client.HookChange{Values: map[string]string{"url": "https://a.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	until := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	fake.SetHookAlert("project", "acme/web", res.Hook.ID, "temporarily_disabled", &until)
	got, err := c.GetHook(ctx, web, res.Hook.ID)
	if err != nil || got.AlertStatus != "temporarily_disabled" || got.DisabledUntil == nil || !got.DisabledUntil.Equal(until) {
		t.Fatalf("GetHook = %+v, %v", got, err)
	}
}

// A test GitLab could not send (no commit to build a push sample from) is an error, not a
// delivery that failed; an earlier entry of the event log is not taken for it.
func TestHookTestWithoutSampleIsNotADelivery(t *testing.T) {
	fake, c := hookClient(t, gitlabfake.WithLocalHookURLs())
	ctx := context.Background()
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) }))
	t.Cleanup(rc.Close)
	res, err := c.AddHook(ctx, web, client.HookChange{Values: map[string]string{"url": rc.URL}})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := c.TestHook(ctx, web, res.Hook.ID, "push"); err != nil || !d.Failed() || d.Status != 500 {
		t.Fatalf("first test = %+v, %v", d, err)
	}
	fake.MarkEmptyRepository("acme/web")
	d, err := c.TestHook(ctx, web, res.Hook.ID, "push")
	if err == nil || !strings.Contains(err.Error(), "did not send the test: Ensure the project has at least one commit.") {
		t.Fatalf("test without a sample = %+v, %v", d, err)
	}
}

// Test, events and resend name the GitLab version they need rather than GitLab's 404.
func TestHookDeliveriesNeedTheirVersion(t *testing.T) {
	_, c := hookClient(t, gitlabfake.WithVersion("17.2.0"))
	ctx := context.Background()
	res, err := c.AddHook(ctx, web, client.HookChange{Values: map[string]string{"url": "https://a.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.HookEvents(ctx, web, res.Hook.ID, client.EventFilter{})
	var ie *client.InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "a hook's event log needs GitLab 17.3 or later") {
		t.Fatalf("events on 17.2: %v", err)
	}
	if _, err := c.ResendHookEvent(ctx, web, res.Hook.ID, 1); !errors.As(err, &ie) || !strings.Contains(err.Error(), "17.4") {
		t.Fatalf("resend on 17.2: %v", err)
	}
}
