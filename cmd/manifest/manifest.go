// Package manifest holds configuration as code: export, plan and apply.
package manifest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
	"github.com/forgekit/integrations/internal/manifest"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
)

// store keeps what apply needs beside the backend: fingerprints of the secrets written, and
// the copies of settings a GitLab disable erases.
type store interface {
	bulk.Fingerprints
	bulk.Keeper
}

// wholeStore is a backend that holds every scope itself (the local store): it is exported whole
// without a scope, read in one pass.
type wholeStore interface {
	Scopes(ctx context.Context) ([]client.Scope, error)
	Snapshot(ctx context.Context, root client.Scope) (client.Snapshot, error)
}

type options struct {
	IO       *iostreams.IOStreams
	Backend  func() (client.Backend, error)
	Store    func() (store, error)
	Prompter func() forms.Prompter
	Output   *output.Options
	RunsDir  string

	ScopeFlags  cmdutil.ScopeFlags
	File        string
	Prune       bool
	Yes         bool
	DryRun      bool
	Concurrency int

	// unresolved are the references plan could not read, with why: apply will stop on them.
	unresolved []string
	// needed are secrets the file lacks that apply would have to send again (GitLab clears
	// them when a hook's URL changes): apply refuses until the file has them.
	needed []manifest.Needed
}

func newOptions(f *cmdutil.Factory) *options {
	return &options{
		IO: f.IOStreams, Backend: f.Backend, Prompter: f.Prompter, Output: f.Output,
		Store:   func() (store, error) { return f.Store() },
		RunsDir: filepath.Join(config.StateDir(), "runs"), Concurrency: 8,
	}
}

// NewCmdExport builds `integrations export`.
func NewCmdExport(f *cmdutil.Factory) *cobra.Command {
	o := newOptions(f)
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write a scope and everything below it as a YAML manifest",
		Long: heredoc.Doc(`
			Write, per scope and integration, whether it inherits or its own settings: active,
			fields and events; and each scope's webhooks under hooks:, every field and event
			flag. Secret values are never written: each appears as a reference
			env:INTEGRATIONS_<SCOPE>_<NAME>_<FIELD> to set before apply (a file:PATH reference
			works too); for a hook, INTEGRATIONS_<SCOPE>_HOOK_<NAME or ID>_<FIELD>, and only for
			secrets the backend says are set. Without a scope the local store is exported whole;
			on GitLab give -g or -p (GitLab lists only active integrations, so inactive ones are
			not exported there), or --instance for its system hooks (GitLab has no API for
			instance-level integrations).
		`),
		Example: heredoc.Doc(`
			$ integrations export -g acme > acme.yaml
			$ integrations export --file everything.yaml
		`),
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error { return exportRun(cmd.Context(), o) },
	}
	cmdutil.AddScopeFlags(cmd, &o.ScopeFlags)
	cmd.Flags().StringVarP(&o.File, "file", "f", "", "write to `FILE` instead of stdout")
	return cmd
}

func exportRun(ctx context.Context, o *options) error {
	scope, err := o.ScopeFlags.Scope()
	if err != nil {
		return err
	}
	if err := checkOutputFile(o.File); err != nil {
		return err
	}
	b, err := o.Backend()
	if err != nil {
		return err
	}
	header := func(needed []string) string {
		h := fmt.Sprintf("integrations manifest, exported from the %s on %s.\napply it with: integrations apply -f FILE", where(b), time.Now().UTC().Format("2006-01-02"))
		if len(needed) > 0 {
			h += "\nsecrets are references; set these variables before apply:\n  " + strings.Join(needed, "\n  ")
		}
		return h
	}
	// Everything is read before the output is opened: a failure leaves --file as it was.
	var write func(io.Writer) (int, error)
	if whole, ok := b.(wholeStore); ok {
		// The store is read in one pass and written scope by scope, decrypting nothing.
		snap, err := whole.Snapshot(ctx, scope)
		if err != nil {
			return err
		}
		write = func(w io.Writer) (int, error) { return manifest.WriteSnapshot(w, snap, header) }
	} else {
		scopes, err := exportScopes(ctx, b, scope)
		if err != nil {
			return err
		}
		warn := func(msg string) { fmt.Fprintln(o.IO.ErrOut, "warning: "+msg) }
		file, needed, err := (&manifest.Exporter{Backend: b, Warn: warn}).Export(ctx, scopes)
		if err != nil {
			return err
		}
		raw, err := manifest.Encode(file, header(needed))
		if err != nil {
			return err
		}
		write = func(w io.Writer) (int, error) { _, err := w.Write(raw); return len(file.Scopes), err }
	}
	if o.File == "" {
		_, err := write(o.IO.Out)
		return err
	}
	f, err := os.OpenFile(o.File, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	written, err := write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "Wrote %d scope(s) to %s\n", written, o.File)
	return nil
}

// checkOutputFile refuses, before anything is read, a --file that cannot be written as a file:
// a directory, or a path whose directory does not exist.
func checkOutputFile(path string) error {
	if path == "" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return cmdutil.FlagErrorf("--file %s is a directory; name the file to write", path)
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return cmdutil.FlagErrorf("--file %s: directory %s does not exist", path, dir)
	case err != nil:
		return cmdutil.FlagErrorf("--file %s: %v", path, err)
	case !st.IsDir():
		return cmdutil.FlagErrorf("--file %s: %s is not a directory", path, dir)
	}
	return nil
}

func where(b client.Backend) string {
	if s := b.Capabilities().Server; s != "" {
		return "GitLab server " + s
	}
	return "local store"
}

// exportScopes lists what to export: the scope and everything below it.
func exportScopes(ctx context.Context, b client.Backend, scope client.Scope) ([]client.Scope, error) {
	switch {
	case scope.IsZero():
		s, ok := b.(wholeStore)
		if !ok {
			return nil, cmdutil.FlagErrorf("export from a server needs a scope: -g GROUP or -p PROJECT")
		}
		return s.Scopes(ctx)
	case scope.Level == "group":
		w, ok := b.(client.Walker)
		if !ok {
			return nil, fmt.Errorf("%s cannot list groups and projects", b.Where())
		}
		var out []client.Scope
		err := w.Walk(ctx, scope, client.WalkOptions{Subgroups: true, Groups: true, Archived: true}, func(ns client.Namespace) error {
			out = append(out, ns.Scope)
			return nil
		})
		return out, err
	case scope.Level == integrations.Instance && !b.Capabilities().Instance:
		return []client.Scope{scope}, nil // its system hooks only
	}
	resolved, err := b.Resolve(ctx, scope)
	return []client.Scope{resolved}, err
}

// NewCmdPlan builds `integrations plan`.
func NewCmdPlan(f *cmdutil.Factory) *cobra.Command {
	o := newOptions(f)
	cmd := &cobra.Command{
		Use:   "plan -f FILE",
		Short: "Show what apply would change: per target create, update, disable or unchanged",
		Long: heredoc.Doc(`
			Validate a manifest against the catalog (errors name the file, line and field) and
			compare it with the backend: per scope and integration, create, update, disable or
			unchanged, field by field. A secret shows as "(set)" the first time, "(changed)" when
			it differs, and "(unset: env:NAME)" while its reference cannot be read; when references
			can be read now, an unchanged secret is recognised (through a fingerprint on GitLab).
			Integrations absent from the file are left alone unless --prune, which disables them
			within the file's scopes.

			Hooks are matched by name, or by URL when unnamed: create, update or unchanged, and
			with --prune the hooks a scope's hooks: list leaves out are removed. On GitLab a URL
			change clears a hook's token and custom headers; when the file lacks them, the change
			shows "(needed: add it to the file)" and apply refuses until it has them.
		`),
		Example: "$ integrations plan -f acme.yaml\n$ integrations plan -f acme.yaml --prune -o json",
		Args:    cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			rep, _, err := planFile(cmd.Context(), o, false)
			if err != nil {
				return err
			}
			if err := printPlan(o, rep); err != nil {
				return err
			}
			warnUnresolved(o)
			return nil
		},
	}
	addFileFlags(cmd, o)
	return cmd
}

// NewCmdApply builds `integrations apply`.
func NewCmdApply(f *cmdutil.Factory) *cobra.Command {
	o := newOptions(f)
	cmd := &cobra.Command{
		Use:   "apply -f FILE",
		Short: "Make the backend match a manifest",
		Long: heredoc.Doc(`
			Plan as plan does, then carry the writes out with the bulk executor: concurrency,
			retries, a journal, a per-target report. Secret references are resolved first; an
			unset one is an error before any write. It asks on a terminal and needs --yes
			otherwise. Applying the same file again changes nothing and says so.
		`),
		Example: "$ integrations apply -f acme.yaml\n$ INTEGRATIONS_GROUP_ACME_JIRA_PASSWORD=… integrations apply -f acme.yaml --yes -o json",
		Args:    cmdutil.MaxArgs(0),
		RunE:    func(cmd *cobra.Command, _ []string) error { return applyRun(cmd.Context(), o) },
	}
	addFileFlags(cmd, o)
	cmd.Flags().BoolVarP(&o.Yes, "yes", "y", false, "do not ask before writing")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "print the plan and write nothing (as plan does)")
	cmdutil.ConcurrencyFlag(cmd.Flags(), &o.Concurrency)
	return cmd
}

func addFileFlags(cmd *cobra.Command, o *options) {
	cmd.Flags().StringVarP(&o.File, "file", "f", "", "the manifest `FILE` (YAML; - reads stdin)")
	cmd.Flags().BoolVar(&o.Prune, "prune", false, "disable integrations set at the file's scopes but absent from it, and remove hooks a hooks: list leaves out")
}

// planFile reads, validates and (with resolve) resolves the manifest, then plans it.
func planFile(ctx context.Context, o *options, resolve bool) (*bulk.Report, client.Backend, error) {
	if o.File == "" {
		return nil, nil, cmdutil.FlagErrorf("which manifest? pass -f FILE")
	}
	name, raw, err := cmdutil.ReadInput(o.File, o.IO.In)
	if err != nil {
		return nil, nil, err
	}
	m, err := manifest.ReadAll(name, raw)
	if err != nil {
		return nil, nil, cmdutil.FlagErrorWrap(err)
	}
	entries := m.Entries
	resolver := cmdutil.Resolve
	if !resolve {
		// plan compares what it can read now and names the references it cannot read.
		resolver = func(v string) (string, error) {
			got, err := cmdutil.Resolve(v)
			if err == nil {
				return got, nil
			}
			why := v + " is not set"
			if !strings.HasPrefix(v, "env:") {
				why = err.Error()
			}
			if !slices.Contains(o.unresolved, why) {
				o.unresolved = append(o.unresolved, why)
			}
			return v, nil
		}
	}
	if err := manifest.Resolve(name, entries, resolver); err != nil {
		return nil, nil, cmdutil.FlagErrorWrap(err)
	}
	if err := manifest.ResolveHooks(name, m.Hooks, resolver); err != nil {
		return nil, nil, cmdutil.FlagErrorWrap(err)
	}
	b, err := o.Backend()
	if err != nil {
		return nil, nil, err
	}
	st, err := o.Store()
	if err != nil {
		return nil, nil, err
	}
	planner := &manifest.Planner{Backend: b, Fingerprints: st, File: name}
	rep, err := planner.Plan(ctx, entries, o.Prune)
	if err != nil {
		return nil, nil, err
	}
	hooks, needed, err := planner.PlanHooks(ctx, m, o.Prune)
	if err != nil {
		return nil, nil, err
	}
	rep.Targets = append(rep.Targets, hooks...)
	rep.Count()
	o.needed = needed
	return rep, b, nil
}

func applyRun(ctx context.Context, o *options) error {
	rep, b, err := planFile(ctx, o, !o.DryRun)
	if err != nil {
		return err
	}
	if o.DryRun {
		defer warnUnresolved(o)
		return printPlan(o, rep)
	}
	if len(o.needed) > 0 {
		more := ""
		if len(o.needed) > 1 {
			more = fmt.Sprintf(" (and %d more hook(s); plan lists them)", len(o.needed)-1)
		}
		return cmdutil.FlagErrorf("apply %s: %s%s", o.File, o.needed[0], more)
	}
	rep.RunID = bulk.NewRunID(time.Now())
	if rep.Writes() == 0 {
		fmt.Fprintf(o.IO.ErrOut, "Nothing to change: the %s already matches %s (%d entries)\n", where(b), o.File, len(rep.Targets))
		return output.Write(o.IO, *o.Output, rep, func(p *output.Printer) {})
	}
	summary := fmt.Sprintf("%d change(s) to the %s", rep.Writes(), where(b))
	if err := cmdutil.ConfirmOrYes(ctx, o.IO.CanPrompt(), o.Yes, func() cmdutil.Confirmer { return o.Prompter() },
		"apply "+o.File+": "+summary+". Go ahead?",
		"apply would make "+summary+": pass --yes to go ahead, or run plan to see them"); err != nil {
		return err
	}
	st, err := o.Store()
	if err != nil {
		return err
	}
	j, err := bulk.NewJournal(o.RunsDir, bulk.JournalDoc{RunID: rep.RunID, CreatedAt: time.Now().UTC(), Server: b.Capabilities().Server, Op: "apply"}, rep)
	if err != nil {
		return err
	}
	ex := &bulk.Executor{Backend: b, Fingerprints: st, Keeper: st, Concurrency: o.Concurrency, Journal: j}
	runErr := ex.Run(ctx, bulk.Spec{}, rep)
	if len(ex.Created) > 0 {
		fmt.Fprintf(o.IO.ErrOut, "Created %s in the local store\n", client.FormatScopes(ex.Created))
	}
	for _, t := range rep.Targets {
		t.Changes = nil
	}
	if err := output.WriteAfterWrite(o.IO, *o.Output, rep, func(p *output.Printer) { reportTable(p, rep) }); err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "apply %s: %d succeeded, %d failed, %d partial, %d unchanged; journal %s\n",
		rep.RunID, rep.Totals.Succeeded, rep.Totals.Failed, rep.Totals.Partial, rep.Totals.Skipped, j.Path())
	reportPartial(o.IO, rep)
	switch {
	case runErr != nil && ctx.Err() != nil:
		return forms.ErrCancelled
	case runErr != nil:
		return runErr
	case rep.Totals.Failed > 0 || rep.Totals.Partial > 0:
		return cmdutil.ErrSilent
	}
	return nil
}

// warnUnresolved names the references that plan could not read: the plan shows them as unset
// and apply will stop on them before writing anything.
func warnUnresolved(o *options) {
	for _, n := range o.needed {
		fmt.Fprintln(o.IO.ErrOut, "warning: apply will refuse: "+n.String())
	}
	if len(o.unresolved) == 0 {
		return
	}
	fmt.Fprintf(o.IO.ErrOut, "warning: apply will stop until %d reference(s) can be read:\n", len(o.unresolved))
	for _, u := range o.unresolved {
		fmt.Fprintln(o.IO.ErrOut, "  "+u)
	}
}

// reportPartial says, a line per target, what the server did not keep.
func reportPartial(ios *iostreams.IOStreams, rep *bulk.Report) {
	for _, t := range rep.Targets {
		if t.Result == bulk.Partial && t.Error != nil {
			fmt.Fprintf(ios.ErrOut, "%s: %s\n", t.Name, *t.Error)
		}
	}
}

func printPlan(o *options, rep *bulk.Report) error {
	return output.Write(o.IO, *o.Output, rep, func(p *output.Printer) {
		var rows [][]string
		for _, t := range rep.Targets {
			rows = append(rows, []string{t.Name, string(t.Action), change.Join(t.Changes)})
		}
		p.Table([]string{"target", "action", "changes"}, rows)
		if p.IsTTY() {
			p.Linef("")
			p.Linef("%d change(s), %d unchanged", rep.Writes(), len(rep.Targets)-rep.Writes())
		}
	})
}

func reportTable(p *output.Printer, rep *bulk.Report) {
	var rows [][]string
	for _, t := range rep.Targets {
		detail := t.Reason
		if t.Error != nil {
			detail = *t.Error
		}
		rows = append(rows, []string{t.Name, string(t.Action), t.Result, detail, fmt.Sprint(t.Attempts)})
	}
	p.Table([]string{"target", "action", "result", "detail", "attempts"}, rows)
}
