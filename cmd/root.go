package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/cmd/auth"
	"github.com/forgekit/integrations/cmd/bulk"
	"github.com/forgekit/integrations/cmd/doctor"
	"github.com/forgekit/integrations/cmd/hooks"
	"github.com/forgekit/integrations/cmd/integration"
	"github.com/forgekit/integrations/cmd/manifest"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// NewRoot builds the command tree with a Factory for a real run.
func NewRoot(version string) (*cobra.Command, *cmdutil.Factory) {
	root := &cobra.Command{Use: "integrations"}
	f := cmdutil.New(version, root.PersistentFlags())
	NewCmdRoot(f, root)
	return root, f
}

// NewCmdRoot fills root with the global flags and every command. Docs generation and tests call
// it with a Factory of their own.
func NewCmdRoot(f *cmdutil.Factory, root *cobra.Command) *cobra.Command {
	root.Use = "integrations <command>"
	root.Short = "Manage forge integrations: Slack, Jira, Datadog, Jenkins and every other kind GitLab offers"
	root.Long = heredoc.Doc(`
		Manage forge integrations the way GitLab models them: a catalog of integration kinds, each
		with its fields and trigger events, set at the instance, a group or a project, inherited
		from parent to child.

		Without a host, commands work on the embedded local store (zero setup). With --host or
		GITLAB_HOST they work on a GitLab server through its REST API.
	`)
	root.Example = heredoc.Doc(`
		$ integrations list
		$ integrations show slack -p acme/web
		$ integrations events jira
	`)
	root.SilenceErrors = true
	root.SilenceUsage = true
	root.Version = versionString(f.AppVersion)
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return cmdutil.WithHint(cmdutil.FlagParseError(err), flagHint(cmd, err))
	})
	root.CompletionOptions.DisableDefaultCmd = true

	pf := root.PersistentFlags()
	pf.String("host", "", "GitLab `URL`; selects the GitLab backend (env GITLAB_HOST, INTEGRATIONS_HOST)")
	pf.Bool("local", false, "use the local store even when a host is configured")
	pf.String("store", "", "local store `PATH` (env INTEGRATIONS_STORE; default $XDG_DATA_HOME/integrations/store.db)")
	pf.String("config", "", "config file `PATH` (default $XDG_CONFIG_HOME/integrations/config.yaml)")
	pf.Bool("no-input", false, "never prompt; fail when input is missing")
	pf.String("lock-timeout", "", "wait at most `DURATION` for another process using the local store (env INTEGRATIONS_LOCK_TIMEOUT; default 10s)")
	pf.Bool("debug", false, "print a redacted HTTP trace on stderr")
	pf.String("timeout", "", "stop the run after `DURATION`, such as 30s or 10m (env INTEGRATIONS_TIMEOUT; default none: each request has its own timeouts)")
	pf.BoolVar(&f.Accessible, "accessible", false, "plain prompts for screen readers (env INTEGRATIONS_ACCESSIBLE)")
	var format string
	cmdutil.EnumFlag(root, pf, &format, "output", "o", string(output.Table), output.Formats, "output format")
	pf.StringVar(&f.Output.JQ, "jq", "", "filter JSON output with a jq `EXPRESSION` (implies -o json)")

	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if f.TuneMemory != nil {
			f.TuneMemory(manyTargets(cmd))
		}
		if err := cmdutil.RefuseEmptyLists(cmd.Flags()); err != nil {
			return err
		}
		f.Output.Format = output.Format(format)
		if err := f.Output.Validate(); err != nil {
			return cmdutil.FlagErrorWrap(err)
		}
		if noInput, _ := cmd.Flags().GetBool("no-input"); noInput {
			f.IOStreams.SetNeverPrompt(true)
		}
		cfg, err := f.Config()
		if err != nil && !needsConfig(cmd) {
			// Printing the version, help or completions must not die on a broken file: tab
			// completion would fail silently. Say so once and go on without it.
			fmt.Fprintln(f.IOStreams.ErrOut, "warning: config ignored: "+oneLine(err.Error()))
			return nil
		}
		if err != nil {
			return err
		}
		if cfg.NoInput() {
			f.IOStreams.SetNeverPrompt(true)
		}
		return runDeadline(cmd, f)
	}

	root.AddCommand(
		integration.NewCmdList(f, nil),
		integration.NewCmdShow(f, nil),
		integration.NewCmdEvents(f, nil),
		integration.NewCmdConfigure(f, nil),
		integration.NewCmdEnable(f, nil),
		integration.NewCmdDisable(f, nil),
		integration.NewCmdTest(f, nil),
		integration.NewCmdLogs(f, nil),
		hooks.NewCmdHooks(f),
		doctor.NewCmdDoctor(f, nil),
		auth.NewCmdAuth(f),
		bulk.NewCmdBulk(f),
		manifest.NewCmdExport(f),
		manifest.NewCmdPlan(f),
		manifest.NewCmdApply(f),
		newCmdVersion(f),
		newCmdCompletion(f),
	)
	return root
}

// needsConfig is false for the commands that work without the config file: version, help and
// the completion scripts, cobra's hidden __complete included.
func needsConfig(cmd *cobra.Command) bool {
	for c := cmd; c != nil; c = c.Parent() {
		switch c.Name() {
		case "version", "help", "completion", cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd:
			return false
		}
	}
	return true
}

// manyTargets are the commands whose runs may keep a record for each of tens of thousands of
// targets.
func manyTargets(cmd *cobra.Command) bool {
	for c := cmd; c != nil; c = c.Parent() {
		switch c.Name() {
		case "bulk", "export", "plan", "apply":
			return true
		}
	}
	return false
}

// flagHint names the flag a mistyped one probably meant, among those the command takes.
func flagHint(cmd *cobra.Command, err error) string {
	typed, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return ""
	}
	var names []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	cmd.InheritedFlags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	if s := integrations.Closest(typed, names); s != "" {
		return fmt.Sprintf("did you mean --%s?", s)
	}
	return fmt.Sprintf("see '%s --help' for its flags", cmd.CommandPath())
}

// runDeadline gives the run the deadline the user set, if any.
func runDeadline(cmd *cobra.Command, f *cmdutil.Factory) error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	d, err := cfg.Timeout()
	if err != nil || d == 0 {
		return err
	}
	f.Deadline = d
	ctx, cancel := context.WithTimeout(cmd.Context(), d)
	f.OnClose(cancel)
	cmd.SetContext(ctx)
	return nil
}
