package integration

import (
	"strings"
	"testing"

	"github.com/forgekit/integrations/internal/client/gitlab"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/cmdutil/cmdtest"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
	"github.com/spf13/cobra"
)

// Flag parsing, before any run: what enable and test take from --set, and what they refuse.
func TestEnableAndTestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		args    string
		want    map[string]string
		wantErr string
	}{
		{args: "slack -p acme/web --set webhook=https://hooks.example/x", want: map[string]string{"webhook": "https://hooks.example/x"}},
		{args: "slack -p acme/web", want: map[string]string{}},
		{args: "slack -p acme/web --set webhok=https://hooks.example/x", wantErr: "webhok"},
		{args: "slack -p acme/web --set webhook", wantErr: "key=value"},
	} {
		for verb, newCmd := range map[string]func(*cmdutil.Factory) *cobra.Command{
			"enable": func(f *cmdutil.Factory) *cobra.Command {
				return NewCmdEnable(f, func(o *toggleOptions) error { return checkGiven(t, o.given, tc.want) })
			},
			"test": func(f *cmdutil.Factory) *cobra.Command {
				return NewCmdTest(f, func(o *testOptions) error { return checkGiven(t, o.given, tc.want) })
			},
		} {
			err := cmdtest.New(t).Run(newCmd, tc.args)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("%s %s: %v", verb, tc.args, err)
			case tc.wantErr != "" && (!isUsageError(err) || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("%s %s: %v, want a usage error naming %q", verb, tc.args, err, tc.wantErr)
			}
		}
	}
	if err := cmdtest.New(t).Run(func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdTest(f, func(*testOptions) error { return nil })
	}, "slack -p acme/web --timeout 0"); !isUsageError(err) {
		t.Errorf("test --timeout 0: %v, want a usage error", err)
	}
}

func checkGiven(t *testing.T, got cmdutil.Settings, want map[string]string) error {
	t.Helper()
	if len(got.Values) != len(want) {
		t.Errorf("--set gave %v, want %v", got.Values, want)
	}
	for k, v := range want {
		if got.Values[k] != v {
			t.Errorf("--set %s = %q, want %q", k, got.Values[k], v)
		}
	}
	return nil
}

// A mistyped --set is refused before the backend is asked anything: it costs no request.
func TestSetTypoCostsNoRequest(t *testing.T) {
	fake := gitlabfake.New()
	t.Cleanup(fake.Close)
	fake.AddToken("tok", gitlabfake.Token{Username: "admin", Scopes: []string{"api"}, AccessLevel: 40})
	fake.AddProject("acme/web", false)
	fake.SetIntegration("project", "acme/web", "slack", map[string]any{"webhook": "https://hooks.example/x"}, nil, false)
	c, err := gitlab.New(fake.URL, "tok", gitlab.WithHTTPClient(fake.Client()))
	if err != nil {
		t.Fatal(err)
	}
	e := cmdtest.New(t, cmdtest.WithBackend(c))
	for _, cmd := range []struct {
		name   string
		newCmd func(*cmdutil.Factory) *cobra.Command
	}{{"enable", enableCmd}, {"test", testCmd}} {
		fake.ResetRequests()
		if err := e.Run(cmd.newCmd, "slack -p acme/web --set webhok=https://hooks.example/y"); !isUsageError(err) {
			t.Errorf("%s with a typo: %v, want a usage error", cmd.name, err)
		}
		if n := len(fake.Requests()); n != 0 {
			t.Errorf("%s with a typo sent %d requests to GitLab, want 0: %v", cmd.name, n, fake.Requests())
		}
	}
}
