package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/client/gitlab"
	"github.com/forgekit/integrations/internal/client/local"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
)

// hookHarness is a backend's hooks with a way to read back the secrets it stored: from the
// local store itself, or from the fake server's state.
type hookHarness struct {
	h    client.Hooks
	seed func(level integrations.Level, path string)
	// secrets returns the token and the variable and header values of a stored hook.
	secrets func(s client.Scope, id int64) (token string, vars, headers map[string]string)
	// server is true for GitLab, which clears secrets on URL changes unless they are resent.
	server bool
}

func TestLocalHooksContract(t *testing.T) {
	testHooks(t, func(t *testing.T) hookHarness {
		t.Helper()
		t.Setenv("INTEGRATIONS_SECRET_KEY", "contract")
		s, err := local.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return hookHarness{
			h: s,
			seed: func(level integrations.Level, path string) {
				if _, err := s.Ensure(context.Background(), client.Scope{Level: level, Path: path}); err != nil {
					t.Fatal(err)
				}
			},
			secrets: func(sc client.Scope, id int64) (string, map[string]string, map[string]string) {
				h, err := s.GetHook(context.Background(), sc, id)
				if err != nil {
					t.Fatal(err)
				}
				return h.Values[integrations.HookToken], h.URLVariables, h.CustomHeaders
			},
		}
	})
}

func TestGitLabHooksContract(t *testing.T) {
	testHooks(t, func(t *testing.T) hookHarness {
		t.Helper()
		// Local hook URLs are allowed, as an administrator may: the delivery tests use loopback receivers.
		fake := gitlabfake.New(gitlabfake.WithVersion("19.5.0"), gitlabfake.WithLocalHookURLs())
		t.Cleanup(fake.Close)
		fake.AddToken("admin-token", gitlabfake.Token{Username: "root", Scopes: []string{"api"}, Admin: true})
		c, err := gitlab.New(fake.URL, "admin-token", gitlab.WithHTTPClient(fake.Client()))
		if err != nil {
			t.Fatal(err)
		}
		return hookHarness{
			h: c, server: true,
			seed: func(level integrations.Level, path string) {
				if level == integrations.Project {
					fake.AddProject(path, false)
				} else {
					fake.AddGroup(path)
				}
			},
			secrets: func(sc client.Scope, id int64) (string, map[string]string, map[string]string) {
				kind := map[integrations.Level]string{integrations.Project: "project", integrations.Group: "group", integrations.Instance: "system"}[sc.Level]
				for _, h := range fake.Hooks(kind, sc.Path) {
					if h.ID == id {
						return h.Token, h.URLVariables, h.CustomHeaders
					}
				}
				t.Fatalf("no hook %d at %s on the fake", id, sc)
				return "", nil, nil
			},
		}
	})
}

func testHooks(t *testing.T, newH func(t *testing.T) hookHarness) {
	t.Helper()
	ctx := context.Background()
	web := client.Scope{Level: integrations.Project, Path: "acme/web"}

	t.Run("add, get, list, remove", func(t *testing.T) {
		hh := newH(t)
		hh.seed(integrations.Project, web.Path)
		res, err := hh.h.AddHook(ctx, web, client.HookChange{
			Values:       map[string]string{"url": "https://{host}/hook", "name": "ci", "token": "TOKEN-1"},
			Events:       map[string]bool{"pipeline": true, "push": false},
			URLVariables: map[string]string{"host": "ci.example.com"}, CustomHeaders: map[string]string{"X-Key": "HEAD-1"},
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := hh.h.GetHook(ctx, web, res.Hook.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.URL() != "https://{host}/hook" || got.Name() != "ci" || !got.Events["pipeline"] || got.Events["push"] || got.Events["job"] {
			t.Fatalf("GetHook = %+v", got)
		}
		if !got.SecretSet["token"] || got.SecretSet["signing_token"] {
			t.Fatalf("SecretSet = %v", got.SecretSet)
		}
		if _, ok := got.URLVariables["host"]; !ok {
			t.Fatalf("variable names: %v", got.URLVariables)
		}
		if _, ok := got.CustomHeaders["X-Key"]; !ok {
			t.Fatalf("header names: %v", got.CustomHeaders)
		}
		tok, vars, heads := hh.secrets(web, got.ID)
		if tok != "TOKEN-1" || vars["host"] != "ci.example.com" || heads["X-Key"] != "HEAD-1" {
			t.Fatalf("stored secrets %q %v %v", tok, vars, heads)
		}
		list, err := hh.h.ListHooks(ctx, web)
		if err != nil || len(list) != 1 {
			t.Fatalf("ListHooks = %v, %v", list, err)
		}
		if h, by, err := client.FindHook(list, client.HookRef{Ref: "ci"}, web); err != nil || h.ID != got.ID || by != "name" {
			t.Fatalf("FindHook by name = %v %q %v", h.ID, by, err)
		}
		if err := hh.h.RemoveHook(ctx, web, got.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := hh.h.GetHook(ctx, web, got.ID); !client.IsNotFound(err) {
			t.Fatalf("GetHook after remove: %v", err)
		}
		if err := hh.h.RemoveHook(ctx, web, got.ID); !client.IsNotFound(err) {
			t.Fatalf("second remove: %v, want not found", err)
		}
	})

	t.Run("edits keep secrets; a URL change needs them again on GitLab", func(t *testing.T) {
		hh := newH(t)
		hh.seed(integrations.Project, web.Path)
		res, err := hh.h.AddHook(ctx, web, client.HookChange{
			Values:        map[string]string{"url": "https://a.example.com/hook", "token": "TOKEN-1"},
			CustomHeaders: map[string]string{"X-Key": "HEAD-1"},
		})
		if err != nil {
			t.Fatal(err)
		}
		id := res.Hook.ID
		if _, err := hh.h.EditHook(ctx, web, id, client.HookChange{Values: map[string]string{"description": "builds"}}); err != nil {
			t.Fatal(err)
		}
		if tok, _, heads := hh.secrets(web, id); tok != "TOKEN-1" || heads["X-Key"] != "HEAD-1" {
			t.Fatalf("an edit lost secrets: %q %v", tok, heads)
		}
		_, err = hh.h.EditHook(ctx, web, id, client.HookChange{Values: map[string]string{"url": "https://b.example.com/hook"}})
		var mse *client.MissingSecretsError
		if hh.server {
			if !errors.As(err, &mse) || !slices.Equal(mse.Fields, []string{"custom_headers.X-Key", "token"}) {
				t.Fatalf("URL change without secrets: %v, want the token and header named", err)
			}
			if got, _ := hh.h.GetHook(ctx, web, id); got.URL() != "https://a.example.com/hook" {
				t.Fatalf("a refused edit was sent: %s", got.URL())
			}
		} else if err != nil {
			t.Fatalf("the local store keeps its secrets on a URL change: %v", err)
		}
		_, err = hh.h.EditHook(ctx, web, id, client.HookChange{
			Values:        map[string]string{"url": "https://c.example.com/hook", "token": "TOKEN-2"},
			CustomHeaders: map[string]string{"X-Key": "HEAD-2"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if tok, _, heads := hh.secrets(web, id); tok != "TOKEN-2" || heads["X-Key"] != "HEAD-2" {
			t.Fatalf("after URL change with secrets: %q %v", tok, heads)
		}
	})

	t.Run("a templated URL changes in a safe order", func(t *testing.T) {
		hh := newH(t)
		hh.seed(integrations.Project, web.Path)
		res, err := hh.h.AddHook(ctx, web, client.HookChange{
			Values:        map[string]string{"url": "https://hooks.example.com/{key}/hook"},
			URLVariables:  map[string]string{"key": "K1"},
			CustomHeaders: map[string]string{"X-Key": "HEAD-1"},
		})
		if err != nil {
			t.Fatal(err)
		}
		id := res.Hook.ID
		_, err = hh.h.EditHook(ctx, web, id, client.HookChange{
			Values:        map[string]string{"url": "https://hooks.example.com/v2/{key}/{path}"},
			URLVariables:  map[string]string{"key": "K2", "path": "p"},
			CustomHeaders: map[string]string{"X-Key": "HEAD-2"},
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := hh.h.GetHook(ctx, web, id)
		if err != nil || got.URL() != "https://hooks.example.com/v2/{key}/{path}" {
			t.Fatalf("URL after edit: %q %v", got.URL(), err)
		}
		if _, vars, heads := hh.secrets(web, id); vars["key"] != "K2" || vars["path"] != "p" || heads["X-Key"] != "HEAD-2" {
			t.Fatalf("after the template change: %v %v", vars, heads)
		}
		// Overwriting a variable the URL uses changes the resolved URL too.
		_, err = hh.h.EditHook(ctx, web, id, client.HookChange{URLVariables: map[string]string{"key": "K3"}})
		var mse *client.MissingSecretsError
		if hh.server != errors.As(err, &mse) {
			t.Fatalf("changing a used variable alone: %v", err)
		}
		if hh.server && !slices.Equal(mse.Fields, []string{"custom_headers.X-Key", "url_variables.path"}) {
			t.Fatalf("named %v", mse.Fields)
		}
	})

	t.Run("group and system hooks have their own events", func(t *testing.T) {
		hh := newH(t)
		hh.seed(integrations.Group, "acme")
		g := client.Scope{Level: integrations.Group, Path: "acme"}
		res, err := hh.h.AddHook(ctx, g, client.HookChange{Values: map[string]string{"url": "https://a.example.com"}, Events: map[string]bool{"member": true}})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Hook.Events["member"] || !res.Hook.Events["push"] {
			t.Fatalf("group hook events %v", res.Hook.Events)
		}
		sys, err := hh.h.AddHook(ctx, client.InstanceScope, client.HookChange{Values: map[string]string{"url": "https://a.example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		if !sys.Hook.Events["repository_update"] || sys.Hook.Events["push"] {
			t.Fatalf("system hook events %v", sys.Hook.Events)
		}
		// Fields never set read as unset, not as some rendering of null.
		if sys.Hook.Name() != "" || sys.Hook.Values["description"] != "" || sys.Hook.IdentifiedBy() != "url" {
			t.Fatalf("unset fields: %v", sys.Hook.Values)
		}
		if _, ok := sys.Hook.Events["issue"]; ok {
			t.Fatalf("a project event on a system hook: %v", sys.Hook.Events)
		}
	})
	testHookDeliveries(t, newH)
}

// receiver is a loopback webhook receiver whose answer a test sets.
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	status  int
	headers []http.Header
	paths   []string
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	rc := &receiver{status: http.StatusOK}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.headers = append(rc.headers, r.Header.Clone())
		rc.paths = append(rc.paths, r.URL.Path)
		w.WriteHeader(rc.status)
		_, _ = w.Write([]byte("receiver says " + strconv.Itoa(rc.status)))
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) answer(status int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.status = status
}

func (rc *receiver) got() ([]http.Header, []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.headers), slices.Clone(rc.paths)
}

func testHookDeliveries(t *testing.T, newH func(t *testing.T) hookHarness) {
	t.Helper()
	ctx := context.Background()
	web := client.Scope{Level: integrations.Project, Path: "acme/web"}
	setup := func(t *testing.T) (hookHarness, client.HookDeliveries, *receiver, int64) {
		t.Helper()
		hh := newH(t)
		hh.seed(integrations.Project, web.Path)
		rc := newReceiver(t)
		res, err := hh.h.AddHook(ctx, web, client.HookChange{
			Values:        map[string]string{"url": rc.URL + "/{path}", "name": "ci", "token": "TOKEN-1"},
			URLVariables:  map[string]string{"path": "in"},
			CustomHeaders: map[string]string{"X-Key": "HEAD-1"},
		})
		if err != nil {
			t.Fatal(err)
		}
		return hh, hh.h.(client.HookDeliveries), rc, res.Hook.ID
	}

	t.Run("a test delivers the sample with the hook's secrets and is logged", func(t *testing.T) {
		_, d, rc, id := setup(t)
		got, err := d.TestHook(ctx, web, id, "push")
		if err != nil {
			t.Fatal(err)
		}
		if !got.OK || got.Status != 200 || got.Trigger != "push_hooks" || got.URL != rc.URL+"/{path}" || got.ID == 0 {
			t.Fatalf("TestHook = %+v", got)
		}
		headers, paths := rc.got()
		if len(headers) != 1 || paths[0] != "/in" || headers[0].Get("X-Gitlab-Event") != "Push Hook" ||
			headers[0].Get("X-Gitlab-Token") != "TOKEN-1" || headers[0].Get("X-Key") != "HEAD-1" {
			t.Fatalf("the receiver got %v at %v", headers, paths)
		}
		events, err := d.HookEvents(ctx, web, id, client.EventFilter{})
		if err != nil || len(events) != 1 || events[0].ID != got.ID || events[0].Event != "push" || !events[0].OK {
			t.Fatalf("HookEvents = %+v, %v", events, err)
		}
	})

	t.Run("a failing receiver is a failed delivery; resend replays it", func(t *testing.T) {
		_, d, rc, id := setup(t)
		if _, err := d.TestHook(ctx, web, id, "pipeline"); err != nil {
			t.Fatal(err)
		}
		rc.answer(http.StatusBadGateway)
		failed, err := d.TestHook(ctx, web, id, "pipeline")
		if err != nil {
			t.Fatal(err)
		}
		if failed.OK || !failed.Failed() || failed.Status != http.StatusBadGateway || failed.Error == "" {
			t.Fatalf("failed test = %+v", failed)
		}
		for f, want := range map[client.EventFilter]int{
			{Failed: true}: 1, {Status: "5xx"}: 1, {Status: "502"}: 1, {Status: "2xx"}: 1, {}: 2, {Limit: 1}: 1,
		} {
			got, err := d.HookEvents(ctx, web, id, f)
			if err != nil || len(got) != want {
				t.Fatalf("HookEvents(%+v) = %d entries, %v; want %d", f, len(got), err, want)
			}
		}
		rc.answer(http.StatusOK)
		again, err := d.ResendHookEvent(ctx, web, id, failed.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !again.OK || again.Status != 200 {
			t.Fatalf("resend = %+v", again)
		}
		headers, _ := rc.got()
		if k := headers[2].Get("Idempotency-Key"); k == "" || k != headers[1].Get("Idempotency-Key") || headers[2].Get("X-Gitlab-Token") != "TOKEN-1" {
			t.Fatalf("resend is not a replay through the hook: %v then %v", headers[1], headers[2])
		}
		events, _ := d.HookEvents(ctx, web, id, client.EventFilter{})
		if len(events) != 3 || !events[0].OK || events[1].OK {
			t.Fatalf("after the resend, newest first: %+v", events)
		}
		// Entries of one request share its key, so a later success is seen to cover it.
		if events[0].Key == "" || events[0].Key != events[1].Key || events[1].Key == events[2].Key {
			t.Fatalf("keys %q %q %q", events[0].Key, events[1].Key, events[2].Key)
		}
		if _, err := d.ResendHookEvent(ctx, web, id, 999999); !client.IsNotFound(err) {
			t.Fatalf("resend of an unknown event: %v", err)
		}
	})

	t.Run("what cannot be tested is refused before anything is sent", func(t *testing.T) {
		hh, d, rc, id := setup(t)
		hh.seed(integrations.Group, "acme")
		g := client.Scope{Level: integrations.Group, Path: "acme"}
		res, err := hh.h.AddHook(ctx, g, client.HookChange{Values: map[string]string{"url": rc.URL}, Events: map[string]bool{"member": true}})
		if err != nil {
			t.Fatal(err)
		}
		var ie *client.InputError
		if _, err := d.TestHook(ctx, g, res.Hook.ID, "member"); !errors.As(err, &ie) {
			t.Fatalf("testing a group-only event: %v", err)
		}
		if _, err := d.TestHook(ctx, web, id, "member"); !errors.As(err, &ie) {
			t.Fatalf("testing an event project hooks lack: %v", err)
		}
		if _, err := d.TestHook(ctx, web, id+100, "push"); !client.IsNotFound(err) {
			t.Fatalf("testing an unknown hook: %v", err)
		}
		if headers, _ := rc.got(); len(headers) != 0 {
			t.Fatalf("%d deliveries were made", len(headers))
		}
		// A system hook's test sends GitLab's fixed sample; GitLab does not say how it went.
		sys, err := hh.h.AddHook(ctx, client.InstanceScope, client.HookChange{Values: map[string]string{"url": rc.URL}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := d.TestHook(ctx, client.InstanceScope, sys.Hook.ID, "")
		if err != nil || got.Failed() || got.Unknown != hh.server {
			t.Fatalf("system hook test = %+v, %v", got, err)
		}
		if headers, _ := rc.got(); len(headers) != 1 || headers[0].Get("X-Gitlab-Event") != "System Hook" {
			t.Fatalf("system hook delivery %v", headers)
		}
	})

	t.Run("GitLab's limit is reported with its wait", func(t *testing.T) {
		hh, d, _, id := setup(t)
		n, per := d.DeliveryLimit()
		if !hh.server {
			if n != 0 {
				t.Fatalf("the local store has a limit: %d per %s", n, per)
			}
			return
		}
		if n != 5 || per != time.Minute {
			t.Fatalf("DeliveryLimit = %d per %s", n, per)
		}
		for range n {
			if _, err := d.TestHook(ctx, web, id, "push"); err != nil {
				t.Fatal(err)
			}
		}
		_, err := d.TestHook(ctx, web, id, "push")
		var rl *client.RateLimitError
		if !errors.As(err, &rl) || rl.RetryAfter <= 0 || rl.RetryAfter > time.Minute || !strings.Contains(rl.Error(), "requested too many times") {
			t.Fatalf("the sixth test: %v", err)
		}
	})
}
