package client_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/forgekit/integrations/internal/client"
)

// A cancelled run (Ctrl-C, --timeout) must not sit out a server's hour-long Retry-After.
func TestSleepEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := client.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep after cancel = %v, want context.Canceled", err)
	}
	if err := client.Sleep(t.Context(), 0); err != nil {
		t.Fatalf("Sleep(0) = %v, want nil", err)
	}
}

// A server that keeps refusing is asked at most RateLimitTries times, each wait what it said
// or else the limit's window, and its last refusal reaches the user.
func TestRetryRateLimitedGivesUp(t *testing.T) {
	asked := []time.Duration{0, 30 * time.Second, 0}
	sent := 0
	var waited []time.Duration
	_, err := client.RetryRateLimited(time.Minute, func(_ *client.RateLimitError, d time.Duration) error {
		waited = append(waited, d)
		return nil
	}, func() (client.HookDelivery, error) {
		sent++
		return client.HookDelivery{}, &client.RateLimitError{Where: "gitlab.example", RetryAfter: asked[sent-1]}
	})
	var rl *client.RateLimitError
	if !errors.As(err, &rl) || sent != client.RateLimitTries {
		t.Fatalf("after %d sends err = %v, want the 429 after %d", sent, err, client.RateLimitTries)
	}
	if want := []time.Duration{time.Minute, 30 * time.Second}; !slices.Equal(waited, want) {
		t.Fatalf("waited %v, want %v", waited, want)
	}
}
