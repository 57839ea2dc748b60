package gitlabfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// receiver is a loopback webhook receiver whose answer a test sets.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	body   string
	got    []*http.Request
	bodies []string
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	rc := &receiver{status: http.StatusOK, body: "ok"}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.got = append(rc.got, r)
		rc.bodies = append(rc.bodies, string(b))
		if rc.status >= 300 && rc.status < 400 {
			w.Header().Set("Location", "http://127.0.0.1:1/elsewhere")
		}
		w.WriteHeader(rc.status)
		_, _ = w.Write([]byte(rc.body))
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) answer(status int, body string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.status, rc.body = status, body
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.got)
}

func (rc *receiver) last() (*http.Request, string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.got[len(rc.got)-1], rc.bodies[len(rc.bodies)-1]
}

func deliveryServer(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s := newServer(t, append([]Option{WithVersion("19.5.0"), WithLocalHookURLs()}, opts...)...)
	s.AddToken(adminToken, Token{Username: "root", Scopes: []string{"api"}, Admin: true})
	s.AddProject("acme/web", false)
	s.AddProject("acme/api", false)
	return s
}

func addHook(t *testing.T, s *Server, path string, body map[string]any) string {
	t.Helper()
	r := post(t, s, path, body)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	return path + "/" + strconv.FormatInt(int64(r.obj(t)["id"].(float64)), 10)
}

func TestHookTestDeliversSignedAndLogsMasked(t *testing.T) {
	s := deliveryServer(t)
	rc := newReceiver(t)
	signing := "whsec_" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))
	hook := addHook(t, s, projectHooks, map[string]any{
		"url": rc.URL + "/{path}", "url_variables": []map[string]string{{"key": "path", "value": "in"}},
		"token": "TOKEN-CANARY", "signing_token": signing,
		"custom_headers": []map[string]string{{"key": "X-Key", "value": "HEADER-CANARY"}, {"key": "X-Gitlab-Event", "value": "spoof"}},
	})
	expect(t, post(t, s, hook+"/test/push_events", nil), http.StatusCreated, `{"message":"201 Created"}`)
	req, body := rc.last()
	if req.URL.Path != "/in" || req.Header.Get("X-Gitlab-Token") != "TOKEN-CANARY" || req.Header.Get("X-Key") != "HEADER-CANARY" {
		t.Fatalf("delivery %s %v", req.URL, req.Header)
	}
	// GitLab's own headers win over custom ones of the same name.
	if req.Header.Get("X-Gitlab-Event") != "Push Hook" {
		t.Fatalf("X-Gitlab-Event = %q", req.Header.Get("X-Gitlab-Event"))
	}
	mac := hmac.New(sha256.New, []byte(strings.Repeat("k", 32)))
	mac.Write([]byte(req.Header.Get("webhook-id") + "." + req.Header.Get("webhook-timestamp") + "." + body))
	if want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)); req.Header.Get("webhook-signature") != want || req.Header.Get("webhook-id") != req.Header.Get("Idempotency-Key") {
		t.Fatalf("signature %q, want %q", req.Header.Get("webhook-signature"), want)
	}
	ev := get(t, s, hook+"/events").list(t)
	if len(ev) != 1 {
		t.Fatalf("events %v", ev)
	}
	e := ev[0]
	// The log names the hook scope, not the test's trigger; the status is a string.
	if e["trigger"] != "push_hooks" || e["response_status"] != "200" || e["url"] != rc.URL+"/{path}" || e["response_body"] != "ok" {
		t.Fatalf("event %v", e)
	}
	raw := get(t, s, hook+"/events").body
	if strings.Contains(string(raw), "CANARY") || strings.Contains(string(raw), "test-user@example.com") {
		t.Fatalf("the log kept a secret or an email: %s", raw)
	}
	if h := e["request_headers"].(map[string]any); h["X-Gitlab-Token"] != "[REDACTED]" || h["X-Key"] != "[REDACTED]" {
		t.Fatalf("request headers %v", h)
	}
}

func TestHookTestFailures(t *testing.T) {
	s := deliveryServer(t)
	rc := newReceiver(t)
	hook := addHook(t, s, projectHooks, map[string]any{"url": rc.URL})
	rc.answer(http.StatusInternalServerError, "receiver is down")
	expect(t, post(t, s, hook+"/test/pipeline_events", nil), http.StatusUnprocessableEntity, `{"message":"receiver is down"}`)
	rc.answer(http.StatusFound, "moved")
	expect(t, post(t, s, hook+"/test/pipeline_events", nil), http.StatusUnprocessableEntity, `{"message":"moved"}`)
	// Group-only events and unknown triggers are not in the enum.
	expect(t, post(t, s, hook+"/test/member_events", nil), http.StatusBadRequest, `{"error":"trigger does not have a valid value"}`)
	s.AddGroup("acme")
	group := addHook(t, s, "/groups/acme/hooks", map[string]any{"url": rc.URL, "member_events": true})
	expect(t, post(t, s, group+"/test/subgroup_events", nil), http.StatusBadRequest, `{"error":"trigger does not have a valid value"}`)
	// Only loopback receivers are called; anything else is an internal error, never a connection.
	far := addHook(t, s, projectHooks, map[string]any{"url": "https://ci.example.com/hook"})
	r := post(t, s, far+"/test/push_events", nil)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "only to loopback receivers") {
		t.Fatalf("far receiver: %d %s", r.status, r.body)
	}
	ev := get(t, s, far+"/events").list(t)
	if len(ev) != 1 || ev[0]["response_status"] != "internal error" {
		t.Fatalf("far events %v", ev)
	}
	expect(t, post(t, s, projectHooks+"/99/test/push_events", nil), http.StatusNotFound, `{"message":"404 Not found"}`)
	// Without a commit there is no push sample: 422, and nothing is sent or logged.
	s.MarkEmptyRepository("acme/web")
	before := rc.count()
	expect(t, post(t, s, hook+"/test/push_events", nil), http.StatusUnprocessableEntity, `{"message":"Ensure the project has at least one commit."}`)
	if rc.count() != before || len(s.HookEvents("project", "acme/web", 1)) != 2 {
		t.Fatal("a test without sample data was delivered or logged")
	}
}

func TestHookRateLimitSharedByTheProjectsHooks(t *testing.T) {
	s := deliveryServer(t)
	rc := newReceiver(t)
	a := addHook(t, s, projectHooks, map[string]any{"url": rc.URL})
	b := addHook(t, s, projectHooks, map[string]any{"url": rc.URL})
	other := addHook(t, s, "/projects/acme%2Fapi/hooks", map[string]any{"url": rc.URL})
	for i := range 5 {
		hook := a
		if i%2 == 1 {
			hook = b
		}
		expect(t, post(t, s, hook+"/test/push_events", nil), http.StatusCreated, "")
	}
	r := post(t, s, b+"/test/push_events", nil)
	expect(t, r, http.StatusTooManyRequests, `{"message":{"error":"This endpoint has been requested too many times. Try again later."}}`)
	if ra, _ := strconv.Atoi(r.header.Get("Retry-After")); ra < 1 || ra > 60 {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	if rc.count() != 5 {
		t.Fatalf("a throttled test was delivered: %d deliveries", rc.count())
	}
	// Another project has its own limit; resend has its own; the window passes.
	expect(t, post(t, s, other+"/test/push_events", nil), http.StatusCreated, "")
	ev := get(t, s, a+"/events").list(t)
	expect(t, post(t, s, a+"/events/"+strconv.Itoa(int(ev[0]["id"].(float64)))+"/resend", nil), http.StatusCreated, `{"response_status":200}`)
	s.AdvanceClock(time.Minute)
	expect(t, post(t, s, a+"/test/push_events", nil), http.StatusCreated, "")
}

func TestHookEventsFiltersPagesAndWindow(t *testing.T) {
	s := deliveryServer(t, WithHookRateLimits(0, 0))
	rc := newReceiver(t)
	hook := addHook(t, s, projectHooks, map[string]any{"url": rc.URL})
	for _, st := range []int{200, 500, 404, 200} {
		rc.answer(st, "x")
		post(t, s, hook+"/test/push_events", nil)
	}
	statuses := func(q string) string {
		var out []string
		for _, e := range get(t, s, hook+"/events"+q).list(t) {
			out = append(out, e["response_status"].(string))
		}
		return strings.Join(out, ",")
	}
	if got := statuses(""); got != "200,404,500,200" {
		t.Fatalf("newest first: %s", got)
	}
	if got := statuses("?status=server_failure,client_failure"); got != "404,500" {
		t.Fatalf("failures: %s", got)
	}
	if got := statuses("?status[]=500&status[]=successful"); got != "200,500,200" {
		t.Fatalf("codes: %s", got)
	}
	if got := statuses("?per_page=2&page=2"); got != "500,200" {
		t.Fatalf("page 2: %s", got)
	}
	expect(t, get(t, s, hook+"/events?per_page=21"), http.StatusBadRequest, `{"error":"per_page does not have a valid value"}`)
	expect(t, get(t, s, hook+"/events?status=broken"), http.StatusBadRequest, `{"error":"status does not have a valid value"}`)
	// The list shows the last 7 days; the entries stay resendable while their partition lasts.
	s.AdvanceClock(9 * 24 * time.Hour)
	if got := statuses(""); got != "" {
		t.Fatalf("after 9 days: %s", got)
	}
	id := strconv.FormatInt(s.HookEvents("project", "acme/web", 1)[0].ID, 10)
	expect(t, post(t, s, hook+"/events/"+id+"/resend", nil), http.StatusCreated, `{"response_status":200}`)
	s.AdvanceClock(6 * 24 * time.Hour)
	expect(t, post(t, s, hook+"/events/"+id+"/resend", nil), http.StatusNotFound, `{"message":"404 Not found"}`)
}

func TestHookResend(t *testing.T) {
	s := deliveryServer(t)
	rc := newReceiver(t)
	hook := addHook(t, s, projectHooks, map[string]any{"url": rc.URL + "/a", "token": "T"})
	rc.answer(http.StatusBadGateway, "down")
	post(t, s, hook+"/test/push_events", nil)
	first, firstBody := rc.last()
	id := strconv.FormatInt(s.HookEvents("project", "acme/web", 1)[0].ID, 10)
	// A delivered request is a 201 whatever the receiver answered.
	expect(t, post(t, s, hook+"/events/"+id+"/resend", nil), http.StatusCreated, `{"response_status":502}`)
	again, againBody := rc.last()
	if again.Header.Get("Idempotency-Key") != first.Header.Get("Idempotency-Key") || againBody != strings.ReplaceAll(firstBody, "test-user@example.com", "[REDACTED]") {
		t.Fatalf("resend is not a replay: %v %s", again.Header, againBody)
	}
	if again.Header.Get("X-Gitlab-Token") != "T" {
		t.Fatal("resend did not use the hook's token")
	}
	if ev := s.HookEvents("project", "acme/web", 1); len(ev) != 2 || ev[1].IdempotencyKey != ev[0].IdempotencyKey {
		t.Fatalf("resend log %+v", ev)
	}
	expect(t, post(t, s, hook+"/events/999/resend", nil), http.StatusNotFound, `{"message":"404 Not found"}`)
	s.SetHookAlert("project", "acme/web", 1, "disabled", nil)
	expect(t, post(t, s, hook+"/events/"+id+"/resend", nil), http.StatusUnprocessableEntity, `{"message":"Hook disabled"}`)
	s.SetHookAlert("project", "acme/web", 1, "executable", nil)
	put(t, s, hook, map[string]any{"url": rc.URL + "/b"})
	expect(t, post(t, s, hook+"/events/"+id+"/resend", nil), http.StatusUnprocessableEntity, `{"message":"The hook URL has changed, and this log entry cannot be retried"}`)
}

func TestHookAutoDisabling(t *testing.T) {
	rc := newReceiver(t)
	rc.answer(http.StatusInternalServerError, "down")
	alert := func(s *Server, path string) (string, any) {
		h := get(t, s, path).obj(t)
		return h["alert_status"].(string), h["disabled_until"]
	}
	// Off (self-managed's default): failures change nothing.
	off := deliveryServer(t, WithHookRateLimits(0, 0))
	hook := addHook(t, off, projectHooks, map[string]any{"url": rc.URL})
	for range 5 {
		post(t, off, hook+"/test/push_events", nil)
	}
	if st, _ := alert(off, hook); st != "executable" {
		t.Fatalf("auto-disabled with the flag off: %s", st)
	}

	s := deliveryServer(t, WithHookRateLimits(0, 0), WithHookAutoDisabling())
	hook = addHook(t, s, projectHooks, map[string]any{"url": rc.URL})
	sys := "/hooks/" + strconv.FormatInt(int64(do(t, s, request{method: http.MethodPost, path: "/hooks", token: adminToken, body: map[string]any{"url": rc.URL}}).obj(t)["id"].(float64)), 10)
	for range 3 {
		post(t, s, hook+"/test/push_events", nil)
	}
	if st, _ := alert(s, hook); st != "executable" {
		t.Fatalf("after 3 failures: %s", st)
	}
	post(t, s, hook+"/test/push_events", nil)
	st, until := alert(s, hook)
	if st != "temporarily_disabled" || until == nil {
		t.Fatalf("after 4 failures: %s %v", st, until)
	}
	id := strconv.FormatInt(s.HookEvents("project", "acme/web", 1)[0].ID, 10)
	expect(t, post(t, s, hook+"/events/"+id+"/resend", nil), http.StatusUnprocessableEntity, `{"message":"Hook disabled"}`)
	// The backoff passes by itself (1 minute after the 4th failure), and doubles with the 5th.
	s.AdvanceClock(time.Minute)
	if st, _ := alert(s, hook); st != "executable" {
		t.Fatalf("after the backoff: %s", st)
	}
	post(t, s, hook+"/test/push_events", nil)
	s.AdvanceClock(time.Minute)
	if st, _ := alert(s, hook); st != "temporarily_disabled" {
		t.Fatalf("the 5th failure's backoff is 2 minutes: %s", st)
	}
	// A test runs anyway (force) and a 3xx re-enables the hook, though the test answers 422.
	rc.answer(http.StatusFound, "moved")
	expect(t, post(t, s, hook+"/test/push_events", nil), http.StatusUnprocessableEntity, `{"message":"moved"}`)
	if st, until := alert(s, hook); st != "executable" || until != nil {
		t.Fatalf("after a 3xx: %s %v", st, until)
	}
	// 40 failures disable it for good; system hooks are never disabled.
	rc.answer(http.StatusInternalServerError, "down")
	for range 40 {
		post(t, s, hook+"/test/push_events", nil)
		do(t, s, request{method: http.MethodPost, path: sys, token: adminToken})
	}
	s.AdvanceClock(48 * time.Hour)
	if st, until := alert(s, hook); st != "disabled" || until != nil {
		t.Fatalf("after 40 failures: %s %v", st, until)
	}
	if h := do(t, s, request{method: http.MethodGet, path: sys, token: adminToken}).obj(t); h["alert_status"] != "executable" {
		t.Fatalf("system hook: %v", h["alert_status"])
	}
}

func TestSystemHookTest(t *testing.T) {
	s := deliveryServer(t)
	rc := newReceiver(t)
	rc.answer(http.StatusInternalServerError, "down")
	admin := func(method, path string) response {
		return do(t, s, request{method: method, path: path, token: adminToken, body: map[string]any{"url": rc.URL}})
	}
	admin(http.MethodPost, "/hooks")
	// The mock payload comes back with 201, whatever the receiver answered; no rate limit.
	for range 6 {
		r := admin(http.MethodPost, "/hooks/1")
		if r.status != http.StatusCreated || r.obj(t)["event_name"] != "project_create" {
			t.Fatalf("system test: %d %s", r.status, r.body)
		}
	}
	if req, _ := rc.last(); req.Header.Get("X-Gitlab-Event") != "System Hook" || rc.count() != 6 {
		t.Fatalf("system deliveries: %d %v", rc.count(), req.Header)
	}
	// The 19.5 spec has no events route for system hooks.
	expect(t, admin(http.MethodGet, "/hooks/1/events"), http.StatusNotFound, `{"error":"404 Not Found"}`)
	expect(t, do(t, s, request{method: http.MethodPost, path: "/hooks/1", token: ownerToken}), http.StatusForbidden, `{"message":"403 Forbidden"}`)
}
