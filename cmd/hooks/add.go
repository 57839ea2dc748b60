package hooks

import (
	"context"
	"fmt"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/spf13/cobra"
)

type addOptions struct{ writeOptions }

// NewCmdAdd builds `integrations hooks add`.
func NewCmdAdd(f *cmdutil.Factory, runF func(*addOptions) error) *cobra.Command {
	opts := &addOptions{writeOptions{common: newCommon(f)}}
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Add a webhook, or update the one with the same name or URL",
		Long: heredoc.Doc(`
			Add a webhook at a project, a group or the instance. In a terminal with no value
			flags (or no URL), a form built from the hook kind's fields opens.

			A hook with the same name, or with the same URL where one of them has no name, is
			the same hook: adding it again updates it, or changes nothing. It is never added
			twice.

			Secret parts of a URL go in URL variables: --set 'url=https://{host}/hook' --set
			url_variables.host=env:HOOK_HOST. Every value may be env:NAME or file:PATH.
		`),
		Example: heredoc.Doc(`
			$ integrations hooks add -p acme/web
			$ integrations hooks add -p acme/web --set name=ci --set url=https://ci.example.com/hook --set token=env:HOOK_TOKEN --events push,pipeline
			$ integrations hooks add -g acme --set 'url=https://{host}/gitlab' --set url_variables.host=env:HOOK_HOST --events +member
			$ integrations hooks add --instance --set url=https://audit.example.com --set custom_webhook_template=file:template.json
		`),
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.completeScope("add"); err != nil {
				return err
			}
			if err := opts.parse(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return addRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddScopeFlags(cmd, &opts.ScopeFlags)
	addValueFlags(cmd, &opts.ValueFlags)
	return cmd
}

func addRun(ctx context.Context, o *addOptions) error {
	h, b, err := o.hooks()
	if err != nil {
		return err
	}
	if o.IO.CanPrompt() && (!o.wanted.given() || o.wanted.values[integrations.HookURL] == "") {
		if err := o.fill(ctx, nil, cmdutil.PlaceOf(b)); err != nil {
			return err
		}
	}
	list, err := h.ListHooks(ctx, o.scope)
	// A scope the local store does not have yet has no hooks; adding creates it.
	if err != nil && (!client.IsNotFound(err) || !b.Capabilities().CreatesScopes) {
		return err
	}
	if same, ok := client.SameHook(list, o.wanted.values[integrations.HookName], o.wanted.values[integrations.HookURL]); ok {
		return o.update(ctx, h, b, same)
	}
	c := change(o.kind, o.scope.Level, nil, o.wanted)
	if err := checkResult(o.kind, nil, c); err != nil {
		return err
	}
	res, err := h.AddHook(ctx, o.scope, c)
	if err != nil {
		return fmt.Errorf("adding a %s at %s: %w", o.kind.Title, o.scope, err)
	}
	o.remember(ctx, b, res, c)
	return o.report(res, "created")
}

// update makes the existing hook what was asked: adding a hook twice never duplicates it.
func (o *addOptions) update(ctx context.Context, h client.Hooks, b client.Backend, same client.Hook) error {
	cur, err := h.GetHook(ctx, o.scope, same.ID)
	if err != nil {
		return err
	}
	c := change(o.kind, o.scope.Level, &cur, o.wanted)
	if err := checkResult(o.kind, &cur, c); err != nil {
		return err
	}
	if o.IO.IsStdoutTTY() {
		fmt.Fprintf(o.IO.ErrOut, "%s has the same %s\n", describeHook(cur), cur.IdentifiedBy())
	}
	if c.Empty() {
		return o.report(client.HookResult{Hook: cur}, "unchanged")
	}
	res, err := o.edit(ctx, h, b.Where(), cur, c)
	if err != nil {
		return fmt.Errorf("updating %s: %w", describeHook(cur), err)
	}
	o.remember(ctx, b, res, c)
	return o.report(res, "updated")
}
