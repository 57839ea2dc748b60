package bulk

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/cmdutil/cmdtest"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
	"github.com/forgekit/integrations/internal/testing/gitlabtest"
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
			fake.AddGroup("big")
			for i := range 12 {
				fake.AddProject(fmt.Sprintf("big/p%02d", i), false)
			}
			e := cmdtest.New(t, cmdtest.WithBackend(gitlabtest.Client(t, fake)))
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

// A run against a server asks for the CPUs its --concurrency needs; one on the local store,
// whose work is its own CPU's, keeps them all.
func TestServerRunsFitTheirCPUs(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	fake := gitlabfake.New()
	t.Cleanup(fake.Close)
	fake.AddProject("big/p1", false)
	c := gitlabtest.Client(t, fake)
	bulkCmd := func(f *cmdutil.Factory) *cobra.Command { return NewCmdBulk(f) }
	for _, tc := range []struct {
		name string
		opts []cmdtest.Option
		want []int
	}{
		{"GitLab", []cmdtest.Option{cmdtest.WithBackend(c)}, []int{24}},
		{"local store", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := cmdtest.New(t, tc.opts...)
			jenkins, _ := integrations.Lookup("jenkins")
			if _, err := e.Store.Save(t.Context(), client.Scope{Level: integrations.Project, Path: "big/p1"}, jenkins,
				client.Update{Values: map[string]string{"jenkins_url": "https://ci.example", "project_name": "x"}}); err != nil {
				t.Fatal(err)
			}
			var asked []int
			e.Factory.FitCPUs = func(n int) { asked = append(asked, n) }
			if err := e.Run(bulkCmd, "status jenkins -g big --concurrency 24"); err != nil {
				t.Fatalf("%v\n%s", err, e.ErrOut)
			}
			if fmt.Sprint(asked) != fmt.Sprint(tc.want) {
				t.Errorf("asked for CPUs for %v, want %v", asked, tc.want)
			}
		})
	}
}

func TestFitCPUs(t *testing.T) {
	was := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(was) })
	for _, tc := range []struct {
		env               string
		procs, conc, want int
	}{
		{"", 4, 16, 1},  // 16 requests at a time: one CPU
		{"", 4, 33, 2},  // more than one CPU keeps up with: two
		{"", 4, 64, 2},  // the most --concurrency takes
		{"", 1, 64, 1},  // never more than the process had
		{"4", 4, 16, 4}, // GOMAXPROCS set by the user wins
	} {
		t.Setenv("GOMAXPROCS", tc.env)
		runtime.GOMAXPROCS(tc.procs)
		cmdutil.FitCPUs(tc.conc)
		if got := runtime.GOMAXPROCS(0); got != tc.want {
			t.Errorf("GOMAXPROCS=%q, %d CPUs, --concurrency %d: %d CPUs, want %d", tc.env, tc.procs, tc.conc, got, tc.want)
		}
	}
}
