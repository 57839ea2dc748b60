package gitlabfake

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/forgekit/integrations/internal/integrations"
)

// minIntegrationAccess is the Maintainer role the integration endpoints need.
const minIntegrationAccess = 40

// resolve finds the project or group of an integration route and checks the token's role. It
// writes the error response and returns false when the request cannot go on. The caller holds s.mu.
func (s *Server) resolve(w http.ResponseWriter, t *Token, kind, id string) (owner, bool) {
	var o owner
	if kind == "project" {
		if o.p = s.findProject(id); o.p == nil {
			writeMessage(w, http.StatusNotFound, "404 Project Not Found")
			return o, false
		}
	} else if o.g = s.findGroup(id); o.g == nil {
		writeMessage(w, http.StatusNotFound, "404 Group Not Found")
		return o, false
	}
	if t.AccessLevel < minIntegrationAccess {
		writeMessage(w, http.StatusForbidden, "403 Forbidden")
		return o, false
	}
	return o, true
}

// slugSpec validates the :slug of GET and DELETE: first the group routes' before filter that
// refuses project-only integrations, then Grape's `values:` check against the dashed slugs.
func (s *Server) slugSpec(w http.ResponseWriter, kind, slug string) (*spec, bool) {
	if kind == "group" && s.specs.projectSpecific[underscore(slug)] {
		writeMessage(w, http.StatusBadRequest, "400 Integration not available")
		return nil, false
	}
	sp := s.specs.bySlug[slug]
	if sp == nil {
		writeErrorKey(w, http.StatusBadRequest, "slug does not have a valid value")
		return nil, false
	}
	return sp, true
}

func (s *Server) listIntegrations(w http.ResponseWriter, t *Token, kind, id string) {
	s.mu.RLock()
	o, ok := s.resolve(w, t, kind, id)
	if !ok {
		s.mu.RUnlock()
		return
	}
	var recs []*record
	for _, r := range o.recs(s.st) {
		if r.active {
			recs = append(recs, r)
		}
	}
	slices.SortFunc(recs, func(a, b *record) int { return cmp.Compare(a.id, b.id) })
	out := make([]json.RawMessage, 0, len(recs))
	for _, r := range recs {
		out = append(out, s.integrationJSON(r, false))
	}
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, out)
}

// integration finds the integration a GET or DELETE names, or answers GitLab's error itself;
// the caller holds s.mu.
func (s *Server) integration(w http.ResponseWriter, t *Token, kind, id, slug string) (*spec, *record, bool) {
	o, ok := s.resolve(w, t, kind, id)
	if !ok {
		return nil, nil, false
	}
	sp, ok := s.slugSpec(w, kind, slug)
	if !ok {
		return nil, nil, false
	}
	rec := o.recs(s.st)[sp.def.Name]
	if rec == nil {
		writeMessage(w, http.StatusNotFound, "404 Integration Not Found")
		return nil, nil, false
	}
	return sp, rec, true
}

func (s *Server) getIntegration(w http.ResponseWriter, t *Token, kind, id, slug string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, r, ok := s.integration(w, t, kind, id, slug); ok {
		writeRawJSON(w, http.StatusOK, s.integrationJSON(r, true))
	}
}

func (s *Server) deleteIntegration(w http.ResponseWriter, r *http.Request, t *Token, kind, id, slug string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp, rec, ok := s.integration(w, t, kind, id, slug)
	if !ok {
		return
	}
	if sp.def.NoAPIDisable {
		writeMessage(w, http.StatusUnprocessableEntity, "You cannot disable the "+sp.def.Title+" integration from the API")
		return
	}
	if v := r.Header.Get("If-Unmodified-Since"); v != "" {
		if since, err := http.ParseTime(v); err == nil && rec.updated.Truncate(time.Second).After(since) {
			writeMessage(w, http.StatusPreconditionFailed, "412 Precondition Failed")
			return
		}
	}
	// Every field goes back to its column default: nil for properties, false for a field stored
	// in an event column. Event flags and the inheritance link stay.
	for k := range rec.props {
		rec.props[k] = nil
	}
	for _, p := range sp.params {
		switch {
		case sp.eventProps[p.name]:
			rec.events[p.column] = false
		case p.column == "":
			rec.props[p.name] = nil
		}
	}
	rec.active = false
	rec.updated = time.Now()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) putIntegration(w http.ResponseWriter, r *http.Request, body []byte, t *Token, kind, id string, sp *spec) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.resolve(w, t, kind, id)
	if !ok {
		return
	}
	sent, err := requestParams(r, body)
	if err != nil {
		writeErrorKey(w, http.StatusBadRequest, err.Error())
		return
	}

	// Grape: declared parameters, required ones present, each coerced to its type.
	var errs []string
	vals := map[string]any{}
	for _, p := range sp.params {
		v, ok := sent[p.name]
		if s.dropped[sp.slug+"."+p.name] {
			continue // this server's API does not declare it: ignored, as undeclared parameters are
		}
		if !ok {
			if p.required {
				errs = append(errs, p.name+" is missing")
			}
			continue
		}
		cv, ok := coerce(p.kind, v)
		if !ok {
			errs = append(errs, p.name+" is invalid")
			continue
		}
		vals[p.name] = cv
	}
	var inherit *bool
	if v, ok := sent["use_inherited_settings"]; ok && s.inheritAPI {
		cv, ok := coerce(kindBool, v)
		switch {
		case !ok:
			errs = append(errs, "use_inherited_settings is invalid")
		case cv != nil:
			b := cv.(bool)
			inherit = &b
		}
	}
	if len(errs) > 0 {
		writeErrorKey(w, http.StatusBadRequest, strings.Join(errs, ", "))
		return
	}

	d := sp.def
	if !d.SupportsLevel(o.level()) {
		writeMessage(w, http.StatusBadRequest, "400 Integration not available")
		return
	}
	recs := o.recs(s.st)
	rec := recs[d.Name]
	isNew := rec == nil
	if isNew && d.NoAPICreate {
		writeMessage(w, http.StatusUnprocessableEntity, "You cannot create the "+d.Title+" integration from the API")
		return
	}
	now := time.Now()
	if isNew {
		rec = s.st.newRecord(d.Name, now)
		initRecord(rec, sp, o.level())
	}

	// Integrations::UpdateService: inherit when asked to, or when not told and already inheriting.
	useInherited := s.inheritAPI && rec.inherits()
	if inherit != nil {
		useInherited = *inherit
	}
	if useInherited {
		def, g, ok := s.st.defaultIntegration(d.Name, o, false)
		if !ok {
			writeMessage(w, http.StatusBadRequest, "Default integration not found.")
			return
		}
		copyFrom(rec, def, g, now)
	} else {
		if s.inheritAPI {
			rec.inheritGroup, rec.inheritInstance = nil, false
		}
		assign(rec, sp, vals)
		if !d.NoAPICreate {
			rec.active = true // the API always activates, except integrations set up by an app
		}
		rec.updated = now
	}
	recs[d.Name] = rec
	if o.g != nil {
		s.st.propagateGroup(o.g, d, now)
	}
	writeRawJSON(w, http.StatusOK, s.integrationJSON(rec, true))
}

// assign stores the sent values. When a field that exposes secrets changes, every password field
// not sent along is cleared (ResetSecretFields).
func assign(rec *record, sp *spec, vals map[string]any) {
	reset := false
	for k := range sp.exposes {
		if v, ok := vals[k]; ok && integrations.Canonical(v) != integrations.Canonical(rec.props[k]) {
			reset = true
		}
	}
	for _, p := range sp.params {
		v, ok := vals[p.name]
		switch {
		case !ok:
		case p.column != "":
			if b, ok := v.(bool); ok {
				rec.events[p.column] = b
			}
		default:
			rec.props[p.name] = v
		}
	}
	if reset {
		for _, k := range sp.passwords {
			if _, ok := vals[k]; !ok {
				rec.props[k] = nil
			}
		}
	}
	datadogCIVisibility(rec, sp.def)
}

// specFor returns the spec of a record's integration, also for integrations outside the API
// (seeded at the instance, say).
func (s *Server) specFor(name string) *spec {
	if sp := s.specs.byName[name]; sp != nil {
		return sp
	}
	d := lookupDef(name)
	return &spec{def: d, slug: strings.ReplaceAll(name, "_", "-"), eventProps: map[string]bool{}, exposes: map[string]bool{}, fieldKinds: map[string]paramKind{}}
}

const timeLayout = "2006-01-02T15:04:05.000Z"

// integrationJSON renders a record as Entities::IntegrationBasic (withProps: Entities::Integration,
// with `properties`): only the event columns the entity exposes, so event flags such as
// work_item_events are never returned. The caller holds s.mu.
func (s *Server) integrationJSON(r *record, withProps bool) json.RawMessage {
	sp := s.specFor(r.name)
	d := sp.def
	var b bytes.Buffer
	field := func(k string, v any) {
		if b.Len() > 0 {
			b.WriteByte(',')
		} else {
			b.WriteByte('{')
		}
		key, _ := json.Marshal(k)
		val, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		b.Write(key)
		b.WriteByte(':')
		b.Write(val)
	}
	field("id", r.id)
	field("title", d.Title)
	field("slug", sp.slug)
	field("created_at", r.created.UTC().Format(timeLayout))
	field("updated_at", r.updated.UTC().Format(timeLayout))
	field("active", r.active)
	for _, col := range s.specs.entityEvents {
		v, ok := r.events[col]
		if !ok {
			v = columnDefault(d, col)
		}
		field(col, v)
	}
	comment := true
	if v, ok := asBool(r.props["comment_on_event_enabled"]); ok {
		comment = v
	}
	field("comment_on_event_enabled", comment)
	if s.inheritAPI {
		field("inherited", r.inherits())
	}
	if withProps {
		field("properties", propertiesJSON(r, sp))
	}
	b.WriteByte('}')
	return b.Bytes()
}

// propertiesJSON renders `properties` in field order: values as stored, checkboxes as booleans,
// numbers as numbers, never a password field or a field GitLab does not return.
func propertiesJSON(r *record, sp *spec) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range sp.props {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(k)
		b.Write(key)
		b.WriteByte(':')
		var v any
		if sp.eventProps[k] {
			v = r.events[columnOf(k)]
		} else {
			v = typedProp(sp.fieldKinds[k], r.props[k])
		}
		val, err := json.Marshal(v)
		if err != nil {
			val = []byte("null")
		}
		b.Write(val)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// typedProp reads a stored value the way the model's accessors return it.
func typedProp(kind paramKind, v any) any {
	switch kind {
	case kindBool:
		if b, ok := asBool(v); ok {
			return b
		}
	case kindInt:
		if s, ok := v.(string); ok {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return n
			}
		}
	}
	return v
}
