package auth

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/cmdutil/cmdtest"
	"github.com/forgekit/integrations/internal/forms/formstest"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
	"github.com/spf13/cobra"
	"github.com/zalando/go-keyring"
)

func authCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdAuth(f) }

func TestLoginStoresInTheKeyringAndStatusReadsIt(t *testing.T) {
	keyring.MockInit()
	t.Setenv("GITLAB_TOKEN", "")
	fake := gitlabfake.New()
	t.Cleanup(fake.Close)
	fake.AddToken("good-token", gitlabfake.Token{Username: "admin", Scopes: []string{"api"}, AccessLevel: 40})

	p := formstest.New(t).ExpectPassword("Personal access token", "good-token")
	e := cmdtest.New(t, cmdtest.TTY(true), cmdtest.WithPrompter(p), cmdtest.WithConfig(map[string]any{"host": fake.URL}))
	if err := e.Run(authCmd, "login"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.ErrOut.String(), "as admin; the token is in the OS keyring") || strings.Contains(e.ErrOut.String(), "good-token") {
		t.Errorf("login said: %q", e.ErrOut.String())
	}
	cfg, _ := e.Factory.Config()
	if _, err := os.Stat(cfg.Path()); err == nil {
		raw, _ := os.ReadFile(cfg.Path())
		if strings.Contains(string(raw), "good-token") {
			t.Error("the token went to the config file although a keyring is available")
		}
	}

	if err := e.Run(authCmd, "status -o json"); err != nil {
		t.Fatal(err)
	}
	var v statusView
	if err := json.Unmarshal(e.Out.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if v.User != "admin" || v.TokenSource != "keyring" || v.CanWrite == nil || !*v.CanWrite {
		t.Errorf("status: %+v", v)
	}

	if err := e.Run(authCmd, "logout"); err != nil {
		t.Fatal(err)
	}
	if err := e.Run(authCmd, "status"); !errors.Is(err, client.ErrUnauthorized) {
		t.Errorf("status after logout: %v", err)
	}
}

func TestLoginRefusesABadToken(t *testing.T) {
	keyring.MockInit()
	t.Setenv("GITLAB_TOKEN", "")
	fake := gitlabfake.New()
	t.Cleanup(fake.Close)
	e := cmdtest.New(t, cmdtest.WithConfig(map[string]any{"host": fake.URL}))
	e.In.WriteString("wrong-token\n")
	if err := e.Run(authCmd, "login --with-token"); !errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("got %v", err)
	}
	if _, err := keyring.Get(keyringServiceForTest, hostKey(fake.URL)); err == nil {
		t.Error("a refused token was stored")
	}
	cfg, _ := e.Factory.Config()
	if _, err := os.Stat(filepath.Clean(cfg.Path())); err == nil {
		t.Error("a refused token was written to the config file")
	}
}

const keyringServiceForTest = "integrations"

func hostKey(url string) string { return strings.TrimPrefix(url, "http://") }
