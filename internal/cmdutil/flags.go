package cmdutil

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/forgekit/integrations/internal/quote"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// ScopeFlags are -p/--project, -g/--group and --instance; at most one may be given.
type ScopeFlags struct {
	Project  string
	Group    string
	Instance bool
}

// AddScopeFlags registers the scope flags on cmd.
func AddScopeFlags(cmd *cobra.Command, s *ScopeFlags) {
	cmd.Flags().StringVarP(&s.Project, "project", "p", "", "project `PATH|ID`")
	cmd.Flags().StringVarP(&s.Group, "group", "g", "", "group `PATH|ID`")
	cmd.Flags().BoolVar(&s.Instance, "instance", false, "the whole instance")
	_ = cmd.RegisterFlagCompletionFunc("project", CompleteScopes(integrations.Project))
	_ = cmd.RegisterFlagCompletionFunc("group", CompleteScopes(integrations.Group))
}

// completeScopes completes project or group paths from the local store named by --store,
// INTEGRATIONS_STORE or the default path. It reads an existing store only: completion never
// creates files and never touches the network.
func CompleteScopes(level integrations.Level) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		s, ok := ExistingStore(cmd)
		if !ok {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		defer s.Close()
		paths, _ := s.Paths(cmd.Context(), level, prefix, 200)
		return paths, cobra.ShellCompDirectiveNoFileComp
	}
}

// Scope parses the flags; the zero Scope means none was given.
func (s ScopeFlags) Scope() (client.Scope, error) {
	n := 0
	for _, given := range []bool{s.Project != "", s.Group != "", s.Instance} {
		if given {
			n++
		}
	}
	if n > 1 {
		return client.Scope{}, FlagErrorf("give at most one of -p/--project, -g/--group and --instance")
	}
	var sc client.Scope
	var err error
	switch {
	case s.Project != "":
		sc, err = client.ParseScope(integrations.Project, s.Project)
	case s.Group != "":
		sc, err = client.ParseScope(integrations.Group, s.Group)
	case s.Instance:
		sc = client.InstanceScope
	}
	if err != nil {
		return sc, FlagErrorWrap(err)
	}
	return sc, nil
}

// enumValue is a string flag restricted to a set of values.
type enumValue struct {
	value   *string
	allowed []string
}

func (e *enumValue) String() string { return *e.value }
func (e *enumValue) Type() string   { return "string" }
func (e *enumValue) Set(v string) error {
	for _, a := range e.allowed {
		if v == a {
			*e.value = v
			return nil
		}
	}
	return fmt.Errorf("valid values are %s", strings.Join(e.allowed, ", "))
}

// EnumFlag registers a flag that accepts only allowed values, with shell completion for them.
func EnumFlag(cmd *cobra.Command, fs *pflag.FlagSet, p *string, name, short, def string, allowed []string, usage string) {
	*p = def
	fs.VarP(&enumValue{value: p, allowed: allowed}, name, short, fmt.Sprintf("%s: {%s}", usage, strings.Join(allowed, "|")))
	_ = cmd.RegisterFlagCompletionFunc(name, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return allowed, cobra.ShellCompDirectiveNoFileComp
	})
}

// ExactArgs is cobra.ExactArgs reporting a usage error (exit 2) that names what is missing.
func ExactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return FlagErrorf("%s: missing %s", cmd.CommandPath(), what)
		}
		if len(args) > n {
			return FlagErrorf("%s: unexpected argument %s", cmd.CommandPath(), quote.Value(args[n]))
		}
		return nil
	}
}

// MaxArgs is cobra.MaximumNArgs reporting a usage error.
func MaxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return FlagErrorf("%s: unexpected argument %s", cmd.CommandPath(), quote.Value(args[n]))
		}
		return nil
	}
}

// CompleteIntegrationNames completes the first argument from the catalog; it never touches a
// store or the network.
func CompleteIntegrationNames(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, d := range integrations.Catalog() {
		if !d.Removed() && strings.HasPrefix(d.Name, toComplete) {
			out = append(out, d.Name+"\t"+d.Title)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// MaxConcurrency is the most writes a run makes at a time.
const MaxConcurrency = 64

// concurrencyValue is --concurrency: a whole number from 1 to MaxConcurrency, checked when the
// flag is parsed, so every command that takes it refuses the same values the same way.
type concurrencyValue struct{ n *int }

func (c concurrencyValue) String() string { return strconv.Itoa(*c.n) }
func (c concurrencyValue) Type() string   { return "int" }
func (c concurrencyValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > MaxConcurrency {
		return fmt.Errorf("want a whole number from 1 to %d", MaxConcurrency)
	}
	*c.n = n
	return nil
}

// ConcurrencyFlag registers --concurrency N (default 8) on fs: the most requests a run has in
// flight at once, reads and writes alike. What the user gives is what the run does.
func ConcurrencyFlag(fs *pflag.FlagSet, p *int) {
	*p = 8
	fs.Var(concurrencyValue{p}, "concurrency", fmt.Sprintf("`N` requests at a time, 1 to %d", MaxConcurrency))
}
