package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/forgekit/integrations/cmd/bulk"
	"github.com/forgekit/integrations/cmd/integration"
	"github.com/forgekit/integrations/cmd/manifest"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/cmdutil/cmdtest"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/forms/formstest"
	"github.com/forgekit/integrations/internal/testing/gitlabfake"
	"github.com/forgekit/integrations/internal/testing/gitlabtest"
	"github.com/spf13/cobra"
)

func configureCmd(f *cmdutil.Factory) *cobra.Command { return integration.NewCmdConfigure(f, nil) }

// One change — the same integration, scope, current settings and wanted settings — asked of
// configure --dry-run, bulk configure --dry-run, plan and the form's review reads the same in
// each: the same JSON changes and the same lines. For settings that exist, for none, and on
// GitLab, which never returns the webhook nor the work item flag.
func TestOneChangeReadsTheSameEverywhere(t *testing.T) {
	t.Setenv("NEW_HOOK", "https://hooks.example/NEW-CANARY")
	t.Run("local", func(t *testing.T) {
		e := cmdtest.New(t)
		seedChange(t, e)
		writes := e.Snapshot
		t.Run("update", func(t *testing.T) {
			sameChange(t, e, writes, "acme/web", "push, note", []string{
				"webhook: (set) → (changed)", "channel: #ops → #dev", "notify_only_broken_pipelines: on → off",
				"events: [push] → [push, note]",
			})
		})
		t.Run("create", func(t *testing.T) {
			sameChange(t, e, writes, "acme/api", "push, note", []string{
				"active: (none) → on", "webhook: (none) → (set)", "channel: (none) → #dev", "notify_only_broken_pipelines: on → off",
				"events: [] → [push, note]",
			})
		})
	})
	t.Run("gitlab", func(t *testing.T) {
		fake, e := gitlabEnv(t, "acme/web", "acme/api")
		seedChange(t, e)
		writes := func() string {
			n := 0
			for _, r := range fake.Requests() {
				if r.Method != "GET" {
					n++
				}
			}
			return fmt.Sprint(n, " writes")
		}
		sameChange(t, e, writes, "acme/web", "push, note, work_item", []string{
			"webhook: (write-only) → (changed)", "channel: #ops → #dev", "notify_only_broken_pipelines: on → off",
			"events: [push] → [push, note]", "work_item_events: (none) → on",
		})
	})
}

// gitlabEnv runs commands against a fake GitLab that has the projects.
func gitlabEnv(t *testing.T, projects ...string) (*gitlabfake.Server, *cmdtest.Env) {
	t.Helper()
	fake := gitlabfake.New()
	t.Cleanup(fake.Close)
	for _, p := range projects {
		fake.AddProject(p, false)
	}
	c := gitlabtest.Client(t, fake)
	return fake, cmdtest.New(t, cmdtest.WithBackend(c))
}

// seedChange configures slack at acme/web, and leaves acme/api without slack settings.
func seedChange(t *testing.T, e *cmdtest.Env) {
	t.Helper()
	if err := e.Run(configureCmd, "slack -p acme/web --set webhook=https://hooks.example/OLD-CANARY --set channel=#ops --events push"); err != nil {
		t.Fatal(err)
	}
	if err := e.Run(configureCmd, "jira -p acme/api --set url=https://jira.example --set password=p"); err != nil {
		t.Fatal(err)
	}
}

// sameChange asks every path for one change to slack at project (the events listed on, the
// others off), and checks that each shows want and that writes() stays as it was.
func sameChange(t *testing.T, e *cmdtest.Env, writes func() string, project, events string, want []string) {
	t.Helper()
	before := writes()
	sets := "--set webhook=env:NEW_HOOK --set channel=#dev --set notify_only_broken_pipelines=false --events " + strings.ReplaceAll(events, " ", "")
	file := filepath.Join(t.TempDir(), "acme.yaml")
	err := os.WriteFile(file, []byte(`version: 1
scopes:
  project:`+project+`:
    slack:
      settings:
        webhook: env:NEW_HOOK
        channel: "#dev"
        notify_only_broken_pipelines: false
      events: [`+events+`]
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	target := "project:" + project
	paths := []struct {
		name    string
		cmd     func(*cmdutil.Factory) *cobra.Command
		args    string
		changes string // a --jq filter for the JSON changes
		row     string // the start of the text row that holds the changes, or "" for lines
	}{
		{"configure --dry-run", configureCmd, "slack -p " + project + " --dry-run " + sets, ".changes", ""},
		{
			"bulk configure --dry-run", bulk.NewCmdBulk, "configure slack -g acme --strategy project --dry-run " + sets,
			`.targets[] | select(.target == "` + target + `") | .changes`, target + "\t",
		},
		{"plan", manifest.NewCmdPlan, "-f " + file, `.targets[] | select(.target == "` + target + ` slack") | .changes`, target + " slack\t"},
	}
	var first any
	for _, p := range paths {
		if err := e.RunArgs(p.cmd, append(strings.Fields(p.args), "-o", "json", "--jq", p.changes)...); err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		var got any
		if err := json.Unmarshal(e.Out.Bytes(), &got); err != nil {
			t.Fatalf("%s: %v: %s", p.name, err, e.Out)
		}
		if first == nil {
			first = got
		} else if !reflect.DeepEqual(got, first) {
			t.Errorf("%s prints the change as\n%s\nconfigure --dry-run as\n%v", p.name, e.Out, first)
		}
		if err := e.Run(p.cmd, p.args); err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		if got := changeLines(e.Out.String(), p.row); !reflect.DeepEqual(got, want) {
			t.Errorf("%s shows\n%q\nwant\n%q", p.name, got, want)
		}
		if strings.Contains(e.Out.String(), "CANARY") {
			t.Errorf("%s shows a secret: %s", p.name, e.Out)
		}
	}
	if b, _ := json.Marshal(first); !strings.Contains(string(b), `{"after":false,"before":true,"field":"notify_only_broken_pipelines"}`) {
		t.Errorf("JSON changes carry typed values: %s", b)
	}

	prompter := formstest.New(t)
	e.Factory.IOStreams.SetTTY(true)
	defer e.Factory.IOStreams.SetTTY(false)
	e.Prompter = prompter
	prompter.ExpectFill("slack", func(in *forms.Input) error {
		in.Values["webhook"] = "https://hooks.example/NEW-CANARY"
		in.Values["channel"] = "#dev"
		in.Values["notify_only_broken_pipelines"] = "false"
		for e := range in.Events {
			in.Events[e] = slices.Contains(strings.Split(events, ", "), e)
		}
		if got := in.Summary(in); !reflect.DeepEqual(got, want) {
			t.Errorf("the form's review shows\n%q\nwant\n%q", got, want)
		}
		return forms.ErrCancelled
	})
	if err := e.Run(configureCmd, "slack -p "+project); !errors.Is(err, forms.ErrCancelled) {
		t.Fatalf("form: %v", err)
	}
	if writes() != before {
		t.Error("a dry run, a plan or a cancelled form wrote")
	}
}

// changeLines are the changes a command printed: the lines after a dry run's heading, or the
// "; "-separated cell at the end of the table row that starts with row.
func changeLines(out, row string) []string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if row == "" {
		return lines[1:]
	}
	for _, l := range lines {
		if cells := strings.Split(l, "\t"); strings.HasPrefix(l, row) && len(cells) >= 3 {
			for _, c := range cells[2:] {
				if strings.Contains(c, " → ") {
					return strings.Split(c, "; ")
				}
			}
		}
	}
	return nil
}

// A secret configure writes to GitLab replaces the fingerprint an earlier bulk run recorded, so
// the next bulk run or plan compares with what the server holds now: asking for the old secret
// again is a change, not "already as wanted".
func TestConfigureRecordsTheSecretsItWrites(t *testing.T) {
	_, e := gitlabEnv(t, "acme/web")
	bulkA := "configure slack -g acme --strategy project --set webhook=https://hooks.example/A"
	if err := e.Run(bulk.NewCmdBulk, bulkA+" --yes"); err != nil {
		t.Fatal(err)
	}
	if err := e.Run(bulk.NewCmdBulk, bulkA+" --dry-run"); err != nil || !strings.Contains(e.Out.String(), "already as wanted") {
		t.Fatalf("the secret bulk wrote is not recognised: %v %s", err, e.Out)
	}
	if err := e.Run(configureCmd, "slack -p acme/web --set webhook=https://hooks.example/B"); err != nil {
		t.Fatal(err)
	}
	if err := e.Run(bulk.NewCmdBulk, bulkA+" --dry-run"); err != nil || !strings.Contains(e.Out.String(), "webhook: (write-only) → (changed)") {
		t.Errorf("after configure wrote another secret, bulk still takes the old one for the server's: %v %s", err, e.Out)
	}
	if err := e.Run(configureCmd, "slack -p acme/web --set webhook=https://hooks.example/B --dry-run"); err != nil || !strings.Contains(e.Out.String(), ": unchanged (dry run") {
		t.Errorf("configure does not recognise the secret it wrote: %v %s", err, e.Out)
	}
}
