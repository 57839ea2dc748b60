// Package auth holds `integrations auth login|status|logout`.
package auth

import (
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/config"
	"github.com/spf13/cobra"
)

// NewCmdAuth groups the auth verbs.
func NewCmdAuth(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth <command>",
		Short: "Log in to a GitLab server, check the token, log out",
		Long: "A token comes from GITLAB_TOKEN, the config file (mode 0600) or the OS keyring, in that order.\n" +
			"It is never taken as an argument and never printed. The host comes from --host, GITLAB_HOST,\n" +
			"INTEGRATIONS_HOST or the config file's host key.",
	}
	cmd.AddCommand(newCmdLogin(f, nil), newCmdStatus(f, nil), newCmdLogout(f, nil))
	return cmd
}

// host is the configured GitLab host, required by every auth verb.
func host(f *cmdutil.Factory) (*config.Config, string, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, "", err
	}
	h := cfg.Host()
	if h == "" {
		return nil, "", cmdutil.FlagErrorf("which GitLab? pass --host https://gitlab.example.com (or set GITLAB_HOST)")
	}
	return cfg, h, nil
}
