// Package gitlab is the Backend for a GitLab server's REST API (v4), built on
// gitlab.com/gitlab-org/api/client-go, the maintained successor of github.com/xanzy/go-gitlab.
// client-go has typed methods for only some integrations, so integration requests go through
// its generic request path with parameters typed by the catalog: every integration works.
package gitlab

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/input"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/quote"
	"github.com/forgekit/integrations/internal/redact"
	"github.com/forgekit/integrations/internal/safehttp"
	gl "gitlab.com/gitlab-org/api/client-go"
	"golang.org/x/sync/singleflight"
)

// Client is the GitLab backend.
type Client struct {
	api   *gl.Client
	base  string // https://gitlab.example.com
	host  string // gitlab.example.com, the key in the config file and the keyring
	token string

	mu      sync.Mutex
	scopes  map[string]client.Scope
	info    *serverInfo // nil until /version is read
	notices io.Writer
	// groups remembers each group's settings, per integration, so that a run reads each group
	// once: as a target and to say where the projects below inherit from. Writes to a group
	// forget them (and count a generation, so that a read in flight does not bring them back).
	groups     map[string]client.State
	groupsGen  int
	groupReads singleflight.Group
	// secrets are the values this client has sent that must never be printed: the token and
	// the secret settings of every PUT. A server may echo them in an error.
	secrets []string
	// redactor is secrets made ready for redaction, until the next secret is sent.
	redactor *redact.Set
}

var _ client.Backend = (*Client)(nil)

type settings struct {
	httpClient *http.Client
	clock      Clock
	gate       *Gate
	debug      io.Writer
	attempts   int
	caFile     string
	skipVerify bool
	onAttempt  func(*http.Request)
	notices    io.Writer
	limits     safehttp.Limits
}

// Option configures a Client.
type Option func(*settings)

// WithHTTPClient sends requests through c's transport (tests point it at a fake server).
func WithHTTPClient(c *http.Client) Option { return func(s *settings) { s.httpClient = c } }

// WithClock replaces the clock retries wait on.
func WithClock(c Clock) Option { return func(s *settings) { s.clock = c } }

// WithGate shares a 429 pause between clients (bulk workers).
func WithGate(g *Gate) Option { return func(s *settings) { s.gate = g } }

// WithDebug writes a redacted line per HTTP request to w.
func WithDebug(w io.Writer) Option { return func(s *settings) { s.debug = w } }

// WithAttempts bounds the tries per request (default 5).
func WithAttempts(n int) Option { return func(s *settings) { s.attempts = n } }

// WithCAFile trusts the certificates in file besides the system's (a private CA).
func WithCAFile(file string) Option { return func(s *settings) { s.caFile = file } }

// WithSkipVerify turns off TLS verification. Callers warn loudly.
func WithSkipVerify(skip bool) Option { return func(s *settings) { s.skipVerify = skip } }

// WithNotices writes warnings the user should see once, such as an unreadable server version, to w.
func WithNotices(w io.Writer) Option { return func(s *settings) { s.notices = w } }

// WithAttemptHook is called before every HTTP attempt, retries included.
func WithAttemptHook(fn func(*http.Request)) Option { return func(s *settings) { s.onAttempt = fn } }

// WithLimits replaces the per-request timeouts and the cap on what is read of an answer
// (default safehttp.Defaults).
func WithLimits(l safehttp.Limits) Option { return func(s *settings) { s.limits = l } }

// NormalizeHost accepts gitlab.example.com, https://gitlab.example.com or
// https://gitlab.example.com/api/v4 and returns the server's base URL and its host key.
func NormalizeHost(raw string) (base, host string, err error) {
	raw = strings.TrimSpace(raw)
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", "", client.Invalidf("invalid GitLab host %s: want a URL such as https://gitlab.example.com", quote.Value(raw))
	}
	path := strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/api/v4")
	return u.Scheme + "://" + u.Host + strings.TrimSuffix(path, "/"), u.Host, nil
}

// New connects to the server at host with token. No request is made until a method is called.
func New(host, token string, opts ...Option) (*Client, error) {
	base, key, err := NormalizeHost(host)
	if err != nil {
		return nil, err
	}
	s := settings{clock: realClock{}, attempts: 5, limits: safehttp.Defaults}
	for _, o := range opts {
		o(&s)
	}
	if s.gate == nil {
		s.gate = &Gate{}
	}
	hc, err := httpClient(s)
	if err != nil {
		return nil, err
	}
	api, err := gl.NewClient(token, gl.WithBaseURL(base+"/api/v4"), gl.WithHTTPClient(hc), gl.WithoutRetries(),
		gl.WithUserAgent("integrations-cli"))
	if err != nil {
		return nil, err
	}
	return &Client{
		api: api, base: base, host: key, token: token, scopes: map[string]client.Scope{}, groups: map[string]client.State{},
		secrets: []string{token}, notices: s.notices,
	}, nil
}

func httpClient(s settings) (*http.Client, error) {
	var inner http.RoundTripper
	if s.httpClient != nil && s.httpClient.Transport != nil {
		inner = s.httpClient.Transport
	} else {
		var cfg *tls.Config
		if s.caFile != "" || s.skipVerify {
			cfg = &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: s.skipVerify} //nolint:gosec // asked for, and warned about
			if s.caFile != "" {
				pem, err := input.ReadFile(s.caFile, input.MaxDocumentBytes)
				if err != nil {
					return nil, client.Invalidf("reading ca_file: %v", err)
				}
				pool, err := x509.SystemCertPool()
				if err != nil || pool == nil {
					pool = x509.NewCertPool()
				}
				if !pool.AppendCertsFromPEM(pem) {
					return nil, client.Invalidf("ca_file %s holds no PEM certificates", s.caFile)
				}
				cfg.RootCAs = pool
			}
		}
		inner = safehttp.Transport(s.limits, cfg)
	}
	// Every attempt is bounded on its own, so a retry gets its full time.
	inner = safehttp.Bound(inner, s.limits)
	if s.debug != nil {
		inner = &debugTransport{next: inner, w: s.debug, mu: &sync.Mutex{}, clock: s.clock}
	}
	rt := &retryTransport{
		next: inner, clock: s.clock, gate: s.gate, attempts: max(s.attempts, 1),
		base: 500 * time.Millisecond, max: 15 * time.Second, onAttempt: s.onAttempt,
	}
	// The token (a Private-Token header, which Go's client does not strip) and PUT bodies go
	// only to the configured origin.
	return &http.Client{Transport: rt, CheckRedirect: safehttp.CheckRedirect}, nil
}

// Where is the server's URL.
func (c *Client) Where() string { return c.base }

// Capabilities of GitLab: DELETE resets, PUT always activates, no instance API.
func (c *Client) Capabilities() client.Capabilities {
	return client.Capabilities{Server: c.host, DisableResets: true}
}

// Host is the server's host key.
func (c *Client) Host() string { return c.host }

func (c *Client) Close() error { return nil }

// do sends a request through client-go's generic path and decodes the JSON answer into v.
func (c *Client) do(ctx context.Context, method, path string, body, v any) (*gl.Response, error) {
	req, err := c.api.NewRequest(method, path, body, []gl.RequestOptionFunc{gl.WithContext(ctx)})
	if err != nil {
		return nil, err
	}
	resp, err := c.api.Do(req, v)
	return resp, c.classify(ctx, resp, err)
}

func (c *Client) scopePath(s client.Scope) (string, error) {
	switch s.Level {
	case integrations.Project:
		return "projects/" + gl.PathEscape(ref(s)), nil
	case integrations.Group:
		return "groups/" + gl.PathEscape(ref(s)), nil
	}
	return "", errNoInstanceAPI
}

var errNoInstanceAPI = client.Invalidf("GitLab has no API for instance-level integrations (only its admin UI sets them); use -g GROUP or -p PROJECT")

func ref(s client.Scope) string {
	if s.ID != 0 {
		return fmt.Sprint(s.ID)
	}
	return s.Path
}

// Resolve reads the project or group, so that messages and the local copies use full paths.
func (c *Client) Resolve(ctx context.Context, s client.Scope) (client.Scope, error) {
	if s.Level == integrations.Instance {
		return s, errNoInstanceAPI
	}
	if s.ID != 0 && s.Path != "" {
		return s, nil // both known, as walks report them: no request needed
	}
	key := s.String()
	c.mu.Lock()
	got, ok := c.scopes[key]
	c.mu.Unlock()
	if ok {
		return got, nil
	}
	path, _ := c.scopePath(s)
	var out struct {
		ID                int64  `json:"id"`
		FullPath          string `json:"full_path"`
		PathWithNamespace string `json:"path_with_namespace"`
	}
	_, err := c.do(ctx, http.MethodGet, path, nil, &out)
	if isStatus(err, http.StatusNotFound) {
		return s, c.notFound(ctx, s)
	}
	if err != nil {
		return s, err
	}
	got = client.Scope{Level: s.Level, ID: out.ID, Path: out.FullPath}
	if s.Level == integrations.Project {
		got.Path = out.PathWithNamespace
	}
	c.mu.Lock()
	c.scopes[key] = got
	c.scopes[got.String()] = got
	c.mu.Unlock()
	return got, nil
}

// notFound names the missing scope, and says so when the path is the other kind.
func (c *Client) notFound(ctx context.Context, s client.Scope) error {
	other := client.Scope{Level: integrations.Group, Path: s.Path, ID: s.ID}
	flag := "-g"
	if s.Level == integrations.Group {
		other.Level, flag = integrations.Project, "-p"
	}
	if otherPath, _ := c.scopePath(other); s.Path != "" {
		if _, err := c.do(ctx, http.MethodGet, otherPath, nil, nil); err == nil {
			return client.WrongKindf(flag, s.Path, "%s is a %s on %s, not a %s", s.Path, other.Level, c.host, s.Level)
		}
	}
	return client.NotFoundf("%s not found on %s (or the token cannot see it)", s.Describe(), c.host)
}

// classify turns client-go's errors into the errors commands understand. Every text that
// carries what the server said is redacted of the secrets this client has sent.
func (c *Client) classify(ctx context.Context, resp *gl.Response, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var (
		redirect *safehttp.RedirectError
		timeout  *safehttp.TimeoutError
		tooLarge *safehttp.TooLargeError
	)
	switch {
	case errors.As(err, &redirect):
		from, errFrom := url.Parse(redirect.From)
		to, errTo := url.Parse(redirect.To)
		if errFrom != nil || errTo != nil || from.Hostname() != to.Hostname() || from.Scheme == to.Scheme {
			return redirect
		}
		// The same host on another scheme (http to https, most often): the server itself lives
		// at the other address.
		return fmt.Errorf("%w; if %s is this server's address, use --host %s", redirect, redirect.To, redirect.To)
	case errors.As(err, &timeout):
		return timeout
	case errors.As(err, &tooLarge):
		return tooLarge
	}
	if resp == nil || resp.Response == nil {
		return fmt.Errorf("%s: %s", c.host, c.redact(err.Error()))
	}
	if resp.StatusCode < 300 {
		return c.notGitLab(resp.Response, err)
	}
	body := resp.Header.Get(bodyHeader)
	// What the server said is redacted once decoded: a secret JSON-escaped inside its JSON
	// would hide from a look at the raw body.
	msg := c.redact(serverMessage(&gl.ErrorResponse{Response: resp.Response, Body: []byte(body)}))
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		if c.token == "" {
			return fmt.Errorf("%w: no token for %s", client.ErrUnauthorized, c.host)
		}
		return fmt.Errorf("%w: %s refused the token (401): it is wrong, expired or revoked", client.ErrUnauthorized, c.host)
	case http.StatusForbidden:
		if strings.Contains(body, "insufficient_scope") {
			return fmt.Errorf("%w: the token lacks the api scope %s needs for this (it may be read_api only)", client.ErrUnauthorized, c.host)
		}
		return &statusError{
			status: 403, msg: msg, wrapped: client.ErrUnauthorized,
			text: fmt.Sprintf("%s refused (403): changing integrations needs at least the Maintainer role", c.host),
		}
	case http.StatusTooManyRequests:
		return &statusError{status: 429, msg: msg, text: fmt.Sprintf("%s kept answering 429 (rate limited) after retries", c.host)}
	}
	return &statusError{status: resp.StatusCode, msg: msg, text: fmt.Sprintf("%s answered %d: %s", c.host, resp.StatusCode, msg)}
}

// notGitLab explains a successful status whose body could not be read as GitLab's JSON: most
// often a web page (a proxy's login, a wrong URL) answered instead of the API.
func (c *Client) notGitLab(resp *http.Response, err error) error {
	start := c.redact(bodyStart(resp))
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if !errors.As(err, &syntax) && !errors.As(err, &typ) && looksJSON(resp.Header.Get("Content-Type"), start) {
		return fmt.Errorf("%s: reading the answer to %s %s: %s", c.host, resp.Request.Method, resp.Request.URL.Path, c.redact(err.Error()))
	}
	what := "an empty body"
	if start != "" {
		what = fmt.Sprintf("%q", start)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		what = ct + ": " + what
	}
	return &statusError{
		status: resp.StatusCode,
		text:   fmt.Sprintf("%s does not look like a GitLab API at %s/api/v4: it answered %d with %s", c.host, c.base, resp.StatusCode, what),
	}
}

func looksJSON(contentType, start string) bool {
	start = strings.TrimSpace(start)
	return strings.Contains(contentType, "json") && (strings.HasPrefix(start, "{") || strings.HasPrefix(start, "["))
}

// redact hides the token and the secrets sent so far, in every form a server may echo them.
func (c *Client) redact(s string) string {
	c.mu.Lock()
	if c.redactor == nil {
		c.redactor = redact.NewSet(c.secrets)
	}
	set := c.redactor
	c.mu.Unlock()
	return set.All(s)
}

// sending remembers the secret values of a write, so that errors never print them.
func (c *Client) sending(def integrations.Definition, values map[string]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range def.Fields {
		if v := values[f.Key]; v != "" && (f.Masked() || writeOnly(f)) && !slices.Contains(c.secrets, v) {
			c.secrets, c.redactor = append(c.secrets, v), nil
		}
	}
}

// statusError keeps the status for callers that branch on it (404 of an integration).
type statusError struct {
	status  int
	msg     string
	text    string
	wrapped error
}

func (e *statusError) Error() string { return e.text }
func (e *statusError) Unwrap() error { return e.wrapped }

func isStatus(err error, status int) bool {
	var se *statusError
	return errors.As(err, &se) && se.status == status
}

func statusMessage(err error) string {
	var se *statusError
	if errors.As(err, &se) {
		return se.msg
	}
	return ""
}

// serverMessage is GitLab's own words: {"message": …} or {"error": …}, else the raw body.
func serverMessage(er *gl.ErrorResponse) string {
	var body struct {
		Message any    `json:"message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(er.Body, &body) == nil {
		switch m := body.Message.(type) {
		case string:
			return m
		case nil:
		default:
			raw, _ := json.Marshal(m)
			return string(raw)
		}
		if body.Error != "" {
			return body.Error
		}
	}
	if s := strings.TrimSpace(string(er.Body)); s != "" {
		return s
	}
	return http.StatusText(er.Response.StatusCode)
}
