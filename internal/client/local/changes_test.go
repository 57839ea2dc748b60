package local

import (
	"context"
	"testing"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// A write applies what the caller changed relative to what it read, onto the row as stored:
// a change another writer made in between stays.
func TestSaveKeepsChangesMadeSinceTheCallerRead(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	web := scope(t, integrations.Project, "acme/web")
	slack := def(t, "slack")
	if _, err := s.Save(ctx, web, slack, client.Update{Values: map[string]string{"webhook": "https://h.example/x"}, Events: map[string]bool{"note": false, "push": false}, Active: on()}); err != nil {
		t.Fatal(err)
	}
	read, err := s.Get(ctx, web, slack)
	if err != nil {
		t.Fatal(err)
	}
	// Another writer switches note on and sets a channel after the read.
	if _, err := s.Save(ctx, web, slack, client.Update{Values: map[string]string{"channel": "#ops"}, Events: map[string]bool{"note": true}}); err != nil {
		t.Fatal(err)
	}
	// The caller sends its whole view with push switched on.
	events := slack.EventStates(integrations.Project, read.Events)
	events["push"] = true
	res, err := s.Save(ctx, web, slack, client.Update{Values: read.Values, Events: events, Active: on(), Current: &read})
	if err != nil {
		t.Fatal(err)
	}
	if !res.State.Events["push"] || !res.State.Events["note"] || res.State.Values["channel"] != "#ops" {
		t.Errorf("after the second write: events %v, channel %q; want push and note on, channel #ops", res.State.Events, res.State.Values["channel"])
	}
}

// A caller that saw nothing at a new scope gets exactly what it sent, even where the scope now
// inherits settings from a parent (a manifest creating a project below a configured group).
func TestSaveOnANewScopeSetsWhatWasSent(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	group, web := scope(t, integrations.Group, "acme"), scope(t, integrations.Project, "acme/web")
	slack := def(t, "slack")
	if _, err := s.Save(ctx, group, slack, client.Update{Values: map[string]string{"webhook": "https://h.example/x"}, Events: map[string]bool{"push": false}, Active: on()}); err != nil {
		t.Fatal(err)
	}
	seen := client.State{Scope: web, Values: map[string]string{}, Events: map[string]bool{}}
	events := slack.EventStates(integrations.Project, nil) // the defaults: push on
	res, err := s.Save(ctx, web, slack, client.Update{Values: map[string]string{"webhook": "https://h.example/y"}, Events: events, Active: on(), Current: &seen})
	if err != nil {
		t.Fatal(err)
	}
	if !res.State.Events["push"] {
		t.Errorf("push = off, inherited from the group; the write asked for on")
	}
}
