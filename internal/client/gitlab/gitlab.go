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
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
	gl "gitlab.com/gitlab-org/api/client-go"
)

// Client is the GitLab backend.
type Client struct {
	api   *gl.Client
	base  string // https://gitlab.example.com
	host  string // gitlab.example.com, the key in the config file and the keyring
	token string

	mu      sync.Mutex
	scopes  map[string]client.Scope
	version string
	// custom remembers which groups have settings of their own, per integration, so that
	// resolving where many projects inherit from reads each group once. Writes to a group
	// forget it.
	custom map[string]*client.Scope
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

// WithAttemptHook is called before every HTTP attempt, retries included.
func WithAttemptHook(fn func(*http.Request)) Option { return func(s *settings) { s.onAttempt = fn } }

// NormalizeHost accepts gitlab.example.com, https://gitlab.example.com or
// https://gitlab.example.com/api/v4 and returns the server's base URL and its host key.
func NormalizeHost(raw string) (base, host string, err error) {
	raw = strings.TrimSpace(raw)
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", "", client.Invalidf("invalid GitLab host %q: want a URL such as https://gitlab.example.com", raw)
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
	s := settings{clock: realClock{}, attempts: 5}
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
	return &Client{api: api, base: base, host: key, token: token, scopes: map[string]client.Scope{}, custom: map[string]*client.Scope{}}, nil
}

func httpClient(s settings) (*http.Client, error) {
	var inner http.RoundTripper
	if s.httpClient != nil && s.httpClient.Transport != nil {
		inner = s.httpClient.Transport
	} else {
		tr := &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 60 * time.Second,
			MaxIdleConnsPerHost:   32,
			IdleConnTimeout:       90 * time.Second,
		}
		if s.caFile != "" || s.skipVerify {
			cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: s.skipVerify} //nolint:gosec // asked for, and warned about
			if s.caFile != "" {
				pem, err := os.ReadFile(s.caFile)
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
			tr.TLSClientConfig = cfg
		}
		inner = tr
	}
	if s.debug != nil {
		inner = &debugTransport{next: inner, w: s.debug, mu: &sync.Mutex{}, clock: s.clock}
	}
	rt := &retryTransport{
		next: inner, clock: s.clock, gate: s.gate, attempts: max(s.attempts, 1),
		base: 500 * time.Millisecond, max: 15 * time.Second, onAttempt: s.onAttempt,
	}
	return &http.Client{Transport: rt}, nil
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

// serverVersion reads /version once, for messages about what the server supports.
func (c *Client) serverVersion(ctx context.Context) string {
	c.mu.Lock()
	v := c.version
	c.mu.Unlock()
	if v != "" {
		return v
	}
	var out struct {
		Version string `json:"version"`
	}
	if _, err := c.do(ctx, http.MethodGet, "version", nil, &out); err != nil || out.Version == "" {
		return "unknown"
	}
	c.mu.Lock()
	c.version = out.Version
	c.mu.Unlock()
	return out.Version
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

// classify turns client-go's errors into the errors commands understand.
func (c *Client) classify(ctx context.Context, resp *gl.Response, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if resp == nil || resp.Response == nil {
		return fmt.Errorf("%s: %w", c.host, err)
	}
	body := resp.Header.Get(bodyHeader)
	er := &gl.ErrorResponse{Response: resp.Response, Body: []byte(body)}
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
			status: 403, msg: serverMessage(er), wrapped: client.ErrUnauthorized,
			text: fmt.Sprintf("%s refused (403): changing integrations needs at least the Maintainer role", c.host),
		}
	case http.StatusTooManyRequests:
		return &statusError{status: 429, msg: serverMessage(er), text: fmt.Sprintf("%s kept answering 429 (rate limited) after retries", c.host)}
	}
	return &statusError{
		status: er.Response.StatusCode, msg: serverMessage(er),
		text: fmt.Sprintf("%s answered %d: %s", c.host, er.Response.StatusCode, serverMessage(er)),
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
