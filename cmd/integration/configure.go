package integration

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

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

type configureOptions struct {
	IO       *iostreams.IOStreams
	Backend  func() (client.Backend, error)
	Prompter func() forms.Prompter
	Output   *output.Options
	Secrets  func() (secretBook, error)

	Name         string
	ScopeFlags   cmdutil.ScopeFlags
	ValueFlags   cmdutil.ValueFlags
	UseInherited bool
	Inactive     bool
	DryRun       bool

	def      integrations.Definition
	scope    client.Scope
	settings cmdutil.Settings
}

// NewCmdConfigure builds `integrations configure`.
func NewCmdConfigure(f *cmdutil.Factory, runF func(*configureOptions) error) *cobra.Command {
	opts := &configureOptions{IO: f.IOStreams, Backend: f.Backend, Prompter: f.Prompter, Output: f.Output, Secrets: secretsOf(f)}
	cmd := &cobra.Command{
		Use:   "configure [<integration>]",
		Short: "Set an integration's fields and events at a scope, and activate it",
		Long: heredoc.Doc(`
			Set an integration's settings at a project, a group or the instance, and activate it.

			In a terminal with no value flags, a form built from the integration's fields opens:
			connection settings first, then trigger events and their channels, then the other
			options, and a review of every value that will be written. Esc, Ctrl-C or Cancel
			leaves without writing anything (exit 130). Without an integration name, a terminal
			offers the integrations the scope can have to choose from.

			Without a terminal (or with --no-input, or CI set), the values come from --set,
			--from-file and --events; only the fields given change. Every value is checked before
			anything is written; missing required fields are reported as the flags to add.

			A value may be a reference: env:NAME reads an environment variable and file:PATH a
			file, so secrets need not appear on a command line.

			On the local store, writing to a project or group that does not exist creates it and
			its parent groups.
		`),
		Example: heredoc.Doc(`
			$ integrations configure slack -p acme/web
			$ integrations configure slack -p acme/web --set webhook=env:SLACK_WEBHOOK --set channel=#deploys --events push,pipeline
			$ integrations configure jira -g acme --from-file jira.yaml
			$ integrations configure jira -p acme/web --use-inherited
			$ integrations configure datadog -p acme/web --set api_key=file:/run/secrets/dd --dry-run
		`),
		Args:              cmdutil.MaxArgs(1),
		ValidArgsFunction: cmdutil.CompleteIntegrationNames,
		RunE: func(cmd *cobra.Command, args []string) error {
			args, err := nameOrPick(cmd.Context(), f, opts.ScopeFlags, args, "configure", nil)
			if err != nil {
				return err
			}
			if err := opts.complete(args); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return configureRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddScopeFlags(cmd, &opts.ScopeFlags)
	cmdutil.AddValueFlags(cmd, &opts.ValueFlags)
	cmd.Flags().BoolVar(&opts.UseInherited, "use-inherited", false, "drop the scope's own settings and inherit from the nearest parent")
	cmd.Flags().BoolVar(&opts.Inactive, "inactive", false, "save without activating (local store only)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "show the change and write nothing")
	return cmd
}

func (o *configureOptions) complete(args []string) error {
	var err error
	if o.def, o.scope, err = lookupAt(args[0], o.ScopeFlags, "configure"); err != nil {
		return err
	}
	if o.UseInherited && (o.ValueFlags.Given() || o.Inactive) {
		return cmdutil.FlagErrorf("--use-inherited drops the scope's own settings; it takes no --set, --from-file, --events or --inactive")
	}
	if o.settings, err = o.ValueFlags.Parse(o.def, o.IO.In); err != nil {
		return err
	}
	return checkNamedEvents(o.def, o.scope.Level, o.settings.Events)
}

// lookupAt finds the integration and the scope every writing command needs, and checks that the
// integration can be set at the scope's level.
func lookupAt(name string, sf cmdutil.ScopeFlags, verb string) (integrations.Definition, client.Scope, error) {
	def, err := integrations.Lookup(name)
	if err != nil {
		return def, client.Scope{}, err
	}
	scope, err := sf.Scope()
	if err != nil {
		return def, scope, err
	}
	if scope.IsZero() {
		return def, scope, cmdutil.FlagErrorf("%s needs a scope: -p PROJECT, -g GROUP or --instance", verb)
	}
	if !def.SupportsLevel(scope.Level) {
		return def, scope, levelError(def, scope)
	}
	return def, scope, nil
}

func configureRun(ctx context.Context, o *configureOptions) error {
	b, err := o.Backend()
	if err != nil {
		return err
	}
	if err := checkRemoved(ctx, o.def, b); err != nil {
		return err
	}
	if o.Inactive && !b.Capabilities().SaveInactive {
		return cmdutil.FlagErrorf("--inactive works on the local store only: GitLab activates an integration on every save")
	}
	cur, err := b.StartingState(ctx, o.scope, o.def)
	if err != nil {
		return err
	}
	if o.UseInherited {
		return useInherited(ctx, o, b, cur)
	}
	next := target{Values: maps.Clone(cur.Values), Events: o.def.EventStates(cur.Scope.Level, cur.Events), Active: !o.Inactive}
	for k, v := range o.settings.Values {
		next.Values[k] = v
	}
	if o.settings.Events != nil {
		next.Events = o.settings.Events.Apply(o.def, o.scope.Level, next.Events)
		next.Asked = namedEvents(o.settings.Events)
	}
	r := saveRequest{IO: o.IO, Output: o.Output, Backend: b, Prompter: o.Prompter(), Def: o.def, Scope: o.scope, DryRun: o.DryRun, Verb: "Configured", Secrets: o.Secrets}
	missing := missingFields(o.def, next, cur)
	if o.IO.CanPrompt() && (!o.ValueFlags.Given() || len(missing) > 0) {
		if next, err = fill(ctx, r, cur, next); err != nil {
			return err
		}
	} else if len(missing) > 0 && next.Active {
		return missingError(o.def, missing)
	}
	return save(ctx, r, cur, next)
}

// checkRemoved refuses an integration GitLab has removed, unless the server is older than the
// removal: such integrations stay in the catalog for older servers. A server whose version
// cannot be read is taken to be the newest known.
func checkRemoved(ctx context.Context, d integrations.Definition, b client.Backend) error {
	if !d.Removed() {
		return nil
	}
	srv := b.APIServer(ctx)
	if srv == nil || d.RemovedIn == "" {
		return cmdutil.FlagErrorf("%s was removed from GitLab%s; only an older GitLab server can still have it", d.Name, removedIn(d))
	}
	if !d.API.In(*srv) {
		return cmdutil.FlagErrorf("%s was removed in GitLab %s; %s runs %s", d.Name, d.RemovedIn, b.Where(), srv.Effective())
	}
	return nil
}

// missingFields are required fields with no value, counting secrets the server holds but does
// not return as present.
func missingFields(d integrations.Definition, next target, cur client.State) []integrations.Field {
	var out []integrations.Field
	for _, f := range d.Missing(next.Values) {
		if !cur.Unknown[f.Key] {
			out = append(out, f)
		}
	}
	return out
}

// notConfigured refuses an action that needs settings the scope does not have.
func notConfigured(d integrations.Definition, s client.Scope) error {
	return cmdutil.FlagErrorf("%s has no settings at %s; configure it first: integrations configure %s %s --set …", d.Name, s, d.Name, s.Flag())
}

func missingError(d integrations.Definition, missing []integrations.Field) error {
	flags := make([]string, len(missing))
	for i, f := range missing {
		flags[i] = "--set " + f.Key + "=…"
	}
	return cmdutil.FlagErrorf("%s: missing %s (required when not running interactively)", d.Name, strings.Join(flags, " "))
}

// fill runs the settings form, pre-filled with next. Against a server the form offers only what
// its version's API declares.
func fill(ctx context.Context, r saveRequest, cur client.State, next target) (target, error) {
	d, b := r.Def, r.Backend
	where := cmdutil.PlaceOf(b)
	in := &forms.Input{
		Values: maps.Clone(next.Values), SecretSet: map[string]bool{}, Events: maps.Clone(next.Events),
		Active: next.Active, Level: cur.Scope.Level, Where: cur.Scope.String() + " on " + where,
	}
	// A secret the server holds but never returns cannot be "kept" by leaving it blank: the
	// server needs it again on every write, so the form asks for it.
	for _, f := range d.Fields {
		if f.Masked() && next.Values[f.Key] != "" {
			in.SecretSet[f.Key] = true
		}
	}
	in.Summary = func(in *forms.Input) []string {
		return reviewLines(d, cur, target{Values: in.Values, Events: in.Events, Active: in.Active}, r.sameSecrets(ctx, cur, in.Values))
	}
	formDef := d
	if srv := b.APIServer(ctx); srv != nil {
		formDef = d.On(*srv)
	}
	if err := r.Prompter.Fill(ctx, formDef, in); err != nil {
		return next, err
	}
	return target{Values: in.Values, Events: in.Events, Active: in.Active}, nil
}

type saveRequest struct {
	IO       *iostreams.IOStreams
	Output   *output.Options
	Backend  client.Backend
	Prompter forms.Prompter
	Def      integrations.Definition
	Scope    client.Scope
	// Secrets compare and record the write-only secrets; nil does neither.
	Secrets func() (secretBook, error)
	DryRun  bool
	Verb    string
}

// save validates next, shows it (--dry-run) or writes it, and reports what happened.
func save(ctx context.Context, r saveRequest, cur client.State, next target) error {
	if next.Active {
		if missing := missingFields(r.Def, next, cur); len(missing) > 0 {
			return missingError(r.Def, missing)
		}
	}
	for k, v := range next.Values {
		if _, err := r.Def.Normalize(k, v); err != nil {
			return err
		}
	}
	if err := r.Def.CheckRules(next.Values); err != nil {
		return err
	}
	changes := describe(r.Def, cur, next, r.sameSecrets(ctx, cur, next.Values))
	view := changeView{Name: r.Def.Name, Scope: r.Scope.String(), Action: actionOf(cur, changes), Changes: orNone(changes)}
	if r.DryRun {
		return output.Write(r.IO, *r.Output, view, func(p *output.Printer) { printChange(p, view) })
	}
	if len(changes) == 0 {
		// Writing the same values would only turn inherited settings into the scope's own (and
		// on GitLab ask for the secrets again).
		if r.IO.IsStdoutTTY() {
			fmt.Fprintf(r.IO.ErrOut, "Nothing to change: %s at %s is already as asked\n", r.Def.Name, r.Scope)
		}
		if r.Output.IsJSON() {
			return writeJSON(ctx, r.IO, r.Output, r.Backend, r.Def, cur, nil, false)
		}
		return nil
	}
	upd := client.Update{Values: map[string]string{}, Events: next.Events, AskedEvents: next.Asked, Active: &next.Active, Current: &cur}
	for k := range mergeKeys(cur.Values, next.Values) {
		if cur.Values[k] == next.Values[k] {
			continue
		}
		// A form fills every checkbox and select in; a default where nothing was stored is no
		// change, and sending it would refuse fields the server does not have.
		if f, ok := r.Def.Field(k); ok && !f.Masked() && cur.Values[k] == "" && next.Values[k] == f.Default {
			continue
		}
		upd.Values[k] = next.Values[k]
	}
	res, err := r.put(ctx, upd)
	if err != nil {
		return fmt.Errorf("saving %s at %s: %w", r.Def.Name, r.Scope, err)
	}
	r.remember(ctx, cur.Scope, upd.Values)
	reportCreated(r.IO, res.Created)
	for _, w := range res.Warnings {
		fmt.Fprintln(r.IO.ErrOut, "warning: "+w)
	}
	if r.IO.IsStdoutTTY() && len(res.NotKept) == 0 {
		state := "inactive"
		if res.State.Active {
			state = "active"
		}
		fmt.Fprintf(r.IO.ErrOut, "✓ %s %s at %s (%s)\n", r.Verb, r.Def.Name, r.Scope, state)
	}
	return finishWrite(ctx, r.IO, r.Output, r.Backend, r.Def, res)
}

// finishWrite reports what the server did not keep (a line each on stderr), prints the written
// state as JSON when asked, and fails (exit 1) when something was not kept: "saved" must be true.
func finishWrite(ctx context.Context, ios *iostreams.IOStreams, out *output.Options, b client.Backend, d integrations.Definition, res client.SaveResult) error {
	for _, k := range res.NotKept {
		fmt.Fprintf(ios.ErrOut, "%s: %s did not keep %s\n", d.Name, res.NotKeptBy, k)
	}
	if out.IsJSON() {
		if err := writeJSON(ctx, ios, out, b, d, res.State, res.NotKept, true); err != nil {
			return err
		}
	}
	if len(res.NotKept) > 0 {
		return cmdutil.ErrSilent
	}
	return nil
}

// writeJSON prints a write's result: the show shape, and not_kept. After a write was made
// (written), a --jq filter failing on the result prints it unfiltered instead of failing.
func writeJSON(ctx context.Context, ios *iostreams.IOStreams, out *output.Options, b client.Backend, d integrations.Definition, st client.State, notKept []string, written bool) error {
	if notKept == nil {
		notKept = []string{}
	}
	v := writeView{showView: newShowView(d, &st, b.APIServer(ctx)), NotKept: notKept}
	if written {
		return output.WriteAfterWrite(ios, *out, v, nil)
	}
	return output.Write(ios, *out, v, nil)
}

// put saves; when the server needs write-only values again (GitLab wants every required secret
// on each write), it asks for them on a terminal, or names the flags that supply them.
func (r saveRequest) put(ctx context.Context, upd client.Update) (client.SaveResult, error) {
	res, err := r.Backend.Save(ctx, r.Scope, r.Def, upd)
	var mse *client.MissingSecretsError
	if !errors.As(err, &mse) {
		return res, err
	}
	server := r.Backend.Where()
	again, err := cmdutil.AskSecretsAgain(ctx, r.IO, func() forms.Prompter { return r.Prompter }, cmdutil.SecretsAgain{
		Keys: mse.Fields,
		Why:  fmt.Sprintf("%s never returns %s but needs it on every change", server, strings.Join(mse.Fields, ", ")),
		Title: func(k string) string {
			f, _ := r.Def.Field(k)
			return fmt.Sprintf("%s (%s) for %s — %s needs it again", f.Title, k, r.Def.Title, server)
		},
		Normalize: r.Def.Normalize,
	})
	if err != nil {
		return res, err
	}
	for _, k := range mse.Fields {
		v := again[k]
		if v == "" {
			return res, cmdutil.FlagErrorf("%s: %s is required by %s", r.Def.Name, k, server)
		}
		upd.Values[k] = v
	}
	return r.Backend.Save(ctx, r.Scope, r.Def, upd)
}

func orNone(c []change.Change) []change.Change {
	if c == nil {
		return []change.Change{}
	}
	return c
}

func mergeKeys(a, b map[string]string) map[string]bool {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	return keys
}

// reportCreated says which groups and projects a write created; always, since it changes the
// store's shape.
func reportCreated(ios *iostreams.IOStreams, created []client.Scope) {
	if len(created) > 0 {
		fmt.Fprintf(ios.ErrOut, "Created %s in the local store\n", client.FormatScopes(created))
	}
}

func useInherited(ctx context.Context, o *configureOptions, b client.Backend, cur client.State) error {
	if o.DryRun {
		changes := change.Diff(o.def, o.scope.Level, cur, change.Wanted{Inherit: true})
		view := changeView{Name: o.def.Name, Scope: o.scope.String(), Action: "inherit", Changes: orNone(changes)}
		if len(changes) == 0 {
			view.Action = "unchanged"
		}
		return output.Write(o.IO, *o.Output, view, func(p *output.Printer) { printChange(p, view) })
	}
	res, err := b.Save(ctx, o.scope, o.def, client.Update{UseInherited: true})
	if err != nil {
		return err
	}
	reportCreated(o.IO, res.Created)
	if o.IO.IsStdoutTTY() {
		fmt.Fprintf(o.IO.ErrOut, "✓ %s at %s now %s\n", o.def.Name, o.scope, settingsWord(res.State))
	}
	if o.Output.IsJSON() {
		return writeJSON(ctx, o.IO, o.Output, b, o.def, res.State, res.NotKept, true)
	}
	return nil
}
