package gitlabfake

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const adminToken = "glpat-admin"

func hookServer(t *testing.T, version string) *Server {
	t.Helper()
	s := newServer(t, WithVersion(version))
	s.AddToken(adminToken, Token{Username: "root", Scopes: []string{"api"}, Admin: true})
	s.AddProject("acme/web", false)
	return s
}

func post(t *testing.T, s *Server, path string, body any) response {
	t.Helper()
	return do(t, s, request{method: http.MethodPost, path: path, token: ownerToken, body: body})
}

const projectHooks = "/projects/acme%2Fweb/hooks"

func TestHookCreateReadDelete(t *testing.T) {
	s := hookServer(t, "19.5.0")
	expect(t, post(t, s, projectHooks, map[string]any{"name": "ci"}), http.StatusBadRequest, `{"error":"url is missing"}`)
	r := post(t, s, projectHooks, map[string]any{
		"url": "https://ci.example.com/{path}", "name": "ci", "token": "TOKEN-CANARY",
		"url_variables":   []map[string]string{{"key": "path", "value": "VAR-CANARY"}},
		"custom_headers":  []map[string]string{{"key": "X-Key", "value": "HEADER-CANARY"}},
		"pipeline_events": true, "member_events": true,
	})
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	h := r.obj(t)
	if strings.Contains(string(r.body), "CANARY") {
		t.Fatalf("a secret came back: %s", r.body)
	}
	if h["token_present"] != true || h["signing_token_present"] != false || h["push_events"] != true || h["pipeline_events"] != true {
		t.Fatalf("created hook: %s", r.body)
	}
	if _, ok := h["member_events"]; ok {
		t.Fatalf("a group-only flag on a project hook: %s", r.body)
	}
	path := projectHooks + "/1"
	got := get(t, s, path)
	if !strings.Contains(string(got.body), `"url_variables":[{"key":"path"}]`) || !strings.Contains(string(got.body), `"custom_headers":[{"key":"X-Key"}]`) {
		t.Fatalf("GET: %s", got.body)
	}
	// The project list leaves variables and headers out entirely.
	l := get(t, s, projectHooks).list(t)
	if _, ok := l[0]["url_variables"]; ok || len(l) != 1 {
		t.Fatalf("list: %v", l)
	}
	expect(t, put(t, s, path, map[string]any{}), http.StatusBadRequest, `{"error":"No parameters provided"}`)
	d := del(t, s, path)
	if d.status != http.StatusNoContent || len(d.body) != 0 {
		t.Fatalf("DELETE: %d %q", d.status, d.body)
	}
	expect(t, del(t, s, path), http.StatusNotFound, `{"message":"404 Not found"}`)
}

func TestHookSecretsPresenceNeeds19(t *testing.T) {
	s := hookServer(t, "18.5.0")
	r := post(t, s, projectHooks, map[string]any{"url": "https://ci.example.com", "token": "t", "signing_token": "whsec_" + strings.Repeat("A", 43) + "="})
	h := r.obj(t)
	if _, ok := h["token_present"]; ok {
		t.Fatalf("token_present before 19.0: %s", r.body)
	}
	if rec := s.Hooks("project", "acme/web")[0]; rec.SigningToken != "" || rec.Token != "t" {
		t.Fatalf("18.5 kept %+v; signing_token is not declared before 19.0", rec)
	}
}

func TestHookURLChangeResets(t *testing.T) {
	s := hookServer(t, "19.5.0")
	post(t, s, projectHooks, map[string]any{
		"url": "https://ci.example.com/a", "token": "T1",
		"custom_headers": []map[string]string{{"key": "X-Key", "value": "H1"}},
	})
	path := projectHooks + "/1"
	// Same URL: nothing resets.
	put(t, s, path, map[string]any{"url": "https://ci.example.com/a", "name": "n"})
	if rec := s.Hooks("project", "acme/web")[0]; rec.Token != "T1" || rec.CustomHeaders["X-Key"] != "H1" {
		t.Fatalf("same URL reset secrets: %+v", rec)
	}
	// A new URL clears the token unless resent, and every header even if resent.
	put(t, s, path, map[string]any{"url": "https://ci.example.com/b", "custom_headers": []map[string]string{{"key": "X-Key", "value": "H2"}}})
	rec := s.Hooks("project", "acme/web")[0]
	if rec.Token != "" || len(rec.CustomHeaders) != 0 {
		t.Fatalf("after URL change: %+v", rec)
	}
	put(t, s, path, map[string]any{"url": "https://ci.example.com/c", "token": "T2"})
	if rec := s.Hooks("project", "acme/web")[0]; rec.Token != "T2" {
		t.Fatalf("token sent with the URL was lost: %+v", rec)
	}
}

func TestHookURLVariables(t *testing.T) {
	s := hookServer(t, "19.5.0")
	post(t, s, projectHooks, map[string]any{
		"url": "https://{host}/hook", "url_variables": []map[string]string{{"key": "host", "value": "ci.example.com"}},
		"custom_headers": []map[string]string{{"key": "X-Key", "value": "H1"}},
	})
	path := projectHooks + "/1"
	// A new variable merges in; the interpolated URL is unchanged, so nothing resets.
	put(t, s, path, map[string]any{"url_variables": []map[string]string{{"key": "extra", "value": "1"}}})
	rec := s.Hooks("project", "acme/web")[0]
	if len(rec.URLVariables) != 2 || rec.CustomHeaders["X-Key"] != "H1" {
		t.Fatalf("merge: %+v", rec)
	}
	// Overwriting a variable the URL uses clears them all, so the template cannot be filled.
	expect(t, put(t, s, path, map[string]any{"url_variables": []map[string]string{{"key": "host", "value": "other.example.com"}}}),
		http.StatusUnprocessableEntity, `{"error":"Invalid url given"}`)
	// The safe order: a plain URL (clears variables, token and headers), then the template.
	expect(t, put(t, s, path, map[string]any{"url": "https://host/hook"}), http.StatusOK, "")
	rec = s.Hooks("project", "acme/web")[0]
	if len(rec.URLVariables) != 0 || len(rec.CustomHeaders) != 0 {
		t.Fatalf("plain URL kept %+v", rec)
	}
	expect(t, put(t, s, path, map[string]any{"url": "https://{host}/hook", "url_variables": []map[string]string{{"key": "host", "value": "other.example.com"}}}), http.StatusOK, "")
	if rec := s.Hooks("project", "acme/web")[0]; rec.URLVariables["host"] != "other.example.com" {
		t.Fatalf("template: %+v", rec)
	}
	expect(t, post(t, s, projectHooks, map[string]any{"url": "https://{nope}/x"}), http.StatusUnprocessableEntity, `{"error":"Invalid url given"}`)
}

func TestHookValidation(t *testing.T) {
	s := hookServer(t, "19.5.0")
	expect(t, post(t, s, projectHooks, map[string]any{"url": "http://127.0.0.1:9/x"}), http.StatusUnprocessableEntity, `{"error":"Invalid url given"}`)
	expect(t, post(t, s, projectHooks, map[string]any{"url": "https://a.example.com", "branch_filter_strategy": "glob"}),
		http.StatusBadRequest, `{"error":"branch_filter_strategy does not have a valid value"}`)
	expect(t, post(t, s, projectHooks, map[string]any{"url": "https://a.example.com", "branch_filter_strategy": "regex", "push_events_branch_filter": "("}),
		http.StatusUnprocessableEntity, `{"error":"Invalid branch filter given"}`)
	expect(t, post(t, s, projectHooks, map[string]any{"url": "https://a.example.com", "custom_headers": []map[string]string{{"key": "bad key", "value": "v"}}}),
		http.StatusUnprocessableEntity, `{"error":"Custom headers must be a valid json schema"}`)
	post(t, s, projectHooks, map[string]any{"url": "https://a.example.com"})
	expect(t, put(t, s, projectHooks+"/1", map[string]any{"custom_headers": []map[string]string{{"key": "bad key", "value": "v"}}}),
		http.StatusUnprocessableEntity, `{"error":"Custom headers validation failed"}`)
	expect(t, put(t, s, projectHooks+"/1", map[string]any{"custom_webhook_template": strings.Repeat("x", 4097)}),
		http.StatusUnprocessableEntity, `{"message":{"custom_webhook_template":["is too long (maximum is 4096 characters)"]}}`)
	r := put(t, s, projectHooks+"/1", map[string]any{"branch_filter_strategy": "all_branches", "push_events_branch_filter": "main"})
	if h := r.obj(t); h["push_events_branch_filter"] != nil {
		t.Fatalf("all_branches kept a filter: %s", r.body)
	}
	if len(s.Hooks("project", "acme/web")) != 1 {
		t.Fatal("a refused hook was stored")
	}
}

func TestHookKeyValueEndpoints(t *testing.T) {
	s := hookServer(t, "19.5.0")
	post(t, s, projectHooks, map[string]any{"url": "https://a.example.com"})
	h := projectHooks + "/1/custom_headers/X-Key"
	r := put(t, s, h, map[string]any{"value": "V"})
	if r.status != http.StatusNoContent {
		t.Fatalf("PUT header: %d %s", r.status, r.body)
	}
	expect(t, put(t, s, projectHooks+"/1/custom_headers/bad%20key", map[string]any{"value": "V"}), http.StatusUnprocessableEntity, `{"error":"Illegal key or value"}`)
	if del(t, s, h).status != http.StatusNoContent {
		t.Fatal("DELETE header")
	}
	expect(t, del(t, s, h), http.StatusNotFound, `{"message":"404 Custom header Not Found"}`)
	expect(t, del(t, s, projectHooks+"/1/url_variables/x"), http.StatusNotFound, `{"message":"404 URL variable Not Found"}`)
}

func TestHookRolesAndKinds(t *testing.T) {
	s := hookServer(t, "19.5.0")
	s.AddGroup("acme")
	s.AddToken("maint", Token{Username: "m", Scopes: []string{"api"}, AccessLevel: 40})
	// Group hooks need the Owner role; system hooks an administrator.
	expect(t, do(t, s, request{method: http.MethodGet, path: "/groups/acme/hooks", token: "maint"}), http.StatusForbidden, `{"message":"403 Forbidden"}`)
	expect(t, do(t, s, request{method: http.MethodGet, path: "/hooks", token: ownerToken}), http.StatusForbidden, `{"message":"403 Forbidden"}`)
	r := do(t, s, request{method: http.MethodPost, path: "/hooks", token: adminToken, body: map[string]any{"url": "http://127.0.0.1:9/x", "issues_events": true}})
	if r.status != http.StatusCreated {
		t.Fatalf("system hook to a local URL: %d %s", r.status, r.body)
	}
	sys := r.obj(t)
	if sys["repository_update_events"] != true || sys["push_events"] != false {
		t.Fatalf("system defaults: %s", r.body)
	}
	if _, ok := sys["issues_events"]; ok {
		t.Fatalf("project flag on a system hook: %s", r.body)
	}
	g := post(t, s, "/groups/acme/hooks", map[string]any{"url": "https://a.example.com", "member_events": true})
	if g.obj(t)["member_events"] != true {
		t.Fatalf("group hook: %s", g.body)
	}
}

func TestHookDeleteIfUnmodifiedSince(t *testing.T) {
	s := hookServer(t, "19.5.0")
	post(t, s, projectHooks, map[string]any{"url": "https://a.example.com"})
	before := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	r := do(t, s, request{method: http.MethodDelete, path: projectHooks + "/1", token: ownerToken, header: map[string]string{"If-Unmodified-Since": before}})
	expect(t, r, http.StatusPreconditionFailed, `{"message":"412 Precondition Failed"}`)
	if len(s.Hooks("project", "acme/web")) != 1 {
		t.Fatal("a hook changed after If-Unmodified-Since was deleted")
	}
	later := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	r = do(t, s, request{method: http.MethodDelete, path: projectHooks + "/1", token: ownerToken, header: map[string]string{"If-Unmodified-Since": later}})
	expect(t, r, http.StatusNoContent, "")
}

func TestHookAlertStatusIsReadOnlyAndShown(t *testing.T) {
	s := hookServer(t, "19.5.0")
	post(t, s, projectHooks, map[string]any{"url": "https://a.example.com"})
	// alert_status is not a parameter: sending it changes nothing (and is no parameter at all).
	expect(t, put(t, s, projectHooks+"/1", map[string]any{"alert_status": "disabled"}), http.StatusBadRequest, `{"error":"No parameters provided"}`)
	until := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	if !s.SetHookAlert("project", "acme/web", 1, "temporarily_disabled", &until) {
		t.Fatal("SetHookAlert found no hook")
	}
	h := get(t, s, projectHooks+"/1").obj(t)
	if h["alert_status"] != "temporarily_disabled" || h["disabled_until"] != "2026-12-02T10:00:00Z" {
		t.Fatalf("hook %v", h)
	}
}
