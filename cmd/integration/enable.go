package integration

import (
	"context"
	"fmt"
	"maps"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/change"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/iostreams"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
)

// keeper holds the copy of the non-secret settings GitLab's DELETE erases, for enable to
// restore.
type keeper interface {
	KeepSettings(ctx context.Context, host string, def integrations.Definition, st client.State) error
	KeptSettings(ctx context.Context, host string, scope client.Scope, name string) (client.Kept, bool, error)
	ForgetSettings(ctx context.Context, host string, scope client.Scope, name string) error
}

type toggleOptions struct {
	IO       *iostreams.IOStreams
	Backend  func() (client.Backend, error)
	Keeper   func() (keeper, error)
	Secrets  func() (secretBook, error)
	Prompter func() forms.Prompter
	Output   *output.Options

	ScopeFlags cmdutil.ScopeFlags
	DryRun     bool
	Yes        bool
	ValueFlags cmdutil.ValueFlags

	def   integrations.Definition
	scope client.Scope
	given cmdutil.Settings
}

func newToggleOptions(f *cmdutil.Factory) *toggleOptions {
	return &toggleOptions{
		IO: f.IOStreams, Backend: f.Backend, Prompter: f.Prompter, Output: f.Output,
		Keeper: func() (keeper, error) { return f.Store() }, Secrets: secretsOf(f),
	}
}

func (o *toggleOptions) complete(args []string, verb string) error {
	var err error
	o.def, o.scope, err = lookupAt(args[0], o.ScopeFlags, verb)
	return err
}

// validate parses --set before anything is opened or read: a typo costs no request.
func (o *toggleOptions) validate() error {
	var err error
	o.given, err = o.ValueFlags.Parse(o.def, o.IO.In)
	return err
}

// NewCmdEnable builds `integrations enable`.
func NewCmdEnable(f *cmdutil.Factory, runF func(*toggleOptions) error) *cobra.Command {
	opts := newToggleOptions(f)
	cmd := &cobra.Command{
		Use:   "enable [<integration>]",
		Short: "Activate an integration with its stored settings",
		Long: heredoc.Doc(`
			Activate an integration at a scope with the settings it already has. When required
			fields are missing, a terminal gets the settings form; elsewhere the command fails and
			names the fields to give to configure.

			Settings inherited from a parent become the scope's own when it is enabled there.

			On GitLab, disable erases the settings on the server; enable restores the copy that
			disable kept in the local store, and asks for the secrets (or takes them from --set),
			since GitLab never returns them.
		`),
		Example: heredoc.Doc(`
			$ integrations enable slack -p acme/web
			$ integrations enable jira -g acme --dry-run
			$ integrations enable jira -p acme/web --host gitlab.example.com --set password=env:JIRA_TOKEN
		`),
		Args:              cmdutil.MaxArgs(1),
		ValidArgsFunction: cmdutil.CompleteIntegrationNames,
		RunE: func(cmd *cobra.Command, args []string) error {
			args, err := nameOrPick(cmd.Context(), f, opts.ScopeFlags, args, "enable", nil)
			if err != nil {
				return err
			}
			if err := opts.complete(args, "enable"); err != nil {
				return err
			}
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return enableRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddScopeFlags(cmd, &opts.ScopeFlags)
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "show the change and write nothing")
	cmd.Flags().StringArrayVar(&opts.ValueFlags.Sets, "set", nil, "supply a field, such as a secret the server needs again: `key=value` (repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("set", cmdutil.CompleteSet)
	return cmd
}

func enableRun(ctx context.Context, o *toggleOptions) error {
	b, err := o.Backend()
	if err != nil {
		return err
	}
	if err := checkRemoved(ctx, o.def, b); err != nil {
		return err
	}
	given := o.given
	cur, err := readKeyed(ctx, b, o.scope, o.def)
	if err != nil {
		return err
	}
	next := target{Values: maps.Clone(cur.Values), Events: o.def.EventStates(cur.Scope.Level, cur.Events), Active: true}
	server := b.Capabilities().Server
	if server != "" && !cur.Active {
		inherit, err := o.restoreKept(ctx, server, cur, &next)
		if err != nil || inherit {
			if err == nil {
				err = o.reinherit(ctx, b, server, cur)
			}
			return err
		}
	}
	maps.Copy(next.Values, given.Values)
	r := saveRequest{IO: o.IO, Output: o.Output, Backend: b, Prompter: o.Prompter(), Def: o.def, Scope: o.scope, DryRun: o.DryRun, Verb: "Enabled", Secrets: o.Secrets}
	missing := missingFields(o.def, next, cur)
	switch {
	case cur.Active && !cur.Inherited && len(missing) == 0 && len(given.Values) == 0:
		if o.IO.IsStdoutTTY() {
			fmt.Fprintf(o.IO.ErrOut, "%s is already active at %s\n", o.def.Name, o.scope)
		}
		if o.Output.IsJSON() {
			return writeJSON(ctx, o.IO, o.Output, b, o.def, cur, nil, false)
		}
		return nil
	case (!cur.Configured || len(missing) > 0) && o.IO.CanPrompt():
		if next, err = fill(ctx, r, cur, next); err != nil {
			return err
		}
	case !cur.Configured && len(next.Values) == 0:
		return notConfigured(o.def, o.scope)
	case len(missing) > 0:
		return missingError(o.def, missing)
	}
	err = save(ctx, r, cur, next)
	if err == nil && server != "" && !o.DryRun {
		err = o.forgetKept(ctx, server, cur.Scope)
	}
	return err
}

// reinherit links settings that were inherited before disable back to their parent.
func (o *toggleOptions) reinherit(ctx context.Context, b client.Backend, server string, cur client.State) error {
	if o.DryRun {
		changes := change.Diff(o.def, o.scope.Level, cur, change.Wanted{Inherit: true})
		view := changeView{Name: o.def.Name, Scope: o.scope.String(), Action: "inherit", Changes: changes}
		return output.Write(o.IO, *o.Output, view, func(p *output.Printer) { printChange(p, view) })
	}
	res, err := b.Save(ctx, o.scope, o.def, client.Update{UseInherited: true})
	if err != nil {
		return fmt.Errorf("enabling %s at %s: %w", o.def.Name, o.scope, err)
	}
	if o.IO.IsStdoutTTY() {
		fmt.Fprintf(o.IO.ErrOut, "✓ Enabled %s at %s: %s again\n", o.def.Name, o.scope, settingsWord(res.State))
	}
	if err := o.forgetKept(ctx, server, cur.Scope); err != nil {
		return err
	}
	if o.Output.IsJSON() {
		return writeJSON(ctx, o.IO, o.Output, b, o.def, res.State, res.NotKept, true)
	}
	return nil
}

func (o *toggleOptions) forgetKept(ctx context.Context, server string, scope client.Scope) error {
	k, err := o.Keeper()
	if err != nil {
		return err
	}
	return k.ForgetSettings(ctx, server, scope, o.def.Name)
}

// restoreKept brings back the non-secret settings disable kept before GitLab's DELETE erased
// them; the values still on the server win. It reports settings that were inherited, which
// enable links back to the parent instead.
func (o *toggleOptions) restoreKept(ctx context.Context, server string, cur client.State, next *target) (bool, error) {
	k, err := o.Keeper()
	if err != nil {
		return false, err
	}
	kept, ok, err := k.KeptSettings(ctx, server, cur.Scope, o.def.Name)
	if err != nil || !ok {
		return false, err
	}
	if kept.Inherited {
		return true, nil
	}
	for k, v := range kept.Values {
		if next.Values[k] == "" {
			next.Values[k] = v
		}
	}
	maps.Copy(next.Events, kept.Events)
	fmt.Fprintf(o.IO.ErrOut, "Restoring the %s settings kept when it was disabled on %s (%s)\n",
		o.def.Name, server, kept.At.Local().Format("2006-01-02 15:04"))
	return false, nil
}
