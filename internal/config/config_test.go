package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
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

// auth login and logout edit the token in place: the user's comments, keys and their order
// stay as they were.
func TestSetHostTokenKeepsComments(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	orig := `# my integrations settings
store: /srv/store.db # shared store

hosts:
  # the company server
  gitlab.example.com:
    ca_file: /etc/ssl/corp.pem # corporate CA
  other.example.com:
    skip_verify: false
prompt: disabled
`
	if err := os.WriteFile(path, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := SetHostToken(path, "gitlab.example.com", "glpat-secret"); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	for _, want := range []string{"# my integrations settings", "# shared store", "# the company server", "# corporate CA", "token: glpat-secret", "prompt: disabled"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("after login the file lost %q:\n%s", want, raw)
		}
	}
	if strings.Index(string(raw), "store:") > strings.Index(string(raw), "prompt:") {
		t.Errorf("keys reordered:\n%s", raw)
	}
	t.Setenv("INTEGRATIONS_CONFIG", path)
	cfg, err := Load(pflag.NewFlagSet("t", pflag.ContinueOnError))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Hosts("gitlab.example.com").Token; got != "glpat-secret" {
		t.Errorf("token read back as %q", got)
	}
	if err := SetHostToken(path, "gitlab.example.com", ""); err != nil {
		t.Fatal(err)
	}
	raw, _ = os.ReadFile(path)
	// The YAML library keeps comments but not blank lines.
	if noBlank := strings.ReplaceAll(orig, "\n\n", "\n"); string(raw) != noBlank {
		t.Errorf("logout did not give back the file as it was:\n--- got\n%s--- want\n%s", raw, noBlank)
	}
}

// Logging out of the only host leaves an empty file, not a broken one.
func TestSetHostTokenEmptiesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := SetHostToken(path, "gitlab.example.com", "glpat-secret"); err != nil {
		t.Fatal(err)
	}
	if err := SetHostToken(path, "gitlab.example.com", ""); err != nil {
		t.Fatal(err)
	}
	if raw, _ := os.ReadFile(path); len(raw) != 0 {
		t.Errorf("file left as %q", raw)
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

// How long to wait for the store's lock: flag > environment > file, the default when unset.
func TestLockTimeoutPrecedence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte("lock_timeout: 3s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wait := func(args ...string) (time.Duration, error) {
		t.Helper()
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		fs.String("lock-timeout", "", "")
		fs.String("config", "", "")
		if err := fs.Parse(append([]string{"--config", path}, args...)); err != nil {
			t.Fatal(err)
		}
		c, err := Load(fs)
		if err != nil {
			t.Fatal(err)
		}
		return c.LockTimeout()
	}
	if d, err := wait(); d != 3*time.Second || err != nil {
		t.Errorf("from the file: %v, %v", d, err)
	}
	t.Setenv("INTEGRATIONS_LOCK_TIMEOUT", "20s")
	if d, err := wait(); d != 20*time.Second || err != nil {
		t.Errorf("from the environment: %v, %v", d, err)
	}
	if d, err := wait("--lock-timeout", "1m"); d != time.Minute || err != nil {
		t.Errorf("from the flag: %v, %v", d, err)
	}
	var cfgErr *Error
	if _, err := wait("--lock-timeout", "soon"); !errors.As(err, &cfgErr) {
		t.Errorf("a bad value: %v, want a configuration error", err)
	}
}
