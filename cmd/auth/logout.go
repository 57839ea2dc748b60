package auth

import (
	"fmt"

	"github.com/forgekit/integrations/internal/auth"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/iostreams"
	"github.com/spf13/cobra"
)

type logoutOptions struct {
	IO      *iostreams.IOStreams
	Factory *cmdutil.Factory
}

func newCmdLogout(f *cmdutil.Factory, runF func(*logoutOptions) error) *cobra.Command {
	opts := &logoutOptions{IO: f.IOStreams, Factory: f}
	return &cobra.Command{
		Use:   "logout",
		Short: "Remove the stored token for a GitLab host (keyring and config file)",
		Args:  cmdutil.MaxArgs(0),
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return logoutRun(opts)
		},
	}
}

func logoutRun(o *logoutOptions) error {
	cfg, h, err := host(o.Factory)
	if err != nil {
		return err
	}
	key, err := cmdutil.HostKey(h)
	if err != nil {
		return err
	}
	removed, err := auth.Forget(cfg, key)
	if err != nil {
		return err
	}
	if removed {
		fmt.Fprintf(o.IO.ErrOut, "✓ Removed the stored token for %s\n", key)
	} else {
		fmt.Fprintf(o.IO.ErrOut, "No stored token for %s\n", key)
	}
	return nil
}
