// Package config resolves settings from flags, the environment and the config file, in that
// order of precedence. It is the only package that imports viper.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Config is the resolved configuration. Read it through its getters.
type Config struct {
	v    *viper.Viper
	path string
}

// HostSettings are the per-host entries of the config file.
type HostSettings struct {
	Token      string
	CAFile     string
	SkipVerify bool
}

// Error is a configuration file that cannot be used.
type Error struct{ Err error }

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func newViper() *viper.Viper {
	// Host names hold dots, so viper's default key delimiter would split them.
	v := viper.NewWithOptions(viper.KeyDelimiter("::"))
	v.SetEnvPrefix("INTEGRATIONS")
	v.AutomaticEnv()
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	return v
}

// Load binds the root's persistent flags and reads the config file (--config, or
// $XDG_CONFIG_HOME/integrations/config.yaml). A missing file is fine; a broken one is an error.
func Load(flags *pflag.FlagSet) (*Config, error) {
	v := newViper()
	for _, name := range []string{"host", "local", "store", "no-input", "debug", "timeout"} {
		if f := flags.Lookup(name); f != nil {
			if err := v.BindPFlag(name, f); err != nil {
				return nil, err
			}
		}
	}
	// The host comes from either variable, and, like every setting, an environment variable
	// beats the file.
	if err := v.BindEnv("host", "INTEGRATIONS_HOST", "GITLAB_HOST"); err != nil {
		return nil, err
	}
	path := DefaultPath()
	if f := flags.Lookup("config"); f != nil && f.Changed {
		path = f.Value.String()
	} else if env := os.Getenv("INTEGRATIONS_CONFIG"); env != "" {
		path = env
	}
	v.SetConfigFile(path)
	v.SetConfigType("yaml")
	if err := v.ReadInConfig(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		var notFound viper.ConfigFileNotFoundError
		if !errors.As(err, &notFound) {
			return nil, &Error{fmt.Errorf("reading config %s: %w", path, err)}
		}
	}
	return &Config{v: v, path: path}, nil
}

// FromMap builds a Config from values, with its file at path, for tests.
func FromMap(path string, values map[string]any) *Config {
	v := newViper()
	for k, val := range values {
		v.Set(k, val)
	}
	return &Config{v: v, path: path}
}

// Path is the config file's location, whether or not it exists.
func (c *Config) Path() string { return c.path }

// Host is the GitLab server to talk to: --host, INTEGRATIONS_HOST, GITLAB_HOST, then the file's
// host key. Empty means the local store.
func (c *Config) Host() string {
	if c.v.GetBool("local") {
		return ""
	}
	return c.v.GetString("host")
}

// StorePath is the local store's file: --store, INTEGRATIONS_STORE, the file's store key, or
// $XDG_DATA_HOME/integrations/store.db.
func (c *Config) StorePath() string {
	if p := c.v.GetString("store"); p != "" {
		return p
	}
	return filepath.Join(dataHome(), "integrations", "store.db")
}

// NoInput is --no-input or the file's `prompt: disabled`.
func (c *Config) NoInput() bool {
	return c.v.GetBool("no-input") || c.v.GetString("prompt") == "disabled"
}

// Debug is --debug or INTEGRATIONS_DEBUG.
func (c *Config) Debug() bool { return c.v.GetBool("debug") }

// Timeout is the run's deadline: --timeout, INTEGRATIONS_TIMEOUT or the file's timeout key, a
// duration such as 30s or 10m. Zero, the default, means none, which suits bulk runs over many
// groups: every request still has its own connect, header, silence and total timeouts.
func (c *Config) Timeout() (time.Duration, error) {
	raw := strings.TrimSpace(c.v.GetString("timeout"))
	if raw == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d < 0 {
		return 0, &Error{fmt.Errorf("invalid timeout %q (--timeout, INTEGRATIONS_TIMEOUT or the config file's timeout): want a duration such as 30s or 10m, or 0 for none", raw)}
	}
	return d, nil
}

// Hosts returns the per-host settings for host (its bare host name, as the file keys it).
func (c *Config) Hosts(host string) HostSettings {
	prefix := "hosts::" + host + "::"
	return HostSettings{
		Token:      c.v.GetString(prefix + "token"),
		CAFile:     c.v.GetString(prefix + "ca_file"),
		SkipVerify: c.v.GetBool(prefix + "skip_verify"),
	}
}

// StateDir is where bulk run journals live.
func StateDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "integrations")
	}
	return filepath.Join(homeDir(), ".local", "state", "integrations")
}

// DefaultPath is $XDG_CONFIG_HOME/integrations/config.yaml.
func DefaultPath() string {
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "integrations", "config.yaml")
	}
	return filepath.Join(homeDir(), ".config", "integrations", "config.yaml")
}

func dataHome() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return d
	}
	return filepath.Join(homeDir(), ".local", "share")
}

func homeDir() string {
	if h, err := os.UserHomeDir(); err == nil {
		return h
	}
	return os.TempDir()
}
