package hooks

import (
	"context"
	"fmt"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/spf13/cobra"
)

type editOptions struct {
	writeOptions
	Ref string
}

// NewCmdEdit builds `integrations hooks edit`.
func NewCmdEdit(f *cmdutil.Factory, runF func(*editOptions) error) *cobra.Command {
	opts := &editOptions{writeOptions: writeOptions{common: newCommon(f)}}
	cmd := &cobra.Command{
		Use:   "edit <hook>",
		Short: "Change a webhook's fields, secrets or events",
		Long: heredoc.Doc(`
			Change a webhook, named by its ID, its name, or its URL when it has no name. Only what
			the flags name changes; in a terminal with no value flags, the hook's form opens.

			GitLab clears a hook's token when its URL changes, and every custom header (and, for a
			URL with variables, every variable) when the URL it calls changes. GitLab never
			returns these values, so such an edit needs them again: give them with --set (env:NAME
			keeps them off the command line), or type them when asked in a terminal. The edit then
			writes them back in an order GitLab accepts. Without them nothing is sent, and the
			error names the flags to add.
		`),
		Example: heredoc.Doc(`
			$ integrations hooks edit ci -p acme/web --events +job
			$ integrations hooks edit ci -p acme/web --set url=https://ci2.example.com/hook --set token=env:HOOK_TOKEN
			$ integrations hooks edit 12 -g acme --set custom_headers.X-Api-Key=env:API_KEY
		`),
		Args:              cmdutil.ExactArgs(1, "the hook's ID, name or URL"),
		ValidArgsFunction: completeHookRefs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if err := opts.completeScope("edit"); err != nil {
				return err
			}
			if err := opts.parse(); err != nil {
				return err
			}
			if !opts.wanted.given() && !opts.IO.CanPrompt() {
				return cmdutil.FlagErrorf("hooks edit: nothing to change; give --set, --from-file or --events (or run in a terminal for the form)")
			}
			if runF != nil {
				return runF(opts)
			}
			return editRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddScopeFlags(cmd, &opts.ScopeFlags)
	addValueFlags(cmd, &opts.ValueFlags)
	return cmd
}

func editRun(ctx context.Context, o *editOptions) error {
	h, b, err := o.hooks()
	if err != nil {
		return err
	}
	cur, err := o.find(ctx, h, o.Ref)
	if err != nil {
		return err
	}
	if !o.wanted.given() {
		if err := o.fill(ctx, &cur, cmdutil.PlaceOf(b)); err != nil {
			return err
		}
	}
	c := change(o.kind, o.scope.Level, &cur, o.wanted)
	if err := checkResult(o.kind, &cur, c); err != nil {
		return err
	}
	if c.Empty() {
		return o.report(client.HookResult{Hook: cur}, "unchanged")
	}
	res, err := o.edit(ctx, h, b.Where(), cur, c)
	if err != nil {
		return fmt.Errorf("editing %s: %w", describeHook(cur), err)
	}
	o.remember(ctx, b, res, c)
	return o.report(res, "updated")
}
