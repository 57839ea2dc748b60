package integration

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/forgekit/integrations/internal/cmdutil/cmdtest"
	"github.com/forgekit/integrations/internal/integrations"
)

func TestEventsMatrix(t *testing.T) {
	e := cmdtest.New(t)
	if err := e.Run(eventsCmd, "-o json"); err != nil {
		t.Fatal(err)
	}
	var rows []matrixRow
	if err := json.Unmarshal(e.Out.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	byName := map[string]matrixRow{}
	for _, r := range rows {
		byName[r.Name] = r
	}
	if r := byName["issue"]; r.APIFlag != "issues_events" || !slices.Contains(r.Integrations, "slack") || slices.Contains(r.Integrations, "jira") {
		t.Errorf("issue row: %+v", r)
	}
	if r := byName["subgroup"]; !slices.Equal(r.Integrations, []string{"datadog"}) {
		t.Errorf("subgroup row: %+v", r)
	}
}

func TestEventsOfOneIntegration(t *testing.T) {
	e := cmdtest.New(t)
	if err := e.Run(eventsCmd, "jenkins -o json"); err != nil {
		t.Fatal(err)
	}
	var evs []eventView
	if err := json.Unmarshal(e.Out.Bytes(), &evs); err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 {
		t.Fatalf("jenkins events: %+v", evs)
	}
	for _, ev := range evs {
		if ev.Enabled != nil {
			t.Errorf("without a scope %s cannot be on or off: %v", ev.Name, *ev.Enabled)
		}
	}
	if err := e.Run(eventsCmd, "jenkins"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"push\tpush_events\tdefault on", "merge_request\tmerge_requests_events\tdefault off"} {
		if !strings.Contains(e.Out.String(), want) {
			t.Errorf("the table should show the defaults (%q):\n%s", want, e.Out.String())
		}
	}

	seed(t, e, integrations.Project, "acme/web", "jenkins", true,
		map[string]string{"jenkins_url": "https://ci.example", "project_name": "web"}, map[string]bool{"push": false, "tag_push": true})
	if err := e.Run(eventsCmd, "jenkins -p acme/web -o json"); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(e.Out.Bytes(), &evs); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, ev := range evs {
		got[ev.Name] = *ev.Enabled
	}
	if got["push"] || !got["tag_push"] || got["merge_request"] {
		t.Errorf("jenkins at acme/web: %v", got)
	}
	if err := e.Run(eventsCmd, "jenkins -g acme"); err == nil {
		t.Error("a project-only integration's events at a group should be refused")
	}
}

func TestEventsEnableDisableAtAScope(t *testing.T) {
	e := cmdtest.New(t)
	seed(t, e, integrations.Project, "acme/web", "slack", true, map[string]string{"webhook": "https://hooks.example/x"}, nil)
	if err := e.Run(eventsCmd, "slack -p acme/web --enable deployment,incident --disable push,note -o json"); err != nil {
		t.Fatal(err)
	}
	var evs []eventView
	if err := json.Unmarshal(e.Out.Bytes(), &evs); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, ev := range evs {
		got[ev.Name] = *ev.Enabled
	}
	if !got["deployment"] || !got["incident"] || got["push"] || got["note"] || !got["issue"] {
		t.Errorf("after --enable/--disable: %v", got)
	}
	before := e.Snapshot()
	for _, args := range []string{
		"slack -p acme/web --enable build",               // not a Slack event
		"slack -p acme/web --enable push --disable push", // contradictory
		"slack --enable push",                            // no scope
		"jira -p acme/web --enable commit",               // not configured there
	} {
		if err := e.Run(eventsCmd, args); !isUsageError(err) {
			t.Errorf("events %s: %v, want a usage error", args, err)
		}
	}
	if e.Snapshot() != before {
		t.Error("a refused events change wrote")
	}
}
