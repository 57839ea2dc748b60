// Package gitlabfake is an in-memory GitLab REST API (v4) server for tests and benchmarks of the
// GitLab backend. It serves the integrations endpoints of projects and groups the way GitLab's
// source says they behave (see shared/reference/gitlab-api.md), plus the few endpoints a client
// needs around them: the user, the token, the version, projects, groups and their listings.
//
// Every integration's declared PUT parameters (names, types, required) come from GitLab's
// generated OpenAPI spec for the version the server runs as (testdata/openapi: 18.x, and 19.5
// from 19.0 on), never from the catalog it tests: undeclared parameters are answered with 200 and
// dropped, as GitLab does. The catalog gives only titles, levels, defaults and which fields are
// write-only. Faults (5xx, 429
// with rate-limit headers, dropped connections) can be injected one by one or at random.
//
// A Server is safe for concurrent use.
package gitlabfake

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// apiPrefix is where the REST API lives under the server's URL.
const apiPrefix = "/api/v4"

// Server is a fake GitLab. URL is its base (http://127.0.0.1:port); the API is under URL+"/api/v4".
type Server struct {
	URL string

	ts          *httptest.Server
	version     string
	groupAPI    bool // group integration routes exist (GitLab 17.9 and later)
	inheritAPI  bool // `inherited` and use_inherited_settings exist (GitLab 17.3 and later)
	latency     latency
	perPageMax  int
	maxBodySize int64
	// specs are the parameters this version's API declares (from its OpenAPI file).
	specs *specTable

	mu sync.RWMutex // guards the data below
	st *state
	// dropped are slug.param pairs this server's API does not declare, whatever its file says.
	dropped map[string]bool
	// versionHidden makes /version answer 403, as some proxies and locked-down servers do.
	versionHidden bool
	tokens        map[string]*Token // by token string
	lists         listCache         // ordered listings; guarded by its own lock, read under mu

	logMu sync.Mutex
	log   []Request

	// inFlight counts the requests being answered; maxInFlight is the most at once.
	inFlight, maxInFlight atomic.Int32

	faults faults

	hooks           *hookStore // webhooks, created on first use; guarded by mu
	allowLocalHooks bool
	// Hook deliveries: auto_disabling_web_hooks, the test and resend limits (nil: GitLab's
	// default of 5), the clock's advance and the rate-limit windows (guarded by mu).
	autoDisable            bool
	testLimit, resendLimit *int
	skew                   time.Duration
	windows                map[string]*rateWindow
	emptyRepos             map[string]bool // hook owner keys of projects without a commit
}

// Option configures a Server.
type Option func(*Server)

// WithVersion sets the GitLab version the server reports and behaves as (default "18.5.0").
// Below 17.9 the group integration routes do not exist (404 {"error":"404 Not Found"}); below
// 17.3 responses have no `inherited` key and PUT ignores use_inherited_settings.
func WithVersion(v string) Option { return func(s *Server) { s.version = v } }

// WithoutParams makes the server's API ignore the named parameters of slug, as a GitLab version
// that does not declare them would: a PUT with them answers 200 and keeps nothing of them.
func WithoutParams(slug string, params ...string) Option {
	return func(s *Server) { s.dropParams(slug, params) }
}

// HideVersion makes /version answer 403: clients cannot tell which GitLab this is.
func (s *Server) HideVersion() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.versionHidden = true
}

// DropParams is WithoutParams on a running server.
func (s *Server) DropParams(slug string, params ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropParams(slug, params)
}

func (s *Server) dropParams(slug string, params []string) {
	for _, p := range params {
		s.dropped[slug+"."+p] = true
	}
}

// WithLatency holds every response, faults included, for d on average.
func WithLatency(d time.Duration) Option { return func(s *Server) { s.latency.d = d } }

// latency holds responses. time.Sleep wakes late by the timer's slack, a third of a millisecond
// on a loaded machine (3 % of 10 ms): the server learns how late and sleeps that much less, so
// that figures measured against d (requests x latency / concurrency) are not off by the slack.
type latency struct {
	d    time.Duration
	late atomic.Int64 // nanoseconds; a running mean of how late a wait of d woke
}

func (l *latency) wait() {
	if l.d <= 0 {
		return
	}
	start := time.Now()
	time.Sleep(l.d - min(max(time.Duration(l.late.Load()), 0), l.d/2))
	// The mean moves an eighth of the way to each wait's error, from any number of waiters.
	l.late.Add(int64(time.Since(start)-l.d) / 8)
}

// WithPerPageMax sets the largest per_page the listing endpoints honour (default 100).
func WithPerPageMax(n int) Option { return func(s *Server) { s.perPageMax = n } }

// New starts a fake GitLab on a loopback port. Close it when done.
func New(opts ...Option) *Server {
	s := &Server{
		version:     "18.5.0",
		perPageMax:  100,
		maxBodySize: 10 << 20,
		st:          newState(),
		tokens:      map[string]*Token{},
		dropped:     map[string]bool{},
	}
	for _, o := range opts {
		o(s)
	}
	s.specs = specsFor(s.version)
	s.groupAPI = versionAtLeast(s.version, 17, 9)
	s.inheritAPI = versionAtLeast(s.version, 17, 3)
	s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.ts.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.ts.Close() }

// Client returns an *http.Client for the server (the httptest server's client).
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Version is the GitLab version the server behaves as.
func (s *Server) Version() string { return s.version }

// Token is an access token the server accepts.
type Token struct {
	Username string
	// Scopes holds "api" and/or "read_api"; read_api alone allows GET and HEAD only.
	Scopes []string
	// AccessLevel is the user's role on every group and project: 30 developer, 40 maintainer,
	// 50 owner. Integration endpoints need 40 or more.
	AccessLevel int
	// ExpiresAt is "YYYY-MM-DD" or empty; a token past its date answers 401.
	ExpiresAt string
	// Name is the token's name in /personal_access_tokens/self (default "fake-token").
	Name string
	// Admin tokens may use every project and group, and the system hooks.
	Admin bool

	id     int64
	userID int64
}

// AddToken registers a token. Adding the same token again replaces it.
func (s *Server) AddToken(token string, t Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.Name == "" {
		t.Name = "fake-token"
	}
	s.st.seq++
	t.id = s.st.seq
	t.userID = s.st.userID(t.Username)
	s.tokens[token] = &t
}

// Request is one request the server answered.
type Request struct {
	Method string
	// Path is the unescaped path without the /api/v4 prefix, e.g. /projects/acme/web/integrations/slack.
	Path  string
	Query url.Values
	// Body is the raw request body.
	Body string
	// Status is the response status; 0 when the connection was dropped without a response.
	Status int
	// Start is when the request arrived, End when its answer was written: benchmarks look for
	// round trips a client made one after the other.
	Start, End time.Time
}

// Requests returns every request served since the start or the last ResetRequests, in order.
func (s *Server) Requests() []Request {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	out := make([]Request, len(s.log))
	copy(out, s.log)
	return out
}

// ResetRequests forgets the requests served so far.
func (s *Server) ResetRequests() {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.log = nil
	s.maxInFlight.Store(0)
}

// MaxInFlight is the most requests the server was answering at once since it started or
// ResetRequests: what a client's concurrency limit let through.
func (s *Server) MaxInFlight() int { return int(s.maxInFlight.Load()) }

func (s *Server) record(r *http.Request, body []byte, status int, start time.Time) {
	p := strings.TrimPrefix(r.URL.Path, apiPrefix)
	end := time.Now()
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.log = append(s.log, Request{Method: r.Method, Path: p, Query: r.URL.Query(), Body: string(body), Status: status, Start: start, End: end})
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		m := s.maxInFlight.Load()
		if n <= m || s.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	s.latency.wait()
	if f, ok := s.faults.next(r.Method, strings.TrimPrefix(r.URL.Path, apiPrefix)); ok {
		s.serveFault(w, r, f, start)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, s.maxBodySize))
	if err != nil {
		s.record(r, body, 0, start)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	sw := &statusWriter{ResponseWriter: w}
	s.route(sw, r, body)
	if sw.status == 0 {
		sw.WriteHeader(http.StatusOK)
	}
	s.record(r, body, sw.status, start)
}

// serveFault answers with an injected fault.
func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f fault, start time.Time) {
	switch f.kind {
	case faultDrop:
		s.record(r, nil, 0, start)
		conn := hijack(w)
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // a reset, as a crashed proxy gives
		}
		_ = conn.Close()
	case faultStatus:
		s.record(r, nil, f.status, start)
		writeJSON(w, f.status, map[string]any{"message": strconv.Itoa(f.status) + " " + http.StatusText(f.status)})
	case faultRateLimit:
		s.record(r, nil, http.StatusTooManyRequests, start)
		writeRateLimited(w, f)
	}
}

// versionAtLeast reports whether version v (like "18.5.0" or "17.9.1-ee") is at least major.minor.
// An unparsable version counts as new.
func versionAtLeast(v string, major, minor int) bool {
	v = strings.TrimPrefix(v, "v")
	if i := strings.IndexAny(v, "-+ "); i >= 0 {
		v = v[:i]
	}
	parts := strings.Split(v, ".")
	if len(parts) < 2 {
		return true
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return true
	}
	return ma > major || (ma == major && mi >= minor)
}
