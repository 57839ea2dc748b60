package gitlabfake

// Hook deliveries: the test endpoints, the event log and resend, with the rate limit and the
// auto-disabling GitLab 19.5 applies (shared/reference/gitlab-hooks.md §1, §4, §5). The fake
// really sends each delivery, but only to loopback receivers: a test must never reach out.

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// hookTriggers maps the test endpoint's :trigger (19.5's enum, the same for project and group
// hooks) to the hook scope GitLab logs the delivery under.
var hookTriggers = map[string]string{
	"confidential_issues_events":   "confidential_issue_hooks",
	"confidential_note_events":     "confidential_note_hooks",
	"deployment_events":            "deployment_hooks",
	"emoji_events":                 "emoji_hooks",
	"feature_flag_events":          "feature_flag_hooks",
	"issues_events":                "issue_hooks",
	"job_events":                   "job_hooks",
	"merge_requests_events":        "merge_request_hooks",
	"milestone_events":             "milestone_hooks",
	"note_events":                  "note_hooks",
	"pipeline_events":              "pipeline_hooks",
	"push_events":                  "push_hooks",
	"releases_events":              "release_hooks",
	"resource_access_token_events": "resource_access_token_hooks",
	"resource_deploy_token_events": "resource_deploy_token_hooks",
	"tag_push_events":              "tag_push_hooks",
	"wiki_page_events":             "wiki_page_hooks",
	"vulnerability_events":         "vulnerability_hooks",
}

// Bounds of the event log (§5).
const (
	hookLogDays       = 7  // the list's window starts at the beginning of the day 7 days ago
	hookLogKeepDays   = 14 // daily partitions kept
	hookLogPerPageMax = 20
	hookBodyMax       = 8 << 10
	hookMaxFailures   = 40
	hookDeliveryLimit = 10 * time.Second
)

// hookLog is one logged delivery.
type hookLog struct {
	id              int64
	trigger         string
	url             string // the template, credentials sanitized
	fullURL         string // the interpolated URL, to tell whether the hook's URL changed since
	requestHeaders  map[string]string
	requestData     string
	responseHeaders map[string]string
	responseBody    string
	duration        float64
	status          string // "200", or "internal error"
	idempotencyKey  string
	created         time.Time
}

// rateWindow is one fixed window of ApplicationRateLimiter: it starts at the first request.
type rateWindow struct {
	start time.Time
	count int
}

// WithHookAutoDisabling turns on the ops flag auto_disabling_web_hooks (on at GitLab.com, off
// by default on self-managed): failing project and group hooks back off and are disabled.
func WithHookAutoDisabling() Option { return func(s *Server) { s.autoDisable = true } }

// WithHookRateLimits sets the admin settings web_hook_test_limit and
// web_hook_event_resend_limit (requests per minute per user per project or group; default 5;
// 0 disables the limit).
func WithHookRateLimits(test, resend int) Option {
	return func(s *Server) { s.testLimit, s.resendLimit = &test, &resend }
}

// AdvanceClock moves the clock of hook deliveries forward by d: rate-limit windows, the event
// log's retention and auto-disabling backoff see the later time. Nothing sleeps.
func (s *Server) AdvanceClock(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.skew += d
}

// now is the time hook deliveries see. The caller holds s.mu.
func (s *Server) now() time.Time { return time.Now().Add(s.skew) }

func (s *Server) limitOf(action string) int {
	l := s.testLimit
	if action == "resend" {
		l = s.resendLimit
	}
	if l == nil {
		return 5
	}
	return *l
}

// throttled counts a request against the limit of action (test or resend) for the user at the
// hooks' owner; over it, it answers 429 with Retry-After. The caller holds s.mu.
func (s *Server) throttled(w http.ResponseWriter, t *Token, action, key string) bool {
	limit := s.limitOf(action)
	if limit <= 0 || key == "system" {
		return false
	}
	if s.windows == nil {
		s.windows = map[string]*rateWindow{}
	}
	k := action + "/" + strconv.FormatInt(t.userID, 10) + "/" + key
	now := s.now()
	win := s.windows[k]
	if win == nil || now.Sub(win.start) >= time.Minute {
		win = &rateWindow{start: now}
		s.windows[k] = win
	}
	win.count++
	if win.count <= limit {
		return false
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(win.start.Add(time.Minute).Sub(now).Seconds()))))
	writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": map[string]string{"error": "This endpoint has been requested too many times. Try again later."}})
	return true
}

// deliveryRoute reports whether rest (after /hooks) is a route that delivers: a project or group
// hook's test or resend, or a system hook's test.
func deliveryRoute(method, kind string, rest []string) bool {
	if method != http.MethodPost {
		return false
	}
	switch {
	case kind == "system":
		return len(rest) == 1
	case len(rest) == 3 && rest[1] == "test":
		return true
	}
	return len(rest) == 4 && rest[1] == "events" && rest[3] == "resend"
}

// serveDelivery serves the delivering routes. It takes s.mu itself: the delivery is sent
// without holding it.
func (s *Server) serveDelivery(w http.ResponseWriter, t *Token, kind, id string, hid int64, rest []string) {
	s.mu.Lock()
	key, ok := s.hookOwner(w, t, kind, id)
	if !ok {
		s.mu.Unlock()
		return
	}
	h := s.findHook(key, hid)
	if h == nil {
		s.mu.Unlock()
		writeMessage(w, http.StatusNotFound, "404 Not found")
		return
	}
	switch {
	case kind == "system":
		s.mu.Unlock()
		s.testSystemHook(w, h)
	case rest[1] == "test":
		s.testHook(w, t, kind, key, h, rest[2]) // unlocks
	default:
		s.resendHookEvent(w, t, kind, key, h, rest[2]) // unlocks
	}
}

func (s *Server) findHook(key string, id int64) *hook {
	for _, h := range s.hookStore().byOwner[key] {
		if h.id == id {
			return h
		}
	}
	return nil
}

// testHook is POST …/hooks/:id/test/:trigger: it runs with force, so a disabled hook is sent
// to (and re-enabled by a 2xx or 3xx). Only a 2xx is a 201; anything else is 422 with the
// receiver's body or the connection's error. The caller holds s.mu; testHook releases it.
func (s *Server) testHook(w http.ResponseWriter, t *Token, kind, key string, h *hook, trigger string) {
	scope, ok := hookTriggers[trigger]
	if !ok {
		s.mu.Unlock()
		// Group-only events (member, project, subgroup) are not in the enum either.
		writeErrorKey(w, http.StatusBadRequest, "trigger does not have a valid value")
		return
	}
	if s.throttled(w, t, "test", key) {
		s.mu.Unlock()
		return
	}
	if s.emptyRepos[key] && (trigger == "push_events" || trigger == "tag_push_events") {
		s.mu.Unlock()
		// TestHooks::ProjectService has no sample push without a commit; nothing is sent.
		writeMessage(w, http.StatusUnprocessableEntity, "Ensure the project has at least one commit.")
		return
	}
	shot := s.shotOf(h, scope, samplePayload(trigger, s.URL), uuid.NewString())
	s.mu.Unlock()
	res := s.send(shot)
	s.mu.Lock()
	s.logDelivery(kind, h, shot, res)
	s.mu.Unlock()
	switch {
	case res.err != nil:
		writeMessage(w, http.StatusUnprocessableEntity, res.err.Error())
	case res.status < 200 || res.status > 299:
		writeMessage(w, http.StatusUnprocessableEntity, string(res.body))
	default:
		writeMessage(w, http.StatusCreated, "201 Created")
	}
}

// resendHookEvent is POST …/hooks/:id/events/:log_id/resend: the logged data again, with the
// same Idempotency-Key, through the hook's current settings. It does not force: a disabled
// hook is refused. Any answer of the receiver is a 201 carrying its status. The caller holds
// s.mu; resendHookEvent releases it.
func (s *Server) resendHookEvent(w http.ResponseWriter, t *Token, kind, key string, h *hook, rawID string) {
	logID, err := strconv.ParseInt(rawID, 10, 64)
	if err != nil {
		s.mu.Unlock()
		writeErrorKey(w, http.StatusBadRequest, "hook_log_id is invalid")
		return
	}
	if s.throttled(w, t, "resend", key) {
		s.mu.Unlock()
		return
	}
	var entry *hookLog
	for _, l := range s.keptLogs(h) {
		if l.id == logID {
			entry = l
		}
	}
	switch {
	case entry == nil:
		s.mu.Unlock()
		writeMessage(w, http.StatusNotFound, "404 Not found")
		return
	case entry.fullURL != s.fullURL(h):
		s.mu.Unlock()
		writeMessage(w, http.StatusUnprocessableEntity, "The hook URL has changed, and this log entry cannot be retried")
		return
	case !s.executable(kind, h):
		s.mu.Unlock()
		writeMessage(w, http.StatusUnprocessableEntity, "Hook disabled")
		return
	}
	shot := s.shotOf(h, entry.trigger, []byte(entry.requestData), entry.idempotencyKey)
	s.mu.Unlock()
	res := s.send(shot)
	s.mu.Lock()
	s.logDelivery(kind, h, shot, res)
	s.mu.Unlock()
	if res.err != nil {
		writeMessage(w, http.StatusUnprocessableEntity, res.err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, map[string]int{"response_status": res.status})
}

// testSystemHook is POST /hooks/:id: a fixed project_create payload, answered with 201 and the
// payload whatever the receiver said.
func (s *Server) testSystemHook(w http.ResponseWriter, h *hook) {
	data := map[string]any{
		"event_name": "project_create", "name": "Ruby", "path": "ruby", "project_id": 1,
		"owner_name": "Someone", "owner_email": "example@gitlabhq.com",
	}
	raw, _ := json.Marshal(data)
	s.mu.Lock()
	shot := s.shotOf(h, "system_hooks", raw, uuid.NewString())
	s.mu.Unlock()
	res := s.send(shot)
	s.mu.Lock()
	s.logDelivery("system", h, shot, res)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, data)
}

// executable is WebHooks::AutoDisabling#executable?: not permanently disabled, not backing off.
// The caller holds s.mu.
func (s *Server) executable(kind string, h *hook) bool {
	return s.alertStatus(kind, h) == "executable"
}

// alertStatus is the hook's alert_status now: with auto-disabling, a temporary disabling ends
// by itself. Without it the stored status is what SetHookAlert set.
func (s *Server) alertStatus(kind string, h *hook) string {
	if kind == "system" {
		return "executable"
	}
	if s.autoDisable && h.alertStatus == "temporarily_disabled" && h.disabledUntil != nil && !s.now().Before(*h.disabledUntil) {
		return "executable"
	}
	return h.alertStatus
}

// shot is one delivery to send.
type shot struct {
	url      string
	template string
	header   http.Header
	body     []byte
	trigger  string
	idem     string
	// masked are values the log writes as [REDACTED]: the token and the custom headers'.
	masked []string
}

var eventHeaders = map[string]string{
	"push_hooks": "Push Hook", "tag_push_hooks": "Tag Push Hook", "issue_hooks": "Issue Hook",
	"confidential_issue_hooks": "Confidential Issue Hook", "note_hooks": "Note Hook",
	"confidential_note_hooks": "Confidential Note Hook", "merge_request_hooks": "Merge Request Hook",
	"job_hooks": "Job Hook", "pipeline_hooks": "Pipeline Hook", "wiki_page_hooks": "Wiki Page Hook",
	"deployment_hooks": "Deployment Hook", "feature_flag_hooks": "Feature Flag Hook", "release_hooks": "Release Hook",
	"milestone_hooks": "Milestone Hook", "emoji_hooks": "Emoji Hook", "resource_access_token_hooks": "Resource Access Token Hook",
	"resource_deploy_token_hooks": "Resource Deploy Token Hook", "vulnerability_hooks": "Vulnerability Hook",
	"system_hooks": "System Hook",
}

// shotOf builds WebHookService's request: custom headers first, then GitLab's own over them
// (a custom header cannot replace one), the token, and the signature when a signing token is
// set. The caller holds s.mu.
func (s *Server) shotOf(h *hook, trigger string, body []byte, idem string) shot {
	tmpl, _ := h.props["url"].(string)
	sh := shot{url: s.fullURL(h), template: tmpl, header: http.Header{}, body: body, trigger: trigger, idem: idem}
	for k, v := range h.customHeaders {
		sh.header.Set(k, v)
		sh.masked = append(sh.masked, v)
	}
	sh.header.Set("Content-Type", "application/json")
	sh.header.Set("User-Agent", "GitLab/"+s.version)
	sh.header.Set("X-Gitlab-Event", eventHeaders[trigger])
	sh.header.Set("X-Gitlab-Webhook-UUID", uuid.NewString())
	sh.header.Set("X-Gitlab-Event-UUID", uuid.NewString())
	sh.header.Set("X-Gitlab-Instance", s.URL)
	sh.header.Set("Idempotency-Key", idem)
	if h.token != "" {
		sh.header.Set("X-Gitlab-Token", h.token)
		sh.masked = append(sh.masked, h.token)
	}
	if key, ok := strings.CutPrefix(h.signingToken, "whsec_"); ok {
		if secret, err := base64.StdEncoding.DecodeString(key); err == nil {
			ts := strconv.FormatInt(s.now().Unix(), 10)
			mac := hmac.New(sha256.New, secret)
			mac.Write([]byte(idem + "." + ts + "." + string(body)))
			sh.header.Set("webhook-id", idem)
			sh.header.Set("webhook-timestamp", ts)
			sh.header.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
		}
	}
	return sh
}

func (s *Server) fullURL(h *hook) string {
	u, _ := h.props["url"].(string)
	full, _ := interpolate(u, h.urlVariables)
	return full
}

// result is a delivery's outcome; err is an internal error (no answer).
type result struct {
	status   int
	header   http.Header
	body     []byte
	duration time.Duration
	err      error
}

// send delivers sh to a loopback receiver, following no redirect. Any other host is refused
// without a connection, as an internal error.
func (s *Server) send(sh shot) result {
	u, err := url.Parse(sh.url)
	if err != nil {
		return result{err: err}
	}
	if !loopback(u.Hostname()) {
		return result{err: fmt.Errorf("the fake GitLab delivers only to loopback receivers; %s is not one", u.Hostname())}
	}
	hc := &http.Client{
		Timeout:       hookDeliveryLimit,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequest(http.MethodPost, sh.url, bytes.NewReader(sh.body))
	if err != nil {
		return result{err: err}
	}
	req.Header = sh.header.Clone()
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return result{err: err, duration: time.Since(start)}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, hookBodyMax))
	return result{status: resp.StatusCode, header: resp.Header, body: body, duration: time.Since(start)}
}

func loopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var emailShaped = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)

// logDelivery writes the event log entry, masked as WebHooks::LogExecutionService does, and
// applies auto-disabling. The caller holds s.mu.
func (s *Server) logDelivery(kind string, h *hook, sh shot, res result) {
	st := s.hookStore()
	st.logSeq++
	entry := &hookLog{
		id: st.logSeq, trigger: sh.trigger, url: sanitizeURL(sh.template), fullURL: sh.url,
		requestHeaders: map[string]string{}, responseHeaders: map[string]string{},
		requestData: emailShaped.ReplaceAllString(string(sh.body), "[REDACTED]"),
		duration:    res.duration.Seconds(), idempotencyKey: sh.idem, created: s.now(),
	}
	for k := range sh.header {
		v := sh.header.Get(k)
		if k == "X-Gitlab-Token" || slices.Contains(sh.masked, v) {
			v = "[REDACTED]"
		}
		entry.requestHeaders[k] = v
	}
	if res.err != nil {
		entry.status = "internal error"
	} else {
		entry.status = strconv.Itoa(res.status)
		entry.responseBody = string(res.body)
		n := 0
		for k := range res.header {
			if n++; n > 50 {
				break
			}
			v := res.header.Get(k)
			if len(v) > 1<<10 {
				v = v[:1<<10]
			}
			entry.responseHeaders[k] = v
		}
	}
	h.logs = append(h.logs, entry)
	if kind == "system" || !s.autoDisable {
		return
	}
	if res.err == nil && res.status >= 200 && res.status < 400 {
		h.recentFailures, h.disabledUntil, h.alertStatus = 0, nil, "executable"
		return
	}
	prev := h.recentFailures
	h.recentFailures = min(prev+1, hookMaxFailures)
	switch {
	case h.recentFailures >= hookMaxFailures:
		h.alertStatus, h.disabledUntil = "disabled", nil
	case h.recentFailures > 3:
		backoff := time.Minute * time.Duration(1<<min(prev-3, 11))
		until := s.now().Add(min(backoff, 24*time.Hour))
		h.alertStatus, h.disabledUntil = "temporarily_disabled", &until
	}
}

// sanitizeURL drops credentials from a URL template, leaving its placeholders as written.
func sanitizeURL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		rest = rest[at+1:]
	}
	return scheme + "://" + rest
}

// keptLogs drops entries past the partitions' retention and returns the rest, oldest first.
// The caller holds s.mu.
func (s *Server) keptLogs(h *hook) []*hookLog {
	cut := s.now().Add(-hookLogKeepDays * 24 * time.Hour)
	h.logs = slices.DeleteFunc(h.logs, func(l *hookLog) bool { return l.created.Before(cut) })
	return h.logs
}

// listHookEvents is GET …/hooks/:id/events: newest first, from the beginning of the day 7 days
// ago, filtered by status, per_page at most 20. The caller holds s.mu.
func (s *Server) listHookEvents(w http.ResponseWriter, r *http.Request, h *hook) {
	q := r.URL.Query()
	if v := q.Get("per_page"); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > hookLogPerPageMax {
			writeErrorKey(w, http.StatusBadRequest, "per_page does not have a valid value")
			return
		}
	}
	match, ok := statusFilter(q)
	if !ok {
		writeErrorKey(w, http.StatusBadRequest, "status does not have a valid value")
		return
	}
	pg, ok := s.pagination(w, q)
	if !ok {
		return
	}
	now := s.now().UTC()
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -hookLogDays)
	var picked []*hookLog
	for _, l := range s.keptLogs(h) {
		if !l.created.Before(from) && match(l.status) {
			picked = append(picked, l)
		}
	}
	slices.Reverse(picked)
	start, end := pg.window(len(picked))
	out := make([]map[string]any, 0, end-start)
	for _, l := range picked[start:end] {
		out = append(out, map[string]any{
			"id": l.id, "url": l.url, "trigger": l.trigger, "request_headers": l.requestHeaders,
			"request_data": json.RawMessage(orNull(l.requestData)), "response_headers": l.responseHeaders,
			"response_body": l.responseBody, "execution_duration": l.duration, "response_status": l.status,
			"created_at": l.created.UTC().Format(time.RFC3339Nano),
		})
	}
	pg.setHeaders(w, r, len(picked))
	writeJSON(w, http.StatusOK, out)
}

func orNull(raw string) string {
	if json.Valid([]byte(raw)) {
		return raw
	}
	b, _ := json.Marshal(raw)
	return string(b)
}

// statusFilter reads status: codes, successful, client_failure, server_failure, as an array or
// a comma-separated list.
func statusFilter(q url.Values) (func(string) bool, bool) {
	var want []string
	for _, v := range append(q["status"], q["status[]"]...) {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				want = append(want, p)
			}
		}
	}
	for _, w := range want {
		n, err := strconv.Atoi(w)
		if !slices.Contains([]string{"successful", "client_failure", "server_failure"}, w) && (err != nil || http.StatusText(n) == "") {
			return nil, false
		}
	}
	return func(status string) bool {
		if len(want) == 0 {
			return true
		}
		code, _ := strconv.Atoi(status)
		for _, w := range want {
			switch {
			case w == status,
				w == "successful" && code >= 200 && code <= 299,
				w == "client_failure" && code >= 400 && code <= 499,
				w == "server_failure" && (code >= 500 && code <= 599 || status == "internal error"):
				return true
			}
		}
		return false
	}, true
}

// samplePayload is a small event of the trigger's kind, as TestHooks::ProjectService builds one.
func samplePayload(trigger, instance string) []byte {
	kind := strings.TrimSuffix(strings.TrimSuffix(trigger, "_events"), "s")
	raw, _ := json.Marshal(map[string]any{
		"object_kind": kind, "event_name": kind,
		"user_email": "test-user@example.com",
		"project":    map[string]any{"id": 1, "path_with_namespace": "acme/web", "web_url": instance + "/acme/web"},
	})
	return raw
}

// MarkEmptyRepository makes the project's repository have no commit: GitLab cannot test its
// hooks with push or tag push events.
func (s *Server) MarkEmptyRepository(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, ok := s.st.hookKey("project", path)
	if !ok {
		panic("gitlabfake: no project " + path)
	}
	if s.emptyRepos == nil {
		s.emptyRepos = map[string]bool{}
	}
	s.emptyRepos[key] = true
}

// HookEvent is a logged delivery, for tests to assert against.
type HookEvent struct {
	ID             int64
	Trigger        string
	Status         string
	RequestHeaders map[string]string
	IdempotencyKey string
}

// HookEvents returns a hook's event log, oldest first (kind and path as for Hooks).
func (s *Server) HookEvents(kind, path string, id int64) []HookEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, ok := s.st.hookKey(kind, path)
	if !ok {
		return nil
	}
	h := s.findHook(key, id)
	if h == nil {
		return nil
	}
	var out []HookEvent
	for _, l := range s.keptLogs(h) {
		out = append(out, HookEvent{ID: l.id, Trigger: l.trigger, Status: l.status, RequestHeaders: l.requestHeaders, IdempotencyKey: l.idempotencyKey})
	}
	return out
}
