package change

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

func slack(t *testing.T) integrations.Definition {
	t.Helper()
	d, err := integrations.Lookup("slack")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// stored is slack as configured at a project: active, a webhook, a channel, push only.
func stored() client.State {
	return client.State{
		Configured: true, Active: true,
		Values: map[string]string{"webhook": "https://hooks.example/OLD", "channel": "#ops"},
		Events: onlyPush(),
	}
}

// onlyPush switches every slack event off but push.
func onlyPush() map[string]bool {
	d, _ := integrations.Lookup("slack")
	on := map[string]bool{}
	for _, e := range d.SupportedEvents(integrations.Project) {
		on[e] = e == "push"
	}
	return on
}

func with(events map[string]bool, on ...string) map[string]bool {
	for _, e := range on {
		events[e] = true
	}
	return events
}

func TestDiff(t *testing.T) {
	d := slack(t)
	writeOnly := stored()
	writeOnly.Values = map[string]string{"channel": "#ops"}
	writeOnly.Unknown = map[string]bool{"webhook": true}
	inherited := stored()
	inherited.Inherited = true
	blind := stored()
	blind.UnknownEvents = map[string]bool{"work_item": true}

	cases := []struct {
		name string
		cur  client.State
		want Wanted
		out  []string
	}{
		{"nothing asked", stored(), Wanted{Active: true}, nil},
		{
			"new settings: active from nothing, a secret set the first time",
			client.State{},
			Wanted{Active: true, Values: map[string]string{"webhook": "https://x", "channel": "#a"}, Events: onlyPush()},
			[]string{"active: (none) → on", "webhook: (none) → (set)", "channel: (none) → #a", "events: [] → [push]"},
		},
		{
			"a changed secret", stored(),
			Wanted{Active: true, Values: map[string]string{"webhook": "https://hooks.example/NEW"}},
			[]string{"webhook: (set) → (changed)"},
		},
		{"the same secret", stored(), Wanted{Active: true, Values: map[string]string{"webhook": "https://hooks.example/OLD"}}, nil},
		{
			"a cleared secret", stored(),
			Wanted{Active: true, Values: map[string]string{"webhook": ""}},
			[]string{"webhook: (set) → (cleared)"},
		},
		{
			"a write-only secret sent again", writeOnly,
			Wanted{Active: true, Values: map[string]string{"webhook": "https://x"}},
			[]string{"webhook: (write-only) → (changed)"},
		},
		{
			"a write-only secret its fingerprint matches", writeOnly,
			Wanted{Active: true, Values: map[string]string{"webhook": "https://x"}, Same: map[string]bool{"webhook": true}},
			nil,
		},
		{"a write-only secret left blank is kept", writeOnly, Wanted{Active: true, Values: map[string]string{"webhook": ""}}, nil},
		{
			"a reference that cannot be read yet",
			client.State{},
			Wanted{Active: true, Values: map[string]string{"webhook": "env:HOOK"}, Unresolved: map[string]bool{"webhook": true}},
			[]string{"active: (none) → on", "webhook: (none) → (unset: env:HOOK)"},
		},
		{
			"a default written explicitly is no change", stored(),
			Wanted{Active: true, Values: map[string]string{"notify_only_broken_pipelines": "true", "branches_to_be_notified": "default"}},
			nil,
		},
		{
			"a checkbox off its default", stored(),
			Wanted{Active: true, Values: map[string]string{"notify_only_broken_pipelines": "false"}},
			[]string{"notify_only_broken_pipelines: on → off"},
		},
		{
			"a plain value cleared", stored(),
			Wanted{Active: true, Values: map[string]string{"channel": ""}},
			[]string{"channel: #ops → (none)"},
		},
		{"disable", stored(), Wanted{Active: false}, []string{"active: on → off"}},
		{"inherited settings kept as they are", inherited, Wanted{Active: true, Values: map[string]string{"channel": "#ops"}}, nil},
		{
			"events", stored(),
			Wanted{Active: true, Events: with(onlyPush(), "note")},
			[]string{"events: [push] → [push, note]"},
		},
		{
			"an event the server never shows, at its default and not named, is not sent", blind,
			Wanted{Active: true, Events: onlyPush()},
			nil,
		},
		{
			"an event the server never shows, named", blind,
			Wanted{Active: true, Events: onlyPush(), Asked: map[string]bool{"work_item": true}},
			[]string{"work_item_events: (none) → off"},
		},
		{
			"an event the server never shows, off its default", blind,
			Wanted{Active: true, Events: with(onlyPush(), "note", "work_item")},
			[]string{"events: [push] → [push, note]", "work_item_events: (none) → on"},
		},
		{"inherit own settings", stored(), Wanted{Inherit: true}, []string{"inherited: off → on"}},
		{"inherit where nothing is set", client.State{}, Wanted{Inherit: true}, []string{"inherited: (none) → on"}},
		{"inherit what is inherited", inherited, Wanted{Inherit: true}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Lines(Diff(d, integrations.Project, c.cur, c.want))
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, c.out) {
				t.Errorf("got  %q\nwant %q", got, c.out)
			}
		})
	}
}

// The JSON shape is the contract's: typed values, null for nothing, secrets as words only.
func TestChangeJSON(t *testing.T) {
	cs := Diff(slack(t), integrations.Project, client.State{}, Wanted{
		Active: true, Values: map[string]string{"webhook": "https://hooks.example/CANARY", "notify_only_broken_pipelines": "false"},
		Events: map[string]bool{},
	})
	b, err := json.Marshal(cs)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"field":"active","before":null,"after":true},` +
		`{"field":"webhook","before":null,"after":"(set)"},` +
		`{"field":"notify_only_broken_pipelines","before":true,"after":false}]`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	if strings.Contains(string(b), "CANARY") {
		t.Error("a secret reached the change")
	}
}

func TestJoin(t *testing.T) {
	cs := []Change{{Field: "active", Before: nil, After: true}, {Field: "events", Before: []string{}, After: []string{"push", "note"}}}
	if got := Join(cs); got != "active: (none) → on; events: [] → [push, note]" {
		t.Errorf("got %q", got)
	}
}
