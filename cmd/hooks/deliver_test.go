package hooks

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/client/local"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/cmdutil/cmdtest"
	"github.com/spf13/cobra"
)

// limited is the local store behind GitLab's limit of 5 resends a minute, with a given event
// log; its first resend is answered 429.
type limited struct {
	*local.Store
	events    []client.HookDelivery
	resent    []int64
	throttled bool
}

func (l *limited) DeliveryLimit() (int, time.Duration) { return 5, time.Minute }

func (l *limited) HookEvents(context.Context, client.Scope, int64, client.EventFilter) ([]client.HookDelivery, error) {
	return l.events, nil
}

func (l *limited) ResendHookEvent(_ context.Context, _ client.Scope, id, eventID int64) (client.HookDelivery, error) {
	if !l.throttled {
		l.throttled = true
		return client.HookDelivery{}, &client.RateLimitError{Where: "gitlab.example.com", RetryAfter: 17 * time.Second}
	}
	l.resent = append(l.resent, eventID)
	return client.HookDelivery{ID: 1000 + eventID, HookID: id, Status: 200, OK: true}, nil
}

// resend --failed sends each failed request once, oldest first, skips requests delivered
// since, says up front how long the limit makes it take, waits a window after each 5 and the
// Retry-After of a 429.
func TestResendFailedPacesWithinTheLimit(t *testing.T) {
	e := cmdtest.New(t)
	web := client.Scope{Level: "project", Path: "acme/web"}
	if _, err := e.Store.Ensure(context.Background(), web); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.AddHook(context.Background(), web, client.HookChange{Values: map[string]string{"url": "https://ci.example.com", "name": "ci"}}); err != nil {
		t.Fatal(err)
	}
	var log []client.HookDelivery // newest first
	for id := int64(40); id >= 1; id-- {
		d := client.HookDelivery{ID: id, Key: "req-" + string(rune('a'+id%20)), Status: 500}
		if id > 20 && id%20 == 3 {
			d.Status, d.OK = 200, true // req-d was delivered since by a resend
		}
		log = append(log, d)
	}
	b := &limited{Store: e.Store, events: log}
	e.Backend = b
	var slept []time.Duration
	run := func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdResend(f, func(o *resendOptions) error {
			o.sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
			return resendRun(context.Background(), o)
		})
	}
	if err := e.RunArgs(run, "ci", "-p", "acme/web", "--failed"); err != nil {
		t.Fatal(err)
	}
	// 19 requests failed last (req-d was delivered); each is resent once, from its newest try.
	want := []int64{22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 21}
	slices.Sort(want)
	if !slices.Equal(b.resent, want) {
		t.Fatalf("resent %v, want %v", b.resent, want)
	}
	if !slices.Equal(slept, []time.Duration{17 * time.Second, time.Minute, time.Minute, time.Minute}) {
		t.Fatalf("waits %v", slept)
	}
	errOut := e.ErrOut.String()
	for _, s := range []string{"resending 19 failed request(s) of hook 1 (ci)", "allows 5 a minute, so this takes about 3m0s", "waiting 17s as it asked", "resent 15 of 19"} {
		if !strings.Contains(errOut, s) {
			t.Errorf("stderr lacks %q:\n%s", s, errOut)
		}
	}
}

func TestDeliveryFlagsRefusedBeforeAnyRequest(t *testing.T) {
	e := cmdtest.New(t)
	for _, c := range []struct {
		cmd  func(*cmdutil.Factory) *cobra.Command
		args string
		want string
	}{
		{func(f *cmdutil.Factory) *cobra.Command { return NewCmdTest(f, nil) }, "ci -g acme --event member", "cannot test group hooks with member events"},
		{func(f *cmdutil.Factory) *cobra.Command { return NewCmdTest(f, nil) }, "ci -p acme/web --event subgroup", "project hooks have no event"},
		{func(f *cmdutil.Factory) *cobra.Command { return NewCmdTest(f, nil) }, "1 --instance --event push", "takes no --event"},
		{func(f *cmdutil.Factory) *cobra.Command { return NewCmdEvents(f, nil) }, "ci -p acme/web --status 6xx", "invalid status filter"},
		{func(f *cmdutil.Factory) *cobra.Command { return NewCmdResend(f, nil) }, "ci -p acme/web 12 --failed", "not both"},
		{func(f *cmdutil.Factory) *cobra.Command { return NewCmdResend(f, nil) }, "ci -p acme/web", "give the event id"},
		{func(f *cmdutil.Factory) *cobra.Command { return NewCmdResend(f, nil) }, "ci -p acme/web x1", "invalid event id"},
		{func(f *cmdutil.Factory) *cobra.Command { return NewCmdResend(f, nil) }, "ci -p acme/web 3 --since 2h", "go with --failed"},
	} {
		err := e.Run(c.cmd, c.args)
		var fe *cmdutil.FlagError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want a usage error saying %q", c.args, err, c.want)
		}
	}
}
