// Package bulk holds `integrations bulk status|enable|disable|configure|revert`.
package bulk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/bulk"
	"github.com/forgekit/integrations/internal/change"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/config"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/iostreams"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
)

// store keeps what a run needs beside the backend: fingerprints of the secrets written, and
// the copies of settings a GitLab disable erases.
type store interface {
	bulk.Fingerprints
	bulk.Keeper
}

type options struct {
	IO       *iostreams.IOStreams
	Backend  func() (client.Backend, error)
	Store    func() (store, error)
	Prompter func() forms.Prompter
	Output   *output.Options
	FitCPUs  func(concurrency int)
	// RunsDir is where journals go: $XDG_STATE_HOME/integrations/runs.
	RunsDir string

	Op             bulk.Op
	Groups         []string
	ValueFlags     cmdutil.ValueFlags
	Subgroups      bool
	Archived       bool
	ResetOverrides bool
	Force          bool
	Strategy       string
	DryRun         bool
	Yes            bool
	Concurrency    int
	Resume         string

	spec bulk.Spec
	// hookSpec is the run of bulk hooks.
	hookSpec bulk.HookSpec
}

// NewCmdBulk groups the bulk verbs.
func NewCmdBulk(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bulk <command>",
		Short: "Change or inventory one integration, or one webhook, across groups and all their projects",
		Long: heredoc.Doc(`
			Work on one integration across one or more groups, their subgroups and projects.

			status is a read-only inventory. enable, disable and configure plan first: each target
			gets an action and a reason, and targets already as wanted are skipped. With the auto
			strategy, an integration that groups can have is written once per group (GitLab then
			propagates it to every project without custom settings); project-only integrations,
			or servers older than GitLab 17.9, are written per project. Projects with custom
			settings are reported as overriding their group; --reset-overrides sets them back to
			inherit.

			hooks add, edit and remove do the same for one project webhook at every project below
			the groups.

			A run asks before writing on a terminal (--yes otherwise), shows progress, pauses all
			workers when the server rate-limits, retries transient errors, and records each
			target's previous state in a journal under $XDG_STATE_HOME/integrations/runs/, line
			by line as it goes, so that even a killed run leaves at most the writes in flight
			unknown. Ctrl-C or SIGTERM finishes the writes in flight and stops (exit 130);
			--resume RUN_ID continues; bulk revert RUN_ID puts every changed target back, also
			those written before an interruption. Exit 0 when every target succeeded, 1 when
			some failed, 2 on bad input before any write.
		`),
	}
	cmd.AddCommand(
		newCmdOp(f, bulk.OpStatus),
		newCmdOp(f, bulk.OpEnable),
		newCmdOp(f, bulk.OpDisable),
		newCmdOp(f, bulk.OpConfigure),
		newCmdHooks(f),
		newCmdRevert(f),
	)
	return cmd
}

var shorts = map[bulk.Op]string{
	bulk.OpStatus:    "Inventory: where the integration is active, inherited or custom, and who overrides their group",
	bulk.OpEnable:    "Activate the integration with its settings across groups and projects",
	bulk.OpDisable:   "Deactivate the integration across groups and projects",
	bulk.OpConfigure: "Set the integration's fields and events across groups and projects",
}

var examples = map[bulk.Op]string{
	bulk.OpStatus:    "$ integrations bulk status jira -g acme\n$ integrations bulk status slack -g acme -g tools -o json --jq '.[] | select(.overrides)'\n$ integrations bulk status jira -g acme --concurrency 32",
	bulk.OpEnable:    "$ integrations bulk enable slack -g acme --dry-run\n$ integrations bulk enable slack -g acme --yes",
	bulk.OpDisable:   "$ integrations bulk disable jenkins -g acme --yes --concurrency 16",
	bulk.OpConfigure: "$ integrations bulk configure jira -g acme --from-file jira.yaml --dry-run\n$ integrations bulk configure jira -g acme --from-file jira.yaml --reset-overrides --yes\n$ integrations bulk configure jira -g acme --from-file jira.yaml --yes --resume 20261126T101500Z-a1b2c3",
}

func newOptions(f *cmdutil.Factory, op bulk.Op) *options {
	return &options{
		IO: f.IOStreams, Backend: f.Backend, Prompter: f.Prompter, Output: f.Output, FitCPUs: f.FitCPUs,
		Store:   func() (store, error) { return f.Store() },
		RunsDir: filepath.Join(config.StateDir(), "runs"), Op: op, Concurrency: 8,
	}
}

func newCmdOp(f *cmdutil.Factory, op bulk.Op) *cobra.Command {
	o := newOptions(f, op)
	cmd := &cobra.Command{
		Use:               string(op) + " <integration> --group GROUP [--group GROUP …]",
		Short:             shorts[op],
		Example:           examples[op],
		Args:              cmdutil.ExactArgs(1, "the integration name"),
		ValidArgsFunction: cmdutil.CompleteIntegrationNames,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.complete(args); err != nil {
				return err
			}
			return run(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&o.Groups, "group", "g", nil, "a group `PATH|ID` to work under (repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("group", cmdutil.CompleteScopes(integrations.Group))
	fl.BoolVar(&o.Subgroups, "include-subgroups", true, "include subgroups and their projects")
	fl.BoolVar(&o.Archived, "include-archived", false, "include archived projects")
	cmdutil.ConcurrencyFlag(fl, &o.Concurrency)
	if op == bulk.OpStatus {
		return cmd
	}
	switch op {
	case bulk.OpConfigure:
		cmdutil.AddValueFlags(cmd, &o.ValueFlags)
	case bulk.OpEnable:
		fl.StringArrayVar(&o.ValueFlags.Sets, "set", nil, "supply a field, such as a secret the server needs again: `key=value`")
		_ = cmd.RegisterFlagCompletionFunc("set", cmdutil.CompleteSet)
	}
	cmdutil.EnumFlag(cmd, fl, &o.Strategy, "strategy", "", string(bulk.Auto), bulk.Strategies, "where to write")
	fl.BoolVar(&o.ResetOverrides, "reset-overrides", false, "set projects and subgroups with custom settings back to inherit")
	fl.BoolVar(&o.Force, "force", false, "rewrite targets that look already as wanted (secrets included)")
	fl.BoolVar(&o.DryRun, "dry-run", false, "print the plan and write nothing")
	fl.BoolVarP(&o.Yes, "yes", "y", false, "do not ask before writing")
	fl.StringVar(&o.Resume, "resume", "", "continue run `RUN_ID`, skipping the targets it finished")
	return cmd
}

func (o *options) complete(args []string) error {
	def, err := integrations.Lookup(args[0])
	if err != nil {
		return err
	}
	if def.Removed() {
		return cmdutil.FlagErrorf("%s was removed from GitLab; it cannot be set", def.Name)
	}
	groups, err := o.groups()
	if err != nil {
		return err
	}
	o.spec = bulk.Spec{
		Op: o.Op, Def: def, Groups: groups, Subgroups: o.Subgroups, Archived: o.Archived,
		ResetOverrides: o.ResetOverrides, Force: o.Force, Strategy: bulk.Strategy(o.Strategy),
	}
	if o.spec.Strategy == "" {
		o.spec.Strategy = bulk.Auto
	}
	settings, err := o.ValueFlags.Parse(def, o.IO.In)
	if err != nil {
		return err
	}
	o.spec.Values = settings.Values
	if ch := settings.Events; ch != nil {
		o.spec.Events = func(level integrations.Level, cur map[string]bool) map[string]bool { return ch.Apply(def, level, cur) }
		o.spec.AskedEvents = map[string]bool{}
		for _, list := range [][]string{ch.Exact, ch.Add, ch.Remove} {
			for _, e := range list {
				o.spec.AskedEvents[e] = true
			}
		}
	}
	return nil
}

// groups reads the --group flags.
func (o *options) groups() ([]client.Scope, error) {
	if len(o.Groups) == 0 {
		return nil, cmdutil.FlagErrorf("bulk %s needs at least one --group", o.Op)
	}
	out := make([]client.Scope, 0, len(o.Groups))
	for _, g := range o.Groups {
		sc, err := client.ParseScope(integrations.Group, g)
		if err != nil {
			return nil, cmdutil.FlagErrorWrap(err)
		}
		out = append(out, sc)
	}
	return out, nil
}

func run(ctx context.Context, o *options) error {
	b, err := o.Backend()
	if err != nil {
		return err
	}
	w, ok := b.(client.Walker)
	if !ok {
		return fmt.Errorf("%s cannot list groups and projects", b.Where())
	}
	if o.FitCPUs != nil && b.Capabilities().Server != "" {
		o.FitCPUs(o.Concurrency) // the local store's runs are its CPU's work, not a wait
	}
	st, err := o.Store()
	if err != nil {
		return err
	}
	var (
		done    map[string]bool
		earlier *bulk.JournalDoc
	)
	runID := ""
	if o.Resume != "" {
		doc, err := bulk.LoadJournal(o.RunsDir, o.Resume)
		if err != nil {
			return cmdutil.FlagErrorWrap(err)
		}
		if doc.Integration != o.spec.Def.Name || doc.Op != o.Op || doc.Server != b.Capabilities().Server {
			return cmdutil.FlagErrorf("run %s was bulk %s %s on %s; resume it with the same command and backend", doc.RunID, doc.Op, doc.Integration, serverName(doc.Server))
		}
		done, runID, earlier = doc.Finished(), doc.RunID, doc
	}
	prog := newProgress(o.IO.ErrOut, o.IO.IsStderrTTY() && !o.Output.IsJSON(), "reading", 0)
	// --concurrency bounds every request the run makes, reads while planning included.
	planner := &bulk.Planner{Backend: b, Walker: w, Fingerprints: st, Concurrency: o.Concurrency, Read: func() { prog.step(false) }}
	var rep *bulk.Report
	if o.Op.Hooks() {
		rep, err = planner.PlanHooks(ctx, o.hookSpec, done)
	} else {
		rep, err = planner.Plan(ctx, o.spec, done)
	}
	prog.finish()
	if err != nil {
		return err
	}
	if o.Op == bulk.OpStatus {
		return printInventory(o, rep)
	}
	if o.DryRun {
		return printReport(o, rep, true)
	}
	if runID == "" {
		runID = bulk.NewRunID(time.Now())
	}
	rep.RunID = runID
	if rep.Writes() == 0 {
		if o.IO.IsStderrTTY() {
			fmt.Fprintf(o.IO.ErrOut, "Nothing to change: every target is already as wanted or skipped (%d targets)\n", len(rep.Targets))
		}
		return printReport(o, rep, false)
	}
	if err := o.confirm(ctx, rep, b.Where()); err != nil {
		return err
	}
	return execute(ctx, o, b, st, rep, earlier)
}

func (o *options) confirm(ctx context.Context, rep *bulk.Report, where string) error {
	summary := fmt.Sprintf("%d write(s), %d target(s) skipped, on %s", rep.Writes(), rep.Totals.Skipped, where)
	return cmdutil.ConfirmOrYes(ctx, o.IO.CanPrompt(), o.Yes, func() cmdutil.Confirmer { return o.Prompter() },
		fmt.Sprintf("bulk %s %s: %s. Go ahead?", o.Op, o.spec.Def.Name, summary),
		fmt.Sprintf("bulk %s would make %s: pass --yes to go ahead, or --dry-run to see the plan", o.Op, summary))
}

// execute runs the writes under a journal; earlier is the journal of the run being resumed,
// whose records the new one keeps.
func execute(ctx context.Context, o *options, b client.Backend, st store, rep *bulk.Report, earlier *bulk.JournalDoc) error {
	groups := make([]string, len(o.spec.Groups))
	for i, g := range o.spec.Groups {
		groups[i] = g.String()
	}
	doc := bulk.JournalDoc{
		RunID: rep.RunID, CreatedAt: time.Now().UTC(), Server: b.Capabilities().Server,
		Integration: o.spec.Def.Name, Op: o.Op, Groups: groups,
	}
	if earlier != nil {
		doc.CreatedAt, doc.Targets = earlier.CreatedAt, earlier.Targets
	}
	j, err := bulk.NewJournal(o.RunsDir, doc, rep)
	if err != nil {
		return err
	}
	prog := newProgress(o.IO.ErrOut, o.IO.IsStderrTTY(), string(o.Op), rep.Writes())
	ex := &bulk.Executor{
		Backend: b, Fingerprints: st, Keeper: st, Concurrency: o.Concurrency, Journal: j,
		Done: func(t *bulk.Target) { prog.step(t.Result == bulk.Failed) },
	}
	runErr := ex.Run(ctx, o.spec, rep)
	prog.finish()
	if err := printReport(o, rep, false); err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "run %s: %d succeeded, %d failed, %d partial, %d skipped; journal %s\n",
		rep.RunID, rep.Totals.Succeeded, rep.Totals.Failed, rep.Totals.Partial, rep.Totals.Skipped, j.Path())
	for _, t := range rep.Targets {
		if t.Result == bulk.Partial && t.Error != nil {
			fmt.Fprintf(o.IO.ErrOut, "%s: partial: %s\n", t.Name, *t.Error)
		}
	}
	switch {
	case errors.Is(runErr, context.Canceled):
		fmt.Fprintf(o.IO.ErrOut, "interrupted: continue with --resume %s\n", rep.RunID)
		return forms.ErrCancelled
	case runErr != nil:
		return runErr
	case rep.Totals.Failed > 0:
		fmt.Fprintf(o.IO.ErrOut, "error: %d target(s) failed; fix the cause and run again with --resume %s\n", rep.Totals.Failed, rep.RunID)
		return cmdutil.ErrSilent
	case rep.Totals.Partial > 0:
		fmt.Fprintf(o.IO.ErrOut, "error: %d target(s) were written but the server did not keep all of it\n", rep.Totals.Partial)
		return cmdutil.ErrSilent
	}
	return nil
}

func serverName(s string) string {
	if s == "" {
		return "the local store"
	}
	return s
}

// printReport writes the contract's report: per target and totals.
func printReport(o *options, rep *bulk.Report, dryRun bool) error {
	if !dryRun {
		for _, t := range rep.Targets {
			t.Changes = nil
		}
	}
	write := output.WriteAfterWrite
	if dryRun {
		write = output.Write
	}
	return write(o.IO, *o.Output, streamedReport{rep}, func(p *output.Printer) {
		rows := make([][]string, 0, len(rep.Targets))
		for _, t := range rep.Targets {
			detail := t.Reason
			if t.Error != nil {
				detail = *t.Error
			}
			if dryRun && len(t.Changes) > 0 {
				detail = change.Join(t.Changes)
			}
			rows = append(rows, []string{t.Name, string(t.Action), t.Result, detail, fmt.Sprint(t.Attempts), fmt.Sprintf("%dms", t.DurationMS)})
		}
		p.Table([]string{"target", "action", "result", "detail", "attempts", "duration"}, rows)
		if p.IsTTY() {
			what := "plan"
			if rep.RunID != "" {
				what = "run " + rep.RunID
			}
			p.Linef("")
			p.Linef("%s: %d planned, %d succeeded, %d failed, %d skipped", what, rep.Totals.Planned, rep.Totals.Succeeded, rep.Totals.Failed, rep.Totals.Skipped)
		}
	})
}

type inventoryItem struct {
	Target        string   `json:"target"`
	Kind          string   `json:"kind"`
	Active        bool     `json:"active"`
	Configured    *bool    `json:"configured"`
	Inherited     *bool    `json:"inherited"`
	InheritedFrom *string  `json:"inherited_from"`
	Overrides     bool     `json:"overrides"`
	Events        []string `json:"events"`
}

func printInventory(o *options, rep *bulk.Report) error {
	items := make([]inventoryItem, 0, len(rep.Targets))
	for _, t := range rep.Targets {
		st := t.State()
		it := inventoryItem{Target: t.Name, Kind: t.Kind, Active: st.Active, Overrides: t.Overrides}
		if !st.ConfiguredUnknown {
			configured, inherited := st.Configured, st.Inherited
			it.Configured, it.Inherited = &configured, &inherited
			it.Events = []string{}
			for _, e := range o.spec.Def.SupportedEvents(st.Scope.Level) {
				if st.Events[e] {
					it.Events = append(it.Events, e)
				}
			}
		}
		if st.InheritedFrom != nil {
			s := st.InheritedFrom.String()
			it.InheritedFrom = &s
		}
		items = append(items, it)
	}
	return output.Write(o.IO, *o.Output, items, func(p *output.Printer) {
		rows := make([][]string, len(rep.Targets))
		for i, t := range rep.Targets {
			rows[i] = []string{t.Name, yesNo(t.State().Active), t.Reason}
		}
		p.Table([]string{"target", "active", "settings"}, rows)
	})
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// streamedReport writes a report's JSON one target at a time: a run over tens of thousands of
// targets never holds its whole JSON.
type streamedReport struct{ *bulk.Report }

func (r streamedReport) StreamJSON(w io.Writer) error {
	var id *string
	if r.RunID != "" {
		id = &r.RunID
	}
	head, err := json.MarshalIndent(struct {
		RunID  *string     `json:"run_id"`
		Totals bulk.Totals `json:"totals"`
	}{id, r.Totals}, "", "  ")
	if err != nil {
		return err
	}
	// The head without its closing brace, then the targets as MarshalIndent nests them.
	if _, err := w.Write(append(head[:len(head)-2], ",\n  \"targets\": "...)); err != nil {
		return err
	}
	if r.Targets == nil {
		_, err = io.WriteString(w, "null\n}")
		return err
	}
	if err := output.StreamArray(w, "  ", len(r.Targets), func(i int) any { return r.Targets[i] }); err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n}")
	return err
}
