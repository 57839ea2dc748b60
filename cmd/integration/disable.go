package integration

import (
	"context"
	"fmt"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/change"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
)

// NewCmdDisable builds `integrations disable`.
func NewCmdDisable(f *cmdutil.Factory, runF func(*toggleOptions) error) *cobra.Command {
	opts := newToggleOptions(f)
	cmd := &cobra.Command{
		Use:   "disable <integration>",
		Short: "Deactivate an integration, keeping its settings",
		Long: heredoc.Doc(`
			Deactivate an integration at a scope. On the local store the settings are kept, so a
			later enable restores them. A scope that inherits its settings gets its own inactive
			copy: it opts out while its parent stays active.

			On GitLab, disabling is a DELETE that also erases the settings on the server. The
			command says so and asks first (or needs --yes without a terminal), and keeps the
			non-secret settings in the local store so that enable can restore them.

			Disabling an integration that is already inactive, or has no settings, succeeds and
			changes nothing.
		`),
		Example: heredoc.Doc(`
			$ integrations disable slack -p acme/web
			$ integrations disable jira -g acme --dry-run -o json
		`),
		Args:              cmdutil.ExactArgs(1, "the integration name"),
		ValidArgsFunction: cmdutil.CompleteIntegrationNames,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.complete(args, "disable"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return disableRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddScopeFlags(cmd, &opts.ScopeFlags)
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "show the change and write nothing")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// keepBeforeReset confirms that disabling erases the server's settings, then keeps their
// non-secret part in the local store for enable.
func (o *toggleOptions) keepBeforeReset(ctx context.Context, server string, cur client.State) error {
	err := cmdutil.ConfirmOrYes(ctx, o.IO.CanPrompt(), o.Yes, func() cmdutil.Confirmer { return o.Prompter() },
		fmt.Sprintf("Disabling %s at %s on %s also erases its settings there (a copy without secrets is kept locally for enable). Disable?", o.def.Name, o.scope, server),
		fmt.Sprintf("disabling %s on %s also erases its settings there; pass --yes to go ahead (a copy is kept locally for enable)", o.def.Name, server))
	if err != nil {
		return err
	}
	k, err := o.Keeper()
	if err != nil {
		return err
	}
	if err := k.KeepSettings(ctx, server, o.def, cur); err != nil {
		return fmt.Errorf("keeping a copy of the settings before disabling: %w", err)
	}
	return nil
}

func disableRun(ctx context.Context, o *toggleOptions) error {
	b, err := o.Backend()
	if err != nil {
		return err
	}
	cur, err := readKeyed(ctx, b, o.scope, o.def)
	if err != nil {
		return err
	}
	if !cur.Active {
		if o.IO.IsStdoutTTY() {
			fmt.Fprintf(o.IO.ErrOut, "%s is already inactive at %s\n", o.def.Name, o.scope)
		}
		if o.DryRun {
			view := changeView{Name: o.def.Name, Scope: o.scope.String(), Action: "unchanged", Changes: []change.Change{}}
			return output.Write(o.IO, *o.Output, view, func(p *output.Printer) { printChange(p, view) })
		}
		if o.Output.IsJSON() {
			return writeJSON(ctx, o.IO, o.Output, b, o.def, cur, nil, false)
		}
		return nil
	}
	if o.DryRun {
		view := changeView{
			Name: o.def.Name, Scope: o.scope.String(), Action: "disable",
			Changes: change.Diff(o.def, o.scope.Level, cur, change.Wanted{Active: false}),
		}
		return output.Write(o.IO, *o.Output, view, func(p *output.Printer) { printChange(p, view) })
	}
	caps := b.Capabilities()
	if caps.DisableResets {
		if err := o.keepBeforeReset(ctx, caps.Server, cur); err != nil {
			return err
		}
	}
	st, err := b.Disable(ctx, o.scope, o.def)
	if err != nil {
		return fmt.Errorf("disabling %s at %s: %w", o.def.Name, o.scope, err)
	}
	if o.IO.IsStdoutTTY() {
		kept := "its settings are kept"
		if caps.DisableResets {
			kept = "a copy of its settings (without secrets) is kept locally for enable"
		}
		fmt.Fprintf(o.IO.ErrOut, "✓ Disabled %s at %s; %s\n", o.def.Name, o.scope, kept)
	}
	if o.Output.IsJSON() {
		return writeJSON(ctx, o.IO, o.Output, b, o.def, st, nil, true)
	}
	return nil
}
