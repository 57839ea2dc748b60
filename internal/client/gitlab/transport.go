package gitlab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/redact"
)

// Clock is how the retry policy waits; tests inject one that does not sleep.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx is done.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error { return client.Sleep(ctx, d) }

// Gate is a pause shared by every request through one client: when GitLab answers 429, no
// request starts until the wait it asked for has passed. Bulk runs share it across workers.
type Gate struct {
	mu    sync.Mutex
	until time.Time
}

func (g *Gate) pauseUntil(t time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if t.After(g.until) {
		g.until = t
	}
}

func (g *Gate) wait(ctx context.Context, c Clock) error {
	g.mu.Lock()
	until := g.until
	g.mu.Unlock()
	if d := until.Sub(c.Now()); d > 0 {
		return c.Sleep(ctx, d)
	}
	return nil
}

// retryTransport retries what is safe to retry: 429 after the wait GitLab asks for
// (Retry-After, else RateLimit-Reset, else backoff), 5xx and dropped connections with
// exponential backoff and jitter, a bounded number of times. Integration writes are PUT and
// DELETE, which GitLab treats idempotently, so retrying them is safe; POST is retried only
// after a 429.
//
// client-go's own retries are switched off: they ignore Retry-After and sleep on the wall
// clock, which tests cannot control.
type retryTransport struct {
	next     http.RoundTripper
	clock    Clock
	gate     *Gate
	attempts int
	base     time.Duration
	max      time.Duration
	// onAttempt counts every attempt, for reports that say how many a target took.
	onAttempt func(*http.Request)
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		_ = req.Body.Close()
	}
	ctx := req.Context()
	for attempt := 1; ; attempt++ {
		if err := t.gate.wait(ctx, t.clock); err != nil {
			return nil, err
		}
		// A request without a body goes as it came the first time: a copy (its headers
		// cloned) for each of a bulk run's tens of thousands of reads is work for nothing.
		r := req
		if body != nil || attempt > 1 {
			r = req.Clone(ctx)
		}
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		}
		if t.onAttempt != nil {
			t.onAttempt(r)
		}
		release, err := client.Acquire(ctx)
		if err != nil {
			return nil, err
		}
		client.Attempted(ctx)
		resp, err := t.next.RoundTrip(r)
		resp = releasing(resp, release)
		wait, retry := t.decide(resp, err, attempt)
		// A POST creates something (a webhook): after a 5xx or a dropped connection it may
		// exist already, so it is not sent again; the caller looks for it instead. A 429 was
		// not processed and is retried.
		if req.Method == http.MethodPost && (resp == nil || resp.StatusCode != http.StatusTooManyRequests) {
			retry = false
		}
		if resp != nil && resp.StatusCode == http.StatusTooManyRequests && ctx.Value(noRateRetryKey{}) != nil {
			retry = false
		}
		if !retry || attempt >= t.attempts || ctx.Err() != nil {
			if err != nil && ctx.Err() != nil {
				if resp != nil {
					_ = resp.Body.Close() // frees its slot
				}
				return nil, ctx.Err()
			}
			return keepBody(resp), err
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			_ = resp.Body.Close()
		}
		if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
			t.gate.pauseUntil(t.clock.Now().Add(wait))
			if err := t.gate.wait(ctx, t.clock); err != nil {
				return nil, err
			}
			continue
		}
		if err := t.clock.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// releasing frees a request's slot when its answer's body is closed, or at once when there is
// no answer: the server is busy with the request until its answer is read.
func releasing(resp *http.Response, release func()) *http.Response {
	if resp == nil || resp.Body == nil {
		release()
		return resp
	}
	resp.Body = releaseBody{resp.Body, release}
	return resp
}

type releaseBody struct {
	io.ReadCloser
	release func()
}

func (b releaseBody) Close() error {
	defer b.release()
	return b.ReadCloser.Close()
}

type noRateRetryKey struct{}

// withoutRateLimitRetry returns a context whose requests are not retried after a 429: hook
// tests and resends have a limit per minute, whose wait the caller says before it waits.
func withoutRateLimitRetry(ctx context.Context) context.Context {
	return context.WithValue(ctx, noRateRetryKey{}, true)
}

// bodyHeader carries an error response's body to the client: client-go answers every 404 with
// the same error and discards the body, but GitLab's 404 bodies tell a missing integration from
// a missing project or an endpoint the server does not have.
const bodyHeader = "X-Integrations-Error-Body"

// Bounds of what is kept of a body for messages.
const (
	errorBodyMax = 4 << 10
	bodyStartMax = 200
)

// keepBody keeps what messages need of an answer: all of an error's body (up to a bound) in a
// header, and of a success, the first bytes as they are read, so that an answer that is not
// GitLab's JSON (a login page, another service) can be shown when decoding it fails.
func keepBody(resp *http.Response) *http.Response {
	if resp == nil {
		return resp
	}
	if resp.StatusCode < 400 {
		resp.Body = &startBody{ReadCloser: resp.Body}
		return resp
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, errorBodyMax))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.Header.Set(bodyHeader, oneLine(string(body)))
	return resp
}

// startBody records the first bodyStartMax bytes read through it. Nothing is copied or
// formatted for the tens of thousands of answers that decode: client-go drains every body
// before it returns, so an answer that fails to decode has passed its start through here.
type startBody struct {
	io.ReadCloser
	start []byte
}

func (b *startBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if room := bodyStartMax - len(b.start); room > 0 && n > 0 {
		b.start = append(b.start, p[:min(n, room)]...)
	}
	return n, err
}

// bodyStart is the start of a successful answer's body on one line, "…" marking a cut.
func bodyStart(resp *http.Response) string {
	b, ok := resp.Body.(*startBody)
	if !ok {
		return ""
	}
	excerpt := oneLine(string(b.start))
	if len(b.start) == bodyStartMax {
		excerpt += "…"
	}
	return excerpt
}

// oneLine is s on one line, without a rune cut in half at the end.
func oneLine(s string) string {
	return strings.ToValidUTF8(strings.Join(strings.Fields(s), " "), "")
}

// decide says whether to retry and after how long.
func (t *retryTransport) decide(resp *http.Response, err error, attempt int) (time.Duration, bool) {
	if err != nil {
		return t.backoff(attempt), retryableNetError(err)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		if d, ok := retryAfter(resp.Header, t.clock.Now()); ok {
			return d, true
		}
		return t.backoff(attempt), true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return t.backoff(attempt), true
	}
	return 0, false
}

// backoff is exponential with full jitter, capped.
func (t *retryTransport) backoff(attempt int) time.Duration {
	d := t.base << (attempt - 1)
	if d > t.max || d <= 0 {
		d = t.max
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// retryAfter reads Retry-After (seconds or an HTTP date), else RateLimit-Reset (Unix time).
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			return time.Duration(s) * time.Second, true
		}
		if at, err := http.ParseTime(v); err == nil {
			return max(at.Sub(now), 0), true
		}
	}
	if v := h.Get("RateLimit-Reset"); v != "" {
		if unix, err := strconv.ParseInt(v, 10, 64); err == nil {
			return max(time.Unix(unix, 0).Sub(now), 0), true
		}
	}
	return 0, false
}

// retryableNetError is a connection that failed or dropped: reset, refused, closed early.
func retryableNetError(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var netErr net.Error
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.EPIPE) ||
		(errors.As(err, &netErr) && netErr.Timeout())
}

// debugTransport writes one line per request to w: method, URL, status and time taken, with
// tokens and secret query parameters redacted. Bodies are never written.
type debugTransport struct {
	next  http.RoundTripper
	w     io.Writer
	mu    *sync.Mutex
	clock Clock
}

func (t *debugTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := t.clock.Now()
	resp, err := t.next.RoundTrip(req)
	took := t.clock.Now().Sub(start).Round(time.Millisecond)
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		fmt.Fprintf(t.w, "* %s %s: %s (%s)\n", req.Method, redact.URL(req.URL.String()), redact.URL(redactErr(err)), took)
		return resp, err
	}
	fmt.Fprintf(t.w, "* %s %s → %d (%s)\n", req.Method, redact.URL(req.URL.String()), resp.StatusCode, took)
	return resp, err
}

func redactErr(err error) string {
	var uerr interface{ Unwrap() error }
	if errors.As(err, &uerr) {
		if inner := uerr.Unwrap(); inner != nil {
			return inner.Error()
		}
	}
	return err.Error()
}
