package hooks

import (
	"context"
	"fmt"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
)

type testOptions struct {
	deliveryCommon
	Event string
}

// NewCmdTest builds `integrations hooks test`.
func NewCmdTest(f *cmdutil.Factory, runF func(*testOptions) error) *cobra.Command {
	opts := &testOptions{deliveryCommon: newDeliveryCommon(newCommon(f))}
	cmd := &cobra.Command{
		Use:   "test <hook>",
		Short: "Send a sample event to a webhook now and report the receiver's answer",
		Long: heredoc.Doc(`
			Send a sample event to a webhook, named by its ID, its name, or its URL when it has no
			name. On GitLab this is its test endpoint: the server sends the request, logs it in
			the hook's event log (see hooks events), and re-enables a hook it had disabled when
			the receiver accepts. GitLab allows 5 tests a minute per project or group; after its
			429 the command says how long it waits and tries again. Group-only events (member,
			project, subgroup) cannot be tested. A system hook's test takes no --event: GitLab
			sends a project_create sample and does not say how the receiver answered.

			On the local store the request goes from this machine with the hook's settings, with
			the payload GitLab sends for the event, and is recorded in the request log.

			Exit 0 when the receiver answered 2xx, 1 otherwise.
		`),
		Example: heredoc.Doc(`
			$ integrations hooks test ci -p acme/web
			$ integrations hooks test 12 -g acme --event merge_request -o json
			$ integrations hooks test 3 --instance
		`),
		Args:              cmdutil.ExactArgs(1, "the hook's ID, name or URL"),
		ValidArgsFunction: completeHookRefs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if err := opts.completeScope("test"); err != nil {
				return err
			}
			if opts.Event == "" && opts.scope.Level != integrations.Instance {
				opts.Event = "push" // GitLab's default test event
			}
			if err := client.CheckTestEvent(opts.scope, opts.kind.Events, opts.Event); err != nil {
				return cmdutil.FlagErrorWrap(err)
			}
			if runF != nil {
				return runF(opts)
			}
			return testRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddScopeFlags(cmd, &opts.ScopeFlags)
	cmd.Flags().StringVar(&opts.Event, "event", "", "the sample `EVENT` to send (default push; none for system hooks)")
	_ = cmd.RegisterFlagCompletionFunc("event", completeEvents(kindFromFlags))
	return cmd
}

func testRun(ctx context.Context, o *testOptions) error {
	h, d, err := o.target(ctx)
	if err != nil {
		return err
	}
	got, err := o.paced(ctx, d, func() (client.HookDelivery, error) { return d.TestHook(ctx, o.scope, h.ID, o.Event) })
	if err != nil {
		return fmt.Errorf("testing %s: %w", describeHook(h), err)
	}
	v := newDeliveryView(h, got)
	if err := output.Write(o.IO, *o.Output, v, func(p *output.Printer) { printDelivery(p, "test of "+describeHook(h), got) }); err != nil {
		return err
	}
	if got.Failed() {
		return fmt.Errorf("the test of %s failed: %s", describeHook(h), excerpt(got.Error, 300))
	}
	return nil
}
