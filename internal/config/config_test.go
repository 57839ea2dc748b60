package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// Precedence: flag > environment > file > default.
func TestHostPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte("host: file.example.com\nstore: /from/file.db\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	load := func(args ...string) *Config {
		t.Helper()
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		fs.String("host", "", "")
		fs.Bool("local", false, "")
		fs.String("store", "", "")
		fs.String("config", "", "")
		if err := fs.Parse(append([]string{"--config", path}, args...)); err != nil {
			t.Fatal(err)
		}
		c, err := Load(fs)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	t.Setenv("GITLAB_HOST", "")
	t.Setenv("INTEGRATIONS_HOST", "")
	if h := load().Host(); h != "file.example.com" {
		t.Errorf("file only: %q", h)
	}
	t.Setenv("GITLAB_HOST", "env.example.com")
	if h := load().Host(); h != "env.example.com" {
		t.Errorf("GITLAB_HOST over the file: %q", h)
	}
	t.Setenv("INTEGRATIONS_HOST", "ours.example.com")
	if h := load().Host(); h != "ours.example.com" {
		t.Errorf("INTEGRATIONS_HOST first: %q", h)
	}
	if h := load("--host", "flag.example.com").Host(); h != "flag.example.com" {
		t.Errorf("the flag over everything: %q", h)
	}
	if h := load("--local").Host(); h != "" {
		t.Errorf("--local: %q", h)
	}
	t.Setenv("INTEGRATIONS_STORE", "/from/env.db")
	if s := load().StorePath(); s != "/from/env.db" {
		t.Errorf("store from the environment: %q", s)
	}
}

// The run's deadline: flag > environment > file, none by default, bad values refused.
func TestTimeoutPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte("timeout: 10m\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	timeout := func(file string, args ...string) (time.Duration, error) {
		t.Helper()
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		fs.String("timeout", "", "")
		fs.String("config", "", "")
		if err := fs.Parse(append([]string{"--config", file}, args...)); err != nil {
			t.Fatal(err)
		}
		c, err := Load(fs)
		if err != nil {
			t.Fatal(err)
		}
		return c.Timeout()
	}
	t.Setenv("INTEGRATIONS_TIMEOUT", "")
	if d, err := timeout(filepath.Join(dir, "none.yaml")); d != 0 || err != nil {
		t.Errorf("default: %v %v", d, err)
	}
	if d, _ := timeout(path); d != 10*time.Minute {
		t.Errorf("file: %v", d)
	}
	t.Setenv("INTEGRATIONS_TIMEOUT", "90s")
	if d, _ := timeout(path); d != 90*time.Second {
		t.Errorf("environment over the file: %v", d)
	}
	if d, _ := timeout(path, "--timeout", "0"); d != 0 {
		t.Errorf("the flag over everything, 0 for none: %v", d)
	}
	var cfgErr *Error
	for _, bad := range []string{"soon", "-5s", "10"} {
		if _, err := timeout(path, "--timeout", bad); !errors.As(err, &cfgErr) {
			t.Errorf("--timeout %s: %v, want a configuration error", bad, err)
		}
	}
}
