package manifest

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/integrations"
)

// The streamed export of the local store, which decrypts nothing, is byte for byte the export
// made through List and Get, for the whole store, a group and a project.
func TestStreamedExportIsTheExport(t *testing.T) {
	t.Setenv("INTEGRATIONS_SECRET_KEY", "manifest tests")
	ctx := context.Background()
	s := openStore(t)
	on, off := true, false
	for _, w := range []struct {
		scope  client.Scope
		name   string
		values map[string]string
		events map[string]bool
		active *bool
	}{
		{client.InstanceScope, "slack", map[string]string{"webhook": "https://h.example/i", "channel": "#all"}, nil, &on},
		{client.Scope{Level: integrations.Group, Path: "acme"}, "jira", map[string]string{"url": "https://jira.example", "password": "p"}, nil, &on},
		{client.Scope{Level: integrations.Project, Path: "acme/web"}, "datadog", map[string]string{"api_key": "k", "datadog_tags": "a:b\nc:d", "datadog_env": "it's: \"prod\""}, nil, &off},
		{client.Scope{Level: integrations.Project, Path: "acme/p10"}, "jenkins", map[string]string{"jenkins_url": "https://ci.example", "project_name": "x"}, map[string]bool{"push": false, "tag_push": true}, &on},
		{client.Scope{Level: integrations.Project, Path: "acme/p2"}, "jenkins", map[string]string{"jenkins_url": "https://ci.example", "project_name": "1e3", "password": ""}, nil, &on},
		{client.Scope{Level: integrations.Project, Path: "Acme/P3"}, "emails_on_push", map[string]string{"recipients": "a@example.com"}, nil, &on},
		{client.Scope{Level: integrations.Group, Path: "acme/sub"}, "jira", map[string]string{"url": "https://jira2.example", "password": "q"}, nil, &off},
	} {
		if _, err := s.Save(ctx, w.scope, lookup(t, w.name), client.Update{Values: w.values, Events: w.events, Active: w.active}); err != nil {
			t.Fatalf("%s %s: %v", w.scope, w.name, err)
		}
	}
	if _, err := s.Ensure(ctx, client.Scope{Level: integrations.Project, Path: "acme/sub/deep/x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Ensure(ctx, client.Scope{Level: integrations.Project, Path: "tools/none"}); err != nil {
		t.Fatal(err)
	}
	header := func(needed []string) string { return "test export\nneeds: " + strings.Join(needed, ", ") }
	for _, root := range []client.Scope{{}, {Level: integrations.Group, Path: "acme"}, {Level: integrations.Project, Path: "acme/web"}} {
		var scopes []client.Scope
		switch root.Level {
		case "":
			all, err := s.Scopes(ctx)
			if err != nil {
				t.Fatal(err)
			}
			scopes = all
		case integrations.Group:
			err := s.Walk(ctx, root, client.WalkOptions{Subgroups: true, Groups: true, Archived: true}, func(ns client.Namespace) error {
				scopes = append(scopes, ns.Scope)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		default:
			r, err := s.Resolve(ctx, root)
			if err != nil {
				t.Fatal(err)
			}
			scopes = []client.Scope{r}
		}
		file, needed, err := (&Exporter{Backend: s}).Export(ctx, scopes)
		if err != nil {
			t.Fatal(err)
		}
		want, err := Encode(file, header(needed))
		if err != nil {
			t.Fatal(err)
		}
		snap, err := s.Snapshot(ctx, root)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		n, err := WriteSnapshot(&got, snap, header)
		if err != nil {
			t.Fatal(err)
		}
		if got.String() != string(want) || n != len(file.Scopes) {
			t.Errorf("export of %v: %d scopes, want %d\ngot:\n%s\nwant:\n%s", root, n, len(file.Scopes), got.String(), want)
		}
	}
	// Nothing configured anywhere: the empty manifest.
	empty := openStore(t)
	if _, err := empty.Ensure(ctx, client.Scope{Level: integrations.Project, Path: "tools/none"}); err != nil {
		t.Fatal(err)
	}
	snap, err := empty.Snapshot(ctx, client.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if _, err := WriteSnapshot(&got, snap, header); err != nil {
		t.Fatal(err)
	}
	want, _ := Encode(File{Version: Version, Scopes: map[string]*ScopeSettings{}}, header(nil))
	if got.String() != string(want) {
		t.Errorf("empty export:\n%s\nwant:\n%s", got.String(), want)
	}
}
