package cmdutil

import (
	"context"
	"strings"

	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/iostreams"
)

// SecretsAgain is the values a server holds but never returns, needed again: by a write
// (GitLab wants every required secret on each one) or by a test sent from this machine.
type SecretsAgain struct {
	Keys []string
	// Why starts the refusal when nothing can prompt, e.g. "gitlab.example.com never returns
	// webhook but needs it on every change".
	Why string
	// Title is the masked prompt's title for a key.
	Title func(key string) string
	// Normalize checks and cleans a typed value, as --set would.
	Normalize func(key, value string) (string, error)
}

// AskSecretsAgain asks for each key at a masked prompt on a terminal; elsewhere it refuses with
// a usage error naming the --set flags that supply them.
func AskSecretsAgain(ctx context.Context, ios *iostreams.IOStreams, prompter func() forms.Prompter, s SecretsAgain) (map[string]string, error) {
	if !ios.CanPrompt() {
		flags := make([]string, len(s.Keys))
		for i, k := range s.Keys {
			flags[i] = "--set " + k + "=…"
		}
		return nil, FlagErrorf("%s: add %s (env:NAME and file:PATH keep it off the command line)", s.Why, strings.Join(flags, " "))
	}
	got := make(map[string]string, len(s.Keys))
	for _, k := range s.Keys {
		v, err := prompter().Password(ctx, s.Title(k))
		if err != nil {
			return nil, err
		}
		if got[k], err = s.Normalize(k, v); err != nil {
			return nil, err
		}
	}
	return got, nil
}
