package gitlabfake

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/forgekit/integrations/internal/integrations"
)

const web = "/projects/acme%2Fweb/integrations/"

func TestPutActivatesAndGetOmitsSecrets(t *testing.T) {
	s := newServer(t)
	s.AddProject("acme/web", false)

	r := put(t, s, web+"slack", map[string]any{
		"webhook": "https://hooks.slack.com/x", "channel": "#dev", "push_events": false, "active": false,
	})
	m := r.obj(t)
	if r.status != 200 || m["active"] != true || m["slug"] != "slack" || m["push_events"] != false || m["inherited"] != false {
		t.Fatalf("PUT = %d %v", r.status, m)
	}
	props := m["properties"].(map[string]any)
	if _, ok := props["webhook"]; ok {
		t.Errorf("properties expose the webhook: %v", props)
	}
	if props["channel"] != "#dev" || props["notify_only_broken_pipelines"] != true || props["branches_to_be_notified"] != "default" {
		t.Errorf("properties = %v", props)
	}
	if _, ok := props["push_channel"]; !ok {
		t.Errorf("unset fields are returned as null: %v", props)
	}

	got := get(t, s, web+"slack").obj(t)
	if got["active"] != true || got["properties"].(map[string]any)["channel"] != "#dev" {
		t.Errorf("GET = %v", got)
	}
	rec := mustRecord(t, s, "project", "acme/web", "slack")
	if !rec.Active || rec.Properties["webhook"] != "https://hooks.slack.com/x" || rec.Events["push_events"] || !rec.Events["issues_events"] {
		t.Errorf("record = %+v", rec)
	}

	// Password fields are never returned either; other fields are, as stored.
	put(t, s, web+"bamboo", map[string]any{
		"bamboo_url": "https://bamboo", "build_key": "KEY", "username": "u", "password": "p",
	})
	props = get(t, s, web+"bamboo").obj(t)["properties"].(map[string]any)
	if _, ok := props["password"]; ok {
		t.Errorf("bamboo properties = %v", props)
	}
	if _, ok := props["build_key"]; ok {
		t.Errorf("bamboo properties = %v", props)
	}
	if props["username"] != "u" || props["enable_ssl_verification"] != true {
		t.Errorf("bamboo properties = %v", props)
	}

	// Discord's per-event webhooks are never returned.
	put(t, s, web+"discord", map[string]any{"webhook": "https://discord.com/api/webhooks/1", "push_channel": "https://discord.com/api/webhooks/2"})
	props = get(t, s, web+"discord").obj(t)["properties"].(map[string]any)
	for k := range props {
		if strings.HasSuffix(k, "_channel") || k == "webhook" {
			t.Errorf("discord properties expose %s", k)
		}
	}

	// The list shows active integrations, without properties.
	list := get(t, s, "/projects/acme%2Fweb/integrations").list(t)
	var slugs []string
	for _, it := range list {
		slugs = append(slugs, it["slug"].(string))
		if _, ok := it["properties"]; ok {
			t.Errorf("list item has properties: %v", it)
		}
	}
	if strings.Join(slugs, " ") != "slack bamboo discord" {
		t.Errorf("list = %v", slugs)
	}
	for _, k := range []string{
		"id", "title", "created_at", "updated_at", "commit_events", "incident_events", "job_events",
		"vulnerability_events", "comment_on_event_enabled", "inherited",
	} {
		if _, ok := list[0][k]; !ok {
			t.Errorf("list item lacks %s: %v", k, list[0])
		}
	}
}

func TestPutParameterFormats(t *testing.T) {
	s := newServer(t)
	s.AddProject("acme/web", false)

	// A form body: checkboxes and event flags from strings, numbers from strings.
	r := put(t, s, web+"irker", url.Values{
		"recipients": {"#dev"}, "server_port": {"6697"}, "colorize_messages": {"1"}, "push_events": {"false"}, "unknown": {"x"},
	})
	props := r.obj(t)["properties"].(map[string]any)
	if props["server_port"] != float64(6697) || props["colorize_messages"] != true || props["recipients"] != "#dev" {
		t.Errorf("irker properties = %v", props)
	}
	rec := mustRecord(t, s, "project", "acme/web", "irker")
	if rec.Events["push_events"] || rec.Properties["server_port"] != int64(6697) {
		t.Errorf("irker record = %+v", rec)
	}
	if _, ok := rec.Properties["unknown"]; ok {
		t.Error("undeclared parameters were stored")
	}

	// The query string works too.
	r = do(t, s, request{method: "PUT", path: web + "asana?api_key=k&restrict_to_branch=main", token: ownerToken})
	if r.status != 200 || r.obj(t)["properties"].(map[string]any)["restrict_to_branch"] != "main" {
		t.Errorf("query PUT = %d %s", r.status, r.body)
	}

	// Arrays, as JSON and as key[] form values.
	r = put(t, s, web+"jira", map[string]any{"url": "https://j", "password": "p", "project_keys": []string{"A", "B"}, "jira_auth_type": 1})
	props = r.obj(t)["properties"].(map[string]any)
	if keys, _ := props["project_keys"].([]any); len(keys) != 2 || keys[1] != "B" || props["jira_auth_type"] != float64(1) {
		t.Errorf("jira properties = %v", props)
	}
	r = put(t, s, web+"jira", url.Values{"url": {"https://j"}, "password": {"p"}, "project_keys[]": {"C"}})
	if keys, _ := r.obj(t)["properties"].(map[string]any)["project_keys"].([]any); len(keys) != 1 || keys[0] != "C" {
		t.Errorf("form array: %s", r.body)
	}

	// Bad types are Grape validation errors.
	expect(t, put(t, s, web+"irker", map[string]any{"recipients": "#dev", "server_port": "x", "push_events": "maybe"}),
		400, `{"error":"server_port is invalid, push_events is invalid"}`)
	expect(t, put(t, s, web+"asana", map[string]any{"api_key": "k", "use_inherited_settings": "perhaps"}),
		400, `{"error":"use_inherited_settings is invalid"}`)
	expect(t, do(t, s, request{
		method: "PUT", path: web + "asana", token: ownerToken, body: "{not json",
		header: map[string]string{"Content-Type": "application/json"},
	}), 400, `{"error":"message body does not match declared format"}`)
}

func TestPutRequiresEveryRequiredParam(t *testing.T) {
	s := newServer(t)
	s.AddProject("acme/web", false)
	expect(t, put(t, s, web+"bamboo", map[string]any{"bamboo_url": "https://b", "build_key": "K"}),
		400, `{"error":"username is missing, password is missing"}`)
	if _, ok := s.Integration("project", "acme/web", "bamboo"); ok {
		t.Error("a failed PUT created a record")
	}
	full := map[string]any{"bamboo_url": "https://b", "build_key": "K", "username": "u", "password": "p"}
	expect(t, put(t, s, web+"bamboo", full), 200, "")
	// An update must resend the secrets too.
	expect(t, put(t, s, web+"bamboo", map[string]any{"bamboo_url": "https://b", "build_key": "K", "username": "u"}),
		400, `{"error":"password is missing"}`)
	// Required is about presence: an empty value passes Grape.
	expect(t, put(t, s, web+"asana", map[string]any{"api_key": ""}), 200, "")
}

func TestExposesSecretsResetsPasswords(t *testing.T) {
	s := newServer(t)
	s.AddProject("acme/web", false)
	put(t, s, web+"squash-tm", map[string]any{"url": "https://a", "token": "secret"})
	put(t, s, web+"squash-tm", map[string]any{"url": "https://a"})
	if rec := mustRecord(t, s, "project", "acme/web", "squash-tm"); rec.Properties["token"] != "secret" {
		t.Fatalf("an unchanged url cleared the token: %v", rec.Properties)
	}
	put(t, s, web+"squash-tm", map[string]any{"url": "https://b", "token": "again"})
	if rec := mustRecord(t, s, "project", "acme/web", "squash-tm"); rec.Properties["token"] != "again" {
		t.Fatalf("a token sent with the new url was lost: %v", rec.Properties)
	}
	put(t, s, web+"squash-tm", map[string]any{"url": "https://c"})
	if rec := mustRecord(t, s, "project", "acme/web", "squash-tm"); rec.Properties["token"] != nil || rec.Properties["url"] != "https://c" {
		t.Fatalf("a changed url kept the token: %v", rec.Properties)
	}
}

func TestSlugs(t *testing.T) {
	s := newServer(t)
	s.AddProject("acme/web", false)
	gp := map[string]any{"package_name": "a", "service_account_key_file_name": "k.json", "service_account_key": "{}"}

	expect(t, put(t, s, web+"google_play", gp), 404, `{"error":"404 Not Found"}`)
	expect(t, put(t, s, web+"no-such-thing", gp), 404, `{"error":"404 Not Found"}`)
	expect(t, put(t, s, web+"prometheus", map[string]any{"manual_configuration": true}), 404, `{"error":"404 Not Found"}`)
	expect(t, get(t, s, web+"google_play"), 400, `{"error":"slug does not have a valid value"}`)
	expect(t, del(t, s, web+"no-such-thing"), 400, `{"error":"slug does not have a valid value"}`)
	expect(t, get(t, s, web+"google-play"), 404, `{"message":"404 Integration Not Found"}`)
	expect(t, del(t, s, web+"google-play"), 404, `{"message":"404 Integration Not Found"}`)

	r := put(t, s, web+"google-play", gp)
	if m := r.obj(t); r.status != 200 || m["slug"] != "google-play" || m["properties"].(map[string]any)["service_account_key"] != "{}" {
		t.Fatalf("PUT google-play = %d %s", r.status, r.body)
	}
	// The legacy /services alias, projects only.
	if m := get(t, s, "/projects/acme%2Fweb/services/google-play").obj(t); m["slug"] != "google-play" {
		t.Errorf("services alias = %v", m)
	}
	expect(t, get(t, s, "/groups/acme/services"), 404, `{"error":"404 Not Found"}`)
}

func TestDeleteResetsSettings(t *testing.T) {
	s := newServer(t)
	s.AddProject("acme/web", false)
	put(t, s, web+"slack", map[string]any{"webhook": "https://h", "channel": "#dev", "note_events": false})

	expect(t, del(t, s, web+"slack"), 204, "")
	rec := mustRecord(t, s, "project", "acme/web", "slack")
	if rec.Active || rec.Properties["webhook"] != nil || rec.Properties["channel"] != nil {
		t.Errorf("after DELETE: %+v", rec)
	}
	if rec.Events["note_events"] || !rec.Events["push_events"] {
		t.Errorf("DELETE changed event flags: %v", rec.Events)
	}
	m := get(t, s, web+"slack").obj(t)
	if m["active"] != false || m["properties"].(map[string]any)["channel"] != nil {
		t.Errorf("GET after DELETE = %v", m)
	}
	if l := get(t, s, "/projects/acme%2Fweb/integrations").list(t); len(l) != 0 {
		t.Errorf("list after DELETE = %v", l)
	}
	// The record is kept: DELETE again succeeds, and a PUT activates it again.
	expect(t, del(t, s, web+"slack"), 204, "")
	expect(t, put(t, s, web+"slack", map[string]any{"webhook": "https://h"}), 200, "")

	// If-Unmodified-Since before the last change.
	expect(t, do(t, s, request{
		method: "DELETE", path: web + "slack", token: ownerToken,
		header: map[string]string{"If-Unmodified-Since": time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)},
	}),
		412, `{"message":"412 Precondition Failed"}`)

	// Datadog's archive_trace_events lives in an event column: DELETE sets it to false.
	put(t, s, web+"datadog", map[string]any{"api_key": "k", "datadog_ci_visibility": true, "archive_trace_events": true})
	del(t, s, web+"datadog")
	if m := get(t, s, web+"datadog").obj(t); m["properties"].(map[string]any)["archive_trace_events"] != false {
		t.Errorf("datadog after DELETE = %v", m["properties"])
	}
}

func TestAppIntegrations(t *testing.T) {
	s := newServer(t)
	s.AddProject("acme/web", false)

	expect(t, put(t, s, web+"gitlab-slack-application", map[string]any{"channel": "#dev"}),
		422, `{"message":"You cannot create the GitLab for Slack app integration from the API"}`)
	expect(t, put(t, s, web+"jira-cloud-app", map[string]any{}),
		422, `{"message":"You cannot create the GitLab for Jira Cloud app integration from the API"}`)

	// Once the app has created them, PUT updates but leaves `active` alone.
	s.SetIntegration("project", "acme/web", "gitlab-slack-application", nil, nil, false)
	r := put(t, s, web+"gitlab-slack-application", map[string]any{"channel": "#ops", "push_events": true})
	if m := r.obj(t); r.status != 200 || m["active"] != false || m["push_events"] != true {
		t.Errorf("PUT existing app integration = %d %s", r.status, r.body)
	}
	s.SetIntegration("project", "acme/web", "jira-cloud-app", map[string]any{"jira_cloud_app_service_ids": "b:1="}, nil, true)
	expect(t, put(t, s, web+"jira-cloud-app", map[string]any{"jira_cloud_app_enable_deployment_gating": "false"}), 200, "")
	expect(t, del(t, s, web+"jira-cloud-app"),
		422, `{"message":"You cannot disable the GitLab for Jira Cloud app integration from the API"}`)
	if rec := mustRecord(t, s, "project", "acme/web", "jira-cloud-app"); !rec.Active || rec.Properties["jira_cloud_app_service_ids"] != "b:1=" {
		t.Errorf("jira-cloud-app = %+v", rec)
	}
}

func TestGroupLevelRules(t *testing.T) {
	s := newServer(t)
	s.AddGroup("acme")
	jenkins := map[string]any{"jenkins_url": "https://j", "project_name": "p"}
	expect(t, put(t, s, "/groups/acme/integrations/jenkins", jenkins), 400, `{"message":"400 Integration not available"}`)
	// Grape validates parameters first.
	expect(t, put(t, s, "/groups/acme/integrations/jenkins", map[string]any{}), 400, `{"error":"jenkins_url is missing, project_name is missing"}`)
	expect(t, get(t, s, "/groups/acme/integrations/jenkins"), 400, `{"message":"400 Integration not available"}`)
	expect(t, del(t, s, "/groups/acme/integrations/google-play"), 400, `{"message":"400 Integration not available"}`)
	expect(t, get(t, s, "/groups/acme/integrations/nope"), 400, `{"error":"slug does not have a valid value"}`)
	expect(t, get(t, s, "/groups/acme/integrations/slack"), 404, `{"message":"404 Integration Not Found"}`)
	expect(t, put(t, s, "/groups/nope/integrations/slack", map[string]any{"webhook": "https://h"}), 404, `{"message":"404 Group Not Found"}`)

	r := put(t, s, "/groups/acme/integrations/slack", map[string]any{"webhook": "https://h"})
	if m := r.obj(t); r.status != 200 || m["active"] != true || m["inherited"] != false {
		t.Errorf("group PUT = %d %s", r.status, r.body)
	}
	if l := get(t, s, "/groups/acme/integrations").list(t); len(l) != 1 || l[0]["slug"] != "slack" {
		t.Errorf("group list = %v", l)
	}
}

func TestInheritance(t *testing.T) {
	s := newServer(t)
	s.AddProject("acme/web", false)
	s.AddProject("acme/api", false)
	s.AddProject("acme/team/svc", false)
	s.AddProject("lone/x", false)
	hook := func(v string) map[string]any { return map[string]any{"webhook": v} }

	// No default anywhere.
	expect(t, put(t, s, "/projects/lone%2Fx/integrations/slack", map[string]any{"webhook": "https://x", "use_inherited_settings": true}),
		400, `{"message":"Default integration not found."}`)
	if _, ok := s.Integration("project", "lone/x", "slack"); ok {
		t.Error("a failed inherit created a record")
	}

	// A group save propagates to descendants without a record.
	put(t, s, "/groups/acme/integrations/slack", hook("https://group"))
	for _, p := range []string{"acme/web", "acme/api", "acme/team/svc"} {
		rec := mustRecord(t, s, "project", p, "slack")
		if !rec.Inherited || rec.InheritFrom != "group:acme" || !rec.Active || rec.Properties["webhook"] != "https://group" {
			t.Errorf("%s after group save = %+v", p, rec)
		}
	}
	if rec := mustRecord(t, s, "group", "acme/team", "slack"); rec.InheritFrom != "group:acme" {
		t.Errorf("subgroup = %+v", rec)
	}
	if m := get(t, s, web+"slack").obj(t); m["inherited"] != true {
		t.Errorf("GET inherited = %v", m["inherited"])
	}

	// Values sent to an inheriting record without use_inherited_settings are ignored.
	r := put(t, s, web+"slack", map[string]any{"webhook": "https://mine", "channel": "#mine"})
	if m := r.obj(t); r.status != 200 || m["inherited"] != true || m["properties"].(map[string]any)["channel"] != nil {
		t.Errorf("PUT to inheriting = %d %s", r.status, r.body)
	}
	if rec := mustRecord(t, s, "project", "acme/web", "slack"); rec.Properties["webhook"] != "https://group" {
		t.Errorf("ignored values were stored: %+v", rec)
	}

	// use_inherited_settings=false makes them custom.
	r = put(t, s, web+"slack", map[string]any{"webhook": "https://mine", "channel": "#mine", "use_inherited_settings": "false"})
	if m := r.obj(t); m["inherited"] != false || m["properties"].(map[string]any)["channel"] != "#mine" {
		t.Errorf("PUT custom = %s", r.body)
	}

	// A custom subgroup becomes its projects' default.
	put(t, s, "/groups/acme%2Fteam/integrations/slack", map[string]any{"webhook": "https://team", "use_inherited_settings": false})
	if rec := mustRecord(t, s, "project", "acme/team/svc", "slack"); rec.InheritFrom != "group:acme/team" || rec.Properties["webhook"] != "https://team" {
		t.Errorf("svc after subgroup save = %+v", rec)
	}

	// The next group save reaches inheriting records only.
	put(t, s, "/groups/acme/integrations/slack", map[string]any{"webhook": "https://group2", "channel": "#all"})
	if rec := mustRecord(t, s, "project", "acme/api", "slack"); rec.Properties["webhook"] != "https://group2" || rec.Properties["channel"] != "#all" {
		t.Errorf("api = %+v", rec)
	}
	if rec := mustRecord(t, s, "project", "acme/web", "slack"); rec.Properties["webhook"] != "https://mine" || rec.Inherited {
		t.Errorf("custom web was overwritten: %+v", rec)
	}
	if rec := mustRecord(t, s, "project", "acme/team/svc", "slack"); rec.Properties["webhook"] != "https://team" {
		t.Errorf("svc below a custom subgroup was overwritten: %+v", rec)
	}

	// use_inherited_settings=true links to the closest default and copies it.
	r = put(t, s, web+"slack", map[string]any{"webhook": "https://ignored", "use_inherited_settings": true})
	if m := r.obj(t); r.status != 200 || m["inherited"] != true || m["properties"].(map[string]any)["channel"] != "#all" {
		t.Errorf("PUT inherit = %d %s", r.status, r.body)
	}
	if rec := mustRecord(t, s, "project", "acme/web", "slack"); rec.InheritFrom != "group:acme" || rec.Properties["webhook"] != "https://group2" {
		t.Errorf("web after inherit = %+v", rec)
	}

	// When the subgroup goes back to inheriting, its projects follow the group above.
	put(t, s, "/groups/acme%2Fteam/integrations/slack", map[string]any{"webhook": "https://x", "use_inherited_settings": true})
	if rec := mustRecord(t, s, "project", "acme/team/svc", "slack"); rec.InheritFrom != "group:acme" || rec.Properties["webhook"] != "https://group2" {
		t.Errorf("svc after subgroup inherits = %+v", rec)
	}

	// New projects start from the closest active default.
	s.AddProject("acme/team/new", false)
	if rec := mustRecord(t, s, "project", "acme/team/new", "slack"); rec.InheritFrom != "group:acme" || !rec.Active {
		t.Errorf("new project = %+v", rec)
	}
}

func TestInstanceDefaults(t *testing.T) {
	s := newServer(t)
	s.AddProject("acme/web", false)
	s.AddProject("acme/old", true)
	s.AddProject("beta/app", false)
	put(t, s, "/projects/beta%2Fapp/integrations/pumble", map[string]any{"webhook": "https://own"})

	s.SetInstanceIntegration("pumble", map[string]any{"webhook": "https://instance"}, map[string]bool{"push": false}, true)
	rec := mustRecord(t, s, "project", "acme/web", "pumble")
	if rec.InheritFrom != "instance" || rec.Properties["webhook"] != "https://instance" || rec.Events["push_events"] || !rec.Active {
		t.Errorf("acme/web = %+v", rec)
	}
	if rec := mustRecord(t, s, "group", "acme", "pumble"); rec.InheritFrom != "instance" {
		t.Errorf("group acme = %+v", rec)
	}
	if _, ok := s.Integration("project", "acme/old", "pumble"); ok {
		t.Error("an archived project got the instance default")
	}
	if rec := mustRecord(t, s, "project", "beta/app", "pumble"); rec.Inherited || rec.Properties["webhook"] != "https://own" {
		t.Errorf("custom beta/app = %+v", rec)
	}
	if rec := mustRecord(t, s, "instance", "", "pumble"); rec.Inherited || !rec.Active {
		t.Errorf("instance record = %+v", rec)
	}

	s.SetInstanceIntegration("pumble", map[string]any{"webhook": "https://instance2"}, nil, true)
	if rec := mustRecord(t, s, "project", "acme/web", "pumble"); rec.Properties["webhook"] != "https://instance2" {
		t.Errorf("acme/web after update = %+v", rec)
	}

	// A custom group becomes the default below it; the instance is the fallback elsewhere.
	put(t, s, "/groups/acme/integrations/pumble", map[string]any{"webhook": "https://acme", "use_inherited_settings": false})
	put(t, s, "/projects/beta%2Fapp/integrations/pumble", map[string]any{"webhook": "x", "use_inherited_settings": true})
	if rec := mustRecord(t, s, "project", "beta/app", "pumble"); rec.InheritFrom != "instance" || rec.Properties["webhook"] != "https://instance2" {
		t.Errorf("beta/app inheriting = %+v", rec)
	}
	if rec := mustRecord(t, s, "project", "acme/web", "pumble"); rec.InheritFrom != "group:acme" || rec.Properties["webhook"] != "https://acme" {
		t.Errorf("acme/web below a custom group = %+v", rec)
	}
}

func TestDatadogEvents(t *testing.T) {
	s := newServer(t)
	s.AddProject("acme/web", false)
	r := put(t, s, web+"datadog", map[string]any{
		"api_key": "k", "datadog_ci_visibility": false, "pipeline_events": true, "build_events": true, "archive_trace_events": true,
	})
	m := r.obj(t)
	if r.status != 200 || m["pipeline_events"] != false || m["job_events"] != false {
		t.Errorf("CI visibility decides pipeline and job events: %s", r.body)
	}
	if p := m["properties"].(map[string]any); p["archive_trace_events"] != true || p["datadog_site"] != "datadoghq.com" {
		t.Errorf("datadog properties = %v", p)
	}
	if _, ok := m["properties"].(map[string]any)["api_key"]; ok {
		t.Error("api_key returned")
	}
}

// TestEveryCatalogIntegration saves each integration of the API with its required fields only,
// at project and (where offered) group level, and reads it back.
func TestEveryCatalogIntegration(t *testing.T) {
	s := newServer(t)
	s.AddProject("acme/web", false)
	for _, d := range integrations.Catalog() {
		sp := s.specs.byName[d.Name]
		if sp == nil || d.NoAPICreate {
			continue
		}
		body := map[string]any{}
		for _, f := range d.Fields {
			if !f.Required {
				continue
			}
			switch f.Kind {
			case integrations.Checkbox:
				body[f.Key] = true
			case integrations.Number:
				body[f.Key] = 1
			case integrations.StringArray:
				body[f.Key] = []string{"a"}
			default:
				body[f.Key] = "v"
			}
		}
		levels := []string{"/projects/acme%2Fweb"}
		if d.SupportsLevel(integrations.Group) {
			levels = append(levels, "/groups/acme")
		}
		for _, base := range levels {
			r := put(t, s, base+"/integrations/"+d.APISlug, body)
			if r.status != 200 {
				t.Errorf("PUT %s %s = %d %s", base, d.APISlug, r.status, r.body)
				continue
			}
			m := r.obj(t)
			props := m["properties"].(map[string]any)
			for _, f := range d.Fields {
				if _, declared := sp.fieldKinds[f.Key]; !declared {
					if _, shown := props[f.Key]; shown {
						t.Errorf("%s %s: %s is not declared by this version but shown", base, d.Name, f.Key)
					}
					continue
				}
				_, shown := props[f.Key]
				if hidden := f.Secret || f.Kind == integrations.Password; shown == hidden {
					t.Errorf("%s %s: %s shown=%v", base, d.Name, f.Key, shown)
				}
			}
			if m["title"] != d.Title || m["active"] != true {
				t.Errorf("%s %s: %v", base, d.Name, m)
			}
		}
	}
	slugs := []string{}
	for _, it := range get(t, s, "/projects/acme%2Fweb/integrations").list(t) {
		slugs = append(slugs, it["slug"].(string))
	}
	if !slices.Contains(slugs, "microsoft-teams") || slices.Contains(slugs, "mock-ci") {
		t.Errorf("project list = %v", slugs)
	}
}
