package gitlabfake

import (
	"testing"
)

// The fake keeps what its version's OpenAPI declares and answers 200 for the rest, as GitLab
// does; it must be able to disagree with the catalog.
func TestDeclaredParamsFollowTheVersion(t *testing.T) {
	body := map[string]any{"webhook": "https://discord.com/api/webhooks/1", "work_item_events": true, "push_events": false}
	for _, c := range []struct {
		version  string
		workItem bool
	}{{"18.6.0-ee", false}, {"19.5.0-ee", true}} {
		s := newServer(t, WithVersion(c.version))
		s.AddProject("acme/web", false)
		r := put(t, s, web+"discord", body)
		if r.status != 200 {
			t.Fatalf("%s: PUT = %d %s", c.version, r.status, r.body)
		}
		rec := mustRecord(t, s, "project", "acme/web", "discord")
		if got := rec.Events["work_item_events"]; got != c.workItem {
			t.Errorf("%s: work_item_events stored = %v, want %v", c.version, got, c.workItem)
		}
		if rec.Events["push_events"] {
			t.Errorf("%s: push_events not stored", c.version)
		}
		// GET renders only the entity's event flags: never the work item ones.
		m := get(t, s, web+"discord").obj(t)
		if _, ok := m["work_item_events"]; ok {
			t.Errorf("%s: GET returns work_item_events", c.version)
		}
		if _, ok := m["push_events"]; !ok {
			t.Errorf("%s: GET lacks push_events", c.version)
		}
	}
}

func TestUndeclaredParamsAreDroppedWith200(t *testing.T) {
	s := newServer(t)
	s.AddProject("acme/web", false)
	r := put(t, s, web+"jira", map[string]any{"url": "https://j.example.com", "password": "p", "jira_issue_transition_automatic": true, "group_mention_events": true})
	if r.status != 200 {
		t.Fatalf("PUT = %d %s", r.status, r.body)
	}
	rec := mustRecord(t, s, "project", "acme/web", "jira")
	if _, ok := rec.Properties["jira_issue_transition_automatic"]; ok {
		t.Errorf("kept an undeclared parameter: %v", rec.Properties)
	}
	if props := r.obj(t)["properties"].(map[string]any); props["jira_issue_transition_automatic"] != nil {
		t.Errorf("returned an undeclared parameter: %v", props)
	}
}

func TestSlackSlashCommandsGoneIn19(t *testing.T) {
	s := newServer(t, WithVersion("19.5.0-ee"))
	s.AddProject("acme/web", false)
	if r := put(t, s, web+"slack-slash-commands", map[string]any{"token": "t"}); r.status != 404 {
		t.Errorf("19.5 PUT slack-slash-commands = %d %s", r.status, r.body)
	}
	old := newServer(t, WithVersion("18.6.0-ee"))
	old.AddProject("acme/web", false)
	if r := put(t, old, web+"slack-slash-commands", map[string]any{"token": "t"}); r.status != 200 {
		t.Errorf("18.6 PUT slack-slash-commands = %d %s", r.status, r.body)
	}
}

func TestWithoutParams(t *testing.T) {
	s := newServer(t, WithoutParams("slack", "channel"))
	s.AddProject("acme/web", false)
	put(t, s, web+"slack", map[string]any{"webhook": "https://hooks.slack.com/x", "channel": "#dev", "username": "bot"})
	rec := mustRecord(t, s, "project", "acme/web", "slack")
	if rec.Properties["channel"] != nil || rec.Properties["username"] != "bot" {
		t.Errorf("properties = %v", rec.Properties)
	}
}
