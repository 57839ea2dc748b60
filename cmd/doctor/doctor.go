// Package doctor holds `integrations doctor`: one report of what is broken below a scope, and
// --fix for the hooks GitLab disabled.
package doctor

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/bulk"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/doctor"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/iostreams"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
)

type options struct {
	IO       *iostreams.IOStreams
	Backend  func() (client.Backend, error)
	Store    func() (cmdutil.Store, error)
	Prompter func() forms.Prompter
	Output   *output.Options

	ScopeFlags  cmdutil.ScopeFlags
	Archived    bool
	Concurrency int
	Fix         bool
	Yes         bool

	scope client.Scope
}

// NewCmdDoctor builds `integrations doctor`.
func NewCmdDoctor(f *cmdutil.Factory, runF func(*options) error) *cobra.Command {
	o := &options{IO: f.IOStreams, Backend: f.Backend, Store: f.Store, Prompter: f.Prompter, Output: f.Output, Concurrency: 8}
	cmd := &cobra.Command{
		Use:   "doctor (-p PROJECT | -g GROUP | --instance)",
		Short: "Report what is broken below a scope: disabled or failing hooks, obsolete integrations, unset secrets",
		Long: heredoc.Doc(`
			Check a project, a group with its subgroups and projects, or the instance's own
			settings and system hooks (--instance), and report what needs attention:

			- webhooks GitLab disabled, or paused after failed deliveries (alert_status,
			  disabled_until);
			- hooks and integrations whose latest deliveries failed (GitLab's hook event log, and
			  the request log of integrations test);
			- integrations GitLab removed or deprecates (Slack notifications among them), and
			  addresses the receiving service retired, such as the Microsoft Teams connector URLs
			  Microsoft retired in 2026;
			- required secrets that are not set, and URL variables a hook's URL needs.

			Exit status 0 when all is well, 1 when something needs attention. What cannot be
			checked (a secret GitLab never returns, hooks the token may not read) is listed as
			unchecked and does not change the exit status. --fix re-enables the disabled hooks by
			testing them, GitLab's only way, after showing the plan and asking (--yes when not on
			a terminal); tests keep within GitLab's limit of 5 a minute per project or group.
		`),
		Example: heredoc.Doc(`
			$ integrations doctor -g acme
			$ integrations doctor -p acme/web -o json --jq '.findings[] | select(.kind == "hook")'
			$ integrations doctor -g acme --fix
		`),
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return run(cmd.Context(), o)
		},
	}
	cmdutil.AddScopeFlags(cmd, &o.ScopeFlags)
	fl := cmd.Flags()
	fl.BoolVar(&o.Archived, "include-archived", false, "check archived projects too")
	cmdutil.ConcurrencyFlag(fl, &o.Concurrency)
	fl.BoolVar(&o.Fix, "fix", false, "re-enable disabled hooks by testing them")
	fl.BoolVarP(&o.Yes, "yes", "y", false, "with --fix, do not ask before testing")
	return cmd
}

func (o *options) validate() error {
	s, err := o.ScopeFlags.Scope()
	if err != nil {
		return err
	}
	if s.IsZero() {
		return cmdutil.FlagErrorf("doctor needs a scope: -p PROJECT, -g GROUP (and everything below it) or --instance")
	}
	if o.Yes && !o.Fix {
		return cmdutil.FlagErrorf("--yes goes with --fix")
	}
	if o.Fix && !o.Yes && !o.IO.CanPrompt() {
		return cmdutil.FlagErrorf("doctor --fix tests hooks on the server: pass --yes to go ahead without a terminal")
	}
	o.scope = s
	return nil
}

func run(ctx context.Context, o *options) error {
	b, err := o.Backend()
	if err != nil {
		return err
	}
	root, err := b.Resolve(ctx, o.scope)
	if err != nil {
		return err
	}
	d, err := newDoctor(ctx, o, b)
	if err != nil {
		return err
	}
	scopes, err := examine(ctx, o, b, d, root)
	if err != nil {
		return err
	}
	rep := doctor.NewReport(root, scopes)
	if o.Fix {
		if err := repair(ctx, o, b, d, rep); err != nil {
			return err
		}
	}
	if err := output.Write(o.IO, *o.Output, rep, func(p *output.Printer) { printFindings(p, rep) }); err != nil {
		return err
	}
	if o.IO.IsStderrTTY() && !o.Output.IsJSON() {
		if !rep.OK {
			fmt.Fprintln(o.IO.ErrOut)
		}
		output.Status(o.IO).Paragraph(summary(rep))
	}
	if !rep.OK {
		return cmdutil.ErrSilent
	}
	return nil
}

// newDoctor gives the checks what the backend offers to read.
func newDoctor(ctx context.Context, o *options, b client.Backend) (*doctor.Doctor, error) {
	store, err := o.Store()
	if err != nil {
		return nil, err
	}
	d := &doctor.Doctor{Backend: b, IntegrationLog: store, Waiting: func(s client.Scope, w time.Duration) {
		fmt.Fprintf(o.IO.ErrOut, "waiting %s for the test limit at %s\n", w.Round(time.Second), s.Describe())
	}}
	if h, ok := b.(client.Hooks); ok {
		d.Hooks = h
	}
	if hd, ok := b.(client.HookDeliveries); ok {
		d.HookLog = hd
	}
	if o.scope.Level == integrations.Group {
		if _, ok := b.(client.Walker); !ok {
			return nil, fmt.Errorf("%s cannot list groups and projects", b.Where())
		}
		srv := b.APIServer(ctx)
		d.GroupIntegrations = srv == nil || srv.GroupAPI()
	}
	return d, nil
}

// examine checks the scope, and below a group every subgroup and project, reading several at
// a time as bulk status does.
func examine(ctx context.Context, o *options, b client.Backend, d *doctor.Doctor, root client.Scope) ([]doctor.ScopeReport, error) {
	if root.Level != integrations.Group {
		sr, err := d.Examine(ctx, root, true)
		return []doctor.ScopeReport{sr}, err
	}
	w, _ := b.(client.Walker)
	opts := client.WalkOptions{Subgroups: true, Groups: true, Archived: o.Archived}
	all := func(client.Namespace) bool { return true }
	return bulk.ReadBelow(ctx, w, []client.Scope{root}, opts, o.Concurrency, all, func(ctx context.Context, ns client.Namespace) (doctor.ScopeReport, error) {
		return d.Examine(ctx, ns.Scope, ns.Scope.String() == root.String())
	})
}

func repair(ctx context.Context, o *options, b client.Backend, d *doctor.Doctor, rep *doctor.Report) error {
	plan := rep.PlanRepairs()
	if len(plan) == 0 {
		rep.Repairs = plan
		return nil
	}
	t, ok := b.(doctor.HookTester)
	if !ok {
		return fmt.Errorf("%s cannot test hooks, so doctor --fix cannot re-enable them", b.Where())
	}
	took := ""
	if n, per := t.DeliveryLimit(); doctor.PlanWait(plan, n, per) > 0 {
		took = fmt.Sprintf("; %s allows %d tests per %s at a project or group, so this takes at least %s", b.Where(), n, per, doctor.PlanWait(plan, n, per))
	}
	fmt.Fprintf(o.IO.ErrOut, "To re-enable %d hook(s), doctor sends each a test event%s:\n", len(plan), took)
	for _, rp := range plan {
		fmt.Fprintf(o.IO.ErrOut, "  test hook %d (%s) at %s with %s\n", rp.HookID, rp.Name, rp.Scope, event(rp))
	}
	err := cmdutil.ConfirmOrYes(ctx, o.IO.CanPrompt(), o.Yes, func() cmdutil.Confirmer { return o.Prompter() },
		fmt.Sprintf("Send %d test event(s) on %s?", len(plan), b.Where()),
		"doctor --fix would send test events: pass --yes to go ahead")
	if err != nil {
		return err
	}
	return d.Repair(ctx, t, rep, plan, func(rp doctor.Repair) {
		if rp.Result == doctor.RepairFixed {
			fmt.Fprintf(o.IO.ErrOut, "✓ Re-enabled hook %d (%s) at %s\n", rp.HookID, rp.Name, rp.Scope)
			return
		}
		fmt.Fprintf(o.IO.ErrOut, "✗ Hook %d (%s) at %s is still disabled: %s\n", rp.HookID, rp.Name, rp.Scope, *rp.Error)
	})
}

func event(rp doctor.Repair) string {
	if rp.Event == nil {
		return "its test"
	}
	return "a " + *rp.Event + " event"
}

// printFindings writes a line per finding for scripts; on a terminal, each finding's problem
// and fix in full, wrapped to its width.
func printFindings(p *output.Printer, rep *doctor.Report) {
	if !p.IsTTY() {
		rows := make([][]string, len(rep.Findings))
		for i, f := range rep.Findings {
			rows[i] = []string{f.Scope, f.Kind, findingName(f), f.Check, f.Problem, f.Fix}
		}
		p.Table(nil, rows)
		return
	}
	for i, f := range rep.Findings {
		if i > 0 {
			p.Linef("")
		}
		p.Paragraph(fmt.Sprintf("✗ %s  %s %s  %s", f.Scope, f.Kind, findingName(f), f.Check))
		p.Indented("  ", f.Problem)
		p.Indented("  ", "fix: "+f.Fix)
	}
	for _, u := range rep.Unchecked {
		p.Indented("", "not checked: "+u)
	}
}

func findingName(f doctor.Finding) string {
	if f.HookID == nil {
		return f.Name
	}
	return strconv.FormatInt(*f.HookID, 10) + " " + f.Name
}

func summary(rep *doctor.Report) string {
	c := rep.Checked
	checked := fmt.Sprintf("%d scope(s), %d integration(s), %d hook(s) checked", c.Scopes, c.Integrations, c.Hooks)
	if rep.OK {
		return "✓ Nothing needs attention: " + checked
	}
	return fmt.Sprintf("%d problem(s) need attention: %s", len(rep.Findings), checked)
}
