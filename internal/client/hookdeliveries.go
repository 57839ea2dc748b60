package client

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/forgekit/integrations/internal/integrations"
)

// HookDeliveries tests hooks and reads and replays their event log. Both backends implement
// it beside Hooks: GitLab through its test, events and resend endpoints, the local store with
// deliveries of its own, recorded in its request log.
type HookDeliveries interface {
	// TestHook sends a sample event (a catalog event name such as push) to the hook now, and
	// returns the delivery. A receiver's failure is a delivery with OK false, not an error;
	// an event the hook kind cannot test is an InputError; GitLab's rate limit is a
	// *RateLimitError.
	TestHook(ctx context.Context, s Scope, id int64, event string) (HookDelivery, error)
	// HookEvents returns the hook's event log, newest first, as f filters it. System hooks have
	// none on GitLab (an InputError).
	HookEvents(ctx context.Context, s Scope, id int64, f EventFilter) ([]HookDelivery, error)
	// ResendHookEvent delivers a logged request again, through the hook's current settings,
	// and returns the new delivery. A disabled hook is refused (an InputError).
	ResendHookEvent(ctx context.Context, s Scope, id, eventID int64) (HookDelivery, error)
	// DeliveryLimit is how many tests or resends the backend allows per window at one
	// project or group (its hooks share it); 0 means no limit.
	DeliveryLimit() (n int, per time.Duration)
}

// HookDelivery is one delivery of a hook: a test, a resend, or an entry of its event log.
type HookDelivery struct {
	// ID is the event log entry; 0 when the backend does not say which entry a delivery made.
	ID     int64
	HookID int64
	Time   time.Time
	// Trigger is the hook scope the log names it by (push_hooks), Event the catalog's name
	// (push) where it has one.
	Trigger string
	Event   string
	// URL is the hook's URL template, never the interpolated URL (its variables may be secret).
	URL string
	// Status is the receiver's HTTP status; 0 when there was no answer (GitLab's "internal
	// error") or the backend does not report it.
	Status int
	OK     bool
	// Unknown is set when the backend sent the request but cannot say how it went: GitLab's
	// system hook test answers the same whatever the receiver said.
	Unknown bool
	Latency time.Duration
	// Error says why a delivery failed: the connection's error or the receiver's answer.
	Error        string
	RequestBody  string
	ResponseBody string
	// Key is the request's Idempotency-Key: a resend keeps it, so entries with the same key
	// are deliveries of one request.
	Key string
}

// Failed reports a delivery the receiver did not accept (no answer, or outside 2xx).
func (d HookDelivery) Failed() bool { return !d.OK && !d.Unknown }

// EventFilter chooses entries of an event log.
type EventFilter struct {
	// Failed keeps deliveries that got no answer or a 4xx or 5xx.
	Failed bool
	// Status keeps deliveries whose status matches: a code (500) or a class (5xx, 4xx, 2xx).
	// "" keeps all. A 5xx filter includes deliveries with no answer, as GitLab's does.
	Status string
	// Since keeps deliveries from that time on; zero keeps all the log holds.
	Since time.Time
	// Limit bounds how many are returned, newest first; 0 returns every entry kept.
	Limit int
}

// ParseStatusFilter checks a --status value: a code between 100 and 599 or a class 2xx–5xx.
func ParseStatusFilter(v string) (string, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	switch v {
	case "", "1xx", "2xx", "3xx", "4xx", "5xx":
		return v, nil
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 100 && n <= 599 {
		return v, nil
	}
	return "", Invalidf("invalid status filter %q: give a code such as 500 or a class such as 5xx", v)
}

// Matches reports whether a delivery passes the filter (Limit aside).
func (f EventFilter) Matches(d HookDelivery) bool {
	if !f.Since.IsZero() && d.Time.Before(f.Since) {
		return false
	}
	if f.Failed && !d.Failed() {
		return false
	}
	switch {
	case f.Status == "":
		return true
	case strings.HasSuffix(f.Status, "xx"):
		class := int(f.Status[0] - '0')
		return d.Status/100 == class || (class == 5 && d.Status == 0 && d.Failed())
	}
	return strconv.Itoa(d.Status) == f.Status
}

// RateLimitError is a request the server refused for its rate limit; RetryAfter is how long
// it asked to wait (0 when it did not say).
type RateLimitError struct {
	Where      string
	RetryAfter time.Duration
	Message    string
}

func (e *RateLimitError) Error() string {
	msg := fmt.Sprintf("%s is rate limiting this (429)", e.Where)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf("; try again in %s", e.RetryAfter.Round(time.Second))
	}
	return msg
}

// SystemHookTrigger is the hook scope GitLab logs system hook deliveries under.
const SystemHookTrigger = "system_hooks"

// HookTrigger is the hook scope GitLab's event log names an event's deliveries by: push_hooks
// for push. (The test endpoint takes the API flag instead: push_events.)
func HookTrigger(event string) string { return event + "_hooks" }

// TriggerEvent is the catalog event a logged trigger stands for; "" for system_hooks.
func TriggerEvent(trigger string) string {
	if trigger == SystemHookTrigger {
		return ""
	}
	return strings.TrimSuffix(trigger, "_hooks")
}

// untestableHookEvents are events of a hook kind that GitLab's test endpoint does not take: its
// trigger enum is the project hooks' triggers, so group-only events are refused with 400.
var untestableHookEvents = map[string]bool{"member": true, "project": true, "subgroup": true, "repository_update": true}

// CheckTestEvent says whether a hook at level can be tested with event. A system hook's test
// takes no event: GitLab sends a fixed project_create payload.
func CheckTestEvent(s Scope, kindEvents []string, event string) error {
	if s.Level == integrations.Instance {
		if event != "" {
			return Invalidf("a system hook's test takes no --event: GitLab always sends a project_create sample")
		}
		return nil
	}
	if !slices.Contains(kindEvents, event) {
		return Invalidf("%s hooks have no event %q; choose one of %s", s.Level, event, strings.Join(testable(kindEvents), ", "))
	}
	if untestableHookEvents[event] {
		return Invalidf("GitLab cannot test %s hooks with %s events; choose one of %s", s.Level, event, strings.Join(testable(kindEvents), ", "))
	}
	return nil
}

func testable(events []string) []string {
	var out []string
	for _, e := range events {
		if !untestableHookEvents[e] {
			out = append(out, e)
		}
	}
	return out
}
