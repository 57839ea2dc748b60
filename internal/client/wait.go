package client

import (
	"context"
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
