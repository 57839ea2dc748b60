package integrations

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// openAPISpec is one of GitLab's generated OpenAPI files, integrations part (the copies the
// GitLab fake serves from).
type openAPISpec struct {
	SlugEnum  []string `json:"slug_enum"`
	PutParams map[string][]struct {
		Name     string `json:"name"`
		Type     string `json:"type"`
		Required bool   `json:"required"`
	} `json:"put_params"`
}

// openAPIFiles are the versions the catalog is checked against, with the release each stands for.
var openAPIFiles = []struct {
	file string
	srv  Server
}{
	{"gitlab-18.x-integrations.json", Server{Version: Version{18, 6}}},
	{"gitlab-19.5-integrations.json", Server{Version: Version{19, 5}}},
}

// openAPIAllowlist holds every deliberate difference between the catalog and GitLab's OpenAPI,
// as slug.param, with its reason. Anything else that differs is drift.
var openAPIAllowlist = map[string]string{
	"datadog.build_events": "declared, but GitLab stores job_events and datadog_ci_visibility sets it on every save; we never send it",
	"discord.alert_channel": "declared for every chat integration that routes per event, but Discord has no alert event: " +
		"the channel would route nothing",
	"discord.incident_channel":      "as alert_channel: Discord has no incident event",
	"discord.vulnerability_channel": "as alert_channel: Discord has no vulnerability event",
	"mattermost.alert_channel":      "as Discord's: Mattermost has no alert event",
}

func loadOpenAPI(t *testing.T, file string) openAPISpec {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testing", "gitlabfake", "testdata", "openapi", file))
	if err != nil {
		t.Fatal(err)
	}
	var sp openAPISpec
	if err := json.Unmarshal(raw, &sp); err != nil {
		t.Fatal(err)
	}
	return sp
}

// apiType is the OpenAPI type a field's kind is sent as.
func apiType(k Kind) string {
	switch k {
	case Checkbox:
		return "boolean"
	case Number:
		return "integer"
	case StringArray:
		return "array"
	}
	return "string"
}

// The catalog says, per version, which parameters GitLab's PUT declares; GitLab keeps only
// those and answers 200 for the rest, so every difference would be a silent loss.
func TestCatalogMatchesOpenAPI(t *testing.T) {
	used := map[string]bool{}
	for _, of := range openAPIFiles {
		spec := loadOpenAPI(t, of.file)
		t.Run(of.srv.Version.String(), func(t *testing.T) {
			for _, d := range Catalog() {
				if d.APISlug == "" || d.Removed() && !d.API.In(of.srv) {
					if slices.Contains(spec.SlugEnum, d.APISlug) && d.APISlug != "" {
						t.Errorf("%s: the API has slug %s, the catalog says it is gone", d.Name, d.APISlug)
					}
					continue
				}
				if !slices.Contains(spec.SlugEnum, d.APISlug) {
					t.Errorf("%s: slug %s is not in the API's slug_enum", d.Name, d.APISlug)
					continue
				}
				want := map[string]string{} // param → type
				required := map[string]bool{}
				for _, p := range spec.PutParams[d.APISlug] {
					if p.Name == "use_inherited_settings" {
						continue
					}
					want[p.Name], required[p.Name] = p.Type, p.Required
				}
				got := map[string]string{}
				for _, f := range d.Fields {
					if d.FieldAPI(f.Key).In(of.srv) {
						got[f.Key] = apiType(f.Kind)
						if f.Required != required[f.Key] && want[f.Key] != "" {
							t.Errorf("%s.%s: required = %v, the API says %v", d.APISlug, f.Key, f.Required, required[f.Key])
						}
					}
				}
				for _, e := range d.SupportedEvents("") {
					if d.EventAPI(e).In(of.srv) {
						ev, _ := LookupEvent(e)
						got[ev.APIFlag] = "boolean"
					}
				}
				for name, typ := range want {
					key := d.APISlug + "." + name
					switch {
					case openAPIAllowlist[key] != "":
						used[key] = true
					case got[name] == "":
						t.Errorf("%s: the API declares %s (%s); the catalog does not have it for GitLab %s", d.APISlug, name, typ, of.srv.Version)
					case got[name] != typ:
						t.Errorf("%s: %s is %s in the catalog, %s in the API", d.APISlug, name, got[name], typ)
					}
				}
				for name := range got {
					if want[name] == "" {
						t.Errorf("%s: the catalog sends %s to GitLab %s, whose API does not declare it", d.APISlug, name, of.srv.Version)
					}
				}
			}
			for slug := range spec.PutParams {
				if d, err := Lookup(slug); err != nil || d.APISlug != slug {
					t.Errorf("the API has %s; the catalog does not", slug)
				}
			}
		})
	}
	for key := range openAPIAllowlist {
		if !used[key] {
			t.Errorf("allowlist entry %s is no longer needed", key)
		}
	}
}
