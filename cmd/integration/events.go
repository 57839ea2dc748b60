package integration

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/forgekit/integrations/internal/quote"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/iostreams"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
)

type eventsOptions struct {
	IO       *iostreams.IOStreams
	Backend  func() (client.Backend, error)
	Prompter func() forms.Prompter
	Output   *output.Options
	Secrets  func() (secretBook, error)

	Name       string
	ScopeFlags cmdutil.ScopeFlags
	Enable     string
	Disable    string
	DryRun     bool
	ValueFlags cmdutil.ValueFlags

	def    *integrations.Definition
	scope  client.Scope
	change *cmdutil.EventChange
}

type matrixRow struct {
	Name         string   `json:"name"`
	APIFlag      string   `json:"api_flag"`
	Integrations []string `json:"integrations"`
}

// NewCmdEvents builds `integrations events`.
func NewCmdEvents(f *cmdutil.Factory, runF func(*eventsOptions) error) *cobra.Command {
	opts := &eventsOptions{IO: f.IOStreams, Backend: f.Backend, Prompter: f.Prompter, Output: f.Output, Secrets: secretsOf(f)}
	cmd := &cobra.Command{
		Use:   "events [<integration>]",
		Short: "Show which integrations support which trigger events, or one integration's events",
		Long: heredoc.Doc(`
			Without a name, print the matrix of trigger events and the integrations that support
			each, with the API flag that switches it.

			With a name, print that integration's events: with a scope, whether each is on there;
			without one, the state a new configuration starts with.

			--enable and --disable switch events on and off at a scope, the quick path to what
			configure --events does.
		`),
		Example: heredoc.Doc(`
			$ integrations events
			$ integrations events slack -p acme/web
			$ integrations events slack -p acme/web --enable pipeline,deployment --disable note
			$ integrations events -o json --jq '.[] | select(.name == "pipeline") | .integrations[]'
		`),
		Args:              cmdutil.MaxArgs(1),
		ValidArgsFunction: cmdutil.CompleteIntegrationNames,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.complete(args); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return eventsRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddScopeFlags(cmd, &opts.ScopeFlags)
	cmd.Flags().StringVar(&opts.Enable, "enable", "", "switch these `EVENTS` on (comma-separated)")
	cmd.Flags().StringVar(&opts.Disable, "disable", "", "switch these `EVENTS` off (comma-separated)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "with --enable/--disable: show the change and write nothing")
	cmd.Flags().StringArrayVar(&opts.ValueFlags.Sets, "set", nil, "with --enable/--disable: supply a field the server needs again, such as a secret: `key=value`")
	_ = cmd.RegisterFlagCompletionFunc("enable", cmdutil.CompleteEvents)
	_ = cmd.RegisterFlagCompletionFunc("disable", cmdutil.CompleteEvents)
	_ = cmd.RegisterFlagCompletionFunc("set", cmdutil.CompleteSet)
	return cmd
}

func (o *eventsOptions) complete(args []string) error {
	var err error
	if o.scope, err = o.ScopeFlags.Scope(); err != nil {
		return err
	}
	if len(args) == 0 {
		if !o.scope.IsZero() {
			return cmdutil.FlagErrorf("a scope needs an integration name: integrations events <integration> %s", o.scope.Flag())
		}
		return nil
	}
	o.Name = args[0]
	d, err := integrations.Lookup(o.Name)
	if err != nil {
		return err
	}
	o.def = &d
	if !o.scope.IsZero() && !d.SupportsLevel(o.scope.Level) {
		return levelError(d, o.scope)
	}
	if o.Enable == "" && o.Disable == "" {
		return nil
	}
	if o.scope.IsZero() {
		return cmdutil.FlagErrorf("--enable and --disable need a scope: -p, -g or --instance")
	}
	spec := ""
	enable, err := listFlag("--enable", o.Enable)
	if err != nil {
		return err
	}
	disable, err := listFlag("--disable", o.Disable)
	if err != nil {
		return err
	}
	for _, e := range enable {
		spec += ",+" + e
	}
	for _, e := range disable {
		if slices.Contains(enable, e) {
			return cmdutil.FlagErrorf("event %s is both enabled and disabled", quote.Value(e))
		}
		spec += ",-" + e
	}
	spec = strings.TrimPrefix(spec, ",")
	if o.change, err = cmdutil.ParseEvents(d, spec); err != nil {
		return err
	}
	return checkNamedEvents(d, o.scope.Level, o.change)
}

// listFlag splits --enable or --disable; a flag not given is an empty list, but a given one
// must name events: "," or " " is a mistake, not "nothing".
func listFlag(flag, v string) ([]string, error) {
	if v == "" {
		return nil, nil
	}
	return cmdutil.SplitList(flag, v)
}

func eventsRun(ctx context.Context, o *eventsOptions) error {
	if o.def == nil {
		return printMatrix(o)
	}
	d := *o.def
	var st *client.State
	var srv *integrations.Server
	var notKept error // something was not kept (said on stderr): show the events, then fail
	if !o.scope.IsZero() {
		b, err := o.Backend()
		if err != nil {
			return err
		}
		srv = b.APIServer(ctx)
		got, err := b.Get(ctx, o.scope, d)
		if err != nil {
			return err
		}
		st = &got
		if o.change != nil {
			if st, notKept = switchEvents(ctx, o, b, got); st == nil || (notKept != nil && !errors.Is(notKept, cmdutil.ErrSilent)) {
				return notKept
			}
		}
	}
	// Without a scope nothing is enabled or not: enabled is null, and the table shows the
	// state a new configuration starts with.
	views := newShowView(d, st, srv).Events
	if len(views) == 0 && !o.Output.IsJSON() {
		return cmdutil.NewNoResultsError(d.Name + " has no trigger events")
	}
	write := output.Write
	if o.change != nil {
		write = output.WriteAfterWrite // the events were switched
	}
	err := write(o.IO, *o.Output, views, func(p *output.Printer) {
		rows := make([][]string, len(views))
		for i, v := range views {
			ev, _ := integrations.LookupEvent(v.Name)
			rows[i] = []string{v.Name, v.APIFlag, eventState(d, v, st), ev.Title, apiNote(d.EventAPI(v.Name), srv)}
		}
		p.Table([]string{"event", "api flag", "enabled", "description", "gitlab"}, rows)
	})
	if err != nil {
		return err
	}
	return notKept
}

// switchEvents applies --enable/--disable; it returns nil after a dry run.
func switchEvents(ctx context.Context, o *eventsOptions, b client.Backend, cur client.State) (*client.State, error) {
	d := *o.def
	if !cur.Configured {
		return nil, notConfigured(d, o.scope)
	}
	given, err := o.ValueFlags.Parse(d, o.IO.In)
	if err != nil {
		return nil, err
	}
	next := target{
		Values: maps.Clone(cur.Values), Events: o.change.Apply(d, o.scope.Level, d.EventStates(cur.Scope.Level, cur.Events)),
		Asked: namedEvents(o.change), Active: cur.Active,
	}
	maps.Copy(next.Values, given.Values)
	r := saveRequest{IO: o.IO, Output: o.Output, Backend: b, Prompter: o.Prompter(), Def: d, Scope: o.scope, DryRun: o.DryRun, Verb: "Updated events of", Secrets: o.Secrets}
	if o.DryRun {
		return nil, save(ctx, r, cur, next)
	}
	quiet := *o.Output
	quiet.Format, quiet.JQ = output.Table, ""
	r.Output = &quiet // the events list below is the output
	saveErr := save(ctx, r, cur, next)
	if saveErr != nil && !errors.Is(saveErr, cmdutil.ErrSilent) {
		return nil, saveErr
	}
	st, err := b.Get(ctx, o.scope, d)
	if err != nil {
		return nil, err
	}
	return &st, saveErr
}

func printMatrix(o *eventsOptions) error {
	var rows []matrixRow
	for _, ev := range integrations.Events() {
		row := matrixRow{Name: ev.Name, APIFlag: ev.APIFlag, Integrations: []string{}}
		for _, d := range integrations.Catalog() {
			if !d.Removed() && d.SupportsEvent(ev.Name) {
				row.Integrations = append(row.Integrations, d.Name)
			}
		}
		rows = append(rows, row)
	}
	return output.Write(o.IO, *o.Output, rows, func(p *output.Printer) {
		table := make([][]string, len(rows))
		for i, r := range rows {
			table[i] = []string{r.Name, r.APIFlag, strings.Join(r.Integrations, ", ")}
		}
		p.Table([]string{"event", "api flag", "integrations"}, table)
	})
}
