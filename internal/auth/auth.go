// Package auth finds the token for a GitLab host and keeps it: the environment, the config file
// (0600) or the OS keyring. Tokens are never printed.
package auth

import (
	"errors"
	"os"

	"github.com/forgekit/integrations/internal/config"
	"github.com/zalando/go-keyring"
)

const keyringService = "integrations"

// Source says where a token came from.
type Source string

const (
	None    Source = "none"
	Env     Source = "GITLAB_TOKEN"
	File    Source = "config file"
	Keyring Source = "keyring"
)

// Token returns the token for host: GITLAB_TOKEN, then the config file, then the keyring.
func Token(cfg *config.Config, host string) (string, Source) {
	if t := os.Getenv("GITLAB_TOKEN"); t != "" {
		return t, Env
	}
	if t := cfg.Hosts(host).Token; t != "" {
		return t, File
	}
	if t, err := keyring.Get(keyringService, host); err == nil && t != "" {
		return t, Keyring
	}
	return "", None
}

// Store keeps the token in the keyring, or, where no keyring service runs (CI, servers), in the
// config file with mode 0600. It reports where it went.
func Store(cfg *config.Config, host, token string) (Source, error) {
	if err := keyring.Set(keyringService, host, token); err == nil {
		// A token in the file would shadow the keyring's; keep one copy.
		_ = config.SetHostToken(cfg.Path(), host, "")
		return Keyring, nil
	}
	if err := config.SetHostToken(cfg.Path(), host, token); err != nil {
		return None, err
	}
	return File, nil
}

// Forget removes the token from the keyring and the config file.
func Forget(cfg *config.Config, host string) (bool, error) {
	removed := false
	switch err := keyring.Delete(keyringService, host); {
	case err == nil:
		removed = true
	case !errors.Is(err, keyring.ErrNotFound):
		// No keyring service: nothing stored there.
	}
	if cfg.Hosts(host).Token != "" {
		if err := config.SetHostToken(cfg.Path(), host, ""); err != nil {
			return removed, err
		}
		removed = true
	}
	return removed, nil
}
