package client_test

import (
	"context"
	"errors"
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
