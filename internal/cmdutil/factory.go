package cmdutil

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/forgekit/integrations/internal/auth"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/client/gitlab"
	"github.com/forgekit/integrations/internal/client/local"
	"github.com/forgekit/integrations/internal/config"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/iostreams"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/pflag"
)

// Factory builds what commands need, lazily: nothing is read or opened until a command asks, so
// help, completion and docs stay offline.
type Factory struct {
	IOStreams  *iostreams.IOStreams
	AppVersion string
	// Output holds the global -o/--jq flags.
	Output *output.Options
	// Config loads the configuration once flags are parsed.
	Config func() (*config.Config, error)
	// Backend opens the local store or connects to GitLab, once.
	Backend func() (client.Backend, error)
	// Store opens the local store, whichever backend is in use: it keeps request logs and the
	// copies of server settings that GitLab's DELETE erases.
	Store func() (*local.Store, error)
	// Prompter returns the terminal prompter when prompting is possible, NoPrompt otherwise.
	Prompter func() forms.Prompter
	// Accessible asks forms for plain, screen-reader friendly prompts.
	Accessible bool
	// Deadline is the run's deadline (--timeout) once flags are parsed; zero means none.
	Deadline time.Duration

	closers []func() error
}

// New builds the Factory for a real run. flags are the root's persistent flags.
func New(version string, flags *pflag.FlagSet) *Factory {
	f := &Factory{IOStreams: iostreams.System(), AppVersion: version, Output: &output.Options{}}
	f.Config = memo(func() (*config.Config, error) { return config.Load(flags) })
	f.Store = memo(func() (*local.Store, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		wait, err := cfg.LockTimeout()
		if err != nil {
			return nil, err
		}
		s, err := local.OpenLazy(context.Background(), cfg.StorePath(), local.WithLockTimeout(wait))
		if err == nil {
			f.closers = append(f.closers, s.Close)
		}
		return s, err
	})
	f.Backend = memo(func() (client.Backend, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		if cfg.Host() == "" {
			s, err := f.Store()
			if err != nil {
				return nil, err
			}
			return s, nil
		}
		return OpenGitLab(cfg, f.IOStreams, cfg.Host())
	})
	f.Prompter = func() forms.Prompter {
		if !f.IOStreams.CanPrompt() {
			return forms.NoPrompt{}
		}
		return forms.NewTerminal(f.IOStreams.In, f.IOStreams.ErrOut, f.Accessible)
	}
	return f
}

// OpenGitLab connects to the GitLab server at host with its per-host settings and the token from
// the environment, the config file or the keyring. On a terminal it names the server on stderr.
func OpenGitLab(cfg *config.Config, ios *iostreams.IOStreams, host string) (*gitlab.Client, error) {
	_, key, err := gitlab.NormalizeHost(host)
	if err != nil {
		return nil, err
	}
	token, _ := auth.Token(cfg, key)
	return OpenGitLabWithToken(cfg, ios, host, token)
}

// OpenGitLabWithToken is OpenGitLab with a given token (auth login checks a new one).
func OpenGitLabWithToken(cfg *config.Config, ios *iostreams.IOStreams, host, token string) (*gitlab.Client, error) {
	_, key, err := gitlab.NormalizeHost(host)
	if err != nil {
		return nil, err
	}
	hs := cfg.Hosts(key)
	opts := []gitlab.Option{gitlab.WithCAFile(hs.CAFile), gitlab.WithSkipVerify(hs.SkipVerify), gitlab.WithNotices(ios.ErrOut)}
	if cfg.Debug() {
		opts = append(opts, gitlab.WithDebug(ios.ErrOut))
	}
	if hs.SkipVerify {
		fmt.Fprintf(ios.ErrOut, "WARNING: TLS certificate verification is off for %s (skip_verify in %s); anyone on the network path can read the token\n", key, cfg.Path())
	}
	c, err := gitlab.New(host, token, opts...)
	if err != nil {
		return nil, err
	}
	if ios.IsStderrTTY() {
		fmt.Fprintf(ios.ErrOut, "Using GitLab at %s\n", c.Where())
	}
	return c, nil
}

// OnClose has Close call fn.
func (f *Factory) OnClose(fn func()) {
	f.closers = append(f.closers, func() error { fn(); return nil })
}

// Close releases what the Factory opened.
func (f *Factory) Close() {
	for _, c := range f.closers {
		_ = c()
	}
}

func memo[T any](fn func() (T, error)) func() (T, error) {
	var once sync.Once
	var v T
	var err error
	return func() (T, error) {
		once.Do(func() { v, err = fn() })
		return v, err
	}
}
