package cmdutil

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/forgekit/integrations/internal/auth"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/client/gitlab"
	"github.com/forgekit/integrations/internal/client/local"
	"github.com/forgekit/integrations/internal/config"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/iostreams"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
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
	Store func() (Store, error)
	// Prompter returns the terminal prompter when prompting is possible, NoPrompt otherwise.
	Prompter func() forms.Prompter
	// Accessible asks forms for plain, screen-reader friendly prompts.
	Accessible bool
	// Deadline is the run's deadline (--timeout) once flags are parsed; zero means none.
	Deadline time.Duration
	// FitCPUs gives a run that waits on a server the CPUs its requests need (FitCPUs in
	// runtime.go); nil leaves the process as it is, as tests, which share theirs, want.
	FitCPUs func(concurrency int)
	// TuneMemory sets the collector for the command about to run (TuneMemory in runtime.go);
	// nil, as for FitCPUs, leaves it.
	TuneMemory func(manyTargets bool)

	closers []func() error
}

// Store is what the local store keeps beside settings, whichever backend is in use:
// fingerprints of the secrets written, copies of the settings a server erases, request logs.
// Commands take the part they need.
type Store interface {
	SecretsUnchanged(ctx context.Context, server, scope, integration string, secrets map[string]string) (bool, error)
	SecretsMatcher(ctx context.Context, server, integration string) (func(scope, field, value string) bool, error)
	RecordSecretsBatch(ctx context.Context, recs []client.SecretRecord) error
	KeepSettings(ctx context.Context, host string, def integrations.Definition, st client.State) error
	KeptSettings(ctx context.Context, host string, scope client.Scope, name string) (client.Kept, bool, error)
	ForgetSettings(ctx context.Context, host string, scope client.Scope, name string) error
	AddLogs(ctx context.Context, entries []client.LogEntry) error
	Logs(ctx context.Context, server, scope, integration string, limit int, failedOnly bool) ([]client.LogEntry, error)
}

// New builds the Factory for a real run. flags are the root's persistent flags. This is the one
// place that knows the concrete backends; everything else speaks client.Backend and Store.
func New(version string, flags *pflag.FlagSet) *Factory {
	f := &Factory{
		IOStreams: iostreams.System(), AppVersion: version, Output: &output.Options{},
		FitCPUs: FitCPUs, TuneMemory: TuneMemory,
	}
	f.Config = memo(func() (*config.Config, error) { return config.Load(flags) })
	store := memo(func() (*local.Store, error) {
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
	f.Store = func() (Store, error) {
		s, err := store()
		if err != nil {
			return nil, err // not a Store holding a nil *local.Store
		}
		return s, nil
	}
	f.Backend = memo(func() (client.Backend, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		if cfg.Host() == "" {
			s, err := store()
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

// GitLab is a connection to a GitLab server: its Backend, and the account its token opens,
// which auth checks.
type GitLab interface {
	client.Backend
	// Host is the server's host key.
	Host() string
	CurrentUser(ctx context.Context) (client.User, error)
	// Token describes the token; ok is false for tokens that are not personal access tokens.
	Token(ctx context.Context) (info client.TokenInfo, ok bool, err error)
	// Version is the server's version as it reports it, or "unknown".
	Version(ctx context.Context) string
}

// OpenGitLab connects to the GitLab server at host with its per-host settings and the token from
// the environment, the config file or the keyring. On a terminal it names the server on stderr.
func OpenGitLab(cfg *config.Config, ios *iostreams.IOStreams, host string) (GitLab, error) {
	_, key, err := gitlab.NormalizeHost(host)
	if err != nil {
		return nil, err
	}
	token, _ := auth.Token(cfg, key)
	return OpenGitLabWithToken(cfg, ios, host, token)
}

// OpenGitLabWithToken is OpenGitLab with a given token (auth login checks a new one).
func OpenGitLabWithToken(cfg *config.Config, ios *iostreams.IOStreams, host, token string) (GitLab, error) {
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

// HostKey is the name a GitLab host's token and settings are kept under ("gitlab.example.com").
func HostKey(host string) (string, error) {
	_, key, err := gitlab.NormalizeHost(host)
	return key, err
}

// CompletionStore is what shell completion reads from the local store.
type CompletionStore interface {
	Paths(ctx context.Context, level integrations.Level, prefix string, limit int) ([]string, error)
	ListHooks(ctx context.Context, s client.Scope) ([]client.Hook, error)
	Close() error
}

// ExistingStore opens the local store named by --store, INTEGRATIONS_STORE or the default
// path, for shell completion: only when it exists, since completion never creates files. The
// caller closes it.
func ExistingStore(cmd *cobra.Command) (CompletionStore, bool) {
	cfg, err := config.Load(cmd.Root().PersistentFlags())
	if err != nil {
		return nil, false
	}
	if _, err := os.Stat(cfg.StorePath()); err != nil {
		return nil, false
	}
	s, err := local.Open(cmd.Context(), cfg.StorePath())
	if err != nil {
		return nil, false
	}
	return s, true
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

// PlaceOf names a backend where a form's header says what is written where: the server's
// host, or the local store.
func PlaceOf(b client.Backend) string {
	if server := b.Capabilities().Server; server != "" {
		return server
	}
	return "the " + b.Where()
}
