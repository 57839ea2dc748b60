package hooks

import (
	"context"
	"fmt"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/spf13/cobra"
)

type eventsOptions struct {
	deliveryCommon
	Failed bool
	Status string
	Since  time.Duration
	Limit  int
}

// NewCmdEvents builds `integrations hooks events`.
func NewCmdEvents(f *cmdutil.Factory, runF func(*eventsOptions) error) *cobra.Command {
	opts := &eventsOptions{deliveryCommon: newDeliveryCommon(newCommon(f))}
	cmd := &cobra.Command{
		Use:   "events <hook>",
		Short: "Show a webhook's recent deliveries, newest first",
		Long: heredoc.Doc(`
			Show a webhook's deliveries, newest first, in the same form as integrations logs:
			id, time, event, method, status, latency, URL (the template: URL variables are not
			filled in) and error. The id is what hooks resend takes.

			On GitLab this is the hook's event log (GitLab 17.3 and later; project and group
			hooks only), which keeps 7 days. On the local store it is the request log of the
			deliveries hooks test and hooks resend made (the last 100 per hook).
		`),
		Example: heredoc.Doc(`
			$ integrations hooks events ci -p acme/web
			$ integrations hooks events ci -p acme/web --failed --since 2h
			$ integrations hooks events 12 -g acme --status 5xx -o json
		`),
		Args:              cmdutil.ExactArgs(1, "the hook's ID, name or URL"),
		ValidArgsFunction: completeHookRefs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if err := opts.completeScope("events"); err != nil {
				return err
			}
			var err error
			if opts.Status, err = client.ParseStatusFilter(opts.Status); err != nil {
				return cmdutil.FlagErrorWrap(err)
			}
			if opts.Limit < 0 || opts.Since < 0 {
				return cmdutil.FlagErrorf("--limit and --since must not be negative")
			}
			if runF != nil {
				return runF(opts)
			}
			return eventsRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddScopeFlags(cmd, &opts.ScopeFlags)
	cmd.Flags().BoolVar(&opts.Failed, "failed", false, "only deliveries that got no answer or a 4xx or 5xx")
	cmd.Flags().StringVar(&opts.Status, "status", "", "only deliveries with this `STATUS`: a code (500) or a class (5xx; includes no answer)")
	cmd.Flags().DurationVar(&opts.Since, "since", 0, "only deliveries in the last `DURATION`, such as 2h")
	cmd.Flags().IntVar(&opts.Limit, "limit", 20, "show at most `N` entries (0 for all kept)")
	_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions([]string{"2xx", "3xx", "4xx", "5xx"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func (o *eventsOptions) filter(now time.Time) client.EventFilter {
	f := client.EventFilter{Failed: o.Failed, Status: o.Status, Limit: o.Limit}
	if o.Since > 0 {
		f.Since = now.Add(-o.Since)
	}
	return f
}

func eventsRun(ctx context.Context, o *eventsOptions) error {
	h, d, err := o.target(ctx)
	if err != nil {
		return err
	}
	list, err := d.HookEvents(ctx, o.scope, h.ID, o.filter(time.Now()))
	if err != nil {
		return fmt.Errorf("reading the deliveries of %s: %w", describeHook(h), err)
	}
	if len(list) == 0 && !o.Output.IsJSON() {
		return cmdutil.NewNoResultsError(fmt.Sprintf("no deliveries of %s match; hooks test sends one", describeHook(h)))
	}
	lines := make([]cmdutil.LogLine, len(list))
	for i, e := range list {
		lines[i] = cmdutil.LogLine{
			ID: e.ID, Time: e.Time, Scope: h.Scope.String(), Name: h.Identity(), Event: eventName(e), Method: "POST",
			URL: e.URL, Status: e.Status, OK: e.OK, Latency: e.Latency, Error: e.Error,
		}
	}
	return cmdutil.WriteLogs(o.IO, *o.Output, lines)
}
