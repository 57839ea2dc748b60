package integration

import (
	"context"
	"fmt"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/iostreams"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
)

// logReader reads the requests test deliveries made, newest first.
type logReader interface {
	Logs(ctx context.Context, server, scope, integration string, limit int, failedOnly bool) ([]client.LogEntry, error)
}

type logsOptions struct {
	IO      *iostreams.IOStreams
	Backend func() (client.Backend, error)
	Logs    func() (logReader, error)
	Output  *output.Options

	ScopeFlags cmdutil.ScopeFlags
	Limit      int
	Failed     bool

	def   integrations.Definition
	scope client.Scope
}

// NewCmdLogs builds `integrations logs`.
func NewCmdLogs(f *cmdutil.Factory, runF func(*logsOptions) error) *cobra.Command {
	opts := &logsOptions{IO: f.IOStreams, Backend: f.Backend, Output: f.Output, Logs: func() (logReader, error) { return f.Store() }}
	cmd := &cobra.Command{
		Use:   "logs <integration>",
		Short: "Show the requests test deliveries made, newest first",
		Long: heredoc.Doc(`
			Show the request log of the deliveries integrations test made for an integration at a
			scope: time, event, method, address (secrets redacted), status, latency and error. The
			last 100 per scope and integration are kept in the local store.
		`),
		Example: heredoc.Doc(`
			$ integrations logs slack -p acme/web
			$ integrations logs jenkins -p acme/web --failed --limit 5 -o json
		`),
		Args:              cmdutil.ExactArgs(1, "the integration name"),
		ValidArgsFunction: cmdutil.CompleteIntegrationNames,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.def, opts.scope, err = lookupAt(args[0], opts.ScopeFlags, "logs"); err != nil {
				return err
			}
			if opts.Limit < 0 {
				return cmdutil.FlagErrorf("--limit must not be negative")
			}
			if runF != nil {
				return runF(opts)
			}
			return logsRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddScopeFlags(cmd, &opts.ScopeFlags)
	cmd.Flags().IntVar(&opts.Limit, "limit", 20, "show at most `N` entries (0 for all kept)")
	cmd.Flags().BoolVar(&opts.Failed, "failed", false, "only failed deliveries")
	return cmd
}

func logsRun(ctx context.Context, o *logsOptions) error {
	b, err := o.Backend()
	if err != nil {
		return err
	}
	if _, err := b.Resolve(ctx, o.scope); err != nil {
		return err
	}
	logs, err := o.Logs()
	if err != nil {
		return err
	}
	entries, err := logs.Logs(ctx, b.Capabilities().Server, o.scope.String(), o.def.Name, o.Limit, o.Failed)
	if err != nil {
		return err
	}
	if len(entries) == 0 && !o.Output.IsJSON() {
		return cmdutil.NewNoResultsError(fmt.Sprintf("no deliveries of %s at %s yet; run integrations test %s %s", o.def.Name, o.scope, o.def.Name, o.scope.Flag()))
	}
	lines := make([]cmdutil.LogLine, len(entries))
	for i, e := range entries {
		lines[i] = cmdutil.LogLine{
			ID: e.ID, Time: e.Time, Scope: e.Scope, Name: e.Integration, Event: e.Event, Method: e.Method, URL: e.URL,
			Status: e.Status, OK: e.OK, Latency: e.Latency, Error: e.Error,
		}
	}
	return cmdutil.WriteLogs(o.IO, *o.Output, lines)
}
