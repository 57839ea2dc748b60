package client

import (
	"context"
	"errors"
	"time"
)

// Sleep waits d, or until ctx is done (--timeout, Ctrl-C), whichever comes first.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RateLimitTries bounds how often one test or resend is sent after the server's 429: other
// clients of the same user share the limit, so a run kept within it can still meet one.
const RateLimitTries = 3

// RetryRateLimited sends and, when the server answers 429, waits what it asked (else window,
// the limit's whole window) and sends again, at most RateLimitTries times in all. wait is told
// the refusal and the wait; its error (a cancelled run) ends the retries.
func RetryRateLimited(window time.Duration, wait func(rl *RateLimitError, d time.Duration) error, send func() (HookDelivery, error)) (HookDelivery, error) {
	for try := 1; ; try++ {
		got, err := send()
		var rl *RateLimitError
		if !errors.As(err, &rl) || try >= RateLimitTries {
			return got, err
		}
		d := rl.RetryAfter
		if d <= 0 {
			d = window
		}
		if err := wait(rl, d); err != nil {
			return got, err
		}
	}
}
