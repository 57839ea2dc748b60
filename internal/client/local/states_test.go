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
