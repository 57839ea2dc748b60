package integrations

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a GitLab release, major.minor: what decides which parameters its API declares.
type Version struct{ Major, Minor int }

// ParseVersion reads "18.6", "18.6.2" or "19.5.0-ee"; ok is false for anything else.
func ParseVersion(s string) (Version, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(s, "-+ "); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return Version{}, false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || ma < 0 || mi < 0 {
		return Version{}, false
	}
	return Version{ma, mi}, true
}

func mustVersion(s string) Version {
	v, ok := ParseVersion(s)
	if !ok {
		panic("integrations: bad version " + s)
	}
	return v
}

// IsZero reports an unset version.
func (v Version) IsZero() bool { return v == Version{} }

// Before reports whether v is an older release than w.
func (v Version) Before(w Version) bool {
	return v.Major < w.Major || (v.Major == w.Major && v.Minor < w.Minor)
}

func (v Version) String() string {
	if v.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d.%d", v.Major, v.Minor)
}

// NewestKnownAPI is the newest GitLab whose API the catalog knows parameter by parameter (from
// GitLab's generated OpenAPI spec). A server whose version cannot be read is taken to be it.
var NewestKnownAPI = Version{19, 5}

// Server is what the catalog needs to know about a GitLab server to tell what its API keeps.
type Server struct {
	// Version is the server's release; zero means unknown, taken as NewestKnownAPI.
	Version Version
	// CE is true for a Community Edition server, which drops the Enterprise Edition parameters.
	CE bool
}

// Effective is the version the server is taken to be: its own, or the newest known when it
// could not be read.
func (s Server) Effective() Version {
	if s.Version.IsZero() {
		return NewestKnownAPI
	}
	return s.Version
}

// GroupAPI reports whether the server has group-level integration endpoints (GitLab 17.9+).
func (s Server) GroupAPI() bool { return !s.Effective().Before(Version{Major: 17, Minor: 9}) }

// Availability is where an API parameter exists: which GitLab versions declare it, whether only
// the Enterprise Edition does, or whether no version does (GitLab's web UI sets it).
type Availability struct {
	// Since is the first version known to declare it; zero for every version the catalog knows.
	Since Version
	// Until is the first version that no longer declares it; zero while it is declared.
	Until Version
	EE    bool
	// WebUIOnly parameters are declared by no version: only GitLab's web UI sets them.
	WebUIOnly bool
}

func (a Availability) merge(b Availability) Availability {
	if b.Since.IsZero() || (!a.Since.IsZero() && b.Since.Before(a.Since)) {
		b.Since = a.Since
	}
	if b.Until.IsZero() || (!a.Until.IsZero() && a.Until.Before(b.Until)) {
		b.Until = a.Until
	}
	b.EE = b.EE || a.EE
	b.WebUIOnly = b.WebUIOnly || a.WebUIOnly
	return b
}

// In reports whether srv's API declares the parameter.
func (a Availability) In(srv Server) bool { return a.Missing(srv) == "" }

// Missing says why srv's API does not declare the parameter, or "" when it does.
func (a Availability) Missing(srv Server) string {
	v := srv.Effective()
	switch {
	case a.WebUIOnly:
		return "GitLab's API cannot set it; set it in GitLab's web UI"
	case !a.Until.IsZero() && !v.Before(a.Until):
		return fmt.Sprintf("GitLab %s drops it (no longer in the API since %s); set it in GitLab's web UI", v, a.Until)
	case !a.Since.IsZero() && v.Before(a.Since):
		return fmt.Sprintf("GitLab %s drops it; the first version that has it is GitLab %s", v, a.Since)
	case a.EE && srv.CE:
		return fmt.Sprintf("GitLab %s Community Edition drops it; it exists only in GitLab EE", v)
	}
	return ""
}

// Describe says in a few words which versions declare it: "" when all do.
func (a Availability) Describe() string {
	var parts []string
	switch {
	case a.WebUIOnly:
		parts = append(parts, "web UI only")
	case !a.Since.IsZero() && !a.Until.IsZero():
		parts = append(parts, fmt.Sprintf("GitLab %s to %s", a.Since, a.Until))
	case !a.Since.IsZero():
		parts = append(parts, "GitLab "+a.Since.String()+"+")
	case !a.Until.IsZero():
		parts = append(parts, "before GitLab "+a.Until.String())
	}
	if a.EE {
		parts = append(parts, "EE")
	}
	return strings.Join(parts, ", ")
}

func (f Field) since(v string) Field { f.API.Since = mustVersion(v); return f }

func (f Field) until(v string) Field { f.API.Until = mustVersion(v); return f }

func (f Field) ee() Field { f.API.EE = true; return f }

// FieldAPI is where the API declares field key: the field's own availability, and for a per-event
// channel field, its event's too.
func (d Definition) FieldAPI(key string) Availability {
	f, _ := d.Field(key)
	a := d.API.merge(f.API)
	if f.Event != "" {
		a = a.merge(d.EventAPI(f.Event))
		a.WebUIOnly = false // channels of UI-only events are not a thing
	}
	return a
}

// EventAPI is where the API declares the integration's flag for event name.
func (d Definition) EventAPI(name string) Availability {
	a := d.API.merge(d.EventVersions[name])
	if e, ok := LookupEvent(name); ok && e.WebUIOnly {
		a.WebUIOnly = true
	}
	for _, ee := range d.EEEvents {
		if ee == name {
			a.EE = true
		}
	}
	return a
}

// ChoiceAPI is where the API accepts value v of field key.
func (d Definition) ChoiceAPI(key, v string) Availability {
	a := d.FieldAPI(key)
	f, _ := d.Field(key)
	for _, c := range f.Choices {
		if c.Value == v {
			return a.merge(c.API)
		}
	}
	return a
}

// CheckValue refuses a value srv's API would drop with a 200: a field or a choice it does not
// declare. The error names the field, the server's version and what to do instead.
func (d Definition) CheckValue(srv Server, key, v string) error {
	if why := d.FieldAPI(key).Missing(srv); why != "" {
		return errorf("%s: %s: %s", d.Name, key, why)
	}
	if why := d.ChoiceAPI(key, v).Missing(srv); why != "" {
		return errorf("%s: %s %s: %s", d.Name, key, v, why)
	}
	return nil
}

// CheckEventAPI refuses an event srv's API would drop.
func (d Definition) CheckEventAPI(srv Server, name string) error {
	if why := d.EventAPI(name).Missing(srv); why != "" {
		return errorf("%s: event %s: %s", d.Name, name, why)
	}
	return nil
}

// workItemsSince195 narrows the work item events to the versions that declare them: the chat
// integrations gained them in GitLab 19.5.
func workItemsSince195() map[string]Availability {
	a := Availability{Since: mustVersion("19.5")}
	return map[string]Availability{"work_item": a, "confidential_work_item": a}
}

// On is the definition as srv's API has it: only the fields, choices and events it declares, so
// that a form offers nothing the server would drop.
func (d Definition) On(srv Server) Definition {
	out := d
	out.Fields = nil
	for _, f := range d.Fields {
		if !d.FieldAPI(f.Key).In(srv) {
			continue
		}
		if len(f.Choices) > 0 {
			var kept []Choice
			for _, c := range f.Choices {
				if d.ChoiceAPI(f.Key, c.Value).In(srv) {
					kept = append(kept, c)
				}
			}
			f.Choices = kept
		}
		out.Fields = append(out.Fields, f)
	}
	keep := func(events []string) []string {
		var kept []string
		for _, e := range events {
			if d.EventAPI(e).In(srv) {
				kept = append(kept, e)
			}
		}
		return kept
	}
	out.Events, out.GroupEvents, out.EEEvents = keep(d.Events), keep(d.GroupEvents), keep(d.EEEvents)
	return out
}
