package delivery

import (
	"regexp"
	"testing"
	"time"
)

// Receivers deduplicate on the Idempotency-Key: every new delivery gets its own random UUID,
// as GitLab's do, and a resend keeps the logged one.
func TestIdempotencyKeys(t *testing.T) {
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	at := time.Unix(1_800_000_000, 0)
	a, b := SystemHookSample(at), SystemHookSample(at)
	fresh := Resent("System Hook", a.Body, "", at)
	for _, k := range []string{a.IdempotencyKey, b.IdempotencyKey, fresh.IdempotencyKey} {
		if !v4.MatchString(k) {
			t.Errorf("key %q is not a random (version 4) UUID", k)
		}
	}
	if a.IdempotencyKey == b.IdempotencyKey || fresh.IdempotencyKey == a.IdempotencyKey {
		t.Errorf("two deliveries share a key: %q %q %q", a.IdempotencyKey, b.IdempotencyKey, fresh.IdempotencyKey)
	}
	if again := Resent("System Hook", a.Body, a.IdempotencyKey, at); again.IdempotencyKey != a.IdempotencyKey {
		t.Errorf("resend key %q, want the logged %q", again.IdempotencyKey, a.IdempotencyKey)
	}
}
