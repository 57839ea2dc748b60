package local

import (
	"context"
	"fmt"
	"maps"
	"testing"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// The states an inventory reads in one pass are those a read per scope gives, secrets aside.
func TestWalkStatesIsWalkAndGet(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	slack := def(t, "slack")
	off := false
	for _, w := range []struct {
		level  integrations.Level
		path   string
		values map[string]string
		active *bool
	}{
		{integrations.Instance, "", map[string]string{"webhook": "https://h.example/i", "channel": "#all"}, on()},
		{integrations.Group, "acme", map[string]string{"webhook": "https://h.example/a", "channel": "#acme"}, on()},
		{integrations.Project, "acme/web/site", map[string]string{"webhook": "https://h.example/s", "channel": "#site"}, &off},
		{integrations.Project, "acme/web/api", nil, nil},
		{integrations.Project, "acme/Other/old", nil, nil},
		{integrations.Project, "tools/ci", nil, nil},
	} {
		sc := client.InstanceScope
		if w.level != integrations.Instance {
			sc = scope(t, w.level, w.path)
		}
		if w.values == nil {
			if _, err := s.Ensure(ctx, sc); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := s.Save(ctx, sc, slack, client.Update{Values: w.values, Active: w.active}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetArchived(ctx, scope(t, integrations.Project, "acme/Other/old"), true); err != nil {
		t.Fatal(err)
	}
	describe := func(ns client.Namespace, st client.State) string {
		vals := maps.Clone(st.Values)
		delete(vals, "webhook") // a secret: not read by an inventory
		return fmt.Sprintf("%s archived=%v configured=%v active=%v inherited=%v from=%v values=%v events=%v",
			ns.Scope, ns.Archived, st.Configured, st.Active, st.Inherited, st.InheritedFrom, vals, st.Events)
	}
	for _, o := range []client.WalkOptions{
		{Subgroups: true, Groups: true, Archived: true},
		{Subgroups: true, Groups: true},
		{Subgroups: true},
		{},
	} {
		for _, g := range []string{"acme", "acme/web", "tools"} {
			var want, got []string
			err := s.Walk(ctx, scope(t, integrations.Group, g), o, func(ns client.Namespace) error {
				st, err := s.Get(ctx, ns.Scope, slack)
				want = append(want, describe(ns, st))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			err = s.WalkStates(ctx, scope(t, integrations.Group, g), o, slack, func(ns client.Namespace, st client.State) error {
				got = append(got, describe(ns, st))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s %+v:\ngot  %v\nwant %v", g, o, got, want)
			}
		}
	}
}

// Export's snapshot decrypts nothing: it names the secret fields that are set from the row,
// and decrypts only rows written before the names were kept.
func TestSnapshotNamesSecretsWithoutTheKey(t *testing.T) {
	t.Setenv("INTEGRATIONS_SECRET_KEY", "the right key")
	s, path := openTemp(t)
	ctx := context.Background()
	web := scope(t, integrations.Project, "acme/web")
	if _, err := s.Save(ctx, web, def(t, "jira"), client.Update{Values: map[string]string{"url": "https://jira.example", "password": "p"}, Active: on()}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("INTEGRATIONS_SECRET_KEY", "another key")
	other, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	check := func(st *Store) {
		t.Helper()
		snap, err := st.Snapshot(ctx, web)
		if err != nil {
			t.Fatal(err)
		}
		states, err := snap.States(0, true)
		if err != nil || len(states) != 1 || !states[0].Unknown["password"] || states[0].Values["password"] != "" || states[0].Values["url"] != "https://jira.example" {
			t.Fatalf("snapshot: %+v %v", states, err)
		}
	}
	check(other)
	// A row from before: the names come from decrypting, with the right key.
	if _, err := s.conn().ExecContext(ctx, "UPDATE settings SET secret_keys = ''"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Snapshot(ctx, web); err == nil {
		t.Error("an old row read with the wrong key: no error")
	}
	t.Setenv("INTEGRATIONS_SECRET_KEY", "the right key")
	right, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer right.Close()
	check(right)
}
