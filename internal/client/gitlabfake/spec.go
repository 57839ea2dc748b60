package gitlabfake

import (
	"strings"
	"sync"

	"github.com/forgekit/integrations/internal/integrations"
)

// paramKind is the Grape type of a PUT parameter.
type paramKind int

const (
	kindString  paramKind = iota // String
	kindBool                     // Grape::API::Boolean / API::Integrations::Boolean
	kindInt                      // Integer
	kindStrings                  // Array[String]
)

// param is one declared PUT parameter.
type param struct {
	name     string
	kind     paramKind
	required bool
	// event parameters are stored as event flags (<event>_events), not properties.
	event bool
}

// spec is what the API knows about one integration, derived from the catalog.
type spec struct {
	def  integrations.Definition
	slug string
	// params are the declared PUT parameters in Grape's order: fields, then event flags.
	params []param
	// props are the keys GET returns in `properties`, in field order: every field but password
	// fields and the ones GitLab never returns (webhook, Discord's per-event webhooks).
	props []string
	// eventProps are properties stored in an event column (Datadog's archive_trace_events).
	eventProps map[string]bool
	// passwords are the password-type fields; exposes the fields whose change resets them.
	passwords []string
	exposes   map[string]bool
	// fieldKinds maps every field to its parameter type.
	fieldKinds map[string]paramKind
}

type specTable struct {
	bySlug map[string]*spec // by dashed API slug
	byName map[string]*spec // by catalog name
	// projectSpecific are names of integrations GitLab offers at project level only.
	projectSpecific map[string]bool
}

// specs is built once from the catalog. An integration is in the API when the catalog gives it an
// API slug, GitLab still ships it and it is not a development-only one (mock-ci and friends exist
// only in GitLab's dev and test environments).
var specs = sync.OnceValue(func() *specTable {
	t := &specTable{bySlug: map[string]*spec{}, byName: map[string]*spec{}, projectSpecific: map[string]bool{}}
	for _, d := range integrations.Catalog() {
		if d.APISlug == "" || d.Removed() || d.DevOnly {
			continue
		}
		sp := newSpec(d)
		t.bySlug[sp.slug] = sp
		t.byName[d.Name] = sp
		if d.SupportsLevel(integrations.Project) && !d.SupportsLevel(integrations.Group) {
			t.projectSpecific[d.Name] = true
		}
	}
	return t
})

func fieldKind(f integrations.Field) paramKind {
	switch f.Kind {
	case integrations.Checkbox:
		return kindBool
	case integrations.Number:
		return kindInt
	case integrations.StringArray:
		return kindStrings
	}
	return kindString
}

func newSpec(d integrations.Definition) *spec {
	sp := &spec{
		def: d, slug: d.APISlug,
		eventProps: map[string]bool{}, exposes: map[string]bool{}, fieldKinds: map[string]paramKind{},
	}
	flags := map[string]bool{}
	for _, e := range declaredEvents(d) {
		flags[e.APIFlag] = true
	}
	for _, f := range d.Fields {
		k := fieldKind(f)
		sp.fieldKinds[f.Key] = k
		sp.params = append(sp.params, param{name: f.Key, kind: k, required: f.Required, event: flags[f.Key]})
		if flags[f.Key] {
			sp.eventProps[f.Key] = true
		}
		if f.Kind == integrations.Password {
			sp.passwords = append(sp.passwords, f.Key)
		}
		if f.ExposesSecrets {
			sp.exposes[f.Key] = true
		}
		// The catalog marks Secret exactly the fields GitLab never returns: password fields, the
		// chat webhook and Discord's per-event webhooks (mask_configurable_channels?).
		if !f.Secret && f.Kind != integrations.Password {
			sp.props = append(sp.props, f.Key)
		}
	}
	for _, e := range declaredEvents(d) {
		if !sp.eventProps[e.APIFlag] {
			sp.params = append(sp.params, param{name: e.APIFlag, kind: kindBool, event: true})
		}
	}
	return sp
}

// declaredEvents are the events whose <event>_events flags the API declares: the class's
// supported events, EE's included. The group-only extras (group_mention) are not declared.
func declaredEvents(d integrations.Definition) []integrations.Event {
	var out []integrations.Event
	for _, name := range d.SupportedEvents(integrations.Project) {
		if e, ok := integrations.LookupEvent(name); ok {
			out = append(out, e)
		}
	}
	return out
}

// underscore is ActiveSupport's String#underscore for the slugs the API sees.
func underscore(slug string) string { return strings.ToLower(strings.ReplaceAll(slug, "-", "_")) }

// basicEvents are the event columns IntegrationBasic exposes, in order, with the catalog event
// each reads. job_events is the column the catalog's build event (build_events) writes.
var basicEvents = []struct{ key, flag, event string }{
	{"commit_events", "commit_events", "commit"},
	{"push_events", "push_events", "push"},
	{"issues_events", "issues_events", "issue"},
	{"incident_events", "incident_events", "incident"},
	{"alert_events", "alert_events", "alert"},
	{"confidential_issues_events", "confidential_issues_events", "confidential_issue"},
	{"merge_requests_events", "merge_requests_events", "merge_request"},
	{"tag_push_events", "tag_push_events", "tag_push"},
	{"deployment_events", "deployment_events", "deployment"},
	{"note_events", "note_events", "note"},
	{"confidential_note_events", "confidential_note_events", "confidential_note"},
	{"pipeline_events", "pipeline_events", "pipeline"},
	{"wiki_page_events", "wiki_page_events", "wiki_page"},
	{"job_events", "build_events", "build"},
}

// initRecord gives a new record GitLab's defaults: the event columns' defaults for the events the
// integration supports at its level, and the field defaults initialize_properties sets.
func initRecord(r *record, d integrations.Definition, l integrations.Level) {
	for _, name := range d.SupportedEvents(l) {
		if e, ok := integrations.LookupEvent(name); ok {
			r.events[e.APIFlag] = d.DefaultEventState(name)
		}
	}
	for _, f := range d.Fields {
		if f.Default == "" || f.Secret || f.Kind == integrations.Password {
			continue
		}
		if _, isEvent := r.events[f.Key]; isEvent {
			continue
		}
		switch v := f.Typed(f.Default).(type) {
		case int64, bool, string:
			r.props[f.Key] = v
		}
	}
}

// datadogCIVisibility is Datadog#update_pipeline_events: when datadog_ci_visibility is set, it
// decides pipeline_events and job_events.
func datadogCIVisibility(r *record, d integrations.Definition) {
	if d.Name != "datadog" {
		return
	}
	if b, ok := asBool(r.props["datadog_ci_visibility"]); ok {
		r.events["pipeline_events"] = b
		r.events["build_events"] = b
	}
}
