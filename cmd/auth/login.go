package auth

import (
	"context"
	"fmt"
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/auth"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/input"
	"github.com/forgekit/integrations/internal/iostreams"
	"github.com/spf13/cobra"
)

type loginOptions struct {
	IO       *iostreams.IOStreams
	Factory  *cmdutil.Factory
	Prompter func() forms.Prompter

	WithToken bool
}

func newCmdLogin(f *cmdutil.Factory, runF func(*loginOptions) error) *cobra.Command {
	opts := &loginOptions{IO: f.IOStreams, Factory: f, Prompter: f.Prompter}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Store a token for a GitLab host, after checking it",
		Long: heredoc.Doc(`
			Read a personal access token (scope api, role Maintainer or more on the groups and
			projects to change) from a masked prompt, or from stdin with --with-token, check it
			against the server, and store it in the OS keyring. Where no keyring service runs (CI,
			servers), it goes to the config file with mode 0600, and the command says so.
		`),
		Example: heredoc.Doc(`
			$ integrations auth login --host gitlab.example.com
			$ integrations auth login --host gitlab.example.com --with-token < token.txt
		`),
		Args: cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return loginRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.WithToken, "with-token", false, "read the token from stdin")
	return cmd
}

func loginRun(ctx context.Context, o *loginOptions) error {
	cfg, h, err := host(o.Factory)
	if err != nil {
		return err
	}
	token, err := readToken(ctx, o, h)
	if err != nil {
		return err
	}
	c, err := cmdutil.OpenGitLabWithToken(cfg, o.IO, h, token)
	if err != nil {
		return err
	}
	user, err := c.CurrentUser(ctx)
	if err != nil {
		return fmt.Errorf("checking the token with %s: %w", c.Where(), err)
	}
	where, err := auth.Store(cfg, c.Host(), token)
	if err != nil {
		return fmt.Errorf("storing the token: %w", err)
	}
	switch where {
	case auth.Keyring:
		fmt.Fprintf(o.IO.ErrOut, "✓ Logged in to %s as %s; the token is in the OS keyring\n", c.Host(), user.Username)
	default:
		fmt.Fprintf(o.IO.ErrOut, "✓ Logged in to %s as %s; no keyring service is running, so the token is in %s (mode 0600)\n",
			c.Host(), user.Username, cfg.Path())
	}
	return nil
}

func readToken(ctx context.Context, o *loginOptions, h string) (string, error) {
	if o.WithToken || !o.IO.IsStdinTTY() {
		raw, err := input.ReadAll(o.IO.In, 64<<10)
		if err != nil {
			return "", cmdutil.FlagErrorf("reading the token from stdin: %v", err)
		}
		if t := strings.TrimSpace(string(raw)); t != "" {
			return t, nil
		}
		return "", cmdutil.FlagErrorf("no token on stdin")
	}
	if !o.IO.CanPrompt() {
		return "", cmdutil.FlagErrorf("no terminal to ask for the token: pipe it in with --with-token")
	}
	t, err := o.Prompter().Password(ctx, "Personal access token for "+h+" (scope api)")
	if err != nil {
		return "", err
	}
	if t = strings.TrimSpace(t); t == "" {
		return "", cmdutil.FlagErrorf("no token given")
	}
	return t, nil
}
