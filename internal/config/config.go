// Package config resolves settings from flags, the environment and the config file, in that
// order of precedence. It is the only package that imports viper.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/forgekit/integrations/internal/boolval"
	"github.com/forgekit/integrations/internal/input"
	"github.com/forgekit/integrations/internal/quote"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Config is the resolved configuration. Read it through its getters.
type Config struct {
	v     *viper.Viper
	path  string
	flags *pflag.FlagSet
}

// BoolEnv lists the boolean environment variables and the setting each gives. All follow one
// rule (boolval.Env): true/false, 1/0, yes/no, y/n, on/off, t/f; empty is unset; anything else
// is refused. CI keeps its own rule (anything but "false"), and NO_COLOR the no-color.org one
// (any non-empty value).
var BoolEnv = map[string]string{
	"INTEGRATIONS_DEBUG":      "debug",
	"INTEGRATIONS_NO_INPUT":   "no-input",
	"INTEGRATIONS_LOCAL":      "local",
	"INTEGRATIONS_NO_PROMPT":  "",
	"NO_PROMPT":               "",
	"INTEGRATIONS_ACCESSIBLE": "",
}

// checkBoolEnv refuses a boolean environment variable that cannot be read, naming it.
func checkBoolEnv() error {
	names := make([]string, 0, len(BoolEnv))
	for name := range BoolEnv {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, _, err := boolval.Env(os.Getenv, name); err != nil {
			return &Error{err}
		}
	}
	return nil
}

// boolSetting is a boolean setting: its flag when given, else its environment variable read by
// the one rule, else the file.
func (c *Config) boolSetting(key string) bool {
	if c.flags != nil {
		if f := c.flags.Lookup(key); f != nil && f.Changed {
			return f.Value.String() == "true"
		}
	}
	for env, k := range BoolEnv {
		if k == key {
			if v, set, err := boolval.Env(os.Getenv, env); err == nil && set {
				return v
			}
		}
	}
	return c.v.GetBool(key)
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

// UsageError marks bad input: exit 2, and nothing was written.
func (e *Error) UsageError() bool { return true }
func (e *Error) Unwrap() error    { return e.Err }

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
	if err := checkBoolEnv(); err != nil {
		return nil, err
	}
	v := newViper()
	for _, name := range []string{"host", "local", "store", "no-input", "debug", "timeout", "lock-timeout"} {
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
	raw, err := input.ReadFile(path, input.MaxDocumentBytes)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, &Error{fmt.Errorf("reading config %s: %w", path, err)}
	default:
		if err := v.ReadConfig(bytes.NewReader(raw)); err != nil {
			return nil, &Error{fmt.Errorf("reading config %s: %w", path, err)}
		}
	}
	return &Config{v: v, path: path, flags: flags}, nil
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
	if c.boolSetting("local") {
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
	return c.boolSetting("no-input") || c.v.GetString("prompt") == "disabled"
}

// LockTimeout is how long to wait for another process holding the local store's lock:
// --lock-timeout, INTEGRATIONS_LOCK_TIMEOUT or the file's lock_timeout, a duration such as 10s
// or 1m30s; 0 or unset means the default of 10s.
func (c *Config) LockTimeout() (time.Duration, error) {
	raw := strings.TrimSpace(c.v.GetString("lock-timeout"))
	if raw == "" {
		raw = strings.TrimSpace(c.v.GetString("lock_timeout"))
	}
	if raw == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d < 0 {
		return 0, &Error{fmt.Errorf("invalid lock timeout %s (--lock-timeout, INTEGRATIONS_LOCK_TIMEOUT or the config file's lock_timeout): want a duration such as 10s or 2m", quote.Value(raw))}
	}
	return d, nil
}

// Debug is --debug or INTEGRATIONS_DEBUG.
func (c *Config) Debug() bool { return c.boolSetting("debug") }

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
		return 0, &Error{fmt.Errorf("invalid timeout %s (--timeout, INTEGRATIONS_TIMEOUT or the config file's timeout): want a duration such as 30s or 10m, or 0 for none", quote.Value(raw))}
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
