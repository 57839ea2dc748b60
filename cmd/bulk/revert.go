package bulk

import (
	"context"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/bulk"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/spf13/cobra"
)

func newCmdRevert(f *cmdutil.Factory) *cobra.Command {
	o := newOptions(f, bulk.OpRevert)
	cmd := &cobra.Command{
		Use:   "revert <run-id>",
		Short: "Put every target a bulk run changed back as it was",
		Long: heredoc.Doc(`
			Read a run's journal and restore each target it changed to its recorded previous state:
			not configured, inherited, or its own settings and events; after bulk hooks, the hook
			the run added is removed, and one it changed or removed is edited or added back. Secrets were never
			recorded: where the server needs them again (GitLab), give them with --set, or the
			report names them for the targets it could not restore.
		`),
		Example: heredoc.Doc(`
			$ integrations bulk revert 20261126T101500Z-a1b2c3 --dry-run
			$ integrations bulk revert 20261126T101500Z-a1b2c3 --yes --set webhook=env:SLACK_WEBHOOK
		`),
		Args: cmdutil.ExactArgs(1, "the run id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return revertRun(cmd.Context(), o, args[0])
		},
	}
	cmd.Flags().StringArrayVar(&o.ValueFlags.Sets, "set", nil, "supply a secret the server needs again: `key=value`")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "print what would be restored and write nothing")
	cmd.Flags().BoolVarP(&o.Yes, "yes", "y", false, "do not ask before writing")
	cmdutil.ConcurrencyFlag(cmd.Flags(), &o.Concurrency)
	return cmd
}

func revertRun(ctx context.Context, o *options, id string) error {
	doc, err := bulk.LoadJournal(o.RunsDir, id)
	if err != nil {
		return cmdutil.FlagErrorWrap(err)
	}
	def := integrations.HookKind(integrations.Project)
	if !doc.Op.Hooks() {
		if def, err = integrations.Lookup(doc.Integration); err != nil {
			return err
		}
	}
	b, err := o.Backend()
	if err != nil {
		return err
	}
	if doc.Server != b.Capabilities().Server {
		return cmdutil.FlagErrorf("run %s changed %s; revert it against the same backend", id, serverName(doc.Server))
	}
	settings, err := o.ValueFlags.Parse(def, o.IO.In)
	if err != nil {
		return err
	}
	o.spec = bulk.Spec{Op: bulk.OpRevert, Def: def, Values: settings.Values}
	st, err := o.Store()
	if err != nil {
		return err
	}
	rep := bulk.RevertPlan(doc, def)
	if o.DryRun {
		return printReport(o, rep, true)
	}
	rep.RunID = bulk.NewRunID(time.Now())
	if rep.Writes() == 0 {
		return printReport(o, rep, false)
	}
	if err := o.confirm(ctx, rep, b.Where()); err != nil {
		return err
	}
	return execute(ctx, o, b, st, rep, nil)
}
