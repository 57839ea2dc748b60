package integrations

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// reference mirrors testdata/gitlab-integrations.json, a copy of the facts read from GitLab's
// source. The catalog is sent to real servers, so it must not drift from them.
type reference struct {
	Events []struct {
		Name    string `json:"name"`
		APIFlag string `json:"api_flag"`
	} `json:"events"`
	Integrations []refIntegration `json:"integrations"`
}

type refIntegration struct {
	Name          string          `json:"name"`
	APISlug       *string         `json:"api_slug"`
	LegacyType    *string         `json:"legacy_type"`
	Levels        []string        `json:"levels"`
	Category      string          `json:"category"`
	Status        string          `json:"status"`
	EEOnly        *bool           `json:"ee_only"`
	DevOnly       *bool           `json:"dev_only"`
	Fields        []refField      `json:"fields"`
	Events        []string        `json:"supported_events"`
	GroupEvents   []string        `json:"supported_events_group_level_extra"`
	EEEvents      []string        `json:"supported_events_ee_extra"`
	DefaultEvents map[string]bool `json:"default_events"`
	EventFields   json.RawMessage `json:"event_fields"`
	WebhookLogs   *bool           `json:"has_webhook_request_logs"`
	Testable      *struct {
		Testable *bool `json:"testable"`
	} `json:"testable"`
}

type refField struct {
	Name           string `json:"name"`
	Type           *string
	Required       any   `json:"required"`
	Choices        []any `json:"choices"`
	Default        any   `json:"default"`
	APIOnly        *bool `json:"api_only"`
	Secret         *bool `json:"secret"`
	Sensitive      bool  `json:"sensitive"`
	Section        *string
	ExposesSecrets bool `json:"exposes_secrets"`
}

func loadReference(t *testing.T) reference {
	t.Helper()
	raw, err := os.ReadFile("testdata/gitlab-integrations.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	return ref
}

func TestCatalogHasExactlyTheReferenceIntegrations(t *testing.T) {
	ref := loadReference(t)
	var want []string
	for _, ri := range ref.Integrations {
		want = append(want, ri.Name)
	}
	slices.Sort(want)
	if got := Names(); !slices.Equal(got, want) {
		t.Errorf("catalog names differ from the reference\n got: %v\nwant: %v", got, want)
	}
}

// referenceCorrections are where GitLab's OpenAPI (testdata of the GitLab fake, see
// catalog_openapi_test.go) shows the reference wrong; the OpenAPI wins. Each names its reason.
var referenceCorrections = map[string]func(ri *refIntegration){
	// archive_trace_events is one parameter, a field; build_events is stored as job_events and
	// decided by datadog_ci_visibility, so neither is an event.
	"datadog": func(ri *refIntegration) {
		ri.Events = slices.DeleteFunc(ri.Events, func(e string) bool { return e == "build" || e == "archive_trace" })
		delete(ri.DefaultEvents, "job_events")
	},
	// The API declares notify_only_when_pipeline_status_changes for these too.
	// hangouts-chat and pumble also declare the work item events, from 19.5.
	"hangouts_chat":            both(addPipelineStatusChanges(), addEvents("work_item", "confidential_work_item")),
	"pumble":                   both(addPipelineStatusChanges(), addEvents("work_item", "confidential_work_item")),
	"webex_teams":              addPipelineStatusChanges(),
	"gitlab_slack_application": addPipelineStatusChanges(),
	// GitLab EE declares vulnerability_events for these too.
	"matrix":     func(ri *refIntegration) { ri.EEEvents = []string{"vulnerability"} },
	"telegram":   func(ri *refIntegration) { ri.EEEvents = []string{"vulnerability"} },
	"mattermost": func(ri *refIntegration) { ri.EEEvents = []string{"vulnerability"} },
	// Jira Cloud service accounts (2) are accepted from 19.x.
	"jira": func(ri *refIntegration) {
		for i := range ri.Fields {
			if ri.Fields[i].Name == "jira_auth_type" {
				ri.Fields[i].Choices = append(ri.Fields[i].Choices, float64(2))
			}
		}
	},
	// Gone from the 19.x routes.
	"slack_slash_commands": func(ri *refIntegration) { ri.Status = "removed" },
}

func both(a, b func(*refIntegration)) func(*refIntegration) {
	return func(ri *refIntegration) { a(ri); b(ri) }
}

func addEvents(names ...string) func(*refIntegration) {
	return func(ri *refIntegration) { ri.Events = append(ri.Events, names...) }
}

// addPipelineStatusChanges inserts the newer checkbox notify_only_when_pipeline_status_changes
// after notify_only_broken_pipelines, where GitLab added it.
func addPipelineStatusChanges() func(ri *refIntegration) {
	const name = "notify_only_when_pipeline_status_changes"
	return func(ri *refIntegration) {
		for i, f := range ri.Fields {
			if f.Name == "notify_only_broken_pipelines" {
				nf := f // a checkbox in the same section, off by default
				nf.Name, nf.Default = name, false
				ri.Fields = slices.Insert(ri.Fields, i+1, nf)
				return
			}
		}
	}
}

func TestEventsMatchReference(t *testing.T) {
	for _, re := range loadReference(t).Events {
		if re.Name == "build" || re.Name == "archive_trace" {
			continue // Datadog's only, and not events: see referenceCorrections
		}
		e, ok := LookupEvent(re.Name)
		if !ok || e.APIFlag != re.APIFlag {
			t.Errorf("event %s: got %+v, want api flag %s", re.Name, e, re.APIFlag)
		}
	}
}

func TestCatalogMatchesReference(t *testing.T) {
	for _, ri := range loadReference(t).Integrations {
		if fix := referenceCorrections[ri.Name]; fix != nil {
			fix(&ri)
		}
		t.Run(ri.Name, func(t *testing.T) {
			d, err := Lookup(ri.Name)
			if err != nil {
				t.Fatal(err)
			}
			checkIntegration(t, d, ri)
			apiFields := slices.DeleteFunc(slices.Clone(d.Fields), func(f Field) bool { return f.Event != "" })
			var gotKeys, wantKeys []string
			for _, f := range apiFields {
				gotKeys = append(gotKeys, f.Key)
			}
			for _, rf := range ri.Fields {
				wantKeys = append(wantKeys, rf.Name)
			}
			if !slices.Equal(gotKeys, wantKeys) {
				t.Fatalf("fields\n got: %v\nwant: %v", gotKeys, wantKeys)
			}
			for i, rf := range ri.Fields {
				checkField(t, apiFields[i], rf)
			}
			checkEvents(t, d, ri)
		})
	}
}

func checkIntegration(t *testing.T, d Definition, ri refIntegration) {
	t.Helper()
	if want := deref(ri.APISlug); d.APISlug != want {
		t.Errorf("api slug = %q, want %q", d.APISlug, want)
	}
	if want := deref(ri.LegacyType); d.LegacyType != want {
		t.Errorf("legacy type = %q, want %q", d.LegacyType, want)
	}
	for _, alias := range []*string{ri.APISlug, ri.LegacyType} {
		if a := deref(alias); a != "" {
			if got, err := Lookup(a); err != nil || got.Name != d.Name {
				t.Errorf("alias %q does not find %s", a, d.Name)
			}
		}
	}
	var levels []string
	for _, l := range d.Levels {
		levels = append(levels, string(l))
	}
	if !sameSet(levels, ri.Levels) {
		t.Errorf("levels = %v, want %v", levels, ri.Levels)
	}
	if d.Category != ri.Category {
		t.Errorf("category = %q, want %q", d.Category, ri.Category)
	}
	if string(d.Status) != ri.Status {
		t.Errorf("status = %q, want %q", d.Status, ri.Status)
	}
	if ri.EEOnly != nil && d.EEOnly != *ri.EEOnly {
		t.Errorf("ee only = %v, want %v", d.EEOnly, *ri.EEOnly)
	}
	if ri.DevOnly != nil && d.DevOnly != *ri.DevOnly {
		t.Errorf("dev only = %v, want %v", d.DevOnly, *ri.DevOnly)
	}
	if ri.WebhookLogs != nil && d.WebhookLogs != *ri.WebhookLogs {
		t.Errorf("webhook logs = %v, want %v", d.WebhookLogs, *ri.WebhookLogs)
	}
	if ri.Testable != nil && ri.Testable.Testable != nil {
		if d.Test.Testable == nil || *d.Test.Testable != *ri.Testable.Testable {
			t.Errorf("testable = %v, want %v", fmtBoolPtr(d.Test.Testable), *ri.Testable.Testable)
		}
	}
	if d.Title == "" || d.Description == "" {
		t.Error("title and description must be written")
	}
}

func checkField(t *testing.T, f Field, rf refField) {
	t.Helper()
	where := rf.Name + ": "
	if rf.Type != nil && string(f.Kind) != *rf.Type {
		// GitLab's number type with choices is shown as a select; the API fact is the type.
		t.Errorf("%stype = %q, want %q", where, f.Kind, *rf.Type)
	}
	switch req := rf.Required.(type) {
	case bool:
		if f.Required != req {
			t.Errorf("%srequired = %v, want %v", where, f.Required, req)
		}
	case string:
		if f.Required || f.RequiredWhen == "" {
			t.Errorf("%srequired only %q: want Required false and RequiredWhen set", where, req)
		}
	}
	if rf.Secret != nil && f.Secret != *rf.Secret {
		t.Errorf("%ssecret = %v, want %v", where, f.Secret, *rf.Secret)
	}
	if f.Sensitive != rf.Sensitive {
		t.Errorf("%ssensitive = %v, want %v", where, f.Sensitive, rf.Sensitive)
	}
	if rf.APIOnly != nil && f.APIOnly != *rf.APIOnly {
		t.Errorf("%sapi only = %v, want %v", where, f.APIOnly, *rf.APIOnly)
	}
	if want := deref(rf.Section); string(f.Section) != want {
		t.Errorf("%ssection = %q, want %q", where, f.Section, want)
	}
	if f.ExposesSecrets != rf.ExposesSecrets {
		t.Errorf("%sexposes secrets = %v, want %v", where, f.ExposesSecrets, rf.ExposesSecrets)
	}
	if rf.Choices != nil {
		var want []string
		for _, c := range rf.Choices {
			want = append(want, scalar(c))
		}
		if got := f.ChoiceValues(); !slices.Equal(got, want) {
			t.Errorf("%schoices = %v, want %v", where, got, want)
		}
	}
	if want, ok := literalDefault(f, rf.Default); ok && f.Default != want {
		t.Errorf("%sdefault = %q, want %q", where, f.Default, want)
	}
	if f.Masked() && f.Default != "" {
		t.Errorf("%sa secret must not have a default", where)
	}
}

// literalDefault returns the reference default as our canonical string, unless the reference
// describes the default in words (GitLab computes some defaults).
func literalDefault(f Field, def any) (string, bool) {
	switch v := def.(type) {
	case nil:
		return "", true
	case string:
		if f.Kind == Checkbox || strings.Contains(v, " ") {
			return "", false
		}
	}
	return scalar(def), true
}

func checkEvents(t *testing.T, d Definition, ri refIntegration) {
	t.Helper()
	if !slices.Equal(d.Events, nilIfEmpty(ri.Events)) {
		t.Errorf("events = %v, want %v", d.Events, ri.Events)
	}
	if !slices.Equal(d.GroupEvents, nilIfEmpty(ri.GroupEvents)) {
		t.Errorf("group events = %v, want %v", d.GroupEvents, ri.GroupEvents)
	}
	if !slices.Equal(d.EEEvents, nilIfEmpty(ri.EEEvents)) {
		t.Errorf("EE events = %v, want %v", d.EEEvents, ri.EEEvents)
	}
	for _, e := range d.SupportedEvents("") {
		if _, ok := LookupEvent(e); !ok {
			t.Errorf("event %q is not in the event table", e)
		}
	}
	for flag, want := range ri.DefaultEvents {
		if flag == "all_event_attributes" {
			for _, e := range d.SupportedEvents("") {
				if d.DefaultEventState(e) != want {
					t.Errorf("default of %s = %v, want %v", e, !want, want)
				}
			}
			continue
		}
		if flag == "job_events" { // GitLab stores the build event as job_events
			flag = "build_events"
		}
		e, ok := LookupEvent(flag)
		if !ok {
			t.Errorf("default events name unknown flag %s", flag)
			continue
		}
		if got := d.DefaultEventState(e.Name); got != want {
			t.Errorf("default of %s = %v, want %v", e.Name, got, want)
		}
	}
	var ef struct {
		APIParams        []string `json:"api_params"`
		APIChannelParams []string `json:"api_channel_params"`
	}
	_ = json.Unmarshal(ri.EventFields, &ef)
	params := append(ef.APIParams, ef.APIChannelParams...)
	var wantChannels []string
	for _, p := range params {
		ev := strings.TrimSuffix(strings.Fields(p)[0], "_channel")
		if d.SupportsEvent(ev) && !slices.Contains(wantChannels, ev) {
			wantChannels = append(wantChannels, ev)
		}
	}
	// GitLab EE adds vulnerability_channel to every chat integration that routes per event.
	if len(wantChannels) > 0 && d.SupportsEvent("vulnerability") && !slices.Contains(wantChannels, "vulnerability") {
		wantChannels = append(wantChannels, "vulnerability")
	}
	if !sameSet(d.ChannelEvents, wantChannels) {
		t.Errorf("channel events = %v, want %v", d.ChannelEvents, wantChannels)
	}
}

func scalar(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case float64:
		return fmt.Sprint(int64(v))
	default:
		return fmt.Sprint(v)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func fmtBoolPtr(b *bool) string {
	if b == nil {
		return "unknown"
	}
	return fmt.Sprint(*b)
}
