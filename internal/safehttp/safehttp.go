// Package safehttp holds what every outgoing request of the tool shares: timeouts on each step
// of a request, a cap on what is read of an answer, and a redirect policy that keeps
// credentials and request bodies on the origin they were meant for.
package safehttp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Limits bound one HTTP request. A zero field means no limit of that kind.
type Limits struct {
	Connect time.Duration // TCP connect
	TLS     time.Duration // TLS handshake
	Header  time.Duration // from the request sent to the answer's headers
	Idle    time.Duration // longest silence while the answer's body is read
	Request time.Duration // the whole exchange, body included
	Body    int64         // bytes read of an answer's body
}

// Defaults suit a GitLab API call in a bulk run: generous for a loaded server, but a server
// that stops answering, or trickles, fails the request instead of hanging the run.
var Defaults = Limits{
	Connect: 10 * time.Second,
	TLS:     10 * time.Second,
	Header:  60 * time.Second,
	Idle:    30 * time.Second,
	Request: 2 * time.Minute,
	Body:    32 << 20,
}

// Transport is an http.Transport with l's connect, TLS and header timeouts.
func Transport(l Limits, tlsConfig *tls.Config) *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: l.Connect, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   l.TLS,
		ResponseHeaderTimeout: l.Header,
		TLSClientConfig:       tlsConfig,
		ForceAttemptHTTP2:     true,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       90 * time.Second,
	}
}

// Client sends requests through Bound(next, l) and refuses cross-origin redirects.
func Client(next http.RoundTripper, l Limits) *http.Client {
	return &http.Client{Transport: Bound(next, l), CheckRedirect: CheckRedirect}
}

// TimeoutError is a request that hit one of its limits.
type TimeoutError struct {
	Host  string
	What  string // "answer" or "silence"
	After time.Duration
}

func (e *TimeoutError) Error() string {
	if e.What == "silence" {
		return fmt.Sprintf("%s stopped sending for %s in the middle of its answer", e.Host, e.After)
	}
	return fmt.Sprintf("%s did not finish answering within %s", e.Host, e.After)
}

// Timeout makes it a net.Error timeout, as callers that explain timeouts expect.
func (e *TimeoutError) Timeout() bool { return true }

// Temporary is part of net.Error.
func (e *TimeoutError) Temporary() bool { return true }

// TooLargeError is an answer longer than the body limit; reading stopped there.
type TooLargeError struct {
	Host  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the answer from %s is larger than %s; stopped reading it", e.Host, size(e.Limit))
}

func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Bound wraps next so that each request ends within l.Request, fails when its body stays
// silent for l.Idle, and yields at most l.Body bytes of body (then a *TooLargeError).
func Bound(next http.RoundTripper, l Limits) http.RoundTripper {
	return &bound{next: next, l: l}
}

type bound struct {
	next http.RoundTripper
	l    Limits
}

func (b *bound) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	var whole *time.Timer
	if b.l.Request > 0 {
		whole = time.AfterFunc(b.l.Request, func() { cancel(&TimeoutError{Host: req.URL.Host, What: "answer", After: b.l.Request}) })
	}
	resp, err := b.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		stop(whole)
		err = causeOr(ctx, err)
		cancel(nil)
		return nil, err
	}
	body := &boundBody{rc: resp.Body, ctx: ctx, cancel: cancel, whole: whole, left: b.l.Body, limit: b.l.Body, host: req.URL.Host}
	if b.l.Idle > 0 {
		body.idleFor = b.l.Idle
		body.idle = time.AfterFunc(b.l.Idle, func() { cancel(&TimeoutError{Host: req.URL.Host, What: "silence", After: b.l.Idle}) })
	}
	resp.Body = body
	return resp, nil
}

func stop(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}

// causeOr is our timeout when it is why ctx ended, else err as it came.
func causeOr(ctx context.Context, err error) error {
	var te *TimeoutError
	if cause := context.Cause(ctx); errors.As(cause, &te) {
		return te
	}
	return err
}

type boundBody struct {
	rc          io.ReadCloser
	ctx         context.Context
	cancel      context.CancelCauseFunc
	whole, idle *time.Timer
	idleFor     time.Duration
	left, limit int64
	host        string
}

func (b *boundBody) Read(p []byte) (int, error) {
	if b.limit > 0 {
		if b.left <= 0 {
			// One byte more tells a body of exactly the limit from a longer one.
			var one [1]byte
			if n, err := b.rc.Read(one[:]); n > 0 {
				return 0, &TooLargeError{Host: b.host, Limit: b.limit}
			} else if err != nil {
				return 0, b.explain(err)
			}
			return 0, nil
		}
		if int64(len(p)) > b.left {
			p = p[:b.left]
		}
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if n > 0 && b.idle != nil {
		b.idle.Reset(b.idleFor)
	}
	if err != nil {
		err = b.explain(err)
	}
	return n, err
}

// explain replaces a read error caused by one of our limits with the limit's own error.
func (b *boundBody) explain(err error) error {
	if errors.Is(err, io.EOF) {
		return err
	}
	return causeOr(b.ctx, err)
}

func (b *boundBody) Close() error {
	stop(b.whole)
	stop(b.idle)
	err := b.rc.Close()
	b.cancel(nil)
	return err
}

// RedirectError is a redirect that was not followed.
type RedirectError struct {
	From, To string // origins: scheme://host[:port]
	Status   int
	Method   string
}

func (e *RedirectError) Error() string {
	if e.From == e.To {
		return fmt.Sprintf("%s answered a %s with a %d redirect, which would resend it without its body; not following it",
			e.From, e.Method, e.Status)
	}
	return fmt.Sprintf("%s redirected to %s; credentials and request bodies go only to %s, so the redirect was not followed",
		e.From, e.To, e.From)
}

// CheckRedirect is the redirect policy for an http.Client: follow a redirect to the same
// origin (scheme, host and port) as the first request, refuse one to any other origin, and
// never send a Referer. A write that a 301, 302 or 303 would turn into a request without its
// body is refused too: it would not do what was asked.
func CheckRedirect(req *http.Request, via []*http.Request) error {
	req.Header.Del("Referer")
	first := via[0]
	status := 0
	if req.Response != nil {
		status = req.Response.StatusCode
	}
	from, to := Origin(first.URL), Origin(req.URL)
	if from != to {
		return &RedirectError{From: from, To: to, Status: status, Method: first.Method}
	}
	if first.Method != http.MethodGet && first.Method != http.MethodHead && status != http.StatusTemporaryRedirect && status != http.StatusPermanentRedirect {
		return &RedirectError{From: from, To: to, Status: status, Method: first.Method}
	}
	if len(via) >= 10 {
		return fmt.Errorf("%s redirected 10 times; stopped following", from)
	}
	return nil
}

// Origin is scheme://host[:port], lower case, without the scheme's default port.
func Origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}

// AsRedirect finds a refused redirect in err (http.Client wraps it in a *url.Error).
func AsRedirect(err error) (*RedirectError, bool) {
	var re *RedirectError
	ok := errors.As(err, &re)
	return re, ok
}
