package delivery

import (
	"encoding/json"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// payloadShapes are, per event, the object_kind and the top-level keys GitLab's webhook
// documentation shows for it (doc/user/project/integrations/webhook_events.md, and the data
// builders for the events the page does not show).
var payloadShapes = map[string]struct {
	kind string
	keys []string
}{
	"push": {"push", []string{
		"object_kind", "event_name", "before", "after", "ref", "ref_protected", "checkout_sha",
		"user_id", "user_name", "user_username", "user_email", "user_avatar", "project_id", "project", "repository",
		"commits", "total_commits_count",
	}},
	"commit": {"push", []string{"object_kind", "before", "after", "ref", "commits"}},
	"tag_push": {"tag_push", []string{
		"object_kind", "event_name", "before", "after", "ref", "checkout_sha",
		"user_id", "user_name", "user_avatar", "project_id", "project", "repository", "commits", "total_commits_count",
	}},
	"issue":                  {"issue", []string{"object_kind", "event_type", "user", "project", "object_attributes", "repository", "assignees", "labels", "changes"}},
	"confidential_issue":     {"issue", []string{"object_kind", "event_type", "user", "project", "object_attributes", "repository"}},
	"work_item":              {"work_item", []string{"object_kind", "event_type", "user", "project", "object_attributes", "repository"}},
	"confidential_work_item": {"work_item", []string{"object_kind", "event_type", "user", "project", "object_attributes"}},
	"incident":               {"incident", []string{"object_kind", "event_type", "user", "project", "object_attributes"}},
	"merge_request": {"merge_request", []string{
		"object_kind", "event_type", "user", "project", "repository",
		"object_attributes", "labels", "changes", "assignees", "reviewers",
	}},
	"note":                       {"note", []string{"object_kind", "event_type", "user", "project_id", "project", "repository", "object_attributes", "issue"}},
	"confidential_note":          {"note", []string{"object_kind", "event_type", "user", "project_id", "project", "object_attributes", "issue"}},
	"group_mention":              {"group_mention", []string{"object_kind", "mentioned", "user", "project", "object_attributes", "issue"}},
	"group_confidential_mention": {"group_mention", []string{"object_kind", "mentioned", "user", "project", "object_attributes", "issue"}},
	"pipeline":                   {"pipeline", []string{"object_kind", "object_attributes", "merge_request", "user", "project", "commit", "builds"}},
	"build": {"build", []string{
		"object_kind", "ref", "tag", "before_sha", "sha", "build_id", "build_name", "build_stage",
		"build_status", "build_created_at", "build_started_at", "build_finished_at", "build_created_at_iso",
		"build_duration", "build_queued_duration", "build_allow_failure", "build_failure_reason", "pipeline_id",
		"project_id", "project_name", "user", "commit", "repository", "project", "runner", "environment",
	}},
	"archive_trace": {"archive_trace", []string{"object_kind", "trace_url", "build_id", "pipeline_id", "project"}},
	"wiki_page":     {"wiki_page", []string{"object_kind", "user", "project", "wiki", "object_attributes"}},
	"deployment": {"deployment", []string{
		"object_kind", "status", "status_changed_at", "deployment_id", "deployable_id",
		"deployable_url", "environment", "project", "short_sha", "user", "user_url", "commit_url", "commit_title",
	}},
	"alert":         {"alert", []string{"object_kind", "object_attributes"}},
	"vulnerability": {"vulnerability", []string{"object_kind", "object_attributes"}},
	"project": {"project", []string{
		"event_name", "created_at", "updated_at", "name", "path", "path_with_namespace",
		"project_id", "project_namespace_id", "owners", "project_visibility",
	}},
	"subgroup": {"subgroup", []string{
		"event_name", "created_at", "updated_at", "name", "path", "full_path", "group_id",
		"parent_group_id", "parent_name", "parent_path", "parent_full_path",
	}},
}

func payloadEvents() []string {
	events := make([]string, 0, len(hookNames))
	for e := range hookNames {
		events = append(events, e)
	}
	sort.Strings(events)
	return events
}

func payloadDecode(t *testing.T, s Sample) map[string]any {
	t.Helper()
	b, err := json.Marshal(s.Payload())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPayloadShapes(t *testing.T) {
	for _, ev := range payloadEvents() {
		t.Run(ev, func(t *testing.T) {
			shape, ok := payloadShapes[ev]
			if !ok {
				t.Fatalf("no documented shape for %s", ev)
			}
			m := payloadDecode(t, NewSample(ev, "acme/web", "https://gitlab.example.com"))
			if m["object_kind"] != shape.kind {
				t.Errorf("object_kind = %v, want %s", m["object_kind"], shape.kind)
			}
			for _, k := range shape.keys {
				if _, ok := m[k]; !ok {
					t.Errorf("no %q key", k)
				}
			}
		})
	}
}

// TestPayloadGolden keeps every event's payload in a golden file, for review against GitLab's
// documented examples.
func TestPayloadGolden(t *testing.T) {
	for _, ev := range payloadEvents() {
		t.Run(ev, func(t *testing.T) {
			b, err := json.Marshal(NewSample(ev, "acme/web", "https://gitlab.example.com").Payload())
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "payload_"+ev+".json", b)
		})
	}
}

// Receivers parse the payload by GitLab's documented shape, so a second sample of the same event
// must give the same body, byte for byte: the golden file.
func TestPayloadDeterministic(t *testing.T) {
	for _, ev := range payloadEvents() {
		a, _ := json.Marshal(NewSample(ev, "acme/web", "https://gitlab.example.com").Payload())
		b, _ := json.Marshal(NewSample(ev, "acme/web", "https://gitlab.example.com").Payload())
		if string(a) != string(b) {
			t.Errorf("%s: two payloads of one sample differ", ev)
		}
		golden(t, "payload_"+ev+".json", a)
	}
}

// pushDocumentedKeys is the key structure of the push event example in GitLab's webhook events
// documentation (docs.gitlab.com, user/project/integrations/webhook_events, "Push events"); an
// empty object or list counts as a leaf. The golden file is generated by our code, so this is what
// says it is GitLab's format.
var pushDocumentedKeys = []string{
	"after", "before", "checkout_sha",
	"commits[].added", "commits[].author.email", "commits[].author.name", "commits[].id", "commits[].message",
	"commits[].modified", "commits[].removed", "commits[].timestamp", "commits[].title", "commits[].url",
	"event_name", "message", "object_kind",
	"project.avatar_url", "project.ci_config_path", "project.default_branch", "project.description",
	"project.git_http_url", "project.git_ssh_url", "project.homepage", "project.http_url", "project.id",
	"project.name", "project.namespace", "project.path_with_namespace", "project.ssh_url", "project.url",
	"project.visibility_level", "project.web_url",
	"project_id", "push_options", "ref", "ref_protected",
	"repository.description", "repository.git_http_url", "repository.git_ssh_url", "repository.homepage",
	"repository.name", "repository.url", "repository.visibility_level",
	"total_commits_count", "user_avatar", "user_email", "user_id", "user_name", "user_username",
}

func TestPayloadPushAsDocumented(t *testing.T) {
	got := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if len(v) == 0 {
				got[prefix] = true
			}
			for k, x := range v {
				if prefix != "" {
					k = prefix + "." + k
				}
				walk(k, x)
			}
		case []any:
			// A list of values (commits' file lists) is a leaf; a list of objects has keys.
			if m, ok := firstObject(v); ok {
				walk(prefix+"[]", m)
				return
			}
			got[prefix] = true
		default:
			got[prefix] = true
		}
	}
	walk("", payloadDecode(t, NewSample("push", "acme/web", "https://gitlab.example.com")))
	for _, k := range pushDocumentedKeys {
		if !got[k] {
			t.Errorf("GitLab's documented push payload has %s; ours does not", k)
		}
		delete(got, k)
	}
	for k := range got {
		t.Errorf("our push payload has %s, which GitLab's documented example does not", k)
	}
}

func firstObject(v []any) (map[string]any, bool) {
	if len(v) == 0 {
		return nil, false
	}
	m, ok := v[0].(map[string]any)
	return m, ok
}

func TestPayloadFollowsTheSample(t *testing.T) {
	s := NewSample("push", "group/sub/app", "https://git.acme.test/")
	m := payloadDecode(t, s)
	p := m["project"].(map[string]any)
	want := map[string]any{
		"path_with_namespace": "group/sub/app", "name": "app", "namespace": "group/sub",
		"web_url": "https://git.acme.test/group/sub/app", "git_ssh_url": "git@git.acme.test:group/sub/app.git",
		"git_http_url": "https://git.acme.test/group/sub/app.git", "default_branch": "main",
	}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("project.%s = %v, want %v", k, p[k], v)
		}
	}
	if m["ref"] != "refs/heads/main" || m["after"] != s.After || m["before"] != s.Before || m["checkout_sha"] != s.After {
		t.Errorf("ref/before/after = %v %v %v", m["ref"], m["before"], m["after"])
	}
	if m["user_username"] != s.User.Username || m["user_id"] != float64(s.User.ID) {
		t.Errorf("user = %v/%v", m["user_username"], m["user_id"])
	}

	tag := payloadDecode(t, NewSample("tag_push", "acme/web", ""))
	if tag["ref"] != "refs/tags/v1.0.0" || tag["before"] != payloadZeroSHA {
		t.Errorf("tag push ref/before = %v %v", tag["ref"], tag["before"])
	}

	mr := payloadDecode(t, NewSample("merge_request", "acme/web", ""))["object_attributes"].(map[string]any)
	if mr["iid"] != float64(1) || mr["action"] != "open" || mr["state"] != "opened" || mr["target_branch"] != "main" {
		t.Errorf("merge request attributes = %v", mr)
	}

	note := payloadDecode(t, NewSample("note", "acme/web", ""))
	na := note["object_attributes"].(map[string]any)
	if na["noteable_type"] != "Issue" || na["note"] != "A test comment from integrations" || !strings.HasSuffix(na["url"].(string), "#note_1") {
		t.Errorf("note attributes = %v", na)
	}
	if iss := note["issue"].(map[string]any); strings.Contains(iss["url"].(string), "#") {
		t.Errorf("note issue url = %v, want the issue's own URL", iss["url"])
	}

	conf := payloadDecode(t, NewSample("confidential_issue", "acme/web", ""))
	if conf["event_type"] != "confidential_issue" || conf["object_attributes"].(map[string]any)["confidential"] != true {
		t.Errorf("confidential issue = %v / %v", conf["event_type"], conf["object_attributes"])
	}
}

// TestPayloadTimes checks that times are written as GitLab writes them in each event.
func TestPayloadTimes(t *testing.T) {
	utc := regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$`)
	iso := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
	isoMillis := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	offset := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$`)
	get := func(m map[string]any, path ...string) string {
		var v any = m
		for _, p := range path {
			switch x := v.(type) {
			case map[string]any:
				v = x[p]
			case []any:
				v = x[0].(map[string]any)[p]
			}
		}
		s, _ := v.(string)
		return s
	}
	for _, tc := range []struct {
		event string
		path  []string
		re    *regexp.Regexp
	}{
		{"push", []string{"commits", "timestamp"}, offset},
		{"issue", []string{"object_attributes", "created_at"}, iso},
		{"merge_request", []string{"object_attributes", "updated_at"}, iso},
		{"note", []string{"object_attributes", "created_at"}, utc},
		{"pipeline", []string{"object_attributes", "created_at"}, utc},
		{"pipeline", []string{"builds", "finished_at"}, utc},
		{"build", []string{"build_started_at"}, utc},
		{"build", []string{"build_started_at_iso"}, iso},
		{"deployment", []string{"status_changed_at"}, utc},
		{"vulnerability", []string{"object_attributes", "created_at"}, isoMillis},
		{"subgroup", []string{"created_at"}, iso},
	} {
		m := payloadDecode(t, NewSample(tc.event, "acme/web", ""))
		if got := get(m, tc.path...); !tc.re.MatchString(got) {
			t.Errorf("%s %v = %q, want it to match %s", tc.event, tc.path, got, tc.re)
		}
	}
	if got := payloadUTC(NewSample("push", "", "").Time); got != "2026-01-15 10:30:00 UTC" {
		t.Errorf("payloadUTC = %q", got)
	}
}

// TestPayloadUsesNoSharedState guards against payloads sharing maps: changing one must not
// change the next.
func TestPayloadUsesNoSharedState(t *testing.T) {
	s := NewSample("push", "acme/web", "")
	a := s.Payload()
	a["project"].(map[string]any)["name"] = "changed"
	if b := s.Payload(); reflect.DeepEqual(a["project"], b["project"]) {
		t.Error("a change to one payload shows in the next")
	}
}

// Work item events deliver work items of a non-issue type, not issues.
func TestWorkItemPayloadsAreWorkItems(t *testing.T) {
	for _, ev := range []string{"work_item", "confidential_work_item"} {
		p := payloadDecode(t, NewSample(ev, "acme/web", ""))
		attrs, _ := p["object_attributes"].(map[string]any)
		if p["object_kind"] != "work_item" || p["event_type"] != ev || attrs["type"] != "Task" {
			t.Errorf("%s: object_kind %v, event_type %v, type %v", ev, p["object_kind"], p["event_type"], attrs["type"])
		}
	}
}
