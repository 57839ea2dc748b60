package cmdutil

import (
	"context"
	"sync"

	"github.com/forgekit/integrations/internal/client"
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
	// Prompter returns the terminal prompter when prompting is possible, NoPrompt otherwise.
	Prompter func() forms.Prompter
	// Accessible asks forms for plain, screen-reader friendly prompts.
	Accessible bool

	closers []func() error
}

// New builds the Factory for a real run. flags are the root's persistent flags.
func New(version string, flags *pflag.FlagSet) *Factory {
	f := &Factory{IOStreams: iostreams.System(), AppVersion: version, Output: &output.Options{}}
	f.Config = memo(func() (*config.Config, error) { return config.Load(flags) })
	f.Backend = memo(func() (client.Backend, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		b, err := OpenBackend(context.Background(), cfg)
		if err == nil {
			f.closers = append(f.closers, b.Close)
		}
		return b, err
	})
	f.Prompter = func() forms.Prompter {
		if !f.IOStreams.CanPrompt() {
			return forms.NoPrompt{}
		}
		return forms.NewTerminal(f.IOStreams.In, f.IOStreams.ErrOut, f.Accessible)
	}
	return f
}

// OpenBackend chooses the backend from the configuration.
func OpenBackend(ctx context.Context, cfg *config.Config) (client.Backend, error) {
	return local.Open(ctx, cfg.StorePath())
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
