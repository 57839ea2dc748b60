package hooks

import (
	"context"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
)

type listOptions struct{ common }

// NewCmdList builds `integrations hooks list`.
func NewCmdList(f *cmdutil.Factory, runF func(*listOptions) error) *cobra.Command {
	opts := &listOptions{newCommon(f)}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the webhooks at a scope",
		Example: heredoc.Doc(`
			$ integrations hooks list -p acme/web
			$ integrations hooks list --instance -o json --jq '.[].url'
		`),
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.completeScope("list"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddScopeFlags(cmd, &opts.ScopeFlags)
	return cmd
}

func listRun(ctx context.Context, o *listOptions) error {
	h, _, err := o.hooks()
	if err != nil {
		return err
	}
	list, err := h.ListHooks(ctx, o.scope)
	if err != nil {
		return err
	}
	views := make([]hookView, len(list))
	for i, hk := range list {
		views[i] = newHookView(hk)
	}
	if len(views) == 0 && !o.Output.IsJSON() {
		return cmdutil.NewNoResultsError("no webhooks at " + o.scope.Describe())
	}
	return output.Write(o.IO, *o.Output, views, func(p *output.Printer) { printList(p, views) })
}
