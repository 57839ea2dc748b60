package delivery

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/forgekit/integrations/internal/redact"
	"github.com/forgekit/integrations/internal/safehttp"
)

// MaxBody bounds what is kept of a request or response body, in logs and excerpts; no more of
// an answer is read.
const MaxBody = 8 << 10

// HTTPClient is the client a test sends with: every step of a request (connect, TLS, headers,
// a silence in the body, the whole answer) is bounded by timeout, redirects are followed only
// within the origin the user configured, and no Referer is sent, since a webhook URL is a secret.
func HTTPClient(timeout time.Duration) *http.Client {
	l := safehttp.Limits{Connect: timeout, TLS: timeout, Header: timeout, Idle: timeout, Request: timeout}
	return safehttp.Client(safehttp.Transport(l, nil), l)
}

// Result is one request's outcome, every text redacted.
type Result struct {
	Method       string
	URL          string
	Status       int
	OK           bool
	Latency      time.Duration
	Error        string
	RequestBody  string
	ResponseBody string
}

// Send runs the plan's steps in order and stops at the first that fails. Secrets never reach
// a Result: URLs, bodies and errors are redacted.
func Send(ctx context.Context, hc *http.Client, p Plan) []Result {
	var out []Result
	for _, s := range p.Steps {
		r := send(ctx, hc, s, p.Secrets)
		out = append(out, r)
		if !r.OK {
			break
		}
	}
	return out
}

func send(ctx context.Context, hc *http.Client, s Step, secrets []string) Result {
	r := Result{Method: s.Method, URL: redact.All(s.URL, secrets), RequestBody: excerpt(s.Body, secrets)}
	req, err := http.NewRequestWithContext(ctx, s.Method, s.URL, bytes.NewReader(s.Body))
	if err != nil {
		r.Error = redact.All(err.Error(), secrets)
		return r
	}
	for k, vs := range s.Header {
		req.Header[k] = vs
	}
	start := time.Now()
	resp, err := hc.Do(req)
	r.Latency = time.Since(start)
	check := s.OK
	if check == nil {
		check = is2xx
	}
	if redirect, ok := safehttp.AsRedirect(err); ok && resp != nil {
		// The redirect's own answer is all there is: enough for a check that only needs the
		// address to answer, a failure for any other.
		r.Status = resp.StatusCode
		if r.OK, _ = check(resp.StatusCode, nil); !r.OK {
			r.Error = redact.All(redirect.Error(), secrets)
		}
		return r
	}
	if err != nil {
		r.Error = redact.All(reason(err), secrets)
		return r
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	r.Latency = time.Since(start)
	r.Status, r.ResponseBody = resp.StatusCode, excerpt(body, secrets)
	if err != nil {
		// A half-read answer proves nothing, as in GitLab, whose test fails on a read timeout.
		r.Error = redact.All(fmt.Sprintf("the service answered %d but its body failed: %s", resp.StatusCode, reason(err)), secrets)
		return r
	}
	var why string
	if r.OK, why = check(resp.StatusCode, body); !r.OK {
		r.Error = redact.All(why, secrets)
	}
	return r
}

func is2xx(status int, _ []byte) (bool, string) {
	if status >= 200 && status < 300 {
		return true, ""
	}
	return false, fmt.Sprintf("the service answered %d %s", status, http.StatusText(status))
}

// statusIs accepts exactly one status, as GitLab does for some services (Packagist: 202).
func statusIs(want int) func(int, []byte) (bool, string) {
	return func(status int, _ []byte) (bool, string) {
		if status == want {
			return true, ""
		}
		return false, fmt.Sprintf("the service answered %d %s; GitLab counts only %d as success", status, http.StatusText(status), want)
	}
}

// reachable accepts an answer that is not an error: GitLab's issue-tracker test only checks
// that the address answers, and a redirect (to a login page, say) proves that too.
func reachable(status int, _ []byte) (bool, string) {
	if status < 400 {
		return true, ""
	}
	return false, fmt.Sprintf("the address answered %d %s", status, http.StatusText(status))
}

// reason turns a transport failure into one line a person can act on.
func reason(err error) string {
	var dnsErr *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var certErr *x509.CertificateInvalidError
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return "timed out waiting for the service"
	case errors.As(err, &dnsErr):
		return "DNS: cannot resolve " + dnsErr.Name
	case errors.As(err, &unknownCA):
		return "TLS: the certificate is signed by an unknown authority"
	case errors.As(err, &hostErr):
		return "TLS: the certificate is not valid for " + hostErr.Host
	case errors.As(err, &certErr):
		return "TLS: " + certErr.Error()
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection was closed without an answer"
	}
	var uerr interface{ Unwrap() error }
	if errors.As(err, &uerr) && uerr.Unwrap() != nil {
		return uerr.Unwrap().Error()
	}
	return err.Error()
}

// excerpt is a body with secrets hidden, cut to MaxBody at a rune boundary (hiding comes first,
// so a secret across the cut cannot leave a readable half).
func excerpt(b []byte, secrets []string) string {
	s := redact.All(string(b), secrets)
	if len(s) > MaxBody {
		s = s[:MaxBody]
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}
