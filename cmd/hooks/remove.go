package hooks

import (
	"context"
	"fmt"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
)

type removeOptions struct {
	common
	Ref string
	Yes bool
}

// NewCmdRemove builds `integrations hooks remove`.
func NewCmdRemove(f *cmdutil.Factory, runF func(*removeOptions) error) *cobra.Command {
	opts := &removeOptions{common: newCommon(f)}
	cmd := &cobra.Command{
		Use:   "remove <hook>",
		Short: "Delete a webhook",
		Long: heredoc.Doc(`
			Delete a webhook, named by its ID, its name, or its URL when it has no name. It asks
			first on a terminal and needs --yes otherwise. A hook that is already gone is an
			error naming it (exit 2), as on GitLab, where a second DELETE is 404.
		`),
		Example: heredoc.Doc(`
			$ integrations hooks remove ci -p acme/web
			$ integrations hooks remove 12 --instance --yes
		`),
		Args:              cmdutil.ExactArgs(1, "the hook's ID, name or URL"),
		ValidArgsFunction: completeHookRefs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if err := opts.completeScope("remove"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return removeRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddScopeFlags(cmd, &opts.ScopeFlags)
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func removeRun(ctx context.Context, o *removeOptions) error {
	h, b, err := o.hooks()
	if err != nil {
		return err
	}
	got, err := o.find(ctx, h, o.Ref)
	if err != nil {
		return err
	}
	err = cmdutil.ConfirmOrYes(ctx, o.IO.CanPrompt(), o.Yes, func() cmdutil.Confirmer { return o.Prompter() },
		fmt.Sprintf("Delete %s on %s?", describeHook(got), b.Where()),
		fmt.Sprintf("deleting %s needs --yes when not running interactively", describeHook(got)))
	if err != nil {
		return err
	}
	if err := h.RemoveHook(ctx, o.scope, got.ID); err != nil {
		return fmt.Errorf("deleting %s: %w", describeHook(got), err)
	}
	if o.IO.IsStdoutTTY() {
		fmt.Fprintf(o.IO.ErrOut, "✓ Deleted %s\n", describeHook(got))
	}
	if !o.Output.IsJSON() {
		return nil
	}
	return output.Write(o.IO, *o.Output, writeView{hookView: newHookView(got), Action: "removed", Warnings: []string{}}, nil)
}
