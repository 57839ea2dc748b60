package gitlab

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock advances only when something sleeps, and remembers every wait.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_800_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// scripted answers each request with the next step; drop closes the connection.
func scripted(t *testing.T, steps ...func(w http.ResponseWriter)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i >= len(steps) {
			t.Errorf("unexpected request %d", i+1)
			w.WriteHeader(500)
			return
		}
		steps[i](w)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func status(code int, headers ...string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = w.Write([]byte(`{"version":"18.0.0"}`))
	}
}

func drop(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func newTestClient(t *testing.T, url string, clock Clock, opts ...Option) *Client {
	t.Helper()
	c, err := New(url, "tok", append([]Option{WithClock(clock)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRetriesHonourRetryAfterThenRateLimitReset(t *testing.T) {
	clock := newFakeClock()
	reset := strconv.FormatInt(clock.Now().Add(7*time.Second).Unix(), 10)
	srv, n := scripted(t,
		status(429, "Retry-After", "3"),
		status(429, "RateLimit-Reset", reset),
		status(200),
	)
	c := newTestClient(t, srv.URL, clock)
	if v := c.Version(context.Background()); v != "18.0.0" {
		t.Fatalf("version %q", v)
	}
	if n.Load() != 3 {
		t.Errorf("%d requests, want 3", n.Load())
	}
	if got := clock.waits(); len(got) != 2 || got[0] != 3*time.Second || got[1] != 4*time.Second {
		t.Errorf("waits %v, want [3s 4s] (Retry-After, then until RateLimit-Reset)", got)
	}
}

func TestRetries5xxAndDroppedConnectionsWithBackoff(t *testing.T) {
	clock := newFakeClock()
	srv, n := scripted(t, status(502), drop, status(503), status(200))
	c := newTestClient(t, srv.URL, clock)
	if v := c.Version(context.Background()); v != "18.0.0" {
		t.Fatalf("version %q", v)
	}
	waits := clock.waits()
	// Go's transport itself may retry a GET whose reused connection was dropped, so the drop
	// costs our policy a wait or nothing.
	if n.Load() != 4 || len(waits) < 2 {
		t.Fatalf("%d requests, waits %v", n.Load(), waits)
	}
	for i, w := range waits {
		lo := (500 * time.Millisecond << i) / 2
		if w < lo || w > 2*lo {
			t.Errorf("wait %d = %v, want within [%v, %v] (exponential with jitter)", i, w, lo, 2*lo)
		}
	}
}

func TestRetriesAreBounded(t *testing.T) {
	clock := newFakeClock()
	srv, n := scripted(t, status(500), status(500), status(500))
	c := newTestClient(t, srv.URL, clock, WithAttempts(3))
	_, err := c.CurrentUser(context.Background())
	if err == nil || !strings.Contains(err.Error(), "answered 500") {
		t.Errorf("got %v", err)
	}
	if n.Load() != 3 {
		t.Errorf("%d requests, want 3", n.Load())
	}
}

func TestCancelStopsWaiting(t *testing.T) {
	srv, _ := scripted(t, status(429, "Retry-After", "3600"))
	ctx, cancel := context.WithCancel(context.Background())
	clock := &cancellingClock{fakeClock: newFakeClock(), cancel: cancel}
	c := newTestClient(t, srv.URL, clock)
	if _, err := c.CurrentUser(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

type cancellingClock struct {
	*fakeClock
	cancel func()
}

func (c *cancellingClock) Sleep(ctx context.Context, d time.Duration) error {
	c.cancel()
	return ctx.Err()
}

func TestA429PausesEveryRequestSharingTheGate(t *testing.T) {
	clock := newFakeClock()
	gate := &Gate{}
	srv, _ := scripted(t, status(429, "Retry-After", "5"), status(200), status(200))
	a := newTestClient(t, srv.URL, clock, WithGate(gate))
	b := newTestClient(t, srv.URL, clock, WithGate(gate))
	a.Version(context.Background())
	before := len(clock.waits())
	b.info = nil
	b.Version(context.Background())
	if len(clock.waits()) != before {
		t.Errorf("the gate's pause had passed; b should not wait again: %v", clock.waits())
	}
	gate.pauseUntil(clock.Now().Add(2 * time.Second))
	if err := gate.wait(context.Background(), clock); err != nil {
		t.Fatal(err)
	}
	if w := clock.waits(); w[len(w)-1] != 2*time.Second {
		t.Errorf("a request through a paused gate waits the rest of the pause: %v", w)
	}
}

func TestDebugTraceRedacts(t *testing.T) {
	srv, _ := scripted(t, status(200))
	var trace bytes.Buffer
	hc := &http.Client{Transport: &debugTransport{next: http.DefaultTransport, w: &trace, mu: &sync.Mutex{}, clock: realClock{}}}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v4/version?private_token=glpat-SECRET-TOKEN&x=1", nil)
	req.Header.Set("PRIVATE-TOKEN", "glpat-SECRET-TOKEN")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	out := trace.String()
	if strings.Contains(out, "SECRET") || !strings.Contains(out, "private_token=REDACTED") || !strings.Contains(out, "→ 200") {
		t.Errorf("trace: %q", out)
	}
}

func TestNormalizeHost(t *testing.T) {
	for in, want := range map[string]string{
		"gitlab.example.com":                   "https://gitlab.example.com",
		"https://gitlab.example.com/":          "https://gitlab.example.com",
		"https://gitlab.example.com/api/v4":    "https://gitlab.example.com",
		"http://localhost:8080/gitlab/api/v4/": "http://localhost:8080/gitlab",
	} {
		if got, _, err := NormalizeHost(in); err != nil || got != want {
			t.Errorf("NormalizeHost(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, _, err := NormalizeHost("ftp://x"); err == nil {
		t.Error("ftp accepted")
	}
}
