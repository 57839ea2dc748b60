package hooks

import (
	"context"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
)

type showOptions struct {
	common
	Ref string
}

// NewCmdShow builds `integrations hooks show`.
func NewCmdShow(f *cmdutil.Factory, runF func(*showOptions) error) *cobra.Command {
	opts := &showOptions{common: newCommon(f)}
	cmd := &cobra.Command{
		Use:   "show <hook>",
		Short: "Show one webhook: its URL, events and which secrets are set",
		Long: heredoc.Doc(`
			Show a webhook, named by its ID, its name, or its URL when it has no name. The output
			says which of name or URL identifies it. Secrets are never shown: only whether the
			token and signing token are set, and the names of URL variables and custom headers.
		`),
		Example: heredoc.Doc(`
			$ integrations hooks show ci -p acme/web
			$ integrations hooks show 12 --instance -o json
		`),
		Args:              cmdutil.ExactArgs(1, "the hook's ID, name or URL"),
		ValidArgsFunction: completeHookRefs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if err := opts.completeScope("show"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return showRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddScopeFlags(cmd, &opts.ScopeFlags)
	return cmd
}

func showRun(ctx context.Context, o *showOptions) error {
	h, _, err := o.hooks()
	if err != nil {
		return err
	}
	got, err := o.find(ctx, h, o.Ref)
	if err != nil {
		return err
	}
	v := newHookView(got)
	return output.Write(o.IO, *o.Output, v, func(p *output.Printer) { printHook(p, v) })
}
