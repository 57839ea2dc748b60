package client

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// What the local store keeps beside settings, whichever backend is in use: fingerprints of
// secrets written, copies of settings a server erases, and request logs. The types live here so
// that the packages using them declare the few methods they need without knowing the store.

// SecretRecord is the secrets just written to one target, whose fingerprints are kept.
type SecretRecord struct {
	Server, Scope, Integration string
	Secrets                    map[string]string
}

// Kept is a copy of a server's non-secret settings, kept before a write that erases them.
type Kept struct {
	Values    map[string]string
	Events    map[string]bool
	Inherited bool
	At        time.Time
}

// LogEntry is one request a test delivery made, already redacted by the caller.
type LogEntry struct {
	ID           int64
	Time         time.Time
	Server       string // empty for the local store
	Scope        string
	Integration  string
	Event        string
	Method       string
	URL          string
	Status       int
	OK           bool
	Latency      time.Duration
	Error        string
	RequestBody  string
	ResponseBody string
	// Key is a webhook delivery's Idempotency-Key; "" for integration tests.
	Key string
}

// Snapshot is every scope below a root with the integrations configured at each, read in one
// pass: states without secret values, Unknown marking those set.
type Snapshot interface {
	Len() int
	Scope(i int) Scope
	States(i int, events bool) ([]State, error)
}

// HookSnapshot is a Snapshot that read the scopes' webhooks in the same pass, without their
// secret values.
type HookSnapshot interface {
	Hooks(i int) []Hook
}

// ErrUnusableStore is a store file or secret key that cannot be used: the user named the wrong
// file or key. Nothing was written.
var ErrUnusableStore = errors.New("unusable store")

// attempts is a counter of requests carried by a context; counters nest, and a request counts
// in every enclosing one.
type attempts struct {
	n      atomic.Int32
	parent *attempts
}

type attemptsKey struct{}

// CountAttempts returns a context in which a backend counts every request it sends, retries
// included, and a function reading the count: bulk reports say how many tries a target took.
func CountAttempts(ctx context.Context) (context.Context, func() int) {
	a := &attempts{}
	a.parent, _ = ctx.Value(attemptsKey{}).(*attempts)
	return context.WithValue(ctx, attemptsKey{}, a), func() int { return int(a.n.Load()) }
}

type limitKey struct{}

// LimitRequests returns a context under which a backend has at most n requests in flight at
// once, whoever sends them: a run's reads and writes and the walk's listing share the
// --concurrency the user gave.
func LimitRequests(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, limitKey{}, make(chan struct{}, max(n, 1)))
}

// Acquire waits for a request slot under ctx's limit, if it has one; release frees it once the
// answer is read. Backends call it around every attempt, never while holding another slot.
func Acquire(ctx context.Context) (release func(), err error) {
	slots, ok := ctx.Value(limitKey{}).(chan struct{})
	if !ok {
		return func() {}, nil
	}
	select {
	case slots <- struct{}{}:
		return sync.OnceFunc(func() { <-slots }), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Attempted counts one request sent under ctx; backends call it for every attempt.
func Attempted(ctx context.Context) {
	for a, _ := ctx.Value(attemptsKey{}).(*attempts); a != nil; a = a.parent {
		a.n.Add(1)
	}
}
