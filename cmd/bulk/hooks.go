package bulk

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/cmd/hooks"
	"github.com/forgekit/integrations/internal/bulk"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/spf13/cobra"
)

// hookKind is the kind of hook bulk hooks writes: project hooks, at every project below the
// groups.
var hookKind = integrations.HookKind(integrations.Project)

func newCmdHooks(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hooks <command>",
		Short: "Add, edit or remove one webhook at every project below groups",
		Long: heredoc.Doc(`
			Work on one project webhook at every project below one or more groups (and their
			subgroups), with the planning, dry run, journal, --resume and revert of the other bulk
			commands. The fields are those of hooks add and edit (see the project_hook docs page).

			A project is a target; its group is not. A group hook (GitLab Premium) already gets the
			events of every project below it, so a project hook beside it would deliver each event
			twice: for one hook over a whole group, use hooks add -g GROUP.

			add finds the project's hook with the same name, or with the same URL where either
			has no name: it updates that hook, or skips it when it is already as wanted; it never
			adds a second one. edit and remove name the hook by its name, or by its URL when it has
			no name (IDs differ from project to project); projects without it are skipped.

			GitLab never returns a hook's token, URL variable or header values. A value given
			again is compared with the fingerprint of the one this tool last wrote there, so an
			unchanged secret is not resent and a second run changes nothing. A URL change clears
			them on GitLab: such an edit needs them again (--set token=env:…); without them the
			plan is refused, naming the flags, before anything is written (exit 2).
		`),
	}
	cmd.AddCommand(newCmdHookOp(f, bulk.OpHookAdd), newCmdHookOp(f, bulk.OpHookEdit), newCmdHookOp(f, bulk.OpHookRemove))
	return cmd
}

var hookUses = map[bulk.Op]struct{ use, short, example string }{
	bulk.OpHookAdd: {
		"add --group GROUP [--group GROUP …]", "Add a webhook to every project below groups, or update the one with the same name or URL",
		heredoc.Doc(`
			$ integrations bulk hooks add -g acme --set name=ci --set url=https://ci.example.com/hook --set token=env:HOOK_TOKEN --events push,pipeline --dry-run
			$ integrations bulk hooks add -g acme --set name=ci --set url=https://ci.example.com/hook --set token=env:HOOK_TOKEN --events push,pipeline --yes
		`),
	},
	bulk.OpHookEdit: {
		"edit <hook> --group GROUP [--group GROUP …]", "Change a webhook at every project below groups that has it",
		heredoc.Doc(`
			$ integrations bulk hooks edit ci -g acme --events +job --yes
			$ integrations bulk hooks edit ci -g acme --set url=https://ci2.example.com/hook --set token=env:HOOK_TOKEN --yes
		`),
	},
	bulk.OpHookRemove: {
		"remove <hook> --group GROUP [--group GROUP …]", "Delete a webhook from every project below groups that has it",
		"$ integrations bulk hooks remove ci -g acme --yes\n",
	},
}

func newCmdHookOp(f *cmdutil.Factory, op bulk.Op) *cobra.Command {
	o := newOptions(f, op)
	u := hookUses[op]
	args := cmdutil.ExactArgs(1, "the hook's name or URL")
	if op == bulk.OpHookAdd {
		args = cmdutil.MaxArgs(0)
	}
	cmd := &cobra.Command{
		Use: u.use, Short: u.short, Example: u.example, Args: args,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.completeHooks(args); err != nil {
				return err
			}
			return run(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&o.Groups, "group", "g", nil, "a group `PATH|ID` whose projects to work on (repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("group", cmdutil.CompleteScopes(integrations.Group))
	fl.BoolVar(&o.Subgroups, "include-subgroups", true, "include the projects of subgroups")
	fl.BoolVar(&o.Archived, "include-archived", false, "include archived projects")
	cmdutil.ConcurrencyFlag(fl, &o.Concurrency)
	if op != bulk.OpHookRemove {
		hooks.AddValueFlags(cmd, &o.ValueFlags, func(*cobra.Command) integrations.Definition { return hookKind })
	}
	fl.BoolVar(&o.DryRun, "dry-run", false, "print the plan and write nothing")
	fl.BoolVarP(&o.Yes, "yes", "y", false, "do not ask before writing")
	fl.StringVar(&o.Resume, "resume", "", "continue run `RUN_ID`, skipping the targets it finished")
	return cmd
}

// completeHooks reads the arguments and value flags into the run's hook spec; bad input is
// refused here, before any request.
func (o *options) completeHooks(args []string) error {
	groups, err := o.groups()
	if err != nil {
		return err
	}
	o.spec = bulk.Spec{Op: o.Op, Def: hookKind, Groups: groups}
	o.hookSpec = bulk.HookSpec{Op: o.Op, Groups: groups, Subgroups: o.Subgroups, Archived: o.Archived}
	if len(args) > 0 {
		ref, err := client.ParseHookRef(args[0])
		if err != nil {
			return cmdutil.FlagErrorWrap(err)
		}
		if ref.ID != 0 {
			return cmdutil.FlagErrorf("bulk %s: name the hook by its name or URL; hook IDs differ from project to project", o.Op)
		}
		o.hookSpec.Ref = ref.Ref
	}
	if o.Op == bulk.OpHookRemove {
		return nil
	}
	w, err := hooks.ParseWanted(hookKind, o.ValueFlags, o.IO.In)
	if err != nil {
		return err
	}
	if !w.Given() {
		return cmdutil.FlagErrorf("bulk %s: nothing to set; give --set, --from-file or --events", o.Op)
	}
	if o.Op == bulk.OpHookAdd {
		// What a new hook would be is checked once, for every project alike.
		if _, err := w.Change(integrations.Project, nil); err != nil {
			return err
		}
		o.hookSpec.Name, o.hookSpec.URL = w.Name(), w.URL()
	}
	o.hookSpec.Change = func(cur *client.Hook) (client.HookChange, error) { return w.Change(integrations.Project, cur) }
	return nil
}
