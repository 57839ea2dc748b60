// Package hooks holds `integrations hooks`: the project, group and system webhooks at a scope,
// managed with the same flags, forms and rules as integrations.
package hooks

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/config"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/iostreams"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
)

// NewCmdHooks builds `integrations hooks` and its verbs.
func NewCmdHooks(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hooks <command>",
		Short: "Manage the webhooks of a project, a group or the instance",
		Long: heredoc.Doc(`
			Manage webhooks beside integrations: project hooks (-p), group hooks (-g; GitLab
			Premium, Owner role) and system hooks (--instance; administrators).

			A hook is identified by its ID, or by its name, or by its URL when it has no name.
			Its fields (see the docs page of each kind) are set with --set, --from-file and
			--events, or in a form on a terminal. Secrets (the token, the signing token, URL
			variable and custom header values) may be references (env:NAME, file:PATH); they are
			encrypted in the local store and never printed.
		`),
		Example: heredoc.Doc(`
			$ integrations hooks add -p acme/web --set url=https://ci.example.com/hook --set name=ci --set token=env:HOOK_TOKEN --events push,pipeline
			$ integrations hooks list -p acme/web
			$ integrations hooks edit ci -p acme/web --set url=https://ci2.example.com/hook --set token=env:HOOK_TOKEN
			$ integrations hooks test ci -p acme/web --event push
			$ integrations hooks events ci -p acme/web --failed
			$ integrations hooks resend ci -p acme/web --failed --since 2h
			$ integrations hooks remove ci -p acme/web --yes
		`),
	}
	cmd.AddCommand(
		NewCmdList(f, nil),
		NewCmdShow(f, nil),
		NewCmdAdd(f, nil),
		NewCmdEdit(f, nil),
		NewCmdRemove(f, nil),
		NewCmdTest(f, nil),
		NewCmdEvents(f, nil),
		NewCmdResend(f, nil),
	)
	return cmd
}

// common are what every hooks verb shares.
type common struct {
	IO       *iostreams.IOStreams
	Backend  func() (client.Backend, error)
	Prompter func() forms.Prompter
	Output   *output.Options
	// Store keeps the fingerprints of the secrets written to a server that never returns them.
	Store func() (cmdutil.Store, error)

	ScopeFlags cmdutil.ScopeFlags

	scope client.Scope
	kind  integrations.Definition
}

func newCommon(f *cmdutil.Factory) common {
	return common{IO: f.IOStreams, Backend: f.Backend, Prompter: f.Prompter, Output: f.Output, Store: f.Store}
}

// completeScope reads the scope flag, which picks the kind of hook.
func (c *common) completeScope(verb string) error {
	s, err := c.ScopeFlags.Scope()
	if err != nil {
		return err
	}
	if s.IsZero() {
		return cmdutil.FlagErrorf("hooks %s needs a scope: -p PROJECT, -g GROUP or --instance (system hooks)", verb)
	}
	c.scope, c.kind = s, integrations.HookKind(s.Level)
	return nil
}

// hooks opens the backend's hooks.
func (c *common) hooks() (client.Hooks, client.Backend, error) {
	b, err := c.Backend()
	if err != nil {
		return nil, nil, err
	}
	h, ok := b.(client.Hooks)
	if !ok {
		return nil, nil, fmt.Errorf("%s does not manage webhooks", b.Where())
	}
	return h, b, nil
}

// find resolves a hook argument to the hook, read in full.
func (c *common) find(ctx context.Context, h client.Hooks, arg string) (client.Hook, error) {
	ref, err := client.ParseHookRef(arg)
	if err != nil {
		return client.Hook{}, err
	}
	if ref.ID != 0 {
		return h.GetHook(ctx, c.scope, ref.ID)
	}
	list, err := h.ListHooks(ctx, c.scope)
	if err != nil {
		return client.Hook{}, err
	}
	found, _, err := client.FindHook(list, ref, c.scope)
	if err != nil {
		return found, err
	}
	return h.GetHook(ctx, c.scope, found.ID)
}

// kindFromFlags picks the hook kind the command line's scope flag names, for completion.
func kindFromFlags(cmd *cobra.Command) integrations.Definition {
	if g, _ := cmd.Flags().GetString("group"); g != "" {
		return integrations.HookKind(integrations.Group)
	}
	if inst, _ := cmd.Flags().GetBool("instance"); inst {
		return integrations.HookKind(integrations.Instance)
	}
	return integrations.HookKind(integrations.Project)
}

// completeSet completes --set keys and values from the hook kind kindOf picks.
func completeSet(kindOf func(*cobra.Command) integrations.Definition) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return completeSetOf(kindOf(cmd), toComplete)
	}
}

func completeSetOf(kind integrations.Definition, toComplete string) ([]string, cobra.ShellCompDirective) {
	dir := cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	if key, _, ok := strings.Cut(toComplete, "="); ok {
		f, _ := kind.Field(key)
		var out []string
		for _, ch := range f.Choices {
			out = append(out, key+"="+ch.Value+"\t"+ch.Label)
		}
		if f.Kind == integrations.Checkbox {
			out = append(out, key+"=true", key+"=false")
		}
		return out, dir
	}
	var out []string
	for _, f := range kind.Fields {
		if integrations.IsKeyValues(f.Key) {
			out = append(out, f.Key+".\t"+f.Title+" (NAME=VALUE)")
			continue
		}
		out = append(out, f.Key+"=\t"+f.Title)
	}
	return out, dir
}

// completeEvents completes event lists from the hook kind kindOf picks.
func completeEvents(kindOf func(*cobra.Command) integrations.Definition) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		prefix := ""
		if i := strings.LastIndex(toComplete, ","); i >= 0 {
			prefix = toComplete[:i+1]
		}
		var out []string
		for _, e := range kindOf(cmd).Events {
			out = append(out, prefix+e+"\t"+integrations.EventTitle(e))
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

// addValueFlags registers --set, --from-file and --events with completion from the hook kind
// the scope flag names.
func addValueFlags(cmd *cobra.Command, v *cmdutil.ValueFlags) { AddValueFlags(cmd, v, kindFromFlags) }

// AddValueFlags registers --set, --from-file and --events with completion from the hook kind
// kindOf picks: the hooks verbs and bulk hooks share them.
func AddValueFlags(cmd *cobra.Command, v *cmdutil.ValueFlags, kindOf func(*cobra.Command) integrations.Definition) {
	cmd.Flags().StringArrayVar(&v.Sets, "set", nil, "set a field: `key=value` (repeatable; split at the first =; url_variables.NAME=VALUE and custom_headers.NAME=VALUE set one entry; values may be env:NAME or file:PATH)")
	cmd.Flags().StringVarP(&v.FromFile, "from-file", "f", "", "read fields (and events) from a YAML or JSON `FILE`; - reads stdin")
	cmd.Flags().StringVar(&v.Events, "events", "", "trigger events: `a,b` sets exactly these, +a,-b adds and removes, none clears")
	_ = cmd.RegisterFlagCompletionFunc("set", completeSet(kindOf))
	_ = cmd.RegisterFlagCompletionFunc("events", completeEvents(kindOf))
}

// completeHookRefs completes a hook argument from the local store, never the network (and not
// at all when a GitLab host is configured): the names of the hooks at the scope the flags name,
// and the IDs of hooks without a name.
func completeHookRefs(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	none := cobra.ShellCompDirectiveNoFileComp
	cfg, err := config.Load(cmd.Root().PersistentFlags())
	if len(args) > 0 || err != nil || cfg.Host() != "" {
		return nil, none
	}
	var sf cmdutil.ScopeFlags
	sf.Project, _ = cmd.Flags().GetString("project")
	sf.Group, _ = cmd.Flags().GetString("group")
	sf.Instance, _ = cmd.Flags().GetBool("instance")
	sc, err := sf.Scope()
	if err != nil || sc.IsZero() {
		return nil, none
	}
	s, ok := cmdutil.ExistingStore(cmd)
	if !ok {
		return nil, none
	}
	defer s.Close()
	list, _ := s.ListHooks(cmd.Context(), sc)
	var out []string
	for _, h := range list {
		if h.Name() != "" {
			out = append(out, h.Name()+"\t"+displayURL(h.URL()))
		} else {
			out = append(out, strconv.FormatInt(h.ID, 10)+"\t"+displayURL(h.URL()))
		}
	}
	return out, none
}
