package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/forgekit/integrations/internal/auth"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/iostreams"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
)

type statusOptions struct {
	IO      *iostreams.IOStreams
	Factory *cmdutil.Factory
	Output  *output.Options
}

type statusView struct {
	Host        string   `json:"host"`
	User        string   `json:"user"`
	TokenSource string   `json:"token_source"`
	Scopes      []string `json:"scopes"`
	ExpiresAt   *string  `json:"expires_at"`
	CanWrite    *bool    `json:"can_write"`
	Version     string   `json:"version"`
}

func newCmdStatus(f *cmdutil.Factory, runF func(*statusOptions) error) *cobra.Command {
	opts := &statusOptions{IO: f.IOStreams, Factory: f, Output: f.Output}
	return &cobra.Command{
		Use:   "status",
		Short: "Show who the token belongs to, its scopes and expiry, and whether it can write",
		Args:  cmdutil.MaxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return statusRun(cmd.Context(), opts)
		},
	}
}

func statusRun(ctx context.Context, o *statusOptions) error {
	cfg, h, err := host(o.Factory)
	if err != nil {
		return err
	}
	c, err := cmdutil.OpenGitLab(cfg, o.IO, h)
	if err != nil {
		return err
	}
	token, source := auth.Token(cfg, c.Host())
	if token == "" {
		return fmt.Errorf("%w: no token for %s", client.ErrUnauthorized, c.Host())
	}
	user, err := c.CurrentUser(ctx)
	if err != nil {
		return err
	}
	v := statusView{Host: c.Host(), User: user.Username, TokenSource: string(source), Scopes: []string{}, Version: c.Version(ctx)}
	info, ok, err := c.Token(ctx)
	if err != nil {
		return err
	}
	if ok {
		v.Scopes, v.ExpiresAt = info.Scopes, info.ExpiresAt
		canWrite := slices.Contains(info.Scopes, "api")
		v.CanWrite = &canWrite
	}
	return output.Write(o.IO, *o.Output, v, func(p *output.Printer) {
		p.Linef("%s (GitLab %s)", v.Host, v.Version)
		p.Linef("  logged in as %s; token from %s", v.User, v.TokenSource)
		if !ok {
			p.Linef("  not a personal access token: scopes and expiry unknown")
			return
		}
		expires := "never"
		if v.ExpiresAt != nil {
			expires = *v.ExpiresAt
		}
		p.Linef("  scopes: %s; expires: %s", strings.Join(v.Scopes, ", "), expires)
		if !*v.CanWrite {
			p.Linef("  WARNING: without the api scope this token can read but not change integrations")
		}
	})
}
