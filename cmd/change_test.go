package cmd

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/forgekit/integrations/cmd/bulk"
	"github.com/forgekit/integrations/cmd/integration"
	"github.com/forgekit/integrations/cmd/manifest"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/cmdutil/cmdtest"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/forms/formstest"
	"github.com/spf13/cobra"
)

func configureCmd(f *cmdutil.Factory) *cobra.Command { return integration.NewCmdConfigure(f, nil) }

// One change — the same integration, scope, current settings and wanted settings — asked of
// configure --dry-run, bulk configure --dry-run, plan and the form's review reads the same in
// each: the same JSON changes and the same lines. Once for settings that exist, once for none.
func TestOneChangeReadsTheSameEverywhere(t *testing.T) {
	e := cmdtest.New(t)
	if err := e.Run(configureCmd, "slack -p acme/web --set webhook=https://hooks.example/OLD-CANARY --set channel=#ops --events push"); err != nil {
		t.Fatal(err)
	}
	// acme/api exists, without slack settings.
	if err := e.Run(configureCmd, "jira -p acme/api --set url=https://jira.example --set password=p"); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NEW_HOOK", "https://hooks.example/NEW-CANARY")
	t.Run("update", func(t *testing.T) {
		sameChange(t, e, "acme/web", []string{
			"webhook: (set) → (changed)", "channel: #ops → #dev", "notify_only_broken_pipelines: on → off",
			"events: [push] → [push, note]",
		})
	})
	t.Run("create", func(t *testing.T) {
		sameChange(t, e, "acme/api", []string{
			"active: (none) → on", "webhook: (none) → (set)", "channel: (none) → #dev", "notify_only_broken_pipelines: on → off",
			"events: [] → [push, note]",
		})
	})
}

// sameChange asks every path for one change to slack at project, and checks that each shows want.
func sameChange(t *testing.T, e *cmdtest.Env, project string, want []string) {
	t.Helper()
	before := e.Snapshot()
	sets := "--set webhook=env:NEW_HOOK --set channel=#dev --set notify_only_broken_pipelines=false --events push,note"
	file := filepath.Join(t.TempDir(), "acme.yaml")
	err := os.WriteFile(file, []byte(`version: 1
scopes:
  project:`+project+`:
    slack:
      settings:
        webhook: env:NEW_HOOK
        channel: "#dev"
        notify_only_broken_pipelines: false
      events: [push, note]
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
			in.Events[e] = e == "push" || e == "note"
		}
		if got := in.Summary(in); !reflect.DeepEqual(got, want) {
			t.Errorf("the form's review shows\n%q\nwant\n%q", got, want)
		}
		return forms.ErrCancelled
	})
	if err := e.Run(configureCmd, "slack -p "+project); !errors.Is(err, forms.ErrCancelled) {
		t.Fatalf("form: %v", err)
	}
	if e.Snapshot() != before {
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
