package gitlabfake

// The webhooks API of projects, groups and the instance (system hooks), as GitLab 19.5's
// source and spec describe it (shared/reference/gitlab-hooks.md). Its parameters are written
// out here from that reference, never taken from the tool's own hook metadata.

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// hook is one stored webhook, secrets included.
type hook struct {
	id            int64
	props         map[string]any // url, name, description, push_events_branch_filter, …
	events        map[string]bool
	token         string
	signingToken  string
	urlVariables  map[string]string
	customHeaders map[string]string
	alertStatus   string
	disabledUntil *time.Time
	// recentFailures counts failed deliveries since the last success (auto-disabling).
	recentFailures int
	logs           []*hookLog // the event log, oldest first
	created        time.Time
	updated        time.Time
}

// hookStore holds the hooks of every owner, by "project:<id>", "group:<id>" or "system".
type hookStore struct {
	seq     int64
	logSeq  int64
	byOwner map[string][]*hook
	// lose is how many hook requests are still to be processed with their answer lost.
	lose int
}

// LoseNextHookAnswers processes the next n hook requests and then drops the connection
// without answering, as a proxy that fails after the server did the work.
func (s *Server) LoseNextHookAnswers(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hookStore().lose += n
}

// Event flags per kind (§2 of the reference).
var (
	hookSharedFlags = []string{
		"push_events", "tag_push_events", "merge_requests_events", "issues_events", "confidential_issues_events",
		"note_events", "confidential_note_events", "job_events", "pipeline_events", "wiki_page_events",
		"deployment_events", "feature_flag_events", "releases_events", "milestone_events", "emoji_events",
		"resource_access_token_events", "vulnerability_events",
	}
	hookFlags = map[string][]string{
		"project": append(slices.Clone(hookSharedFlags), "resource_deploy_token_events"),
		"group":   append(slices.Clone(hookSharedFlags), "member_events", "project_events", "subgroup_events"),
		"system":  {"push_events", "tag_push_events", "merge_requests_events", "repository_update_events"},
	}
	hookStringParams = []string{"url", "name", "description", "push_events_branch_filter", "branch_filter_strategy", "custom_webhook_template"}
	hookLimits       = map[string]int{"project": 100, "group": 50}

	hookVarKey    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	hookHeaderKey = regexp.MustCompile(`^[A-Za-z]+[0-9]*(?:[._-][A-Za-z0-9]+)*$`)
	hookVarRef    = regexp.MustCompile(`\{([^{}]*)\}`)
)

// WithLocalHookURLs lets project and group hooks call local addresses, as an admin allows with
// allow_local_requests_from_web_hooks_and_services (off by default in GitLab).
func WithLocalHookURLs() Option { return func(s *Server) { s.allowLocalHooks = true } }

func (s *Server) hookStore() *hookStore {
	if s.hooks == nil {
		s.hooks = &hookStore{byOwner: map[string][]*hook{}}
	}
	return s.hooks
}

// routeHooks serves /projects/:id/hooks…, /groups/:id/hooks… (kind project, group) and
// /hooks… (kind system, id "").
func (s *Server) routeHooks(w http.ResponseWriter, r *http.Request, body []byte, method, kind, id string, rest []string) {
	s.mu.Lock()
	lose := s.hookStore().lose > 0
	if lose {
		s.hooks.lose--
	}
	s.mu.Unlock()
	if lose {
		rec := httptest.NewRecorder()
		s.routeHooks(rec, r, body, method, kind, id, rest)
		dropConnection(w)
		return
	}
	s.authed(w, r, func(w http.ResponseWriter, t *Token) {
		var hid int64
		if len(rest) > 0 {
			n, err := strconv.ParseInt(rest[0], 10, 64)
			if err != nil {
				writeErrorKey(w, http.StatusBadRequest, "hook_id is invalid")
				return
			}
			hid = n
		}
		if deliveryRoute(method, kind, rest) {
			s.serveDelivery(w, t, kind, id, hid, rest)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		key, ok := s.hookOwner(w, t, kind, id)
		if !ok {
			return
		}
		switch {
		case len(rest) == 0 && method == http.MethodGet:
			s.listHooks(w, r, kind, key)
		case len(rest) == 0 && method == http.MethodPost:
			s.addHook(w, r, body, kind, key)
		case len(rest) == 1 && method == http.MethodGet:
			s.withHook(w, key, hid, func(h *hook) { writeJSON(w, http.StatusOK, s.hookJSON(h, kind, true)) })
		case len(rest) == 1 && method == http.MethodPut:
			s.withHook(w, key, hid, func(h *hook) { s.editHook(w, r, body, kind, h) })
		case len(rest) == 1 && method == http.MethodDelete:
			s.withHook(w, key, hid, func(h *hook) { s.removeHook(w, r, key, h) })
		case len(rest) == 2 && rest[1] == "events" && method == http.MethodGet && kind != "system":
			s.withHook(w, key, hid, func(h *hook) { s.listHookEvents(w, r, h) })
		case len(rest) == 3 && (rest[1] == "url_variables" || rest[1] == "custom_headers") &&
			(method == http.MethodPut || method == http.MethodDelete):
			s.withHook(w, key, hid, func(h *hook) { s.hookKeyValue(w, r, body, method, kind, h, rest[1], rest[2]) })
		default:
			notFoundRoute(w)
		}
	})
}

// hookOwner finds the project, group or instance and checks the role: Maintainer for project
// hooks, Owner for group hooks, administrator for system hooks. The caller holds s.mu.
func (s *Server) hookOwner(w http.ResponseWriter, t *Token, kind, id string) (string, bool) {
	switch kind {
	case "project":
		p := s.findProject(id)
		if p == nil {
			writeMessage(w, http.StatusNotFound, "404 Project Not Found")
			return "", false
		}
		if t.AccessLevel < 40 && !t.Admin {
			writeMessage(w, http.StatusForbidden, "403 Forbidden")
			return "", false
		}
		return "project:" + strconv.FormatInt(p.id, 10), true
	case "group":
		g := s.findGroup(id)
		if g == nil {
			writeMessage(w, http.StatusNotFound, "404 Group Not Found")
			return "", false
		}
		if t.AccessLevel < 50 && !t.Admin {
			writeMessage(w, http.StatusForbidden, "403 Forbidden")
			return "", false
		}
		return "group:" + strconv.FormatInt(g.id, 10), true
	}
	if !t.Admin {
		writeMessage(w, http.StatusForbidden, "403 Forbidden")
		return "", false
	}
	return "system", true
}

func (s *Server) withHook(w http.ResponseWriter, key string, id int64, fn func(*hook)) {
	for _, h := range s.hookStore().byOwner[key] {
		if h.id == id {
			fn(h)
			return
		}
	}
	writeMessage(w, http.StatusNotFound, "404 Not found")
}

func (s *Server) listHooks(w http.ResponseWriter, r *http.Request, kind, key string) {
	pg, ok := s.pagination(w, r.URL.Query())
	if !ok {
		return
	}
	all := s.hookStore().byOwner[key]
	start, end := pg.window(len(all))
	out := make([]map[string]any, 0, end-start)
	for _, h := range all[start:end] {
		// Only the project list leaves the URL variables and custom headers out.
		out = append(out, s.hookJSON(h, kind, kind != "project"))
	}
	pg.setHeaders(w, r, len(all))
	writeJSON(w, http.StatusOK, out)
}

// hookJSON is the hook entity: secrets never, only whether they are set (19.0 and later), and
// the names of URL variables and headers without their values.
func (s *Server) hookJSON(h *hook, kind string, withKeys bool) map[string]any {
	m := map[string]any{"id": h.id, "created_at": h.created.UTC().Format(time.RFC3339Nano)}
	for _, k := range hookStringParams {
		m[k] = h.props[k]
	}
	m["enable_ssl_verification"] = h.props["enable_ssl_verification"]
	for _, f := range hookFlags[kind] {
		m[f] = h.events[f]
	}
	m["repository_update_events"] = h.events["repository_update_events"]
	m["alert_status"] = s.alertStatus(kind, h)
	var until any
	if h.disabledUntil != nil {
		until = h.disabledUntil.UTC().Format(time.RFC3339Nano)
	}
	m["disabled_until"] = until
	if versionAtLeast(s.version, 19, 0) {
		m["token_present"] = h.token != ""
		m["signing_token_present"] = h.signingToken != ""
	}
	if withKeys {
		m["url_variables"] = keyList(h.urlVariables)
		m["custom_headers"] = keyList(h.customHeaders)
	}
	return m
}

func keyList(m map[string]string) []map[string]string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]map[string]string, len(keys))
	for i, k := range keys {
		out[i] = map[string]string{"key": k}
	}
	return out
}

// hookParams are the declared parameters a request sent, coerced to their Grape types.
type hookParams struct {
	strs    map[string]*string
	bools   map[string]bool
	token   *string
	signing *string
	vars    map[string]string
	headers map[string]string
	// varsSent and headersSent tell an empty array from no parameter.
	varsSent, headersSent bool
	n                     int // how many declared parameters were sent
}

// readHookParams reads the declared parameters; an undeclared one is ignored, as Grape's
// declared(params) does. It answers 400 itself for a value of the wrong type or choice.
func (s *Server) readHookParams(w http.ResponseWriter, r *http.Request, body []byte, kind string) (hookParams, bool) {
	p := hookParams{strs: map[string]*string{}, bools: map[string]bool{}}
	sent, err := requestParams(r, body)
	if err != nil {
		writeErrorKey(w, http.StatusBadRequest, err.Error())
		return p, false
	}
	bad := func(name string) bool {
		writeErrorKey(w, http.StatusBadRequest, name+" is invalid")
		return false
	}
	for _, k := range hookStringParams {
		v, ok := sent[k]
		if !ok {
			continue
		}
		cv, ok := coerce(kindString, v)
		if !ok {
			return p, bad(k)
		}
		str, _ := cv.(string)
		p.strs[k] = &str
		p.n++
	}
	if st := p.strs["branch_filter_strategy"]; st != nil && !slices.Contains([]string{"wildcard", "regex", "all_branches"}, *st) {
		writeErrorKey(w, http.StatusBadRequest, "branch_filter_strategy does not have a valid value")
		return p, false
	}
	bools := append(slices.Clone(hookFlags[kind]), "enable_ssl_verification")
	for _, k := range bools {
		v, ok := sent[k]
		if !ok {
			continue
		}
		cv, ok := coerce(kindBool, v)
		if !ok {
			return p, bad(k)
		}
		b, _ := cv.(bool)
		p.bools[k] = b
		p.n++
	}
	secrets := []struct {
		name string
		dst  **string
	}{{"token", &p.token}, {"signing_token", &p.signing}}
	for _, sec := range secrets {
		if sec.name == "signing_token" && !versionAtLeast(s.version, 19, 0) {
			continue // not declared before 19.0
		}
		if v, ok := sent[sec.name]; ok {
			cv, ok := coerce(kindString, v)
			if !ok {
				return p, bad(sec.name)
			}
			str, _ := cv.(string)
			*sec.dst = &str
			p.n++
		}
	}
	for _, kv := range []struct {
		name string
		dst  *map[string]string
		was  *bool
	}{{"url_variables", &p.vars, &p.varsSent}, {"custom_headers", &p.headers, &p.headersSent}} {
		v, ok := sent[kv.name]
		if !ok {
			continue
		}
		m, ok := keyValues(v)
		if !ok {
			return p, bad(kv.name)
		}
		*kv.dst, *kv.was = m, true
		p.n++
	}
	return p, true
}

// keyValues reads an array of {key, value} objects.
func keyValues(v any) (map[string]string, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for _, it := range list {
		obj, ok := it.(map[string]any)
		if !ok {
			return nil, false
		}
		k, ok1 := obj["key"].(string)
		val, ok2 := scalarString(obj["value"])
		if !ok1 || !ok2 {
			return nil, false
		}
		out[k] = val
	}
	return out, true
}

func validKeyValues(m map[string]string, key *regexp.Regexp, maxValue int) bool {
	if len(m) > 20 {
		return false
	}
	for k, v := range m {
		if !key.MatchString(k) || v == "" || len(v) > maxValue {
			return false
		}
	}
	return true
}

// interpolate fills {name} placeholders; missing lists names with no variable.
func interpolate(u string, vars map[string]string) (string, []string) {
	var missing []string
	out := hookVarRef.ReplaceAllStringFunc(u, func(m string) string {
		name := m[1 : len(m)-1]
		v, ok := vars[name]
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	return out, missing
}

// urlAllowed is GitLab's URL check of the interpolated URL: http(s), and for project and
// group hooks no loopback or private address unless the admin allows local requests.
func (s *Server) urlAllowed(kind, raw string, vars map[string]string) bool {
	full, missing := interpolate(raw, vars)
	if len(missing) > 0 {
		return false // "Invalid URL template. Missing keys"
	}
	u, err := url.Parse(full)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return false
	}
	if kind == "system" || s.allowLocalHooks {
		return true
	}
	host := u.Hostname()
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return false
	}
	if ip := net.ParseIP(host); ip != nil && (ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsLinkLocalUnicast()) {
		return false
	}
	return true
}

func validSigningToken(v string) bool {
	key, ok := strings.CutPrefix(v, "whsec_")
	raw, err := base64.StdEncoding.DecodeString(key)
	return ok && err == nil && len(raw) == 32
}

// checkHook validates the hook as it would be saved. It returns the field and message of the
// first problem: url and branch filter problems have messages of their own.
func (s *Server) checkHook(kind string, h *hook) (field, msg string) {
	u, _ := h.props["url"].(string)
	if !validKeyValues(h.urlVariables, hookVarKey, 100) {
		return "url_variables", "are invalid"
	}
	if !s.urlAllowed(kind, u, h.urlVariables) {
		return "url", "Invalid url given"
	}
	if !validKeyValues(h.customHeaders, hookHeaderKey, 2048) {
		return "custom_headers", "Custom headers"
	}
	if strings.ContainsAny(h.token, "\n") {
		return "token", "must not contain line breaks"
	}
	if h.signingToken != "" && !validSigningToken(h.signingToken) {
		return "signing_token", "is invalid"
	}
	if t, _ := h.props["custom_webhook_template"].(string); len([]rune(t)) > 4096 {
		return "custom_webhook_template", "is too long (maximum is 4096 characters)"
	}
	if h.props["branch_filter_strategy"] == "regex" {
		if f, _ := h.props["push_events_branch_filter"].(string); f != "" {
			if _, err := regexp.Compile(f); err != nil {
				return "push_events_branch_filter", "Invalid branch filter given"
			}
		}
	}
	return "", ""
}

// writeHookError answers a failed save in the shape GitLab uses for it: {"error": …} for the
// url, the branch filter, headers on POST and any POST failure; {"message": {field: […]}} for
// other PUT failures.
func writeHookError(w http.ResponseWriter, post bool, field, msg string) {
	switch {
	case field == "url" || field == "push_events_branch_filter":
		writeErrorKey(w, http.StatusUnprocessableEntity, msg)
	case field == "custom_headers" && post:
		writeErrorKey(w, http.StatusUnprocessableEntity, "Custom headers must be a valid json schema")
	case field == "custom_headers":
		writeErrorKey(w, http.StatusUnprocessableEntity, "Custom headers validation failed")
	case post:
		writeErrorKey(w, http.StatusUnprocessableEntity, strings.ReplaceAll(field, "_", " ")+" "+msg)
	default:
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": map[string][]string{field: {msg}}})
	}
}

func (s *Server) addHook(w http.ResponseWriter, r *http.Request, body []byte, kind, key string) {
	p, ok := s.readHookParams(w, r, body, kind)
	if !ok {
		return
	}
	if p.strs["url"] == nil {
		writeErrorKey(w, http.StatusBadRequest, "url is missing")
		return
	}
	st := s.hookStore()
	if limit := hookLimits[kind]; limit > 0 && len(st.byOwner[key]) >= limit {
		writeErrorKey(w, http.StatusUnprocessableEntity, "Maximum number of "+kind+" hooks ("+strconv.Itoa(limit)+") exceeded")
		return
	}
	h := &hook{
		props:  map[string]any{"enable_ssl_verification": true, "branch_filter_strategy": "wildcard"},
		events: map[string]bool{}, urlVariables: map[string]string{}, customHeaders: map[string]string{},
		alertStatus: "executable", created: time.Now(),
	}
	h.updated = h.created
	// Column defaults: push on for project and group hooks; system hooks send repository
	// updates and not pushes or merge requests.
	if kind == "system" {
		h.events["repository_update_events"] = true
	} else {
		h.events["push_events"] = true
	}
	applyHookParams(h, p)
	if field, msg := s.checkHook(kind, h); field != "" {
		writeHookError(w, true, field, msg)
		return
	}
	st.seq++
	h.id = st.seq
	st.byOwner[key] = append(st.byOwner[key], h)
	writeJSON(w, http.StatusCreated, s.hookJSON(h, kind, true))
}

func applyHookParams(h *hook, p hookParams) {
	for k, v := range p.strs {
		if *v == "" && k != "url" {
			h.props[k] = nil
		} else {
			h.props[k] = *v
		}
	}
	for k, v := range p.bools {
		if k == "enable_ssl_verification" {
			h.props[k] = v
		} else {
			h.events[k] = v
		}
	}
	if h.props["branch_filter_strategy"] == "all_branches" {
		h.props["push_events_branch_filter"] = nil
	}
	if p.token != nil {
		h.token = *p.token
	}
	if p.signing != nil {
		h.signingToken = *p.signing
	}
	for k, v := range p.vars {
		h.urlVariables[k] = v // merged into the existing set
	}
	for k, v := range p.headers {
		h.customHeaders[k] = v
	}
}

func (h *hook) clone() *hook {
	c := *h
	c.props = cloneProps(h.props)
	c.events = cloneBools(h.events)
	c.urlVariables = cloneStrings(h.urlVariables)
	c.customHeaders = cloneStrings(h.customHeaders)
	return &c
}

func cloneBools(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func cloneStrings(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// update applies p to a copy of h with the WebHooks::Hook callbacks: a new url clears the
// token unless the request sends one; a changed interpolated URL clears every custom header
// (even ones just sent) and, when the hook had URL variables, all of them (the API merges, so
// an old one always survives). The copy is returned to be checked before it replaces h.
func (s *Server) update(h *hook, p hookParams) *hook {
	next := h.clone()
	oldURL, _ := h.props["url"].(string)
	oldFull, _ := interpolate(oldURL, h.urlVariables)
	applyHookParams(next, p)
	newURL, _ := next.props["url"].(string)
	if p.strs["url"] != nil && newURL != oldURL && p.token == nil {
		next.token = ""
	}
	if newFull, _ := interpolate(newURL, next.urlVariables); newFull != oldFull {
		next.customHeaders = map[string]string{}
		if len(h.urlVariables) > 0 {
			next.urlVariables = map[string]string{}
		}
	}
	return next
}

func (s *Server) editHook(w http.ResponseWriter, r *http.Request, body []byte, kind string, h *hook) {
	p, ok := s.readHookParams(w, r, body, kind)
	if !ok {
		return
	}
	if p.n == 0 {
		writeErrorKey(w, http.StatusBadRequest, "No parameters provided")
		return
	}
	next := s.update(h, p)
	if field, msg := s.checkHook(kind, next); field != "" {
		writeHookError(w, false, field, msg)
		return
	}
	next.updated = time.Now()
	*h = *next
	writeJSON(w, http.StatusOK, s.hookJSON(h, kind, true))
}

func (s *Server) removeHook(w http.ResponseWriter, r *http.Request, key string, h *hook) {
	// destroy_conditionally!: a hook changed after If-Unmodified-Since is kept.
	if since, err := http.ParseTime(r.Header.Get("If-Unmodified-Since")); err == nil && h.updated.Truncate(time.Second).After(since) {
		writeMessage(w, http.StatusPreconditionFailed, "412 Precondition Failed")
		return
	}
	st := s.hookStore()
	st.byOwner[key] = slices.DeleteFunc(st.byOwner[key], func(x *hook) bool { return x == h })
	w.WriteHeader(http.StatusNoContent) // the spec says 200; the code answers 204
}

// hookKeyValue serves PUT and DELETE of one URL variable or custom header.
func (s *Server) hookKeyValue(w http.ResponseWriter, r *http.Request, body []byte, method, kind string, h *hook, what, key string) {
	notFound := "404 URL variable Not Found"
	if what == "custom_headers" {
		notFound = "404 Custom header Not Found"
	}
	if method == http.MethodDelete {
		m := h.urlVariables
		if what == "custom_headers" {
			m = h.customHeaders
		}
		if _, ok := m[key]; !ok {
			writeMessage(w, http.StatusNotFound, notFound)
			return
		}
		next := h.clone()
		if what == "custom_headers" {
			delete(next.customHeaders, key)
		} else {
			delete(next.urlVariables, key)
		}
		if field, _ := s.checkHook(kind, next); field != "" {
			writeErrorKey(w, http.StatusUnprocessableEntity, "Illegal key or value")
			return
		}
		next.updated = time.Now()
		*h = *next
		w.WriteHeader(http.StatusNoContent)
		return
	}
	sent, err := requestParams(r, body)
	if err != nil {
		writeErrorKey(w, http.StatusBadRequest, err.Error())
		return
	}
	raw, ok := sent["value"]
	if !ok {
		writeErrorKey(w, http.StatusBadRequest, "value is missing")
		return
	}
	val, _ := scalarString(raw)
	p := hookParams{}
	if what == "custom_headers" {
		p.headers = map[string]string{key: val}
	} else {
		p.vars = map[string]string{key: val}
	}
	next := s.update(h, p)
	if field, _ := s.checkHook(kind, next); field != "" {
		writeErrorKey(w, http.StatusUnprocessableEntity, "Illegal key or value")
		return
	}
	next.updated = time.Now()
	*h = *next
	w.WriteHeader(http.StatusNoContent)
}

// HookRecord is a stored hook with its secrets, for tests to assert against.
type HookRecord struct {
	ID            int64
	Props         map[string]any
	Events        map[string]bool
	Token         string
	SigningToken  string
	URLVariables  map[string]string
	CustomHeaders map[string]string
	AlertStatus   string
}

// Hooks returns the hooks of a project or group (kind "project" or "group", by path) or the
// system hooks (kind "system"), in ID order.
func (s *Server) Hooks(kind, path string) []HookRecord {
	s.mu.RLock()
	defer s.mu.RUnlock()
	key, ok := s.st.hookKey(kind, path)
	if !ok || s.hooks == nil {
		return nil
	}
	var out []HookRecord
	for _, h := range s.hooks.byOwner[key] {
		out = append(out, HookRecord{
			ID: h.id, Props: cloneProps(h.props), Events: cloneBools(h.events), Token: h.token, SigningToken: h.signingToken,
			URLVariables: cloneStrings(h.urlVariables), CustomHeaders: cloneStrings(h.customHeaders), AlertStatus: s.alertStatus(kind, h),
		})
	}
	return out
}

// HooksJSON is Hooks as indented JSON, for scripts to compare states.
func (s *Server) HooksJSON(kind, path string) []byte {
	raw, _ := json.MarshalIndent(s.Hooks(kind, path), "", "  ")
	return raw
}

// dropConnection closes the connection without an answer.
func dropConnection(w http.ResponseWriter) { _ = hijack(w).Close() }

// hijack takes the request's connection from the server, to end it without an answer; where
// it cannot, the handler aborts, which also leaves the client without one.
func hijack(w http.ResponseWriter) net.Conn {
	if sw, ok := w.(*statusWriter); ok {
		w = sw.ResponseWriter
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	return conn
}

// SetHookAlert sets a hook's alert_status (executable, temporarily_disabled or disabled) and
// disabled_until, as GitLab's auto-disabling would after failed deliveries. kind and path are
// as for Hooks; it reports whether the hook exists.
func (s *Server) SetHookAlert(kind, path string, id int64, status string, until *time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, ok := s.st.hookKey(kind, path)
	if !ok || s.hooks == nil {
		return false
	}
	for _, h := range s.hooks.byOwner[key] {
		if h.id == id {
			h.alertStatus, h.disabledUntil = status, until
			h.recentFailures = map[string]int{"temporarily_disabled": 4, "disabled": hookMaxFailures}[status]
			return true
		}
	}
	return false
}

// hookKey is the hookStore key of a project or group by path, or of the system hooks.
func (st *state) hookKey(kind, path string) (string, bool) {
	switch kind {
	case "project":
		p := st.projects[strings.ToLower(cleanPath(path))]
		if p == nil {
			return "", false
		}
		return "project:" + strconv.FormatInt(p.id, 10), true
	case "group":
		g := st.groups[strings.ToLower(cleanPath(path))]
		if g == nil {
			return "", false
		}
		return "group:" + strconv.FormatInt(g.id, 10), true
	}
	return "system", true
}
