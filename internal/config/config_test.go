package config

import (
	"os"
	"path/filepath"
	"testing"

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
