package integration

import (
	"context"
	"slices"
	"strings"

	"github.com/forgekit/integrations/internal/quote"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/iostreams"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
)

type listOptions struct {
	IO      *iostreams.IOStreams
	Backend func() (client.Backend, error)
	Output  *output.Options

	ScopeFlags cmdutil.ScopeFlags
	All        bool
	ActiveOnly bool
	Category   string

	scope client.Scope
}

// NewCmdList builds `integrations list`.
func NewCmdList(f *cmdutil.Factory, runF func(*listOptions) error) *cobra.Command {
	opts := &listOptions{IO: f.IOStreams, Backend: f.Backend, Output: f.Output}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the integration catalog, or the integrations' state at a scope",
		Long: heredoc.Doc(`
			Without a scope, list every integration kind in the catalog. Integrations GitLab has
			removed, and those it offers only in its own development builds, are listed only with
			--all.

			With -p, -g or --instance, list the integrations that can be set there with their state:
			active or not, and whether the settings are the scope's own or inherited.
		`),
		Example: heredoc.Doc(`
			$ integrations list
			$ integrations list --category chat
			$ integrations list -p acme/web --active
			$ integrations list -g acme -o json --jq '.[] | select(.inherited) | .name'
		`),
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.complete(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddScopeFlags(cmd, &opts.ScopeFlags)
	cmd.Flags().BoolVar(&opts.All, "all", false, "include removed and development-only integrations")
	cmd.Flags().BoolVar(&opts.ActiveOnly, "active", false, "only integrations active at the scope")
	cmd.Flags().StringVar(&opts.Category, "category", "", "only this `CATEGORY` ("+strings.Join(categories(), ", ")+")")
	_ = cmd.RegisterFlagCompletionFunc("category", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return categories(), cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func (o *listOptions) complete() error {
	var err error
	if o.scope, err = o.ScopeFlags.Scope(); err != nil {
		return err
	}
	if o.ActiveOnly && o.scope.IsZero() {
		return cmdutil.FlagErrorf("--active needs a scope: -p, -g or --instance")
	}
	if o.Category != "" && !slices.Contains(categories(), o.Category) {
		return cmdutil.FlagErrorf("unknown category %s; valid: %s", quote.Value(o.Category), strings.Join(categories(), ", "))
	}
	return nil
}

func categories() []string {
	var out []string
	for _, d := range integrations.Catalog() {
		if !slices.Contains(out, d.Category) {
			out = append(out, d.Category)
		}
	}
	slices.Sort(out)
	return out
}

func (o *listOptions) selected() []integrations.Definition {
	var out []integrations.Definition
	for _, d := range integrations.Catalog() {
		if ((d.Removed() || d.DevOnly) && !o.All) || (o.Category != "" && d.Category != o.Category) {
			continue
		}
		if !o.scope.IsZero() && !d.SupportsLevel(o.scope.Level) {
			continue
		}
		out = append(out, d)
	}
	return out
}

func listRun(ctx context.Context, o *listOptions) error {
	defs := o.selected()
	if o.scope.IsZero() {
		return listCatalog(ctx, o, defs)
	}
	return listScope(ctx, o, defs)
}

// listCatalog lists the catalog; with --all and a server connected, it says what the server
// does not offer.
func listCatalog(ctx context.Context, o *listOptions, defs []integrations.Definition) error {
	var srv *integrations.Server
	if o.All {
		if b, err := o.Backend(); err == nil {
			srv = b.APIServer(ctx)
		}
	}
	items := make([]catalogItem, len(defs))
	for i, d := range defs {
		items[i] = newCatalogItem(d)
		items[i].OnServer = offers(d, srv)
	}
	return output.Write(o.IO, *o.Output, items, func(p *output.Printer) {
		header := []string{"name", "title", "category", "levels"}
		if o.All {
			header = append(header, "status")
		}
		if srv != nil {
			header = append(header, "on GitLab "+srv.Effective().String())
		}
		rows := make([][]string, len(items))
		for i, it := range items {
			rows[i] = []string{it.Name, it.Title, it.Category, strings.Join(it.Levels, ", ")}
			if o.All {
				rows[i] = append(rows[i], it.Status)
			}
			if srv != nil {
				rows[i] = append(rows[i], offerWord(*it.OnServer, *srv))
			}
		}
		p.Table(header, rows)
	})
}

// listScope lists the integrations a scope can have with their state there.
func listScope(ctx context.Context, o *listOptions, defs []integrations.Definition) error {
	b, err := o.Backend()
	if err != nil {
		return err
	}
	var states []client.State
	srv, err := withServer(ctx, b, func() (err error) {
		states, err = b.List(ctx, o.scope)
		return err
	})
	if err != nil {
		return err
	}
	byName := make(map[string]client.State, len(states))
	for _, st := range states {
		byName[st.Name] = st
	}
	items := []scopedItem{}
	var rows [][]string
	for _, d := range defs {
		st, ok := byName[d.Name]
		if !ok {
			st = client.State{Name: d.Name, Scope: o.scope}
		}
		if o.ActiveOnly && !st.Active {
			continue
		}
		it := newScopedItem(d, st)
		it.OnServer = offers(d, srv)
		items = append(items, it)
		rows = append(rows, []string{d.Name, d.Title, yesNo(st.Active), settingsWord(st), joinOr(it.Events, "-")})
	}
	if len(items) == 0 && !o.Output.IsJSON() {
		what := "integrations"
		if o.ActiveOnly {
			what = "active integrations"
		}
		return cmdutil.NewNoResultsError("no " + what + " at " + o.scope.Describe())
	}
	return output.Write(o.IO, *o.Output, items, func(p *output.Printer) {
		p.Table([]string{"name", "title", "active", "settings", "events"}, rows)
	})
}

// offers says whether srv's API has the integration; nil without a server.
func offers(d integrations.Definition, srv *integrations.Server) *bool {
	if srv == nil {
		return nil
	}
	on := d.APISlug != "" && !d.DevOnly && d.API.In(*srv)
	return &on
}

func offerWord(on bool, srv integrations.Server) string {
	if on {
		return "offered"
	}
	return "not offered by GitLab " + srv.Effective().String()
}
