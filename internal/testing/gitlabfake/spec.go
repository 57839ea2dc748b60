package gitlabfake

import (
	"embed"
	"encoding/json"
	"strings"
	"sync"

	"github.com/forgekit/integrations/internal/integrations"
)

// What the API accepts comes from GitLab's own generated OpenAPI spec, one file per version
// (testdata/openapi, copied from shared/reference/openapi), never from the catalog: the fake
// must be able to disagree with the code it tests. The catalog supplies only what the spec does
// not say: titles, levels, column defaults and which fields GitLab never returns.
//
//go:embed testdata/openapi/gitlab-18.x-integrations.json testdata/openapi/gitlab-19.5-integrations.json
var openAPIFiles embed.FS

// openAPIFile is the integrations part of one OpenAPI file.
type openAPIFile struct {
	SlugEnum  []string `json:"slug_enum"`
	PutParams map[string][]struct {
		Name     string `json:"name"`
		Type     string `json:"type"`
		Required bool   `json:"required"`
	} `json:"put_params"`
	Notes struct {
		EntityEventFlags []string `json:"get_entity_event_flags"`
	} `json:"notes"`
}

// paramKind is the Grape type of a PUT parameter.
type paramKind int

const (
	kindString  paramKind = iota // String
	kindBool                     // Grape::API::Boolean / API::Integrations::Boolean
	kindInt                      // Integer
	kindStrings                  // Array[String]
)

func openAPIKind(t string) paramKind {
	switch t {
	case "boolean":
		return kindBool
	case "integer":
		return kindInt
	case "array":
		return kindStrings
	}
	return kindString
}

// param is one declared PUT parameter.
type param struct {
	name     string
	kind     paramKind
	required bool
	// column is the event column an event parameter is stored in; "" for properties.
	column string
}

// spec is what the API knows about one integration.
type spec struct {
	def  integrations.Definition
	slug string
	// params are the declared PUT parameters in the spec's order.
	params []param
	// props are the keys GET returns in `properties`: every declared parameter that is a field,
	// but password fields and the ones GitLab never returns (webhook, Discord's per-event webhooks).
	props []string
	// eventProps are properties stored in an event column (Datadog's archive_trace_events).
	eventProps map[string]bool
	// passwords are the password-type fields; exposes the fields whose change resets them.
	passwords []string
	exposes   map[string]bool
	// fieldKinds maps every declared field to its parameter type.
	fieldKinds map[string]paramKind
}

type specTable struct {
	bySlug map[string]*spec // by dashed API slug
	byName map[string]*spec // by catalog name
	// projectSpecific are names of integrations GitLab offers at project level only.
	projectSpecific map[string]bool
	// entityEvents are the event columns Entities::IntegrationBasic renders, in order.
	entityEvents []string
}

// columnOf maps an event parameter to the column it is stored in: Datadog's build_events is
// written to job_events.
func columnOf(name string) string {
	if name == "build_events" {
		return "job_events"
	}
	return name
}

// fieldColumns are parameters named like event flags that GitLab defines as fields: stored in an
// event column but returned among the properties.
var fieldColumns = map[string]bool{"archive_trace_events": true}

// entityEventFlags is APIEntitiesIntegrationBasic's list (19.5 notes); 18.x renders the same.
var entityEventFlags = sync.OnceValue(func() []string {
	return loadOpenAPI("gitlab-19.5-integrations.json").Notes.EntityEventFlags
})

func loadOpenAPI(name string) openAPIFile {
	raw, err := openAPIFiles.ReadFile("testdata/openapi/" + name)
	if err != nil {
		panic("gitlabfake: " + err.Error())
	}
	var f openAPIFile
	if err := json.Unmarshal(raw, &f); err != nil {
		panic("gitlabfake: " + name + ": " + err.Error())
	}
	return f
}

var (
	specs18 = sync.OnceValue(func() *specTable { return buildSpecs(loadOpenAPI("gitlab-18.x-integrations.json")) })
	specs19 = sync.OnceValue(func() *specTable { return buildSpecs(loadOpenAPI("gitlab-19.5-integrations.json")) })
)

// specsFor picks the OpenAPI file a server of version v serves: 19.5's from 19.0 on, 18.x's for
// every older server (the oldest file known).
func specsFor(v string) *specTable {
	if versionAtLeast(v, 19, 0) {
		return specs19()
	}
	return specs18()
}

func buildSpecs(f openAPIFile) *specTable {
	t := &specTable{
		bySlug: map[string]*spec{}, byName: map[string]*spec{}, projectSpecific: map[string]bool{},
		entityEvents: entityEventFlags(),
	}
	for _, slug := range f.SlugEnum {
		d, err := integrations.Lookup(slug)
		if err != nil {
			panic("gitlabfake: the API has " + slug + ", which the catalog does not know; add it there first")
		}
		if d.DevOnly {
			continue // mock-ci and friends exist only in GitLab's development and test builds
		}
		sp := &spec{
			def: d, slug: slug,
			eventProps: map[string]bool{}, exposes: map[string]bool{}, fieldKinds: map[string]paramKind{},
		}
		secretChannels := false
		for _, fl := range d.Fields {
			secretChannels = secretChannels || (fl.Event != "" && fl.Secret)
		}
		for _, p := range f.PutParams[slug] {
			if p.Name == "use_inherited_settings" {
				continue // handled by the update service, not stored
			}
			pr := param{name: p.Name, kind: openAPIKind(p.Type), required: p.Required}
			if strings.HasSuffix(p.Name, "_events") {
				pr.column = columnOf(p.Name)
			}
			sp.params = append(sp.params, pr)
			if pr.column != "" && !fieldColumns[p.Name] {
				continue
			}
			sp.fieldKinds[p.Name] = pr.kind
			if pr.column != "" {
				sp.eventProps[p.Name] = true
			}
			f, known := d.Field(p.Name)
			if known && f.Kind == integrations.Password {
				sp.passwords = append(sp.passwords, p.Name)
			}
			if known && f.ExposesSecrets {
				sp.exposes[p.Name] = true
			}
			// GitLab never returns password fields, the chat webhook and Discord's per-event
			// webhooks (mask_configurable_channels?): the catalog's Secret fields.
			// Channels the catalog lacks follow the integration's other channels.
			if known && (f.Secret || f.Kind == integrations.Password) ||
				!known && secretChannels && strings.HasSuffix(p.Name, "_channel") {
				continue
			}
			sp.props = append(sp.props, p.Name)
		}
		t.bySlug[slug] = sp
		t.byName[d.Name] = sp
		if d.SupportsLevel(integrations.Project) && !d.SupportsLevel(integrations.Group) {
			t.projectSpecific[d.Name] = true
		}
	}
	return t
}

// underscore is ActiveSupport's String#underscore for the slugs the API sees.
func underscore(slug string) string { return strings.ToLower(strings.ReplaceAll(slug, "-", "_")) }

// columnDefault is an event column's default for a new record of d: the catalog's default for
// the event the column holds, false for columns no event of d reads.
func columnDefault(d integrations.Definition, column string) bool {
	for _, name := range d.SupportedEvents("") {
		if e, ok := integrations.LookupEvent(name); ok && e.APIFlag == column {
			return d.DefaultEventState(name)
		}
	}
	return false
}

// initRecord gives a new record GitLab's defaults: the event columns' defaults for the events the
// integration supports at its level, and the field defaults initialize_properties sets.
func initRecord(r *record, sp *spec, l integrations.Level) {
	d := sp.def
	for _, name := range d.SupportedEvents(l) {
		if e, ok := integrations.LookupEvent(name); ok {
			r.events[e.APIFlag] = d.DefaultEventState(name)
		}
	}
	for _, f := range d.Fields {
		if _, declared := sp.fieldKinds[f.Key]; !declared || f.Default == "" || f.Secret || f.Kind == integrations.Password {
			continue
		}
		if fieldColumns[f.Key] {
			r.events[f.Key], _ = asBool(f.Default)
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
		r.events["job_events"] = b
	}
}
