package bulk

import (
	"fmt"
	"testing"
	"time"

	"github.com/forgekit/integrations/internal/client/gitlab"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/cmdutil/cmdtest"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
	"github.com/spf13/cobra"
)

// --concurrency is what the run does: with 1, planning's reads and the writes alike go one at a
// time, however many targets there are. The fake's latency only makes overlapping requests
// likely where the limit lets them through; nothing is timed.
func TestConcurrencyOneMeansOneRequestInFlight(t *testing.T) {
	for _, tc := range []struct{ name, setup, args string }{
		{"status", "", "status jenkins -g big --concurrency 1"},
		{"configure", "", "configure jenkins -g big --strategy project --set jenkins_url=https://ci.example --set project_name=x --set password=pw --yes --concurrency 1"},
		{"hooks add", "", "hooks add -g big --set name=ci --set url=https://ci.example.com/hook --set token=pw --yes --concurrency 1"},
		{"hooks edit", "hooks add -g big --set name=ci --set url=https://ci.example.com/hook --yes", "hooks edit ci -g big --events +job --yes --concurrency 1"},
		{"disable", "configure jenkins -g big --strategy project --set jenkins_url=https://ci.example --set project_name=x --set password=pw --yes", "disable jenkins -g big --yes --concurrency 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("XDG_STATE_HOME", t.TempDir())
			fake := gitlabfake.New(gitlabfake.WithLatency(2*time.Millisecond), gitlabfake.WithPerPageMax(5))
			t.Cleanup(fake.Close)
			fake.AddToken("tok", gitlabfake.Token{Username: "admin", Scopes: []string{"api"}, AccessLevel: 40})
			fake.AddGroup("big")
			for i := range 12 {
				fake.AddProject(fmt.Sprintf("big/p%02d", i), false)
			}
			c, err := gitlab.New(fake.URL, "tok", gitlab.WithHTTPClient(fake.Client()))
			if err != nil {
				t.Fatal(err)
			}
			e := cmdtest.New(t, cmdtest.WithBackend(c))
			bulkCmd := func(f *cmdutil.Factory) *cobra.Command { return NewCmdBulk(f) }
			if tc.setup != "" {
				if err := e.Run(bulkCmd, tc.setup); err != nil {
					t.Fatalf("%v\n%s", err, e.ErrOut)
				}
			}
			fake.ResetRequests()
			if err := e.Run(bulkCmd, tc.args); err != nil {
				t.Fatalf("%v\n%s", err, e.ErrOut)
			}
			if len(fake.Requests()) < 12 {
				t.Fatalf("only %d requests: the run did not read and write every project", len(fake.Requests()))
			}
			if got := fake.MaxInFlight(); got != 1 {
				t.Errorf("%d requests in flight at once, want 1", got)
			}
		})
	}
}
