package hooks

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
)

type resendOptions struct {
	deliveryCommon
	EventID int64
	Failed  bool
	Since   time.Duration
	DryRun  bool
}

// NewCmdResend builds `integrations hooks resend`.
func NewCmdResend(f *cmdutil.Factory, runF func(*resendOptions) error) *cobra.Command {
	opts := &resendOptions{deliveryCommon: newDeliveryCommon(newCommon(f))}
	cmd := &cobra.Command{
		Use:   "resend <hook> [<event-id>]",
		Short: "Deliver a logged request of a webhook again, or every failed one",
		Long: heredoc.Doc(`
			Deliver a request from a webhook's event log again (see hooks events for the ids),
			with the same body and Idempotency-Key, through the hook's current token and headers.

			With --failed, every request whose last delivery failed is sent again, oldest first
			(--since bounds how far back to look). A request delivered since, by a resend or
			otherwise, is left alone. GitLab allows 5 resends a minute per project or group, so
			the command paces itself and says first how long that takes; --timeout and Ctrl-C
			stop it between requests.

			GitLab refuses to resend for a disabled hook (a successful hooks test re-enables it)
			and when the hook's URL changed since. Exit 0 when every resent request was accepted,
			1 when a receiver still failed.
		`),
		Example: heredoc.Doc(`
			$ integrations hooks resend ci -p acme/web 4211
			$ integrations hooks resend ci -p acme/web --failed --since 2h
			$ integrations hooks resend 12 -g acme --failed --dry-run
		`),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmdutil.ExactArgs(1, "the hook's ID, name or URL")(cmd, args)
			}
			return cmdutil.MaxArgs(2)(cmd, args)
		},
		ValidArgsFunction: completeHookRefs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if err := opts.completeScope("resend"); err != nil {
				return err
			}
			if err := opts.complete(args[1:]); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return resendRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddScopeFlags(cmd, &opts.ScopeFlags)
	cmd.Flags().BoolVar(&opts.Failed, "failed", false, "resend every request whose last delivery failed")
	cmd.Flags().DurationVar(&opts.Since, "since", 0, "with --failed, only deliveries in the last `DURATION`, such as 2h (default: all the log keeps)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "with --failed, list what would be resent and send nothing")
	return cmd
}

func (o *resendOptions) complete(rest []string) error {
	switch {
	case len(rest) == 1 && o.Failed:
		return cmdutil.FlagErrorf("give an event id or --failed, not both")
	case len(rest) == 0 && !o.Failed:
		return cmdutil.FlagErrorf("give the event id to resend (see hooks events) or --failed")
	case len(rest) == 1 && (o.Since != 0 || o.DryRun):
		return cmdutil.FlagErrorf("--since and --dry-run go with --failed")
	case o.Since < 0:
		return cmdutil.FlagErrorf("--since must not be negative")
	}
	if len(rest) == 1 {
		id, err := strconv.ParseInt(rest[0], 10, 64)
		if err != nil || id <= 0 {
			return cmdutil.FlagErrorf("invalid event id %q: give the id hooks events shows", rest[0])
		}
		o.EventID = id
	}
	return nil
}

func resendRun(ctx context.Context, o *resendOptions) error {
	h, d, err := o.target(ctx)
	if err != nil {
		return err
	}
	ids := []int64{o.EventID}
	if o.Failed {
		if ids, err = o.failedRequests(ctx, d, h); err != nil {
			return err
		}
		if len(ids) == 0 || o.DryRun {
			return o.announce(d, h, ids)
		}
		if err := o.announce(d, h, ids); err != nil {
			return err
		}
	}
	n, per := d.DeliveryLimit()
	var views []deliveryView
	failed := 0
	for i, id := range ids {
		if n > 0 && i > 0 && i%n == 0 {
			fmt.Fprintf(o.IO.ErrOut, "resent %d of %d; waiting %s for the server's limit\n", i, len(ids), per.Round(time.Second))
			if err := o.sleep(ctx, per); err != nil {
				return err
			}
		}
		got, err := o.paced(ctx, d, func() (client.HookDelivery, error) { return d.ResendHookEvent(ctx, o.scope, h.ID, id) })
		if err != nil {
			return resendError(h, id, i, len(ids), err)
		}
		if got.Failed() {
			failed++
		}
		v := newDeliveryView(h, got)
		v.ResentFrom = &ids[i]
		views = append(views, v)
		if !o.Output.IsJSON() {
			_ = output.Write(o.IO, *o.Output, v, func(p *output.Printer) { printDelivery(p, "event "+strconv.FormatInt(id, 10)+" resent", got) })
		}
	}
	if o.Output.IsJSON() {
		if err := output.Write(o.IO, *o.Output, views, nil); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d resent requests of %s still failed", failed, len(ids), describeHook(h))
	}
	return nil
}

// resendError names the request that could not be resent and how many were before it.
func resendError(h client.Hook, id int64, done, total int, err error) error {
	hint := ""
	if strings.Contains(err.Error(), "Hook disabled") {
		hint = "; a successful hooks test re-enables it"
	}
	if total > 1 {
		return fmt.Errorf("resending event %d of %s (%d of %d resent before it): %w%s", id, describeHook(h), done, total, err, hint)
	}
	return fmt.Errorf("resending event %d of %s: %w%s", id, describeHook(h), err, hint)
}

// failedRequests are the events to resend for --failed: per request (its Idempotency-Key),
// the newest delivery when it failed, oldest request first. A request delivered since is left.
func (o *resendOptions) failedRequests(ctx context.Context, d client.HookDeliveries, h client.Hook) ([]int64, error) {
	f := client.EventFilter{}
	if o.Since > 0 {
		f.Since = time.Now().Add(-o.Since)
	}
	list, err := d.HookEvents(ctx, o.scope, h.ID, f)
	if err != nil {
		return nil, fmt.Errorf("reading the deliveries of %s: %w", describeHook(h), err)
	}
	seen := map[string]bool{}
	var ids []int64
	for _, e := range list { // newest first
		key := e.Key
		if key == "" {
			key = "event " + strconv.FormatInt(e.ID, 10)
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		if e.Failed() {
			ids = append(ids, e.ID)
		}
	}
	slices.Reverse(ids)
	return ids, nil
}

// announce says up front what --failed will do and, under a rate limit, how long it takes.
func (o *resendOptions) announce(d client.HookDeliveries, h client.Hook, ids []int64) error {
	if len(ids) == 0 && o.Output.IsJSON() {
		return output.Write(o.IO, *o.Output, []deliveryView{}, nil)
	}
	if len(ids) == 0 {
		return cmdutil.NewNoResultsError(fmt.Sprintf("no failed deliveries of %s to resend", describeHook(h)))
	}
	msg := fmt.Sprintf("resending %d failed request(s) of %s", len(ids), describeHook(h))
	if o.DryRun {
		msg = fmt.Sprintf("dry run: %d failed request(s) of %s would be resent; nothing was sent", len(ids), describeHook(h))
	}
	if n, per := d.DeliveryLimit(); n > 0 && len(ids) > n {
		msg += fmt.Sprintf("; the server allows %d %s, so this takes about %s", n, perText(per), time.Duration((len(ids)-1)/n)*per)
	}
	fmt.Fprintln(o.IO.ErrOut, msg)
	if !o.DryRun {
		return nil
	}
	strs := make([]string, len(ids))
	for i, id := range ids {
		strs[i] = strconv.FormatInt(id, 10)
	}
	return output.Write(o.IO, *o.Output, ids, func(p *output.Printer) { p.Linef("%s", strings.Join(strs, "\n")) })
}
