package gitlabfake

import (
	"math"
	"math/rand"
	"net/http"
	"strconv"
	"sync"
	"time"
)

type faultKind int

const (
	faultStatus faultKind = iota + 1
	faultRateLimit
	faultDrop
)

type fault struct {
	kind   faultKind
	status int
	// retryAfter is sent as Retry-After when resetOnly is false.
	retryAfter time.Duration
	// reset is the RateLimit-Reset time when resetOnly is true.
	reset     time.Time
	resetOnly bool
}

// faults are requests that always fail, a queue of faults for the next requests, then a random
// fault rate.
type faults struct {
	mu     sync.Mutex
	always []matchFault
	queue  []fault
	rate   float64
	rng    *rand.Rand
}

type matchFault struct {
	match func(method, path string) bool
	fault fault
}

func (f *faults) push(n int, ft fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.queue = append(f.queue, ft)
	}
}

// next returns the fault for the request being served, if any; path is without /api/v4.
func (f *faults) next(method, path string) (fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.always {
		if m.match(method, path) {
			return m.fault, true
		}
	}
	if len(f.queue) > 0 {
		ft := f.queue[0]
		f.queue = f.queue[1:]
		return ft, true
	}
	if f.rate <= 0 || f.rng == nil || f.rng.Float64() >= f.rate {
		return fault{}, false
	}
	switch f.rng.Intn(5) {
	case 0:
		return fault{kind: faultStatus, status: http.StatusInternalServerError}, true
	case 1:
		return fault{kind: faultStatus, status: http.StatusBadGateway}, true
	case 2:
		return fault{kind: faultStatus, status: http.StatusServiceUnavailable}, true
	case 3:
		// A burst: this request and up to two more are throttled.
		ft := fault{kind: faultRateLimit, retryAfter: time.Second}
		for range f.rng.Intn(3) {
			f.queue = append(f.queue, ft)
		}
		return ft, true
	default:
		return fault{kind: faultDrop}, true
	}
}

// FailNext makes the next n requests answer status (a 5xx, say) with a JSON body
// {"message":"<status> <text>"}. Queued faults are served in the order they were added.
func (s *Server) FailNext(n, status int) {
	s.faults.push(n, fault{kind: faultStatus, status: status})
}

// FailMatching makes every request that match accepts answer status, as FailNext does. match
// gets the method and the unescaped path without /api/v4 (/projects/17/integrations/jira).
func (s *Server) FailMatching(status int, match func(method, path string) bool) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.always = append(s.faults.always, matchFault{match: match, fault: fault{kind: faultStatus, status: status}})
}

// RateLimitNext makes the next n requests answer 429 "Retry later" (text/plain) with the headers
// GitLab's Rack::Attack throttle sends: Retry-After (retryAfter rounded up to whole seconds),
// RateLimit-Name, -Limit, -Observed, -Remaining, -Reset (Unix time) and -ResetTime (HTTP date).
func (s *Server) RateLimitNext(n int, retryAfter time.Duration) {
	s.faults.push(n, fault{kind: faultRateLimit, retryAfter: retryAfter})
}

// RateLimitResetOnly makes the next n requests answer 429 with RateLimit-Reset set to reset and
// no Retry-After.
func (s *Server) RateLimitResetOnly(n int, reset time.Time) {
	s.faults.push(n, fault{kind: faultRateLimit, reset: reset, resetOnly: true})
}

// DropNext makes the next n requests end with the connection reset and no response. Note that
// Go's http.Transport retries an idempotent request (GET, HEAD…) on its own when a reused
// keep-alive connection dies this way, so a client may not see the drop at all.
func (s *Server) DropNext(n int) {
	s.faults.push(n, fault{kind: faultDrop})
}

// SetFaultRate makes each request, independently and with probability p, fail with one of: a
// 500, 502 or 503; a burst of one to three 429s with Retry-After: 1; a dropped connection. The
// sequence of decisions is fixed by seed. Queued faults (FailNext…) come first. p = 0 turns it off.
func (s *Server) SetFaultRate(p float64, seed int64) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.rate = p
	s.faults.rng = rand.New(rand.NewSource(seed))
}

// rateLimitLimit is the throttle's limit per minute as the fake reports it (GitLab's default
// authenticated API limit is 7200 per hour, 2000 per minute on GitLab.com).
const rateLimitLimit = 2000

func writeRateLimited(w http.ResponseWriter, f fault) {
	now := time.Now()
	h := w.Header()
	h.Set("Content-Type", "text/plain")
	h.Set("RateLimit-Name", "throttle_authenticated_api")
	h.Set("RateLimit-Limit", strconv.Itoa(rateLimitLimit))
	h.Set("RateLimit-Observed", strconv.Itoa(rateLimitLimit+1))
	h.Set("RateLimit-Remaining", "0")
	reset := f.reset
	if !f.resetOnly {
		secs := int(math.Ceil(f.retryAfter.Seconds()))
		if secs < 0 {
			secs = 0
		}
		h.Set("Retry-After", strconv.Itoa(secs))
		reset = now.Add(time.Duration(secs) * time.Second)
	}
	h.Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("RateLimit-ResetTime", reset.UTC().Format(http.TimeFormat))
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write([]byte("Retry later\n"))
}
