package integration

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/cmdutil/cmdtest"
	"github.com/forgekit/integrations/internal/integrations"
)

func TestListCatalogOutputModes(t *testing.T) {
	e := cmdtest.New(t, cmdtest.TTY(true))
	if err := e.Run(listCmd, "--category chat"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(e.Out.String(), "\n"), "\n")
	if !strings.HasPrefix(lines[0], "NAME") || !strings.Contains(lines[0], "LEVELS") {
		t.Errorf("terminal table has no header: %q", lines[0])
	}
	if strings.Contains(e.Out.String(), "\t") {
		t.Error("terminal table uses tabs")
	}

	e = cmdtest.New(t, cmdtest.TTY(false))
	if err := e.Run(listCmd, "--category chat"); err != nil {
		t.Fatal(err)
	}
	first := strings.SplitN(e.Out.String(), "\n", 2)[0]
	if got := strings.Split(first, "\t"); len(got) != 4 || got[0] != "campfire" {
		t.Errorf("plain output first line %q: want 4 tab-separated columns starting with campfire", first)
	}

	if err := e.Run(listCmd, "-o json"); err != nil {
		t.Fatal(err)
	}
	var items []map[string]any
	if err := json.Unmarshal(e.Out.Bytes(), &items); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if len(it) != 5 || (it["status"] != "available" && it["status"] != "deprecated") {
			t.Errorf("catalog item %v: want exactly name, title, category, levels, status (available or deprecated)", it)
		}
		if it["name"] == "shimo" || it["name"] == "mock_ci" {
			t.Errorf("%v listed without --all", it["name"])
		}
	}

	if err := e.Run(listCmd, "--all --jq .[].name"); err != nil {
		t.Fatal(err)
	}
	names := strings.Fields(e.Out.String())
	if len(names) != len(integrations.Names()) || !strings.Contains(e.Out.String(), "shimo\n") {
		t.Errorf("--all --jq listed %d names, want %d including shimo", len(names), len(integrations.Names()))
	}
}

func TestListAtScope(t *testing.T) {
	e := cmdtest.New(t)
	seed(t, e, integrations.Group, "acme", "slack", true, map[string]string{"webhook": "https://hooks.example/a"}, map[string]bool{"push": true, "issue": false})
	seed(t, e, integrations.Project, "acme/web", "jira", false, map[string]string{"url": "https://jira.example", "password": "p"}, nil)

	if err := e.Run(listCmd, "-p acme/web -o json"); err != nil {
		t.Fatal(err)
	}
	var items []map[string]any
	if err := json.Unmarshal(e.Out.Bytes(), &items); err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, it := range items {
		got[it["name"].(string)] = it
		for _, k := range []string{"active", "configured", "inherited", "inherited_from", "events"} {
			if _, ok := it[k]; !ok {
				t.Fatalf("%v lacks %s", it["name"], k)
			}
		}
	}
	if s := got["slack"]; s["active"] != true || s["inherited"] != true || s["inherited_from"] != "group:acme" {
		t.Errorf("slack at acme/web: %v", s)
	}
	if ev := toStrings(got["slack"]["events"].([]any)); len(ev) == 0 || ev[0] != "push" || slices.Contains(ev, "issue") || !slices.Contains(ev, "confidential_issue") {
		t.Errorf("slack events: %v", ev)
	}
	if j := got["jira"]; j["active"] != false || j["configured"] != true || j["inherited"] != false || j["inherited_from"] != nil {
		t.Errorf("jira at acme/web: %v", j)
	}
	if d := got["datadog"]; d["configured"] != false || len(d["events"].([]any)) != 0 {
		t.Errorf("unconfigured datadog: %v", d)
	}
	if _, ok := got["beyond_identity"]; ok {
		t.Error("an instance-only integration is listed at a project")
	}

	if err := e.Run(listCmd, "-p acme/web --active"); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(e.Out.String()), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "slack\t") || !strings.Contains(lines[0], "inherited from group:acme") {
		t.Errorf("--active: %q", e.Out.String())
	}

	if err := e.Run(listCmd, "-g acme/web"); err == nil || !strings.Contains(err.Error(), "acme/web is a project") {
		t.Errorf("-g on a project: %v", err)
	}
	var noRes cmdutil.NoResultsError
	if err := e.Run(listCmd, "-p acme/api --active"); err == nil || errors.As(err, &noRes) {
		t.Errorf("unknown project: %v", err)
	}
}

func toStrings(v []any) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i], _ = x.(string)
	}
	return out
}
